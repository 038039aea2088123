//! docs/scheme.md section 3, repairs through the register (信用修复): a
//! register row's `repaired_on` replaces the record's, for the unit's own
//! record; repaired on or before the period end, its deduction is
//! multiplied by `repair_factor`; a later date leaves it unrepaired; a
//! date on a dataset without a `repaired_on` column is rejected.

mod common;
use common::*;

const UNITS: &str = "unit_id,unit_name,group\nA,甲局,dept\nB,乙局,dept\n";

fn scheme() -> String {
    let header = HEADER.replace("period = {", "repair_factor = 0.5\nperiod = {");
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
sev = "string"
repaired_on = "date?"

[datasets.plain]
title = "投诉"
file = "plain.csv"
key = "key"
unit = "unit"
date = "day"
[datasets.plain.columns]
key = "string"
unit = "string"
day = "date"

[[indicator]]
id = "ded"
weight = 1
dataset = "recs"
measure = {{ kind = "deduction", points = {{ column = "sev", map = {{ 一般 = 2, 较重 = 4 }} }} }}
score = {{ kind = "deduction" }}

[[indicator]]
id = "complaints"
weight = 1
dataset = "plain"
measure = {{ kind = "deduction", points = 1 }}
score = {{ kind = "deduction" }}
"#
    )
}

// Points: 一般 2, 较重 4. Without the register A has r1 (4) + r2 (2) +
// r3 (4, repaired in the file on 2025-06-01: ×0.5 = 2) = 8; B has r4 = 2.
const RECS: &str = "key,unit,day,sev,repaired_on
r1,A,2025-03-01,较重,
r2,A,2025-04-01,一般,
r3,A,2025-05-01,较重,2025-06-01
r4,B,2025-06-01,一般,
";
const PLAIN: &str = "key,unit,day\np1,A,2025-02-01\n";

// Lines (header = 1):
// 2 r1 repaired 2025-11-30 (status none): 4 × 0.5 = 2.
// 3 r2 repaired 2026-01-15, after the period end: unrepaired, 2.
// 4 r3 objection rejected, no repair date in the register: the file's
//   own repaired_on stands, 2.
// 5 r4 is B's record, claimed by A: rejected; B keeps 2.
// 6 p1 on a dataset with no repaired_on column: rejected; A keeps 1.
const REGISTER: &str =
    "dataset,record_key,unit_id,filed_on,reason,status,decided_on,reply,repaired_on
recs,r1,A,2025-12-01,已整改,none,2025-12-05,准予修复,2025-11-30
recs,r2,A,2025-12-01,已整改,none,2025-12-05,准予修复,2026-01-15
recs,r3,A,2025-12-01,记录有误,rejected,2025-12-05,维持,
recs,r4,A,2025-12-01,已整改,none,2025-12-05,准予修复,2025-11-30
plain,p1,A,2025-12-01,已整改,none,2025-12-05,准予修复,2025-11-30
";

fn fixture(register: &str) -> Fixture {
    let f = Fixture::new();
    f.scheme("scheme.toml", &scheme())
        .data("units.csv", UNITS)
        .data("recs.csv", RECS)
        .data("plain.csv", PLAIN)
        .data("objections.csv", register);
    f
}

/// Points per record key, from the evidence.
fn points(run: &govtrust::run::Run) -> Vec<(String, f64, String)> {
    run.evidence
        .iter()
        .map(|e| (e.record_key.clone(), e.points, e.note.clone()))
        .collect()
}

#[test]
fn a_repair_date_in_the_register_replaces_the_records() {
    let run = fixture(REGISTER).run();
    let p = points(&run);
    let get = |k: &str| p.iter().find(|x| x.0 == k).unwrap().clone();
    assert_eq!(get("r1").1, -2.0, "repaired in the period: 4 × 0.5");
    assert!(get("r1").2.contains("repaired"), "{:?}", get("r1"));
    assert_eq!(
        get("r2").1,
        -2.0,
        "repaired after the period end: unrepaired"
    );
    assert!(!get("r2").2.contains("repaired"));
    assert_eq!(get("r3").1, -2.0, "the file's own repair stands");
    assert_eq!(get("r4").1, -2.0, "A cannot repair B's record");
    assert_eq!(get("p1").1, -1.0);
    // Deductions come off the total: A loses ded 2 + 2 + 2 = 6 and
    // complaints 1, so 100 − 7 = 93 (without the register's repairs
    // 8 + 1 → 91).
    close(unit(&run, "A").total, 93.0);
    let reg = run.data.register.as_ref().unwrap();
    let rejected: Vec<(u64, &str, &str)> = reg
        .rejects
        .iter()
        .map(|r| (r.line, r.column.as_str(), r.code()))
        .collect();
    assert_eq!(
        rejected,
        [
            (5, "record_key", "other_units_record"),
            (6, "repaired_on", "not_repairable")
        ]
    );
}

#[test]
fn a_register_without_the_repair_column_changes_nothing_of_the_repairs() {
    // The same rows without `repaired_on`: only the file's own repair
    // (r3) applies. A: ded 4 + 2 + 2 = 8, complaints 1: 100 − 9 = 91.
    let eight: String = REGISTER
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect();
    let run = fixture(&eight).run();
    close(unit(&run, "A").total, 91.0);
}
