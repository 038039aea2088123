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
//! parallel) and the workbook takes them in order: 指标得分 and 扣分依据
//! hold most of the cells (66,000 and more rows at 3,000 units).

mod extra;
mod records;
mod register;

use chrono::Datelike;
use rayon::prelude::*;
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

struct Sheet {
    ws: Worksheet,
    widths: Vec<usize>,
    d2: Format,
    pct: Format,
}

/// A sheet, or none where there is nothing to show.
type Built = Result<Option<Worksheet>, XlsxError>;

impl Sheet {
    /// A new sheet named `name`, with its header row.
    fn new(name: &str, head: &[V], fmt: &Format) -> Result<Sheet, XlsxError> {
        let mut ws = Worksheet::new();
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
            if self.widths.len() <= c {
                self.widths.resize(c + 1, 0);
            }
            let wide = self.widths[c];
            // A number's width is its text's; the text is made only where
            // a bound on it exceeds the column's width so far (rarely, once
            // a column has its widest values).
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
                    if wide >= 12 {
                        0
                    } else {
                        format!("{x}").len().min(12)
                    }
                }
                V::D2(x) => {
                    self.ws.write_number_with_format(r, col, *x, &self.d2)?;
                    if fixed_bound(*x, 2) <= wide {
                        0
                    } else {
                        format!("{x:.2}").len()
                    }
                }
                V::Pct(x) => {
                    self.ws.write_number_with_format(r, col, *x, &self.pct)?;
                    let p = x * 100.0;
                    if fixed_bound(p, 1) < wide {
                        0
                    } else {
                        format!("{p:.1}%").len()
                    }
                }
                V::Empty => 0,
            };
            self.widths[c] = wide.max(w);
        }
        Ok(())
    }

    fn finish(mut self, rows: u32) -> Result<Worksheet, XlsxError> {
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
        Ok(self.ws)
    }
}

/// At least the length of `format!("{x:.decimals$}")`: a sign, the
/// digits of the integer part once rounded up by one, the point and the
/// decimals (not finite: the longest text a column shows, so never
/// below it).
fn fixed_bound(x: f64, decimals: usize) -> usize {
    let a = x.abs();
    if !a.is_finite() || a >= 1e15 {
        return usize::MAX;
    }
    let mut digits = 1;
    let mut whole = a.trunc() as u64 + 1;
    while whole >= 10 {
        whole /= 10;
        digits += 1;
    }
    usize::from(x.is_sign_negative()) + digits + 1 + decimals
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
        let h = &header;
        // In the workbook's order; built in parallel.
        let sheets: [&(dyn Fn() -> Built + Sync); 9] = [
            &|| scores(run, h).map(Some),
            &|| values(run, h).map(Some),
            &|| records::evidence(run, h).map(Some),
            &|| records::rejects(run, h).map(Some),
            &|| match &run.data.register {
                Some(reg) => register::sheet(run, reg, h).map(Some),
                None => Ok(None),
            },
            &|| extra::change(run, h),
            &|| extra::stability(run, h),
            &|| extra::warnings(run, h),
            &|| records::scheme(run, h).map(Some),
        ];
        let built: Vec<Built> = sheets.par_iter().map(|f| f()).collect();
        for ws in built {
            if let Some(ws) = ws? {
                wb.push_worksheet(ws);
            }
        }
        Ok(vec![("results.xlsx".into(), wb.save_to_buffer()?)])
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
            .map(|(_, n)| V::T(format!("{}（{:.0}分）", n.name, n.points))),
    );
    let mut sh = Sheet::new("得分排名", &head, header)?;
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
    sh.finish(run.scored.order.len() as u32)
}

/// 指标得分: one row per unit and indicator.
fn values(run: &Run, header: &Format) -> Result<Worksheet, XlsxError> {
    let s = &run.scheme;
    let units = &run.data.units;
    let mut sh = Sheet::new(
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

#[cfg(test)]
mod tests {
    use super::fixed_bound;

    /// The bound is never below the text it stands for (so a column's
    /// width, the widest text in it, is the same as when every number's
    /// text was made): worked cases where rounding adds a digit, a sign,
    /// and the edges.
    #[test]
    fn fixed_bound_covers_rounding_up_and_signs() {
        // 9.995 → "9.99" or "10.00" (5 characters); the bound counts the
        // integer part 9 + 1 = 10: 2 digits + "." + 2 = 5.
        assert_eq!(fixed_bound(9.995, 2), 5);
        assert_eq!(format!("{:.2}", 9.999), "10.00");
        // -0.001 → "-0.00": the sign counts (1 + 1 + 1 + 2 = 5).
        assert_eq!(format!("{:.2}", -0.001), "-0.00");
        assert_eq!(fixed_bound(-0.001, 2), 5);
        // 99.96 as a percentage with one decimal: "100.0" (5); bound 3
        // digits (99 + 1) + "." + 1 = 5.
        assert_eq!(fixed_bound(99.96, 1), 5);
        assert_eq!(fixed_bound(f64::NAN, 2), usize::MAX);
        assert_eq!(fixed_bound(f64::INFINITY, 1), usize::MAX);
    }

    proptest::proptest! {
        #[test]
        fn fixed_bound_is_never_below_the_text(
            x in proptest::prop_oneof![
                proptest::num::f64::ANY,
                -1e6f64..1e6,
                -1.0f64..1.0,
            ]
        ) {
            for d in [1usize, 2] {
                let text = format!("{x:.d$}").len();
                proptest::prop_assert!(fixed_bound(x, d) >= text, "{x} {d}: {text}");
            }
        }
    }
}
