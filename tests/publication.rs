//! Publication outputs (issue 3) on the golden fixture
//! (tests/fixtures/golden): the workbook, charts, bulletin and Word file,
//! read back and checked, and a hostile unit name (`=cmd|' /C calc'!A0`)
//! kept inert everywhere.

mod common;
use common::golden;

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use govtrust::report;

fn s(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => format!("{i}"),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

#[test]
fn workbook_reads_back() {
    let (_run, _t, out) = golden();
    let mut wb: Xlsx<_> = open_workbook(out.join("results.xlsx")).unwrap();
    // The golden run has early warnings (a coverage warning), no
    // register, no previous run and no uncertainty analysis.
    let names = wb.sheet_names();
    assert_eq!(
        names[..5],
        ["得分排名", "指标得分", "扣分依据", "拒收记录", "考核方案"]
    );
    assert!(names[5..].iter().all(|n| n == "预警"), "{names:?}");
    let scores = wb.worksheet_range("得分排名").unwrap();
    let rows: Vec<Vec<String>> = scores.rows().map(|r| r.iter().map(s).collect()).collect();
    assert_eq!(
        &rows[0][..10],
        [
            "单位编码",
            "单位名称",
            "类别",
            "名次",
            "总分",
            "指标得分",
            "加分",
            "倒扣分",
            "等次",
            "一票否决"
        ]
    );
    // The node columns carry their maximum: service 60 points, integrity 40.
    assert_eq!(&rows[0][10..], ["服务（60分）", "诚信（40分）"]);
    // Rows in the order of scores.csv (tests/snapshots/outputs__scores.csv.snap):
    // D2 104 = 100 base + 4 bonus, rank 1, 优秀.
    assert_eq!(
        &rows[1][..9],
        [
            "D2",
            "市财政局",
            "department",
            "1",
            "104",
            "100",
            "4",
            "0",
            "优秀"
        ]
    );
    // D3 is vetoed; its name, a formula, is a plain string cell.
    let d3 = rows.iter().find(|r| r[0] == "D3").unwrap();
    assert_eq!(d3[1], "=cmd|' /C calc'!A0");
    assert_eq!(d3[8], "不合格");
    // The veto's reason, not just 是.
    assert_eq!(d3[9], "严重失信");
    let formulas = wb.worksheet_formula("得分排名").unwrap();
    assert!(
        formulas.cells().all(|(_, _, f)| f.is_empty()),
        "no formula cells"
    );
    // Evidence keeps the sign: D3's record r4 costs 10 points.
    let ev = wb.worksheet_range("扣分依据").unwrap();
    let r4: Vec<String> = ev
        .rows()
        .find(|r| s(&r[0]) == "D3" && s(&r[5]) == "r4" && s(&r[2]) == "records")
        .unwrap()
        .iter()
        .map(s)
        .collect();
    assert_eq!(r4[7], "-10");
    // Number formats (0.00 for points, 0.0% for shares) and print setup
    // (A4 landscape, fit to width, the header row on every page).
    let mut z =
        zip::ZipArchive::new(std::fs::File::open(out.join("results.xlsx")).unwrap()).unwrap();
    let mut part = |name: &str| {
        let mut t = String::new();
        std::io::Read::read_to_string(&mut z.by_name(name).unwrap(), &mut t).unwrap();
        t
    };
    let styles = part("xl/styles.xml");
    assert!(
        styles.contains(r#"formatCode="0.00""#) && styles.contains(r#"formatCode="0.0%""#),
        "{styles}"
    );
    let sheet = part("xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(r#"paperSize="9""#) && sheet.contains(r#"orientation="landscape""#),
        "{sheet}"
    );
    assert!(sheet.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{sheet}");
    assert!(part("xl/workbook.xml").contains("_xlnm.Print_Titles"));
}

#[test]
fn workbook_is_byte_identical_on_a_re_run() {
    let (_r1, _t1, a) = golden();
    let (_r2, _t2, b) = golden();
    assert_eq!(
        std::fs::read(a.join("results.xlsx")).unwrap(),
        std::fs::read(b.join("results.xlsx")).unwrap()
    );
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn charts_are_pinned_and_png_is_print_resolution() {
    let (_run, _t, out) = golden();
    let charts = out.join("charts");
    let mut names: Vec<String> = std::fs::read_dir(&charts)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    insta::assert_snapshot!("chart_files", names.join("\n"));
    insta::assert_snapshot!("ranking-1-1.svg", read(&charts.join("ranking-1-1.svg")));
    insta::assert_snapshot!(
        "distribution-2.svg",
        read(&charts.join("distribution-2.svg"))
    );
    // The PNG: 800 design units at 2 = 1600 px wide, pHYs 240 dpi
    // (9449 px per metre), so 170 mm of A4 text width holds 1600 px.
    let png = std::fs::read(charts.join("ranking-1-1.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let be = |i: usize| u32::from_be_bytes(png[i..i + 4].try_into().unwrap());
    assert_eq!(be(16), 1600);
    let phys = png.windows(4).position(|w| w == b"pHYs").unwrap();
    assert_eq!(be(phys + 4), 9449);
    assert_eq!(png[phys + 12], 1, "unit: metre");
}

#[test]
fn publication_files_are_byte_identical_on_a_re_run() {
    let (_r1, _t1, a) = golden();
    let (_r2, _t2, b) = golden();
    for f in [
        "bulletin.html",
        "bulletin.docx",
        "feedback/D1.docx",
        "feedback/D1.xlsx",
        "explain.json",
        "charts/ranking-1-1.png",
        "charts/heatmap-2-1.svg",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
}

/// Two groups: `g` with the two hostile names and `solo` with one unit
/// whose name is far too long for a chart label.
fn hostile() -> (common::Fixture, tempfile::TempDir) {
    use common::*;
    let f = Fixture::new();
    f.scheme(
        "s.toml",
        &format!(
            "{HEADER}{SURVEY_DATASET}{}[[grade]]\nname = \"好\"\nmin = 50\n[[grade]]\nname = \"中\"\nmin = 0\n",
            survey_indicator("i1", None, 1.0)
        ),
    )
    .data(
        "units.csv",
        "unit_id,unit_name,group\nA,<script>alert(1)</script>,g\nB,\"=cmd|' /C calc'!A0\",g\nC,某某市某某区某某街道办事处综合行政执法与社会治理服务中心,solo\n",
    )
    .data("survey.csv", "unit_id,indicator_id,value\nA,i1,80\nB,i1,40\nC,i1,60\n");
    let out = tempfile::tempdir().unwrap();
    (f, out)
}

#[test]
fn hostile_names_are_inert_everywhere() {
    let (f, tmp) = hostile();
    let run = f.run();
    let out = tmp.path().join("r");
    report::write_to(&run, &report::standard(), &out).unwrap();
    // Text outputs other than CSV and JSON data: HTML and SVG escape.
    let html = read(&out.join("bulletin.html"));
    assert!(!html.contains("<script"), "raw <script> in bulletin.html");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    for e in std::fs::read_dir(out.join("charts")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "svg") {
            assert!(!read(&p).contains("<script"), "{}", p.display());
        }
    }
    assert!(read(&out.join("charts/ranking-1-1.svg")).contains("&lt;script&gt;"));
    // CSV: the formula is quoted text.
    assert!(read(&out.join("scores.csv")).contains("'=cmd|' /C calc'!A0"));
    // Word: escaped XML.
    let mut z =
        zip::ZipArchive::new(std::fs::File::open(out.join("bulletin.docx")).unwrap()).unwrap();
    let mut doc = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut doc).unwrap();
    assert!(!doc.contains("<script"));
    assert!(doc.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Excel: a string cell, not a formula.
    let mut wb: Xlsx<_> = open_workbook(out.join("results.xlsx")).unwrap();
    let f = wb.worksheet_formula("得分排名").unwrap();
    assert!(f.cells().all(|(_, _, x)| x.is_empty()));
    // The one-unit group gets its charts, the long name cut with "…" to
    // 24 cells: 11 Chinese characters (22 cells) and the ellipsis.
    let solo = read(&out.join("charts/ranking-2-1.svg"));
    assert!(solo.contains("某某市某某区某某街道办…"), "{solo}");
    assert!(out.join("charts/distribution-2.png").exists());
}

#[test]
fn previous_run_puts_changes_into_bulletin_and_compare_csv() {
    let (mut run, tmp, _out) = golden();
    // The previous period: D1 was first and D2 third; T3 has since gone,
    // and T2 was not yet assessed.
    let prev = tmp.path().join("prev");
    std::fs::create_dir_all(&prev).unwrap();
    std::fs::write(
        prev.join("scores.csv"),
        "\u{feff}unit_id,unit_name,group,rank,total,grade\r\nD1,市教育局,department,1,91.00,优秀\r\nD4,市统计局,department,2,88.00,良好\r\nD2,市财政局,department,3,80.50,良好\r\nD3,'=cmd|' /C calc'!A0,department,4,70.00,合格\r\nT1,城关镇,town,1,90.00,优秀\r\nT3,河东镇,town,2,50.00,不合格\r\n",
    )
    .unwrap();
    run.previous = Some(govtrust::history::Snapshot::read(&prev).unwrap());
    let out = tmp.path().join("with-prev");
    report::write_to(&run, &report::standard(), &out).unwrap();
    let rows = common::read_csv(&out.join("compare.csv"));
    let row = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
    // D2: 3 → 1 is up 2; 80.50 → 104.00 is +23.50; 良好 → 优秀.
    assert_eq!(
        row("D2")[3..],
        [
            "3",
            "1",
            "+2",
            "80.50",
            "104.00",
            "+23.50",
            "良好",
            "优秀",
            "grade changed"
        ]
    );
    // D1: 1 → 3 is down 2; 91 → 84 is -7.
    assert_eq!(row("D1")[5..9], ["-2", "91.00", "84.00", "-7.00"]);
    // The guarded name reads back as the name, and D3 keeps rank 4.
    assert_eq!(row("D3")[5], "+0");
    assert_eq!(row("T2")[11], "added");
    assert_eq!(row("T3")[11], "removed");
    let html = read(&out.join("bulletin.html"));
    assert!(html.contains("<th>名次变化</th>"));
    assert!(
        html.contains("<td class=\"center\">↑2</td>")
            && html.contains("<td class=\"center\">↓2</td>")
    );
    assert!(html.contains("<td class=\"center\">新增</td>"));
    // D2 up (3 → 1), D1 down (1 → 3), D4 and D3 level; T1 level, T2 new:
    // 1 up, 1 down, 3 level.
    assert!(
        html.contains("名次上升的1个、下降的1个、持平的3个"),
        "{html}"
    );
    assert!(out.join("charts/slope-1.svg").exists());
}

#[test]
fn explain_and_compare_commands() {
    use assert_cmd::Command;
    let tmp = tempfile::tempdir().unwrap();
    let run_dir = tmp.path().join("run");
    let base = Path::new("tests/fixtures/golden");
    Command::cargo_bin("govtrust")
        .unwrap()
        .args(["assess", "--quiet", "--scheme"])
        .arg(base.join("scheme"))
        .arg("--data")
        .arg(base.join("data"))
        .arg("--out")
        .arg(&run_dir)
        .assert()
        .success();
    let out = explain(&run_dir, &["D1", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // D1 (outputs__scores.csv.snap): 84.00 = 82 base + 2 bonus, rank 3 of
    // 4, 良好; service 45 of 60, integrity 37 of 40.
    assert_eq!(v["total"], 84.0);
    assert_eq!(v["rank"], 3);
    assert_eq!(v["group_size"], 4);
    assert_eq!(v["grade"], "良好");
    assert_eq!(v["nodes"][0]["id"], "service");
    assert_eq!(v["nodes"][0]["points"], 45.0);
    assert_eq!(v["nodes"][0]["max"], 60.0);
    // Its evidence (outputs__evidence.csv.snap): r1 -2, r2 -1 repaired,
    // honours record 2 +2.
    let ev: Vec<(String, f64)> = v["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["record_key"].as_str().unwrap().to_string(),
                e["points"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ev,
        [("r1".into(), -2.0), ("r2".into(), -1.0), ("2".into(), 2.0)]
    );
    // The text form, by name.
    let out = explain(&run_dir, &["市教育局"]);
    let text = String::from_utf8(out.stdout).unwrap();
    // In Chinese: the rank, the rule in words, the value as a share, the
    // records with their rule names.
    for want in [
        "department4个单位中第3名；总分84.00 = 指标得分82.00 + 加分2.00 − 倒扣分0.00；等次：良好",
        "75.00%",
        "目标95%，每低1个百分点扣0.5分，扣完为止",
        "扣分、加分和否决所依据的记录（3条）",
        "-1.00  失信记录  records r2  2025-03-01  已信用修复×0.5",
        "已信用修复×0.5",
    ] {
        assert!(text.contains(want), "no {want:?} in {text}");
    }
    // An unknown unit is an error naming it.
    let out = explain(&run_dir, &["NOPE"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no unit `NOPE`"));
    // A name that is part of a unit's name gets the nearest as a hint.
    let out = explain(&run_dir, &["教育局"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean: 市教育局 (D1)"), "{err}");
    // compare a run with itself: nothing moved.
    let cmp = tmp.path().join("cmp");
    let out = Command::cargo_bin("govtrust")
        .unwrap()
        .arg("compare")
        .arg(&run_dir)
        .arg(&run_dir)
        .arg("--out")
        .arg(&cmp)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("比较6个单位，名次变化0个"), "{stdout}");
    // Both runs cover the same period: said, since no period changed.
    assert!(
        stdout.contains("两次结果的考核期间相同（2025-01-01 至 2025-12-31）"),
        "{stdout}"
    );
    assert!(cmp.join("charts/slope-1.png").exists());
    // Against an earlier ranking (no manifest: no period known, no
    // warning): D2 3 → 1 is the biggest rise, D1 1 → 3 the biggest fall.
    let prev = tmp.path().join("prev");
    std::fs::create_dir_all(&prev).unwrap();
    std::fs::write(
        prev.join("scores.csv"),
        "unit_id,unit_name,group,rank,total,grade\nD1,市教育局,department,1,91.00,优秀\nD4,市统计局,department,2,88.00,良好\nD2,市财政局,department,3,80.50,良好\nD3,x,department,4,70.00,合格\nT1,城关镇,town,1,90.00,优秀\nT2,河东镇,town,2,50.00,不合格\n",
    )
    .unwrap();
    let out = Command::cargo_bin("govtrust")
        .unwrap()
        .arg("compare")
        .arg(&prev)
        .arg(&run_dir)
        .arg("--out")
        .arg(tmp.path().join("cmp2"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("名次上升最多：市财政局（↑2）"), "{stdout}");
    assert!(stdout.contains("名次下降最多：市教育局（↓2）"), "{stdout}");
    assert!(!stdout.contains("考核期间相同"), "{stdout}");
}

#[test]
fn long_groups_are_paged() {
    use common::*;
    // 45 units in one group: value 100 − k for unit k, so unit k ranks k + 1.
    // The group `g` is shown by its display name from `[scheme] groups`.
    let f = Fixture::new();
    let header = HEADER.replace("[units]", "groups = { g = \"甲类单位\" }\n\n[units]");
    f.scheme(
        "s.toml",
        &format!(
            "{header}{SURVEY_DATASET}{}[[grade]]\nname = \"好\"\nmin = 0\n",
            survey_indicator("i1", None, 1.0)
        ),
    );
    let mut units = String::from("unit_id,unit_name,group\n");
    let mut survey = String::from("unit_id,indicator_id,value\n");
    for k in 0..45 {
        units.push_str(&format!("U{k:02},单位{k:02},g\n"));
        survey.push_str(&format!("U{k:02},i1,{}\n", 100 - k));
    }
    f.data("units.csv", &units).data("survey.csv", &survey);
    let run = f.run();
    let charts = govtrust::render::charts(&run).unwrap();
    let ranking: Vec<&govtrust::render::Chart> = charts
        .iter()
        .filter(|c| c.kind.as_str() == "ranking")
        .collect();
    // 45 units in pages of 40: 40 + 5.
    assert_eq!(ranking.len(), 2);
    assert_eq!(ranking[0].title, "甲类单位综合得分排名（1/2）");
    assert_eq!(ranking[1].title, "甲类单位综合得分排名（2/2）");
    assert!(ranking[0].svg.contains("单位39") && !ranking[0].svg.contains("单位40"));
    assert!(ranking[1].svg.contains("单位40") && ranking[1].svg.contains("单位44"));
    // One distribution per group, one profile per unit.
    assert_eq!(
        charts
            .iter()
            .filter(|c| c.kind.as_str() == "distribution")
            .count(),
        1
    );
    assert_eq!(
        charts
            .iter()
            .filter(|c| c.kind.as_str() == "profile")
            .count(),
        45
    );
}

/// Every sheet of a workbook, each cell as text.
fn sheets(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.sheet_names()
        .into_iter()
        .map(|n| {
            let r = wb.worksheet_range(&n).unwrap();
            (n, r.rows().map(|r| r.iter().map(s).collect()).collect())
        })
        .collect()
}

/// 指标得分 and 扣分依据 are written row by row to anonymous temporary
/// files. Where none can be made (TMPDIR names no directory), the workbook
/// is still written, with ordinary worksheets and the same cells.
#[test]
fn workbook_without_a_temporary_directory_has_the_same_cells() {
    let base = Path::new("tests/fixtures/golden");
    let t = tempfile::tempdir().unwrap();
    let assess = |out: &Path, tmpdir: &Path| {
        assert_cmd::Command::cargo_bin("govtrust")
            .unwrap()
            .env("TMPDIR", tmpdir)
            .args(["assess", "-q", "--no-bulletin", "--scheme"])
            .arg(base.join("scheme"))
            .arg("--data")
            .arg(base.join("data"))
            .arg("--out")
            .arg(out)
            .assert()
            .success();
        out.join("results.xlsx")
    };
    let streamed = assess(&t.path().join("a"), t.path());
    let ordinary = assess(&t.path().join("b"), &t.path().join("no-such-dir"));
    let (a, b) = (sheets(&streamed), sheets(&ordinary));
    assert_eq!(a, b);
    let values = &a.iter().find(|(n, _)| n == "指标得分").unwrap().1;
    assert!(values.len() > 10, "{values:?}");
    // Which way each was written: a streamed sheet's rows carry no
    // `spans` (rust_xlsxwriter writes them only from kept cells).
    let sheet2 = |p: &Path| {
        let mut z = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
        let mut x = String::new();
        std::io::Read::read_to_string(&mut z.by_name("xl/worksheets/sheet2.xml").unwrap(), &mut x)
            .unwrap();
        x
    };
    assert!(!sheet2(&streamed).contains("spans="));
    assert!(sheet2(&ordinary).contains("spans="));
}

/// The streamed sheets (指标得分 and 扣分依据, built at the same time)
/// number their formats in the workbook as they write: the header, the
/// two-decimal and the percentage formats are numbered before either
/// starts, always 1, 2 and 3, so the file's bytes do not depend on which
/// sheet wrote first.
#[test]
fn workbook_formats_are_numbered_in_a_fixed_order() {
    let (_run, _t, out) = golden();
    let mut z =
        zip::ZipArchive::new(std::fs::File::open(out.join("results.xlsx")).unwrap()).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut z.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
    let xfs: Vec<&str> = xfs.split("<xf ").skip(1).collect();
    // xf 0 is the default; 1 the header (bold, filled, centred); 2 and 3
    // the number formats 164 ("0.00") and 165 ("0.0%").
    assert!(xfs[1].contains("applyFill=\"1\"") && xfs[1].contains("applyAlignment=\"1\""));
    assert!(xfs[2].contains("numFmtId=\"164\""), "{xfs:?}");
    assert!(xfs[3].contains("numFmtId=\"165\""), "{xfs:?}");
    assert!(styles.contains(r#"<numFmt numFmtId="164" formatCode="0.00"/>"#));
    assert!(styles.contains(r#"<numFmt numFmtId="165" formatCode="0.0%"/>"#));
}

/// Two units of one name (D2 renamed 市教育局, as D1 is): each is still its
/// own unit, but the run warns that the bulletin cannot tell them apart,
/// and `explain 市教育局` refuses to choose, naming both ids.
#[test]
fn units_that_share_a_name_are_warned_of_and_explain_asks_for_the_id() {
    use assert_cmd::Command;
    let tmp = tempfile::tempdir().unwrap();
    let base = Path::new("tests/fixtures/golden");
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for e in std::fs::read_dir(base.join("data")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, data.join(p.file_name().unwrap())).unwrap();
    }
    let units = std::fs::read_to_string(data.join("units.csv")).unwrap();
    let renamed = units.replace("D2,市财政局", "D2,市教育局");
    assert_ne!(renamed, units);
    std::fs::write(data.join("units.csv"), renamed).unwrap();
    let run_dir = tmp.path().join("run");
    let out = Command::cargo_bin("govtrust")
        .unwrap()
        .args(["assess", "--scheme"])
        .arg(base.join("scheme"))
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&run_dir)
        .assert()
        .success();
    let said = "被考核单位名册中2个单位同名“市教育局”（D1、D2）";
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains(said));
    let manifest = std::fs::read_to_string(run_dir.join("manifest.json")).unwrap();
    assert!(manifest.contains(said), "{manifest}");
    let out = explain(&run_dir, &["市教育局"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2 units are named `市教育局`") && err.contains("D1, D2"),
        "{err}"
    );
    // By id, each is its own: D2 keeps D2's scores.
    let out = explain(&run_dir, &["D2"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("市教育局（D2）"));
}

/// `govtrust explain ARGS --run RUN_DIR`.
fn explain(run_dir: &Path, args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("govtrust")
        .unwrap()
        .arg("explain")
        .args(args)
        .arg("--run")
        .arg(run_dir)
        .output()
        .unwrap()
}
