//! Section 10 and the register of section 3: `[bulletin]`, what the
//! bulletin (通报) carries as an official document, and `[objections]`,
//! the objection register (异议登记) and its deadlines.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Deserialize;

use super::context::Validator;
use crate::calendar::toml_date;
use crate::diag::S;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBulletin {
    /// 文号, e.g. "信用办〔2026〕3号".
    pub number: Option<S<String>>,
    /// The title; default: the scheme's name followed by 结果的通报.
    pub title: Option<S<String>>,
    /// 主送, e.g. "各乡镇人民政府、街道办事处，市直各部门：".
    pub to: Option<S<String>>,
    /// The basis (依据), e.g. "根据《……考核办法》".
    pub basis: Option<S<String>>,
    /// 工作要求, one paragraph each.
    pub requirements: Option<S<Vec<S<String>>>>,
    /// 落款; default: `[scheme] office`.
    pub signer: Option<S<String>>,
    /// 成文日期 (a TOML date); deadlines are judged as of it.
    #[schemars(with = "Option<String>")]
    pub date: Option<S<toml::Value>>,
    /// Who takes objections, e.g. "联系人：张三，电话：0000-0000000".
    pub contact: Option<S<String>>,
    /// Put each unit's detail (its card) in an annex of the bulletin;
    /// default false: the details go to each unit's feedback only.
    pub unit_annex: Option<S<bool>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawObjections {
    /// The register, relative to the data directory (CSV).
    pub file: Option<S<String>>,
    /// Working days the office has to answer an objection; default 15.
    pub reply_days: Option<S<i64>>,
    /// Working days after the bulletin date in which a unit may object;
    /// default 5.
    pub window_days: Option<S<i64>>,
    /// The register's encoding: "utf-8" (default) or "gb18030" (what
    /// Excel on a Chinese Windows saves a CSV as).
    pub encoding: Option<S<String>>,
}

/// The checked `[bulletin]`: every text the document carries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulletinSpec {
    pub number: Option<String>,
    pub title: Option<String>,
    pub to: Option<String>,
    pub basis: Option<String>,
    pub requirements: Vec<String>,
    pub signer: Option<String>,
    pub date: Option<NaiveDate>,
    pub contact: Option<String>,
    pub unit_annex: bool,
}

/// The checked `[objections]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectionsSpec {
    /// The register's path relative to the data directory, if any.
    pub file: Option<String>,
    pub reply_days: u32,
    pub window_days: u32,
    /// The register's encoding (a `--register` file too, unless all of it
    /// is UTF-8).
    pub encoding: super::Encoding,
    /// A register read instead of `file`, from anywhere (`assess
    /// --register`, a workbench run's `RUNS/ID/objections.csv`); never set
    /// by the scheme's TOML. Reports name it by its file name.
    pub register: Option<std::path::PathBuf>,
}

impl ObjectionsSpec {
    /// Use the register at `path` (which must name a file).
    pub fn use_register(&mut self, path: &std::path::Path) {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        self.file = name;
        self.register = Some(path.to_path_buf());
    }
}

impl Default for ObjectionsSpec {
    fn default() -> Self {
        ObjectionsSpec {
            file: None,
            reply_days: 15,
            window_days: 5,
            encoding: super::Encoding::Utf8,
            register: None,
        }
    }
}

/// The problem with a bulletin dated `date`, before the period's `end`.
pub fn before_end(date: NaiveDate, end: NaiveDate) -> String {
    format!(
        "the bulletin's date {date} is before the period's end {end}: a bulletin of results is dated after the period it reports"
    )
}

fn text(x: &Option<S<String>>) -> Option<String> {
    x.as_ref()
        .map(|s| s.get_ref().trim().to_string())
        .filter(|s| !s.is_empty())
}

/// `[bulletin]` (file `f`); `end` is the period's last day, if the
/// header was read.
pub(super) fn bulletin(
    v: &mut Validator,
    f: usize,
    b: &RawBulletin,
    end: Option<NaiveDate>,
) -> BulletinSpec {
    let date = b.date.as_ref().and_then(|d| {
        let x = toml_date(d.get_ref());
        match (x, end) {
            (None, _) => {
                v.err(f, d.span().start, "expected a date")
                    .hint("write date = 2026-01-15 (成文日期)");
            }
            // A bulletin of results is written after the period: a date
            // before its end is a slip of the year (2025-01-15 for
            // 2026-01-15), which would also judge every objection's
            // deadline as of that day.
            (Some(x), Some(end)) if x < end => {
                v.err(f, d.span().start, before_end(x, end))
                    .hint("check the year: the 2025 assessment's bulletin is dated in 2026");
            }
            _ => {}
        }
        x
    });
    BulletinSpec {
        number: text(&b.number),
        title: text(&b.title),
        to: text(&b.to),
        basis: text(&b.basis),
        requirements: b
            .requirements
            .as_ref()
            .map(|r| {
                r.get_ref()
                    .iter()
                    .map(|p| p.get_ref().trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        signer: text(&b.signer),
        date,
        contact: text(&b.contact),
        unit_annex: b.unit_annex.as_ref().is_some_and(|u| *u.get_ref()),
    }
}

pub(super) fn objections(v: &mut Validator, f: usize, o: &RawObjections) -> ObjectionsSpec {
    let mut days = |x: &Option<S<i64>>, name: &str, default: u32| match x {
        None => default,
        Some(d) if (1..=366).contains(d.get_ref()) => *d.get_ref() as u32,
        Some(d) => {
            v.err(
                f,
                d.span().start,
                format!("{name} must be a whole number of working days from 1 to 366"),
            );
            default
        }
    };
    let reply_days = days(&o.reply_days, "reply_days", 15);
    let window_days = days(&o.window_days, "window_days", 5);
    let file = o.file.as_ref().and_then(|p| {
        let name = p.get_ref();
        let path = std::path::Path::new(name);
        let normal = path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !normal || name.is_empty() {
            v.err(
                f,
                p.span().start,
                format!("file {name:?} leaves the data directory"),
            )
            .hint("paths are relative to the data directory, without '..'");
            return None;
        }
        if !name.to_ascii_lowercase().ends_with(".csv") {
            v.err(f, p.span().start, "the objection register is a .csv file")
                .hint("write file = \"objections.csv\"");
            return None;
        }
        Some(name.clone())
    });
    let encoding = v.choice(
        f,
        &o.encoding,
        super::datasets::ENCODINGS,
        super::Encoding::Utf8,
    );
    ObjectionsSpec {
        file,
        reply_days,
        window_days,
        encoding,
        register: None,
    }
}
