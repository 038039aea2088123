//! `bulletin.docx`: the bulletin as a Word document an office can edit in
//! WPS or Word: headings, tables and the PNG charts, A4, with Chinese
//! fonts declared (黑体 for headings, 仿宋 for text, 宋体 for tables, the
//! usual choice of official documents).
//!
//! Written as plain WordprocessingML in a zip (no template), with fixed
//! timestamps, so the file is byte-identical on a re-run.

use std::io::Write;

use zip::write::SimpleFileOptions;

use super::ExportError;
use super::bulletin::Bulletin;
use crate::render::{Chart, ChartKind};

/// Text width of an A4 page with 22 mm side margins, in EMU.
const TEXT_W: u64 = 166 * 36_000;
/// Text height with 25.4 mm top and bottom margins, less room for a
/// caption, in EMU.
const TEXT_H: u64 = 236 * 36_000;

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

struct Doc {
    body: String,
    images: Vec<(String, Vec<u8>)>,
}

impl Doc {
    fn para(&mut self, style: Option<&str>, center: bool, runs: &[(&str, Option<&str>)]) {
        self.body.push_str("<w:p><w:pPr>");
        if let Some(s) = style {
            self.body.push_str(&format!("<w:pStyle w:val=\"{s}\"/>"));
        }
        if center {
            self.body.push_str("<w:jc w:val=\"center\"/>");
        }
        self.body.push_str("</w:pPr>");
        for (text, color) in runs {
            self.body.push_str("<w:r>");
            if let Some(c) = color {
                self.body.push_str(&format!(
                    "<w:rPr><w:color w:val=\"{}\"/></w:rPr>",
                    c.trim_start_matches('#')
                ));
            }
            self.body.push_str(&format!(
                "<w:t xml:space=\"preserve\">{}</w:t></w:r>",
                esc(text)
            ));
        }
        self.body.push_str("</w:p>");
    }

    fn heading(&mut self, level: u8, text: &str) {
        self.para(Some(&format!("Heading{level}")), false, &[(text, None)]);
    }

    /// A table with a repeated, shaded header row; cells are (text, colour).
    fn table(&mut self, head: &[&str], rows: &[Vec<(String, Option<String>)>]) {
        self.body.push_str(
            "<w:tbl><w:tblPr><w:tblStyle w:val=\"GovTable\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/></w:tblPr><w:tblGrid>",
        );
        for _ in head {
            self.body.push_str("<w:gridCol/>");
        }
        self.body
            .push_str("</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>");
        for h in head {
            self.body.push_str(&format!(
                "<w:tc><w:tcPr><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"ECEFF1\"/></w:tcPr><w:p><w:pPr><w:pStyle w:val=\"TableText\"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
                esc(h)
            ));
        }
        self.body.push_str("</w:tr>");
        for row in rows {
            self.body.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
            for (text, color) in row {
                let rpr = color
                    .as_deref()
                    .map(|c| {
                        format!(
                            "<w:rPr><w:color w:val=\"{}\"/></w:rPr>",
                            c.trim_start_matches('#')
                        )
                    })
                    .unwrap_or_default();
                self.body.push_str(&format!(
                    "<w:tc><w:p><w:pPr><w:pStyle w:val=\"TableText\"/></w:pPr><w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
                    esc(text)
                ));
            }
            self.body.push_str("</w:tr>");
        }
        self.body.push_str("</w:tbl>");
        self.para(None, false, &[]);
    }

    /// An inline PNG at text width (or page height, if taller), captioned.
    fn image(&mut self, c: &Chart) {
        let k = self.images.len() + 1;
        let (w, h) = png_size(&c.png);
        let mut cx = TEXT_W;
        let mut cy = TEXT_W * h / w.max(1);
        if cy > TEXT_H {
            cx = cx * TEXT_H / cy;
            cy = TEXT_H;
        }
        let file = format!("chart{k}.png");
        self.body.push_str(&format!(
            "<w:p><w:pPr><w:keepNext/><w:jc w:val=\"center\"/></w:pPr><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{k}\" name=\"{name}\"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic><pic:nvPicPr><pic:cNvPr id=\"{k}\" name=\"{file}\"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed=\"rIdImg{k}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>",
            name = esc(&c.title)
        ));
        self.para(Some("Caption"), true, &[(&c.title, None)]);
        self.images.push((file, c.png.clone()));
    }
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

pub fn docx(b: &Bulletin, charts: &[Chart]) -> Result<Vec<u8>, ExportError> {
    let mut d = Doc {
        body: String::new(),
        images: Vec::new(),
    };
    summary(&mut d, b);
    for g in &b.groups {
        group(&mut d, b, g, charts);
        d.heading(2, "单位得分明细");
        for card in &g.cards {
            unit_card(&mut d, card, charts);
        }
    }
    package(&d, &b.title)
}

/// The title, the period and 一、总体情况 (units, grades, vetoes).
fn summary(d: &mut Doc, b: &Bulletin) {
    d.para(
        Some("Title"),
        true,
        &[(&format!("{}结果通报", b.title), None)],
    );
    let meta = if b.office.is_empty() {
        format!("考核期间：{}", b.period)
    } else {
        format!("{} · 考核期间：{}", b.office, b.period)
    };
    d.para(None, true, &[(&meta, None)]);
    d.heading(1, "一、总体情况");
    let sizes: Vec<String> = b
        .groups
        .iter()
        .map(|g| format!("{}{}个", g.name, g.size))
        .collect();
    let mut text = format!(
        "本次考核共对{}单位进行评价，读取原始记录{}条",
        sizes.join("、"),
        b.rows_read
    );
    if b.rejected > 0 {
        text.push_str(&format!(
            "，其中{}条因数据问题未予采用（详见拒收记录）",
            b.rejected
        ));
    }
    text.push('。');
    d.para(None, false, &[(&text, None)]);
    let mut head = vec!["类别", "参评单位"];
    head.extend(b.grades.iter().map(|g| g.name.as_str()));
    head.push("一票否决");
    let rows: Vec<Vec<(String, Option<String>)>> = b
        .groups
        .iter()
        .map(|g| {
            let mut r = vec![(g.name.clone(), None), (g.size.to_string(), None)];
            r.extend(g.grade_counts.iter().map(|n| (n.to_string(), None)));
            r.push((g.vetoed.to_string(), None));
            r
        })
        .collect();
    d.table(&head, &rows);
    if !b.vetoes.is_empty() {
        d.heading(2, "一票否决单位");
        let rows: Vec<_> = b
            .vetoes
            .iter()
            .map(|v| {
                vec![
                    (v.unit.clone(), None),
                    (v.group.clone(), None),
                    (v.rules.clone(), Some("C62828".into())),
                ]
            })
            .collect();
        d.table(&["单位", "类别", "否决事项"], &rows);
    }
}

/// A group's ranked table and charts.
fn group(d: &mut Doc, b: &Bulletin, g: &super::bulletin::GroupView, charts: &[Chart]) {
    d.heading(1, &format!("{}、{}考核结果", g.numeral, g.name));
    let mut head = vec!["名次", "单位", "总分", "基础分", "加分", "扣分", "等次"];
    if b.has_uncertainty {
        head.push("等次稳定性");
    }
    if b.has_previous {
        head.push("名次变化");
    }
    let rows: Vec<_> = g
        .rows
        .iter()
        .map(|r| {
            let name = if r.vetoed {
                format!("{}（一票否决）", r.name)
            } else {
                r.name.clone()
            };
            let mut row = vec![
                (r.rank.to_string(), None),
                (name, None),
                (r.total.clone(), None),
                (r.base.clone(), None),
                (r.bonus.clone(), None),
                (r.penalty.clone(), None),
                (r.grade.clone(), Some(r.color.clone())),
            ];
            if b.has_uncertainty {
                row.push((r.grade_probability.clone(), None));
            }
            if b.has_previous {
                row.push((r.change.clone(), None));
            }
            row
        })
        .collect();
    d.table(&head, &rows);
    for c in charts
        .iter()
        .filter(|c| c.group == Some(g.index - 1) && c.kind != ChartKind::Profile)
    {
        d.image(c);
    }
}

/// One unit's card: vetoes, pending objections, dimensions, records, and
/// its profile chart.
fn unit_card(d: &mut Doc, card: &super::bulletin::Card, charts: &[Chart]) {
    d.heading(
        3,
        &format!(
            "{}. {}（{}） 总分 {} {}",
            card.rank, card.name, card.id, card.total, card.grade
        ),
    );
    if !card.vetoes.is_empty() {
        d.para(
            None,
            false,
            &[(
                &format!("一票否决：{}", card.vetoes.join("；")),
                Some("C62828"),
            )],
        );
    }
    if card.pending > 0 {
        d.para(
            None,
            false,
            &[(
                &format!("有{}条记录异议处理中。", card.pending),
                Some("E65100"),
            )],
        );
    }
    let rows: Vec<_> = card
        .dims
        .iter()
        .map(|x| {
            vec![
                (x.name.clone(), None),
                (x.points.clone(), None),
                (x.max.clone(), None),
                (x.mean.clone(), None),
            ]
        })
        .collect();
    d.table(&["维度", "得分", "满分", "同类平均"], &rows);
    if !card.items.is_empty() {
        let rows: Vec<_> = card
            .items
            .iter()
            .map(|i| {
                vec![
                    (i.rule.clone(), None),
                    (i.dataset.clone(), None),
                    (i.record.clone(), None),
                    (i.points.clone(), None),
                    (i.note.clone(), i.pending.then(|| "E65100".to_string())),
                ]
            })
            .collect();
        d.table(&["事项", "数据集", "记录", "分值", "说明"], &rows);
    }
    if let Some(c) = charts.iter().find(|c| {
        c.kind == ChartKind::Profile
            && c.name == card.profile.as_ref().map_or("", |p| p.name.as_str())
    }) {
        d.image(c);
    }
}

fn package(d: &Doc, title: &str) -> Result<Vec<u8>, ExportError> {
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
        format!("{CORE_HEAD}<dc:title>{}</dc:title><dc:creator>govtrust</dc:creator></cp:coreProperties>", esc(title)).as_bytes(),
        opt,
    )?;
    put("word/styles.xml", STYLES.as_bytes(), opt)?;
    let mut rels = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>",
    );
    for (k, (file, _)) in d.images.iter().enumerate() {
        rels.push_str(&format!(
            "<Relationship Id=\"rIdImg{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/{file}\"/>",
            k + 1
        ));
    }
    rels.push_str("</Relationships>");
    put("word/_rels/document.xml.rels", rels.as_bytes(), opt)?;
    let doc = format!(
        "{DOC_HEAD}<w:body>{}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1440\" w:right=\"1247\" w:bottom=\"1440\" w:left=\"1247\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>",
        d.body
    );
    put("word/document.xml", doc.as_bytes(), opt)?;
    for (file, png) in &d.images {
        // PNGs are compressed already.
        put(&format!("word/media/{file}"), png, stored)?;
    }
    let cur = zw
        .finish()
        .map_err(|e| ExportError::Other(format!("docx: {e}")))?;
    Ok(cur.into_inner())
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const CORE_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#;

const DOC_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋" w:cs="Times New Roman"/><w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="240" w:after="240"/><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="方正小标宋简体" w:ascii="Times New Roman" w:hAnsi="Times New Roman"/><w:b/><w:sz w:val="44"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:sz w:val="32"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:rFonts w:eastAsia="楷体"/><w:b/><w:sz w:val="30"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="2"/></w:pPr><w:rPr><w:rFonts w:eastAsia="仿宋"/><w:b/><w:sz w:val="28"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="宋体"/><w:color w:val="616161"/><w:sz w:val="21"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:rFonts w:eastAsia="宋体"/><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr></w:style><w:style w:type="table" w:styleId="GovTable"><w:name w:val="Gov Table"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="9E9E9E"/><w:left w:val="single" w:sz="4" w:space="0" w:color="9E9E9E"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="9E9E9E"/><w:right w:val="single" w:sz="4" w:space="0" w:color="9E9E9E"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="9E9E9E"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="9E9E9E"/></w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#;
