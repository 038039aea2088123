//! The bulletin's header and body: 文号, title, 主送, the basis; 总体情况,
//! one section per group, 一票否决, 工作要求.

use super::{Ctx, numeral};
use crate::render::ChartKind;
use crate::report::document::{Block, Cell, Document, Table};
use crate::report::{fmt2, words};

pub(super) fn header(cx: &Ctx, doc: &mut Document) {
    let s = &cx.run.scheme;
    if let Some(n) = &s.bulletin.number {
        doc.push(Block::Number { text: n.clone() });
    }
    doc.push(Block::Title {
        text: super::title(cx.run),
    });
    doc.push(Block::To {
        text: s
            .bulletin
            .to
            .clone()
            .unwrap_or_else(|| "各参评单位：".to_string()),
    });
    let groups: Vec<String> = cx
        .groups
        .iter()
        .enumerate()
        .map(|(gi, ms)| format!("{}{}个", cx.group_name(gi), ms.len()))
        .collect();
    let basis = match &s.bulletin.basis {
        Some(b) => format!("{b}，"),
        None => format!("按照{}工作安排，", s.name),
    };
    doc.para(format!(
        "{basis}对{}期间{}单位的政务诚信建设情况进行了考核。现将考核结果通报如下：",
        words::period(s),
        groups.join("、"),
    ));
}

/// Grade counts of `members` in words: 优秀8个、良好20个…
fn grade_counts(cx: &Ctx, members: &[usize]) -> String {
    let s = &cx.run.scheme;
    let mut n = vec![0usize; s.grades.len()];
    for &u in members {
        if let Some(g) = cx.run.scored.units[u].grade {
            n[g] += 1;
        }
    }
    let parts: Vec<String> = s
        .grades
        .iter()
        .zip(&n)
        .map(|(g, k)| format!("{}{k}个", g.name))
        .collect();
    parts.join("、")
}

fn vetoed(cx: &Ctx, u: usize) -> bool {
    !cx.run.scored.units[u].vetoes.is_empty()
}

pub(super) fn body(cx: &mut Ctx, doc: &mut Document) {
    let mut section = 1;
    overall(cx, doc, section);
    for gi in 0..cx.groups.len() {
        section += 1;
        group(cx, doc, gi, section);
    }
    let vetoed: Vec<usize> = cx
        .groups
        .iter()
        .flatten()
        .copied()
        .filter(|&u| vetoed(cx, u))
        .collect();
    if !vetoed.is_empty() {
        section += 1;
        doc.heading(1, format!("{}、一票否决情况", numeral(section)));
        let s = &cx.run.scheme;
        for u in vetoed {
            let x = &cx.run.scored.units[u];
            let rules: Vec<&str> = x.vetoes.iter().map(|&r| s.rules[r].name.as_str()).collect();
            doc.para(format!(
                "{}因{}，实行一票否决，考核等次确定为{}。",
                cx.run.data.units.names[u],
                rules.join("、"),
                cx.grade_name(x.grade)
            ));
        }
    }
    section += 1;
    requirements(cx, doc, section);
}

fn overall(cx: &Ctx, doc: &mut Document, section: usize) {
    let s = &cx.run.scheme;
    doc.heading(1, format!("{}、总体情况", numeral(section)));
    let all: Vec<usize> = cx.groups.iter().flatten().copied().collect();
    let nveto = all.iter().filter(|&&u| vetoed(cx, u)).count();
    let mut text = format!(
        "本次考核共有{}个单位参评。考核等次为{}",
        all.len(),
        grade_counts(cx, &all)
    );
    if nveto > 0 {
        text.push_str(&format!("，其中{nveto}个单位被一票否决"));
    }
    text.push('。');
    if let Some(label) = cx.run.previous.as_ref().map(|p| p.label.clone()) {
        let (mut up, mut down, mut same) = (0, 0, 0);
        for &u in &all {
            match cx.change(u).map(|c| c.0) {
                Some(c) if c.starts_with('↑') => up += 1,
                Some(c) if c.starts_with('↓') => down += 1,
                Some(c) if c == "—" => same += 1,
                _ => {}
            }
        }
        text.push_str(&format!(
            "与{label}相比，名次上升的{up}个、下降的{down}个、持平的{same}个。"
        ));
    }
    let pending = cx
        .run
        .evidence
        .iter()
        .filter(|e| e.note.contains("pending objection"))
        .count();
    if pending > 0 {
        text.push_str(&format!(
            "另有{pending}条扣分、否决记录的异议正在复核，复核后确需更正的，将予以更正。"
        ));
    }
    doc.para(text);
    let mut head = vec!["类别", "参评单位"];
    head.extend(s.grades.iter().map(|g| g.name.as_str()));
    head.push("一票否决");
    let mut t = Table::new("summary", &head, 1);
    for (gi, ms) in cx.groups.iter().enumerate() {
        let mut n = vec![0usize; s.grades.len()];
        for &u in ms {
            if let Some(g) = cx.run.scored.units[u].grade {
                n[g] += 1;
            }
        }
        let mut row = vec![
            Cell::new(cx.group_name(gi)),
            Cell::new(ms.len().to_string()),
        ];
        row.extend(n.iter().map(|k| Cell::new(k.to_string())));
        row.push(Cell::new(
            ms.iter().filter(|&&u| vetoed(cx, u)).count().to_string(),
        ));
        t.rows.push(row);
    }
    doc.push(Block::Table(t));
}

fn group(cx: &mut Ctx, doc: &mut Document, gi: usize, section: usize) {
    let units = &cx.run.data.units;
    let ms = cx.groups[gi].clone();
    let name = cx.group_name(gi).to_string();
    doc.heading(1, format!("{}、{name}考核结果", numeral(section)));
    let names = |us: &[usize]| -> String {
        us.iter()
            .map(|&u| units.names[u].as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    let ranked: Vec<usize> = ms.iter().copied().filter(|&u| !vetoed(cx, u)).collect();
    let mut text = format!(
        "{name}共{}个单位参评，考核等次为{}。",
        ms.len(),
        grade_counts(cx, &ms)
    );
    if ranked.len() >= 6 {
        text.push_str(&format!(
            "总分排名前三位的是{}；排名后三位的是{}。",
            names(&ranked[..3]),
            names(&ranked[ranked.len() - 3..])
        ));
    }
    text.push_str("具体名次如下：");
    doc.para(text);
    let mut head = vec!["名次", "单位", "总分", "等次"];
    if cx.prev.is_some() {
        head.push("名次变化");
    }
    let mut t = Table::new("ranking", &head, 2);
    t.align[0] = crate::report::document::Align::Center;
    t.align[3] = crate::report::document::Align::Center;
    for &u in &ms {
        let x = &cx.run.scored.units[u];
        let unit = if vetoed(cx, u) {
            format!("{}（一票否决）", units.names[u])
        } else {
            units.names[u].clone()
        };
        let mut row = vec![
            Cell::new(x.rank.to_string()),
            Cell::new(unit),
            Cell::new(fmt2(x.total)),
            Cell::new(cx.grade_name(x.grade)),
        ];
        if let Some((c, _)) = cx.change(u) {
            row.push(Cell::new(c));
        }
        t.rows.push(row);
    }
    if let Some(a) = t.align.get_mut(4) {
        *a = crate::report::document::Align::Center;
    }
    doc.push(Block::Table(t));
    for kind in [
        ChartKind::Ranking,
        ChartKind::Distribution,
        ChartKind::Slope,
    ] {
        for c in cx.charts_of(gi, kind) {
            cx.figure(doc, c);
        }
    }
}

fn requirements(cx: &Ctx, doc: &mut Document, section: usize) {
    let s = &cx.run.scheme;
    doc.heading(1, format!("{}、工作要求", numeral(section)));
    let office = match cx.signer() {
        o if o.is_empty() => "考核办公室".to_string(),
        o => o,
    };
    if s.bulletin.requirements.is_empty() {
        let lowest = s.grades.last().map_or("不合格", |g| g.name.as_str());
        doc.para("各单位要对照考核结果和反馈单，深入查找政务诚信建设中的薄弱环节，逐项制定整改措施，切实抓好整改落实。");
        doc.para(format!(
            "考核等次为{lowest}和被一票否决的单位要认真分析原因，限期整改到位，并将整改情况书面报送{office}。"
        ));
    } else {
        for p in &s.bulletin.requirements {
            doc.para(p.clone());
        }
    }
    doc.para(objection_sentence(cx, &office));
}

/// How and by when to object, and when the office answers.
pub(crate) fn objection_sentence(cx: &Ctx, office: &str) -> String {
    let s = &cx.run.scheme;
    let o = &s.objections;
    let by = match s.bulletin.date {
        Some(d) => format!(
            "于{}前（本通报印发之日起{}个工作日内）",
            words::date(s.calendar.add_workdays(d, o.window_days)),
            o.window_days
        ),
        None => format!("自本通报印发之日起{}个工作日内", o.window_days),
    };
    let contact = s
        .bulletin
        .contact
        .as_ref()
        .map_or(String::new(), |c| format!("（{c}）"));
    format!(
        "各单位对考核结果或所列记录有异议的，请{by}通过考核反馈单向{office}{contact}书面提出，并附相关证明材料；{office}自收到异议之日起{}个工作日内书面答复，异议成立的予以更正。",
        o.reply_days
    )
}
