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
