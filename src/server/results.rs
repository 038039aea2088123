//! The results the workbench serves: the latest finished run's
//! `explain.json` (every unit's total, rank, grade, values and evidence),
//! read once per run and kept. A failed or killed run never replaces
//! them: only a run marked `done` is served.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use sqlx::Row;

use super::db::Db;
use super::error::ApiError;
use crate::report::explain::{EvidenceLine, Explained, Unit};

/// One finished run's results.
#[derive(Debug)]
pub struct Results {
    pub run_id: i64,
    /// The run's report directory.
    pub dir: PathBuf,
    pub explained: Explained,
}

impl Results {
    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.explained.units.iter().find(|u| u.unit_id == id)
    }

    /// The (first) unit a record counts against, with its evidence line.
    pub fn charged(&self, dataset: &str, record_key: &str) -> Option<(&Unit, &EvidenceLine)> {
        self.explained
            .units
            .iter()
            .find_map(|u| line(u, dataset, record_key).map(|e| (u, e)))
    }
}

/// Record `dataset`/`record_key`'s line in unit `u`'s evidence.
pub fn line<'a>(u: &'a Unit, dataset: &str, record_key: &str) -> Option<&'a EvidenceLine> {
    u.evidence
        .iter()
        .find(|e| e.dataset == dataset && e.record_key == record_key)
}

/// Where run `id` writes: `RUNS/ID`.
pub fn run_dir(runs: &std::path::Path, id: i64) -> PathBuf {
    runs.join(id.to_string())
}

/// The last results read, by run.
#[derive(Debug, Default)]
pub struct Cache {
    last: RwLock<Option<Arc<Results>>>,
}

/// The id of the latest run that finished.
pub async fn latest_done(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query("SELECT id FROM runs WHERE status = 'done' ORDER BY id DESC LIMIT 1")
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| r.try_get("id")).transpose()
}

/// The run before `id` that finished, if any.
pub async fn done_before(db: &Db, id: i64) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id FROM runs WHERE status = 'done' AND id < $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| r.try_get("id")).transpose()
}

/// The latest finished run's results; `None` before the first run.
pub async fn latest(
    db: &Db,
    runs: &std::path::Path,
    cache: &Cache,
) -> Result<Option<Arc<Results>>, ApiError> {
    let Some(id) = latest_done(db).await? else {
        return Ok(None);
    };
    if let Some(r) = cache.last.read().expect("results lock").as_ref()
        && r.run_id == id
    {
        return Ok(Some(r.clone()));
    }
    let dir = run_dir(runs, id).join("report");
    let path = dir.join("explain.json");
    let explained = tokio::task::spawn_blocking(move || -> Result<Explained, String> {
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    let r = Arc::new(Results {
        run_id: id,
        dir,
        explained,
    });
    *cache.last.write().expect("results lock") = Some(r.clone());
    Ok(Some(r))
}
