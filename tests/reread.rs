//! docs/scheme.md sections 1 and 3, and docs/architecture.md ("How a
//! dataset is read"): a file is read once, bad rows or not. The rows that
//! need a second look (values only the lenient parser reads, duplicate
//! keys) are read again alone, and the result must be exactly what the
//! file without its rejected rows gives: every value, every evidence
//! record, every early warning, the accounting off by the rejects only.

mod common;
use common::*;

const UNITS: &str = "unit_id,unit_name,group\nA,甲局,dept\nB,乙局,dept\n";

fn scheme(encoding: &str) -> String {
    format!(
        r#"{HEADER}
[datasets.recs]
file = "recs.csv"
encoding = "{encoding}"
key = "key"
unit = "unit"
date = "day"
[datasets.recs.columns]
key = "string"
unit = "string"
day = "date"
objection = "string?"
sev = "string"
amount = "float"

[[indicator]]
id = "ded"
weight = 1
dataset = "recs"
measure = {{ kind = "deduction", points = {{ column = "sev", map = {{ 一般 = 2, 较重 = 5 }} }} }}
score = {{ kind = "deduction" }}

[[indicator]]
id = "serious"
weight = 1
dataset = "recs"
measure = {{ kind = "share", where = "sev = '较重'" }}
score = {{ kind = "target", target = 0, floor = 1 }}

[[indicator]]
id = "avg"
weight = 1
dataset = "recs"
measure = {{ kind = "mean", expr = "amount" }}
score = {{ kind = "target", target = 10, floor = 0 }}

[[alert]]
id = "al"
name = "较重记录"
dataset = "recs"
where = "sev = '较重'"
"#
    )
}

/// The records every file below shares (lines 2-7 of the clean file): a
/// counted record of each unit, one out of the period before its start
/// (the alert's own history), a pending objection, and two values only
/// the lenient parser reads (a slash date, a leading space).
const GOOD: &str = "k1,A,2025-03-01,,一般,1.25
k2,A,2024-11-30,,一般,2.5
k3,B,2025-04-01,pending,较重,3.75
k4,B,2025/5/1,,一般,0.1
k5,A, 2025-07-01,,较重,1.1
k6,B,2025-08-01,,较重,0.3
";

const HEAD: &str = "key,unit,day,objection,sev,amount\n";

fn run(rows: &str) -> govtrust::run::Run {
    let f = Fixture::new();
    f.scheme("scheme.toml", &scheme("utf-8"))
        .data("units.csv", UNITS)
        .data("recs.csv", &format!("{HEAD}{rows}"));
    in_windows_too(&f)
}

/// The fixture's run, which must be the same read in windows of about 16
/// bytes (each a line or two: every duplicate's first row, every retried
/// row and every skipped line in a window of its own), and again in 40.
fn in_windows_too(f: &Fixture) -> govtrust::run::Run {
    let run = f.run();
    for bytes in [16, 40] {
        same_run(&f.run_in_windows(bytes), &run, &format!("{bytes} bytes"));
    }
    run
}

/// `w`, the run read in windows of `size`, is `run`: the same outcome,
/// row accounting and rejects.
fn same_run(w: &govtrust::run::Run, run: &govtrust::run::Run, size: &str) {
    assert_eq!(outcome(w), outcome(run), "in windows of {size}");
    assert_eq!(accounting(w), accounting(run), "in windows of {size}");
    assert_eq!(w.data.rejects, run.data.rejects, "in windows of {size}");
}

/// The same, with the records file in GB18030 (each window's records,
/// and each record read again, decoded as it is read).
fn run_gb18030(rows: &str) -> govtrust::run::Run {
    let f = Fixture::new();
    let utf8 = format!("{HEAD}{rows}");
    let (text, _, _) = encoding_rs::GB18030.encode(&utf8);
    f.scheme("scheme.toml", &scheme("gb18030"))
        .data("units.csv", UNITS)
        .bytes("recs.csv", &text);
    in_windows_too(&f)
}

/// What must not depend on the rejected rows: values and points of every
/// cell, evidence records (but their row numbers), early warnings.
fn outcome(run: &govtrust::run::Run) -> String {
    let mut out = String::new();
    for (i, row) in run.measured.cells.iter().enumerate() {
        for (u, c) in row.iter().enumerate() {
            out.push_str(&format!("cell {i} {u}: {:?} n={}\n", c.value, c.n));
        }
    }
    for u in &run.scored.units {
        out.push_str(&format!("total {:?} rank {:?}\n", u.total, u.rank));
    }
    for e in &run.evidence {
        out.push_str(&format!(
            "evidence {} {} {} {} {} {}\n",
            e.unit, e.rule_id, e.record_key, e.points, e.note, e.date
        ));
    }
    for s in &run.signals {
        out.push_str(&format!(
            "signal {:?} {} {:?} {} {} {:?}\n",
            s.kind, s.subject, s.unit, s.observed, s.expected, s.p_value
        ));
    }
    out
}

fn accounting(run: &govtrust::run::Run) -> (u64, u64, u64, u64, u64) {
    let a = &run
        .data
        .inputs
        .iter()
        .find(|i| i.dataset == "recs")
        .unwrap()
        .accounting;
    assert!(a.balanced());
    (
        a.rows_read,
        a.counted,
        a.out_of_period,
        a.excluded_by_status,
        a.rejected,
    )
}

#[test]
fn duplicate_rows_are_taken_back_exactly() {
    let clean = run(GOOD);
    // Three later rows repeat a key: k1 (would count for B, 较重, 7.7),
    // k3 (read by the lenient parser: a slash date; would count for A)
    // and k2 (out of period, but after k2's day: the history's earliest
    // day stays 2024-11-30, so the duplicates are taken back, not
    // re-run). Lines 8, 9, 10.
    let dirty = run(&format!(
        "{GOOD}k1,B,2025-06-01,,较重,7.7\nk3,A,2025/4/2,,一般,5.5\nk2,B,2024-12-15,,一般,9.9\n"
    ));
    assert_eq!(outcome(&dirty), outcome(&clean));
    // The clean file: k1, k3 (pending counts by default), k4, k5, k6
    // counted; k2 out of period.
    assert_eq!(accounting(&clean), (6, 5, 1, 0, 0));
    assert_eq!(accounting(&dirty), (9, 5, 1, 0, 3));
    let r: Vec<(u64, &str)> = dirty
        .data
        .rejects
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    let dup = "duplicate key (an earlier row has it)";
    assert_eq!(r, vec![(8, dup), (9, dup), (10, dup)]);
    // B's deduction without the repeated k1: k3 5 + k4 2 + k6 5 = 12.
    let ded = ind_index(&clean, "ded");
    assert_eq!(
        dirty.measured.cells[ded][unit_index(&dirty, "B")].value,
        Some(12.0)
    );
    // A's mean amount: k1 1.25, k5 1.1 (k2 out of period) = 1.175.
    let avg = ind_index(&clean, "avg");
    some_close(
        dirty.measured.cells[avg][unit_index(&dirty, "A")].value,
        1.175,
    );
}

#[test]
fn a_duplicate_that_set_the_history_start_makes_the_pass_run_again() {
    let clean = run(GOOD);
    // k2 again, out of period and earlier than k2 itself: the earliest
    // day before the period would be this row's, and a minimum cannot be
    // taken back; the pass runs again with the duplicate marked, and
    // the history starts at 2024-11-30 as in the clean file.
    let dirty = run(&format!("{GOOD}k2,B,2024-10-01,,较重,9.9\n"));
    assert_eq!(outcome(&dirty), outcome(&clean));
    assert_eq!(accounting(&dirty), (7, 5, 1, 0, 1));
    assert_eq!(dirty.data.rejects[0].line, 8);
}

#[test]
fn bad_values_among_duplicates_are_each_reported_once() {
    // A bad date (line 8), a repeated key whose row also needs the
    // lenient parser (line 9, k4 again), an unknown unit (line 10), and a
    // repeat of a key first seen on a row that is itself rejected (k9 on
    // line 11 has a bad amount, so k9 on line 12 is the first valid k9
    // and counts).
    let dirty = run(&format!(
        "{GOOD}k7,A,2025-13-01,,一般,1\nk4,A, 2025-09-09,,较重,1\nk8,Z,2025-03-01,,一般,1\nk9,A,2025-03-01,,一般,x\nk9,A,2025-03-02,,一般,0.5\n"
    ));
    let with_k9 = run(&format!("{GOOD}k9,A,2025-03-02,,一般,0.5\n"));
    assert_eq!(outcome(&dirty), outcome(&with_k9));
    let mut r: Vec<(u64, String)> = dirty
        .data
        .rejects
        .iter()
        .map(|r| (r.line, r.column.clone()))
        .collect();
    r.sort();
    assert_eq!(
        r,
        vec![
            (8, "day".to_string()),
            (9, "key".to_string()),
            (10, "unit".to_string()),
            (11, "amount".to_string())
        ]
    );
    assert_eq!(accounting(&dirty), (11, 6, 1, 0, 4));
}

#[test]
fn rows_are_found_again_past_quoted_line_breaks_and_skipped_lines() {
    // A key with a line break in it (lines 8-9), a line with too many
    // fields (10), a blank line (11); then repeats of k1 (12) and of the
    // two-line key (13-14), and a slash date only the lenient parser
    // reads (15). Every row read again must be found at its own line.
    let extra = "\"k\n0\",A,2025-03-01,,一般,1\nx,A,2025-03-01,,一般,1,9\n\n";
    let dups = "k1,B,2025-06-01,,较重,7.7\n\"k\n0\",B,2025-06-02,,较重,2\nk10,B,2025/6/3,,一般,4\n";
    let clean_rows = format!("{GOOD}{extra}k10,B,2025/6/3,,一般,4\n");
    let dirty_rows = format!("{GOOD}{extra}{dups}");
    for (name, read) in [
        ("utf-8", run as fn(&str) -> govtrust::run::Run),
        ("gb18030", run_gb18030),
    ] {
        let clean = read(&clean_rows);
        let dirty = read(&dirty_rows);
        assert_eq!(outcome(&dirty), outcome(&clean), "{name}");
        let r: Vec<(u64, &str)> = dirty
            .data
            .rejects
            .iter()
            .map(|r| (r.line, r.column.as_str()))
            .collect();
        // In line order: the ragged line, the two repeats.
        assert_eq!(r, vec![(10, ""), (12, "key"), (13, "key")], "{name}");
        // Counted: the clean file's 5, the two-line key, k10.
        assert_eq!(accounting(&dirty), (11, 7, 1, 0, 3), "{name}");
    }
}

#[test]
fn parquet_rows_are_read_again_by_slices() {
    // The same records as Parquet (string columns, as an export with
    // every column as text would have them): k1 repeated twice (rows 6
    // and 8, two slices) and a slash date only the lenient parser reads
    // (row 7); the values equal the file without the repeats. Written in
    // row groups of 2 rows, the file is read again in windows of one row
    // group (the repeats and the slash date each in a window after the
    // first k1's) and of two (2+2, 2+2, 1), with the same run.
    use polars::prelude::*;
    let write = |keys: &[&str], units: &[&str], days: &[&str], sev: &[&str]| {
        let f = Fixture::new();
        f.scheme(
            "scheme.toml",
            &scheme("utf-8")
                .replace("file = \"recs.csv\"", "file = \"recs.parquet\"")
                .replace("encoding = \"utf-8\"\n", ""),
        )
        .data("units.csv", UNITS);
        let n = keys.len();
        let mut df = df!(
            "key" => keys,
            "unit" => units,
            "day" => days,
            "objection" => vec![None::<&str>; n],
            "sev" => sev,
            "amount" => vec![1.5f64; n],
        )
        .unwrap();
        let file = std::fs::File::create(f.data_dir().join("recs.parquet")).unwrap();
        ParquetWriter::new(file)
            .with_row_group_size(Some(2))
            .finish(&mut df)
            .unwrap();
        let run = f.run();
        for rows in [1, 3] {
            same_run(&f.run_in_row_windows(rows), &run, &format!("{rows} rows"));
        }
        run
    };
    let k = ["k1", "k2", "k3", "k4", "k5", "k6"];
    let u = ["A", "A", "B", "B", "A", "B"];
    let d = [
        "2025-03-01",
        "2025-04-01",
        "2025-05-01",
        "2025-06-01",
        "2025-07-01",
        "2025-08-01",
    ];
    let s = ["一般", "较重", "一般", "较重", "一般", "较重"];
    let clean = write(
        &[&k[..], &["k7"]].concat(),
        &[&u[..], &["B"]].concat(),
        &[&d[..], &["2025/9/1"]].concat(),
        &[&s[..], &["一般"]].concat(),
    );
    let dirty = write(
        &[&k[..], &["k1", "k7", "k1"]].concat(),
        &[&u[..], &["B", "B", "A"]].concat(),
        &[&d[..], &["2025-09-01", "2025/9/1", "2025-10-01"]].concat(),
        &[&s[..], &["较重", "一般", "较重"]].concat(),
    );
    assert_eq!(outcome(&dirty), outcome(&clean));
    let r: Vec<u64> = dirty.data.rejects.iter().map(|r| r.line).collect();
    // Rows 6 and 8, "lines" 8 and 10 (as if a CSV with its header).
    assert_eq!(r, vec![8, 10]);
    assert_eq!(accounting(&dirty), (9, 7, 0, 0, 2));
}
