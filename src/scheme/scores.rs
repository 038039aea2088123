//! Section 6: scores, `score = { kind = ..., ... }`, and the direction
//! (on the indicator or inside `score`). One table entry per kind
//! ([`KINDS`]) names the keys it takes and builds it.

use schemars::JsonSchema;
use serde::Deserialize;

use super::context::{Validator, span};
use super::kinds::{self, Kind};
use crate::diag::S;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScore {
    pub kind: S<String>,
    pub direction: Option<S<String>>,
    pub range: Option<S<Vec<f64>>>,
    pub target: Option<S<f64>>,
    pub floor: Option<S<f64>>,
    pub per: Option<S<f64>>,
    pub deduct: Option<S<f64>>,
    pub bands: Option<S<Vec<Vec<f64>>>>,
    pub cap: Option<S<f64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Higher,
    Lower,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScoreKind {
    Minmax { range: Option<(f64, f64)> },
    Zscore,
    Rank,
    Target { target: f64, floor: f64 },
    Shortfall { target: f64, per: f64, deduct: f64 },
    Bands { bands: Vec<(f64, f64)> },
    Deduction { cap: Option<f64> },
}

impl ScoreKind {
    pub fn name(&self) -> &'static str {
        match self {
            ScoreKind::Minmax { .. } => "minmax",
            ScoreKind::Zscore => "zscore",
            ScoreKind::Rank => "rank",
            ScoreKind::Target { .. } => "target",
            ScoreKind::Shortfall { .. } => "shortfall",
            ScoreKind::Bands { .. } => "bands",
            ScoreKind::Deduction { .. } => "deduction",
        }
    }
    /// Relative kinds compare a unit with its peers.
    pub fn is_relative(&self) -> bool {
        matches!(
            self,
            ScoreKind::Minmax { .. } | ScoreKind::Zscore | ScoreKind::Rank
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub kind: ScoreKind,
    pub direction: Direction,
}

const DIRECTIONS: &[(&str, Direction)] =
    &[("higher", Direction::Higher), ("lower", Direction::Lower)];

/// A kind's build: the score as written, its file, and the direction
/// given (or `None`), which `target` may correct from floor and target.
type Build =
    fn(&mut Validator, usize, &RawScore, &Option<S<String>>, &mut Direction) -> Option<ScoreKind>;

const DIRECTED: &[&str] = &["direction"];

/// Every score kind, in the order messages list them.
const KINDS: &[Kind<Build>] = &[
    Kind {
        name: "minmax",
        takes: &["direction", "range"],
        needs: &[],
        build: minmax,
    },
    Kind {
        name: "zscore",
        takes: DIRECTED,
        needs: &[],
        build: |_, _, _, _, _| Some(ScoreKind::Zscore),
    },
    Kind {
        name: "rank",
        takes: DIRECTED,
        needs: &[],
        build: |_, _, _, _, _| Some(ScoreKind::Rank),
    },
    Kind {
        name: "target",
        takes: &["direction", "target", "floor"],
        needs: &["target", "floor"],
        build: target,
    },
    Kind {
        name: "shortfall",
        takes: &["direction", "target", "per", "deduct"],
        needs: &["target", "per", "deduct"],
        build: shortfall,
    },
    Kind {
        name: "bands",
        takes: &["direction", "bands"],
        needs: &["bands"],
        build: bands,
    },
    Kind {
        name: "deduction",
        takes: &["cap"],
        needs: &[],
        build: |v, f, s, _, _| {
            let cap = num(&s.cap);
            if cap.is_some_and(|c| !(c.is_finite() && c >= 0.0)) {
                v.err(f, span(&s.cap)?, "cap must be a number >= 0");
            }
            Some(ScoreKind::Deduction { cap })
        },
    },
];

fn num(x: &Option<S<f64>>) -> Option<f64> {
    x.as_ref().map(|x| *x.get_ref())
}

/// Check the score of an indicator (file `f`); `outer` is the
/// indicator's own `direction`, if written.
pub(super) fn check(
    v: &mut Validator,
    f: usize,
    s: &RawScore,
    outer: &Option<S<String>>,
) -> Option<Score> {
    let present = [
        ("direction", span(&s.direction)),
        ("range", span(&s.range)),
        ("target", span(&s.target)),
        ("floor", span(&s.floor)),
        ("per", span(&s.per)),
        ("deduct", span(&s.deduct)),
        ("bands", span(&s.bands)),
        ("cap", span(&s.cap)),
    ];
    let kind = kinds::find(v, f, "score", &s.kind, KINDS, &present)?;
    if let Some(d) = outer
        .as_ref()
        .filter(|_| !kind.takes.contains(&"direction"))
    {
        v.err(
            f,
            d.span().start,
            format!(
                "score kind {:?} does not take a direction",
                s.kind.get_ref()
            ),
        )
        .hint("a deduction is always \"fewer points deducted is better\"");
        return None;
    }
    // `direction` on the indicator or inside `score`: the same setting.
    if let (Some(a), Some(b)) = (outer, &s.direction) {
        if a.get_ref() != b.get_ref() {
            let (line, _) = v.sources[f].position(a.span().start);
            v.err(
                f,
                b.span().start,
                format!(
                    "direction = {:?} here, but direction = {:?} on the indicator (line {line})",
                    b.get_ref(),
                    a.get_ref()
                ),
            )
            .hint("give direction once, on the indicator or inside score");
        }
    }
    let given = s.direction.as_ref().or(outer.as_ref()).cloned();
    let mut direction = v.choice(f, &given, DIRECTIONS, Direction::Higher);
    let n0 = v.diags.len();
    let kind = (kind.build)(v, f, s, &given, &mut direction)?;
    (v.diags.len() == n0).then_some(Score { kind, direction })
}

fn minmax(
    v: &mut Validator,
    f: usize,
    s: &RawScore,
    _: &Option<S<String>>,
    _: &mut Direction,
) -> Option<ScoreKind> {
    let range = match &s.range {
        None => None,
        Some(r) => match r.get_ref().as_slice() {
            [lo, hi] if 0.0 <= *lo && lo <= hi && *hi <= 1.0 => Some((*lo, *hi)),
            _ => {
                v.err(
                    f,
                    r.span().start,
                    "range must be [lo, hi] with 0 <= lo <= hi <= 1",
                );
                None
            }
        },
    };
    Some(ScoreKind::Minmax { range })
}

/// A floor above the target means lower is better: the direction follows
/// from them, and a direction written against it is an error.
fn target(
    v: &mut Validator,
    f: usize,
    s: &RawScore,
    given: &Option<S<String>>,
    direction: &mut Direction,
) -> Option<ScoreKind> {
    let (target, floor) = (num(&s.target)?, num(&s.floor)?);
    if !target.is_finite() {
        v.err(f, span(&s.target)?, "target must be a number");
    }
    if !floor.is_finite() {
        v.err(f, span(&s.floor)?, "floor must be a number");
    } else if target == floor {
        v.err(f, span(&s.floor)?, "floor must differ from target");
    }
    let implied = if floor > target {
        Direction::Lower
    } else {
        Direction::Higher
    };
    if given.is_some() && *direction != implied {
        v.err(f, span(given)?, "direction contradicts floor and target")
            .hint("floor below target means higher is better; floor above target, lower");
    }
    *direction = implied;
    Some(ScoreKind::Target { target, floor })
}

fn shortfall(
    v: &mut Validator,
    f: usize,
    s: &RawScore,
    _: &Option<S<String>>,
    _: &mut Direction,
) -> Option<ScoreKind> {
    let (target, per, deduct) = (num(&s.target)?, num(&s.per)?, num(&s.deduct)?);
    // TOML has nan and inf: a target that compares false with every
    // value would give every unit full points without a word.
    if !target.is_finite() {
        v.err(f, span(&s.target)?, "target must be a number");
    }
    if !(per.is_finite() && per > 0.0) {
        v.err(f, span(&s.per)?, "per must be a positive number");
    }
    if !(deduct.is_finite() && deduct >= 0.0) {
        v.err(f, span(&s.deduct)?, "deduct must be a number >= 0");
    }
    Some(ScoreKind::Shortfall {
        target,
        per,
        deduct,
    })
}

fn bands(
    v: &mut Validator,
    f: usize,
    s: &RawScore,
    _: &Option<S<String>>,
    _: &mut Direction,
) -> Option<ScoreKind> {
    let b = s.bands.as_ref()?;
    let mut bands = Vec::new();
    for x in b.get_ref() {
        match x.as_slice() {
            [t, a] if t.is_finite() && (0.0..=1.0).contains(a) => bands.push((*t, *a)),
            _ => {
                v.err(
                    f,
                    b.span().start,
                    "each band is [threshold, attainment] with attainment in [0, 1]",
                );
            }
        }
    }
    if b.get_ref().is_empty() {
        v.err(f, b.span().start, "bands is empty");
    }
    Some(ScoreKind::Bands { bands })
}
