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

use super::stats::{LARGE_SAMPLE, benford_test, benjamini_hochberg, rate_test};
use crate::data::Units;
use crate::measure::signals::{Counts, column_by_unit};
use crate::scheme::{Alert, Scheme, Screen};
use crate::score::{self, Status};

/// What an early warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalKind {
    /// A count significantly above the peers' rate.
    PeerRate,
    /// A count significantly above the unit's own history.
    OwnHistory,
    /// First digits departing from Benford's law.
    Benford,
    /// An indicator with a value for too few units.
    Coverage,
}

impl SignalKind {
    /// As warnings.csv writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::PeerRate => "peer_rate",
            SignalKind::OwnHistory => "own_history",
            SignalKind::Benford => "benford",
            SignalKind::Coverage => "coverage",
        }
    }
}

/// One early warning (预警).
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub kind: SignalKind,
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

/// Every early warning of a run.
pub fn evaluate(
    scheme: &Scheme,
    units: &Units,
    counts: &Counts,
    scored: &score::Scores,
) -> Vec<Signal> {
    let mut out = Vec::new();
    for (k, a) in scheme.alerts.iter().enumerate() {
        alert(scheme, units, counts, k, a, &mut out);
    }
    for (k, s) in scheme.screens.iter().enumerate() {
        screen(units, counts, k, s, &mut out);
    }
    coverage(scheme, scored, &mut out);
    out
}

/// Alert `k`: each unit's count against its peers' rate, and against its
/// own history.
fn alert(
    scheme: &Scheme,
    units: &Units,
    counts: &Counts,
    k: usize,
    a: &Alert,
    out: &mut Vec<Signal>,
) {
    let now = column_by_unit(units, &counts.frames, &format!("al{k}_now"));
    let hist = column_by_unit(units, &counts.frames, &format!("al{k}_hist"));
    let t = AlertTests {
        a,
        units,
        now: &now,
    };
    t.peers(out);
    if let Some(from) = counts.history_from.get(a.dataset).copied().flatten() {
        let period_days = (scheme.period.end - scheme.period.start).num_days() as f64 + 1.0;
        let span = (scheme.period.start - from).num_days() as f64;
        if span >= 28.0 {
            t.history(&hist, period_days, span, out);
        }
    }
}

/// One alert's counts in the period, per unit.
struct AlertTests<'a> {
    a: &'a Alert,
    units: &'a Units,
    now: &'a [u64],
}

impl AlertTests<'_> {
    /// A unit's count tested against an expected `lambda`.
    fn signal(
        &self,
        kind: SignalKind,
        u: usize,
        lambda: f64,
        p: f64,
        q: f64,
        message: String,
    ) -> Signal {
        Signal {
            kind,
            subject: self.a.id.clone(),
            unit: Some(u),
            observed: self.now[u] as f64,
            expected: lambda,
            statistic: self.now[u] as f64 / lambda,
            p_value: Some(p),
            p_adjusted: Some(q),
            message,
        }
    }

    /// Each unit against its peers' rate, leave-one-out, per the `per`
    /// attribute if given.
    fn peers(&self, out: &mut Vec<Signal>) {
        let (a, units, now) = (self.a, self.units, self.now);
        let attr = a.per.as_ref().and_then(|p| units.attr_f64(p));
        let mut tests: Vec<(usize, f64, f64)> = Vec::new();
        for members in units.groups() {
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
                    Some(per) => format!("同类单位按{}折算", attribute_zh(per)),
                    None => "同类单位平均水平".to_string(),
                };
                out.push(self.signal(
                    SignalKind::PeerRate,
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
    }

    /// Each unit against its own history: `hist` matching records over
    /// the `span` days before the period, the period `period_days` long.
    fn history(&self, hist: &[u64], period_days: f64, span: f64, out: &mut Vec<Signal>) {
        let (a, units, now) = (self.a, self.units, self.now);
        let tests: Vec<(usize, f64, f64)> = (0..units.len())
            .filter_map(|u| {
                let lambda = hist[u] as f64 * period_days / span;
                rate_test(now[u], hist[u] as f64, period_days, span).map(|p| (u, lambda, p))
            })
            .collect();
        let adj = benjamini_hochberg(&tests.iter().map(|t| t.2).collect::<Vec<_>>());
        for ((u, lambda, p), q) in tests.iter().zip(adj) {
            if q <= a.alpha {
                out.push(self.signal(
                    SignalKind::OwnHistory,
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

/// Screen `k`: each unit's first digits against Benford's law.
fn screen(units: &Units, counts: &Counts, k: usize, s: &Screen, out: &mut Vec<Signal>) {
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
            out.push(Signal {
                kind: SignalKind::Benford,
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

/// Indicators with a usable value for fewer than 65% of their units.
fn coverage(scheme: &Scheme, scored: &score::Scores, out: &mut Vec<Signal>) {
    for (i, ind) in scheme.indicators.iter().enumerate() {
        let cells = &scored.cells[i];
        let applicable = cells
            .iter()
            .filter(|c| c.status != Status::NotApplicable)
            .count();
        let valued = cells.iter().filter(|c| c.status.has_value()).count();
        if applicable > 0 && (valued as f64) < 0.65 * applicable as f64 {
            let share = valued as f64 / applicable as f64;
            out.push(Signal {
                kind: SignalKind::Coverage,
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
}

/// A unit-register attribute as readers know it: the usual names in
/// Chinese, any other as the register's column.
fn attribute_zh(name: &str) -> String {
    match name {
        "population" => "常住人口".into(),
        "households" => "户数".into(),
        "staff" | "employees" => "在编人数".into(),
        "area" => "面积".into(),
        other => format!("单位名册“{other}”列"),
    }
}
