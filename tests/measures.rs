//! docs/scheme.md section 4: every measure kind, and `workdays(a, b)`, on a
//! hand-computed fixture.

mod common;
use common::*;

const UNITS: &str = "unit_id,unit_name,group,population
A,甲局,dept,2000
B,乙局,dept,500
C,丙局,dept,
D,丁局,dept,0
E,戊局,dept,100
";

// Six counted tickets (A: 1-4, B: 5-6); C, D, E have none.
const TICKETS: &str = "id,unit,day,cat,late,amount,cost,sat,sev
1,A,2025-01-10,投诉,false,10,5,5,一般
2,A,2025-02-10,投诉,true,20,5,3,较重
3,A,2025-03-10,咨询,false,30,10,,一般
4,A,2025-04-10,求助,true,40,20,4,一般
5,B,2025-01-10,投诉,false,5,5,2,较重
6,B,2025-01-11,咨询,false,,5,,
";

const DATASETS: &str = r#"
[datasets.tickets]
file = "tickets.csv"
key = "id"
unit = "unit"
date = "day"
[datasets.tickets.columns]
id = "string"
unit = "string"
day = "date"
cat = "string"
late = "bool"
amount = "float?"
cost = "float"
sat = "int?"
sev = "string?"
"#;

fn indicator(id: &str, measure: &str) -> String {
    format!(
        "[[indicator]]\nid = \"{id}\"\nweight = 1\ndataset = \"tickets\"\nmeasure = {measure}\nscore = {{ kind = \"target\", target = 1000, floor = 0 }}\n"
    )
}

fn fixture() -> Fixture {
    let f = Fixture::new();
    let inds = [
        ("cnt", r#"{ kind = "count", where = "cat = '投诉'" }"#),
        ("cnt_all", r#"{ kind = "count" }"#),
        (
            "cnt_per",
            r#"{ kind = "count", where = "cat = '投诉'", per = "population", scale = 1000 }"#,
        ),
        (
            "sum",
            r#"{ kind = "sum", expr = "amount", where = "cat <> '咨询'" }"#,
        ),
        ("sum_all", r#"{ kind = "sum", expr = "amount" }"#),
        ("mean", r#"{ kind = "mean", expr = "sat" }"#),
        (
            "share",
            r#"{ kind = "share", of = "cat <> '咨询'", where = "late" }"#,
        ),
        ("share_all", r#"{ kind = "share", where = "late" }"#),
        (
            "ratio",
            r#"{ kind = "ratio", num = "amount", den = "cost", where = "cat = '投诉'" }"#,
        ),
        (
            "ded",
            r#"{ kind = "deduction", points = { column = "sev", map = { 一般 = 2, 较重 = 5 } } }"#,
        ),
        (
            "ded_where",
            r#"{ kind = "deduction", where = "cat = '投诉'", points = { column = "sev", map = { 一般 = 2, 较重 = 5 } } }"#,
        ),
    ];
    let mut scheme = format!("{HEADER}{DATASETS}{SURVEY_DATASET}");
    for (id, m) in inds {
        scheme.push_str(&indicator(id, m));
    }
    scheme.push_str(&survey_indicator("val", None, 1.0));
    f.scheme("scheme.toml", &scheme)
        .data("units.csv", UNITS)
        .data("tickets.csv", TICKETS)
        .data(
            "survey.csv",
            "unit_id,indicator_id,value\nA,val,88.5\nB,other,70\n",
        );
    f
}

/// (value, n) as measured.
fn measured(run: &govtrust::run::Run, ind: &str, unit: &str) -> (Option<f64>, u64) {
    let c = run.measured.cells[ind_index(run, ind)][unit_index(run, unit)];
    (c.value, c.n)
}

#[test]
fn count_with_and_without_where() {
    let run = fixture().run();
    // 投诉: A rows 1, 2; B row 5; none for C.
    assert_eq!(measured(&run, "cnt", "A"), (Some(2.0), 2));
    assert_eq!(measured(&run, "cnt", "B"), (Some(1.0), 1));
    assert_eq!(measured(&run, "cnt", "C"), (Some(0.0), 0));
    // All records: A 4, B 2 (a literal "true" must count rows, not 1).
    assert_eq!(measured(&run, "cnt_all", "A"), (Some(4.0), 4));
    assert_eq!(measured(&run, "cnt_all", "B"), (Some(2.0), 2));
}

#[test]
fn count_per_attribute_and_scale() {
    let run = fixture().run();
    // A: 2 / 2000 × 1000 = 1; B: 1 / 500 × 1000 = 2.
    assert_eq!(measured(&run, "cnt_per", "A").0, Some(1.0));
    assert_eq!(measured(&run, "cnt_per", "B").0, Some(2.0));
    // C: empty population, D: zero population -> missing.
    assert_eq!(measured(&run, "cnt_per", "C").0, None);
    assert_eq!(measured(&run, "cnt_per", "D").0, None);
    assert_eq!(cell(&run, "cnt_per", "D").status.as_str(), "missing");
    // E: no records, population 100 -> 0 / 100 = 0, a real zero.
    assert_eq!(measured(&run, "cnt_per", "E").0, Some(0.0));
    assert_eq!(cell(&run, "cnt_per", "E").status.as_str(), "ok");
}

#[test]
fn sum_skips_nulls_and_needs_records() {
    let run = fixture().run();
    // A, not 咨询: 10 + 20 + 40 = 70 over 3 records; B: row 5 only, 5.
    assert_eq!(measured(&run, "sum", "A"), (Some(70.0), 3));
    assert_eq!(measured(&run, "sum", "B"), (Some(5.0), 1));
    // All rows: A 100 (n 4); B 5 + null = 5 (n 2).
    assert_eq!(measured(&run, "sum_all", "A"), (Some(100.0), 4));
    assert_eq!(measured(&run, "sum_all", "B"), (Some(5.0), 2));
    // C has no records: n = 0, missing.
    assert_eq!(measured(&run, "sum", "C"), (None, 0));
    assert_eq!(cell(&run, "sum", "C").status.as_str(), "missing");
}

#[test]
fn mean_counts_non_null_values() {
    let run = fixture().run();
    // A: sat 5, 3, null, 4 -> 12 / 3 = 4, n 3; B: 2 / 1.
    assert_eq!(measured(&run, "mean", "A"), (Some(4.0), 3));
    assert_eq!(measured(&run, "mean", "B"), (Some(2.0), 1));
    assert_eq!(measured(&run, "mean", "C"), (None, 0));
}

#[test]
fn share_of_and_where() {
    let run = fixture().run();
    // A: of = rows 1, 2, 4 (not 咨询); late among them: 2, 4 -> 2/3, n 3.
    let (v, n) = measured(&run, "share", "A");
    some_close(v, 2.0 / 3.0);
    assert_eq!(n, 3);
    // B: of = row 5, not late -> 0/1.
    assert_eq!(measured(&run, "share", "B"), (Some(0.0), 1));
    // Without `of`: A 2 late of 4 = 0.5; B 0 of 2.
    assert_eq!(measured(&run, "share_all", "A"), (Some(0.5), 4));
    assert_eq!(measured(&run, "share_all", "B"), (Some(0.0), 2));
}

#[test]
fn ratio_of_sums() {
    let run = fixture().run();
    // A 投诉: (10 + 20) / (5 + 5) = 3, n 2; B: 5 / 5 = 1, n 1.
    assert_eq!(measured(&run, "ratio", "A"), (Some(3.0), 2));
    assert_eq!(measured(&run, "ratio", "B"), (Some(1.0), 1));
    // C: Σden = 0 -> not a finite number -> missing.
    assert_eq!(measured(&run, "ratio", "C").0, None);
}

#[test]
fn value_rows_by_indicator_id() {
    let run = fixture().run();
    assert_eq!(measured(&run, "val", "A"), (Some(88.5), 1));
    // B's row is for another indicator: no row, missing.
    assert_eq!(measured(&run, "val", "B").0, None);
    assert_eq!(cell(&run, "val", "B").status.as_str(), "missing");
}

#[test]
fn deduction_sums_mapped_points_and_is_never_missing() {
    let run = fixture().run();
    // A: 一般 2 + 较重 5 + 一般 2 + 一般 2 = 11 over 4 records.
    assert_eq!(measured(&run, "ded", "A"), (Some(11.0), 4));
    // B: 较重 5 + (empty severity: no points) = 5.
    assert_eq!(measured(&run, "ded", "B"), (Some(5.0), 2));
    // C: no records = 0 points, and not missing.
    assert_eq!(measured(&run, "ded", "C"), (Some(0.0), 0));
    assert_eq!(cell(&run, "ded", "C").status.as_str(), "ok");
    // Only 投诉: A rows 1 (2) and 2 (5) = 7.
    assert_eq!(measured(&run, "ded_where", "A"), (Some(7.0), 2));
    // Evidence: every record behind ded_where, points negative.
    let ev: Vec<(String, f64)> = run
        .evidence
        .iter()
        .filter(|e| e.rule_id == "ded_where" && run.data.units.ids[e.unit] == "A")
        .map(|e| (e.record_key.clone(), e.points))
        .collect();
    assert_eq!(ev, vec![("1".to_string(), -2.0), ("2".to_string(), -5.0)]);
}

const PUB: &str = "id,unit,decided,published,received_at
1,A,2025-09-30,2025-10-11,2025-09-30 18:00
2,A,2025-01-24,2025-02-05,2025-01-24 09:00
3,A,2025-03-03,2025-03-03,2025-03-03 10:00
4,A,2025-03-10,2025-03-07,2025-03-10 11:00
5,A,2025-03-10,,2025-03-10 12:00
";

fn workdays_fixture(calendar: Option<&str>) -> Fixture {
    let f = Fixture::new();
    let cal = calendar
        .map(|c| format!("calendar = \"{c}\"\n"))
        .unwrap_or_default();
    let header = HEADER.replace("period = {", &format!("{cal}period = {{"));
    f.scheme(
        "scheme.toml",
        &format!(
            r#"{header}
[datasets.pub]
file = "pub.csv"
unit = "unit"
[datasets.pub.columns]
id = "string"
unit = "string"
decided = "date"
published = "date?"
received_at = "datetime"

[[indicator]]
id = "delay"
weight = 1
dataset = "pub"
measure = {{ kind = "mean", expr = "workdays(decided, published)" }}
score = {{ kind = "target", target = 0, floor = 10 }}

[[indicator]]
id = "timely"
weight = 1
dataset = "pub"
measure = {{ kind = "share", where = "workdays(received_at, published) <= 2" }}
score = {{ kind = "target", target = 1, floor = 0 }}
"#
        ),
    )
    .data("units.csv", "unit_id,unit_name,group\nA,甲,dept\n")
    .data("pub.csv", PUB);
    f
}

#[test]
fn workdays_follow_the_bundled_calendar() {
    let run = workdays_fixture(Some("cn")).run();
    // Row 1: after Tue 2025-09-30 up to Sat 10-11: 10-01..08 are 国庆 holidays,
    //        Thu 10-09 and Fri 10-10 work, Sat 10-11 is a make-up day -> 3.
    // Row 2: after Fri 01-24 up to Wed 02-05: Sat 01-25 off, Sun 01-26
    //        make-up (1), Mon 01-27 (2), 01-28..02-04 春节 off, Wed 02-05 (3) -> 3.
    // Row 3: same day -> 0.  Row 4: b before a: -(Mon 03-10) -> -1.
    // Row 5: published is null -> null, skipped by the mean.
    // Mean = (3 + 3 + 0 - 1) / 4 = 1.25 over n = 4.
    let c = run.measured.cells[ind_index(&run, "delay")][0];
    assert_eq!((c.value, c.n), (Some(1.25), 4));
    // Datetime arguments count by day: rows 3 (0) and 4 (-1) are <= 2;
    // row 5 is null and does not match: 2 of 5.
    assert_eq!(
        run.measured.cells[ind_index(&run, "timely")][0].value,
        Some(0.4)
    );
}

#[test]
fn workdays_without_a_calendar_are_monday_to_friday() {
    let run = workdays_fixture(None).run();
    // Row 1: Wed 10-01 .. Sat 10-11: 10-01, 02, 03, 06, 07, 08, 09, 10 -> 8.
    // Row 2: Mon 01-27 .. Wed 02-05: 27-31 (5) + 02-03, 04, 05 (3) -> 8.
    // Mean = (8 + 8 + 0 - 1) / 4 = 3.75.
    assert_eq!(
        run.measured.cells[ind_index(&run, "delay")][0].value,
        Some(3.75)
    );
}

/// The workdays fixture on a calendar file (in a subdirectory: not read
/// as a scheme file) with only 2025-10-09 off, no make-up days and no
/// `years`.
fn calendar_x_fixture() -> Fixture {
    let f = workdays_fixture(Some("calendars/x.toml"));
    std::fs::create_dir_all(f.scheme_dir().join("calendars")).unwrap();
    std::fs::write(
        f.scheme_dir().join("calendars/x.toml"),
        "name = \"x\"\n[[holiday]]\nfrom = 2025-10-09\n",
    )
    .unwrap();
    f
}

#[test]
fn workdays_with_a_calendar_file() {
    let run = calendar_x_fixture().run();
    // Row 1: weekdays 10-01..10-10 are 8, minus the 10-09 holiday -> 7.
    // Row 2: 8 (no holiday in range). Mean = (7 + 8 + 0 - 1) / 4 = 3.5.
    assert_eq!(
        run.measured.cells[ind_index(&run, "delay")][0].value,
        Some(3.5)
    );
}

/// A calendar that says which years it lists warns when the period or the
/// bulletin date is outside them: there it counts Monday to Friday, and
/// 2027's 春节 would be working days.
#[test]
fn a_period_outside_the_calendars_years_is_warned_of() {
    let covered = |run: &govtrust::run::Run| {
        run.warnings()
            .into_iter()
            .filter(|w| w.contains("工作日历"))
            .collect::<Vec<_>>()
    };
    // The bundled calendar lists 2024-2026 and the fixture's period is
    // 2025: nothing to say.
    assert!(covered(&workdays_fixture(Some("cn")).run()).is_empty());
    // A 2027 period: 2027 is named.
    let f = workdays_fixture(Some("cn"));
    let text = std::fs::read_to_string(f.scheme_dir().join("scheme.toml")).unwrap();
    let moved = text
        .replace("start = 2025-01-01", "start = 2027-01-01")
        .replace("end = 2025-12-31", "end = 2027-12-31");
    assert_ne!(moved, text);
    f.scheme("scheme.toml", &moved);
    let w = covered(&f.run());
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("“中国大陆 2024-2026”只列出2024年至2026年")
            && w[0].contains("所在的2027年未列出"),
        "{}",
        w[0]
    );
    // A calendar file without `years` makes no claim: no warning, in any
    // year.
    let f = calendar_x_fixture();
    f.scheme(
        "scheme.toml",
        &moved.replace("\"cn\"", "\"calendars/x.toml\""),
    );
    assert!(covered(&f.run()).is_empty());
}
