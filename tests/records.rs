//! docs/scheme.md sections 1 and 3: which records count, status columns, and
//! every way a row is rejected or a file refused; CSV (UTF-8, GB18030),
//! XLSX and Parquet inputs.

mod common;
use common::*;

const UNITS: &str = "unit_id,unit_name,group\nA,甲局,dept\nB,乙局,dept\n";

/// (line, column, reason) of each reject, in order.
fn reasons(run: &govtrust::run::Run) -> Vec<(u64, &str, &str)> {
    run.data
        .rejects
        .iter()
        .map(|r| (r.line, r.column.as_str(), r.reason.as_str()))
        .collect()
}

fn scheme(extra_header: &str, veto: bool) -> String {
    let header = HEADER.replace("period = {", &format!("{extra_header}period = {{"));
    let veto = if veto {
        "[[grade]]\nname = \"合格\"\nmin = 0\n[[veto]]\nid = \"v\"\ndataset = \"recs\"\nwhere = \"sev = '较重'\"\n"
    } else {
        ""
    };
    format!(
        r#"{header}
[datasets.recs]
file = "recs.csv"
key = "key"
unit = "unit"
date = "day"
[datasets.recs.columns]
key = "string"
unit = "string"
day = "date"
exempt = "bool"
objection = "string?"
repaired_on = "date?"
sev = "string"

[[indicator]]
id = "ded"
weight = 1
dataset = "recs"
measure = {{ kind = "deduction", points = {{ column = "sev", map = {{ 一般 = 2, 较重 = 5 }} }} }}
score = {{ kind = "deduction" }}
{veto}"#
    )
}

// Lines: header 1, r1 at line 2 ... r11 at line 12.
const RECS: &str = "key,unit,day,exempt,objection,repaired_on,sev
r1,A,2025-03-01,false,,,一般
r2,A,2024-12-31,false,,,一般
r3,A,2025-05-01,true,,,一般
r4,A,2025-06-01,false,upheld,,一般
r5,A,2025-07-01,false,pending,,一般
r6,A,2025-08-01,false,rejected,,一般
r7,A,2025-09-01,false,,2025-10-01,较重
r8,A,2025-09-02,否,,2026-01-05,较重
r9,B,2025-02-30,false,,,一般
r10,Z,2025-02-01,false,,,一般
r1,A,2025-04-01,false,,,一般
";

fn fixture(extra: &str, veto: bool) -> Fixture {
    let f = Fixture::new();
    f.scheme("scheme.toml", &scheme(extra, veto))
        .data("units.csv", UNITS)
        .data("recs.csv", RECS);
    f
}

#[test]
fn every_row_ends_in_exactly_one_place() {
    let run = fixture("", false).run();
    let input = run
        .data
        .inputs
        .iter()
        .find(|i| i.dataset == "recs")
        .unwrap();
    let a = &input.accounting;
    // counted: r1, r5 (pending, counted by default), r6 (objection
    // rejected), r7, r8; out of period: r2; excluded: r3 (exempt), r4
    // (upheld); rejected: r9 (bad date), r10 (unknown unit), r1 again.
    assert_eq!(
        (
            a.rows_read,
            a.counted,
            a.out_of_period,
            a.excluded_by_status,
            a.rejected
        ),
        (11, 5, 1, 2, 3)
    );
    assert!(a.balanced());
    assert_eq!(input.pending_objections, 1);
}

#[test]
fn repaired_records_count_times_the_factor() {
    let run = fixture("", false).run();
    // r1 2 + r5 2 + r6 2 + r7 (repaired 2025-10-01, within the period)
    // 5 × 0.5 + r8 (repaired only in 2026: not repaired) 5 = 13.5.
    let c = run.measured.cells[0][unit_index(&run, "A")];
    assert_eq!(c.value, Some(13.5));
    // With repair_factor 0: 2 + 2 + 2 + 0 + 5 = 11.
    let run = fixture("repair_factor = 0\n", false).run();
    assert_eq!(
        run.measured.cells[0][unit_index(&run, "A")].value,
        Some(11.0)
    );
}

#[test]
fn pending_objections_can_be_excluded() {
    let run = fixture("pending_objections = \"exclude\"\n", false).run();
    let a = &run
        .data
        .inputs
        .iter()
        .find(|i| i.dataset == "recs")
        .unwrap()
        .accounting;
    assert_eq!((a.counted, a.excluded_by_status), (4, 3));
    // 13.5 without r5's 2 points.
    assert_eq!(
        run.measured.cells[0][unit_index(&run, "A")].value,
        Some(11.5)
    );
}

#[test]
fn evidence_notes_repairs_and_pending_objections() {
    let run = fixture("", false).run();
    let ev: Vec<(String, f64, String)> = run
        .evidence
        .iter()
        .map(|e| (e.record_key.clone(), e.points, e.note.clone()))
        .collect();
    assert_eq!(
        ev,
        vec![
            ("r1".into(), -2.0, "".into()),
            ("r5".into(), -2.0, "pending objection".into()),
            ("r6".into(), -2.0, "".into()),
            ("r7".into(), -2.5, "repaired ×0.5".into()),
            ("r8".into(), -5.0, "".into()),
        ]
    );
}

#[test]
fn a_repaired_record_never_triggers_a_veto() {
    let run = fixture("", true).run();
    // r7 and r8 match sev = '较重'; r7 is repaired, r8 (repaired after the
    // period) is not: the veto hits, with r8 alone as its evidence.
    assert_eq!(unit(&run, "A").vetoes.len(), 1);
    let ev: Vec<(&str, f64)> = run
        .evidence
        .iter()
        .filter(|e| e.rule_id == "v")
        .map(|e| (e.record_key.as_str(), e.points))
        .collect();
    assert_eq!(ev, vec![("r8", 0.0)]);
}

#[test]
fn rejects_name_line_column_value_and_reason() {
    let run = fixture("", false).run();
    let r: Vec<(u64, &str, &str, &str)> = run
        .data
        .rejects
        .iter()
        .map(|r| {
            (
                r.line,
                r.column.as_str(),
                r.value.as_str(),
                r.reason.as_str(),
            )
        })
        .collect();
    assert_eq!(
        r,
        vec![
            (
                10,
                "day",
                "2025-02-30",
                "not a date (expected 2025-03-01 or 2025/3/1)"
            ),
            (11, "unit", "Z", "unknown unit (not in the unit register)"),
            (12, "key", "r1", "duplicate key (an earlier row has it)"),
        ]
    );
    assert!(
        run.data
            .rejects
            .iter()
            .all(|r| r.dataset == "recs" && r.file == "recs.csv")
    );
}

/// One dataset of every column type, for the bad-value paths.
fn typed_fixture(rows: &str) -> Fixture {
    let f = Fixture::new();
    f.scheme(
        "scheme.toml",
        &format!(
            r#"{HEADER}
[datasets.t]
file = "t.csv"
unit = "unit"
[datasets.t.columns]
unit = "string"
n = "int"
x = "float?"
ok = "bool?"
d = "date?"
ts = "datetime?"
objection = "string?"
sev = "string?"

[[indicator]]
id = "c"
weight = 1
dataset = "t"
measure = {{ kind = "deduction", points = {{ column = "sev", map = {{ 一般 = 1 }} }} }}
score = {{ kind = "deduction" }}
"#
        ),
    )
    .data("units.csv", UNITS)
    .data("t.csv", &format!("unit,n,x,ok,d,ts,objection,sev\n{rows}"));
    f
}

#[test]
fn each_bad_value_is_rejected_with_its_reason() {
    let run = typed_fixture(
        "A,1,1.5,是,2025/3/1,2025-03-01T08:30,none,一般
A,1.5,,,,,,
A,2,abc,,,,,
A,3,,maybe,,,,
A,4,,,03/01/2025,,,
A,5,,,,2025-03-01,,
A,6,,,,,withdrawn,
A,,,,,,,
",
    )
    .run();
    let r = reasons(&run);
    assert_eq!(r.len(), 7, "{r:?}");
    assert_eq!(r[0], (3, "n", "not a whole number"));
    assert_eq!(r[1], (4, "x", "not a number"));
    assert_eq!(
        r[2],
        (5, "ok", "not a bool (expected true/false, 1/0, 是/否, Y/N)")
    );
    assert_eq!(
        r[3],
        (6, "d", "not a date (expected 2025-03-01 or 2025/3/1)")
    );
    assert_eq!(r[4].0, 7);
    assert!(r[4].2.starts_with("not a datetime"));
    assert_eq!(r[5].1, "objection");
    assert!(r[5].2.starts_with("objection must be one of"));
    // (A value outside a points map is not a bad value: see
    // a_value_outside_a_points_map_is_an_error_only_where_it_scores.)
    assert_eq!(r[6], (9, "n", "empty value in a required column"));
    // The first row is fine: 1 counted, 1 point.
    assert_eq!(run.measured.cells[0][0].value, Some(1.0));
}

#[test]
fn a_missing_declared_column_is_fatal_and_named() {
    let f = fixture("", false);
    f.data(
        "recs.csv",
        "key,unit,day,exempt,objection,repaired_on\nr1,A,2025-03-01,false,,\n",
    );
    let e = f.err();
    assert!(e.contains("dataset recs"), "{e}");
    assert!(e.contains("recs.csv"), "{e}");
    assert!(e.contains("no column \"sev\""), "{e}");
    // One missing column among others found: the file's columns, no
    // word of a title.
    assert!(e.contains("the file has: key, unit"), "{e}");
    assert!(!e.contains("title"), "{e}");
    // A titled sheet saved as CSV: its first line holds none of the
    // declared names, and the hint says what to do.
    let f = fixture("", false);
    f.data(
        "recs.csv",
        "2025年政务失信记录明细,,,,,,\nkey,unit,day,exempt,objection,repaired_on,sev\nr1,A,2025-03-01,false,,,一般\n",
    );
    let e = f.err();
    assert!(
        e.contains("the header has none of the declared columns, only: 2025年政务失信记录明细")
            && e.contains("if a title stands above the header, delete it"),
        "{e}"
    );
}

#[test]
fn a_missing_file_is_fatal_and_named() {
    let f = fixture("", false);
    std::fs::remove_file(f.data_dir().join("recs.csv")).unwrap();
    let e = f.err();
    assert!(
        e.contains("dataset recs") && e.contains("recs.csv") && e.contains("does not exist"),
        "{e}"
    );
}

#[test]
fn a_unit_register_without_group_is_fatal() {
    let f = fixture("", false);
    f.data("units.csv", "unit_id,unit_name\nA,甲\n");
    let e = f.err();
    assert!(
        e.contains("units") && e.contains("no column \"group\""),
        "{e}"
    );
}

#[test]
fn strict_mode_makes_any_reject_fatal() {
    let f = fixture("", false);
    let e = govtrust::run::assess(
        &f.scheme_dir(),
        &f.data_dir(),
        govtrust::data::LoadOptions {
            strict: true,
            ..Default::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("--strict: 3 input rows were rejected"), "{e}");
    assert!(e.contains("recs.csv:10"), "{e}");
}

#[test]
fn quoted_line_breaks_keep_physical_line_numbers() {
    let f = fixture("", false);
    // A quoted key spanning lines 2-3; the bad date of the next record is
    // on physical line 4, not 3.
    f.data(
        "recs.csv",
        "key,unit,day,exempt,objection,repaired_on,sev\n\"r\n1\",A,2025-03-01,false,,,一般\nr2,A,2025-02-30,false,,,一般\n",
    );
    let run = f.run();
    assert_eq!(run.data.rejects.len(), 1);
    assert_eq!(run.data.rejects[0].line, 4);
}

#[test]
fn records_without_key_are_identified_by_line() {
    let f = fixture("", false);
    let text = scheme("", false).replace("key = \"key\"\n", "");
    f.scheme("scheme.toml", &text);
    let run = f.run();
    // No key: the duplicate r1 is no longer a duplicate (counted); evidence
    // names records by their line.
    let keys: Vec<&str> = run.evidence.iter().map(|e| e.record_key.as_str()).collect();
    assert_eq!(keys, vec!["2", "6", "7", "8", "9", "12"]);
}

#[test]
fn gb18030_files_are_decoded() {
    let f = fixture("", false);
    let text = scheme("", false).replace(
        "file = \"recs.csv\"",
        "file = \"recs.csv\"\nencoding = \"gb18030\"",
    );
    f.scheme("scheme.toml", &text);
    let (bytes, _, bad) = encoding_rs::GB18030.encode(RECS);
    assert!(!bad);
    assert_ne!(
        &*bytes,
        RECS.as_bytes(),
        "the fixture must really be GB18030"
    );
    f.bytes("recs.csv", &bytes);
    let run = f.run();
    // Same result as the UTF-8 file: 13.5 points for A, 3 rejects.
    assert_eq!(
        run.measured.cells[0][unit_index(&run, "A")].value,
        Some(13.5)
    );
    assert_eq!(run.data.rejects.len(), 3);
}

#[test]
fn a_gbk_file_read_as_utf8_says_so() {
    let f = fixture("", false);
    let (bytes, _, _) = encoding_rs::GB18030.encode(RECS);
    f.bytes("recs.csv", &bytes);
    let e = f.err();
    assert!(e.contains("recs.csv"), "{e}");
    assert!(e.contains("gb18030"), "{e}");
}

/// The records of `scheme` as a sheet 记录, its header on 0-based row
/// `top` under a title of `top` rows. Sheet rows after the header: a real
/// Excel date; a date as text; a bad date as text.
fn records_sheet(top: u32) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("记录").unwrap();
    for r in 0..top {
        ws.write_string(r, 0, format!("2025年政务失信记录明细（标题第{}行）", r + 1))
            .unwrap();
    }
    let datefmt = Format::new().set_num_format("yyyy-mm-dd");
    let header = [
        "key",
        "unit",
        "day",
        "exempt",
        "objection",
        "repaired_on",
        "sev",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(top, c as u16, *h).unwrap();
    }
    let d = ExcelDateTime::from_ymd(2025, 3, 1).unwrap();
    ws.write_string(top + 1, 0, "x1").unwrap();
    ws.write_string(top + 1, 1, "A").unwrap();
    ws.write_datetime_with_format(top + 1, 2, &d, &datefmt)
        .unwrap();
    ws.write_boolean(top + 1, 3, false).unwrap();
    ws.write_string(top + 1, 6, "较重").unwrap();
    for (r, day) in [(2u32, "2025/4/1"), (3, "2025-02-30")] {
        ws.write_string(top + r, 0, format!("x{r}")).unwrap();
        ws.write_string(top + r, 1, "A").unwrap();
        ws.write_string(top + r, 2, day).unwrap();
        ws.write_string(top + r, 3, "否").unwrap();
        ws.write_string(top + r, 6, "一般").unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// `records_sheet(top)` assessed: x1 5 + x2 2 = 7 for A, and x3 rejected
/// on sheet line `top` + 4 (its 1-based row).
fn assess_sheet(top: u32) -> govtrust::run::Run {
    let f = fixture("", false);
    let text = scheme("", false).replace(
        "file = \"recs.csv\"",
        "file = \"recs.xlsx\"\nsheet = \"记录\"",
    );
    f.scheme("scheme.toml", &text);
    f.bytes("recs.xlsx", &records_sheet(top));
    let run = f.run();
    assert_eq!(
        run.measured.cells[0][unit_index(&run, "A")].value,
        Some(7.0)
    );
    let r = reasons(&run);
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!((r[0].0, r[0].1), (u64::from(top) + 4, "day"));
    run
}

#[test]
fn xlsx_sheets_are_read_with_sheet_row_numbers() {
    let run = assess_sheet(0);
    assert!(!run.warnings().iter().any(|w| w.contains("表头之上")));
}

/// A title of two rows above the header (as government workbooks have)
/// is passed over, said once, and lines stay the sheet's: x3 is on line 6.
#[test]
fn a_title_above_a_sheets_header_is_passed_over_and_said() {
    title_warning(&assess_sheet(2), "recs.xlsx的表头之上有2行");
}

/// The run says once, in these words, that a title was passed over.
fn title_warning(run: &govtrust::run::Run, words: &str) {
    let w: Vec<String> = run
        .warnings()
        .into_iter()
        .filter(|w| w.contains("表头之上"))
        .collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains(words), "{}", w[0]);
}

/// A unit register kept as a titled sheet is found by its required
/// columns in the same way: A and B are units, B's duplicate on sheet
/// line 5 is rejected with that line, and the title is said once.
#[test]
fn a_titled_unit_register_sheet_is_read_below_its_title() {
    let f = fixture("", false);
    let text = scheme("", false).replace("file = \"units.csv\"", "file = \"units.xlsx\"");
    assert!(text.contains("units.xlsx"));
    f.scheme("scheme.toml", &text);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "被考核单位名册").unwrap();
    let rows = [
        ["unit_id", "unit_name", "group"],
        ["A", "甲局", "dept"],
        ["B", "乙局", "dept"],
        ["B", "乙局", "dept"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    f.bytes("units.xlsx", &wb.save_to_buffer().unwrap());
    let run = f.run();
    assert_eq!(run.data.units.ids, ["A", "B"]);
    let dup: Vec<_> = run
        .data
        .rejects
        .iter()
        .filter(|r| r.dataset == "units")
        .collect();
    assert_eq!(dup.len(), 1, "{dup:?}");
    assert_eq!((dup[0].line, dup[0].column.as_str()), (5, "unit_id"));
    title_warning(&run, "被考核单位名册units.xlsx的表头之上有1行");
}

#[test]
fn parquet_files_keep_their_types() {
    use polars::prelude::*;
    let f = fixture("", false);
    let text = scheme("", false).replace("file = \"recs.csv\"", "file = \"recs.parquet\"");
    f.scheme("scheme.toml", &text);
    let day = |m: u32| chrono::NaiveDate::from_ymd_opt(2025, m, 1).unwrap();
    let mut df = df!(
        "key" => ["p1", "p2", "p3"],
        "unit" => [Some("A"), Some("A"), None],
        "day" => [day(3), day(4), day(5)],
        "exempt" => [false, true, false],
        "objection" => [None::<&str>, None, None],
        "repaired_on" => [None, Some(day(6)), None],
        "sev" => ["较重", "一般", "一般"],
    )
    .unwrap();
    let file = std::fs::File::create(f.data_dir().join("recs.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    let run = f.run();
    // p1 counts 5; p2 is exempt; p3 has no unit: rejected as row 3 ("line" 4,
    // as if the table were a CSV file with its header on line 1).
    assert_eq!(
        run.measured.cells[0][unit_index(&run, "A")].value,
        Some(5.0)
    );
    assert_eq!(run.data.rejects.len(), 1);
    assert_eq!(
        (
            run.data.rejects[0].line,
            run.data.rejects[0].column.as_str()
        ),
        (4, "unit")
    );
}

/// A Parquet file written from pandas stores an integer column that had a
/// missing value as doubles, and a tool that exported datetimes as text
/// writes their fractions of a second: both are read as what they are.
#[test]
fn parquet_doubles_in_an_int_column_and_text_datetimes_with_fractions() {
    use polars::prelude::*;
    let f = Fixture::new();
    f.scheme(
        "scheme.toml",
        &format!(
            "{HEADER}[datasets.t]\nfile = \"t.parquet\"\nunit = \"unit\"\ndate = \"ts\"\n[datasets.t.columns]\nunit = \"string\"\nn = \"int?\"\nts = \"datetime\"\n[[indicator]]\nid = \"s\"\nweight = 1\ndataset = \"t\"\nmeasure = {{ kind = \"sum\", expr = \"n\" }}\nscore = {{ kind = \"target\", target = 100, floor = 0 }}\n"
        ),
    )
    .data("units.csv", UNITS);
    let mut df = df!(
        "unit" => ["A", "A", "A", "A"],
        "n" => [Some(4.0f64), None, Some(-2.0), Some(4.5)],
        "ts" => [
            "2025-03-01 08:30:00.000000",
            "2025-03-02 08:30:00.250",
            "2025-03-03 08:30:00",
            "2025-03-04 08:30:00",
        ],
    )
    .unwrap();
    let file = std::fs::File::create(f.data_dir().join("t.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    let run = f.run();
    // Rows 1-3 count (row 2's n is missing, allowed by "int?", and the
    // sum skips it): Σ n = 4 + (-2) = 2 over n = 3 records; row 4's 4.5
    // is no whole number ("line" 5).
    let c = &run.measured.cells[0][unit_index(&run, "A")];
    assert_eq!((c.value, c.n), (Some(2.0), 3));
    assert_eq!(reasons(&run), vec![(5, "n", "not a whole number")]);
}

#[test]
fn spaces_are_judged_by_the_lenient_parser() {
    // Row 2: padded text is kept as written and a padded number read;
    // row 3: a required text of spaces only is empty (rejected); row 4:
    // an ideographic space (U+3000) only, likewise.
    let f = Fixture::new();
    f.scheme(
        "scheme.toml",
        &format!(
            "{HEADER}[datasets.t]\nfile = \"t.csv\"\nunit = \"unit\"\n[datasets.t.columns]\nunit = \"string\"\nname = \"string\"\nn = \"int\"\n[[indicator]]\nid = \"s\"\nweight = 1\ndataset = \"t\"\nmeasure = {{ kind = \"sum\", expr = \"n\", where = \"name = ' 甲 '\" }}\nscore = {{ kind = \"target\", target = 100, floor = 0 }}\n"
        ),
    )
    .data("units.csv", UNITS)
    .data("t.csv", "unit,name,n\nA, 甲 , 12 \nA,  ,1\nA,\u{3000},1\n");
    let run = f.run();
    // Only row 2 counts, matched by its padded name: Σ n = 12.
    assert_eq!(
        run.measured.cells[0][unit_index(&run, "A")].value,
        Some(12.0)
    );
    let r = reasons(&run);
    assert_eq!(
        r,
        vec![
            (3, "name", "empty value in a required column"),
            (4, "name", "empty value in a required column")
        ]
    );
}

#[test]
fn whitespace_led_units_keys_and_text_are_judged_exactly() {
    // The fast path finds whitespace-led text by byte order (a first byte
    // below `!`, or a first character U+3000) and leaves it to the
    // lenient parser; a unit id is checked against the register instead.
    // line 2: counted, n = 1.
    // line 3: key of spaces only: empty key, rejected.
    // line 4: unit of spaces only: empty unit, rejected.
    // line 5: " A" is not a registered unit: unknown, rejected.
    // line 6: name of one tab: empty name, rejected.
    // line 7: name "\t甲" and key "\u{3000}k7" are text as written:
    //         counted, n = 4, and matches `name <> '甲'`.
    // line 8: name "!x" (the first byte after the whitespace range) is
    //         ordinary text: counted, n = 16.
    // Σ n over counted rows with name <> '甲' = 1 + 4 + 16 = 21.
    let f = Fixture::new();
    f.scheme(
        "scheme.toml",
        &format!(
            "{HEADER}[datasets.t]\nfile = \"t.csv\"\nunit = \"unit\"\nkey = \"k\"\n[datasets.t.columns]\nk = \"string\"\nunit = \"string\"\nname = \"string\"\nn = \"int\"\n[[indicator]]\nid = \"s\"\nweight = 1\ndataset = \"t\"\nmeasure = {{ kind = \"sum\", expr = \"n\", where = \"name <> '甲'\" }}\nscore = {{ kind = \"target\", target = 100, floor = 0 }}\n"
        ),
    )
    .data("units.csv", UNITS)
    .data(
        "t.csv",
        "k,unit,name,n\nk1,A,乙,1\n  ,A,乙,2\nk3,  ,乙,2\nk4, A,乙,2\nk5,A,\t,2\n\u{3000}k7,A,\t甲,4\nk8,A,!x,16\n",
    );
    let run = f.run();
    assert_eq!(
        run.measured.cells[0][unit_index(&run, "A")].value,
        Some(21.0)
    );
    let r = reasons(&run);
    assert_eq!(
        r,
        vec![
            (3, "k", "empty value in a required column"),
            (4, "unit", "empty value in a required column"),
            (5, "unit", "unknown unit (not in the unit register)"),
            (6, "name", "empty value in a required column"),
        ]
    );
    let a = &run
        .data
        .inputs
        .iter()
        .find(|i| i.dataset == "t")
        .unwrap()
        .accounting;
    assert_eq!((a.rows_read, a.counted, a.rejected), (7, 3, 4));
}

/// docs/architecture.md ("How a dataset is read"): a CSV window reads
/// `int`, `bool`, `date` and `datetime` fields written in their canonical
/// form as values while it splits them, and leaves every other accepted
/// form to the lenient parser. The same records, written canonically (one
/// row quoted) or in the other forms, must score alike, with nothing
/// rejected.
#[test]
fn typed_fields_in_any_accepted_form_read_alike() {
    let run = |rows: &str| {
        let f = Fixture::new();
        f.scheme(
            "scheme.toml",
            &format!(
                r#"{HEADER}
[datasets.t]
file = "t.csv"
unit = "unit"
date = "d"
[datasets.t.columns]
unit = "string"
n = "int"
ok = "bool"
d = "date"
ts = "datetime"
due = "datetime"

[[indicator]]
id = "sum"
weight = 1
dataset = "t"
measure = {{ kind = "sum", expr = "n", where = "ok" }}
score = {{ kind = "target", target = 10, floor = 0 }}

[[indicator]]
id = "ontime"
weight = 1
dataset = "t"
measure = {{ kind = "share", where = "ts <= due" }}
score = {{ kind = "target", target = 1, floor = 0 }}
"#
            ),
        )
        .data("units.csv", UNITS)
        .data("t.csv", &format!("unit,n,ok,d,ts,due\n{rows}"));
        f.run()
    };
    // Line 2: ok, on time (ts = due); line 3: ok, late by a day; line 4:
    // not ok, late by a second; line 5: ok, on time by a second, the
    // last day of the period; line 6: before the period (not counted).
    let canonical = run("A,3,true,2025-03-03,2025-03-03 08:30:00,2025-03-03 08:30:00
A,-2,是,2025-03-04,2025-03-06 09:00:00,2025-03-05 09:00:00
A,10,0,2025-03-05,2025-03-05 12:00:01,2025-03-05 12:00:00
B,\"7\",\"1\",\"2025-12-31\",\"2025-12-31 23:59:59\",\"2026-01-01 00:00:00\"
B,5,false,2024-12-31,2024-12-31 10:00:00,2024-12-31 11:00:00
");
    let other = run("A, 3 ,TRUE,2025/3/3,2025-03-03T08:30,2025/3/3 8:30
A,-2,Y,2025-03-04 ,2025/3/6 9:00,2025-03-05T09:00:00
A,10 ,n,2025/3/5,2025/3/5 12:00:01,2025-03-05 12:00
B,7,是,2025-12-31,2025-12-31T23:59:59,2026/1/1 0:00
B,5,FALSE,2024/12/31,2024/12/31 10:00,2024-12-31 11:00:00
");
    // As a database or pandas exports them: whole numbers with a zero
    // fraction (an integer column that had a missing value), seconds with
    // milliseconds (SQL Server). Line 4 is late by a millisecond, line 5
    // on time by one: the fraction counts.
    let exported = run(
        "A,3.0,true,2025-03-03,2025-03-03 08:30:00.000,2025-03-03 08:30:00.000
A,-2.00,是,2025-03-04,2025-03-06 09:00:00.000,2025-03-05 09:00:00.000
A,10.0,0,2025-03-05,2025-03-05 12:00:00.001,2025-03-05 12:00:00.000
B,7.0,1,2025-12-31,2025-12-31 23:59:59.999,2026-01-01 00:00:00.000
B,5.0,false,2024-12-31,2024-12-31 10:00:00.000,2024-12-31 11:00:00.000
",
    );
    for r in [&canonical, &other, &exported] {
        assert!(r.data.rejects.is_empty(), "{:?}", r.data.rejects);
        let a = &r.data.inputs.iter().find(|i| i.dataset == "t").unwrap();
        assert_eq!((a.accounting.counted, a.accounting.out_of_period), (4, 1));
        let cell = |ind: &str, unit: &str| {
            let c = &r.measured.cells[ind_index(r, ind)][unit_index(r, unit)];
            (c.value, c.n)
        };
        // A: Σ n where ok = 3 + (-2) = 1 (line 4 is not ok); on time:
        // line 2 only, 1 of 3.
        assert_eq!(cell("sum", "A"), (Some(1.0), 2));
        let (v, n) = cell("ontime", "A");
        some_close(v, 1.0 / 3.0);
        assert_eq!(n, 3);
        // B: line 5 only (line 6 is out of the period): Σ n = 7, on time.
        assert_eq!(cell("sum", "B"), (Some(7.0), 1));
        assert_eq!(cell("ontime", "B"), (Some(1.0), 1));
    }
}
