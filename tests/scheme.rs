//! docs/scheme.md sections 1 and 2: loading a scheme, and every problem
//! validation reports, each with file, line and a hint, all at once.

mod common;
use common::*;
use govtrust::scheme::{self, NodeKind};

const DATASET: &str = r#"
[datasets.t]
file = "t.csv"
unit = "unit"
date = "day"
[datasets.t.columns]
unit = "string"
day = "date"
cat = "string"
late = "bool"
"#;

fn ind(id: &str, parent: &str, weight: f64) -> String {
    format!(
        "[[indicator]]\nid = \"{id}\"\nparent = \"{parent}\"\nweight = {weight}\ndataset = \"t\"\nmeasure = {{ kind = \"share\", where = \"late\" }}\nscore = {{ kind = \"target\", target = 1, floor = 0 }}\n"
    )
}

fn load(text: &str) -> Result<scheme::Scheme, String> {
    let f = Fixture::new();
    f.scheme("s.toml", text);
    scheme::load(&f.scheme_dir()).map_err(|e| e.to_string())
}

#[test]
fn weights_are_relative_among_siblings() {
    // Root 100: nodes a (weight 3) and b (weight 1) -> 75 and 25.
    // a's indicators weigh 1 and 2 -> 25 and 50; b's one indicator -> 25.
    let text = format!(
        "{HEADER}{DATASET}[[node]]\nid = \"a\"\nweight = 3\n[[node]]\nid = \"b\"\nweight = 1\n{}{}{}",
        ind("i1", "a", 1.0),
        ind("i2", "a", 2.0),
        ind("i3", "b", 7.0)
    );
    let s = load(&text).unwrap();
    let pts = |id: &str| s.tree.iter().find(|n| n.id == id).unwrap().points;
    close(pts("a"), 75.0);
    close(pts("b"), 25.0);
    close(pts("i1"), 25.0);
    close(pts("i2"), 50.0);
    close(pts("i3"), 25.0);
    // Defaults: points 100, reweight, count, repair 0.5, veto last.
    assert_eq!(s.points, 100.0);
    assert_eq!(s.repair_factor, 0.5);
    assert!(matches!(s.tree[0].kind, NodeKind::Root));
}

#[test]
fn nested_nodes_and_points_other_than_100() {
    // points = 60; a (1) > a1 (1) > i1; root also has i2 (weight 2).
    // a = 60 × 1/3 = 20; a1 = 20; i1 = 20; i2 = 40.
    let text = format!(
        "{}{DATASET}[[node]]\nid = \"a\"\nweight = 1\n[[node]]\nid = \"a1\"\nparent = \"a\"\nweight = 1\n{}[[indicator]]\nid = \"i2\"\nweight = 2\ndataset = \"t\"\nmeasure = {{ kind = \"count\" }}\nscore = {{ kind = \"deduction\" }}\n",
        HEADER.replace("period", "points = 60\nperiod"),
        ind("i1", "a1", 5.0)
    );
    let s = load(&text).unwrap();
    let pts = |id: &str| s.tree.iter().find(|n| n.id == id).unwrap().points;
    close(pts("a"), 20.0);
    close(pts("a1"), 20.0);
    close(pts("i1"), 20.0);
    close(pts("i2"), 40.0);
}

#[test]
fn a_directory_of_files_is_read_together() {
    let f = Fixture::new();
    f.scheme("a.toml", HEADER)
        .scheme("b.toml", DATASET)
        .scheme("c.toml", &ind("i1", "n", 1.0))
        .scheme("d.toml", "[[node]]\nid = \"n\"\nweight = 1\n");
    let s = scheme::load(&f.scheme_dir()).unwrap();
    assert_eq!(s.indicators.len(), 1);
    assert_eq!(s.files.len(), 4);
    // One file works as well.
    let s1 = scheme::load(&f.scheme_dir().join("a.toml"));
    assert!(s1.is_err(), "a.toml alone has no indicators");
}

#[test]
fn unknown_keys_are_errors_with_line() {
    let text = format!("{HEADER}{DATASET}{}", ind("i1", "x", 1.0))
        .replace("id = \"i1\"", "id = \"i1\"\nwieght = 2");
    let e = load(&text).unwrap_err();
    assert!(e.contains("s.toml:"), "{e}");
    assert!(e.contains("unknown field `wieght`"), "{e}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = format!(
        "{HEADER}{DATASET}
[[node]]
id = \"citizen\"
weight = 0

[[indicator]]
id = \"i1\"
parent = \"citzen\"
weight = 1
dataset = \"t\"
measure = {{ kind = \"share\", where = \"lat\" }}
score = {{ kind = \"target\", target = 1, floor = 0 }}

[[indicator]]
id = \"i1\"
parent = \"citizen\"
weight = 1
dataset = \"tt\"
measure = {{ kind = \"count\" }}
score = {{ kind = \"target\", target = 1, floor = 1 }}

[[indicator]]
id = \"i3\"
parent = \"citizen\"
weight = 1
dataset = \"t\"
measure = {{ kind = \"share\", where = \"cat\" }}
score = {{ kind = \"target\", target = 1, floor = 0 }}

[[indicator]]
id = \"i4\"
parent = \"citizen\"
weight = 1
dataset = \"t\"
measure = {{ kind = \"share\", where = \"late AND\" }}
score = {{ kind = \"bands\", bands = [[0.9, 1.2]] }}

[[grade]]
name = \"良好\"
min = 80
[[grade]]
name = \"优秀\"
min = 90
"
    );
    let e = load(&text).unwrap_err();
    let expect = [
        "weight must be a positive number, found 0",
        "parent \"citzen\" is not a [[node]] id",
        "did you mean \"citizen\"?",
        "dataset t has no column \"lat\"",
        "unknown dataset \"tt\"",
        "floor must differ from target",
        "where = \"cat\" gives str, expected a condition",
        "where = \"late AND\" does not parse",
        "each band is [threshold, attainment] with attainment in [0, 1]",
        "min 90 is not below the previous grade's min 80",
        "id \"i1\" is used twice",
    ];
    for x in expect {
        assert!(e.contains(x), "missing {x:?} in:\n{e}");
    }
    // Each problem names the file, line and column: the misspelt parent's
    // value starts at column 10 of its line.
    let line = 1 + text[..text.find("parent = \"citzen\"").unwrap()]
        .matches('\n')
        .count();
    assert!(
        e.contains(&format!("s.toml:{line}:10: indicator \"i1\": parent")),
        "{e}"
    );
    assert!(
        !e.contains("bands is empty"),
        "one problem, one message:\n{e}"
    );
}

#[test]
fn measure_and_score_fields_are_checked_per_kind() {
    let text = format!(
        "{HEADER}{DATASET}[[indicator]]\nid = \"i\"\nweight = 1\ndataset = \"t\"\nmeasure = {{ kind = \"count\", of = \"late\" }}\nscore = {{ kind = \"minmax\", target = 1 }}\n[[indicator]]\nid = \"j\"\nweight = 1\ndataset = \"t\"\nmeasure = {{ kind = \"ratio\", num = \"1\" }}\nscore = {{ kind = \"shortfall\", target = 1, per = 0, deduct = 1 }}\n"
    );
    let e = load(&text).unwrap_err();
    for x in [
        "measure kind \"count\" does not take `of`",
        "score kind \"minmax\" does not take `target`",
        "measure kind \"ratio\" needs `den`",
        "per must be a positive number",
    ] {
        assert!(e.contains(x), "missing {x:?} in:\n{e}");
    }
}

/// TOML writes `nan`, `inf` and `-inf` as floats. A shortfall target of
/// nan compares false with every value, so before this check every unit
/// got full points on the indicator and `check` passed.
#[test]
fn score_parameters_that_are_not_numbers_are_errors_at_their_place() {
    let text = format!(
        "{HEADER}{DATASET}[[indicator]]\nid = \"i\"\nweight = 1\ndataset = \"t\"\nmeasure = {{ kind = \"count\" }}\nscore = {{ kind = \"shortfall\", target = nan, per = 0.01, deduct = 1 }}\n[[indicator]]\nid = \"j\"\nweight = 1\ndataset = \"t\"\nmeasure = {{ kind = \"count\" }}\nscore = {{ kind = \"target\", target = inf, floor = -inf }}\n"
    );
    let e = load(&text).unwrap_err();
    let line = |needle: &str| 1 + text[..text.find(needle).unwrap()].matches('\n').count();
    // Each message points at the value: `score = { ` is 10 characters,
    // `kind = "shortfall", ` 20 and `target = ` 9, so nan starts at column
    // 40; with `kind = "target", ` (17) inf starts at 37, and after
    // `inf, floor = ` (13) -inf at 50.
    let (i, j) = (line("target = nan"), line("target = inf"));
    for x in [
        format!("s.toml:{i}:40: target must be a number"),
        format!("s.toml:{j}:37: target must be a number"),
        format!("s.toml:{j}:50: floor must be a number"),
    ] {
        assert!(e.contains(&x), "missing {x:?} in:\n{e}");
    }
    assert!(!e.contains("floor must differ"), "{e}");
}

/// `points = 1e308` is finite, but the sum of two indicators' points is
/// not: every total in scores.csv was `inf`. A scheme's points are
/// bounded at 1,000,000, which no sum of a scheme's points can overflow.
#[test]
fn a_schemes_points_are_bounded_so_that_no_total_overflows() {
    let with = |p: &str| {
        format!(
            "{}{DATASET}{}{}",
            HEADER.replace("period", &format!("points = {p}\nperiod")),
            ind("i1", "x", 1.0).replace("parent = \"x\"\n", ""),
            ind("i2", "x", 1.0).replace("parent = \"x\"\n", "")
        )
    };
    for bad in ["1e308", "1000000.5", "nan", "0"] {
        let e = load(&with(bad)).unwrap_err();
        // `points = ` is 9 characters: the value is at column 10 of line 4
        // (HEADER starts with a line break, then [scheme] and name).
        assert!(
            e.contains("s.toml:4:10: points must be a positive number up to 1000000"),
            "{bad}: {e}"
        );
    }
    // The bound itself is allowed: i1 and i2 get half each.
    let s = load(&with("1000000")).unwrap();
    let pts = |id: &str| s.tree.iter().find(|n| n.id == id).unwrap().points;
    close(pts("i1"), 500_000.0);
    close(pts("i2"), 500_000.0);
}

/// A bulletin dated before its period ends is a slip of the year
/// (2025-01-15 for 2026-01-15): an error at the date, since every
/// objection's deadline would be judged as of it. The period's last day
/// itself, or any later day, is accepted.
#[test]
fn a_bulletin_dated_before_its_period_ends_is_an_error() {
    let with = |d: &str| {
        format!(
            "{HEADER}{DATASET}{}[bulletin]\ndate = {d}\n",
            ind("i1", "x", 1.0).replace("parent = \"x\"\n", "")
        )
    };
    let text = with("2025-01-15");
    let e = load(&text).unwrap_err();
    // `date = ` is 7 characters: the value starts at column 8 of the
    // file's last line.
    let line = text.lines().count();
    assert!(
        e.contains(&format!(
            "s.toml:{line}:8: the bulletin's date 2025-01-15 is before the period's end 2025-12-31"
        )),
        "{e}"
    );
    assert!(e.contains("check the year"), "{e}");
    for ok in ["2025-12-31", "2026-01-15"] {
        let s = load(&with(ok)).unwrap();
        assert_eq!(s.bulletin.date.unwrap().to_string(), ok);
    }
}

#[test]
fn dataset_problems() {
    let bad = r#"
[datasets.t]
file = "../t.csv"
unit = "who"
date = "cat"
[datasets.t.columns]
unit = "string"
cat = "text"
exempt = "string"

[datasets.u]
file = "u.json"
unit = "unit"
encoding = "gbk"
[datasets.u.columns]
unit = "string"
"#;
    let text = format!(
        "{HEADER}{bad}[[indicator]]\nid = \"i\"\nweight = 1\ndataset = \"u\"\nmeasure = {{ kind = \"count\" }}\nscore = {{ kind = \"deduction\" }}\n"
    );
    let e = load(&text).unwrap_err();
    for x in [
        "file \"../t.csv\" leaves the data directory",
        "unit column \"who\" is not declared",
        "unknown column type \"text\"",
        "status column \"exempt\" must be of type bool",
        "file \"u.json\": unknown format",
    ] {
        assert!(e.contains(x), "missing {x:?} in:\n{e}");
    }
}

#[test]
fn chinese_keys_in_points_maps_as_the_spec_writes_them() {
    let text = format!(
        "{HEADER}{}[[indicator]]\nid = \"d\"\nweight = 1\ndataset = \"t\"\nmeasure = {{ kind = \"deduction\", points = {{ column = \"cat\", map = {{ 一般 = 2, 较重 = 5 }} }} }}\nscore = {{ kind = \"deduction\" }}\n",
        DATASET
    );
    let s = load(&text).unwrap();
    match &s.indicators[0].measure.kind {
        govtrust::scheme::MeasureKind::Deduction {
            points: govtrust::scheme::Points::Map { map, .. },
        } => {
            assert_eq!(
                map,
                &vec![("一般".to_string(), 2.0), ("较重".to_string(), 5.0)]
            );
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn missing_sections_and_bad_period() {
    let e = load("[units]\nfile = \"u.csv\"\n").unwrap_err();
    assert!(e.contains("no [scheme] section"), "{e}");
    let e = load(&HEADER.replace("end = 2025-12-31", "end = 2024-12-31")).unwrap_err();
    assert!(
        e.contains("period ends (2024-12-31) before it starts (2025-01-01)"),
        "{e}"
    );
}

#[test]
fn reserved_node_ids_and_veto_grades() {
    let text = format!(
        "{HEADER}{DATASET}[[node]]\nid = \"total\"\nweight = 1\n{}[[veto]]\nid = \"v\"\ndataset = \"t\"\ngrade = \"差\"\n[[grade]]\nname = \"合格\"\nmin = 0\n",
        ind("i", "total", 1.0)
    );
    let e = load(&text).unwrap_err();
    assert!(
        e.contains("node id \"total\" is a reserved column name"),
        "{e}"
    );
    assert!(e.contains("unknown grade \"差\""), "{e}");
}

#[test]
fn the_default_scheme_is_valid() {
    let s = scheme::load(std::path::Path::new("indicators")).unwrap();
    let total: f64 = s.tree[0].children.iter().map(|&c| s.tree[c].points).sum();
    close(total, 100.0);
    assert!(s.indicators.len() >= 20);
}

/// `indicators/scheme.schema.json` is what the code generates (regenerate
/// with `GOVTRUST_BLESS_SCHEMA=1 cargo test --test scheme`), and it
/// describes the format: the sections, and unknown fields refused.
#[test]
fn committed_json_schema_is_current() {
    let want = govtrust::scheme::json_schema();
    let path = std::path::Path::new("indicators/scheme.schema.json");
    if std::env::var_os("GOVTRUST_BLESS_SCHEMA").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "indicators/scheme.schema.json is stale: run GOVTRUST_BLESS_SCHEMA=1 cargo test --test scheme"
    );
    let v: serde_json::Value = serde_json::from_str(&want).unwrap();
    let props = v["properties"].as_object().unwrap();
    for k in [
        "scheme",
        "units",
        "datasets",
        "node",
        "indicator",
        "bonus",
        "penalty",
        "veto",
        "grade",
        "alert",
        "screen",
    ] {
        assert!(props.contains_key(k), "{k}");
    }
    assert_eq!(v["additionalProperties"], false);
    let defs = v["$defs"].as_object().unwrap();
    assert_eq!(defs["RawIndicator"]["additionalProperties"], false);
    // The header's group names are a table of strings.
    assert_eq!(
        defs["RawHeader"]["properties"]["groups"]["additionalProperties"]["type"],
        "string"
    );
}
