//! results.xlsx: the run as a workbook an office can filter and forward.
//!
//! Sheets: 得分排名 (scores; grade colours, frozen header, autofilter),
//! 指标得分 (values), 扣分依据 (evidence), 拒收记录 (rejects), 考核方案
//! (the scheme's tree with points), and 异议登记 (the objection register)
//! when the scheme has one. Text is written with `write_string`,
//! so a cell such as `=cmd|' /C calc'!A0` stays text; column widths count
//! a Chinese character as two (rust_xlsxwriter's autofit counts one).
//!
//! Each sheet is built on its own (a [`Worksheet`] of its own, in
//! parallel; [`sheet::Sheet`]) and the workbook takes them in order:
//! 指标得分 and 扣分依据 hold most of the cells (66,000 and more rows at
//! 3,000 units) and are streamed ([`streamed`]).

mod extra;
mod records;
mod register;
mod sheet;

use chrono::Datelike;
use rayon::prelude::*;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

use super::{ExportError, Exporter, OutFile};
use crate::render::{display_width, grade_rgb};
use crate::run::Run;
use sheet::{Built, Sheet, V, d2, num, pct, t, text};

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        ExportError::Other(format!("xlsx: {e}"))
    }
}

pub struct ResultsXlsx;

impl Exporter for ResultsXlsx {
    fn export(&self, run: &Run) -> Result<Vec<OutFile>, ExportError> {
        let s = &run.scheme;
        let mut wb = Workbook::new();
        // Level 2: at 3,000 units (the two large sheets, 45 MB of XML)
        // the save, which runs alone at the end of a run, takes 236 ms
        // against 313-346 at level 3 (what Excel uses), for a file of
        // 6.6 MB against 6.1; level 1 takes 164-173 ms but makes 9.0 MB.
        wb.set_zip_compression_level(2);
        // A fixed creation time (the period's end) keeps the file
        // byte-identical on a re-run.
        let end = s.period.end;
        let created =
            ExcelDateTime::from_ymd(end.year() as u16, end.month() as u8, end.day() as u8)?;
        let mut props = DocProperties::new()
            .set_title(s.name.as_str())
            .set_creation_datetime(&created);
        if let Some(o) = &s.office {
            props = props.set_company(o.as_str()).set_author(o.as_str());
        }
        wb.set_properties(&props);
        let header = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xDDEBF7))
            .set_align(FormatAlign::Center);
        let h = &header;
        // A streamed sheet takes each format's number from the workbook
        // as it writes, and two are built at the same time: the formats
        // they use are numbered here first, in this order, so that the
        // numbers (and the file's bytes) do not depend on which sheet
        // wrote first.
        for f in [h, &sheet::d2_format(), &sheet::pct_format()] {
            wb.register_format(f);
        }
        // In the workbook's order; built in parallel.
        // 指标得分 keeps the shared strings (its unit and indicator names
        // repeat), 扣分依据 writes its strings inline. Only one streamed
        // sheet may share strings: it adds them to the workbook's table
        // as it is built, beside the other sheets, and the table's order
        // (the file's bytes) must not depend on which thread came first.
        let (vw, ew) = (streamed(&mut wb, true), streamed(&mut wb, false));
        let sheets: Vec<Box<dyn FnOnce() -> Built + Send + '_>> = vec![
            Box::new(|| scores(run, h).map(Some)),
            Box::new(|| values(run, h, vw).map(Some)),
            Box::new(|| records::evidence(run, h, ew).map(Some)),
            Box::new(|| records::rejects(run, h).map(Some)),
            Box::new(|| match &run.data.register {
                Some(reg) => register::sheet(run, reg, h).map(Some),
                None => Ok(None),
            }),
            Box::new(|| extra::change(run, h)),
            Box::new(|| extra::stability(run, h)),
            Box::new(|| extra::warnings(run, h)),
            Box::new(|| records::scheme(run, h).map(Some)),
        ];
        let mut clock = crate::Stopwatch::new("results.xlsx");
        let built: Vec<Built> = sheets.into_par_iter().map(|f| f()).collect();
        for ws in built {
            if let Some(ws) = ws? {
                wb.push_worksheet(ws);
            }
        }
        clock.lap("sheets");
        let bytes = wb.save_to_buffer()?;
        clock.lap("save");
        Ok(vec![("results.xlsx".into(), bytes)])
    }
}

/// 得分排名: one row per unit in output order, the grade in its colour.
fn scores(run: &Run, header: &Format) -> Result<Worksheet, XlsxError> {
    let s = &run.scheme;
    let units = &run.data.units;
    let nodes: Vec<(usize, &crate::scheme::TreeNode)> = s.aggregate_nodes().collect();
    let mut head = vec![
        t("单位编码"),
        t("单位名称"),
        t("类别"),
        t("名次"),
        t("总分"),
        t("指标得分"),
        t("加分"),
        t("倒扣分"),
        t("等次"),
        t("一票否决"),
    ];
    head.extend(
        nodes
            .iter()
            .map(|(_, n)| text(format!("{}（{:.0}分）", n.name, n.points))),
    );
    let mut sh = Sheet::new("得分排名", head, header)?;
    for (r, &u) in run.scored.order.iter().enumerate() {
        let x = &run.scored.units[u];
        let r = r as u32 + 1;
        let mut cells = vec![
            t(&units.ids[u]),
            t(&units.names[u]),
            t(s.group_name(&units.groups[u])),
            V::N(x.rank as f64),
            V::D2(x.total),
            V::D2(super::round2_value(x.base)),
            V::D2(super::round2_value(x.bonus)),
            V::D2(super::round2_value(x.penalty)),
            V::Empty,
            // The reason, not just 是.
            text(
                x.vetoes
                    .iter()
                    .map(|&r| s.rules[r].name.as_str())
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
        ];
        cells.extend(
            nodes.iter().map(|(n, node)| {
                d2(x.attainment[*n].map(|a| super::round2_value(a * node.points)))
            }),
        );
        sh.row(r, cells, None)?;
        if let Some(g) = x.grade {
            let f = Format::new()
                .set_background_color(Color::RGB(grade_rgb(&run.scheme, g)))
                .set_font_color(Color::White)
                .set_bold();
            sh.ws
                .write_string_with_format(r, 8, &s.grades[g].name, &f)?;
            sh.widths[8] = sh.widths[8].max(display_width(&s.grades[g].name));
        }
    }
    sh.finish(run.scored.order.len() as u32)
}

/// A worksheet for the sheets with most cells: each row is written as
/// XML to an anonymous temporary file (in the system's temporary
/// directory, gone when closed) once the next row starts, instead of
/// being kept as cells until the workbook is saved. Its strings go to the
/// workbook's shared table as they are written (`shared`: rust_xlsxwriter's
/// low-memory mode) or inline in the cell (its constant-memory mode).
/// Where no temporary file can be made, an ordinary worksheet: the same
/// workbook, made more slowly.
fn streamed(wb: &mut Workbook, shared: bool) -> Worksheet {
    let ws = if shared {
        wb.new_worksheet_with_low_memory()
    } else {
        wb.new_worksheet_with_constant_memory()
    };
    ws.unwrap_or_else(|_| Worksheet::new())
}

/// 指标得分: one row per unit and indicator.
fn values(run: &Run, header: &Format, ws: Worksheet) -> Result<Worksheet, XlsxError> {
    let s = &run.scheme;
    let units = &run.data.units;
    let mut sh = Sheet::on(
        ws,
        "指标得分",
        [
            t("单位编码"),
            t("单位名称"),
            t("指标编码"),
            t("指标名称"),
            t("完成值"),
            t("完成值（显示）"),
            t("样本量"),
            t("达成度"),
            t("指标得分"),
            t("满分"),
            t("状态"),
        ],
        header,
    )?;
    let mut r = 1;
    for &u in &run.scored.order {
        for (i, ind) in s.indicators.iter().enumerate() {
            let c = &run.scored.cells[i][u];
            sh.row(
                r,
                [
                    t(&units.ids[u]),
                    t(&units.names[u]),
                    t(&ind.id),
                    t(&ind.name),
                    if super::words::is_percent(ind) {
                        pct(c.value)
                    } else {
                        num(c.value)
                    },
                    text(super::words::value(ind, c)),
                    num(c.n.map(|n| n as f64)),
                    pct(c.attainment),
                    d2(c.points),
                    V::D2(s.tree[ind.node].points),
                    t(status_name(c.status)),
                ],
                None,
            )?;
            r += 1;
        }
    }
    sh.finish(r - 1)
}

fn status_name(s: crate::score::Status) -> &'static str {
    use crate::score::Status::*;
    match s {
        Ok => "正常",
        Missing => "缺失",
        NotApplicable => "不适用",
        Shrunk => "小样本收缩",
        Imputed => "缺失补值",
    }
}
