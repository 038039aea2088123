//! Runs in the background, one at a time. A run exports the register to
//! `RUNS/ID/objections.csv`, assesses the scheme and the data with it (as
//! `govtrust assess --register RUNS/ID/objections.csv` would) and writes
//! the report to `RUNS/ID/report/`, atomically. Only a run that finished
//! is marked `done`, and only `done` runs are served: a run that fails or
//! is killed leaves the previous results in place. At start, runs left
//! `queued` or `running` by a stopped server are marked failed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use sqlx::Row;
use tokio::sync::mpsc;

use super::config::{Clock, Config};
use super::db::{Db, stamp};
use crate::data::{LoadOptions, Progress};

/// The queue runs are sent to, and what the worker is doing.
#[derive(Clone)]
pub struct Queue {
    tx: mpsc::UnboundedSender<i64>,
    /// Datasets measured in the current run, of how many.
    pub progress: &'static Progress,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub id: i64,
    pub status: String,
    pub started_by: String,
    pub queued_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// Objections in the register the run assessed with.
    pub register_rows: i64,
    pub error: Option<String>,
}

const COLUMNS: &str =
    "id, status, started_by, queued_at, started_at, finished_at, register_rows, error";

fn info(r: &sqlx::any::AnyRow) -> Result<RunInfo, sqlx::Error> {
    Ok(RunInfo {
        id: r.try_get("id")?,
        status: r.try_get("status")?,
        started_by: r.try_get("started_by")?,
        queued_at: r.try_get("queued_at")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
        register_rows: r.try_get("register_rows")?,
        error: r.try_get("error")?,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<RunInfo>, sqlx::Error> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM runs WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?
    .as_ref()
    .map(info)
    .transpose()
}

/// All runs, newest first.
pub async fn list(db: &Db) -> Result<Vec<RunInfo>, sqlx::Error> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM runs ORDER BY id DESC"
    )))
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(info)
    .collect()
}

/// Mark the runs a stopped server left unfinished as failed.
pub async fn recover(db: &Db, clock: &Clock) -> Result<u64, sqlx::Error> {
    let now = clock.now();
    let mut tx = db.begin().await?;
    let stale = sqlx::query("SELECT id FROM runs WHERE status IN ('queued', 'running')")
        .fetch_all(&mut *tx)
        .await?;
    for r in &stale {
        let id: i64 = r.try_get("id")?;
        sqlx::query(
            "UPDATE runs SET status = 'failed', finished_at = $1, error = $2 WHERE id = $3",
        )
        .bind(stamp(now))
        .bind("服务在考核运行期间停止，本次运行未完成；此前的结果继续有效")
        .bind(id)
        .execute(&mut *tx)
        .await?;
        super::audit::append(
            &mut *tx,
            now,
            "system",
            "run.failed",
            &format!("run {id}"),
            None,
            Some(serde_json::json!({"error": "interrupted: the server stopped during the run"})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(stale.len() as u64)
}

/// Start the worker; the queue to send runs to.
pub fn start(db: Db, config: Arc<Config>, clock: Arc<Clock>) -> Queue {
    let (tx, mut rx) = mpsc::unbounded_channel::<i64>();
    let progress: &'static Progress = Box::leak(Box::new(Progress::new()));
    tokio::spawn(async move {
        while let Some(id) = rx.recv().await {
            if let Err(e) = execute(&db, &config, &clock, progress, id).await {
                eprintln!("govtrust serve: run {id}: cannot record its status: {e}");
            }
        }
    });
    Queue { tx, progress }
}

/// Queue a run for `actor`: its id.
pub async fn enqueue(db: &Db, clock: &Clock, q: &Queue, actor: &str) -> Result<i64, sqlx::Error> {
    let now = clock.now();
    let mut tx = db.begin().await?;
    let row = sqlx::query(
        "INSERT INTO runs (status, started_by, queued_at, register_rows) VALUES ('queued', $1, $2, 0) RETURNING id",
    )
    .bind(actor.to_string())
    .bind(stamp(now))
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    super::audit::append(
        &mut *tx,
        now,
        actor,
        "run.start",
        &format!("run {id}"),
        None,
        Some(serde_json::json!({"status": "queued"})),
    )
    .await?;
    tx.commit().await?;
    // The worker lives as long as the server: a send cannot fail but at
    // shutdown, when the run is marked failed at the next start.
    let _ = q.tx.send(id);
    Ok(id)
}

async fn execute(
    db: &Db,
    config: &Config,
    clock: &Clock,
    progress: &'static Progress,
    id: i64,
) -> Result<(), sqlx::Error> {
    let (csv, rows) = super::regfile::export(db).await?;
    sqlx::query(
        "UPDATE runs SET status = 'running', started_at = $1, register_rows = $2 WHERE id = $3",
    )
    .bind(stamp(clock.now()))
    .bind(rows)
    .bind(id)
    .execute(&db.pool)
    .await?;
    let dir = super::results::run_dir(&config.runs, id);
    let cfg = config.clone();
    let outcome = tokio::task::spawn_blocking(move || assess(&cfg, &dir, &csv, progress))
        .await
        .unwrap_or_else(|e| Err(format!("the run panicked: {e}")));
    let now = clock.now();
    let mut tx = db.begin().await?;
    let (status, error) = match &outcome {
        Ok(()) => ("done", None),
        Err(e) => ("failed", Some(e.clone())),
    };
    sqlx::query("UPDATE runs SET status = $1, finished_at = $2, error = $3 WHERE id = $4")
        .bind(status)
        .bind(stamp(now))
        .bind(error.clone())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    super::audit::append(
        &mut *tx,
        now,
        "system",
        &format!("run.{status}"),
        &format!("run {id}"),
        None,
        Some(serde_json::json!({"status": status, "error": error, "register_rows": rows})),
    )
    .await?;
    tx.commit().await
}

/// The run itself, on a blocking thread: the register file, the
/// assessment, the report. Any error as the message the run page shows.
fn assess(
    config: &Config,
    dir: &Path,
    register: &[u8],
    progress: &'static Progress,
) -> Result<(), String> {
    // A run's directory is new: one left by another database's run of
    // the same number is not overwritten.
    if dir.exists() {
        return Err(format!(
            "{} already exists (a run of another database?); it is left as it is: move it away or serve with another --runs",
            dir.display()
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let reg = register_path(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write_synced(&reg, register).map_err(|e| format!("{}: {e}", reg.display()))?;
    let mut scheme = crate::scheme::load(&config.scheme).map_err(|e| e.to_string())?;
    scheme.objections.use_register(&reg);
    let run = crate::run::assess_scheme(
        scheme,
        &config.data,
        LoadOptions {
            strict: false,
            progress: Some(progress),
            window_bytes: None,
            window_rows: None,
        },
        crate::Stopwatch::new("run"),
    )
    .map_err(|e| e.to_string())?;
    let out = dir.join("report");
    let claim = crate::outdir::OutDir::claim(
        &out,
        &crate::outdir::Purpose {
            command: "assess",
            also_replaces: &[],
            inputs: &[
                ("the scheme", &config.scheme),
                ("the data directory", &config.data),
            ],
        },
    )
    .map_err(|e| e.to_string())?;
    let exporters = if config.documents {
        crate::report::standard()
    } else {
        crate::report::tables()
    };
    crate::report::write(&run, &exporters, claim).map_err(|e| e.to_string())?;
    Ok(())
}

/// `DIR/objections.csv`, absolute.
pub fn register_path(dir: &Path) -> std::io::Result<PathBuf> {
    std::path::absolute(dir.join("objections.csv"))
}

/// Write `bytes` to `path` through a temporary file, synced, then renamed.
fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("csv.tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}
