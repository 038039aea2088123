//! Raw files to a checked [`Scheme`]: files, header, datasets, hierarchy.
//! Item-level checks (measures, scores, rules, grades) are in `checks`.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path};

use super::SchemeError;
use super::checks::{self, ItemCtx};
use super::diag::{Diagnostic, Diagnostics, Source, list, suggest};
use super::model::*;
use super::raw::*;
use crate::calendar::{Calendar, toml_date};

/// Column names of scores.csv that node ids may not take.
pub const RESERVED_SCORE_COLUMNS: &[&str] = &[
    "unit_id",
    "unit_name",
    "group",
    "rank",
    "total",
    "base",
    "bonus",
    "penalty",
    "grade",
    "veto",
    "veto_rules",
];

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
    let scheme = v.scheme(parsed, base);
    match scheme {
        Some(s) if v.diags.is_empty() => Ok(s),
        _ => Err(SchemeError::Invalid(Diagnostics(v.diags))),
    }
}

pub(super) struct Validator<'a> {
    pub sources: &'a [Source],
    pub diags: Vec<Diagnostic>,
}

/// An item and the index of the file it came from.
type At<T> = (usize, T);

impl Validator<'_> {
    pub fn err(&mut self, file: usize, offset: usize, msg: impl Into<String>) -> &mut Diagnostic {
        let d = self.sources[file].diag(offset, msg);
        self.diags.push(d);
        self.diags.last_mut().unwrap()
    }

    fn scheme(&mut self, parsed: Vec<(usize, RawFile)>, base: &Path) -> Option<Scheme> {
        let mut header: Option<At<S<RawHeader>>> = None;
        let mut units: Option<At<S<RawUnits>>> = None;
        let (mut datasets, mut nodes, mut indicators) = (Vec::new(), Vec::new(), Vec::new());
        let (mut bonus, mut penalty, mut veto, mut grades) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut alerts, mut screens) = (Vec::new(), Vec::new());
        for (f, raw) in parsed {
            if let Some(h) = raw.scheme {
                if header.is_some() {
                    self.err(f, h.span().start, "a second [scheme] section")
                        .hint("put [scheme] in exactly one file of the scheme");
                } else {
                    header = Some((f, h));
                }
            }
            if let Some(u) = raw.units {
                if units.is_some() {
                    self.err(f, u.span().start, "a second [units] section");
                } else {
                    units = Some((f, u));
                }
            }
            for (k, d) in raw.datasets.map(|o| o.0).unwrap_or_default() {
                datasets.push((f, k, d));
            }
            nodes.extend(raw.node.into_iter().map(|x| (f, x)));
            indicators.extend(raw.indicator.into_iter().map(|x| (f, x)));
            bonus.extend(raw.bonus.into_iter().map(|x| (f, x)));
            penalty.extend(raw.penalty.into_iter().map(|x| (f, x)));
            veto.extend(raw.veto.into_iter().map(|x| (f, x)));
            grades.extend(raw.grade.into_iter().map(|x| (f, x)));
            alerts.extend(raw.alert.into_iter().map(|x| (f, x)));
            screens.extend(raw.screen.into_iter().map(|x| (f, x)));
        }
        let Some((hf, h)) = header else {
            self.diags.push(
                Diagnostic::file(&self.sources[0].path, "no [scheme] section in the scheme")
                    .with_hint("add [scheme] with name and period = { start = ..., end = ... }"),
            );
            return None;
        };
        let Some((uf, u)) = units else {
            self.diags.push(
                Diagnostic::file(&self.sources[hf].path, "no [units] section in the scheme")
                    .with_hint("add [units] with file = \"units.csv\""),
            );
            return None;
        };
        let hdr = self.header(hf, h.get_ref(), base);
        let units = self.file_spec(
            uf,
            &u.get_ref().file,
            &u.get_ref().encoding,
            &u.get_ref().sheet,
        );
        let datasets = self.datasets(datasets);
        let grades = checks::grades(self, &grades);
        let (tree, inds, rules, warn) = {
            let mut cx = ItemCtx::new(&datasets, &grades, hdr.as_ref().map(|h| h.missing));
            let (tree, ind_raw) = self.tree(
                &nodes,
                &indicators,
                hdr.as_ref().map(|h| h.aggregation),
                hdr.as_ref().and_then(|h| h.weights),
            );
            let inds = checks::indicators(self, &mut cx, &ind_raw);
            let b = checks::rules(self, &mut cx, &bonus, RuleKind::Bonus);
            let p = checks::rules(self, &mut cx, &penalty, RuleKind::Penalty);
            let v = checks::vetoes(self, &mut cx, &veto);
            let rules = match (b, p, v) {
                (Some(b), Some(p), Some(v)) => {
                    Some(b.into_iter().chain(p).chain(v).collect::<Vec<_>>())
                }
                _ => None,
            };
            let warn = checks::warnings(self, &mut cx, &alerts, &screens);
            (tree, inds, rules, warn)
        };
        self.unique_ids(&nodes, &indicators, &bonus, &penalty, &veto);
        let extra: Vec<(usize, &S<String>)> = alerts
            .iter()
            .map(|(f, a)| (*f, &a.get_ref().id))
            .chain(screens.iter().map(|(f, s)| (*f, &s.get_ref().id)))
            .collect();
        let taken: HashSet<String> = nodes
            .iter()
            .map(|(_, n)| n.get_ref().id.get_ref().clone())
            .chain(
                indicators
                    .iter()
                    .map(|(_, n)| n.get_ref().id.get_ref().clone()),
            )
            .collect();
        let mut seen = HashSet::new();
        for (f, id) in extra {
            if taken.contains(id.get_ref()) || !seen.insert(id.get_ref().clone()) {
                self.err(
                    f,
                    id.span().start,
                    format!("id {:?} is used twice", id.get_ref()),
                );
            }
        }
        let (alerts, screens) = warn?;
        let (hdr, units, datasets, mut tree, grades) = (hdr?, units?, datasets?, tree?, grades?);
        let indicators = inds?;
        let rules = rules?;
        for (i, ind) in indicators.iter().enumerate() {
            tree[ind.node].kind = NodeKind::Indicator(i);
        }
        assign_points(&mut tree, hdr.points);
        let digest = {
            let mut h = blake3::Hasher::new();
            for s in self.sources {
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
            files: self.sources.iter().map(|s| s.path.clone()).collect(),
            digest,
        })
    }

    fn header(&mut self, f: usize, h: &RawHeader, base: &Path) -> Option<Header> {
        let n0 = self.diags.len();
        let date = |v: &S<toml::Value>, me: &mut Self| {
            let d = toml_date(v.get_ref());
            if d.is_none() {
                me.err(f, v.span().start, "expected a date")
                    .hint("write period = { start = 2025-01-01, end = 2025-12-31 }");
            }
            d
        };
        let p = h.period.get_ref();
        let (start, end) = (date(&p.start, self), date(&p.end, self));
        if let (Some(s), Some(e)) = (start, end) {
            if s > e {
                self.err(
                    f,
                    p.end.span().start,
                    format!("period ends ({e}) before it starts ({s})"),
                );
            }
        }
        let points = h.points.as_ref().map_or(100.0, |p| {
            if !(p.get_ref().is_finite() && *p.get_ref() > 0.0) {
                self.err(f, p.span().start, "points must be a positive number");
            }
            *p.get_ref()
        });
        let aggregation = self.choice(f, &h.aggregation, AGGREGATIONS, Aggregation::Arithmetic);
        let missing = self.choice(f, &h.missing, MISSING, MissingPolicy::Reweight);
        let pending = self.choice(f, &h.pending_objections, PENDING, PendingPolicy::Count);
        let veto_rank = self.choice(f, &h.veto_rank, VETO_RANK, VetoRank::Last);
        let weights = self.choice(f, &h.weights, WEIGHTS, None);
        let repair_factor = h.repair_factor.as_ref().map_or(0.5, |r| {
            if !(0.0..=1.0).contains(r.get_ref()) {
                self.err(f, r.span().start, "repair_factor must be between 0 and 1");
            }
            *r.get_ref()
        });
        let bonus_cap = h.bonus_cap.as_ref().map(|b| {
            if !(b.get_ref().is_finite() && *b.get_ref() >= 0.0) {
                self.err(f, b.span().start, "bonus_cap must be a number >= 0");
            }
            *b.get_ref()
        });
        let calendar = match &h.calendar {
            None => Calendar::weekdays_only(),
            Some(c) if c.get_ref() == "cn" => Calendar::builtin_cn(),
            Some(c) => match crate::paths::inside(base, c.get_ref())
                .map_err(|e| {
                    vec![super::diag::Diagnostic::file(
                        &base.join(c.get_ref()),
                        e.to_string(),
                    )]
                })
                .and_then(|p| Calendar::load(&p))
            {
                Ok(cal) => cal,
                Err(ds) => {
                    self.err(f, c.span().start, format!("calendar {:?} is not usable", c.get_ref()))
                        .hint("a path relative to the scheme directory, or \"cn\" for the bundled calendar");
                    self.diags.extend(ds);
                    Calendar::default()
                }
            },
        };
        if self.diags.len() > n0 {
            return None;
        }
        Some(Header {
            name: h.name.get_ref().clone(),
            office: h.office.as_ref().map(|o| o.get_ref().clone()),
            group_names: h
                .groups
                .as_ref()
                .map(|g| g.get_ref().clone())
                .unwrap_or_default(),
            period: Period {
                start: start?,
                end: end?,
            },
            points,
            aggregation,
            missing,
            pending,
            repair_factor,
            bonus_cap,
            veto_rank,
            calendar,
            weights,
        })
    }

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

    fn file_spec(
        &mut self,
        f: usize,
        file: &S<String>,
        encoding: &Option<S<String>>,
        sheet: &Option<S<String>>,
    ) -> Option<FileSpec> {
        let name = file.get_ref();
        let p = Path::new(name);
        if p.is_absolute() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
            self.err(
                f,
                file.span().start,
                format!("file {name:?} leaves the data directory"),
            )
            .hint("paths are relative to the data directory, without '..'");
            return None;
        }
        let ext = p
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let format = match ext.as_str() {
            "csv" => Format::Csv,
            "parquet" => Format::Parquet,
            "xlsx" => Format::Xlsx,
            _ => {
                self.err(
                    f,
                    file.span().start,
                    format!("file {name:?}: unknown format"),
                )
                .hint("use a .csv, .parquet or .xlsx file");
                return None;
            }
        };
        let enc = self.choice(f, encoding, ENCODINGS, Encoding::Utf8);
        if let Some(e) = encoding {
            if format != Format::Csv {
                self.err(f, e.span().start, "encoding applies to .csv files only");
            }
        }
        if let Some(s) = sheet {
            if format != Format::Xlsx {
                self.err(f, s.span().start, "sheet applies to .xlsx files only");
            }
        }
        Some(FileSpec {
            file: name.clone(),
            format,
            encoding: enc,
            sheet: sheet.as_ref().map(|s| s.get_ref().clone()),
        })
    }

    fn datasets(
        &mut self,
        raw: Vec<(usize, S<String>, S<RawDataset>)>,
    ) -> Option<Vec<DatasetSpec>> {
        let n0 = self.diags.len();
        let mut out = Vec::new();
        for (f, id, d) in raw {
            let d = d.get_ref();
            let source = self.file_spec(f, &d.file, &d.encoding, &d.sheet);
            let mut columns = Vec::new();
            for (name, ty) in &d.columns.get_ref().0 {
                if name.get_ref().starts_with("__") {
                    self.err(
                        f,
                        name.span().start,
                        "column names starting with '__' are reserved",
                    );
                }
                match ColType::parse(ty.get_ref()) {
                    Some((t, nullable)) => columns.push(ColumnSpec {
                        name: name.get_ref().clone(),
                        ty: t,
                        nullable,
                    }),
                    None => {
                        self.err(f, ty.span().start, format!("unknown column type {:?}", ty.get_ref()))
                            .hint("string, int, float, bool, date or datetime, with '?' if it may be empty");
                    }
                }
            }
            let spec = DatasetSpec {
                id: id.get_ref().clone(),
                title: d
                    .title
                    .as_ref()
                    .map_or_else(|| id.get_ref().clone(), |t| t.get_ref().clone()),
                source: source.unwrap_or(FileSpec {
                    file: String::new(),
                    format: Format::Csv,
                    encoding: Encoding::Utf8,
                    sheet: None,
                }),
                key: d.key.as_ref().map(|k| k.get_ref().clone()),
                unit: d.unit.get_ref().clone(),
                date: d.date.as_ref().map(|k| k.get_ref().clone()),
                columns,
            };
            let need = |me: &mut Self, field: &str, col: &S<String>, ok: &[ColType]| match spec
                .column(col.get_ref())
            {
                None => {
                    me.err(f, col.span().start, format!(
                            "dataset {}: {field} column {:?} is not declared in [datasets.{}.columns]",
                            spec.id, col.get_ref(), spec.id
                        ))
                        .hint(format!("declared: {}", list(spec.columns.iter().map(|c| &c.name), 12)));
                }
                Some(c) if !ok.contains(&c.ty) => {
                    me.err(
                        f,
                        col.span().start,
                        format!(
                            "dataset {}: {field} column {:?} is {}, expected {}",
                            spec.id,
                            c.name,
                            c.ty.name(),
                            list(ok.iter().map(|t| t.name()), 6)
                        ),
                    );
                }
                Some(_) => {}
            };
            need(self, "unit", &d.unit, &[ColType::String, ColType::Int]);
            if let Some(k) = &d.key {
                need(self, "key", k, &[ColType::String, ColType::Int]);
            }
            if let Some(k) = &d.date {
                need(self, "date", k, &[ColType::Date, ColType::Datetime]);
            }
            for (name, ty) in &d.columns.get_ref().0 {
                let want = match name.get_ref().as_str() {
                    EXEMPT => ColType::Bool,
                    OBJECTION => ColType::String,
                    REPAIRED_ON => ColType::Date,
                    _ => continue,
                };
                if spec.column(name.get_ref()).is_some_and(|c| c.ty != want) {
                    self.err(
                        f,
                        ty.span().start,
                        format!(
                            "status column {:?} must be of type {} (docs/scheme.md section 3)",
                            name.get_ref(),
                            want.name()
                        ),
                    );
                }
            }
            if out.iter().any(|o: &DatasetSpec| o.id == spec.id) {
                self.err(
                    f,
                    id.span().start,
                    format!("dataset {:?} is defined twice", spec.id),
                );
            }
            out.push(spec);
        }
        (self.diags.len() == n0).then_some(out)
    }

    /// Build the hierarchy: root, [[node]]s, then one leaf per indicator.
    #[allow(clippy::type_complexity)]
    fn tree<'r>(
        &mut self,
        nodes: &[At<S<RawNode>>],
        indicators: &'r [At<S<RawIndicator>>],
        default_agg: Option<Aggregation>,
        root_weights: Option<WeightMethod>,
    ) -> (Option<Vec<TreeNode>>, Vec<(usize, usize, &'r RawIndicator)>) {
        let n0 = self.diags.len();
        let default_agg = default_agg.unwrap_or(Aggregation::Arithmetic);
        let mut tree = vec![TreeNode {
            id: "total".into(),
            name: "总分".into(),
            kind: NodeKind::Root,
            parent: None,
            weight: 1.0,
            points: 0.0,
            aggregation: default_agg,
            weights: root_weights,
            children: Vec::new(),
        }];
        let mut index: HashMap<String, usize> = HashMap::new();
        for (f, n) in nodes {
            let n = n.get_ref();
            let aggregation = self.choice(*f, &n.aggregation, AGGREGATIONS, default_agg);
            let weights = self.choice(*f, &n.weights, WEIGHTS, None);
            self.weight(*f, &n.weight);
            index.entry(n.id.get_ref().clone()).or_insert(tree.len());
            tree.push(TreeNode {
                id: n.id.get_ref().clone(),
                name: n
                    .name
                    .as_ref()
                    .map_or_else(|| n.id.get_ref().clone(), |x| x.get_ref().clone()),
                kind: NodeKind::Node,
                parent: None,
                weight: *n.weight.get_ref(),
                points: 0.0,
                aggregation,
                weights,
                children: Vec::new(),
            });
        }
        let node_ids: Vec<&str> = nodes
            .iter()
            .map(|(_, n)| n.get_ref().id.get_ref().as_str())
            .collect();
        let resolve = |me: &mut Self, f: usize, parent: &Option<S<String>>, what: &str| -> usize {
            let Some(p) = parent else { return 0 };
            match index.get(p.get_ref()) {
                Some(&i) => i,
                None => {
                    let d = me.err(
                        f,
                        p.span().start,
                        format!("{what}: parent {:?} is not a [[node]] id", p.get_ref()),
                    );
                    if let Some(s) = suggest(p.get_ref(), node_ids.iter().copied()) {
                        d.hint = Some(format!("did you mean {s:?}?"));
                    } else {
                        d.hint = Some(format!("nodes: {}", list(&node_ids, 12)));
                    }
                    0
                }
            }
        };
        for (k, (f, n)) in nodes.iter().enumerate() {
            let parent = resolve(
                self,
                *f,
                &n.get_ref().parent,
                &format!("node {:?}", n.get_ref().id.get_ref()),
            );
            tree[k + 1].parent = Some(parent);
        }
        // Cycles: walk up from every node; more steps than nodes means a loop.
        for (k, (f, n)) in nodes.iter().enumerate() {
            let mut at = k + 1;
            let mut steps = 0;
            while let Some(p) = tree[at].parent {
                at = p;
                steps += 1;
                if steps > tree.len() {
                    self.err(
                        *f,
                        n.span().start,
                        format!("node {:?} is its own ancestor", n.get_ref().id.get_ref()),
                    );
                    break;
                }
            }
        }
        let mut leaves = Vec::new();
        for (f, ind) in indicators {
            let r = ind.get_ref();
            self.weight(*f, &r.weight);
            let parent = resolve(
                self,
                *f,
                &r.parent,
                &format!("indicator {:?}", r.id.get_ref()),
            );
            leaves.push((*f, tree.len(), r));
            tree.push(TreeNode {
                id: r.id.get_ref().clone(),
                name: r
                    .name
                    .as_ref()
                    .map_or_else(|| r.id.get_ref().clone(), |x| x.get_ref().clone()),
                kind: NodeKind::Indicator(usize::MAX),
                parent: Some(parent),
                weight: *r.weight.get_ref(),
                points: 0.0,
                aggregation: default_agg,
                weights: None,
                children: Vec::new(),
            });
        }
        if self.diags.len() > n0 {
            return (None, leaves);
        }
        for i in 1..tree.len() {
            let p = tree[i].parent.unwrap();
            tree[p].children.push(i);
        }
        for (k, (f, n)) in nodes.iter().enumerate() {
            if tree[k + 1].children.is_empty() {
                self.err(
                    *f,
                    n.span().start,
                    format!("node {:?} has no children", n.get_ref().id.get_ref()),
                )
                .hint("give it indicators (parent = this id) or remove it");
            }
        }
        if tree[0].children.is_empty() {
            self.diags.push(Diagnostic::file(
                &self.sources[0].path,
                "the scheme has no indicators",
            ));
        }
        ((self.diags.len() == n0).then_some(tree), leaves)
    }

    pub fn weight(&mut self, f: usize, w: &S<f64>) {
        if !(w.get_ref().is_finite() && *w.get_ref() > 0.0) {
            self.err(
                f,
                w.span().start,
                format!("weight must be a positive number, found {}", w.get_ref()),
            );
        }
    }

    fn unique_ids(
        &mut self,
        nodes: &[At<S<RawNode>>],
        inds: &[At<S<RawIndicator>>],
        bonus: &[At<S<RawRule>>],
        penalty: &[At<S<RawRule>>],
        veto: &[At<S<RawVeto>>],
    ) {
        let mut seen: HashSet<String> = HashSet::new();
        let ids = nodes
            .iter()
            .map(|(f, n)| (*f, &n.get_ref().id, true))
            .chain(inds.iter().map(|(f, n)| (*f, &n.get_ref().id, false)))
            .chain(
                bonus
                    .iter()
                    .chain(penalty)
                    .map(|(f, n)| (*f, &n.get_ref().id, false)),
            )
            .chain(veto.iter().map(|(f, n)| (*f, &n.get_ref().id, false)));
        for (f, id, is_node) in ids {
            let s = id.get_ref();
            if s.is_empty()
                || s.chars()
                    .any(|c| !(c.is_alphanumeric() || "_-.".contains(c)))
            {
                self.err(
                    f,
                    id.span().start,
                    format!("id {s:?} must be letters, digits, '_', '-' or '.'"),
                );
            } else if !seen.insert(s.clone()) {
                self.err(f, id.span().start, format!("id {s:?} is used twice"))
                    .hint("ids of nodes, indicators, bonus, penalty and veto rules are unique across the scheme");
            }
            if is_node && RESERVED_SCORE_COLUMNS.contains(&s.as_str()) {
                self.err(
                    f,
                    id.span().start,
                    format!("node id {s:?} is a reserved column name of scores.csv"),
                );
            }
        }
    }
}

struct Header {
    name: String,
    office: Option<String>,
    group_names: std::collections::BTreeMap<String, String>,
    period: Period,
    points: f64,
    aggregation: Aggregation,
    missing: MissingPolicy,
    pending: PendingPolicy,
    repair_factor: f64,
    bonus_cap: Option<f64>,
    veto_rank: VetoRank,
    calendar: Calendar,
    weights: Option<WeightMethod>,
}

pub(super) const AGGREGATIONS: &[(&str, Aggregation)] = &[
    ("arithmetic", Aggregation::Arithmetic),
    ("geometric", Aggregation::Geometric),
    ("topsis", Aggregation::Topsis),
];
pub(super) const WEIGHTS: &[(&str, Option<WeightMethod>)] = &[
    ("entropy", Some(WeightMethod::Entropy)),
    ("critic", Some(WeightMethod::Critic)),
];
pub(super) const MISSING: &[(&str, MissingPolicy)] = &[
    ("reweight", MissingPolicy::Reweight),
    ("zero", MissingPolicy::Zero),
    ("mean", MissingPolicy::Mean),
];
const PENDING: &[(&str, PendingPolicy)] = &[
    ("count", PendingPolicy::Count),
    ("exclude", PendingPolicy::Exclude),
];
const VETO_RANK: &[(&str, VetoRank)] = &[("last", VetoRank::Last), ("keep", VetoRank::Keep)];
const ENCODINGS: &[(&str, Encoding)] = &[
    ("utf-8", Encoding::Utf8),
    ("utf8", Encoding::Utf8),
    ("gb18030", Encoding::Gb18030),
    ("gbk", Encoding::Gb18030),
];

/// Nominal points: parent's points × weight / Σ sibling weights.
fn assign_points(tree: &mut [TreeNode], root_points: f64) {
    tree[0].points = root_points;
    // Parents precede children except indicators, which are last; a
    // breadth-first walk from the root handles any order.
    let mut queue = vec![0];
    while let Some(i) = queue.pop() {
        let total: f64 = tree[i].children.iter().map(|&c| tree[c].weight).sum();
        let children = tree[i].children.clone();
        for c in children {
            tree[c].points = tree[i].points * tree[c].weight / total;
            queue.push(c);
        }
    }
}
