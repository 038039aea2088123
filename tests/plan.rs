//! The query plans: what polars is asked to do per dataset, checked on the
//! optimised plan text (as polars' own lazy tests do).
//!
//! - Projection pushdown: a file's undeclared columns are never read.
//! - One grouped pass per dataset: every indicator and rule of a dataset is
//!   one aggregation node.
//! - The hot path uses the fast parser only; the lenient one (string
//!   replacements) runs on the few rows the fast one rejects.
//! - The measures aggregate every row under their masks (no filter copies
//!   the rows before the group-by), count with boolean sums (no numeric
//!   copy of a condition), and the per-column error key is not computed
//!   for every row (a boolean flag is; the key only for rejected rows).
//!
//! Predicate pushdown into the scan does not apply, by design: every row
//! must be classified and accounted for, so no filter can drop rows before
//! they are read; filters come after classification.

mod common;
use common::*;

use govtrust::data::records::UNIT;
use polars::prelude::*;

fn fixture(ext: &str) -> Fixture {
    let f = Fixture::new();
    f.scheme(
        "s.toml",
        &format!(
            "{HEADER}[datasets.t]\nfile = \"t.{ext}\"\nunit = \"unit\"\ndate = \"day\"\n[datasets.t.columns]\nunit = \"string\"\nday = \"date\"\nx = \"float\"\n\n[[indicator]]\nid = \"a\"\nweight = 1\ndataset = \"t\"\nmeasure = {{ kind = \"sum\", expr = \"x\" }}\nscore = {{ kind = \"target\", target = 1, floor = 0 }}\n\n[[indicator]]\nid = \"b\"\nweight = 1\ndataset = \"t\"\nmeasure = {{ kind = \"count\", where = \"x > 1\" }}\nscore = {{ kind = \"deduction\" }}\n"
        ),
    )
    .data("units.csv", "unit_id,unit_name,group\nA,甲,g\n");
    f
}

fn plans(f: &Fixture) -> (String, String) {
    let s = govtrust::scheme::load(&f.scheme_dir()).unwrap();
    let p = govtrust::data::prepare(&s, &f.data_dir(), Default::default()).unwrap();
    let src = &p.sources[0];
    let (fast, _) =
        govtrust::measure::rows::classified(&s, 0, src.lf.clone(), src, &p.units, true, None)
            .unwrap();
    let agg = fast
        .clone()
        .group_by([col(UNIT)])
        .agg(govtrust::measure::aggregations(&s, 0));
    (fast.explain(true).unwrap(), agg.explain(true).unwrap())
}

#[test]
fn csv_scan_reads_only_declared_columns() {
    let f = fixture("csv");
    // Five columns in the file; the scheme declares three.
    f.data("t.csv", "unit,extra1,day,x,extra2\nA,q,2025-03-01,2.5,z\n");
    let (fast, agg) = plans(&f);
    assert!(fast.contains("Csv SCAN"), "{fast}");
    // The pass reads the file window by window, each window's records
    // split by govtrust itself (data/csvread.rs): the declared columns
    // only, the row number, and the flag of rows with a typed field not
    // in its canonical form (data/fields.rs). The date is read as a date
    // there, the float as text.
    let s = govtrust::scheme::load(&f.scheme_dir()).unwrap();
    let p = govtrust::data::prepare(&s, &f.data_dir(), Default::default()).unwrap();
    let src = &p.sources[0];
    let rows = src.windows[0].rows().unwrap();
    let window = rows.clone().collect().unwrap();
    let mut names: Vec<&str> = window
        .get_column_names()
        .iter()
        .map(|n| n.as_str())
        .collect();
    names.sort();
    assert_eq!(names, ["__fallback", "__row", "day", "unit", "x"]);
    assert!(window.column("x").unwrap().str().is_ok());
    assert!(window.column("day").unwrap().date().is_ok());
    // So the window's plan parses no date, where the plan over the text
    // (the rows read again) does.
    let (windowed, _) =
        govtrust::measure::rows::classified(&s, 0, rows, src, &p.units, true, None).unwrap();
    let windowed = windowed.explain(true).unwrap();
    assert!(fast.contains("strptime"), "{fast}");
    assert!(!windowed.contains("strptime"), "{windowed}");
    assert!(windowed.contains("__fallback"), "{windowed}");
    assert!(
        !fast.contains("extra1") && !fast.contains("extra2"),
        "{fast}"
    );
    // One aggregation for both indicators.
    assert_eq!(agg.matches("AGGREGATE").count(), 1, "{agg}");
    // The lenient parser (strip, replace) is not in the hot plan.
    assert!(
        !fast.contains("replace") && !fast.contains("strip"),
        "{fast}"
    );
    // No filter between the rows and the group-by; counts are boolean
    // sums, cast once per group after the sum; the error key (a min over
    // per-column codes) is not in the per-row plan.
    assert!(!agg.contains("FILTER"), "{agg}");
    assert!(agg.contains(".sum().cast(UInt64)"), "{agg}");
    assert!(!agg.contains("cast(UInt64).sum()"), "{agg}");
    assert!(!fast.contains("min_horizontal"), "{fast}");
}

#[test]
fn parquet_scan_reads_only_declared_columns() {
    let f = fixture("parquet");
    let mut df = df!(
        "unit" => ["A"],
        "extra1" => ["q"],
        "day" => [chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()],
        "x" => [2.5],
        "extra2" => [1i64],
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(f.data_dir().join("t.parquet")).unwrap())
        .finish(&mut df)
        .unwrap();
    let (fast, _) = plans(&f);
    assert!(fast.contains("Parquet SCAN"), "{fast}");
    assert!(
        fast.contains("PROJECT */3 COLUMNS") || fast.contains("PROJECT 3/5 COLUMNS"),
        "{fast}"
    );
    assert!(
        !fast.contains("extra1") && !fast.contains("extra2"),
        "{fast}"
    );
    // And the run agrees: 2.5 summed, one record counted.
    let run = f.run();
    assert_eq!(run.measured.cells[0][0].value, Some(2.5));
}

/// docs/architecture.md ("How a dataset is read"): a Parquet file is read
/// in windows of whole row groups, at least `window_rows` rows each, so
/// that the pass holds a window's rows, not the file's. Each window's
/// slice goes down into the scan (the reader reads those row groups
/// alone), and its row numbers are the file's.
#[test]
fn parquet_windows_are_whole_row_groups_sliced_in_the_scan() {
    use govtrust::data::read::parquet_windows;
    // Row groups of 2, 2, 2, 2 and 1 rows: in windows of at least 3
    // rows, 2+2, 2+2 and the last 1 (first rows 0, 4, 8); of at least
    // 1 row, one window each; of at least 9, one window.
    let groups = [2, 2, 2, 2, 1];
    assert_eq!(parquet_windows(&groups, 3), vec![(0, 4), (4, 4), (8, 1)]);
    assert_eq!(parquet_windows(&groups, 1).len(), 5);
    assert_eq!(parquet_windows(&groups, 9), vec![(0, 9)]);
    assert_eq!(parquet_windows(&[], 3), vec![]);

    let f = fixture("parquet");
    let n = 10;
    let days: Vec<chrono::NaiveDate> = (1..=n)
        .map(|d| chrono::NaiveDate::from_ymd_opt(2025, 3, d).unwrap())
        .collect();
    let mut df = df!(
        "unit" => vec!["A"; n as usize],
        "day" => days,
        "x" => (1..=n).map(f64::from).collect::<Vec<_>>(),
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(f.data_dir().join("t.parquet")).unwrap())
        .with_row_group_size(Some(2))
        .finish(&mut df)
        .unwrap();
    let bytes = std::fs::read(f.data_dir().join("t.parquet")).unwrap();
    // (polars' writer puts a short last group into the one before: ten
    // rows, not nine, for five groups of two.)
    assert_eq!(govtrust::data::stats::row_group_rows(&bytes), [2; 5]);
    let s = govtrust::scheme::load(&f.scheme_dir()).unwrap();
    let opts = |rows| govtrust::data::LoadOptions {
        window_rows: Some(rows),
        ..Default::default()
    };
    let p = govtrust::data::prepare(&s, &f.data_dir(), opts(3)).unwrap();
    let src = &p.sources[0];
    assert_eq!(src.windows.len(), 3);
    // The second window: rows 4-7 (x = 5..8), numbered as in the file.
    let w = src.windows[1].rows().unwrap();
    let plan = w.clone().explain(true).unwrap();
    assert!(plan.contains("Parquet SCAN"), "{plan}");
    // The slice is one of the scan's own lines, after it (the plan is
    // printed from the root down: a slice node above the scan would come
    // before it), and the only one.
    let lines: Vec<&str> = plan.lines().collect();
    let scan = lines.iter().position(|l| l.contains("Parquet SCAN"));
    let slices: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains("SLICE"))
        .collect();
    assert!(
        slices.len() == 1
            && Some(slices[0]) > scan
            && lines[slices[0]].contains("offset: 4, len: 4"),
        "the slice is not in the scan: {plan}"
    );
    let got = w.collect().unwrap();
    let rows: Vec<u32> = got
        .column("__row")
        .unwrap()
        .idx()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(rows, vec![4, 5, 6, 7]);
    let x: Vec<f64> = got
        .column("x")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(x, vec![5.0, 6.0, 7.0, 8.0]);
    // By default (2,000,000 rows) the file is one window.
    let p = govtrust::data::prepare(&s, &f.data_dir(), Default::default()).unwrap();
    assert_eq!(p.sources[0].windows.len(), 1);
    // And the run is the same either way: Σx = 1 + ... + 10 = 55, and 9
    // records with x > 1.
    for rows in [1, 3, 100] {
        let run = govtrust::run::assess(&f.scheme_dir(), &f.data_dir(), opts(rows)).unwrap();
        assert_eq!(
            run.measured.cells[0][0].value,
            Some(55.0),
            "windows of {rows}"
        );
        assert_eq!(
            run.measured.cells[1][0].value,
            Some(9.0),
            "windows of {rows}"
        );
    }
}

/// A dataset with a required text column `name` and a datetime `at`, in
/// Parquet with the given values (rows 1..=n, "lines" 2..=n+1).
fn text_fixture(names: &[Option<&str>]) -> Fixture {
    let f = Fixture::new();
    f.scheme(
        "s.toml",
        &format!(
            "{HEADER}[datasets.t]\nfile = \"t.parquet\"\nunit = \"unit\"\ndate = \"at\"\n[datasets.t.columns]\nunit = \"string\"\nname = \"string\"\nat = \"datetime\"\nx = \"float\"\n\n[[indicator]]\nid = \"a\"\nweight = 1\ndataset = \"t\"\nmeasure = {{ kind = \"sum\", expr = \"x\" }}\nscore = {{ kind = \"target\", target = 1, floor = 0 }}\n"
        ),
    )
    .data("units.csv", "unit_id,unit_name,group\nA,甲,g\n");
    let n = names.len();
    // 2025-03-01 08:00 in µs, and 2024-12-31 23:59:59.999999 for the
    // last row (the day before the period: out of period).
    let mut at = vec![1_740_816_000_000_000i64; n];
    at[n - 1] = 1_735_689_599_999_999;
    let mut df = df!(
        "unit" => vec!["A"; n],
        "name" => names,
        "at" => at,
        "x" => vec![1.0; n],
    )
    .unwrap()
    .lazy()
    .with_column(col("at").cast(DataType::Datetime(TimeUnit::Microseconds, None)))
    .collect()
    .unwrap();
    ParquetWriter::new(std::fs::File::create(f.data_dir().join("t.parquet")).unwrap())
        .finish(&mut df)
        .unwrap();
    f
}

/// The checks a Parquet file's statistics show cannot fail are not in
/// the plan (docs/architecture.md, "What a Parquet file's statistics
/// prove"), and
/// those they cannot rule out stay, with the same rejects as ever.
#[test]
fn parquet_statistics_leave_out_checks_that_cannot_fail() {
    // Clean: no null, no "", every name between "!" and U+3000 ("Q1".."Z";
    // a range over U+3000, as "Q1".."乙", would prove nothing about a
    // leading U+3000): no check on `name`, `unit` or `at` is left, and the
    // period test compares the datetime without a cast to a date.
    let f = text_fixture(&[Some("Q1"), Some("R2"), Some("Z")]);
    let (fast, _) = plans(&f);
    assert!(
        fast.contains("col(\"__row\").is_null().alias(\"__bad\")"),
        "{fast}"
    );
    assert!(!fast.contains("== \"\""), "{fast}");
    assert!(!fast.contains("< \"!\""), "{fast}");
    assert!(!fast.contains("cast(Date)"), "{fast}");
    // Σx over the two rows in the period: 2; the third (23:59:59.999999
    // on the eve of the period) is out of it.
    let run = f.run();
    assert_eq!(run.measured.cells[0][0].value, Some(2.0));
    let t = run.data.inputs.iter().find(|i| i.dataset == "t").unwrap();
    assert_eq!(t.accounting.out_of_period, 1);
    assert!(run.data.rejects.is_empty());

    // A null, "", a leading space and a leading U+3000: each check the
    // statistics cannot rule out stays, and each row is judged as from a
    // CSV file (the whitespace-led ones by the lenient parser).
    let f = text_fixture(&[
        Some("Q1"),
        None,
        Some(""),
        Some(" 甲"),
        Some("\u{3000}"),
        Some("Z"),
    ]);
    let (fast, _) = plans(&f);
    assert!(fast.contains("== \"\""), "{fast}");
    assert!(fast.contains("< \"!\""), "{fast}");
    let run = f.run();
    let reasons: Vec<(u64, &str, &str)> = run
        .data
        .rejects
        .iter()
        .map(|r| (r.line, r.column.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (3, "name", "empty value in a required column"),
            (4, "name", "empty value in a required column"),
            (6, "name", "empty value in a required column"),
        ]
    );
    // Q1 and " 甲" (kept as written) count; Z is out of period.
    assert_eq!(run.measured.cells[0][0].value, Some(2.0));
}
