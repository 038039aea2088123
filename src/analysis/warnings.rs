//! Early warnings (预警), written to warnings.csv and the run summary:
//!
//! - `[[alert]]`: a unit's count of matching records in the period, tested
//!   (one-sided, the exact conditional test of two Poisson rates, see
//!   [`rate_test`]) against (a) its peers' rate, per unit of the `per`
//!   attribute if given (leave-one-out: the unit's own records do not set
//!   its expectation), and (b) its own history: the matching records dated
//!   before the period, per day (only when the history spans at least 28
//!   days). p-values are adjusted across units by Benjamini-Hochberg;
//!   adjusted p ≤ alpha warns.
//! - `[[screen]]`: Benford's first-digit law on a numeric column, per unit
//!   with at least `min_n` non-zero values (default 100): chi-squared (8
//!   degrees of freedom, BH-adjusted) and the mean absolute deviation
//!   (MAD). With fewer than 1,000 figures a unit is flagged if the adjusted
//!   p ≤ alpha; with more, if MAD > 0.015 (Nigrini's nonconformity bound,
//!   meant for large samples). A screening signal for a closer look, never
//!   a deduction.
//! - Coverage: an indicator with a usable value for fewer than 65% of the
//!   units it applies to.

use crate::calendar::date_lit;
use chrono::NaiveDate;
use polars::prelude::*;
use statrs::distribution::{Binomial, ChiSquared, ContinuousCDF, DiscreteCDF, Poisson};

use crate::data::records::{IS_COUNTED, OUT_OF_PERIOD, STATE};
use crate::data::{UNIT, Units};
use crate::measure::exprs::matches;
use crate::scheme::Scheme;
use crate::score::{self, Status};

/// One warning.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// `peer_rate`, `own_history`, `benford` or `coverage`.
    pub kind: &'static str,
    /// Alert, screen or indicator id.
    pub subject: String,
    pub unit: Option<usize>,
    pub observed: f64,
    pub expected: f64,
    /// Chi-squared for Benford, MAD in `expected`'s place; coverage share.
    pub statistic: f64,
    pub p_value: Option<f64>,
    pub p_adjusted: Option<f64>,
    /// Plain language, for the evaluator (Chinese).
    pub message: String,
}

/// Per-unit counts the pass collects for the alerts and screens of a
/// dataset: `al{k}_now`, `al{k}_hist` and `sc{k}_d{1..9}`; aggregations
/// over all rows, computed in the dataset's one group-by by unit.
pub fn aggregations(scheme: &Scheme, ds: usize) -> Vec<Expr> {
    let spec = &scheme.datasets[ds];
    let mut aggs = Vec::new();
    let counted = col(IS_COUNTED);
    let before = match &spec.date {
        Some(d) => col(STATE).eq(lit(OUT_OF_PERIOD)).and(
            col(d.as_str())
                .cast(DataType::Date)
                .lt(date_lit(scheme.period.start)),
        ),
        None => lit(false),
    };
    let u64 = crate::measure::count_true;
    for (k, a) in scheme
        .alerts
        .iter()
        .enumerate()
        .filter(|(_, a)| a.dataset == ds)
    {
        let c = matches(&a.where_);
        aggs.push(u64(counted.clone().and(c.clone())).alias(format!("al{k}_now")));
        aggs.push(u64(before.clone().and(c)).alias(format!("al{k}_hist")));
    }
    for (k, s) in scheme
        .screens
        .iter()
        .enumerate()
        .filter(|(_, s)| s.dataset == ds)
    {
        let x = col(s.column.as_str()).cast(DataType::Float64).abs();
        // First significant digit: x / 10^floor(log10 x), corrected for
        // rounding at exact powers of ten.
        let e = x.clone().log(lit(10.0)).floor();
        let lead = (x.clone() / lit(10.0f64).pow(e)).floor();
        let lead = when(lead.clone().gt_eq(lit(10.0)))
            .then(lit(1.0))
            .when(lead.clone().lt(lit(1.0)))
            .then(lit(9.0))
            .otherwise(lead);
        let ok = counted
            .clone()
            .and(matches(&s.where_))
            .and(x.clone().gt(lit(0.0)))
            .and(x.is_finite());
        for d in 1..=9 {
            aggs.push(
                u64(ok.clone().and(lead.clone().eq(lit(d as f64)))).alias(format!("sc{k}_d{d}")),
            );
        }
    }
    aggs
}

/// The earliest day before the period of a dataset's records (for the
/// own-history test), as an aggregation over all rows (the pass computes
/// it beside its row counts); none without alerts or a date column.
pub fn history_from(scheme: &Scheme, ds: usize) -> Option<Expr> {
    let spec = &scheme.datasets[ds];
    let d = spec.date.as_ref()?;
    if !scheme.alerts.iter().any(|a| a.dataset == ds) {
        return None;
    }
    let day = col(d.as_str()).cast(DataType::Date);
    let before = col(STATE)
        .eq(lit(OUT_OF_PERIOD))
        .and(day.clone().lt(date_lit(scheme.period.start)));
    Some(
        when(before)
            .then(day)
            .otherwise(lit(NULL).cast(DataType::Date))
            .min()
            .alias("from"),
    )
}

/// Benjamini-Hochberg adjusted p-values, in the input order.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut idx: Vec<usize> = (0..m).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adj = vec![0.0; m];
    let mut running = 1.0f64;
    for (rank, &i) in idx.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        adj[i] = running.min(1.0);
    }
    adj
}

/// From this many figures on, the MAD bound judges Benford conformity
/// (chi-squared rejects trivial departures in large samples); below it,
/// sampling noise alone gives MAD ≈ 0.02 at n = 120, so the chi-squared
/// test, which accounts for n, judges.
pub const LARGE_SAMPLE: u64 = 1000;

/// Is count `k` over exposure `e` significantly above the rate of
/// `reference` over exposure `e_ref`? The exact conditional test for two
/// Poisson counts: given their total T, under equal rates k ~ Binomial(T,
/// e / (e + e_ref)); the p-value is P(X ≥ k). Unlike a Poisson test against
/// the reference's rate, it allows for the reference being an estimate
/// too (a month of history, a few peers).
pub fn rate_test(k: u64, reference: f64, e: f64, e_ref: f64) -> Option<f64> {
    let total = k + reference.round() as u64;
    if !(e > 0.0 && e_ref > 0.0) || total == 0 {
        return None;
    }
    if k == 0 {
        return Some(1.0);
    }
    Binomial::new(e / (e + e_ref), total)
        .ok()
        .map(|b| b.sf(k - 1))
}

/// P(X ≥ k) for X ~ Poisson(λ).
pub fn poisson_upper(k: u64, lambda: f64) -> Option<f64> {
    if !(lambda > 0.0 && lambda.is_finite()) {
        return None;
    }
    if k == 0 {
        return Some(1.0);
    }
    Poisson::new(lambda).ok().map(|d| d.sf(k - 1))
}

/// Benford's first-digit probabilities log10(1 + 1/d).
pub fn benford_expected() -> [f64; 9] {
    std::array::from_fn(|i| (1.0 + 1.0 / (i as f64 + 1.0)).log10())
}

/// (chi-squared, p-value with 8 df, MAD) of first-digit counts.
pub fn benford_test(counts: &[u64; 9]) -> (f64, f64, f64) {
    let n: u64 = counts.iter().sum();
    let e = benford_expected();
    let nf = n as f64;
    let chi2: f64 = (0..9)
        .map(|d| (counts[d] as f64 - nf * e[d]).powi(2) / (nf * e[d]))
        .sum();
    let mad = (0..9)
        .map(|d| (counts[d] as f64 / nf - e[d]).abs())
        .sum::<f64>()
        / 9.0;
    let p = ChiSquared::new(8.0).map(|c| c.sf(chi2)).unwrap_or(f64::NAN);
    (chi2, p, mad)
}

/// The counts frames and history starts a dataset's pass collected.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub frames: Vec<DataFrame>,
    pub history_from: Vec<Option<NaiveDate>>,
}

fn column_by_unit(units: &Units, frames: &[DataFrame], name: &str) -> Vec<u64> {
    let mut out = vec![0u64; units.len()];
    for df in frames {
        let (Ok(u), Ok(c)) = (df.column(UNIT), df.column(name)) else {
            continue;
        };
        let (Ok(u), Ok(c)) = (u.str(), c.cast(&DataType::UInt64)) else {
            continue;
        };
        let Ok(c) = c.u64() else { continue };
        for (uu, v) in u.iter().zip(c.iter()) {
            if let (Some(uu), Some(v)) = (uu, v) {
                if let Some(i) = units.index_of(uu) {
                    out[i] += v;
                }
            }
        }
    }
    out
}

/// Every warning of a run.
pub fn evaluate(
    scheme: &Scheme,
    units: &Units,
    counts: &Counts,
    scored: &score::Result,
) -> Vec<Warning> {
    let mut out = Vec::new();
    let groups = score::groups(units);
    let period_days = (scheme.period.end - scheme.period.start).num_days() as f64 + 1.0;
    for (k, a) in scheme.alerts.iter().enumerate() {
        let now = column_by_unit(units, &counts.frames, &format!("al{k}_now"));
        let hist = column_by_unit(units, &counts.frames, &format!("al{k}_hist"));
        let attr = a.per.as_ref().and_then(|p| units.attr_f64(p));
        // A unit's count tested against an expected `lambda`.
        let warning = |kind, u: usize, lambda: f64, p: f64, q: f64, message| Warning {
            kind,
            subject: a.id.clone(),
            unit: Some(u),
            observed: now[u] as f64,
            expected: lambda,
            statistic: now[u] as f64 / lambda,
            p_value: Some(p),
            p_adjusted: Some(q),
            message,
        };
        // (a) Peers' rate, leave-one-out.
        let mut tests: Vec<(usize, f64, f64)> = Vec::new();
        for members in &groups {
            let valid: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&u| attr.as_ref().is_none_or(|x| x[u].is_some_and(|v| v > 0.0)))
                .collect();
            let total: f64 = valid.iter().map(|&u| now[u] as f64).sum();
            let exposure: f64 = valid
                .iter()
                .map(|&u| attr.as_ref().map_or(1.0, |x| x[u].unwrap_or(0.0)))
                .sum();
            for &u in &valid {
                let e_u = attr.as_ref().map_or(1.0, |x| x[u].unwrap_or(0.0));
                let (others, others_e) = (total - now[u] as f64, exposure - e_u);
                if others_e <= 0.0 {
                    continue;
                }
                let lambda = e_u * others / others_e;
                if let Some(p) = rate_test(now[u], others, e_u, others_e) {
                    tests.push((u, lambda, p));
                }
            }
        }
        let adj = benjamini_hochberg(&tests.iter().map(|t| t.2).collect::<Vec<_>>());
        for ((u, lambda, p), q) in tests.iter().zip(adj) {
            if q <= a.alpha {
                let basis = match &a.per {
                    Some(per) => format!("同类单位按{per}折算"),
                    None => "同类单位平均水平".to_string(),
                };
                out.push(warning(
                    "peer_rate",
                    *u,
                    *lambda,
                    *p,
                    q,
                    format!(
                        "{}：本期{}{}件，显著高于{}的预期{:.1}件（校正后p={:.4}），建议列为重点督办对象。",
                        units.names[*u], a.name, now[*u], basis, lambda, q
                    ),
                ));
            }
        }
        // (b) Own history.
        let from = counts.history_from.get(a.dataset).copied().flatten();
        if let Some(from) = from {
            let span = (scheme.period.start - from).num_days() as f64;
            if span >= 28.0 {
                let tests: Vec<(usize, f64, f64)> = (0..units.len())
                    .filter_map(|u| {
                        let lambda = hist[u] as f64 * period_days / span;
                        rate_test(now[u], hist[u] as f64, period_days, span).map(|p| (u, lambda, p))
                    })
                    .collect();
                let adj = benjamini_hochberg(&tests.iter().map(|t| t.2).collect::<Vec<_>>());
                for ((u, lambda, p), q) in tests.iter().zip(adj) {
                    if q <= a.alpha {
                        out.push(warning(
                            "own_history",
                            *u,
                            *lambda,
                            *p,
                            q,
                            format!(
                                "{}：本期{}{}件，显著高于本单位此前{:.0}天水平折算的预期{:.1}件（校正后p={:.4}）。",
                                units.names[*u], a.name, now[*u], span, lambda, q
                            ),
                        ));
                    }
                }
            }
        }
    }
    for (k, s) in scheme.screens.iter().enumerate() {
        let digits: Vec<Vec<u64>> = (1..=9)
            .map(|d| column_by_unit(units, &counts.frames, &format!("sc{k}_d{d}")))
            .collect();
        let tests: Vec<(usize, u64, f64, f64, f64)> = (0..units.len())
            .filter_map(|u| {
                let c: [u64; 9] = std::array::from_fn(|d| digits[d][u]);
                let n: u64 = c.iter().sum();
                (n >= s.min_n).then(|| {
                    let (chi2, p, mad) = benford_test(&c);
                    (u, n, chi2, p, mad)
                })
            })
            .collect();
        let adj = benjamini_hochberg(&tests.iter().map(|t| t.3).collect::<Vec<_>>());
        for ((u, n, chi2, p, mad), q) in tests.iter().zip(adj) {
            let flagged = if *n < LARGE_SAMPLE {
                q <= s.alpha
            } else {
                *mad > 0.015
            };
            if flagged {
                out.push(Warning {
                    kind: "benford",
                    subject: s.id.clone(),
                    unit: Some(*u),
                    observed: *n as f64,
                    expected: *mad,
                    statistic: *chi2,
                    p_value: Some(*p),
                    p_adjusted: Some(q),
                    message: format!(
                        "{}：{}的首位数字分布偏离本福特定律（MAD={:.4}，χ²={:.1}，校正后p={:.4}，样本{}个），仅作为数据质量筛查线索，需人工核实，不作为扣分依据。",
                        units.names[*u], s.name, mad, chi2, q, n
                    ),
                });
            }
        }
    }
    for (i, ind) in scheme.indicators.iter().enumerate() {
        let cells = &scored.cells[i];
        let applicable = cells
            .iter()
            .filter(|c| c.status != Status::NotApplicable)
            .count();
        let valued = cells.iter().filter(|c| c.status.has_value()).count();
        if applicable > 0 && (valued as f64) < 0.65 * applicable as f64 {
            let share = valued as f64 / applicable as f64;
            out.push(Warning {
                kind: "coverage",
                subject: ind.id.clone(),
                unit: None,
                observed: valued as f64,
                expected: applicable as f64,
                statistic: share,
                p_value: None,
                p_adjusted: None,
                message: format!(
                    "指标“{}”仅{}个适用单位中的{}个有有效数据（{:.0}%，低于65%），评分依据不足，建议补充数据或调整权重。",
                    ind.name,
                    applicable,
                    valued,
                    share * 100.0
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bh_adjustment_matches_the_textbook_example() {
        // p = 0.01, 0.04, 0.03, 0.005 (m = 4): sorted 0.005, 0.01, 0.03,
        // 0.04 -> × 4/1, 4/2, 4/3, 4/4 = 0.02, 0.02, 0.04, 0.04, already
        // monotone; in input order: 0.02, 0.04, 0.04, 0.02.
        let adj = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005]);
        let want = [0.02, 0.04, 0.04, 0.02];
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adj:?}");
        }
    }

    #[test]
    fn rate_test_is_the_conditional_binomial() {
        // 8 events over exposure 1 against 2 over exposure 1: T = 10,
        // p0 = 1/2, P(X ≥ 8) = (45 + 10 + 1) / 1024 = 0.0546875.
        let p = rate_test(8, 2.0, 1.0, 1.0).unwrap();
        assert!((p - 56.0 / 1024.0).abs() < 1e-12, "{p}");
        assert_eq!(rate_test(0, 5.0, 1.0, 1.0), Some(1.0));
        assert_eq!(rate_test(3, 5.0, 0.0, 1.0), None);
    }

    #[test]
    fn poisson_tail() {
        // P(X ≥ 3 | λ = 1) = 1 - e^-1 (1 + 1 + 1/2) = 0.0803014.
        let p = poisson_upper(3, 1.0).unwrap();
        assert!((p - (1.0 - (-1.0f64).exp() * 2.5)).abs() < 1e-12, "{p}");
        assert_eq!(poisson_upper(0, 2.0), Some(1.0));
        assert_eq!(poisson_upper(1, 0.0), None);
    }

    #[test]
    fn benford_counts_that_follow_the_law_pass_and_uniform_ones_fail() {
        // 1000 values exactly in Benford proportions: chi² ≈ 0, MAD ≈ 0.
        let e = benford_expected();
        let exact: [u64; 9] = std::array::from_fn(|d| (e[d] * 1000.0).round() as u64);
        let (chi2, p, mad) = benford_test(&exact);
        assert!(chi2 < 1.0 && p > 0.99 && mad < 0.001, "{chi2} {p} {mad}");
        // Uniform first digits (a fabricator's): MAD = Σ |1/9 − P(d)| / 9 =
        // (0.18992 + 0.06498 + 0.01383 + 0.01420 + 0.03193 + 0.04416 +
        // 0.05312 + 0.05996 + 0.06535) / 9 = 0.53745 / 9 = 0.059717.
        let (_, p, mad) = benford_test(&[100; 9]);
        let want: f64 = e.iter().map(|p| (1.0 / 9.0 - p).abs()).sum::<f64>() / 9.0;
        assert!(
            p < 1e-10 && (mad - want).abs() < 1e-12 && (mad - 0.059717).abs() < 1e-5,
            "{p} {mad}"
        );
    }
}
