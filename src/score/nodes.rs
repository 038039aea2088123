//! The tree's nodes for one peer group (docs/scheme.md section 6): each
//! [[node]]'s attainment from its children's, bottom up.
//!
//! The indicators' attainments come in as columns in the group's member
//! order ([`Leaves`]) and are read where they are, never copied: a Monte
//! Carlo draw borrows most of them from the nominal scoring.

use super::weights;
use crate::scheme::{Aggregation, NodeKind, Scheme, WeightMethod};

use super::Config;

/// Weighted mean of (weight, attainment) pairs (the definition; the
/// nodes are worked a whole column at a time by [`weighted_means`]); `None` if there are none,
/// or if their weights sum to 0 (data-driven weights can give a child
/// weight 0: a unit whose present children all weigh 0 has no mean, and
/// 0/0 must never become a number). A child of weight 0 takes no part,
/// in a geometric mean too. (TOPSIS, which needs the whole peer group,
/// falls back to arithmetic for a single unit.)
pub fn aggregate(agg: Aggregation, parts: &[(f64, f64)]) -> Option<f64> {
    let w: f64 = parts.iter().map(|p| p.0).sum();
    if !(w > 0.0 && w.is_finite()) {
        return None;
    }
    let weighing = || parts.iter().filter(|p| p.0 > 0.0);
    Some(match agg {
        Aggregation::Arithmetic | Aggregation::Topsis => {
            weighing().map(|(wi, a)| wi * a).sum::<f64>() / w
        }
        Aggregation::Geometric => {
            if weighing().any(|p| p.1 <= 0.0) {
                0.0
            } else {
                (weighing().map(|(wi, a)| wi * a.ln()).sum::<f64>() / w).exp()
            }
        }
    })
}

/// [`aggregate`] of each of the `m` members' present children
/// (`(w[c], kids[c][k])` for each child c with a value), worked child by
/// child over whole columns: the same sums, added in the same order, as
/// [`aggregate`] of each member's pairs. `weightless(k)` is called for
/// each member with children present but no mean.
fn weighted_means(
    agg: Aggregation,
    (kids, m): (&[&[Option<f64>]], usize),
    w: &[f64],
    weightless: &mut dyn FnMut(usize),
) -> Vec<Option<f64>> {
    // What `Iterator::sum` of no f64 gives: every sum below starts there,
    // as aggregate's do.
    let zero: f64 = std::iter::empty::<f64>().sum();
    let geometric = agg == Aggregation::Geometric;
    let (mut total_w, mut sum) = (vec![zero; m], vec![zero; m]);
    let mut present = vec![false; m];
    // Geometric: a weighing child at 0 or below makes the mean 0.
    let mut nonpositive = vec![false; m];
    for (col, &wc) in kids.iter().zip(w) {
        for (k, a) in col.iter().enumerate() {
            let Some(a) = *a else { continue };
            present[k] = true;
            total_w[k] += wc;
            if wc > 0.0 {
                if !geometric {
                    sum[k] += wc * a;
                } else if a <= 0.0 {
                    nonpositive[k] = true;
                } else {
                    sum[k] += wc * a.ln();
                }
            }
        }
    }
    (0..m)
        .map(|k| {
            let tw = total_w[k];
            if !(tw > 0.0 && tw.is_finite()) {
                if present[k] {
                    weightless(k);
                }
                return None;
            }
            Some(match (geometric, nonpositive[k]) {
                (false, _) => sum[k] / tw,
                (true, true) => 0.0,
                (true, false) => (sum[k] / tw).exp(),
            })
        })
        .collect()
}

/// Per indicator, its attainment for each member of the group, in member
/// order (`leaves[i][k]` for `members[k]`).
pub type Leaves<'a> = [&'a [Option<f64>]];

/// The group's node attainments: `inner[n][k]` for every [[node]] `n` and
/// member k (empty for an indicator's node: its column is in the
/// [`Leaves`]).
#[derive(Debug, Default)]
pub struct Attainments {
    pub inner: Vec<Vec<Option<f64>>>,
}

impl Attainments {
    /// Node `n`'s column: an indicator's from `leaves`, a [[node]]'s own.
    pub fn node<'s>(&'s self, scheme: &Scheme, leaves: &Leaves<'s>, n: usize) -> &'s [Option<f64>] {
        match scheme.tree[n].kind {
            NodeKind::Indicator(i) => leaves[i],
            _ => &self.inner[n],
        }
    }
}

/// Attainment of every [[node]] for the `m` members of one peer group,
/// from their indicators' attainments (`leaves`), visiting the nodes in
/// `order` (children before parents).
///
/// A node's children weigh as written, or, with `weights = "entropy"` or
/// `"critic"`, as derived from the group's units that have every child
/// (at least 2 such units, else as written). Units with every child
/// present are aggregated by TOPSIS under `aggregation = "topsis"`; a unit
/// missing a child falls back to the weighted mean of the children it has.
/// Also returns (node, k) wherever a node has children present for
/// member k but they all weigh 0 (the node is then missing for it).
pub fn group_attainments(
    scheme: &Scheme,
    cfg: &Config,
    order: &[usize],
    leaves: &Leaves<'_>,
    m: usize,
) -> (Attainments, Vec<(usize, usize)>) {
    let mut weightless = Vec::new();
    let mut att = Attainments {
        inner: vec![Vec::new(); scheme.tree.len()],
    };
    for &n in order {
        let node = &scheme.tree[n];
        if let NodeKind::Indicator(_) = node.kind {
            continue;
        }
        let kids: Vec<&[Option<f64>]> = node
            .children
            .iter()
            .map(|&c| att.node(scheme, leaves, c))
            .collect();
        // The members with every child present: only data-driven weights
        // (entropy, CRITIC) and TOPSIS read them.
        let complete: Vec<usize> =
            if node.weights.is_some() || cfg.aggregation[n] == Aggregation::Topsis {
                (0..m)
                    .filter(|&k| kids.iter().all(|c| c[k].is_some()))
                    .collect()
            } else {
                Vec::new()
            };
        let matrix = || -> Vec<Vec<f64>> {
            complete
                .iter()
                .map(|&k| kids.iter().map(|c| c[k].unwrap()).collect())
                .collect()
        };
        let w: Vec<f64> = match node.weights {
            Some(method) if complete.len() >= 2 => match method {
                WeightMethod::Entropy => weights::entropy(&matrix()),
                WeightMethod::Critic => weights::critic(&matrix()),
            },
            _ => node.children.iter().map(|&c| cfg.weights[c]).collect(),
        };
        let topsis = (cfg.aggregation[n] == Aggregation::Topsis && complete.len() >= 2)
            .then(|| weights::topsis(&matrix(), &w));
        let mut out = weighted_means(cfg.aggregation[n], (&kids, m), &w, &mut |k| {
            weightless.push((n, k))
        });
        if let Some(t) = topsis {
            for (j, &k) in complete.iter().enumerate() {
                out[k] = Some(t[j]);
            }
        }
        att.inner[n] = out;
    }
    (att, weightless)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn column_means_of_worked_values() {
        // Member 0: (2, 0.5), (1, 0.8) -> (1.0 + 0.8) / 3 = 0.6;
        // geometric exp((2 ln 0.5 + ln 0.8) / 3) = (0.25 × 0.8)^(1/3).
        // Member 1: only the second child, weight 1 -> 0.4.
        // Member 2: no child -> None, not weightless.
        let a: [Option<f64>; 3] = [Some(0.5), None, None];
        let b: [Option<f64>; 3] = [Some(0.8), Some(0.4), None];
        let kids: [&[Option<f64>]; 2] = [&a, &b];
        let mut none = |_| panic!("no member is weightless");
        let arith = weighted_means(Aggregation::Arithmetic, (&kids, 3), &[2.0, 1.0], &mut none);
        assert!((arith[0].unwrap() - 0.6).abs() < 1e-15);
        assert_eq!(&arith[1..], &[Some(0.4), None]);
        let geo = weighted_means(Aggregation::Geometric, (&kids, 3), &[2.0, 1.0], &mut none);
        assert!((geo[0].unwrap() - (0.25f64 * 0.8).powf(1.0 / 3.0)).abs() < 1e-15);
        // Both children weigh 0: members 0 and 1 have children but no mean.
        let mut hit = Vec::new();
        let zero = weighted_means(Aggregation::Arithmetic, (&kids, 3), &[0.0, 0.0], &mut |k| {
            hit.push(k)
        });
        assert_eq!(zero, vec![None, None, None]);
        assert_eq!(hit, vec![0, 1]);
    }

    fn attainment() -> impl Strategy<Value = Option<f64>> {
        prop_oneof![
            1 => Just(None),
            1 => Just(Some(0.0)),
            4 => (0.0f64..=1.0).prop_map(Some),
        ]
    }

    proptest! {
        /// Column by column gives, bit for bit, what aggregate gives
        /// member by member, under every aggregation and weights with
        /// zeros among them.
        #[test]
        fn column_means_are_aggregate_of_each_member(
            cols in prop::collection::vec(prop::collection::vec(attainment(), 5), 1..5),
            w in prop::collection::vec(prop_oneof![1 => Just(0.0), 3 => 0.0f64..10.0], 5),
        ) {
            let kids: Vec<&[Option<f64>]> = cols.iter().map(Vec::as_slice).collect();
            let w = &w[..kids.len()];
            for agg in [Aggregation::Arithmetic, Aggregation::Geometric, Aggregation::Topsis] {
                let mut hit = Vec::new();
                let got = weighted_means(agg, (&kids, 5), w, &mut |k| hit.push(k));
                for k in 0..5 {
                    let parts: Vec<(f64, f64)> = kids
                        .iter()
                        .zip(w)
                        .filter_map(|(c, &wc)| c[k].map(|a| (wc, a)))
                        .collect();
                    let want = aggregate(agg, &parts);
                    prop_assert_eq!(got[k].map(f64::to_bits), want.map(f64::to_bits));
                    prop_assert_eq!(hit.contains(&k), want.is_none() && !parts.is_empty());
                }
            }
        }
    }
}
