//! 异议登记: the objection register as the office reads it: each
//! objection applied with its record, unit, status, due day and whether
//! it is overdue (逾期未答复), overdue ones first in red; rejected register
//! rows are in 拒收记录.

use rust_xlsxwriter::{Color, Format, Worksheet, XlsxError};

use super::sheet::{Sheet, V, t};
use crate::data::objections::{Register, Status};
use crate::run::Run;

pub(super) fn sheet(run: &Run, reg: &Register, header: &Format) -> Result<Worksheet, XlsxError> {
    let units = &run.data.units;
    let mut sh = Sheet::new(
        "异议登记",
        [
            t("登记行号"),
            t("单位编码"),
            t("单位名称"),
            t("数据集"),
            t("记录编号"),
            t("异议理由"),
            t("登记日期"),
            t("答复期限"),
            t("处理状态"),
            t("处理日期"),
            t("答复意见"),
            t("是否逾期"),
        ],
        header,
    )?;
    let red = Format::new()
        .set_font_color(Color::RGB(0xC62828))
        .set_bold();
    let mut rows: Vec<_> = reg.rows.iter().collect();
    // Overdue first, then by due day.
    rows.sort_by_key(|o| (!o.overdue, o.status != Status::Pending, o.due_on, o.line));
    for (k, o) in rows.iter().enumerate() {
        let r = k as u32 + 1;
        sh.row(
            r,
            [
                V::N(o.line as f64),
                t(&units.ids[o.unit]),
                t(&units.names[o.unit]),
                t(&run.scheme.datasets[o.dataset].title),
                t(&o.record_key),
                t(&o.reason),
                t(&o.filed_on.to_string()),
                t(&o.due_on.to_string()),
                t(o.status.zh()),
                t(&o.decided_on.map(|d| d.to_string()).unwrap_or_default()),
                t(&o.reply),
                t(if o.overdue { "逾期未答复" } else { "" }),
            ],
            None,
        )?;
        if o.overdue {
            sh.ws.write_string_with_format(r, 11, "逾期未答复", &red)?;
        }
    }
    sh.finish(rows.len() as u32)
}
