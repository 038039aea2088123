//! Which charts a run gets, drawn in parallel: per group the ranking, the
//! heatmap (pages of [`PAGE`] units, so that a bar stays readable at
//! bulletin size even with 300 units), rank intervals with an uncertainty
//! analysis, the distribution and, with a previous run, the slope chart;
//! per unit its profile.

use std::collections::HashMap;

use rayon::prelude::*;

use super::Draw;
use super::change::{Intervals, Slope};
use super::detail::{Heatmap, Profile};
use super::overview::{Distribution, Ranking};
use super::style::{MARGIN, PAGE, W, stems};
use crate::history::Snapshot;
use crate::run::Run;

/// What a chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Ranking,
    Heatmap,
    Intervals,
    Distribution,
    Slope,
    Profile,
}

impl ChartKind {
    /// The kind's word, as file names and the bulletin's template use it.
    pub fn as_str(self) -> &'static str {
        match self {
            ChartKind::Ranking => "ranking",
            ChartKind::Heatmap => "heatmap",
            ChartKind::Intervals => "intervals",
            ChartKind::Distribution => "distribution",
            ChartKind::Slope => "slope",
            ChartKind::Profile => "profile",
        }
    }
}

/// One rendered chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem, e.g. `ranking-1-1` (group 1, page 1).
    pub name: String,
    pub title: String,
    /// Index into `units.group_order`, or the unit for a profile.
    pub group: Option<usize>,
    pub unit: Option<usize>,
    pub kind: ChartKind,
    pub svg: String,
    pub png: Vec<u8>,
}

enum Job {
    Ranking(Ranking),
    Distribution(Distribution),
    Heatmap(Heatmap),
    Intervals(Intervals),
    Slope(Slope),
    Profile(Profile),
}

impl Job {
    fn kind(&self) -> ChartKind {
        match self {
            Job::Ranking(_) => ChartKind::Ranking,
            Job::Distribution(_) => ChartKind::Distribution,
            Job::Heatmap(_) => ChartKind::Heatmap,
            Job::Intervals(_) => ChartKind::Intervals,
            Job::Slope(_) => ChartKind::Slope,
            Job::Profile(_) => ChartKind::Profile,
        }
    }

    fn render(&self) -> Result<(String, Vec<u8>), String> {
        fn both(d: &impl Draw) -> Result<(String, Vec<u8>), String> {
            Ok((super::svg(d)?, super::png(d)?))
        }
        match self {
            Job::Ranking(d) => both(d),
            Job::Distribution(d) => both(d),
            Job::Heatmap(d) => both(d),
            Job::Intervals(d) => both(d),
            Job::Slope(d) => both(d),
            Job::Profile(d) => both(d),
        }
    }
}

/// A chart to draw.
struct Planned {
    name: String,
    title: String,
    group: Option<usize>,
    unit: Option<usize>,
    job: Job,
}

/// Every chart of a run, rendered in parallel.
pub fn charts(run: &Run) -> Result<Vec<Chart>, String> {
    let units = &run.data.units;
    let stems = stems(&units.ids);
    let mut jobs: Vec<Planned> = Vec::new();
    let previous = run.previous.as_ref().map(|p| p.ranks());
    // This run as a snapshot, for the slope charts (only with --previous).
    let now = run
        .previous
        .as_ref()
        .map(|_| Snapshot::of(&run.scheme, units, &run.scored));
    for (gi, ms) in run.scored.ranked_groups(units).iter().enumerate() {
        pages(run, gi, ms, previous.as_ref(), &mut jobs);
        group(run, gi, ms, now.as_ref(), &mut jobs);
        for &u in ms {
            // A long name is cut, not the words saying what the chart is.
            let what = "各维度得分与同类单位平均";
            let room = W - 2.0 * MARGIN - super::pen::text_width(what, 16.0);
            let title = format!(
                "{}{what}",
                super::pen::fit_width(&units.names[u], 16.0, room)
            );
            jobs.push(Planned {
                name: format!("profile-{}", stems[u]),
                title: title.clone(),
                group: Some(gi),
                unit: Some(u),
                job: Job::Profile(Profile::new(run, ms, u, title)),
            });
        }
    }
    crate::pool().install(|| {
        jobs.into_par_iter()
            .map(|p| {
                let (svg, png) = p
                    .job
                    .render()
                    .map_err(|e| format!("chart {}: {e}", p.name))?;
                Ok(Chart {
                    kind: p.job.kind(),
                    name: p.name,
                    title: p.title,
                    group: p.group,
                    unit: p.unit,
                    svg,
                    png,
                })
            })
            .collect()
    })
}

/// The paged charts of group `gi` (members `ms` in rank order): ranking,
/// heatmap and, with an uncertainty analysis, rank intervals.
fn pages(
    run: &Run,
    gi: usize,
    ms: &[usize],
    previous: Option<&HashMap<String, usize>>,
    jobs: &mut Vec<Planned>,
) {
    let gname = run.scheme.group_name(&run.data.units.group_order[gi]);
    let pages = ms.len().div_ceil(PAGE).max(1);
    for (p, chunk) in ms.chunks(PAGE).enumerate() {
        let suffix = if pages > 1 {
            format!("（{}/{}）", p + 1, pages)
        } else {
            String::new()
        };
        let mut add = |title: String, job: Job| {
            jobs.push(Planned {
                name: format!("{}-{}-{}", job.kind().as_str(), gi + 1, p + 1),
                title,
                group: Some(gi),
                unit: None,
                job,
            })
        };
        let title = format!("{gname}综合得分排名{suffix}");
        let job = Job::Ranking(Ranking::new(run, chunk, previous, title.clone()));
        add(title, job);
        let title = format!("{gname}指标达成度热力图{suffix}");
        let job = Job::Heatmap(Heatmap::new(run, ms, chunk, title.clone()));
        add(title, job);
        if run.uncertainty.is_some() {
            let title = format!("{gname}名次不确定性区间（5%–95%）{suffix}");
            let job = Job::Intervals(Intervals::new(run, ms.len(), chunk, title.clone()));
            add(title, job);
        }
    }
}

/// The whole-group charts of group `gi`: the distribution and, with a
/// previous run, the slope chart.
fn group(run: &Run, gi: usize, ms: &[usize], now: Option<&Snapshot>, jobs: &mut Vec<Planned>) {
    let g = &run.data.units.group_order[gi];
    let gname = run.scheme.group_name(g);
    let title = format!("{gname}得分分布与等次分数线");
    jobs.push(Planned {
        name: format!("distribution-{}", gi + 1),
        title: title.clone(),
        group: Some(gi),
        unit: None,
        job: Job::Distribution(Distribution::new(run, ms, title)),
    });
    if let (Some(prev), Some(now)) = (&run.previous, now) {
        let title = format!(
            "{gname}名次变化（{} → {}）",
            prev.period_label(),
            now.period_label()
        );
        let mine = |s: &Snapshot| -> Vec<crate::history::Row> {
            s.rows.iter().filter(|r| &r.group == g).cloned().collect()
        };
        let (old, new) = (mine(prev), mine(now));
        let slope = Slope::new(
            &old.iter().collect::<Vec<_>>(),
            &new.iter().collect::<Vec<_>>(),
            title.clone(),
        );
        jobs.push(Planned {
            name: format!("slope-{}", gi + 1),
            title,
            group: Some(gi),
            unit: None,
            job: Job::Slope(slope),
        });
    }
}
