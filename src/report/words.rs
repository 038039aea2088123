//! What readers see instead of ids and floats: indicator values in their
//! own units (92.05%, 2.40个工作日, 3件), score rules in words, statuses,
//! dates and periods in Chinese. Shared by the bulletin, the feedback,
//! the workbook and `explain`.

use chrono::NaiveDate;

use crate::scheme::{Direction, Indicator, MeasureKind, Scheme, ScoreKind};
use crate::score::{Scored, Status};

/// 2026年1月15日.
pub fn date(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// 2025年1月1日至2025年12月31日.
pub fn period(s: &Scheme) -> String {
    format!("{}至{}", date(s.period.start), date(s.period.end))
}

/// Is the indicator's value a proportion (shown as a percentage)?
pub fn is_percent(ind: &Indicator) -> bool {
    match &ind.measure.kind {
        MeasureKind::Share { .. } => true,
        MeasureKind::Ratio { .. } => ind.value_unit.as_deref() == Some("%"),
        _ => false,
    }
}

/// A number in the indicator's unit: 92.05%, 2.40个工作日, 3件, 4.00分.
pub fn number(ind: &Indicator, v: f64) -> String {
    let v = v + 0.0;
    if is_percent(ind) {
        return format!("{:.2}%", v * 100.0 + 0.0);
    }
    let unit = ind.value_unit.as_deref().unwrap_or("");
    match &ind.measure.kind {
        MeasureKind::Count { per: None, .. } if v.fract() == 0.0 => {
            format!("{v:.0}{}", if unit.is_empty() { "件" } else { unit })
        }
        MeasureKind::Deduction { .. } if v == 0.0 => "未扣分".into(),
        MeasureKind::Deduction { .. } => {
            format!("扣{v:.2}{}", if unit.is_empty() { "分" } else { unit })
        }
        _ => format!("{v:.2}{unit}"),
    }
}

/// A unit's value of an indicator as the reader should see it, with
/// 不适用 (the indicator does not apply to the unit's group), 无数据 (no
/// value) and 样本不足 (fewer records than `min_n`; the value measured
/// follows, with its count) kept apart.
pub fn value(ind: &Indicator, c: &Scored) -> String {
    match (c.status, c.value, c.n) {
        (Status::Missing | Status::Imputed, Some(v), Some(n)) if v.is_finite() && n > 0 => {
            format!("样本不足（{n}条，{}）", number(ind, v))
        }
        _ => value_short(ind, c),
    }
}

/// [`value`] for a table of many units: 样本不足 without the figures.
pub fn value_short(ind: &Indicator, c: &Scored) -> String {
    match c.status {
        Status::NotApplicable => "不适用".into(),
        Status::Missing | Status::Imputed => match (c.value, c.n) {
            (Some(v), Some(n)) if v.is_finite() && n > 0 => "样本不足".into(),
            _ => "无数据".into(),
        },
        _ => c
            .value
            .filter(|v| v.is_finite())
            .map_or("无数据".into(), |v| number(ind, v)),
    }
}

/// A threshold in the indicator's unit, without decimals that say
/// nothing (95%, not 95.00%).
fn threshold(ind: &Indicator, v: f64) -> String {
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if is_percent(ind) {
        format!("{}%", trim(format!("{:.2}", v * 100.0)))
    } else {
        format!(
            "{}{}",
            trim(format!("{v:.2}")),
            ind.value_unit.as_deref().unwrap_or("")
        )
    }
}

/// Points without decimals that say nothing: 20, 2.5.
pub fn points(p: f64) -> String {
    let s = format!("{p:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The rule in words: the indicator's `description`, else one generated
/// from its score, e.g. "目标95%，每低1个百分点扣0.5分".
pub fn rule(s: &Scheme, ind: &Indicator) -> String {
    if let Some(d) = &ind.description {
        return d.clone();
    }
    let full = s.tree[ind.node].points;
    let lower = ind.score.direction == Direction::Lower;
    match &ind.score.kind {
        ScoreKind::Target { target, floor } => format!(
            "{}{}得满分，{}{}不得分，其间按比例计分",
            if lower { "不高于" } else { "达到" },
            threshold(ind, *target),
            threshold(ind, *floor),
            if lower { "及以上" } else { "及以下" }
        ),
        ScoreKind::Shortfall {
            target,
            per,
            deduct,
        } => {
            let step = if is_percent(ind) {
                format!("{}个百分点", points(per * 100.0))
            } else {
                threshold(ind, *per)
            };
            format!(
                "目标{}，每{}{step}扣{}分，扣完为止",
                threshold(ind, *target),
                if lower { "高" } else { "低" },
                points(*deduct)
            )
        }
        ScoreKind::Bands { bands } => {
            let parts: Vec<String> = bands
                .iter()
                .map(|(t, a)| {
                    format!(
                        "{}{}得{}分",
                        if lower { "不高于" } else { "达到" },
                        threshold(ind, *t),
                        points(a * full)
                    )
                })
                .collect();
            format!("分档计分：{}；其余不得分", parts.join("，"))
        }
        ScoreKind::Deduction { cap } => match cap {
            Some(c) if *c < full => format!("按记录扣分，最多扣{}分", points(*c)),
            _ => "按记录扣分，扣完为止".into(),
        },
        ScoreKind::Minmax { .. } => format!(
            "按同类单位中的相对位置计分，{}者得满分",
            if lower { "最低" } else { "最高" }
        ),
        ScoreKind::Zscore => "按与同类单位平均水平的差距计分".into(),
        ScoreKind::Rank => "按在同类单位中的名次计分".into(),
    }
}

/// A measure kind in Chinese (考核方案 sheet).
pub fn measure_kind(k: &MeasureKind) -> &'static str {
    match k {
        MeasureKind::Count { .. } => "计数",
        MeasureKind::Sum { .. } => "合计",
        MeasureKind::Mean { .. } => "平均值",
        MeasureKind::Share { .. } => "比例",
        MeasureKind::Ratio { .. } => "比率",
        MeasureKind::Value => "填报值",
        MeasureKind::Deduction { .. } => "扣分",
    }
}

/// A score kind in Chinese (考核方案 sheet).
pub fn score_kind(k: &ScoreKind) -> &'static str {
    match k {
        ScoreKind::Minmax { .. } => "极差标准化",
        ScoreKind::Zscore => "标准分",
        ScoreKind::Rank => "名次计分",
        ScoreKind::Target { .. } => "目标值计分",
        ScoreKind::Shortfall { .. } => "差距扣分",
        ScoreKind::Bands { .. } => "分档计分",
        ScoreKind::Deduction { .. } => "扣分计分",
    }
}

/// An evidence note in Chinese.
pub fn note(note: &str) -> String {
    note.replace("pending objection", "异议处理中")
        .replace("repaired ×", "已信用修复×")
        .replace("repaired", "已信用修复")
        .replace("; ", "；")
}
