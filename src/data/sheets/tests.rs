//! The parallel sheet reader ([`sheetxml`]) against calamine, cell for
//! cell: generated workbooks (shared and inline strings, numbers, dates,
//! durations, truth values, formulas, rich text, styled blanks, blank
//! rows, a header away from A1), cut into pieces of many sizes, and
//! hand-written XML for what Excel's own writers rarely produce.

use std::io::Write;

use proptest::prelude::*;
use rust_xlsxwriter::{Format, Formula, Workbook};

use super::*;

/// What a reader gives, comparable: header, columns by name, first row,
/// kept rows, last row, rows passed over above the header.
type View = (
    Vec<String>,
    Vec<(String, Vec<Option<String>>)>,
    u32,
    Vec<u32>,
    u32,
    u32,
);

fn view(s: &Sheet) -> View {
    let mut cols: Vec<_> = s
        .columns
        .iter()
        .map(|(n, ca)| {
            (
                n.clone(),
                ca.iter().map(|o| o.map(str::to_string)).collect(),
            )
        })
        .collect();
    cols.sort();
    (
        s.header.clone(),
        cols,
        s.first_row,
        s.kept.clone(),
        s.last,
        s.above,
    )
}

fn want() -> Vec<(String, ColType)> {
    [
        ("c0", ColType::String),
        ("c1", ColType::Date),
        ("c2", ColType::Datetime),
    ]
    .into_iter()
    .chain([("c3", ColType::Int), ("c9", ColType::String)])
    .map(|(n, t)| (n.to_string(), t))
    .collect()
}

/// Both readers on `bytes`; the fast one with every piece size given
/// must agree with calamine. Returns calamine's view.
fn agree(bytes: &[u8], sizes: &[(usize, usize)]) -> View {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let w = want();
    let slow = view(&by_calamine(&path, None, &Wanted::Declared(&w)).unwrap());
    for &s in sizes {
        match sheetxml::read_in(bytes, None, &w, s) {
            Ok(fast) => assert_eq!(view(&fast), slow, "pieces {s:?}"),
            // No row with a declared name among the first rows: the fast
            // reader steps aside, and calamine takes the first row.
            Err(why) if why.starts_with("no header row") => {
                assert!(!w.iter().any(|(n, _)| slow.0.contains(n)), "{why}");
            }
            Err(why) => panic!("pieces {s:?}: {why}"),
        }
    }
    slow
}

#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(f64),
    /// A number in a format: 0 date, 1 time, 2 duration, 3 年月日, 4 plain.
    Styled(f64, usize),
    Bool(bool),
    Formula(String),
    Blank,
    Rich(String, String),
}

const TEXTS: &[&str] = &[
    "",
    " ",
    "  x ",
    "a&b<c>\"'",
    "_x000D_",
    "x_x005F_x000D_y",
    "two\nlines",
    "tab\tx",
    "甲",
    "\u{3000}",
    "=1+1",
    "true",
    "1e5",
    "0012",
    "c1",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(TEXTS).prop_map(str::to_string),
        "[a-c甲乙 ]{0,4}",
    ]
}

fn cell() -> impl Strategy<Value = Option<Cell>> {
    prop_oneof![
        3 => Just(None),
        3 => text().prop_map(|t| Some(Cell::Text(t))),
        1 => prop_oneof![Just(0.0), Just(-3.0), Just(1e16), -1e6..1e6f64].prop_map(|n| Some(Cell::Number(n))),
        2 => (0.0..60000.0f64, 0..5usize).prop_map(|(n, f)| Some(Cell::Styled(n, f))),
        1 => any::<bool>().prop_map(|b| Some(Cell::Bool(b))),
        1 => text().prop_map(|t| Some(Cell::Formula(t))),
        1 => Just(Some(Cell::Blank)),
        1 => (text(), text()).prop_map(|(a, b)| Some(Cell::Rich(a, b))),
    ]
}

/// A workbook with the header `names` at `at` (row, column) and `rows`
/// below it; `inline`: strings written inline (constant memory).
fn workbook(
    names: &[Option<String>],
    rows: &[Vec<Option<Cell>>],
    at: (u32, u16),
    inline: bool,
) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = if inline {
        wb.add_worksheet_with_constant_memory().unwrap()
    } else {
        wb.add_worksheet()
    };
    let formats = [
        "yyyy-mm-dd",
        "hh:mm:ss",
        "[h]:mm",
        "yyyy\"年\"m\"月\"d\"日\"",
        "0.00",
    ]
    .map(|f| Format::new().set_num_format(f));
    let bold = Format::new().set_bold();
    let plain = Format::new();
    if at.0 > 0 {
        ws.write_blank(0, 0, &bold).unwrap();
    }
    for (c, n) in names.iter().enumerate() {
        if let Some(n) = n {
            ws.write_string(at.0, at.1 + c as u16, n).unwrap();
        }
    }
    for (r, row) in rows.iter().enumerate() {
        let r = at.0 + 1 + r as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = at.1 + c as u16;
            let written = match cell {
                None => continue,
                Some(Cell::Text(t)) => ws.write_string(r, c, t),
                Some(Cell::Number(n)) => ws.write_number(r, c, *n),
                Some(Cell::Styled(n, f)) => ws.write_number_with_format(r, c, *n, &formats[*f]),
                Some(Cell::Bool(b)) => ws.write_boolean(r, c, *b),
                Some(Cell::Formula(t)) => ws.write_formula(r, c, Formula::new("=A1").set_result(t)),
                Some(Cell::Blank) => ws.write_blank(r, c, &bold),
                Some(Cell::Rich(a, b)) if !a.is_empty() && !b.is_empty() => {
                    ws.write_rich_string(r, c, &[(&bold, a.as_str()), (&plain, b.as_str())])
                }
                Some(Cell::Rich(a, _)) => ws.write_string(r, c, a),
            };
            written.unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn names() -> impl Strategy<Value = Vec<Option<String>>> {
    // c0..c4 shuffled, some left out, sometimes one twice.
    (
        Just(["c0", "c1", "c2", "c3", "c4"]).prop_shuffle(),
        prop::collection::vec(any::<bool>(), 5),
        any::<bool>(),
    )
        .prop_map(|(n, keep, twice)| {
            let mut v: Vec<Option<String>> = n
                .iter()
                .zip(keep)
                .map(|(n, k)| k.then(|| n.to_string()))
                .collect();
            if twice {
                v.push(Some("c0".into()));
            }
            v
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// On any generated sheet, the fast reader gives calamine's cells,
    /// whatever the pieces.
    #[test]
    fn the_fast_reader_gives_calamines_cells(
        names in names(),
        rows in prop::collection::vec(prop::collection::vec(cell(), 0..7), 0..30),
        at in (0u32..3, 0u16..3),
        inline in any::<bool>(),
    ) {
        let bytes = workbook(&names, &rows, at, inline);
        agree(&bytes, &[(256 << 10, 4 << 20), (64, 300), (1, 1)]);
    }
}

/// Lines and blank rows: the header on sheet row 2, rows 3 and 6 kept,
/// rows 4-5 empty and row 7 white space only, so the range ends on row 7.
#[test]
fn kept_rows_keep_their_sheet_lines() {
    let names = [Some("c0".to_string())];
    let t = |s: &str| vec![Some(Cell::Text(s.into()))];
    let rows = [t("a"), vec![], vec![], t("b"), t("  ")];
    let bytes = workbook(&names, &rows, (1, 0), false);
    let v = agree(&bytes, &[(64, 128)]);
    assert_eq!((v.2, v.3.clone(), v.4), (1, vec![2, 5], 6));
    let s = by_calamine_bytes(&bytes);
    let (map, blank) = lines(&s);
    // Lines are 1-based: kept rows 2 and 5 are lines 3 and 6; rows 3, 4
    // and 6 (0-based) are blank.
    assert_eq!((map.line(0), map.line(1), blank), (3, 6, 3));
}

/// Government workbooks put a title above the table: rows with none of
/// the declared names are passed over, both readers agree, and lines stay
/// the sheet's. Row 1 the title, row 2 who filled it in, row 3 blank, the
/// header on row 4, data on rows 5 and 6.
#[test]
fn a_title_above_the_header_is_passed_over() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "2025年12345热线工单明细").unwrap();
    ws.write_string(1, 0, "填报单位：市政务服务中心").unwrap();
    ws.write_string(1, 2, "2026年1月5日").unwrap();
    for (c, n) in ["c0", "c3"].iter().enumerate() {
        ws.write_string(3, c as u16, *n).unwrap();
    }
    ws.write_string(4, 0, "a").unwrap();
    ws.write_number(4, 1, 7.0).unwrap();
    ws.write_string(5, 0, "b").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let v = agree(&bytes, &[(256 << 10, 4 << 20), (64, 128), (1, 1)]);
    // The header is 0-based row 3; kept rows 4 and 5; the title's three
    // columns make the header three wide.
    assert_eq!((v.2, v.3.clone(), v.4), (3, vec![4, 5], 5));
    assert_eq!(v.0, ["c0", "c3", ""]);
    assert_eq!(v.5, 2);
    let s = by_calamine_bytes(&bytes);
    let (map, blank) = lines(&s);
    assert_eq!((map.line(0), map.line(1), blank), (5, 6, 0));
}

fn by_calamine_bytes(bytes: &[u8]) -> Sheet {
    let w = want();
    sheetxml::read(bytes, None, &w).unwrap()
}

/// A workbook of hand-written parts (`sheet` is the sheet's XML).
fn parts(sheet: &str, styles: &str, strings: &str, date1904: bool) -> Vec<u8> {
    let mut z = ::zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = ::zip::write::SimpleFileOptions::default();
    let ns = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let files = [
        ("[Content_Types].xml".to_string(), r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#.to_string()),
        ("_rels/.rels".into(), format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)),
        ("xl/_rels/workbook.xml.rels".into(), format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#)),
        ("xl/workbook.xml".into(), format!(r#"<workbook {ns} xmlns:r="{rel}"><workbookPr date1904="{}"/><sheets><sheet name="工单" sheetId="1" r:id="rId1"/></sheets></workbook>"#, u8::from(date1904))),
        ("xl/styles.xml".into(), format!("<styleSheet {ns}>{styles}</styleSheet>")),
        ("xl/sharedStrings.xml".into(), format!("<sst {ns}>{strings}</sst>")),
        ("xl/worksheets/sheet1.xml".into(), sheet.to_string()),
    ];
    for (name, text) in files {
        z.start_file(name, o).unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// Pretty-printed XML with a namespace prefix, entities, CDATA, rich
/// shared strings with a phonetic run, error, ISO date, formula string,
/// truth value, custom and built-in date styles, the 1904 epoch.
#[test]
fn unusual_but_valid_xml_reads_as_calamine_reads_it() {
    let styles = r#"<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>
        <cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="31"/></cellXfs>"#;
    let strings = r#"<si><r><t>c</t></r><r><t xml:space="preserve">0 </t></r><rPh><t>ピ</t></rPh></si><si><t> c2 </t></si>"#;
    let sheet = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
  <x:dimension ref="B2:E6"/>
  <x:sheetData>
    <x:row r="2">
      <x:c r="B2" t="s"><x:v>0</x:v></x:c>
      <x:c r="C2" t="inlineStr"><x:is><x:t>c1</x:t></x:is></x:c>
      <x:c r="D2" t="s"><x:v>1</x:v></x:c>
      <x:c r="E2" t="inlineStr"><x:is><x:t>c3</x:t></x:is></x:c>
    </x:row>
    <x:row r="3">
      <x:c r="B3" t="str"><x:f>A1</x:f><x:v>a &amp; b&#x41;_x000D_</x:v></x:c>
      <x:c r="C3" s="1"><x:v>45000.5</x:v></x:c>
      <x:c r="D3" s="2"><x:v>45000.25</x:v></x:c>
      <x:c r="E3" t="e"><x:v>#N/A</x:v></x:c>
    </x:row>
    <x:row r="5">
      <x:c r="B5" t="inlineStr"><x:is><x:t><![CDATA[<row r="9">]]></x:t></x:is></x:c>
      <x:c r="C5" t="d"><x:v>2025-01-02T03:04:05</x:v></x:c>
      <x:c r="D5" t="b"><x:v>true</x:v></x:c>
      <x:c r="E5"><x:v>not a number</x:v></x:c>
    </x:row>
  </x:sheetData>
</x:worksheet>"#;
    for date1904 in [false, true] {
        let bytes = parts(sheet, styles, strings, date1904);
        let v = agree(&bytes, &[(1 << 20, 1 << 20)]);
        // Small pieces may cut inside the CDATA section (it holds
        // `<row`); the reader then steps aside, and never reads it wrong.
        for s in [(64, 100), (1, 1), (200, 150)] {
            if let Ok(fast) = sheetxml::read_in(&bytes, None, &want(), s) {
                assert_eq!(view(&fast), v);
            }
        }
        // The header: shared string runs "c" + "0 " ("0 " kept: it
        // preserves space), then c1, " c2 " trimmed to "c2", c3.
        assert_eq!(v.0, ["c0 ", "c1", "c2", "c3"]);
        let c1 = &v.1.iter().find(|c| c.0 == "c1").unwrap().1;
        // 45000.5 in the 1900 system is 2023-03-15 12:00; the 1904 system
        // is 1,462 days later. A date column drops the time.
        let day = if date1904 { "2027-03-16" } else { "2023-03-15" };
        assert_eq!(
            c1,
            &[Some(day.to_string()), Some("2025-01-02T03:04:05".into())]
        );
    }
}

/// What the fast reader does not expect, it leaves to calamine: rows
/// without numbers, a piece cut inside a comment or a CDATA section.
#[test]
fn unexpected_xml_is_left_to_calamine() {
    let sheet = |rows: &str| {
        format!(
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
        )
    };
    let w = want();
    let no_r = parts(
        &sheet(
            r#"<row><c t="inlineStr"><is><t>c0</t></is></c></row><row><c t="inlineStr"><is><t>x</t></is></c></row>"#,
        ),
        "",
        "",
        false,
    );
    assert!(sheetxml::read(&no_r, None, &w).is_err());
    let commented = parts(
        &sheet(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>c0</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row><!-- <row r="5"> -->"#,
        ),
        "",
        "",
        false,
    );
    // The last `<row` is inside the comment, so the sheet is cut there:
    // the piece before it ends in an open comment.
    assert!(sheetxml::read_in(&commented, None, &w, (1, 1)).is_err());
    // Read whole, the comment is only a comment.
    let v = agree(&commented, &[(1 << 20, 1 << 20)]);
    assert_eq!(v.1[0].1, [Some("x".to_string())]);
    // Both unusual files read the same through `read_xlsx`, which falls
    // back to calamine.
    let dir = tempfile::tempdir().unwrap();
    for bytes in [no_r, commented] {
        let path = dir.path().join("u.xlsx");
        std::fs::write(&path, &bytes).unwrap();
        let o = read_xlsx(&path, &path, &bytes, None, "d", &Wanted::Declared(&w[..1])).unwrap();
        let df = o.lf.collect().unwrap();
        assert_eq!(df.column("c0").unwrap().str().unwrap().get(0), Some("x"));
    }
}
