//! A [`Document`] as WordprocessingML (`.docx`) after GB/T 9704-2012, the
//! layout of party and government documents (党政机关公文格式):
//!
//! - A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
//! - title 2号 (22 pt) 方正小标宋简体, centred; body 3号 (16 pt) 仿宋_GB2312
//!   on an exact 28 pt line, first lines indented two characters;
//!   level-1 headings 3号黑体, level-2 3号楷体_GB2312;
//! - page numbers 4号 (14 pt) 宋体 as "— 1 —" in the footer, odd pages
//!   right and even pages left, one character in from the edge;
//! - tables centred, columns as wide as their content
//!   ([`super::Table::widths`]), numbers right-aligned, the header row
//!   repeated on every page and no row split across pages;
//! - 落款 and 成文日期 right-aligned, the date four characters in; each
//!   annex (附件) on a new page under its label in 黑体.
//!
//! Written as plain XML in a zip, with fixed timestamps, so that a re-run
//! gives the same bytes.

use std::io::Write;

use zip::write::SimpleFileOptions;

use super::{Align, Block, Document, Table};
use crate::render::{Chart, display_width};
use crate::report::ExportError;

/// Twips (1/20 pt) per millimetre.
fn mm(x: f64) -> u32 {
    (x * 1440.0 / 25.4).round() as u32
}
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
fn margins() -> (u32, u32, u32, u32) {
    (mm(37.0), mm(35.0), mm(28.0), mm(26.0))
}
/// The text width: 210 − 28 − 26 = 156 mm.
fn text_w() -> u32 {
    let (_, _, l, r) = margins();
    PAGE_W - l - r
}
/// The text width of a turned page: 297 − 37 − 35 = 225 mm.
fn landscape_text_w() -> u32 {
    let (t, b, _, _) = margins();
    PAGE_H - t - b
}
/// One character of the body (16 pt) in twips.
const CHAR: u32 = 320;
/// EMU per twip (for drawings).
const EMU: u64 = 635;

pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => {}
            c => o.push(c),
        }
    }
    o
}

fn run(text: &str, rpr: &str) -> String {
    format!(
        "<w:r>{}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        if rpr.is_empty() {
            String::new()
        } else {
            format!("<w:rPr>{rpr}</w:rPr>")
        },
        esc(text)
    )
}

fn para(style: &str, ppr: &str, runs: &str) -> String {
    format!("<w:p><w:pPr><w:pStyle w:val=\"{style}\"/>{ppr}</w:pPr>{runs}</w:p>")
}

struct Out<'a> {
    body: String,
    images: Vec<(String, &'a [u8])>,
    /// The orientation of the section being written.
    landscape: bool,
}

/// The document as a `.docx` file; `charts` holds the PNGs of its figures.
pub fn render(doc: &Document, charts: &[Chart]) -> Result<Vec<u8>, ExportError> {
    let mut o = Out {
        body: String::new(),
        images: Vec::new(),
        landscape: false,
    };
    for b in &doc.blocks {
        block(&mut o, b, charts);
    }
    package(&o, &doc.title)
}

fn block<'a>(o: &mut Out<'a>, b: &Block, charts: &'a [Chart]) {
    let p = match b {
        Block::Number { text } => para("DocNumber", "", &run(text, "")),
        Block::Title { text } => para("Title", "", &run(text, "")),
        Block::Subtitle { text } => para("Subtitle", "", &run(text, "")),
        Block::To { text } => para("To", "", &run(text, "")),
        Block::Para { text } => para("Body", "", &run(text, "")),
        Block::Heading { level, text } => para(&format!("Heading{level}"), "", &run(text, "")),
        Block::Note { text } => para("Note", "", &run(text, "")),
        Block::Table(t) => table(t, o.landscape),
        Block::Figure { chart, caption, .. } => match charts.get(*chart) {
            Some(c) => figure(o, c, caption),
            None => String::new(),
        },
        Block::Attachments { items } => attachments(items),
        Block::Signature { signer, date } => signature(signer, date),
        Block::Annex {
            label,
            title,
            landscape,
            ..
        } => {
            // A turn of the page ends the section (its properties go in
            // the last paragraph before the break); a section starts on a
            // new page.
            let brk = if *landscape != o.landscape {
                let end = format!("<w:p><w:pPr>{}</w:pPr></w:p>", section(o.landscape));
                o.landscape = *landscape;
                (end, "")
            } else {
                (String::new(), "<w:pageBreakBefore/>")
            };
            format!(
                "{}{}{}",
                brk.0,
                para("AnnexLabel", brk.1, &run(label, "")),
                para("Title", "", &run(title, ""))
            )
        }
    };
    o.body.push_str(&p);
}

fn attachments(items: &[String]) -> String {
    let mut s = String::new();
    for (k, item) in items.iter().enumerate() {
        let text = format!("{}．{item}", k + 1);
        if k == 0 {
            // 附件：1．… two characters in; the next items under the first.
            s.push_str(&para(
                "Body",
                "<w:spacing w:before=\"560\"/>",
                &run(&format!("附件：{text}"), ""),
            ));
        } else {
            s.push_str(&para(
                "Body",
                &format!("<w:ind w:left=\"{}\" w:firstLine=\"0\"/>", CHAR * 5),
                &run(&text, ""),
            ));
        }
    }
    s
}

/// 落款 over 成文日期, the date four characters in from the right, the
/// signer centred over the date.
fn signature(signer: &str, date: &str) -> String {
    let (sw, dw) = (display_width(signer) as i64, display_width(date) as i64);
    // Half-width characters are half a character (160 twips).
    let date_in = 4 * CHAR as i64;
    let signer_in = (date_in + (dw - sw) * 80).max(0);
    let mut s = String::new();
    if !signer.is_empty() {
        s.push_str(&para(
            "Signature",
            &format!("<w:keepNext/><w:spacing w:before=\"1120\"/><w:ind w:right=\"{signer_in}\"/>"),
            &run(signer, ""),
        ));
    }
    s.push_str(&para(
        "Signature",
        &format!("<w:ind w:right=\"{date_in}\"/>"),
        &run(date, ""),
    ));
    s
}

fn table(t: &Table, landscape: bool) -> String {
    // 小四 (12 pt, 120 twips a half-width character) if the content
    // fits, else 5号 (10.5 pt).
    let w = if landscape {
        landscape_text_w()
    } else {
        text_w()
    };
    let natural: usize = t.natural().iter().sum();
    let (style, half) = if natural <= (w / 120) as usize {
        ("TableText", 120)
    } else {
        ("TableSmall", 105)
    };
    let cols = t.widths(w / half);
    let cols: Vec<u32> = cols.iter().map(|c| c * half).collect();
    let mut s = String::from(
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"GovTable\"/><w:jc w:val=\"center\"/><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>",
    );
    for c in &cols {
        s.push_str(&format!("<w:gridCol w:w=\"{c}\"/>"));
    }
    s.push_str("</w:tblGrid><w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
    for (k, h) in t.head.iter().enumerate() {
        s.push_str(&format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"F2F2F2\"/><w:vAlign w:val=\"center\"/></w:tcPr>{}</w:tc>",
            cols[k],
            para(style, "<w:jc w:val=\"center\"/>", &run(h, "<w:rFonts w:eastAsia=\"黑体\"/>"))
        ));
    }
    s.push_str("</w:tr>");
    for row in &t.rows {
        s.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (k, c) in row.iter().enumerate() {
            let jc = match t.align.get(k).copied().unwrap_or(Align::Left) {
                Align::Left => "left",
                Align::Center => "center",
                Align::Right => "right",
            };
            s.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>{}</w:tc>",
                cols.get(k).copied().unwrap_or(0),
                para(style, &format!("<w:jc w:val=\"{jc}\"/>"), &run(&c.text, ""))
            ));
        }
        s.push_str("</w:tr>");
    }
    s.push_str("</w:tbl>");
    // A table is followed by a paragraph (Word requires one before the
    // next table); a small one keeps the gap small.
    s.push_str(&para("Note", "", ""));
    s
}

/// An inline PNG at text width, or less if it would not fit the text
/// height with its caption (charts are drawn so that text width keeps
/// their text at 9 pt or more), kept with its caption.
fn figure<'a>(o: &mut Out<'a>, c: &'a Chart, caption: &str) -> String {
    let k = o.images.len() + 1;
    let (w, h) = png_size(&c.png);
    let (tm, bm, _, _) = margins();
    let max_w = u64::from(text_w()) * EMU;
    let max_h = u64::from(PAGE_H - tm - bm - mm(14.0)) * EMU;
    let mut cx = max_w;
    let mut cy = max_w * h / w.max(1);
    if cy > max_h {
        cx = cx * max_h / cy;
        cy = max_h;
    }
    let file = format!("chart{k}.png");
    o.images.push((file.clone(), &c.png));
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"Figure\"/><w:keepNext/></w:pPr><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{k}\" name=\"{name}\"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic><pic:nvPicPr><pic:cNvPr id=\"{k}\" name=\"{file}\"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed=\"rIdImg{k}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>{}",
        para("Caption", "", &run(caption, "")),
        name = esc(caption)
    )
}

/// Width and height of a PNG from its IHDR chunk.
fn png_size(png: &[u8]) -> (u64, u64) {
    let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]) as u64;
    if png.len() >= 24 {
        (be(16), be(20))
    } else {
        (1, 1)
    }
}

/// A section's properties: A4 upright, or turned (the margins turn with
/// the page: the binding edge stays on the left of the upright page), and
/// the footers.
fn section(landscape: bool) -> String {
    let (t, b, l, r) = margins();
    let (w, h, t, r, b, l) = if landscape {
        (PAGE_H, PAGE_W, l, t, r, b)
    } else {
        (PAGE_W, PAGE_H, t, r, b, l)
    };
    let orient = if landscape {
        " w:orient=\"landscape\""
    } else {
        ""
    };
    format!(
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFtrOdd\"/><w:footerReference w:type=\"even\" r:id=\"rIdFtrEven\"/><w:pgSz w:w=\"{w}\" w:h=\"{h}\"{orient}/><w:pgMar w:top=\"{t}\" w:right=\"{r}\" w:bottom=\"{b}\" w:left=\"{l}\" w:header=\"851\" w:footer=\"{}\" w:gutter=\"0\"/></w:sectPr>",
        mm(35.0 - 7.0 - 5.0).min(b)
    )
}

/// The footer with the page number "— N —", 4号宋体, on the right of odd
/// pages and the left of even ones, one character in.
fn footer(odd: bool) -> String {
    let (jc, ind) = if odd {
        ("right", format!("<w:ind w:right=\"{}\"/>", 280))
    } else {
        ("left", format!("<w:ind w:left=\"{}\"/>", 280))
    };
    let rpr = "<w:rPr><w:rFonts w:ascii=\"宋体\" w:hAnsi=\"宋体\" w:eastAsia=\"宋体\"/><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr>";
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:p><w:pPr><w:jc w:val=\"{jc}\"/>{ind}</w:pPr><w:r>{rpr}<w:t xml:space=\"preserve\">— </w:t></w:r><w:r>{rpr}<w:fldChar w:fldCharType=\"begin\"/></w:r><w:r>{rpr}<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r><w:r>{rpr}<w:fldChar w:fldCharType=\"separate\"/></w:r><w:r>{rpr}<w:t>1</w:t></w:r><w:r>{rpr}<w:fldChar w:fldCharType=\"end\"/></w:r><w:r>{rpr}<w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>"
    )
}

fn package(o: &Out, title: &str) -> Result<Vec<u8>, ExportError> {
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opt = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut put = |name: &str, bytes: &[u8], o: SimpleFileOptions| -> Result<(), ExportError> {
        zw.start_file(name, o)
            .map_err(|e| ExportError::Other(format!("docx: {e}")))?;
        zw.write_all(bytes)?;
        Ok(())
    };
    put("[Content_Types].xml", CONTENT_TYPES.as_bytes(), opt)?;
    put("_rels/.rels", RELS.as_bytes(), opt)?;
    put(
        "docProps/core.xml",
        format!(
            "{CORE_HEAD}<dc:title>{}</dc:title></cp:coreProperties>",
            esc(title)
        )
        .as_bytes(),
        opt,
    )?;
    put("word/styles.xml", STYLES.as_bytes(), opt)?;
    put("word/settings.xml", SETTINGS.as_bytes(), opt)?;
    put("word/footer1.xml", footer(true).as_bytes(), opt)?;
    put("word/footer2.xml", footer(false).as_bytes(), opt)?;
    let mut rels = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/><Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/><Relationship Id=\"rIdFtrOdd\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/><Relationship Id=\"rIdFtrEven\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>",
    );
    for (k, (file, _)) in o.images.iter().enumerate() {
        rels.push_str(&format!(
            "<Relationship Id=\"rIdImg{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/{file}\"/>",
            k + 1
        ));
    }
    rels.push_str("</Relationships>");
    put("word/_rels/document.xml.rels", rels.as_bytes(), opt)?;
    let doc = format!(
        "{DOC_HEAD}<w:body>{}{}</w:body></w:document>",
        o.body,
        section(o.landscape)
    );
    put("word/document.xml", doc.as_bytes(), opt)?;
    for (file, png) in &o.images {
        // PNGs are compressed already.
        put(&format!("word/media/{file}"), png, stored)?;
    }
    let cur = zw
        .finish()
        .map_err(|e| ExportError::Other(format!("docx: {e}")))?;
    Ok(cur.into_inner())
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const CORE_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#;

const DOC_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">"#;

const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:evenAndOddHeaders/><w:defaultTabStop w:val="640"/><w:characterSpacingControl w:val="compressPunctuation"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>"#;

/// Styles: sizes in half-points (32 = 16 pt, 3号), spacing in twips.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋_GB2312" w:cs="Times New Roman"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:before="0" w:after="0" w:line="560" w:lineRule="exact"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Body"><w:name w:val="Body Text"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLine="640"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="DocNumber"><w:name w:val="Document Number"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="560"/><w:jc w:val="center"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="560" w:line="700" w:lineRule="exact"/><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="方正小标宋简体"/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="560"/><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="楷体_GB2312"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="To"><w:name w:val="Addressee"/><w:basedOn w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:ind w:firstLine="640"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:ind w:firstLine="640"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:rFonts w:eastAsia="楷体_GB2312"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="AnnexLabel"><w:name w:val="Annex Label"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="280"/><w:jc w:val="left"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Signature"><w:name w:val="Signature"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="right"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="Figure"><w:name w:val="Figure"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="120" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="120" w:line="400" w:lineRule="exact"/><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Note"><w:name w:val="Note"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="120" w:line="400" w:lineRule="exact"/></w:pPr><w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:line="300" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="TableSmall"><w:name w:val="Table Text Small"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:line="260" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr></w:style><w:style w:type="table" w:styleId="GovTable"><w:name w:val="Gov Table"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="6" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="6" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="6" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="6" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders><w:tblCellMar><w:left w:w="60" w:type="dxa"/><w:right w:w="60" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#;
