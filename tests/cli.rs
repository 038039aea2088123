//! The command line: `assess` on the bundled scheme and demo data, exit
//! codes, error output, `check`, and `generate`.

mod common;
use common::read_csv;

use std::collections::HashMap;
use std::path::Path;

use assert_cmd::Command;

fn govtrust() -> Command {
    let mut c = Command::cargo_bin("govtrust").unwrap();
    c.env("RUST_BACKTRACE", "1");
    c
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn assess_on_the_demo_data() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let o = govtrust()
        .args(["assess", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("市直部门：40个单位参评"), "{stdout}");
    assert!(stdout.contains("乡镇（街道）：20个单位参评"), "{stdout}");
    // 5 malformed rows of the demo data and 1 register row naming another
    // unit's record.
    assert!(stdout.contains("拒收6条"), "{stdout}");
    assert!(stdout.contains("逾期未答复：白云镇"), "{stdout}");

    // Structure: every unit scored once, every unit × indicator in values.
    let scores = read_csv(&out.join("scores.csv"));
    assert_eq!(scores.len(), 1 + 60);
    let values = read_csv(&out.join("values.csv"));
    assert_eq!(values.len(), 1 + 60 * 22);
    let rejects = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 1 + 6);
    assert_eq!(rejects.iter().filter(|r| r[0] == "[objections]").count(), 1);

    // Accounting: every input row ends in exactly one place.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let mut rejected = 0;
    for i in m["inputs"].as_array().unwrap() {
        let n = |k: &str| i[k].as_u64().unwrap();
        assert_eq!(
            n("rows_read"),
            n("counted") + n("out_of_period") + n("excluded_by_status") + n("rejected"),
            "{i}"
        );
        rejected += n("rejected");
    }
    assert_eq!(rejected, 6);

    // Traceability: for every deduction indicator, each unit's deducted
    // points equal the sum of its evidence records (before caps).
    let evidence = read_csv(&out.join("evidence.csv"));
    let mut sums: HashMap<(String, String), f64> = HashMap::new();
    for e in &evidence[1..] {
        *sums.entry((e[0].clone(), e[1].clone())).or_default() += e[4].parse::<f64>().unwrap();
    }
    for ind in [
        "dishonesty_records",
        "stats_integrity",
        "env_failures",
        "ent_complaints",
    ] {
        for v in values[1..].iter().filter(|v| v[1] == ind && v[6] != "n/a") {
            let value: f64 = v[2].parse().unwrap();
            let ev = sums
                .get(&(v[0].clone(), ind.to_string()))
                .copied()
                .unwrap_or(0.0);
            assert!(
                (value + ev).abs() < 1e-9,
                "{ind} {}: value {value}, evidence {ev}",
                v[0]
            );
        }
    }
    // Signs by rule kind: bonus > 0, penalty < 0, veto 0.
    for e in &evidence[1..] {
        let p: f64 = e[4].parse().unwrap();
        match e[1].as_str() {
            r if r.starts_with("bonus_") => assert!(p > 0.0, "{e:?}"),
            r if r.starts_with("pen_") => assert!(p < 0.0, "{e:?}"),
            r if r.starts_with("veto_") => assert_eq!(p, 0.0, "{e:?}"),
            _ => assert!(p <= 0.0, "{e:?}"),
        }
    }
    // Vetoed units rank last in their group with the lowest grade.
    for s in scores[1..].iter().filter(|s| s[9] == "true") {
        assert_eq!(s[8], "不合格");
        let group_size = scores[1..].iter().filter(|x| x[2] == s[2]).count();
        let vetoed = scores[1..]
            .iter()
            .filter(|x| x[2] == s[2] && x[9] == "true")
            .count();
        assert!(
            s[3].parse::<usize>().unwrap() > group_size - vetoed,
            "{s:?}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let o = govtrust()
        .args(["assess", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = govtrust().output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn scheme_errors_exit_1_without_a_backtrace() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("s.toml"), "[scheme]\nname = 1\n").unwrap();
    let o = govtrust()
        .args(["assess", "--scheme"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.starts_with("error: "), "{e}");
    assert!(e.contains("s.toml:2:"), "{e}");
    for bad in ["panicked", "stack backtrace", "RUST_BACKTRACE", "Os {"] {
        assert!(!e.contains(bad), "{e}");
    }
}

#[test]
fn data_errors_exit_1_and_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let reports = tempfile::tempdir().unwrap();
    let o = govtrust()
        .args(["assess", "--data"])
        .arg(tmp.path())
        .arg("--out")
        .arg(reports.path().join("o"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("units.csv") && e.contains("does not exist"),
        "{e}"
    );
    // No report, and no staging directory left beside it.
    let left: Vec<_> = std::fs::read_dir(reports.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn strict_fails_on_the_demo_rejects() {
    let tmp = tempfile::tempdir().unwrap();
    let o = govtrust()
        .args(["assess", "--strict", "--out"])
        .arg(tmp.path().join("o"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("6 input rows were rejected"));
}

#[test]
fn check_prints_the_row_accounting() {
    let o = govtrust().arg("check").output().unwrap();
    assert!(o.status.success());
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("检查通过"), "{s}");
    // Datasets by their titles, with where every row went.
    assert!(
        s.lines()
            .any(|l| l.starts_with("12345热线工单") && l.contains("30005")),
        "{s}"
    );
    assert!(
        s.contains("拒收：hotline.csv 第30003行，列“unit_id”，值“X999”：单位不在被考核单位名册中"),
        "{s}"
    );
}

/// A rejected value is printed as the terminal may show it: a line break
/// inside a quoted field and an escape sequence (ESC [2J clears the
/// screen) written as escapes, a long value cut. rejects.csv keeps the
/// value as it was read.
#[test]
fn check_prints_control_characters_in_a_rejected_value_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    std::fs::create_dir(&data).unwrap();
    for e in std::fs::read_dir("datasets/demo").unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), data.join(e.file_name())).unwrap();
    }
    // The demo's hotline.csv has 30,006 lines, the last ending in a line
    // break: the first added record takes lines 30,007 and 30,008 (its
    // unit is quoted across the break), the second line 30,009.
    let long = "长".repeat(40);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(data.join("hotline.csv"))
        .unwrap();
    use std::io::Write;
    write!(
        f,
        "H900000001,\"D0\n01\u{1b}[2J\",2025-03-01 08:00:00,2025-03-08 08:00:00,2025-03-02 08:00:00,投诉,true,5,false\n\
         H900000002,{long},2025-03-01 08:00:00,2025-03-08 08:00:00,2025-03-02 08:00:00,投诉,true,5,false\n"
    )
    .unwrap();
    drop(f);
    let o = govtrust()
        .args(["check", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(!s.contains('\u{1b}'), "{s}");
    assert!(
        s.contains(
            "拒收：hotline.csv 第30007行，列“unit_id”，值“D0\\n01\\u{1b}[2J”：单位不在被考核单位名册中\n"
        ),
        "{s}"
    );
    // 60 cells: 29 characters of two cells each, then the ellipsis.
    let cut = format!("{}…", "长".repeat(29));
    assert!(
        s.contains(&format!(
            "拒收：hotline.csv 第30009行，列“unit_id”，值“{cut}”："
        )),
        "{s}"
    );
}

#[test]
fn help_has_examples() {
    for cmd in [
        "assess",
        "check",
        "sensitivity",
        "audit",
        "explain",
        "compare",
        "generate",
    ] {
        let o = govtrust().args([cmd, "--help"]).output().unwrap();
        assert!(o.status.success(), "{cmd}");
        let help = String::from_utf8_lossy(&o.stdout).into_owned();
        let example = help.split_once("Example").map(|x| x.1).unwrap_or("");
        assert!(
            example.contains(&format!("govtrust {cmd}")),
            "{cmd}: {help}"
        );
    }
}

fn generate(dir: &Path, seed: &str, format: &str) {
    let o = govtrust()
        .args([
            "generate",
            "--units",
            "15",
            "--tickets",
            "2000",
            "--bad-rows",
            "0",
            "--seed",
            seed,
            "--format",
            format,
            "--out",
        ])
        .arg(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn generate_is_deterministic_per_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    generate(&a, "7", "csv");
    generate(&b, "7", "csv");
    generate(&c, "8", "csv");
    assert_eq!(files(&a), files(&b));
    assert_ne!(files(&a), files(&c));
    // 15 data files, the objection register and the manifest, which
    // records how they were made.
    assert_eq!(files(&a).len(), 17);
    assert!(files(&a).iter().any(|f| f.0 == "manifest.json"));
}

#[test]
fn csv_and_parquet_inputs_give_the_same_scores() {
    let tmp = tempfile::tempdir().unwrap();
    let (csv, pq) = (tmp.path().join("csv"), tmp.path().join("pq"));
    generate(&csv, "11", "csv");
    generate(&pq, "11", "parquet");
    // The default scheme, pointed at .parquet files.
    let scheme = tmp.path().join("scheme");
    std::fs::create_dir_all(scheme.join("calendars")).unwrap();
    for e in std::fs::read_dir("indicators").unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let t = std::fs::read_to_string(&p)
                .unwrap()
                .replace(".csv\"", ".parquet\"")
                // The objection register is CSV whatever the data.
                .replace("objections.parquet", "objections.csv");
            std::fs::write(scheme.join(p.file_name().unwrap()), t).unwrap();
        }
    }
    std::fs::copy(
        "indicators/calendars/cn.toml",
        scheme.join("calendars/cn.toml"),
    )
    .unwrap();
    let run = |data: &Path, scheme: &Path, out: &Path| {
        let o = govtrust()
            .arg("assess")
            .arg("--scheme")
            .arg(scheme)
            .arg("--data")
            .arg(data)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    };
    run(&csv, Path::new("indicators"), &tmp.path().join("o1"));
    run(&pq, &scheme, &tmp.path().join("o2"));
    for f in ["scores.csv", "values.csv", "evidence.csv"] {
        assert_eq!(
            std::fs::read(tmp.path().join("o1").join(f)).unwrap(),
            std::fs::read(tmp.path().join("o2").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn a_quarter_is_assessed_without_editing_the_scheme() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("q1");
    let o = govtrust()
        .args(["assess", "--period", "2025-Q1", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.starts_with("2025年第一季度政务诚信建设考核（2025年1月1日至2025年3月31日）"),
        "{stdout}"
    );
    // The bulletin's files carry the period; its title follows it.
    assert!(out.join("bulletin-2025-Q1.docx").is_file());
    let html = std::fs::read_to_string(out.join("bulletin-2025-Q1.html")).unwrap();
    assert!(html.contains("<h1>关于2025年第一季度政务诚信建设考核结果的通报</h1>"));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["period"]["start"], "2025-01-01");
    assert_eq!(m["period"]["end"], "2025-03-31");
    // Fewer records count in a quarter than in the year.
    let hotline = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["dataset"] == "hotline")
        .unwrap()
        .clone();
    assert!(hotline["out_of_period"].as_u64().unwrap() > hotline["counted"].as_u64().unwrap());
    // check takes it too; a period that is not one is a usage error.
    let o = govtrust()
        .args(["check", "--period", "2025-03"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = govtrust()
        .args(["check", "--period", "2025-Q5"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a period"), "{}", stderr(&o));
}

/// A quarter's bulletin is another document: it does not carry the
/// year's 文号 (信用办〔2026〕3号) and 成文日期 (2026-01-15) from the demo
/// scheme's [bulletin]; the run says so, and the office gives the
/// quarter's on the command line.
#[test]
fn a_quarters_bulletin_does_not_take_the_years_number_and_date() {
    let tmp = tempfile::tempdir().unwrap();
    let read = |dir: &str, f: &str| std::fs::read_to_string(tmp.path().join(dir).join(f)).unwrap();
    // `assess --period P FLAGS --out OUT` under the temporary directory.
    let assess = |period: &str, flags: &[&str], out: &str| {
        govtrust()
            .args(["assess", "--period", period])
            .args(flags)
            .arg("--out")
            .arg(tmp.path().join(out))
            .output()
            .unwrap()
    };
    let o = assess("2025-Q1", &[], "q1");
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("警告：方案[bulletin]的文号“信用办〔2026〕3号”和成文日期2026年1月15日属于2025年度的通报，2025年第一季度的通报不沿用"),
        "{stdout}"
    );
    let html = read("q1", "bulletin-2025-Q1.html");
    assert!(
        !html.contains("信用办〔2026〕3号"),
        "the year's 文号 on the quarter's bulletin"
    );
    assert!(!html.contains("2026年1月15日"));
    // The date is left for the office to fill in, and objections are
    // judged as of the quarter's end.
    assert!(html.contains("　　年　　月　　日"));
    let m: serde_json::Value = serde_json::from_str(&read("q1", "manifest.json")).unwrap();
    assert_eq!(
        m["objections"]["as_of"], "2025-03-31",
        "{}",
        m["objections"]
    );
    // Given on the command line: the quarter's own, and no warning.
    let o = assess(
        "2025-Q1",
        &[
            "--bulletin-number",
            "信用办〔2025〕5号",
            "--bulletin-date",
            "2025-04-10",
        ],
        "q1b",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("方案[bulletin]"));
    let html = read("q1b", "bulletin-2025-Q1.html");
    assert!(html.contains("信用办〔2025〕5号") && html.contains("2025年4月10日"));
    // 2025-04-10 (Thu) + 5 working days by the bundled calendar: 11, 14,
    // 15, 16, 17 -> 2025年4月17日 is the objection deadline.
    assert!(html.contains("于2025年4月17日前（本通报印发之日起5个工作日内）"));
    // The date alone given: the warning names only the 文号, and no
    // longer says the date is left to fill in.
    let o = assess("2025-Q1", &["--bulletin-date", "2025-04-10"], "q1d");
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("警告：方案[bulletin]的文号“信用办〔2026〕3号”属于2025年度的通报，2025年第一季度的通报不沿用：文号空缺；"),
        "{stdout}"
    );
    assert!(!stdout.contains("成文日期留待填写"), "{stdout}");
    // A date before the quarter's end is refused, before any work.
    let o = assess("2025-Q1", &["--bulletin-date", "2025-03-30"], "q1c");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(
            "--bulletin-date: the bulletin's date 2025-03-30 is before the period's end 2025-03-31"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!tmp.path().join("q1c").exists());
    // The scheme's own period, given as --period, keeps them.
    let o = assess("2025", &[], "y");
    assert!(o.status.success(), "{}", stderr(&o));
    let html = read("y", "bulletin-2025.html");
    assert!(html.contains("信用办〔2026〕3号") && html.contains("2026年1月15日"));
}

#[test]
fn objections_list_shows_pending_ones_with_due_dates() {
    // The demo register: X000000012 filed 2025-12-02, due 15 working days
    // later by the bundled calendar (2025-12-23); X000000019 filed
    // 2025-12-29, due after the New Year holiday.
    let o = govtrust()
        .args(["objections", "list", "--date", "2026-01-15"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("待处理2条，其中逾期1条"), "{stdout}");
    assert!(
        stdout.contains("逾期  第4行  白云镇（T010）  政务失信记录 X000000012  2025-12-02提出，应于2025-12-23前答复"),
        "{stdout}"
    );
    let o = govtrust()
        .args([
            "objections",
            "list",
            "--date",
            "2025-12-10",
            "--register",
            "datasets/demo/objections.csv",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("其中逾期0条"));
    // A register outside the data directory cannot be checked against it.
    let o = govtrust()
        .args(["objections", "list", "--register", "Cargo.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("must be in it"));
}

#[test]
fn objections_import_refuses_marks_on_other_units_records() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    let o = govtrust()
        .args(["assess", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    // A form that is not a feedback form is refused, naming the column.
    let bad = tmp.path().join("bad.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_string(0, 0, "x").unwrap();
    wb.save(&bad).unwrap();
    let register = tmp.path().join("register.csv");
    let o = govtrust()
        .args(["objections", "import"])
        .arg(&bad)
        .arg("--register")
        .arg(&register)
        .arg("--run")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no column \"单位编码\""),
        "{}",
        stderr(&o)
    );
    assert!(!register.exists(), "nothing written");
    // An unmarked form adds nothing and creates nothing.
    let o = govtrust()
        .args(["objections", "import"])
        .arg(out.join("feedback/D001.xlsx"))
        .arg("--register")
        .arg(&register)
        .arg("--run")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("新增待处理异议0条"));
    assert!(!register.exists());
}
