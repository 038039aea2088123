//! Each unit's feedback (考核反馈单, docs/scheme.md section 10): `feedback/UNIT.docx`
//! with its result, every indicator's value against its rule, the
//! reweighting, every deduction, bonus, penalty and veto with its record,
//! its objections in the register, and how and by when to object; and
//! `feedback/UNIT.xlsx`, the same records as the objection form the unit
//! fills in (是否异议, 异议理由) and returns for `govtrust objections
//! import`.

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook};

use super::bulletin::unit::{dataset_title, detail, details, records};
use super::bulletin::{Ctx, numeral};
use super::document::{Block, Document};
use super::{ExportError, words};

/// The form's columns; `objections import` reads them by name.
pub const FORM: [&str; 13] = [
    "序号",
    "单位编码",
    "单位名称",
    "事项",
    "数据集",
    "数据集编码",
    "记录编号",
    "日期",
    "记录情况",
    "分值",
    "说明",
    "是否异议",
    "异议理由",
];

/// The feedback of unit `u`.
pub fn document(cx: &Ctx, u: usize) -> Document {
    let run = cx.run;
    let s = &run.scheme;
    let name = &run.data.units.names[u];
    let mut doc = Document::new(&format!("{}反馈单", s.name));
    doc.push(Block::Title {
        text: format!("{}反馈单", s.name),
    });
    doc.push(Block::To {
        text: format!("{name}："),
    });
    let basis = s
        .bulletin
        .basis
        .as_ref()
        .map_or(format!("按照{}工作安排", s.name), |b| b.clone());
    doc.para(format!(
        "{basis}，现将你单位{}期间的考核情况反馈如下。",
        words::period(s)
    ));
    detail(cx, &mut doc, u, 1);
    let office = match cx.signer() {
        o if o.is_empty() => "考核办公室".to_string(),
        o => o,
    };
    doc.heading(1, format!("{}、异议的提出", numeral(5)));
    doc.para(format!(
        "对上述记录有异议的，请在随附的反馈表（Excel表格）对应记录的“是否异议”栏填写“是”、在“异议理由”栏写明理由，连同证明材料一并报送。{}",
        super::bulletin::objection_sentence(cx, &office).replacen("各单位对考核结果或所列记录有异议的，请", "请", 1)
    ));
    doc.push(Block::Signature {
        signer: cx.signer(),
        date: cx.date(),
    });
    doc
}

/// The objection form of unit `u` (`feedback/UNIT.xlsx`).
pub fn form(cx: &Ctx, u: usize) -> Result<Vec<u8>, ExportError> {
    let run = cx.run;
    let units = &run.data.units;
    let mut wb = Workbook::new();
    let end = run.scheme.period.end;
    use chrono::Datelike;
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(
        end.year() as u16,
        end.month() as u8,
        end.day() as u8,
    )?;
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(format!("{}反馈表", units.names[u]).as_str())
            .set_creation_datetime(&created),
    );
    let ws = wb.add_worksheet();
    ws.set_name("反馈表")?;
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xF2F2F2))
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let fill = Format::new()
        .set_background_color(Color::RGB(0xFFF8E1))
        .set_border(FormatBorder::Thin)
        .set_unlocked();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let number = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.00");
    for (c, h) in FORM.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
    }
    let widths = [
        6.0, 12.0, 20.0, 28.0, 16.0, 12.0, 16.0, 12.0, 24.0, 8.0, 16.0, 10.0, 40.0,
    ];
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let es = records(cx, u);
    for (k, e) in es.iter().enumerate() {
        let r = k as u32 + 1;
        let texts = [
            (k + 1).to_string(),
            units.ids[u].clone(),
            units.names[u].clone(),
            run.scheme.rule_name(e.rule_order).to_string(),
            dataset_title(cx, &e.dataset).to_string(),
            e.dataset.clone(),
            e.record_key.clone(),
            e.date.clone(),
            details(cx, e),
        ];
        for (c, t) in texts.iter().enumerate() {
            ws.write_string_with_format(r, c as u16, t, &cell)?;
        }
        ws.write_number_with_format(r, 9, e.points + 0.0, &number)?;
        ws.write_string_with_format(r, 10, words::note(&e.note), &cell)?;
        ws.write_string_with_format(r, 11, "", &fill)?;
        ws.write_string_with_format(r, 12, "", &fill)?;
    }
    if !es.is_empty() {
        let v = rust_xlsxwriter::DataValidation::new().allow_list_strings(&["是", "否"])?;
        ws.add_data_validation(1, 11, es.len() as u32, 11, &v)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    Ok(wb.save_to_buffer()?)
}
