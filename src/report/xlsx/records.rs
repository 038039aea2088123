//! The workbook's sheets of records and rules: 扣分依据 (every evidence
//! record), 拒收记录 (every rejected row, its reason in Chinese) and
//! 考核方案 (the tree with weights, points and each rule in words).

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use super::sheet::{Sheet, V, t, text};
use crate::run::Run;
use crate::scheme::NodeKind;

/// 扣分依据: every evidence record.
pub(super) fn evidence(run: &Run, header: &Format, ws: Worksheet) -> Result<Worksheet, XlsxError> {
    let units = &run.data.units;
    let mut sh = Sheet::on(
        ws,
        "扣分依据",
        [
            t("单位编码"),
            t("单位名称"),
            t("规则"),
            t("规则名称"),
            t("数据集"),
            t("记录编号"),
            t("日期"),
            t("分值"),
            t("说明"),
        ],
        header,
    )?;
    for (k, e) in run.evidence.iter().enumerate() {
        let title = run.scheme.dataset_title(&e.dataset);
        sh.row(
            k as u32 + 1,
            [
                t(&units.ids[e.unit]),
                t(&units.names[e.unit]),
                t(&e.rule_id),
                t(run.scheme.rule_name(e.rule_order)),
                t(title),
                t(&e.record_key),
                t(&e.date),
                V::D2(e.points),
                text(crate::report::words::note(&e.note)),
            ],
            None,
        )?;
    }
    sh.finish(run.evidence.len() as u32)
}

/// 拒收记录: every rejected row.
pub(super) fn rejects(run: &Run, header: &Format) -> Result<Worksheet, XlsxError> {
    let mut sh = Sheet::new(
        "拒收记录",
        [
            t("数据集"),
            t("文件"),
            t("行号"),
            t("列"),
            t("值"),
            t("原因"),
            t("原因代码"),
        ],
        header,
    )?;
    for (k, e) in run.data.rejects.iter().enumerate() {
        sh.row(
            k as u32 + 1,
            [
                t(run.scheme.dataset_title(&e.dataset)),
                t(&e.file),
                V::N(e.line as f64),
                t(&e.column),
                t(&e.value),
                text(e.reason_zh()),
                t(e.code()),
            ],
            None,
        )?;
    }
    sh.finish(run.data.rejects.len() as u32)
}

/// 考核方案: the tree with weights, points and how each indicator scores.
pub(super) fn scheme(run: &Run, header: &Format) -> Result<Worksheet, XlsxError> {
    let s = &run.scheme;
    let mut sh = Sheet::new(
        "考核方案",
        [
            t("层级"),
            t("编码"),
            t("名称"),
            t("权重"),
            t("分值"),
            t("计分方法"),
            t("说明"),
        ],
        header,
    )?;
    let mut r = 1;
    let order = s.walk();
    for (depth, n) in order {
        let node = &s.tree[n];
        let (how, note) = match node.kind {
            NodeKind::Indicator(i) => {
                let ind = &s.indicators[i];
                (
                    format!(
                        "{}，{}",
                        crate::report::words::measure_kind(&ind.measure.kind),
                        crate::report::words::score_kind(&ind.score.kind)
                    ),
                    crate::report::words::rule(s, ind),
                )
            }
            _ => (String::new(), String::new()),
        };
        sh.row(
            r,
            [
                V::N(depth as f64),
                t(&node.id),
                text(format!(
                    "{}{}",
                    "　".repeat(depth.saturating_sub(1)),
                    node.name
                )),
                V::N(node.weight),
                V::D2(node.points),
                text(how),
                text(note),
            ],
            None,
        )?;
        r += 1;
    }
    sh.finish(r - 1)
}
