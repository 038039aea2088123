//! 4_environment.toml: environmental target tasks (环境保护目标任务).

use super::{F, K, R, later};
use crate::generate::{Gen, id};

pub(super) fn env_tasks(g: &mut Gen) -> R {
    let schema = [
        ("task_id", K::Str),
        ("unit_id", K::Str),
        ("due_on", K::Date),
        ("completed_on", K::Date),
        ("key_task", K::Bool),
        ("inspection_finding", K::Bool),
        ("rectified", K::Bool),
        ("quality_worsened", K::Bool),
    ];
    g.table("env_tasks", &schema, |g, emit| {
        let mut buf = String::new();
        let mut k = 0;
        for u in 0..g.units.len() {
            let (town, q) = (g.units[u].is_town, g.units[u].q);
            let tasks = if town {
                2 + g.below(5)
            } else if g.chance(0.4) {
                1 + g.below(3)
            } else {
                0
            };
            for _ in 0..tasks {
                k += 1;
                let due = g.day();
                let done = if g.chance(0.05 + 0.3 * (1.0 - q)) {
                    if g.chance(0.5) {
                        F::Null
                    } else {
                        later(due, 1 + g.below(60) as i32)
                    }
                } else {
                    later(due, -(g.below(90) as i32))
                };
                let finding = g.chance(0.2);
                let uid = g.units[u].id.clone();
                emit(&[
                    F::S(id(&mut buf, 'V', k)),
                    F::S(&uid),
                    F::D(due),
                    done,
                    F::B(g.chance(0.4)),
                    F::B(finding),
                    F::B(!finding || g.chance(0.5 + 0.5 * q)),
                    F::B(g.chance(0.03 + 0.05 * (1.0 - q))),
                ])?;
            }
        }
        Ok(())
    })
}
