//! An official document (公文) as a list of blocks, rendered two ways from
//! the same content: HTML ([`html`], for the screen and the printer) and
//! WordprocessingML ([`docx`], for the office to edit and sign). The
//! bulletin (通报) and every unit's feedback (反馈单) are built as a
//! [`Document`]; the layout follows GB/T 9704-2012 (see docs/scheme.md section 10).

pub mod docx;
pub mod html;

use serde::Serialize;

use crate::render::display_width;

/// One block of a document, in reading order.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// 发文字号, centred under the title area.
    Number {
        text: String,
    },
    /// The title (标题), 2号小标宋, centred.
    Title {
        text: String,
    },
    /// A line under the title, centred (the feedback's unit and period).
    Subtitle {
        text: String,
    },
    /// 主送机关, flush left.
    To {
        text: String,
    },
    /// A body paragraph, its first line indented two characters.
    Para {
        text: String,
    },
    /// A heading: level 1 (一、, 黑体) or 2 (（一）, 楷体).
    Heading {
        level: u8,
        text: String,
    },
    Table(Table),
    /// A chart (SVG in HTML, PNG in Word), with its numbered caption.
    Figure {
        chart: usize,
        svg: String,
        caption: String,
    },
    /// A note under a table (注：…), smaller.
    Note {
        text: String,
    },
    /// 附件说明: the list of annexes after the body.
    Attachments {
        items: Vec<String>,
    },
    /// 落款 and 成文日期, right-aligned.
    Signature {
        signer: String,
        date: String,
    },
    /// An annex (附件) on a new page: its number (from 1), label (附件1)
    /// and title; a landscape annex (for wide tables) turns its pages.
    Annex {
        index: usize,
        label: String,
        title: String,
        landscape: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub text: String,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell { text: text.into() }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// A class for the HTML (`ranking`, `results`, ...).
    pub class: String,
    pub head: Vec<String>,
    pub align: Vec<Align>,
    pub rows: Vec<Vec<Cell>>,
    /// Column widths in per mille of the table, set by the HTML renderer
    /// from [`Table::widths`] (Word gets them in twips).
    pub permille: Vec<u32>,
}

impl Table {
    /// A table whose columns after the first `text_columns` are numbers
    /// (right-aligned).
    pub fn new(class: &str, head: &[&str], text_columns: usize) -> Table {
        Table {
            class: class.to_string(),
            head: head.iter().map(|h| h.to_string()).collect(),
            align: (0..head.len())
                .map(|i| {
                    if i < text_columns {
                        Align::Left
                    } else {
                        Align::Right
                    }
                })
                .collect(),
            rows: Vec::new(),
            permille: Vec::new(),
        }
    }

    /// Each column's widest cell in half-width characters.
    fn widest(&self, c: usize) -> usize {
        self.rows
            .iter()
            .filter_map(|r| r.get(c))
            .map(|x| display_width(&x.text))
            .max()
            .unwrap_or(0)
    }

    /// Each column's natural width in half-width characters: its widest
    /// cell, or half its header (which may wrap onto two lines), at
    /// least 4; plus 2 for the cell's margins.
    pub fn natural(&self) -> Vec<usize> {
        (0..self.head.len())
            .map(|c| {
                let head = display_width(&self.head[c]).div_ceil(2).max(4);
                head.max(self.widest(c)) + 2
            })
            .collect()
    }

    /// The least width a column can take: its widest cell where that is
    /// a number or a code (ASCII without spaces: keys, dates, which
    /// never wrap), else at most 8 (four characters a line; text wraps);
    /// at least 4; plus 2.
    fn least(&self) -> Vec<usize> {
        (0..self.head.len())
            .map(|c| {
                let w = self.widest(c);
                let codes = self
                    .rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .all(|x| x.text.is_ascii() && !x.text.contains(' '));
                let w = if codes || self.align[c] != Align::Left {
                    w
                } else {
                    w.min(8)
                };
                w.max(4) + 2
            })
            .collect()
    }

    /// Natural widths with whole headers (one line each).
    fn roomy(&self) -> Vec<usize> {
        (0..self.head.len())
            .map(|c| display_width(&self.head[c]).max(self.widest(c)).max(4) + 2)
            .collect()
    }

    /// Widths at which no cell wraps (headers may).
    fn cells(&self) -> Vec<usize> {
        (0..self.head.len())
            .map(|c| self.widest(c).max(4) + 2)
            .collect()
    }

    /// Column widths by content, in parts of `total` (half-width
    /// characters). Four tiers of widths per column, each at least the
    /// one before: the least (codes and numbers whole, text four
    /// characters a line), no cell wrapping, headers on two lines, whole
    /// headers. The widths lie between the widest tier that fits and
    /// the next, in proportion to the room left; whole headers that fit
    /// are grown in proportion; least widths that do not fit are
    /// narrowed in proportion. Rounded down, the remainder going to the
    /// largest fractions.
    pub fn widths(&self, total: u32) -> Vec<u32> {
        if self.head.is_empty() {
            return Vec::new();
        }
        let f = |v: Vec<usize>| -> Vec<f64> { v.into_iter().map(|w| w as f64).collect() };
        let mut tiers = [
            f(self.least()),
            f(self.cells()),
            f(self.natural()),
            f(self.roomy()),
        ];
        // Each tier at least the one before.
        for k in 1..tiers.len() {
            let (lower, upper) = tiers.split_at_mut(k);
            for (w, below) in upper[0].iter_mut().zip(&lower[k - 1]) {
                *w = w.max(*below);
            }
        }
        let t = f64::from(total);
        let sums: Vec<f64> = tiers.iter().map(|x| x.iter().sum()).collect();
        let w: Vec<f64> = match sums.iter().rposition(|&s| s <= t) {
            None => tiers[0].iter().map(|w| w / sums[0] * t).collect(),
            Some(k) if k == tiers.len() - 1 => tiers[k].iter().map(|w| w / sums[k] * t).collect(),
            Some(k) => {
                let r = if sums[k + 1] > sums[k] {
                    (t - sums[k]) / (sums[k + 1] - sums[k])
                } else {
                    0.0
                };
                tiers[k]
                    .iter()
                    .zip(&tiers[k + 1])
                    .map(|(a, b)| a + (b - a) * r)
                    .collect()
            }
        };
        let mut out: Vec<u32> = w.iter().map(|x| x.floor() as u32).collect();
        let left = total.saturating_sub(out.iter().sum());
        let mut order: Vec<usize> = (0..w.len()).collect();
        order.sort_by(|&a, &b| (w[b] - w[b].floor()).total_cmp(&(w[a] - w[a].floor())));
        for &c in order.iter().cycle().take(left as usize) {
            out[c] += 1;
        }
        out
    }
}

/// A whole document: its title (for the file's properties) and blocks.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
    /// How many annexes it has (the HTML closes the last one).
    pub annexes: usize,
}

impl Document {
    pub fn new(title: &str) -> Document {
        Document {
            title: title.to_string(),
            blocks: Vec::new(),
            annexes: 0,
        }
    }
    pub fn push(&mut self, b: Block) {
        if matches!(b, Block::Annex { .. }) {
            self.annexes += 1;
        }
        self.blocks.push(b);
    }
    pub fn para(&mut self, text: impl Into<String>) {
        self.push(Block::Para { text: text.into() });
    }
    pub fn heading(&mut self, level: u8, text: impl Into<String>) {
        self.push(Block::Heading {
            level,
            text: text.into(),
        });
    }
    pub fn note(&mut self, text: impl Into<String>) {
        self.push(Block::Note { text: text.into() });
    }
    /// Every text of the document, in order (for tests and checks).
    pub fn texts(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for b in &self.blocks {
            match b {
                Block::Number { text }
                | Block::Title { text }
                | Block::Subtitle { text }
                | Block::To { text }
                | Block::Para { text }
                | Block::Heading { text, .. }
                | Block::Note { text } => out.push(text.as_str()),
                Block::Table(t) => {
                    out.extend(t.head.iter().map(String::as_str));
                    out.extend(t.rows.iter().flatten().map(|c| c.text.as_str()));
                }
                Block::Figure { caption, .. } => out.push(caption),
                Block::Attachments { items } => out.extend(items.iter().map(String::as_str)),
                Block::Signature { signer, date } => {
                    out.push(signer);
                    out.push(date);
                }
                Block::Annex { label, title, .. } => {
                    out.push(label);
                    out.push(title);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cells: &[&[&str]]) -> Table {
        let mut t = Table::new("t", cells[0], 1);
        t.rows = cells[1..]
            .iter()
            .map(|r| r.iter().map(|c| Cell::new(*c)).collect())
            .collect();
        t
    }

    #[test]
    fn widths_follow_content_and_fill_the_total() {
        // Widths with whole headers: 单位 column: the widest name,
        // 市自然资源和规划局 (9 characters, 18 half-widths) + 2 = 20; 总分:
        // header 4 half-widths, cells "98.57" = 5, + 2 = 7. Sum 27 of 54:
        // both doubled, 40 and 14.
        let t = table(&[
            &["单位", "总分"],
            &["市自然资源和规划局", "98.57"],
            &["甲", "1.00"],
        ]);
        assert_eq!(t.widths(54), [40, 14]);
    }

    #[test]
    fn text_columns_wrap_before_numbers_when_the_total_is_short() {
        // Natural 42 (40 half-widths + 2) and 7 (98.57: 5 + 2); least 10
        // (text: at most 8, + 2) and 7 (a number never wraps). Total 30:
        // the least widths take 17, the 13 left go to the text column,
        // which alone lacks width (32 of 32): 23 and 7.
        let long = "很".repeat(20);
        let t = table(&[&["单位", "总分"], &[&long, "98.57"]]);
        assert_eq!(t.widths(30), [23, 7]);
        // Total 12: even the least widths (17) do not fit: 10·12/17 =
        // 7.06 and 7·12/17 = 4.94, floored to 7 and 4, the rest to the
        // last: 7, 5.
        assert_eq!(t.widths(12), [7, 5]);
        // A key never wraps: ASCII without spaces keeps its width (10 + 2).
        let mut t = table(&[&["记录编号", "说明"], &["X000000012", &long]]);
        t.align[1] = Align::Left;
        assert_eq!(t.least(), [12, 10]);
    }
}
