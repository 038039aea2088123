//! Invariants, with proptest: attainments in [0, 1]; ranks are a
//! competition ranking of the totals; improving a value on a
//! higher-is-better indicator never lowers the unit's total; and neither
//! the order of records nor the order of units changes any result.

mod common;
use common::*;

use std::path::Path;

use govtrust::data::Units;
use govtrust::diag::Source;
use govtrust::measure::{Cell, Measured, cell_value};
use govtrust::scheme::{self, Scheme};
use govtrust::score;
use proptest::prelude::*;

/// Every higher-is-better kind, shrinkage, min_n, a geometric node and the
/// mean policy, over a dataset that is never read (cells are generated).
const SCHEME: &str = r#"
[scheme]
name = "p"
period = { start = 2025-01-01, end = 2025-12-31 }
[units]
file = "u.csv"
[datasets.d]
file = "d.csv"
unit = "u"
[datasets.d.columns]
u = "string"
x = "float"
ok = "bool"

[[node]]
id = "a"
weight = 2
[[node]]
id = "b"
weight = 1
aggregation = "geometric"

[[indicator]]
id = "share"
parent = "a"
weight = 3
dataset = "d"
measure = { kind = "share", where = "ok" }
min_n = 3
shrink = 5
score = { kind = "target", target = 0.9, floor = 0.5 }

[[indicator]]
id = "mean"
parent = "a"
weight = 1
dataset = "d"
measure = { kind = "mean", expr = "x" }
missing = "mean"
score = { kind = "zscore" }

[[indicator]]
id = "ratio"
parent = "b"
weight = 1
dataset = "d"
measure = { kind = "ratio", num = "x", den = "x + 1" }
score = { kind = "minmax" }

[[indicator]]
id = "sum"
parent = "b"
weight = 2
dataset = "d"
measure = { kind = "sum", expr = "x" }
score = { kind = "bands", bands = [[50, 1.0], [20, 0.7], [5, 0.3]] }

[[indicator]]
id = "rank"
weight = 1
dataset = "d"
measure = { kind = "mean", expr = "x" }
score = { kind = "rank" }

[[indicator]]
id = "short"
weight = 1
dataset = "d"
measure = { kind = "share", where = "ok" }
score = { kind = "shortfall", target = 0.95, per = 0.01, deduct = 0.5 }
"#;

fn scheme() -> Scheme {
    scheme::load_sources(
        vec![Source::new("p.toml", SCHEME.to_string())],
        Path::new("."),
    )
    .unwrap()
}

fn units(n: usize) -> Units {
    let rows: Vec<(String, String, String)> = (0..n)
        .map(|i| {
            (
                format!("U{i}"),
                format!("单位{i}"),
                if i % 3 == 0 { "g2" } else { "g1" }.to_string(),
            )
        })
        .collect();
    let refs: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r.0.as_str(), r.1.as_str(), r.2.as_str()))
        .collect();
    Units::from_rows(&refs)
}

/// Per unit and indicator: (n, num, den) aggregates.
fn cells_strategy(units: usize, inds: usize) -> impl Strategy<Value = Vec<Vec<(u64, f64, f64)>>> {
    prop::collection::vec(
        prop::collection::vec((0u64..40, 0.0f64..1.0, 0.1f64..60.0), units),
        inds,
    )
}

/// Build Measured from raw aggregates, interpreting them per measure kind.
fn measured(s: &Scheme, raw: &[Vec<(u64, f64, f64)>]) -> Measured {
    let cells = s
        .indicators
        .iter()
        .zip(raw)
        .map(|(ind, row)| {
            row.iter()
                .map(|&(n, frac, amount)| {
                    let (num, den) = match ind.id.as_str() {
                        // share: successes out of n
                        "share" | "short" => ((frac * n as f64).floor(), n as f64),
                        // mean / sum / ratio: a total spread over n records
                        _ => (amount * n as f64 / 10.0, n as f64 * (1.0 + frac)),
                    };
                    let mut c = Cell {
                        value: None,
                        n,
                        num,
                        den,
                    };
                    c.value = cell_value(&ind.measure.kind, &c, None);
                    c
                })
                .collect()
        })
        .collect();
    Measured {
        cells,
        rules: vec![],
        warnings: vec![],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn attainments_stay_in_unit_interval(raw in cells_strategy(9, 6)) {
        let s = scheme();
        let u = units(9);
        let r = score::score(&s, &u, &measured(&s, &raw));
        for row in &r.cells {
            for c in row {
                if let Some(a) = c.attainment {
                    prop_assert!((0.0..=1.0).contains(&a), "{a}");
                }
            }
        }
        for us in &r.units {
            for a in us.attainment.iter().flatten() {
                prop_assert!((0.0..=1.0).contains(a), "{a}");
            }
            prop_assert!(us.total >= 0.0 && us.total <= 100.0);
        }
    }

    #[test]
    fn ranks_are_a_competition_ranking_of_totals(raw in cells_strategy(9, 6)) {
        let s = scheme();
        let u = units(9);
        let r = score::score(&s, &u, &measured(&s, &raw));
        for i in 0..9 {
            let better = (0..9)
                .filter(|&j| u.groups[j] == u.groups[i] && r.units[j].total > r.units[i].total)
                .count();
            prop_assert_eq!(r.units[i].rank, better + 1);
            for j in 0..9 {
                if u.groups[j] == u.groups[i] && r.units[j].total == r.units[i].total {
                    prop_assert_eq!(r.units[i].rank, r.units[j].rank);
                }
            }
        }
        // The output order lists each group's units by rank.
        let ranks: Vec<(String, usize)> = r.order.iter().map(|&k| (u.groups[k].clone(), r.units[k].rank)).collect();
        let mut sorted = ranks.clone();
        sorted.sort_by(|a, b| u.group_order.iter().position(|g| g == &a.0).cmp(&u.group_order.iter().position(|g| g == &b.0)).then(a.1.cmp(&b.1)));
        prop_assert_eq!(ranks, sorted);
    }

    #[test]
    fn improving_a_value_never_lowers_the_total(
        raw in cells_strategy(9, 6),
        unit in 0usize..9,
        ind in 0usize..6,
        bump in 0.01f64..0.5,
    ) {
        let s = scheme();
        let u = units(9);
        let before = score::score(&s, &u, &measured(&s, &raw));
        // Raise the chosen value: more successes for a share, a larger
        // total for the others (every indicator here is higher-is-better).
        let mut better = raw.clone();
        let (n, frac, amount) = better[ind][unit];
        better[ind][unit] = (n, (frac + bump).min(1.0), amount * (1.0 + bump));
        let after = score::score(&s, &u, &measured(&s, &better));
        prop_assert!(
            after.units[unit].total >= before.units[unit].total,
            "{} -> {}", before.units[unit].total, after.units[unit].total
        );
    }

    #[test]
    fn unit_order_changes_nothing(raw in cells_strategy(9, 6), seed in any::<u64>()) {
        let s = scheme();
        let u = units(9);
        let m = measured(&s, &raw);
        let r1 = score::score(&s, &u, &m);
        // Permute the register (and the cells with it), keeping group order.
        let mut perm: Vec<usize> = (0..9).collect();
        let mut x = seed;
        for i in (1..9).rev() {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            perm.swap(i, (x >> 33) as usize % (i + 1));
        }
        perm.sort_by_key(|&k| u.group_order.iter().position(|g| g == &u.groups[k]));
        let rows: Vec<(String, String, String)> = perm.iter().map(|&k| (u.ids[k].clone(), u.names[k].clone(), u.groups[k].clone())).collect();
        let refs: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r.0.as_str(), r.1.as_str(), r.2.as_str())).collect();
        let u2 = Units::from_rows(&refs);
        let m2 = Measured {
            cells: m.cells.iter().map(|row| perm.iter().map(|&k| row[k]).collect()).collect(),
            rules: vec![],
            warnings: vec![],
        };
        let r2 = score::score(&s, &u2, &m2);
        for (new, &old) in perm.iter().enumerate() {
            prop_assert_eq!(r1.units[old].total, r2.units[new].total);
            prop_assert_eq!(r1.units[old].rank, r2.units[new].rank);
            prop_assert_eq!(r1.units[old].grade, r2.units[new].grade);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// Shuffling the golden fixture's records changes no score, value or
    /// evidence record (only line numbers, which follow the rows).
    #[test]
    fn record_order_changes_nothing(seed in any::<u64>()) {
        let base = Path::new("tests/fixtures/golden");
        let f = Fixture::new();
        for e in std::fs::read_dir(base.join("scheme")).unwrap() {
            let p = e.unwrap().path();
            f.scheme(p.file_name().unwrap().to_str().unwrap(), &std::fs::read_to_string(&p).unwrap());
        }
        let mut x = seed;
        for e in std::fs::read_dir(base.join("data")).unwrap() {
            let p = e.unwrap().path();
            let text = std::fs::read_to_string(&p).unwrap();
            let mut lines: Vec<&str> = text.lines().collect();
            for i in (2..lines.len()).rev() {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                lines.swap(i, 1 + (x >> 33) as usize % i);
            }
            f.data(p.file_name().unwrap().to_str().unwrap(), &(lines.join("\n") + "\n"));
        }
        let shuffled = f.run();
        let original = govtrust::run::assess(&base.join("scheme"), &base.join("data"), Default::default()).unwrap();
        // The unit register is shuffled too: compare unit by unit id.
        for (o, id) in original.data.units.ids.iter().enumerate() {
            let s = shuffled.data.units.index_of(id).unwrap();
            prop_assert_eq!(&shuffled.scored.units[s], &original.scored.units[o]);
            for i in 0..original.scheme.indicators.len() {
                prop_assert_eq!(shuffled.scored.cells[i][s], original.scored.cells[i][o]);
            }
        }
        let keyed = |r: &govtrust::run::Run| {
            let mut v: Vec<(String, String, String, String)> = r.evidence.iter()
                .filter(|e| e.dataset != "honours") // keyed by line, which moves
                .map(|e| (r.data.units.ids[e.unit].clone(), e.rule_id.clone(), e.record_key.clone(), format!("{} {}", e.points, e.note)))
                .collect();
            v.sort();
            v
        };
        prop_assert_eq!(keyed(&shuffled), keyed(&original));
        prop_assert_eq!(shuffled.data.rejects.len(), original.data.rejects.len());
    }
}
