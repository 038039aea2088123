//! docs/scheme.md section 9 on the golden fixture (tests/fixtures/golden, whose
//! scheme works every number out by hand): the numbers, the files' form,
//! determinism, atomic writes, and snapshots of every output.

mod common;
use common::*;

use std::path::Path;

use govtrust::report;

fn text(path: &Path) -> String {
    let b = std::fs::read(path).unwrap();
    String::from_utf8(b[3..].to_vec())
        .unwrap()
        .replace("\r\n", "\n")
}

#[test]
fn golden_numbers() {
    let (run, _t, out) = golden();
    let rows = read_csv(&out.join("scores.csv"));
    let get = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
    // unit_id, unit_name, group, rank, total, base, bonus, penalty, grade,
    // veto, veto_rules, service, integrity (worked out in scheme.toml).
    assert_eq!(
        get("D1")[3..],
        [
            "3", "84.00", "82.00", "2.00", "0.00", "良好", "false", "", "45.00", "37.00"
        ]
    );
    assert_eq!(
        get("D2")[3..],
        [
            "1", "104.00", "100.00", "4.00", "0.00", "优秀", "false", "", "60.00", "40.00"
        ]
    );
    assert_eq!(
        get("D3")[3..],
        [
            "4",
            "30.00",
            "30.00",
            "0.00",
            "0.00",
            "不合格",
            "true",
            "serious",
            "0.00",
            "30.00"
        ]
    );
    assert_eq!(
        get("D4")[3..],
        [
            "2", "95.00", "95.00", "0.00", "0.00", "优秀", "false", "", "", "38.00"
        ]
    );
    assert_eq!(
        get("T1")[3..],
        [
            "1", "97.50", "97.50", "0.00", "0.00", "优秀", "false", "", "57.50", "40.00"
        ]
    );
    assert_eq!(
        get("T2")[3..],
        [
            "2", "62.50", "62.50", "0.00", "0.00", "合格", "false", "", "22.50", "40.00"
        ]
    );
    // Output order: group by group, by rank.
    let order: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(order, ["D2", "D4", "D1", "D3", "T1", "T2"]);
    // Accounting: tickets 18 read = 16 counted + 1 out of period + 1 rejected.
    let t = run
        .data
        .inputs
        .iter()
        .find(|i| i.dataset == "tickets")
        .unwrap();
    assert_eq!(
        (
            t.accounting.rows_read,
            t.accounting.counted,
            t.accounting.out_of_period,
            t.accounting.rejected
        ),
        (18, 16, 1, 1)
    );
    let r = run
        .data
        .inputs
        .iter()
        .find(|i| i.dataset == "records")
        .unwrap();
    assert_eq!(
        (
            r.accounting.counted,
            r.accounting.excluded_by_status,
            r.pending_objections
        ),
        (4, 2, 1)
    );
}

#[test]
fn scores_csv_form_and_formula_injection() {
    let (_run, _t, out) = golden();
    let bytes = std::fs::read(out.join("scores.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let rows = read_csv(&out.join("scores.csv"));
    assert_eq!(
        rows[0],
        [
            "unit_id",
            "unit_name",
            "group",
            "rank",
            "total",
            "base",
            "bonus",
            "penalty",
            "grade",
            "veto",
            "veto_rules",
            "service",
            "integrity"
        ]
    );
    // A unit name that is a spreadsheet formula is written as text.
    let d3 = rows.iter().find(|r| r[0] == "D3").unwrap();
    assert_eq!(d3[1], "'=cmd|' /C calc'!A0");
}

#[test]
fn values_csv_statuses_and_full_precision() {
    let (_run, _t, out) = golden();
    let rows = read_csv(&out.join("values.csv"));
    let header = [
        "unit_id",
        "indicator_id",
        "value",
        "n",
        "attainment",
        "points",
        "status",
        "ci_low",
        "ci_high",
    ];
    assert_eq!(rows[0], header);
    let row = |u: &str, i: &str| {
        rows.iter()
            .find(|r| r[0] == u && r[1] == i)
            .unwrap()
            .clone()
    };
    let get = |u: &str, i: &str| row(u, i)[2..7].to_vec();
    let ci = |u: &str, i: &str| (row(u, i)[7].clone(), row(u, i)[8].clone());
    assert_eq!(get("D1", "on_time"), ["0.75", "4", "0.75", "30", "ok"]);
    assert_eq!(get("D1", "complaints"), ["", "", "", "", "n/a"]);
    assert_eq!(get("D4", "on_time"), ["", "0", "", "", "missing"]);
    assert_eq!(get("T1", "complaints"), ["1.5", "3", "0.875", "17.5", "ok"]);
    assert_eq!(get("D1", "records"), ["3", "2", "0.925", "37", "ok"]);
    // Wilson 95% interval of a share, 3 of 4 (z = 1.96): denom = 1 + z²/4
    // = 1.96037; centre = (0.75 + z²/8) / denom = 0.62753; half =
    // z √(0.75 × 0.25 / 4 + z²/64) / denom = 0.32689 -> (0.30064, 0.95442).
    let (lo, hi) = ci("D1", "on_time");
    assert!((lo.parse::<f64>().unwrap() - 0.30064).abs() < 1e-4, "{lo}");
    assert!((hi.parse::<f64>().unwrap() - 0.95442).abs() < 1e-4, "{hi}");
    // Only shares have one; a share with n = 0 has none.
    assert_eq!(ci("D1", "records"), (String::new(), String::new()));
    assert_eq!(ci("D4", "on_time"), (String::new(), String::new()));
    assert_eq!(rows.len(), 1 + 6 * 3);
}

#[test]
fn evidence_csv_is_signed_and_traceable() {
    let (_run, _t, out) = golden();
    let rows = read_csv(&out.join("evidence.csv"));
    assert_eq!(
        rows[0],
        [
            "unit_id",
            "rule_id",
            "dataset",
            "record_key",
            "points",
            "note"
        ]
    );
    let body: Vec<Vec<&str>> = rows[1..]
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        body,
        vec![
            vec!["D1", "records", "records", "r1", "-2", ""],
            vec!["D1", "records", "records", "r2", "-1", "repaired ×0.5"],
            vec!["D1", "honours", "honours", "2", "2", ""],
            vec!["D2", "honours", "honours", "3", "1", ""],
            vec!["D2", "honours", "honours", "4", "1", ""],
            vec!["D2", "honours", "honours", "5", "1", ""],
            vec!["D2", "honours", "honours", "6", "1", ""],
            vec!["D3", "records", "records", "r4", "-10", ""],
            vec!["D3", "serious", "records", "r4", "0", ""],
            vec!["D4", "records", "records", "r5", "-2", "pending objection"],
        ]
    );
}

#[test]
fn rejects_csv_names_the_line() {
    let (_run, _t, out) = golden();
    let rows = read_csv(&out.join("rejects.csv"));
    // The contract's six columns, then the reason's code for tools.
    assert_eq!(
        rows[0],
        [
            "dataset", "file", "line", "column", "value", "reason", "code"
        ]
    );
    assert_eq!(
        rows[1][..5],
        [
            "tickets",
            "tickets.csv",
            "19",
            "received_at",
            "2025-07-32 09:00"
        ]
    );
    assert_eq!(rows[1][6], "bad_datetime");
    assert_eq!(rows.len(), 2);
}

#[test]
fn manifest_accounts_for_every_file() {
    let (_run, _t, out) = golden();
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["scheme"]["name"], "金样例考核");
    assert!(
        m["scheme"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("blake3:")
    );
    assert_eq!(m["period"]["start"], "2025-01-01");
    let inputs = m["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 4);
    for i in inputs {
        let n = |k: &str| i[k].as_u64().unwrap();
        assert_eq!(
            n("rows_read"),
            n("counted") + n("out_of_period") + n("excluded_by_status") + n("rejected"),
            "{i}"
        );
        assert_eq!(i["digest"].as_str().unwrap().len(), "blake3:".len() + 64);
    }
    assert_eq!(m["totals"]["rows_read"], 18 + 6 + 5);
    assert!(m["timings_ms"].as_array().unwrap().len() >= 4);
}

/// The manifest without its timings.
fn manifest_sans_timings(p: &Path) -> serde_json::Value {
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
    m.as_object_mut().unwrap().remove("timings_ms");
    m
}

#[test]
fn re_runs_are_byte_identical_but_for_timings() {
    let (_r1, _t1, a) = golden();
    let (_r2, _t2, b) = golden();
    for f in ["scores.csv", "values.csv", "evidence.csv", "rejects.csv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    assert_eq!(
        manifest_sans_timings(&a.join("manifest.json")),
        manifest_sans_timings(&b.join("manifest.json"))
    );
}

/// `out` claimed as an `assess` output with no inputs to keep apart.
fn claim_for_assess(out: &Path) -> report::OutDir {
    report::OutDir::claim(
        out,
        &report::Purpose {
            command: "assess",
            also_replaces: &[],
            inputs: &[],
        },
    )
    .unwrap()
}

#[test]
fn a_failed_write_leaves_no_half_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    let claim = || claim_for_assess(&out);
    // An earlier report is in place (its manifest lists its one file).
    let manifest = report::manifest::basic(
        "assess",
        serde_json::json!({}),
        vec!["manifest.json".into(), "scores.csv".into()],
    )
    .unwrap();
    report::write_files(&[("scores.csv".into(), b"old".to_vec()), manifest], claim()).unwrap();
    // "x" is a file, so "x/y" cannot be written: the write fails midway.
    let files = vec![
        ("a.csv".to_string(), b"new".to_vec()),
        ("x".into(), vec![]),
        ("x/y".into(), vec![]),
    ];
    assert!(report::write_files(&files, claim()).is_err());
    // The old report is untouched, and no staging directory is left.
    assert_eq!(std::fs::read(out.join("scores.csv")).unwrap(), b"old");
    assert!(!out.join("a.csv").exists());
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("report")]);
}

/// What the exporters below export from: nothing, and a bare manifest.
struct Nothing;

impl report::Output for Nothing {
    fn manifest(
        &self,
        command: &str,
        files: Vec<String>,
    ) -> Result<report::OutFile, report::ExportError> {
        report::manifest::basic(command, serde_json::json!({}), files)
    }
}

/// An exporter of fixed files, or of an error.
struct Fixed(Result<Vec<report::OutFile>, &'static str>);

impl report::Exporter<Nothing> for Fixed {
    fn export(&self, _: &Nothing) -> Result<Vec<report::OutFile>, report::ExportError> {
        self.0
            .clone()
            .map_err(|e| report::ExportError::Other(e.to_string()))
    }
}

fn fixed(files: &[(&str, &str)]) -> Box<dyn report::Exporter<Nothing>> {
    let files = files
        .iter()
        .map(|(n, b)| (n.to_string(), b.as_bytes().to_vec()))
        .collect();
    Box::new(Fixed(Ok(files)))
}

/// `report::write` puts each exporter's files in the staging directory as
/// it returns, on a thread of their own: every way that can fail leaves
/// the earlier report as it was and no staging directory.
#[test]
fn files_written_as_exporters_return_are_all_or_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    let claim = || claim_for_assess(&out);
    let run = |exporters: Vec<Box<dyn report::Exporter<Nothing>>>| {
        report::write(&Nothing, &exporters, claim())
    };
    // A report of three files from two exporters: the paths come back
    // sorted, the manifest among them, and it lists every file.
    let written = run(vec![
        fixed(&[("b.csv", "b"), ("sub/c.csv", "c")]),
        fixed(&[("a.csv", "a")]),
    ])
    .unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| p.strip_prefix(&out).unwrap().display().to_string())
        .collect();
    assert_eq!(names, ["a.csv", "b.csv", "manifest.json", "sub/c.csv"]);
    assert_eq!(std::fs::read_to_string(out.join("sub/c.csv")).unwrap(), "c");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["files"], serde_json::json!(names));

    let unchanged = |why: &str| {
        assert_eq!(
            std::fs::read_to_string(out.join("a.csv")).unwrap(),
            "a",
            "{why}"
        );
        assert!(!out.join("new.csv").exists(), "{why}");
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("report")], "{why}");
    };
    // An exporter fails while another's file is already written.
    let e = run(vec![
        fixed(&[("new.csv", "n")]),
        Box::new(Fixed(Err("no fonts"))),
    ])
    .unwrap_err();
    assert_eq!(e.to_string(), "no fonts");
    unchanged("an exporter failed");
    // The writer fails ("x" is a file, so "x/y" cannot be written, in
    // whichever order they come): the error names the path.
    let e = run(vec![
        fixed(&[("new.csv", "n"), ("x", "")]),
        fixed(&[("x/y", "")]),
    ])
    .unwrap_err();
    assert!(e.to_string().contains("report"), "{e}");
    assert!(e.to_string().starts_with("writing "), "{e}");
    unchanged("a file could not be written");
    // Two exporters write the same file: an error, not an overwrite.
    let e = run(vec![fixed(&[("new.csv", "1")]), fixed(&[("new.csv", "2")])]).unwrap_err();
    assert!(e.to_string().contains("new.csv"), "{e}");
    unchanged("two exporters wrote one file");
}

#[test]
fn snapshots_of_every_output() {
    let (_run, _t, out) = golden();
    for f in ["scores.csv", "values.csv", "evidence.csv", "rejects.csv"] {
        insta::assert_snapshot!(f, text(&out.join(f)));
    }
    let m = manifest_sans_timings(&out.join("manifest.json"));
    insta::assert_snapshot!("manifest.json", serde_json::to_string_pretty(&m).unwrap());
}
