//! results.xlsx: the run as a workbook an office can filter and forward.
//!
//! Sheets: 得分排名 (scores; grade colours, frozen header, autofilter),
//! 指标得分 (values), 扣分依据 (evidence), 拒收记录 (rejects), 考核方案
//! (the scheme's tree with points), and 异议登记 (the objection register)
//! when the scheme has one. Text is written with `write_string`,
//! so a cell such as `=cmd|' /C calc'!A0` stays text; column widths count
//! a Chinese character as two (rust_xlsxwriter's autofit counts one).

mod extra;
mod records;
mod register;

use chrono::Datelike;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

use super::{ExportError, Exporter, OutFile};
use crate::render::{display_width, grade_rgb};
use crate::run::Run;

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        ExportError::Other(format!("xlsx: {e}"))
    }
}

enum V {
    T(String),
    N(f64),
    /// A number shown with two decimals (points, totals).
    D2(f64),
    /// A proportion shown as a percentage with one decimal.
    Pct(f64),
    Empty,
}

struct Sheet<'a> {
    ws: &'a mut Worksheet,
    widths: Vec<usize>,
    d2: Format,
    pct: Format,
}

impl<'a> Sheet<'a> {
    /// A new sheet named `name`, with its header row.
    fn new(
        wb: &'a mut Workbook,
        name: &str,
        head: &[V],
        fmt: &Format,
    ) -> Result<Sheet<'a>, XlsxError> {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        let mut sh = Sheet {
            ws,
            widths: Vec::new(),
            d2: Format::new().set_num_format("0.00"),
            pct: Format::new().set_num_format("0.0%"),
        };
        sh.row(0, head, Some(fmt))?;
        Ok(sh)
    }

    fn row(&mut self, r: u32, cells: &[V], fmt: Option<&Format>) -> Result<(), XlsxError> {
        for (c, v) in cells.iter().enumerate() {
            let col = c as u16;
            let w = match v {
                V::T(s) => {
                    match fmt {
                        Some(f) => self.ws.write_string_with_format(r, col, s, f)?,
                        None => self.ws.write_string(r, col, s)?,
                    };
                    display_width(s)
                }
                V::N(x) => {
                    self.ws.write_number(r, col, *x)?;
                    format!("{x}").len().min(12)
                }
                V::D2(x) => {
                    self.ws.write_number_with_format(r, col, *x, &self.d2)?;
                    format!("{x:.2}").len()
                }
                V::Pct(x) => {
                    self.ws.write_number_with_format(r, col, *x, &self.pct)?;
                    format!("{:.1}%", x * 100.0).len()
                }
                V::Empty => 0,
            };
            if self.widths.len() <= c {
                self.widths.resize(c + 1, 0);
            }
            self.widths[c] = self.widths[c].max(w);
        }
        Ok(())
    }

    fn finish(self, rows: u32) -> Result<(), XlsxError> {
        for (c, w) in self.widths.iter().enumerate() {
            self.ws
                .set_column_width(c as u16, (*w as f64 + 2.0).min(60.0))?;
        }
        self.ws.set_freeze_panes(1, 0)?;
        // Printed: A4 landscape, all columns on the page's width, the
        // header on every page.
        self.ws.set_landscape();
        self.ws.set_paper_size(9);
        self.ws.set_print_fit_to_pages(1, 0);
        self.ws.set_repeat_rows(0, 0)?;
        if !self.widths.is_empty() && rows > 0 {
            self.ws
                .autofilter(0, 0, rows, self.widths.len() as u16 - 1)?;
        }
        Ok(())
    }
}

fn t(s: &str) -> V {
    V::T(s.to_string())
}

fn num(x: Option<f64>) -> V {
    x.filter(|v| v.is_finite()).map_or(V::Empty, V::N)
}

fn d2(x: Option<f64>) -> V {
    x.filter(|v| v.is_finite()).map_or(V::Empty, V::D2)
}

fn pct(x: Option<f64>) -> V {
    x.filter(|v| v.is_finite()).map_or(V::Empty, V::Pct)
}

pub struct ResultsXlsx;

impl Exporter for ResultsXlsx {
    fn export(&self, run: &Run) -> Result<Vec<OutFile>, ExportError> {
        let s = &run.scheme;
        let mut wb = Workbook::new();
        // Level 3, as Excel itself uses: about 30% faster to write than
        // the default 6, for a file about 5% larger (rust_xlsxwriter's
        // performance notes).
        wb.set_zip_compression_level(3);
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
        scores(&mut wb, run, &header)?;
        values(&mut wb, run, &header)?;
        records::evidence(&mut wb, run, &header)?;
        records::rejects(&mut wb, run, &header)?;
        if let Some(reg) = &run.data.register {
            register::sheet(&mut wb, run, reg, &header)?;
        }
        extra::change(&mut wb, run, &header)?;
        extra::stability(&mut wb, run, &header)?;
        extra::warnings(&mut wb, run, &header)?;
        records::scheme(&mut wb, run, &header)?;
        Ok(vec![("results.xlsx".into(), wb.save_to_buffer()?)])
    }
}

/// 得分排名: one row per unit in output order, the grade in its colour.
fn scores(wb: &mut Workbook, run: &Run, header: &Format) -> Result<(), XlsxError> {
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
            .map(|(_, n)| V::T(format!("{}（{:.0}分）", n.name, n.points))),
    );
    let mut sh = Sheet::new(wb, "得分排名", &head, header)?;
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
            V::T(
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
        sh.row(r, &cells, None)?;
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
    sh.finish(run.scored.order.len() as u32)?;
    Ok(())
}

/// 指标得分: one row per unit and indicator.
fn values(wb: &mut Workbook, run: &Run, header: &Format) -> Result<(), XlsxError> {
    let s = &run.scheme;
    let units = &run.data.units;
    let mut sh = Sheet::new(
        wb,
        "指标得分",
        &[
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
                &[
                    t(&units.ids[u]),
                    t(&units.names[u]),
                    t(&ind.id),
                    t(&ind.name),
                    if super::words::is_percent(ind) {
                        pct(c.value)
                    } else {
                        num(c.value)
                    },
                    V::T(super::words::value(ind, c)),
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
    sh.finish(r - 1)?;
    Ok(())
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
