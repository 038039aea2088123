//! Bonus, penalty and veto rules applied to a unit (docs/scheme.md
//! section 7): the rule sums the measure stage made, capped.

use crate::measure::Measured;
use crate::scheme::{RuleKind, Scheme};

/// Bonus, penalty and the vetoes for one unit (docs/scheme.md section 7).
pub(super) fn adjustments(
    scheme: &Scheme,
    measured: &Measured,
    group: &str,
    u: usize,
) -> (f64, f64, Vec<usize>) {
    let (mut bonus, mut penalty, mut vetoes) = (0.0, 0.0, Vec::new());
    for (r, rule) in scheme.rules.iter().enumerate() {
        if !rule.applies(group) {
            continue;
        }
        let s = measured.rules[r][u];
        let capped = rule.cap.map_or(s, |c| s.min(c));
        match rule.kind {
            RuleKind::Bonus => bonus += capped,
            RuleKind::Penalty => penalty += capped,
            RuleKind::Veto if s > 0.0 => vetoes.push(r),
            RuleKind::Veto => {}
        }
    }
    if let Some(c) = scheme.bonus_cap {
        bonus = bonus.min(c);
    }
    (bonus, penalty, vetoes)
}
