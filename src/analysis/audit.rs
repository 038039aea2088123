//! The scheme audit (`govtrust audit`): is each indicator fit to rank with,
//! and does the scheme measure what it claims? Per peer group (a county's
//! departments and its towns are different populations):
//!
//! - per indicator: coverage, mean, sd, skewness, excess kurtosis, Tukey
//!   outliers (outside 1.5 × IQR), the share of the most common value;
//! - correlations (Pearson and Spearman) between indicators' attainments,
//!   and of each indicator with its dimension and with the total;
//! - Cronbach's alpha of each dimension's indicators;
//! - findings in plain language an evaluator can act on: low coverage,
//!   no spread, heavy skew (|skew| > 2 and kurtosis > 3.5, the JRC rule),
//!   outliers, collinearity (|r| > 0.9), an indicator that runs against its
//!   dimension, weak internal consistency (alpha < 0.6).

use super::stats::{cronbach_alpha, moments, outliers, spearman};
use crate::data::Units;
use crate::scheme::{NodeKind, Scheme};
use crate::score::weights::pearson;
use crate::score::{Scored, Scores, Status};

#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorStats {
    pub group: String,
    pub indicator: usize,
    pub applicable: usize,
    pub valued: usize,
    pub mean: f64,
    pub sd: f64,
    pub skewness: f64,
    pub kurtosis: f64,
    pub outliers: Vec<usize>,
    pub mode_share: f64,
    /// Spearman correlation of the attainment with the dimension's and the
    /// total's attainment.
    pub with_dimension: Option<f64>,
    pub with_total: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    pub group: String,
    pub a: usize,
    pub b: usize,
    pub n: usize,
    pub pearson: f64,
    pub spearman: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    pub indicators: Vec<IndicatorStats>,
    pub correlations: Vec<Correlation>,
    /// (group, node index, alpha, indicators, units).
    pub alphas: Vec<(String, usize, f64, usize, usize)>,
    pub findings: Vec<String>,
}

/// One peer group under audit, with the scheme and the scores.
struct Group<'a> {
    name: &'a str,
    members: Vec<usize>,
    s: &'a Scheme,
    units: &'a Units,
    scored: &'a Scores,
}

impl Group<'_> {
    fn cells(&self) -> &[Vec<Scored>] {
        &self.scored.cells
    }
    fn names(&self, u: &[usize]) -> String {
        u.iter()
            .map(|&k| self.units.names[k].as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// Audit the scores of a run, per peer group with at least `min_units`
/// units.
pub fn audit(s: &Scheme, units: &Units, scored: &Scores, min_units: usize) -> Audit {
    let mut out = Audit {
        indicators: Vec::new(),
        correlations: Vec::new(),
        alphas: Vec::new(),
        findings: Vec::new(),
    };
    for g in &units.group_order {
        let group = Group {
            // Findings are read by people: the group's display name.
            name: s.group_name(g),
            members: units.members(g),
            s,
            units,
            scored,
        };
        if group.members.len() < min_units {
            continue;
        }
        for i in 0..s.indicators.len() {
            if let Some(x) = indicator(&group, i, &mut out.findings) {
                out.indicators.push(x);
            }
        }
        correlations(&group, &mut out);
        alphas(&group, &mut out);
    }
    out
}

/// The statistics of indicator `i` in a group, and its findings.
fn indicator(g: &Group, i: usize, findings: &mut Vec<String>) -> Option<IndicatorStats> {
    let (s, cells, name) = (g.s, g.cells(), g.name);
    let ind = &s.indicators[i];
    let att = |n: usize, u: usize| g.scored.units[u].attainment[n];
    let applicable: Vec<usize> = g
        .members
        .iter()
        .copied()
        .filter(|&u| cells[i][u].status != Status::NotApplicable)
        .collect();
    if applicable.is_empty() {
        return None;
    }
    let valued: Vec<usize> = applicable
        .iter()
        .copied()
        .filter(|&u| cells[i][u].status.has_value())
        .collect();
    let values: Vec<f64> = valued
        .iter()
        .map(|&u| cells[i][u].value.unwrap_or(0.0))
        .collect();
    if values.len() < 3 {
        return None;
    }
    let (m, sd, skew, kurt) = moments(&values);
    let mut counts = std::collections::HashMap::new();
    for v in &values {
        *counts.entry(v.to_bits()).or_insert(0usize) += 1;
    }
    let mode_share = *counts.values().max().unwrap_or(&0) as f64 / values.len() as f64;
    let out_idx: Vec<usize> = outliers(&values).into_iter().map(|k| valued[k]).collect();
    let parent = s.tree[ind.node].parent.unwrap_or(0);
    let corr_with = |n: usize| {
        let (x, y): (Vec<f64>, Vec<f64>) = valued
            .iter()
            .filter_map(|&u| Some((cells[i][u].attainment?, att(n, u)?)))
            .unzip();
        (x.len() >= 3)
            .then(|| spearman(&x, &y))
            .filter(|r| r.is_finite())
    };
    let with_dimension = (parent != 0).then(|| corr_with(parent)).flatten();
    let with_total = corr_with(0);
    let st = IndicatorStats {
        group: name.to_string(),
        indicator: i,
        applicable: applicable.len(),
        valued: valued.len(),
        mean: m,
        sd,
        skewness: skew,
        kurtosis: kurt,
        outliers: out_idx,
        mode_share,
        with_dimension,
        with_total,
    };
    findings_of(g, &st, findings);
    Some(st)
}

/// Pairwise correlations of the indicators' attainments in a group.
fn correlations(g: &Group, out: &mut Audit) {
    let (s, cells, name) = (g.s, g.cells(), g.name);
    for a in 0..s.indicators.len() {
        for b in a + 1..s.indicators.len() {
            let (x, y): (Vec<f64>, Vec<f64>) = g
                .members
                .iter()
                .filter(|&&u| cells[a][u].status.has_value() && cells[b][u].status.has_value())
                .filter_map(|&u| Some((cells[a][u].attainment?, cells[b][u].attainment?)))
                .unzip();
            if x.len() < 5 {
                continue;
            }
            let (p, r) = (pearson(&x, &y), spearman(&x, &y));
            if !p.is_finite() || !r.is_finite() {
                continue;
            }
            if p.abs() > 0.9 {
                out.findings.push(format!(
                    "【{name}】“{}”与“{}”高度相关（r={:.2}，n={}{}），可能重复计分：建议合并两项，或降低其中一项的权重。",
                    s.indicators[a].name,
                    s.indicators[b].name,
                    p,
                    x.len(),
                    if x.len() < 10 { "，单位较少，仅供参考" } else { "" }
                ));
            }
            out.correlations.push(Correlation {
                group: name.to_string(),
                a,
                b,
                n: x.len(),
                pearson: p,
                spearman: r,
            });
        }
    }
}

/// Cronbach's alpha per dimension (units with every child valued).
fn alphas(g: &Group, out: &mut Audit) {
    let (s, cells, name) = (g.s, g.cells(), g.name);
    for (n, node) in s.aggregate_nodes() {
        let kids: Vec<usize> = node
            .children
            .iter()
            .filter_map(|&c| match s.tree[c].kind {
                NodeKind::Indicator(i) => Some(i),
                _ => None,
            })
            .filter(|&i| {
                g.members
                    .iter()
                    .any(|&u| cells[i][u].status != Status::NotApplicable)
            })
            .collect();
        if kids.len() < 2 {
            continue;
        }
        let full: Vec<usize> = g
            .members
            .iter()
            .copied()
            .filter(|&u| kids.iter().all(|&i| cells[i][u].status.has_value()))
            .collect();
        if full.len() < 5 {
            continue;
        }
        let items: Vec<Vec<f64>> = kids
            .iter()
            .map(|&i| {
                full.iter()
                    .map(|&u| cells[i][u].attainment.unwrap_or(0.0))
                    .collect()
            })
            .collect();
        let alpha = cronbach_alpha(&items);
        if alpha.is_finite() {
            if alpha < 0.6 {
                out.findings.push(format!(
                    "【{name}】维度“{}”内部一致性较低（α={:.2}）：所含指标反映的可能不是同一方面，评价结论宜分项解读，或重新组合维度。",
                    node.name, alpha
                ));
            }
            out.alphas
                .push((name.to_string(), n, alpha, kids.len(), full.len()));
        }
    }
}

/// What the audit advises on indicator `st.indicator` in group `g`: too
/// little data, too little spread, heavy skew, outliers, a direction that
/// looks reversed.
fn findings_of(g: &Group, st: &IndicatorStats, findings: &mut Vec<String>) {
    let (s, name) = (g.s, g.name);
    let ind = &s.indicators[st.indicator];
    let parent = s.tree[ind.node].parent.unwrap_or(0);
    let coverage = st.valued as f64 / st.applicable as f64;
    if coverage < 0.65 {
        findings.push(format!(
            "【{name}】“{}”只有{:.0}%的单位有有效数据，排名依据不足：建议补充数据来源，或降低该指标权重。",
            ind.name,
            coverage * 100.0
        ));
    }
    if st.sd == 0.0 || st.mode_share >= 0.9 {
        // A deduction indicator is meant to be full marks for most units:
        // advising to make it one would be advice it already follows.
        let advice = if matches!(ind.score.kind, crate::scheme::ScoreKind::Deduction { .. }) {
            "这是扣分项，多数单位无扣分属正常，只需确认扣分记录已完整归集"
        } else {
            "建议提高计分标准的区分度，或将其改为扣分项"
        };
        findings.push(format!(
            "【{name}】“{}”有{:.0}%的单位取值相同，几乎不能区分单位：{advice}。",
            ind.name,
            st.mode_share * 100.0
        ));
    } else if st.skewness.abs() > 2.0 && st.kurtosis > 3.5 {
        findings.push(format!(
            "【{name}】“{}”分布严重偏斜（偏度{:.2}，峰度{:.2}），少数极端值可能主导排名：建议采用分档计分或对数变换。",
            ind.name, st.skewness, st.kurtosis
        ));
    }
    if !st.outliers.is_empty() && st.outliers.len() <= 5 && st.sd > 0.0 {
        findings.push(format!(
            "【{name}】“{}”有{}个单位的数值明显偏离（超出四分位距1.5倍）：{}，建议核实原始数据。",
            ind.name,
            st.outliers.len(),
            g.names(&st.outliers)
        ));
    }
    if let Some(r) = st.with_dimension.filter(|r| *r < -0.1) {
        findings.push(format!(
            "【{name}】“{}”与所属维度“{}”负相关（ρ={:.2}），计分方向可能设反：请检查 direction、target 与 floor。",
            ind.name, s.tree[parent].name, r
        ));
    }
}
