//! 1_citizen.toml: 12345 hotline tickets (市民服务热线), with late, unresolved and reopened tickets skewed by unit quality, a complaint surge in one town, and the rows an office really sees malformed.

use super::{F, K, R, cumulative, pick_unit};
use crate::generate::{Gen, id};

pub(super) fn hotline(g: &mut Gen) -> R {
    let schema = [
        ("ticket_id", K::Str),
        ("unit_id", K::Str),
        ("received_at", K::DateTime),
        ("due_at", K::DateTime),
        ("closed_at", K::DateTime),
        ("category", K::Str),
        ("resolved", K::Bool),
        ("satisfaction", K::Int),
        ("reopened", K::Bool),
    ];
    let (idx, cum) = cumulative(g, |_| true);
    let surge = g.units.iter().position(|u| u.is_town).unwrap_or(0);
    let (file, path) = g.file("hotline");
    let mut sink = crate::generate::sink::open(&path, g.opts.format, &schema)?;
    let cats = ["投诉", "求助", "咨询", "建议", "举报"];
    let weights = [0.35, 0.25, 0.25, 0.08, 0.07];
    let mut buf = String::new();
    let n = g.opts.tickets;
    for k in 0..n {
        let u = pick_unit(g, &idx, &cum);
        let q = g.units[u].q;
        let day = g.day();
        let received = day as i64 * 86_400 + 8 * 3600 + g.below(10 * 3600) as i64;
        // The first town's complaints surge during the period (an early
        // warning to find).
        let cat = if u == surge && day >= g.start && g.chance(0.5) {
            "投诉"
        } else {
            g.pick(&cats, &weights)
        };
        let allowed = if cat == "咨询" { 86_400 } else { 7 * 86_400 };
        let due = received + allowed;
        let closed = if g.chance(0.01) {
            None
        } else if g.chance(0.02 + 0.25 * (1.0 - q).powi(2)) {
            Some(due + 3600 + g.below(10 * 86_400) as i64)
        } else {
            Some(received + 600 + (g.uniform() * (allowed - 600) as f64) as i64)
        };
        let resolved = g.chance(0.70 + 0.28 * q);
        let satisfaction = if g.chance(0.3) {
            F::Null
        } else {
            let s = 5.0 - (g.uniform() * 4.5 * (1.0 - q) + g.uniform() * 0.8).floor();
            F::I(s.clamp(1.0, 5.0) as i64)
        };
        let reopened = g.chance(0.01 + 0.08 * (1.0 - q));
        let unit_id = g.units[u].id.clone();
        sink.row(&[
            F::S(id(&mut buf, 'H', k + 1)),
            F::S(&unit_id),
            F::T(received),
            F::T(due),
            closed.map_or(F::Null, F::T),
            F::S(cat),
            F::B(resolved),
            satisfaction,
            F::B(reopened),
        ])?;
    }
    let mut written = n;
    if g.opts.format == crate::generate::OutFormat::Csv && g.opts.bad_rows > 0 {
        written += bad_rows(g, sink.as_mut())?;
    }
    sink.finish()?;
    g.summary.files.push((file, written));
    Ok(())
}

/// Rows an office really sees, each of which ends in rejects.csv (a bad
/// date, an unknown unit, a repeated key, a bad bool, an empty unit), at
/// most `bad_rows`: how many were written.
fn bad_rows(g: &Gen, sink: &mut dyn crate::generate::sink::Sink) -> std::io::Result<usize> {
    let mut written = 0;
    // Malformed rows an office really sees; each ends in rejects.csv.
    let t = (g.start as i64 + 40) * 86_400 + 9 * 3600;
    let first = g.units[0].id.clone();
    let bad: [[&str; 9]; 5] = [
        [
            "H900000001",
            &first,
            "2025-13-45 09:00",
            "2025-02-20 09:00",
            "",
            "投诉",
            "true",
            "4",
            "false",
        ],
        [
            "H900000002",
            "X999",
            "2025-02-10 09:00",
            "2025-02-17 09:00",
            "",
            "求助",
            "true",
            "5",
            "false",
        ],
        [
            "H000000001",
            &first,
            "2025-02-10 09:00",
            "2025-02-17 09:00",
            "",
            "咨询",
            "true",
            "",
            "false",
        ],
        [
            "H900000003",
            &first,
            "2025-02-10 09:00",
            "2025-02-17 09:00",
            "",
            "投诉",
            "maybe",
            "",
            "false",
        ],
        [
            "H900000004",
            "",
            "2025-02-10 09:00",
            "2025-02-17 09:00",
            "",
            "建议",
            "false",
            "3",
            "false",
        ],
    ];
    let _ = t;
    for row in bad.iter().take(g.opts.bad_rows) {
        let fields: Vec<F> = row
            .iter()
            .map(|s| if s.is_empty() { F::Null } else { F::S(s) })
            .collect();
        sink.row(&fields)?;
        written += 1;
    }
    Ok(written)
}
