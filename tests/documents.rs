//! docs/scheme.md section 10: the bulletin as an official document
//! (GB/T 9704-2012) in Word and HTML, every unit's feedback and objection
//! form, and the loop back into the register (`objections import`), on
//! the golden fixture (tests/fixtures/golden, numbers worked out in its
//! scheme).

mod common;

use std::path::{Path, PathBuf};

use govtrust::data::LoadOptions;

const BULLETIN: &str = r#"
[bulletin]
number = "测信办〔2026〕3号"
to = "各参评单位："
basis = "根据《金样例考核办法》（测信办〔2025〕1号）"
requirements = ["各单位要对照反馈单抓好整改。"]
signer = "测试市信用办"
date = 2026-01-15
contact = "联系人：李四，电话：0000-1234567"
"#;

/// The golden fixture copied, with `extra` as one more scheme file,
/// assessed and written: (guard, scheme dir, data dir, report dir).
fn report(extra: Option<&str>) -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let (scheme, data) = (tmp.path().join("scheme"), tmp.path().join("data"));
    for (from, to) in [("scheme", &scheme), ("data", &data)] {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(Path::new("tests/fixtures/golden").join(from)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
    if let Some(x) = extra {
        std::fs::write(scheme.join("z_extra.toml"), x).unwrap();
    }
    let out = write(&scheme, &data, tmp.path(), "report");
    (tmp, scheme, data, out)
}

fn write(scheme: &Path, data: &Path, dir: &Path, name: &str) -> PathBuf {
    let run = govtrust::run::assess(scheme, data, LoadOptions::default()).unwrap();
    let out = dir.join(name);
    govtrust::report::write_to(&run, &govtrust::report::standard(), &out).unwrap();
    out
}

/// The parts of a .docx.
struct Docx(zip::ZipArchive<std::fs::File>);

impl Docx {
    fn open(p: &Path) -> Docx {
        Docx(zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap())
    }
    fn part(&mut self, name: &str) -> String {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut self.0.by_name(name).unwrap(), &mut s).unwrap();
        s
    }
    /// The text of every paragraph, in order.
    fn paragraphs(&mut self) -> Vec<String> {
        let doc = self.part("word/document.xml");
        doc.split("</w:p>")
            .map(|p| {
                let mut t = String::new();
                for piece in p.split("<w:t").skip(1) {
                    let body = &piece[piece.find('>').unwrap() + 1..];
                    t.push_str(&body[..body.find("</w:t>").unwrap_or(0)]);
                }
                t.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&")
            })
            .filter(|t| !t.is_empty())
            .collect()
    }
}

#[test]
fn the_bulletin_docx_follows_gb_t_9704() {
    let (_t, _s, _d, out) = report(Some(BULLETIN));
    let mut d = Docx::open(&out.join("bulletin.docx"));
    let doc = d.part("word/document.xml");
    let styles = d.part("word/styles.xml");
    // A4 (210 × 297 mm = 11906 × 16838 twips); margins 37, 35, 28, 26 mm
    // at 1440/25.4 twips a millimetre: 2098, 1984, 1587, 1474.
    assert!(
        doc.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#),
        "{doc:.300}"
    );
    assert!(doc.contains(r#"<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587""#));
    // 附件1 is landscape: the page and its margins turned.
    assert!(doc.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>"#));
    // Body 3号 (16 pt = 32 half-points) 仿宋_GB2312 on an exact 28 pt
    // (560 twip) line; title 2号 (44) 方正小标宋简体; headings 黑体.
    assert!(
        styles.contains(r#"w:eastAsia="仿宋_GB2312""#) && styles.contains(r#"<w:sz w:val="32"/>"#)
    );
    assert!(
        styles.contains(r#"<w:spacing w:before="0" w:after="0" w:line="560" w:lineRule="exact"/>"#)
    );
    let title = &styles[styles.find(r#"w:styleId="Title""#).unwrap()..];
    let title = &title[..title.find("</w:style>").unwrap()];
    assert!(
        title.contains("方正小标宋简体") && title.contains(r#"<w:sz w:val="44"/>"#),
        "{title}"
    );
    let h1 = &styles[styles.find(r#"w:styleId="Heading1""#).unwrap()..];
    assert!(h1[..h1.find("</w:style>").unwrap()].contains("黑体"));
    // Page numbers: a PAGE field between "— " and " —", 4号 (28), right
    // on odd pages, left on even ones.
    let odd = d.part("word/footer1.xml");
    let even = d.part("word/footer2.xml");
    for f in [&odd, &even] {
        assert!(
            f.contains(" PAGE ")
                && f.contains(">— <")
                && f.contains("> —<")
                && f.contains(r#"<w:sz w:val="28"/>"#),
            "{f}"
        );
    }
    assert!(odd.contains(r#"<w:jc w:val="right"/>"#) && even.contains(r#"<w:jc w:val="left"/>"#));
    assert!(
        d.part("word/settings.xml")
            .contains("<w:evenAndOddHeaders/>")
    );
    // Tables: the header row repeats, rows do not split.
    assert!(doc.contains("<w:tblHeader/>") && doc.contains("<w:cantSplit/>"));
}

#[test]
fn the_bulletin_carries_what_bulletin_says_and_nothing_of_the_program() {
    let (_t, _s, _d, out) = report(Some(BULLETIN));
    let ps = Docx::open(&out.join("bulletin.docx")).paragraphs();
    // A short text is a whole paragraph (the 落款, a heading), a long one
    // part of one.
    let at = |text: &str| {
        ps.iter()
            .position(|p| p == text || (text.chars().count() > 12 && p.contains(text)))
            .unwrap_or_else(|| panic!("no {text:?} in {ps:#?}"))
    };
    // Header, basis, body, requirements, 落款, annexes, in this order.
    let order = [
        "测信办〔2026〕3号",
        "关于金样例考核结果的通报",
        "各参评单位：",
        "根据《金样例考核办法》（测信办〔2025〕1号），对2025年1月1日至2025年12月31日期间department4个、town2个单位的政务诚信建设情况进行了考核。现将考核结果通报如下：",
        "一、总体情况",
        "二、department考核结果",
        "三、town考核结果",
        "四、一票否决情况",
        "五、工作要求",
        "各单位要对照反馈单抓好整改。",
        // 2026-01-15 (Thursday) + 5 working days (no calendar: Monday to
        // Friday): 16, 19, 20, 21, 22.
        "请于2026年1月22日前（本通报印发之日起5个工作日内）通过考核反馈单向测试市信用办（联系人：李四，电话：0000-1234567）书面提出",
        "附件：1．金样例考核结果汇总表",
        "测试市信用办",
        "2026年1月15日",
        "附件1",
        "附件2",
    ];
    let idx: Vec<usize> = order.iter().map(|t| at(t)).collect();
    assert!(idx.windows(2).all(|w| w[0] < w[1]), "{idx:?}");
    // Totals: D1 84.00, 良好 (the golden scheme's comments); D3 vetoed
    // with its reason.
    assert!(
        ps.iter()
            .any(|p| p.contains("=cmd|' /C calc'!A0因严重失信，实行一票否决")),
        "{ps:#?}"
    );
    // Unit detail (cards) and program talk are not in the bulletin.
    let all = ps.join("\n");
    for bad in [
        "govtrust",
        "evidence",
        ".csv",
        "各维度得分与同类单位平均",
        "D1",
        "r1",
    ] {
        assert!(!all.contains(bad), "{bad:?} in the bulletin");
    }
    // 附件2: D1's on-time share 3/4 = 75.00% and its complaints n/a (a
    // town indicator): 不适用 is not 无数据; D4 has no tickets: 无数据.
    assert!(all.contains("75.00%") && all.contains("不适用") && all.contains("无数据"));
}

#[test]
fn without_a_bulletin_section_the_defaults_are_written() {
    let (_t, _s, _d, out) = report(None);
    let ps = Docx::open(&out.join("bulletin.docx")).paragraphs();
    for text in [
        "关于金样例考核结果的通报",
        "各参评单位：",
        "按照金样例考核工作安排，对2025年1月1日至2025年12月31日期间",
        "请自本通报印发之日起5个工作日内通过考核反馈单向测试信用办书面提出",
        "测试信用办",
        "　　年　　月　　日",
    ] {
        assert!(
            ps.iter().any(|p| p.contains(text)),
            "no {text:?} in {ps:#?}"
        );
    }
}

#[test]
fn the_html_bulletin_has_the_same_content_and_print_styles() {
    let (_t, _s, _d, out) = report(Some(BULLETIN));
    let html = std::fs::read_to_string(out.join("bulletin.html")).unwrap();
    for want in [
        "@page { size: A4; margin: 37mm 26mm 35mm 28mm; }",
        "counter(page)",
        "size: A4 landscape",
        "<p class=\"number\">测信办〔2026〕3号</p>",
        "<h1>关于金样例考核结果的通报</h1>",
        "<p class=\"date\">2026年1月15日</p>",
        "<td class=\"right\">104.00</td>",
        "<figcaption>图1 ",
    ] {
        assert!(html.contains(want), "no {want:?}");
    }
    assert!(!html.contains("<script") && !html.contains("evidence.csv"));
    // Two ranking tables (4 departments, 2 towns), the escaped name.
    assert_eq!(html.matches("<table class=\"ranking\">").count(), 2);
    assert!(html.contains("=cmd|&#x27; &#x2f;C calc&#x27;!A0（一票否决）"));
}

#[test]
fn every_unit_gets_its_feedback_and_objection_form() {
    let (_t, _s, _d, out) = report(Some(BULLETIN));
    for u in ["D1", "D2", "D3", "D4", "T1", "T2"] {
        assert!(out.join(format!("feedback/{u}.docx")).is_file(), "{u}");
        assert!(out.join(format!("feedback/{u}.xlsx")).is_file(), "{u}");
    }
    let ps = Docx::open(&out.join("feedback/D1.docx")).paragraphs();
    let all = ps.join("\n");
    for want in [
        "市教育局：",
        // D1: rank 3 of 4; base 82 + bonus 2 = 84.00, 良好.
        "在department4个单位中名列第3名，总分84.00分（指标得分82.00分，加分2.00分，倒扣分0.00分），考核等次为良好。",
        // on_time 3/4 and its rule in words (no description): target
        // 0.95, per 0.01, deduct 0.5.
        "75.00%",
        "目标95%，每低1个百分点扣0.5分，扣完为止",
        "不适用",
        // r2 was repaired: its 2 points × 0.5.
        "已信用修复×0.5",
        "对上述记录有异议的，请在随附的反馈表（Excel表格）对应记录的“是否异议”栏填写“是”",
        "测试市信用办自收到异议之日起15个工作日内书面答复",
    ] {
        assert!(all.contains(want), "no {want:?} in {all}");
    }
    // The form: one row per record of D1 (r1 −2, r2 −1, the honour +2),
    // the two columns to fill empty.
    let rows = form_rows(&out.join("feedback/D1.xlsx"));
    assert_eq!(
        rows[0],
        govtrust::report::feedback::FORM.map(String::from).to_vec()
    );
    let keys: Vec<(&str, &str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[5].as_str(), r[6].as_str(), r[9].as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("records", "r1", "-2"),
            ("records", "r2", "-1"),
            ("honours", "2", "2")
        ]
    );
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[11].is_empty() && r[12].is_empty())
    );
}

/// A unit id that is not plain ASCII is named by its plain characters
/// and its position: T2, sixth in the register, renamed "D/1" would be
/// "D_1-6", which is T1's id once renamed "D_1-6". The two keep a file
/// each ("D/1" takes its position again: "D_1-6-6"), each addressed to
/// its own unit, and each has its profile chart.
#[test]
fn a_made_file_name_never_takes_another_units_id() {
    let (tmp, scheme, data, _) = report(None);
    for f in ["units.csv", "records.csv", "tickets.csv"] {
        let p = data.join(f);
        let text = std::fs::read_to_string(&p).unwrap();
        let renamed: Vec<String> = text
            .lines()
            .map(|l| {
                l.split(',')
                    .map(|v| match v {
                        "T1" => "D_1-6",
                        "T2" => "D/1",
                        v => v,
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect();
        std::fs::write(&p, renamed.join("\n") + "\n").unwrap();
    }
    let out = write(&scheme, &data, tmp.path(), "renamed");
    for (stem, to) in [("D_1-6", "城关镇："), ("D_1-6-6", "河西镇：")] {
        let ps = Docx::open(&out.join(format!("feedback/{stem}.docx"))).paragraphs();
        assert!(ps.iter().any(|p| p == to), "{stem}: {ps:?}");
        assert!(
            out.join(format!("feedback/{stem}.xlsx")).is_file(),
            "{stem}"
        );
        assert!(
            out.join(format!("charts/profile-{stem}.svg")).is_file(),
            "{stem}"
        );
    }
}

fn form_rows(p: &Path) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(p).unwrap();
    let r = wb.worksheet_range_at(0).unwrap().unwrap();
    r.rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// A unit's returned form: the rows of `from` with 是否异议 and 异议理由
/// filled where `marks` says, and `extra` rows appended.
fn fill(from: &Path, to: &Path, marks: &[(&str, &str)], extra: &[[&str; 13]]) {
    let rows = form_rows(from);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect::<Vec<_>>())
        .chain(extra.iter().map(|e| e.to_vec()))
        .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            let v = match (c, marks.iter().find(|m| m.0 == row[6])) {
                (11, Some(_)) => "是",
                (12, Some(m)) => m.1,
                _ => v,
            };
            ws.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    wb.save(to).unwrap();
}

/// The golden report with the bulletin, and D1's form returned with
/// `marks` and `extra` rows: (its directory, scheme, data, report, form).
fn returned(
    marks: &[(&str, &str)],
    extra: &[[&str; 13]],
) -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf, PathBuf) {
    let (t, scheme, data, out) = report(Some(BULLETIN));
    let form = t.path().join("D1-returned.xlsx");
    fill(&out.join("feedback/D1.xlsx"), &form, marks, extra);
    (t, scheme, data, out, form)
}

#[test]
fn returned_forms_go_into_the_register_once_and_the_next_run_answers_them() {
    use govtrust::data::objections::import;
    // D1 contests r1, and slips in D3's record r4 as its own.
    let (t, scheme, data, out, form) = returned(
        &[("r1", "该记录已整改")],
        &[[
            "4",
            "D1",
            "市教育局",
            "x",
            "x",
            "records",
            "r4",
            "",
            "",
            "-10",
            "",
            "是",
            "不是我们的",
        ]],
    );
    let register = data.join("objections.csv");
    let evidence = import::evidence_keys(&out).unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 19).unwrap();
    let first = import::import(std::slice::from_ref(&form), &register, &evidence, day).unwrap();
    assert_eq!(
        first.added,
        [(
            "records".to_string(),
            "r1".to_string(),
            "D1".to_string(),
            "该记录已整改".to_string()
        )]
    );
    assert_eq!(first.refused.len(), 1);
    assert_eq!(
        (first.refused[0].row, first.refused[0].record_key.as_str()),
        (5, "r4")
    );
    assert!(
        first.refused[0]
            .reason
            .contains("does not count against unit D1")
    );
    let bytes = std::fs::read(&register).unwrap();
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        "\u{feff}dataset,record_key,unit_id,filed_on,reason,status,decided_on,reply\nrecords,r1,D1,2026-01-19,该记录已整改,pending,,\n"
    );
    // The same form again adds nothing and leaves the register's bytes.
    let again = import::import(std::slice::from_ref(&form), &register, &evidence, day).unwrap();
    assert_eq!((again.added.len(), again.already), (0, 1));
    assert_eq!(std::fs::read(&register).unwrap(), bytes);
    // The office upholds it; the next run leaves r1 out: D1's records
    // 1 − (r2 1)/40 = 0.975 → 39, base 45 + 39 = 84, + bonus 2 = 86.00
    // (was 84.00).
    std::fs::write(
        &register,
        String::from_utf8(bytes)
            .unwrap()
            .replace("pending,,", "upheld,2026-01-30,经核实记录有误"),
    )
    .unwrap();
    std::fs::write(
        scheme.join("z_objections.toml"),
        "[objections]\nfile = \"objections.csv\"\n",
    )
    .unwrap();
    let run = govtrust::run::assess(&scheme, &data, LoadOptions::default()).unwrap();
    common::close(common::unit(&run, "D1").total, 86.0);
    let out2 = write(&scheme, &data, t.path(), "report2");
    let ps = Docx::open(&out2.join("feedback/D1.docx")).paragraphs();
    assert!(ps.iter().any(|p| p == "成立"), "{ps:#?}");
    assert!(ps.iter().any(|p| p == "经核实记录有误"), "{ps:#?}");
}

/// A register the office edited in Excel on a Chinese Windows is GB18030
/// with CRLF line ends. An import keeps its bytes and appends in its
/// encoding and line ends (before, it stopped at "invalid utf-8"), keeps
/// its permissions, and writes through a symbolic link to the file it
/// names; the scheme reads it with `[objections] encoding = "gb18030"`.
#[test]
fn an_import_appends_to_a_gb18030_register_in_its_encoding() {
    use govtrust::data::objections::import;
    use std::os::unix::fs::PermissionsExt;
    let (_t, scheme, data, out, form) = returned(&[("r1", "该记录已整改")], &[]);
    // The office's register: r2 decided, in GB18030, CRLF, mode 0640,
    // kept in a folder of the data directory and linked to from the
    // name the scheme reads (a link out of it would be refused).
    let text = "dataset,record_key,unit_id,filed_on,reason,status,decided_on,reply\r\nrecords,r2,D1,2026-01-16,已整改到位,rejected,2026-01-20,经核查异议不成立\r\n";
    let before = encoding_rs::GB18030.encode(text).0.into_owned();
    assert!(
        std::str::from_utf8(&before).is_err(),
        "not UTF-8, or the test shows nothing"
    );
    let real = data.join("office").join("异议登记.csv");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::write(&real, &before).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let register = data.join("objections.csv");
    std::os::unix::fs::symlink("office/异议登记.csv", &register).unwrap();
    let evidence = import::evidence_keys(&out).unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 19).unwrap();
    let got = import::import(std::slice::from_ref(&form), &register, &evidence, day).unwrap();
    assert_eq!(got.added.len(), 1);
    // The link is still a link; the file it names has the old bytes and
    // then the new row, in GB18030 with CRLF; its mode is kept.
    assert!(
        std::fs::symlink_metadata(&register)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let after = std::fs::read(&real).unwrap();
    assert_eq!(&after[..before.len()], &before[..]);
    let (added, _, bad) = encoding_rs::GB18030.decode(&after[before.len()..]);
    assert!(!bad);
    assert_eq!(added, "records,r1,D1,2026-01-19,该记录已整改,pending,,\r\n");
    assert_eq!(
        std::fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // The next run reads it as GB18030: both rows, their Chinese intact.
    std::fs::write(
        scheme.join("z_objections.toml"),
        "[objections]\nfile = \"objections.csv\"\nencoding = \"gb18030\"\n",
    )
    .unwrap();
    let run = govtrust::run::assess(&scheme, &data, LoadOptions::default()).unwrap();
    let reg = run.data.register.as_ref().unwrap();
    let reasons: Vec<&str> = reg.rows.iter().map(|o| o.reason.as_str()).collect();
    assert_eq!(reasons, ["已整改到位", "该记录已整改"]);
    let refused: Vec<_> = run
        .data
        .rejects
        .iter()
        .filter(|r| r.dataset == govtrust::data::objections::DATASET)
        .collect();
    assert!(refused.is_empty(), "{refused:?}");
    // A register that is neither (0xFF is no byte of either) is refused
    // with where, and left as it was: `records,r2,D1,2026-01-16,` is 25
    // characters, so the byte is the 26th of line 2.
    let odd = b"dataset,record_key,unit_id,filed_on,reason,status,decided_on,reply\nrecords,r2,D1,2026-01-16,\xFF,pending,,\n";
    std::fs::write(&real, odd).unwrap();
    let e = import::import(std::slice::from_ref(&form), &register, &evidence, day).unwrap_err();
    assert!(
        e.to_string().contains(
            "neither UTF-8 nor GB18030 text (the first at line 2, character 26: the bytes FF)"
        ),
        "{e}"
    );
    assert_eq!(std::fs::read(&real).unwrap(), odd);
}

#[test]
fn an_import_never_replaces_a_file_beside_the_register() {
    use govtrust::data::objections::import;
    let (t, _s, data, out) = report(Some(BULLETIN));
    let form = t.path().join("D1-returned.xlsx");
    fill(&out.join("feedback/D1.xlsx"), &form, &[("r1", "理由")], &[]);
    let register = data.join("objections.csv");
    // The import's temporary file is named after the register and this
    // process: a file of the user's under that name is refused, kept
    // as it was, and the register is not written.
    let mine = data.join(format!(".objections.csv.govtrust-{}", std::process::id()));
    std::fs::write(&mine, "the user's").unwrap();
    let evidence = import::evidence_keys(&out).unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 19).unwrap();
    let e = import::import(std::slice::from_ref(&form), &register, &evidence, day).unwrap_err();
    assert!(e.to_string().contains("objections.csv"), "{e}");
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "the user's");
    assert!(!register.exists());
}
