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
    assert!(stdout.contains("department: 40 units scored"), "{stdout}");
    assert!(stdout.contains("town: 20 units scored"), "{stdout}");
    assert!(stdout.contains("5 rejected"), "{stdout}");

    // Structure: every unit scored once, every unit × indicator in values.
    let scores = read_csv(&out.join("scores.csv"));
    assert_eq!(scores.len(), 1 + 60);
    let values = read_csv(&out.join("values.csv"));
    assert_eq!(values.len(), 1 + 60 * 22);
    let rejects = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 1 + 5);

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
    assert_eq!(rejected, 5);

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
    assert!(stderr(&o).contains("5 input rows were rejected"));
}

#[test]
fn check_prints_the_row_accounting() {
    let o = govtrust().arg("check").output().unwrap();
    assert!(o.status.success());
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("valid"), "{s}");
    assert!(
        s.lines()
            .any(|l| l.starts_with("hotline") && l.contains("30005")),
        "{s}"
    );
    assert!(
        s.contains("hotline.csv:30003 column \"unit_id\" value \"X999\""),
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
    // 15 data files and the manifest, which records how they were made.
    assert_eq!(files(&a).len(), 16);
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
                .replace(".csv\"", ".parquet\"");
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
