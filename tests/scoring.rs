//! docs/scheme.md sections 5-8 through the whole pipeline: missing values,
//! min_n, applies_to, shrink; score kinds within peer groups;
//! aggregation, bonus, penalty and veto; rounding, ranks and grades.

mod common;
use common::*;

const UNITS: &str = "unit_id,unit_name,group\nA,甲,g1\nB,乙,g1\nC,丙,g1\nD,丁,g1\nE,戊,g2\n";

/// A: 30 tickets, 27 ok; B: 5, all ok; C: none; D: 30, 15 ok; E: 10, all ok.
fn tickets() -> String {
    let mut s = String::from("unit,ok\n");
    for (u, n, ok) in [("A", 30, 27), ("B", 5, 5), ("D", 30, 15), ("E", 10, 10)] {
        for k in 0..n {
            s.push_str(&format!("{u},{}\n", k < ok));
        }
    }
    s
}

const TK: &str = r#"
[datasets.tk]
file = "tk.csv"
unit = "unit"
[datasets.tk.columns]
unit = "string"
ok = "bool"
"#;

fn missing_fixture(policy_line: &str) -> Fixture {
    let f = Fixture::new();
    f.scheme(
        "s.toml",
        &format!(
            r#"{HEADER}{TK}{SURVEY_DATASET}
[[node]]
id = "n1"
weight = 1

[[indicator]]
id = "s"
parent = "n1"
weight = 1
dataset = "tk"
applies_to = ["g1"]
measure = {{ kind = "share", where = "ok" }}
min_n = 10
{policy_line}
score = {{ kind = "target", target = 1, floor = 0 }}

{}
[[indicator]]
id = "shr"
weight = 1
dataset = "tk"
measure = {{ kind = "share", where = "ok" }}
shrink = 10
score = {{ kind = "target", target = 1, floor = 0 }}
"#,
            survey_indicator("v", Some("n1"), 1.0)
        ),
    )
    .data("units.csv", UNITS)
    .data("tk.csv", &tickets())
    .data(
        "survey.csv",
        "unit_id,indicator_id,value\nA,v,50\nB,v,60\nC,v,70\nD,v,80\nE,v,90\n",
    );
    f
}

#[test]
fn reweight_leaves_missing_values_out() {
    let run = missing_fixture("").run();
    // B has 5 < min_n 10 tickets, C none: missing. Node n1 of B is then its
    // other child alone: v = 60/100 -> n1 points = 0.6 × 50 = 30.
    assert_eq!(cell(&run, "s", "B").status.as_str(), "missing");
    assert_eq!(cell(&run, "s", "C").status.as_str(), "missing");
    assert_eq!(cell(&run, "s", "B").attainment, None);
    some_close(node_points(&run, "n1", "B"), 30.0);
    // A: s = 27/30 = 0.9, v = 0.5 -> n1 = 0.7 × 50 = 35.
    some_close(node_points(&run, "n1", "A"), 35.0);
    // E's group is not in applies_to: n/a, reweighted away.
    assert_eq!(cell(&run, "s", "E").status.as_str(), "n/a");
    some_close(node_points(&run, "n1", "E"), 45.0);
}

#[test]
fn zero_policy_imputes_zero() {
    let run = missing_fixture("missing = \"zero\"").run();
    let b = cell(&run, "s", "B");
    assert_eq!(
        (b.status.as_str(), b.attainment, b.points),
        ("imputed", Some(0.0), Some(0.0))
    );
    // B: n1 = (0 + 0.6) / 2 × 50 = 15.
    some_close(node_points(&run, "n1", "B"), 15.0);
    // n/a stays n/a whatever the policy.
    assert_eq!(cell(&run, "s", "E").status.as_str(), "n/a");
}

#[test]
fn mean_policy_imputes_the_group_mean() {
    let run = missing_fixture("missing = \"mean\"").run();
    // Group g1's scored units: A 0.9, D 15/30 = 0.5 -> mean 0.7 for B and C.
    some_close(cell(&run, "s", "B").attainment, 0.7);
    some_close(cell(&run, "s", "C").attainment, 0.7);
    assert_eq!(cell(&run, "s", "C").status.as_str(), "imputed");
    // B: n1 = (0.7 + 0.6) / 2 × 50 = 32.5.
    some_close(node_points(&run, "n1", "B"), 32.5);
}

#[test]
fn scheme_default_policy_applies_when_the_indicator_has_none() {
    let f = missing_fixture("");
    let text = std::fs::read_to_string(f.scheme_dir().join("s.toml"))
        .unwrap()
        .replace("period = {", "missing = \"zero\"\nperiod = {");
    f.scheme("s.toml", &text);
    let run = f.run();
    assert_eq!(cell(&run, "s", "B").attainment, Some(0.0));
}

#[test]
fn shrink_pulls_small_samples_to_the_pooled_value() {
    let run = missing_fixture("").run();
    // Group g1 pooled: (27 + 5 + 15) / (30 + 5 + 30) = 47/65.
    // B: (5 × 1 + 10 × 47/65) / (5 + 10) = 795/975.
    // A: (30 × 0.9 + 10 × 47/65) / 40 = 2225/2600.
    // D: (30 × 0.5 + 10 × 47/65) / 40 = 1445/2600.
    some_close(cell(&run, "shr", "B").value, 795.0 / 975.0);
    some_close(cell(&run, "shr", "A").value, 2225.0 / 2600.0);
    some_close(cell(&run, "shr", "D").value, 1445.0 / 2600.0);
    assert_eq!(cell(&run, "shr", "A").status.as_str(), "shrunk");
    // E is alone in g2: pooled = its own 1.0, so (10 + 10) / 20 = 1.
    some_close(cell(&run, "shr", "E").value, 1.0);
    // C has no tickets: missing, not shrunk.
    assert_eq!(cell(&run, "shr", "C").status.as_str(), "missing");
    // The shrunk value is what is scored: target 1, floor 0 -> attainment = value.
    some_close(cell(&run, "shr", "B").attainment, 795.0 / 975.0);
}

fn kinds_fixture(score: &str) -> govtrust::run::Run {
    let f = Fixture::new();
    f.scheme(
        "s.toml",
        &format!(
            "{HEADER}{SURVEY_DATASET}[[indicator]]\nid = \"k\"\nweight = 1\ndataset = \"survey\"\nmeasure = {{ kind = \"value\" }}\nscore = {score}\n"
        ),
    )
    .data("units.csv", UNITS)
    // g1: A 10, B 20, C 30, D 20; g2: E 5 alone.
    .data("survey.csv", "unit_id,indicator_id,value\nA,k,10\nB,k,20\nC,k,30\nD,k,20\nE,k,5\n");
    f.run()
}

#[test]
fn relative_kinds_compare_within_the_peer_group() {
    // minmax over g1 (10..30): A 0, B 0.5, C 1, D 0.5; E alone -> 1.
    let run = kinds_fixture("{ kind = \"minmax\" }");
    let a: Vec<f64> = ["A", "B", "C", "D", "E"]
        .iter()
        .map(|u| cell(&run, "k", u).attainment.unwrap())
        .collect();
    assert_eq!(a, vec![0.0, 0.5, 1.0, 0.5, 1.0]);
    // rank, lower is better: A beats 3 of 3 -> 1; B and D beat C only ->
    // 1/3; C beats nobody -> 0.
    let run = kinds_fixture("{ kind = \"rank\", direction = \"lower\" }");
    let a: Vec<f64> = ["A", "B", "C", "D", "E"]
        .iter()
        .map(|u| cell(&run, "k", u).attainment.unwrap())
        .collect();
    assert_eq!(a, vec![1.0, 1.0 / 3.0, 0.0, 1.0 / 3.0, 1.0]);
    // zscore: g1 mean 20, sample sd sqrt(200/3); C: z = 10 / 8.1650 = 1.2247.
    let run = kinds_fixture("{ kind = \"zscore\" }");
    let z = 10.0 / (200.0f64 / 3.0).sqrt();
    some_close(
        cell(&run, "k", "C").attainment,
        govtrust::score::kinds::phi(z),
    );
    some_close(cell(&run, "k", "B").attainment, 0.5);
    some_close(cell(&run, "k", "E").attainment, 1.0);
}

#[test]
fn absolute_kinds_through_the_pipeline() {
    // shortfall: target 25, each 1 below deducts 0.5 of 100 points:
    // A (10): 1 - 7.5/100 = 0.925; C (30): 1.
    let run = kinds_fixture("{ kind = \"shortfall\", target = 25, per = 1, deduct = 0.5 }");
    some_close(cell(&run, "k", "A").attainment, 0.925);
    some_close(cell(&run, "k", "C").attainment, 1.0);
    // bands: >= 25 -> 1, >= 15 -> 0.6, else 0.
    let run = kinds_fixture("{ kind = \"bands\", bands = [[25, 1.0], [15, 0.6]] }");
    let a: Vec<f64> = ["A", "B", "C"]
        .iter()
        .map(|u| cell(&run, "k", u).attainment.unwrap())
        .collect();
    assert_eq!(a, vec![0.0, 0.6, 1.0]);
    // deduction with cap 15 of 100 points: A (10) -> 0.9; C (30) -> 0.85.
    let run = kinds_fixture("{ kind = \"deduction\", cap = 15 }");
    some_close(cell(&run, "k", "A").attainment, 0.9);
    some_close(cell(&run, "k", "C").attainment, 0.85);
    // minmax with range [0.6, 1]: B = 0.6 + 0.4 × 0.5 = 0.8.
    let run = kinds_fixture("{ kind = \"minmax\", range = [0.6, 1.0] }");
    some_close(cell(&run, "k", "B").attainment, 0.8);
}

/// Tree: n1 (60) = i1 (1) + i2 (3); n2 (40) = i3. Points: i1 15, i2 45, i3 40.
fn tree_fixture(
    agg: &str,
    rules: &str,
    survey: &str,
    extra: &[(&str, &str)],
) -> govtrust::run::Run {
    let f = Fixture::new();
    let header = HEADER.replace(
        "period = {",
        &format!("aggregation = \"{agg}\"\nperiod = {{"),
    );
    f.scheme(
        "s.toml",
        &format!(
            "{header}{SURVEY_DATASET}[[node]]\nid = \"n1\"\nweight = 60\n[[node]]\nid = \"n2\"\nweight = 40\n{}{}{}{rules}",
            survey_indicator("i1", Some("n1"), 1.0),
            survey_indicator("i2", Some("n1"), 3.0),
            survey_indicator("i3", Some("n2"), 1.0),
        ),
    )
    .data("units.csv", UNITS)
    .data("survey.csv", survey);
    for (name, text) in extra {
        f.data(name, text);
    }
    f.run()
}

const SURVEY: &str = "unit_id,indicator_id,value
A,i1,80\nA,i2,40\nA,i3,50
B,i1,80\nB,i3,50
C,i1,0\nC,i2,100\nC,i3,100
D,i1,100\nD,i2,100\nD,i3,100
E,i1,100\nE,i2,100\nE,i3,100
";

#[test]
fn arithmetic_aggregation_and_reweighting() {
    let run = tree_fixture("arithmetic", "", SURVEY, &[]);
    // A: n1 = (1 × 0.8 + 3 × 0.4) / 4 = 0.5 -> 30 points; n2 = 0.5 -> 20;
    // base = (60 × 0.5 + 40 × 0.5) / 100 × 100 = 50.
    some_close(node_points(&run, "n1", "A"), 30.0);
    some_close(node_points(&run, "n2", "A"), 20.0);
    close(unit(&run, "A").base, 50.0);
    // B has no i2 (missing, reweighted): n1 = 0.8 -> 48; base = 0.6 × 0.8
    // + 0.4 × 0.5 = 0.68 -> 68. i1's own points stay 15 × 0.8 = 12.
    some_close(node_points(&run, "n1", "B"), 48.0);
    close(unit(&run, "B").base, 68.0);
    some_close(cell(&run, "i1", "B").points, 12.0);
}

#[test]
fn geometric_aggregation() {
    let run = tree_fixture("geometric", "", SURVEY, &[]);
    // A: n1 = exp((ln 0.8 + 3 ln 0.4) / 4) = 0.8^0.25 × 0.4^0.75; n2 = 0.5;
    // root = n1^0.6 × n2^0.4.
    let n1 = 0.8f64.powf(0.25) * 0.4f64.powf(0.75);
    some_close(node_points(&run, "n1", "A"), n1 * 60.0);
    let root = n1.powf(0.6) * 0.5f64.powf(0.4);
    close(unit(&run, "A").base, root * 100.0);
    // C has a zero child: n1 = 0, and so the root is 0.
    some_close(node_points(&run, "n1", "C"), 0.0);
    close(unit(&run, "C").base, 0.0);
}

const RULES: &str = r#"
[datasets.h]
file = "h.csv"
unit = "unit"
[datasets.h.columns]
unit = "string"
level = "string"
kind = "string"
repaired_on = "date?"

[[bonus]]
id = "b1"
dataset = "h"
where = "kind = '荣誉'"
points = { column = "level", map = { 国家级 = 3, 省级 = 1 } }
cap = 4

[[bonus]]
id = "b2"
dataset = "h"
where = "kind = '创新'"
points = 2

[[penalty]]
id = "p1"
dataset = "h"
where = "kind = '违约'"
points = 4
cap = 6

[[veto]]
id = "v1"
dataset = "h"
where = "kind = '造假'"
grade = "合格"

[[grade]]
name = "优秀"
min = 90
[[grade]]
name = "合格"
min = 60
[[grade]]
name = "不合格"
min = 0
"#;

const H: &str = "unit,level,kind,repaired_on
A,国家级,荣誉,
A,国家级,荣誉,
A,省级,创新,
B,省级,违约,
B,省级,违约,2025-06-01
B,省级,违约,
C,省级,违约,
C,省级,违约,
D,省级,造假,
D,国家级,荣誉,
";

fn rules_run(bonus_cap: Option<f64>) -> govtrust::run::Run {
    let cap = bonus_cap
        .map(|c| format!("bonus_cap = {c}"))
        .unwrap_or_default();
    let f = Fixture::new();
    let header = HEADER.replace("period = {", &format!("{cap}\nperiod = {{"));
    f.scheme(
        "s.toml",
        &format!(
            "{header}{SURVEY_DATASET}{}{RULES}",
            survey_indicator("i1", None, 1.0)
        ),
    )
    .data("units.csv", UNITS)
    .data(
        "survey.csv",
        "unit_id,indicator_id,value\nA,i1,80\nB,i1,90\nC,i1,5\nD,i1,99\nE,i1,70\n",
    )
    .data("h.csv", H);
    f.run()
}

#[test]
fn bonus_penalty_caps_and_floor_at_zero() {
    let run = rules_run(None);
    // A: b1 = 3 + 3 = 6, capped at 4; b2 = 2 -> bonus 6; total 80 + 6 = 86.
    let a = unit(&run, "A");
    assert_eq!((a.bonus, a.penalty, a.total), (6.0, 0.0, 86.0));
    // B: p1 = 4 + 4 × 0.5 (repaired) + 4 = 10, capped at 6 -> 90 - 6 = 84.
    let b = unit(&run, "B");
    assert_eq!((b.penalty, b.total), (6.0, 84.0));
    // C: 5 - 6 -> never below 0.
    assert_eq!(unit(&run, "C").total, 0.0);
    // Evidence keeps points before caps, signed.
    let ev: Vec<f64> = run
        .evidence
        .iter()
        .filter(|e| e.rule_id == "p1" && run.data.units.ids[e.unit] == "B")
        .map(|e| e.points)
        .collect();
    assert_eq!(ev, vec![-4.0, -2.0, -4.0]);
    let ev: Vec<f64> = run
        .evidence
        .iter()
        .filter(|e| e.rule_id == "b1" && run.data.units.ids[e.unit] == "A")
        .map(|e| e.points)
        .collect();
    assert_eq!(ev, vec![3.0, 3.0]);
}

#[test]
fn bonus_cap_limits_all_bonuses_together() {
    // A's bonuses 4 + 2 = 6, bonus_cap 5 -> 85.
    let run = rules_run(Some(5.0));
    assert_eq!((unit(&run, "A").bonus, unit(&run, "A").total), (5.0, 85.0));
}

#[test]
fn veto_sets_the_grade_and_ranks_last() {
    let run = rules_run(None);
    let d = unit(&run, "D");
    // D: 99 + 3 = 102 but vetoed: grade 合格 (the veto's), ranked after
    // every unit of g1 that is not vetoed (A 86, B 84, C 0 -> D is 4th).
    assert_eq!(d.total, 102.0);
    assert_eq!(run.scheme.grades[d.grade.unwrap()].name, "合格");
    assert_eq!(d.rank, 4);
    assert_eq!(unit(&run, "A").rank, 1);
    let ev: Vec<(&str, f64)> = run
        .evidence
        .iter()
        .filter(|e| e.rule_id == "v1")
        .map(|e| (run.data.units.ids[e.unit].as_str(), e.points))
        .collect();
    assert_eq!(ev, vec![("D", 0.0)]);
}

#[test]
fn rounding_before_ranking_and_quota_grading() {
    let f = Fixture::new();
    f.scheme(
        "s.toml",
        &format!(
            "{HEADER}{SURVEY_DATASET}{}[[grade]]\nname = \"优秀\"\nmin = 90\nquota = 0.4\n[[grade]]\nname = \"良好\"\nmin = 80\n[[grade]]\nname = \"一般\"\nmin = 0\n",
            survey_indicator("i1", None, 1.0)
        ),
    )
    .data("units.csv", "unit_id,unit_name,group\nA,a,g\nB,b,g\nC,c,g\nD,d,g\nE,e,g\n")
    // A 84.125 rounds (half away from zero) to 84.13 and ties with B;
    // C 95 is first, D and E tie at 92.5.
    .data("survey.csv", "unit_id,indicator_id,value\nA,i1,84.125\nB,i1,84.13\nC,i1,95\nD,i1,92.5\nE,i1,92.5\n");
    let run = f.run();
    assert_eq!(unit(&run, "A").total, 84.13);
    assert_eq!(unit(&run, "A").rank, unit(&run, "B").rank);
    // Ranks: C 1, D and E 2, A and B 4.
    let ranks: Vec<usize> = ["A", "B", "C", "D", "E"]
        .iter()
        .map(|u| unit(&run, u).rank)
        .collect();
    assert_eq!(ranks, vec![4, 4, 1, 2, 2]);
    // 优秀 quota 2: C fits; D and E tie at the boundary (3 > 2) and drop
    // together to 良好. A, B: 良好.
    let g = |u: &str| run.scheme.grades[unit(&run, u).grade.unwrap()].name.clone();
    assert_eq!(g("C"), "优秀");
    assert_eq!(g("D"), "良好");
    assert_eq!(g("E"), "良好");
    assert_eq!(g("A"), "良好");
}
