//! Section 1: reading a scheme's files, and assembling the sections.
//!
//! Each file is parsed on its own into a [`RawFile`] (any section may be
//! in any file); the sections of all files are then gathered and checked
//! in an order where each check has what it needs: the header, the unit
//! register and the datasets, the grades, the tree, the indicators, the
//! rules, the early warnings, and last the ids across all of them.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::DataFrame;
use schemars::JsonSchema;
use serde::Deserialize;

use super::datasets::{DatasetSpec, RawDataset, RawUnits};
use super::grades::{Grade, RawGrade};
use super::header::{MissingPolicy, RawHeader};
use super::indicators::RawIndicator;
use super::rules::{RawRule, RawVeto, RuleKind};
use super::signals::{RawAlert, RawScreen};
use super::tree::{NodeKind, RawNode};
use super::{Scheme, SchemeError};
use crate::diag::{Diagnostic, Diagnostics, Ordered, S, Source, list, suggest};

/// One TOML file of a scheme; any section may be in any file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub scheme: Option<S<RawHeader>>,
    pub units: Option<S<RawUnits>>,
    #[serde(default)]
    pub datasets: Option<Ordered<S<RawDataset>>>,
    #[serde(default)]
    pub node: Vec<S<RawNode>>,
    #[serde(default)]
    pub indicator: Vec<S<RawIndicator>>,
    #[serde(default)]
    pub bonus: Vec<S<RawRule>>,
    #[serde(default)]
    pub penalty: Vec<S<RawRule>>,
    #[serde(default)]
    pub veto: Vec<S<RawVeto>>,
    #[serde(default)]
    pub grade: Vec<S<RawGrade>>,
    #[serde(default)]
    pub alert: Vec<S<RawAlert>>,
    #[serde(default)]
    pub screen: Vec<S<RawScreen>>,
}

/// An item and the index of the file it came from.
pub(super) type At<T> = (usize, T);

/// The sections of every file, gathered.
#[derive(Default)]
pub(super) struct Items {
    pub header: Option<At<S<RawHeader>>>,
    pub units: Option<At<S<RawUnits>>>,
    pub datasets: Vec<(usize, S<String>, S<RawDataset>)>,
    pub nodes: Vec<At<S<RawNode>>>,
    pub indicators: Vec<At<S<RawIndicator>>>,
    pub bonus: Vec<At<S<RawRule>>>,
    pub penalty: Vec<At<S<RawRule>>>,
    pub veto: Vec<At<S<RawVeto>>>,
    pub grades: Vec<At<S<RawGrade>>>,
    pub alerts: Vec<At<S<RawAlert>>>,
    pub screens: Vec<At<S<RawScreen>>>,
}

/// The scheme's files: a directory's `.toml` files in name order (each
/// inside the directory, links followed), or one file.
pub(super) fn read_sources(path: &Path) -> Result<Vec<Source>, SchemeError> {
    let io = |e: std::io::Error| SchemeError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut files = Vec::new();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).map_err(io)? {
            let p = entry.map_err(io)?.path();
            if p.extension().is_some_and(|e| e == "toml") {
                // A scheme file must be inside the scheme directory, links
                // followed, like every input (docs/scheme.md section 1).
                let name = p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                match crate::paths::inside(path, &name) {
                    Ok(real) if real.is_file() => files.push(p),
                    Ok(_) => {}
                    Err(e) => {
                        return Err(SchemeError::Io {
                            path: p,
                            message: e.to_string(),
                        });
                    }
                }
            }
        }
        files.sort();
        if files.is_empty() {
            return Err(SchemeError::Empty(path.to_path_buf()));
        }
    } else {
        files.push(path.to_path_buf());
    }
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).map_err(|e| SchemeError::Io {
                path: p.clone(),
                message: e.to_string(),
            })?;
            Ok(Source::new(p, text))
        })
        .collect()
}

/// Validate scheme sources; `base` resolves a relative `calendar` path.
pub fn load_sources(sources: Vec<Source>, base: &Path) -> Result<Scheme, SchemeError> {
    let mut diags = Vec::new();
    let mut parsed = Vec::new();
    for (i, src) in sources.iter().enumerate() {
        match toml::from_str::<RawFile>(&src.text) {
            Ok(f) => parsed.push((i, f)),
            Err(e) => {
                let at = e.span().map(|s| s.start).unwrap_or(0);
                diags.push(src.diag(at, e.message().trim().to_string()).with_hint(
                    "see docs/scheme.md section 1 for the sections and keys a scheme file may have",
                ));
            }
        }
    }
    if !diags.is_empty() {
        return Err(SchemeError::Invalid(Diagnostics(diags)));
    }
    let mut v = Validator {
        sources: &sources,
        diags,
    };
    let items = v.gather(parsed);
    let scheme = assemble(&mut v, items, base);
    match scheme {
        Some(s) if v.diags.is_empty() => Ok(s),
        _ => Err(SchemeError::Invalid(Diagnostics(v.diags))),
    }
}

/// The problems found so far, with the sources to place them.
pub(super) struct Validator<'a> {
    pub sources: &'a [Source],
    pub diags: Vec<Diagnostic>,
}

impl Validator<'_> {
    pub fn err(&mut self, file: usize, offset: usize, msg: impl Into<String>) -> &mut Diagnostic {
        let d = self.sources[file].diag(offset, msg);
        self.diags.push(d);
        self.diags.last_mut().unwrap()
    }

    /// A problem about a whole file.
    pub fn err_file(&mut self, file: usize, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::file(&self.sources[file].path, msg));
        self.diags.last_mut().unwrap()
    }

    /// One of a fixed set of words (`options`), or `default` if absent.
    pub fn choice<T: Copy>(
        &mut self,
        f: usize,
        v: &Option<S<String>>,
        options: &[(&str, T)],
        default: T,
    ) -> T {
        let Some(v) = v else { return default };
        match options.iter().find(|(n, _)| n == v.get_ref()) {
            Some((_, t)) => *t,
            None => {
                self.err(
                    f,
                    v.span().start,
                    format!("unknown value {:?}", v.get_ref()),
                )
                .hint(format!(
                    "expected one of: {}",
                    list(options.iter().map(|o| o.0), 9)
                ));
                default
            }
        }
    }

    /// The sections of every file; a second `[scheme]` or `[units]` is an
    /// error.
    fn gather(&mut self, parsed: Vec<(usize, RawFile)>) -> Items {
        let mut it = Items::default();
        for (f, raw) in parsed {
            if let Some(h) = raw.scheme {
                if it.header.is_some() {
                    self.err(f, h.span().start, "a second [scheme] section")
                        .hint("put [scheme] in exactly one file of the scheme");
                } else {
                    it.header = Some((f, h));
                }
            }
            if let Some(u) = raw.units {
                if it.units.is_some() {
                    self.err(f, u.span().start, "a second [units] section");
                } else {
                    it.units = Some((f, u));
                }
            }
            for (k, d) in raw.datasets.map(|o| o.0).unwrap_or_default() {
                it.datasets.push((f, k, d));
            }
            it.nodes.extend(raw.node.into_iter().map(|x| (f, x)));
            it.indicators
                .extend(raw.indicator.into_iter().map(|x| (f, x)));
            it.bonus.extend(raw.bonus.into_iter().map(|x| (f, x)));
            it.penalty.extend(raw.penalty.into_iter().map(|x| (f, x)));
            it.veto.extend(raw.veto.into_iter().map(|x| (f, x)));
            it.grades.extend(raw.grade.into_iter().map(|x| (f, x)));
            it.alerts.extend(raw.alert.into_iter().map(|x| (f, x)));
            it.screens.extend(raw.screen.into_iter().map(|x| (f, x)));
        }
        it
    }
}

/// What the items of later sections need from earlier ones: the datasets
/// (for expressions and columns), the grades (for vetoes), the default
/// missing policy, and the expression checker's state.
pub(super) struct ItemCtx<'a> {
    pub datasets: &'a Option<Vec<DatasetSpec>>,
    pub grades: &'a Option<Vec<Grade>>,
    pub missing: Option<MissingPolicy>,
    /// Numbers `workdays` placeholder columns across the scheme.
    pub counter: usize,
    /// An empty frame per dataset, to type-check expressions on.
    pub empties: HashMap<usize, DataFrame>,
}

impl ItemCtx<'_> {
    /// The index of dataset `name`, or an error with a suggestion.
    pub fn dataset(&self, v: &mut Validator, f: usize, name: &S<String>) -> Option<usize> {
        let ds = self.datasets.as_ref()?;
        match ds.iter().position(|d| &d.id == name.get_ref()) {
            Some(i) => Some(i),
            None => {
                let d = v.err(
                    f,
                    name.span().start,
                    format!("unknown dataset {:?}", name.get_ref()),
                );
                d.hint = Some(
                    match suggest(name.get_ref(), ds.iter().map(|d| d.id.as_str())) {
                        Some(s) => format!("did you mean {s:?}?"),
                        None => format!("datasets: {}", list(ds.iter().map(|d| &d.id), 12)),
                    },
                );
                None
            }
        }
    }
}

/// `applies_to = [...]` (groups); absent means all.
pub(super) fn applies_to(
    v: &mut Validator,
    f: usize,
    a: &Option<S<Vec<S<String>>>>,
) -> Option<Vec<String>> {
    let a = a.as_ref()?;
    if a.get_ref().is_empty() {
        v.err(f, a.span().start, "applies_to is empty")
            .hint("list groups, or leave it out for all");
    }
    Some(a.get_ref().iter().map(|g| g.get_ref().clone()).collect())
}

/// The byte offset of an optional spanned value.
pub(super) fn span<T>(x: &Option<S<T>>) -> Option<usize> {
    x.as_ref().map(|s| s.span().start)
}

/// Check every section, in dependency order, and build the scheme.
fn assemble(v: &mut Validator, it: Items, base: &Path) -> Option<Scheme> {
    let Some((hf, h)) = &it.header else {
        v.diags.push(
            Diagnostic::file(&v.sources[0].path, "no [scheme] section in the scheme")
                .with_hint("add [scheme] with name and period = { start = ..., end = ... }"),
        );
        return None;
    };
    let Some((uf, u)) = &it.units else {
        v.err_file(*hf, "no [units] section in the scheme")
            .hint("add [units] with file = \"units.csv\"");
        return None;
    };
    let hdr = super::header::check(v, *hf, h.get_ref(), base);
    let units = super::datasets::units(v, *uf, u.get_ref());
    let datasets = super::datasets::check(v, &it.datasets);
    let grades = super::grades::check(v, &it.grades);
    let mut cx = ItemCtx {
        datasets: &datasets,
        grades: &grades,
        missing: hdr.as_ref().map(|h| h.missing),
        counter: 0,
        empties: HashMap::new(),
    };
    let (tree, leaves) = super::tree::build(
        v,
        &it.nodes,
        &it.indicators,
        hdr.as_ref().map(|h| h.aggregation),
        hdr.as_ref().and_then(|h| h.weights),
    );
    let indicators = super::indicators::check(v, &mut cx, &leaves);
    let bonus = super::rules::check(v, &mut cx, &it.bonus, RuleKind::Bonus);
    let penalty = super::rules::check(v, &mut cx, &it.penalty, RuleKind::Penalty);
    let vetoes = super::rules::vetoes(v, &mut cx, &it.veto);
    let signals = super::signals::check(v, &mut cx, &it.alerts, &it.screens);
    super::ids::check(v, &it);
    let (hdr, units, datasets, mut tree, grades) = (hdr?, units?, datasets?, tree?, grades?);
    let (indicators, (alerts, screens)) = (indicators?, signals?);
    let rules = bonus?.into_iter().chain(penalty?).chain(vetoes?).collect();
    for (i, ind) in indicators.iter().enumerate() {
        tree[ind.node].kind = NodeKind::Indicator(i);
    }
    super::tree::assign_points(&mut tree, hdr.points);
    let digest = {
        let mut h = blake3::Hasher::new();
        for s in v.sources {
            h.update(s.text.as_bytes());
        }
        format!("blake3:{}", h.finalize().to_hex())
    };
    Some(Scheme {
        name: hdr.name,
        office: hdr.office,
        group_names: hdr.group_names,
        period: hdr.period,
        points: hdr.points,
        missing: hdr.missing,
        pending_objections: hdr.pending,
        repair_factor: hdr.repair_factor,
        bonus_cap: hdr.bonus_cap,
        veto_rank: hdr.veto_rank,
        calendar: hdr.calendar,
        units,
        datasets,
        tree,
        indicators,
        rules,
        grades,
        alerts,
        screens,
        files: v.sources.iter().map(|s| s.path.clone()).collect(),
        digest,
    })
}
