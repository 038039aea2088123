//! Section 1: reading a scheme's files, and assembling the sections.
//!
//! Each file is parsed on its own into a [`RawFile`] (any section may be
//! in any file); the sections of all files are then gathered and checked
//! in an order where each check has what it needs: the header, the unit
//! register and the datasets, the grades, the tree, the indicators, the
//! rules, the early warnings, and last the ids across all of them.

use std::collections::HashMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;

use super::context::{At, Validator};
use super::items::ItemCtx;

use super::datasets::{RawDataset, RawUnits};
use super::grades::RawGrade;
use super::header::RawHeader;
use super::indicators::RawIndicator;
use super::publication::{RawBulletin, RawObjections};
use super::rules::{RawRule, RawVeto, RuleKind};
use super::signals::{RawAlert, RawScreen};
use super::tree::{NodeKind, RawNode};
use super::{Scheme, SchemeError};
use crate::diag::{Diagnostic, Diagnostics, Ordered, S, Source};

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
    pub bulletin: Option<S<RawBulletin>>,
    pub objections: Option<S<RawObjections>>,
}

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
    pub bulletin: Option<At<S<RawBulletin>>>,
    pub objections: Option<At<S<RawObjections>>>,
}

impl Items {
    /// Every id of the scheme: (file, id, whether it is a node's).
    fn ids(&self) -> Vec<(usize, &S<String>, bool)> {
        let mut ids: Vec<(usize, &S<String>, bool)> = Vec::new();
        ids.extend(self.nodes.iter().map(|(f, n)| (*f, &n.get_ref().id, true)));
        let other = |f: &usize, id| (*f, id, false);
        ids.extend(
            self.indicators
                .iter()
                .map(|(f, n)| other(f, &n.get_ref().id)),
        );
        ids.extend(self.bonus.iter().map(|(f, n)| other(f, &n.get_ref().id)));
        ids.extend(self.penalty.iter().map(|(f, n)| other(f, &n.get_ref().id)));
        ids.extend(self.veto.iter().map(|(f, n)| other(f, &n.get_ref().id)));
        ids.extend(self.alerts.iter().map(|(f, n)| other(f, &n.get_ref().id)));
        ids.extend(self.screens.iter().map(|(f, n)| other(f, &n.get_ref().id)));
        ids
    }
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
    let items = gather(&mut v, parsed);
    let scheme = assemble(&mut v, items, base);
    match scheme {
        Some(s) if v.diags.is_empty() => Ok(s),
        _ => Err(SchemeError::Invalid(Diagnostics(v.diags))),
    }
}

/// The sections of every file; a second `[scheme]` or `[units]` is an
/// error.
fn gather(v: &mut Validator, parsed: Vec<(usize, RawFile)>) -> Items {
    let mut it = Items::default();
    for (f, raw) in parsed {
        if let Some(h) = raw.scheme {
            if it.header.is_some() {
                v.err(f, h.span().start, "a second [scheme] section")
                    .hint("put [scheme] in exactly one file of the scheme");
            } else {
                it.header = Some((f, h));
            }
        }
        if let Some(u) = raw.units {
            if it.units.is_some() {
                v.err(f, u.span().start, "a second [units] section");
            } else {
                it.units = Some((f, u));
            }
        }
        if let Some(b) = raw.bulletin {
            if it.bulletin.is_some() {
                v.err(f, b.span().start, "a second [bulletin] section");
            } else {
                it.bulletin = Some((f, b));
            }
        }
        if let Some(o) = raw.objections {
            if it.objections.is_some() {
                v.err(f, o.span().start, "a second [objections] section");
            } else {
                it.objections = Some((f, o));
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
    let (tree, at) = tree_of(v, &it, hdr.as_ref());
    let leaves: Vec<(usize, usize, &super::indicators::RawIndicator)> = it
        .indicators
        .iter()
        .zip(at)
        .map(|((f, ind), node)| (*f, node, ind.get_ref()))
        .collect();
    let indicators = super::indicators::check(v, &mut cx, &leaves);
    let bonus = super::rules::check(v, &mut cx, &it.bonus, RuleKind::Bonus);
    let penalty = super::rules::check(v, &mut cx, &it.penalty, RuleKind::Penalty);
    let vetoes = super::rules::vetoes(v, &mut cx, &it.veto);
    let signals = super::signals::check(v, &mut cx, &it.alerts, &it.screens);
    super::ids::check(v, &it.ids());
    let bulletin = it
        .bulletin
        .as_ref()
        .map(|(f, b)| {
            let end = hdr.as_ref().map(|h| h.period.end);
            super::publication::bulletin(v, *f, b.get_ref(), end)
        })
        .unwrap_or_default();
    let objections = it
        .objections
        .as_ref()
        .map(|(f, o)| super::publication::objections(v, *f, o.get_ref()))
        .unwrap_or_default();
    let (hdr, units, datasets, mut tree, grades) = (hdr?, units?, datasets?, tree?, grades?);
    let (indicators, (alerts, screens)) = (indicators?, signals?);
    let rules = bonus?.into_iter().chain(penalty?).chain(vetoes?).collect();
    for (i, ind) in indicators.iter().enumerate() {
        tree[ind.node].kind = NodeKind::Indicator(i);
    }
    super::tree::assign_points(&mut tree, hdr.points);
    let digest = digest(v.sources);
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
        bulletin,
        objections,
        period_override: false,
        left_for_period: Default::default(),
        files: v.sources.iter().map(|s| s.path.clone()).collect(),
        digest,
    })
}

/// The hierarchy: the `[[node]]`s with one leaf per indicator, and the
/// node of each indicator.
fn tree_of(
    v: &mut Validator,
    it: &Items,
    hdr: Option<&super::header::Header>,
) -> (Option<Vec<super::TreeNode>>, Vec<usize>) {
    let leaves: Vec<super::tree::LeafSpec> = it
        .indicators
        .iter()
        .map(|(f, ind)| {
            let r = ind.get_ref();
            super::tree::LeafSpec {
                file: *f,
                id: &r.id,
                name: &r.name,
                parent: &r.parent,
                weight: &r.weight,
            }
        })
        .collect();
    super::tree::build(
        v,
        &it.nodes,
        &leaves,
        hdr.map(|h| h.aggregation),
        hdr.and_then(|h| h.weights),
    )
}

/// The scheme's digest: blake3 over its files' text, in load order.
fn digest(sources: &[Source]) -> String {
    let mut h = blake3::Hasher::new();
    for s in sources {
        h.update(s.text.as_bytes());
    }
    format!("blake3:{}", h.finalize().to_hex())
}
