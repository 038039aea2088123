//! docs/scheme.md section 3, the objection register (异议登记): its
//! status replaces the record's `objection` column for the unit's own
//! records; rows naming no record, another unit's record, or a record
//! twice are rejected with their line; pending objections past
//! `reply_days` working days are overdue.

mod common;
use common::*;

use govtrust::data::objections::{DATASET, Status};

const UNITS: &str = "unit_id,unit_name,group\nA,甲局,dept\nB,乙局,dept\n";

fn scheme(extra: &str) -> String {
    let header = HEADER.replace("period = {", &format!("{extra}period = {{"));
    format!(
        r#"{header}
[objections]
file = "objections.csv"

[datasets.recs]
title = "失信记录"
file = "recs.csv"
key = "key"
unit = "unit"
date = "day"
[datasets.recs.columns]
key = "string"
unit = "string"
day = "date"
objection = "string?"
sev = "string"

[[indicator]]
id = "ded"
weight = 1
dataset = "recs"
measure = {{ kind = "deduction", points = {{ column = "sev", map = {{ 一般 = 2, 较重 = 5 }} }} }}
score = {{ kind = "deduction" }}
"#
    )
}

// Points: 一般 2, 较重 5. Without the register A has r1 + r2 + r3 =
// 2 + 2 + 5 = 9, B has r4 + r5 = 4.
const RECS: &str = "key,unit,day,objection,sev
r1,A,2025-03-01,,一般
r2,A,2025-04-01,pending,一般
r3,A,2025-05-01,,较重
r4,B,2025-06-01,,一般
r5,B,2025-07-01,,一般
";

// Lines (header = 1):
// 2 r1 upheld: r1 never counts.
// 3 r2 rejected: replaces the column's pending; r2 counts.
// 4 r3 pending, filed Mon 2025-12-01: due 15 working days later, Mon
//   2025-12-22 (no calendar: Monday-Friday); overdue as of 2025-12-31.
// 5 r4 is B's record, claimed by A: rejected.
// 6 r99 names no record: rejected.
// 7 r5 pending, filed Wed 2025-12-24: due 2026-01-14 (Dec 25, 26, 29, 30,
//   31, Jan 1, 2, 5-9, 12, 13, 14 = 15 working days); not overdue.
// 8 r1 again: rejected (one row per record).
// 9 a status that is not one: rejected.
const REGISTER: &str = "dataset,record_key,unit_id,filed_on,reason,status,decided_on,reply
recs,r1,A,2025-12-01,记录有误,upheld,2025-12-10,经核实记录有误
recs,r2,A,2025-11-03,已整改,rejected,2025-11-20,不予采纳
recs,r3,A,2025-12-01,重复记录,pending,,
recs,r4,A,2025-12-01,不是本单位,pending,,
recs,r99,B,2025-12-01,,pending,,
recs,r5,B,2025-12-24,,待处理,,
recs,r1,A,2025-12-02,再次异议,pending,,
recs,r5,B,2025-12-24,,maybe,,
";

fn fixture(extra: &str) -> Fixture {
    let f = Fixture::new();
    f.scheme("scheme.toml", &scheme(extra))
        .data("units.csv", UNITS)
        .data("recs.csv", RECS)
        .data("objections.csv", REGISTER);
    f
}

#[test]
fn the_register_overrides_the_objection_column_for_the_units_own_records() {
    let run = fixture("").run();
    // A: r2 (2, objection rejected) + r3 (5, pending counts) = 7 → 93;
    // without the register 9 → 91. B: r4 + r5 = 4 → 96 (A's claim on r4
    // is rejected, so r4 still counts for B).
    close(unit(&run, "A").total, 93.0);
    close(unit(&run, "B").total, 96.0);
    let recs = run
        .data
        .inputs
        .iter()
        .find(|i| i.dataset == "recs")
        .unwrap();
    // r1 excluded by status (upheld); pending: r3 and r5, not r2.
    assert_eq!(recs.accounting.excluded_by_status, 1);
    assert_eq!(recs.pending_objections, 2);
    let keys: Vec<(&str, &str)> = run
        .evidence
        .iter()
        .map(|e| (e.record_key.as_str(), e.note.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("r2", ""),
            ("r3", "pending objection"),
            ("r4", ""),
            ("r5", "pending objection")
        ]
    );
}

#[test]
fn register_rows_naming_no_record_another_units_record_or_a_record_twice_are_rejected() {
    let run = fixture("").run();
    let reg = run.data.register.as_ref().unwrap();
    let rejected: Vec<(u64, &str, &str)> = run
        .data
        .rejects
        .iter()
        .filter(|r| r.dataset == DATASET)
        .map(|r| (r.line, r.column.as_str(), r.value.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            (5, "record_key", "r4"),
            (6, "record_key", "r99"),
            (8, "record_key", "r1"),
            (9, "status", "maybe")
        ]
    );
    let reason = |line: u64| {
        &run.data
            .rejects
            .iter()
            .find(|r| r.dataset == DATASET && r.line == line)
            .unwrap()
            .reason
    };
    assert!(
        reason(5).contains("charged to unit B, not to A"),
        "{}",
        reason(5)
    );
    assert!(reason(6).contains("names no record"), "{}", reason(6));
    assert!(reason(8).contains("line 2"), "{}", reason(8));
    // Every row ends applied or rejected.
    assert_eq!(reg.input.accounting.rows_read, 8);
    assert_eq!(reg.input.accounting.counted, 4);
    assert_eq!(reg.input.accounting.rejected, 4);
    assert!(reg.input.accounting.balanced());
    let lines: Vec<u64> = reg.rows.iter().map(|o| o.line).collect();
    assert_eq!(lines, [2, 3, 4, 7]);
}

#[test]
fn pending_objections_past_reply_days_are_overdue_as_of_the_period_end_or_bulletin_date() {
    let run = fixture("").run();
    let reg = run.data.register.as_ref().unwrap();
    let due: Vec<(u64, String, bool)> = reg
        .rows
        .iter()
        .map(|o| (o.line, o.due_on.to_string(), o.overdue))
        .collect();
    assert_eq!(
        due,
        [
            // Filed Mon 2025-12-01 + 15 working days; decided: not overdue.
            (2, "2025-12-22".into(), false),
            (3, "2025-11-24".into(), false),
            (4, "2025-12-22".into(), true),
            (7, "2026-01-14".into(), false),
        ]
    );
    assert_eq!(reg.as_of.to_string(), "2025-12-31");
    // As of a bulletin dated 2026-01-15, r5's objection (due 01-14) is
    // overdue too.
    let f = fixture("");
    f.scheme("bulletin.toml", "[bulletin]\ndate = 2026-01-15\n");
    let run = f.run();
    let overdue: Vec<u64> = run
        .data
        .register
        .as_ref()
        .unwrap()
        .overdue()
        .map(|o| o.line)
        .collect();
    assert_eq!(overdue, [4, 7]);
    // Shorter reply_days: 2025-12-01 + 5 working days = 2025-12-08.
    let f = Fixture::new();
    f.scheme(
        "scheme.toml",
        &scheme("").replace(
            "file = \"objections.csv\"",
            "file = \"objections.csv\"\nreply_days = 5",
        ),
    )
    .data("units.csv", UNITS)
    .data("recs.csv", RECS)
    .data("objections.csv", REGISTER);
    let run = f.run();
    let r3 = run
        .data
        .register
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .find(|o| o.line == 4)
        .unwrap();
    assert_eq!(r3.due_on.to_string(), "2025-12-08");
    assert_eq!(r3.status, Status::Pending);
}

#[test]
fn pending_objections_from_the_register_can_be_excluded() {
    // exclude: A counts r2 only (2) → 98; B counts r4 only (2) → 98.
    let run = fixture("pending_objections = \"exclude\"\n").run();
    close(unit(&run, "A").total, 98.0);
    close(unit(&run, "B").total, 98.0);
}

#[test]
fn a_named_register_that_is_missing_or_lacks_a_column_is_an_error() {
    let f = Fixture::new();
    f.scheme("scheme.toml", &scheme(""))
        .data("units.csv", UNITS)
        .data("recs.csv", RECS);
    let e = f.err();
    assert!(
        e.contains("objections.csv") && e.contains("does not exist"),
        "{e}"
    );
    f.data(
        "objections.csv",
        "dataset,record_key,unit_id,filed_on,status\n",
    );
    let e = f.err();
    assert!(e.contains("no column \"reason\""), "{e}");
}

#[test]
fn the_objections_section_is_checked() {
    let f = Fixture::new();
    f.scheme(
        "scheme.toml",
        &scheme("").replace(
            "file = \"objections.csv\"",
            "file = \"../objections.csv\"\nreply_days = 0\nencoding = \"big5\"",
        ),
    )
    .data("units.csv", UNITS)
    .data("recs.csv", RECS);
    let e = f.err();
    assert!(e.contains("leaves the data directory"), "{e}");
    assert!(e.contains("reply_days must be a whole number"), "{e}");
    assert!(e.contains("big5") && e.contains("gb18030"), "{e}");
}
