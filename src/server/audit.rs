//! The audit log (审计日志): every login, objection, decision, run and
//! user change, with who, when, what, and the state before and after as
//! JSON. Only appended: nothing in govtrust updates or deletes a row, and
//! the database refuses it (the migration's triggers).

use serde::Serialize;
use sqlx::Row;

use super::db::{Db, stamp};

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Append one entry.
pub async fn append<'e, E>(
    db: E,
    at: chrono::DateTime<chrono::Utc>,
    actor: &str,
    action: &str,
    target: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit (at, actor, action, target, before_state, after_state) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(stamp(at))
    .bind(actor.to_string())
    .bind(action.to_string())
    .bind(target.to_string())
    .bind(before.map(|v| v.to_string()))
    .bind(after.map(|v| v.to_string()))
    .execute(db)
    .await?;
    Ok(())
}

/// The latest `limit` entries, newest first.
pub async fn list(db: &Db, limit: i64) -> Result<Vec<Entry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, at, actor, action, target, before_state, after_state FROM audit ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    rows.into_iter()
        .map(|r| {
            Ok(Entry {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                target: r.try_get("target")?,
                before: json(r.try_get("before_state")?),
                after: json(r.try_get("after_state")?),
            })
        })
        .collect()
}
