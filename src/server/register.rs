//! The objection register (异议登记) in the database. Units file
//! objections on records that count against them; the office decides
//! (成立 upheld / 驳回 rejected) with a written reply, due `reply_days`
//! working days after filing by the scheme's calendar. Each run exports
//! the register as its `objections.csv` (docs/scheme.md section 3), so a
//! decision takes effect at the next run and never edits an earlier one.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;

use super::audit;
use super::error::{ApiError, ApiResult};
use super::state::AppState;
use super::users::{Role, User};

/// One objection as the API and the pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct Objection {
    pub id: i64,
    pub dataset: String,
    pub record_key: String,
    pub unit_id: String,
    pub filed_on: String,
    pub reason: String,
    pub status: String,
    pub decided_on: Option<String>,
    pub reply: String,
    pub filed_by: String,
    pub decided_by: Option<String>,
    pub due_on: String,
    /// Still pending after its due day (as of today).
    pub overdue: bool,
}

const COLUMNS: &str = "id, dataset, record_key, unit_id, filed_on, reason, status, decided_on, reply, filed_by, decided_by";

/// The day a reply to an objection filed on `filed` is due.
pub fn due(st: &AppState, filed: NaiveDate) -> NaiveDate {
    st.scheme
        .calendar
        .add_workdays(filed, st.scheme.objections.reply_days)
}

fn objection(st: &AppState, r: &sqlx::any::AnyRow) -> Result<Objection, sqlx::Error> {
    let filed_on: String = r.try_get("filed_on")?;
    let status: String = r.try_get("status")?;
    let due_on = crate::calendar::parse_date(&filed_on).map(|d| due(st, d));
    Ok(Objection {
        id: r.try_get("id")?,
        dataset: r.try_get("dataset")?,
        record_key: r.try_get("record_key")?,
        unit_id: r.try_get("unit_id")?,
        reason: r.try_get("reason")?,
        decided_on: r.try_get("decided_on")?,
        reply: r.try_get("reply")?,
        filed_by: r.try_get("filed_by")?,
        decided_by: r.try_get("decided_by")?,
        due_on: due_on.map(|d| d.to_string()).unwrap_or_default(),
        overdue: status == "pending" && due_on.is_some_and(|d| d < st.clock.today()),
        filed_on,
        status,
    })
}

/// Which objections a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    Pending,
    Upheld,
    Rejected,
    Overdue,
}

impl Filter {
    pub fn parse(s: Option<&str>) -> Option<Filter> {
        Some(match s {
            None | Some("") | Some("all") => Filter::All,
            Some("pending") => Filter::Pending,
            Some("upheld") => Filter::Upheld,
            Some("rejected") => Filter::Rejected,
            Some("overdue") => Filter::Overdue,
            Some(_) => return None,
        })
    }
}

/// The objections `user` may see, by `filter`: pending ones by due date
/// first, then the decided ones, newest first.
pub async fn list(st: &AppState, user: &User, filter: Filter) -> ApiResult<Vec<Objection>> {
    let rows = match (user.role, &user.unit_id) {
        (Role::Unit, Some(u)) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM objections WHERE unit_id = $1 ORDER BY id"
            )))
            .bind(u.clone())
            .fetch_all(&st.db.pool)
            .await?
        }
        (Role::Unit, None) => Vec::new(),
        _ => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM objections ORDER BY id"
            )))
            .fetch_all(&st.db.pool)
            .await?
        }
    };
    let mut out: Vec<Objection> = rows
        .iter()
        .map(|r| objection(st, r))
        .collect::<Result<_, _>>()?;
    out.retain(|o| match filter {
        Filter::All => true,
        Filter::Pending => o.status == "pending",
        Filter::Upheld => o.status == "upheld",
        Filter::Rejected => o.status == "rejected",
        Filter::Overdue => o.overdue,
    });
    out.sort_by(|a, b| {
        let pa = a.status != "pending";
        let pb = b.status != "pending";
        pa.cmp(&pb).then_with(|| match pa {
            false => a.due_on.cmp(&b.due_on).then(a.id.cmp(&b.id)),
            true => b.id.cmp(&a.id),
        })
    });
    Ok(out)
}

pub async fn get(st: &AppState, id: i64) -> ApiResult<Option<Objection>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM objections WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&st.db.pool)
    .await?;
    Ok(row.as_ref().map(|r| objection(st, r)).transpose()?)
}

/// The longest reason or reply taken (characters).
pub const MAX_TEXT: usize = 2000;

fn text(what: &str, s: &str) -> ApiResult<String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(ApiError::unprocessable(format!("{what} is empty")));
    }
    if s.chars().count() > MAX_TEXT {
        return Err(ApiError::unprocessable(format!(
            "{what} is longer than {MAX_TEXT} characters"
        )));
    }
    Ok(s.to_string())
}

/// File an objection on a record of the latest results. A unit user may
/// object only to a record in its own unit's evidence (422 otherwise);
/// the office may file for the unit the record counts against; an
/// evaluator decides nothing and files nothing (403). One objection per
/// record (409 when there is one).
pub async fn file(
    st: &AppState,
    user: &User,
    dataset: &str,
    record_key: &str,
    reason: &str,
) -> ApiResult<Objection> {
    if user.role == Role::Evaluator {
        return Err(ApiError::forbidden("an evaluator does not file objections"));
    }
    let reason = text("reason", reason)?;
    let results = super::results::latest(&st.db, &st.config.runs, &st.results)
        .await?
        .ok_or_else(|| ApiError::unprocessable("no results yet: nothing to object to"))?;
    let unit_id = match (user.role, &user.unit_id) {
        (Role::Unit, Some(u)) => {
            let own = results.unit(u).is_some_and(|x| {
                x.evidence
                    .iter()
                    .any(|e| e.dataset == dataset && e.record_key == record_key)
            });
            if !own {
                return Err(ApiError::unprocessable(format!(
                    "record {dataset}/{record_key} is not in the evidence against unit {u}: a unit may object only to its own records"
                )));
            }
            u.clone()
        }
        (Role::Unit, None) => return Err(ApiError::forbidden("this user has no unit")),
        _ => match results.charged(dataset, record_key) {
            Some(x) => x.unit_id.clone(),
            None => {
                return Err(ApiError::unprocessable(format!(
                    "record {dataset}/{record_key} is in no unit's evidence"
                )));
            }
        },
    };
    let now = st.clock.now();
    let filed_on = st.clock.today().to_string();
    let mut tx = st.db.pool.begin().await?;
    let exists = sqlx::query("SELECT id FROM objections WHERE dataset = $1 AND record_key = $2")
        .bind(dataset.to_string())
        .bind(record_key.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(r) = exists {
        let id: i64 = r.try_get("id")?;
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            format!("record {dataset}/{record_key} already has objection {id}"),
        ));
    }
    let row = sqlx::query(
        "INSERT INTO objections (dataset, record_key, unit_id, filed_on, reason, status, reply, filed_by) VALUES ($1, $2, $3, $4, $5, 'pending', '', $6) RETURNING id",
    )
    .bind(dataset.to_string())
    .bind(record_key.to_string())
    .bind(unit_id.clone())
    .bind(filed_on.clone())
    .bind(reason.clone())
    .bind(user.name.clone())
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get("id")?;
    let after = serde_json::json!({
        "dataset": dataset, "record_key": record_key, "unit_id": unit_id,
        "filed_on": filed_on, "reason": reason, "status": "pending",
    });
    audit::append(
        &mut *tx,
        now,
        &user.name,
        "objection.file",
        &format!("objection {id}"),
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    get(st, id)
        .await?
        .ok_or_else(|| ApiError::internal("objection vanished after insert"))
}

/// Decide a pending objection: office only (403), once (409).
pub async fn decide(
    st: &AppState,
    user: &User,
    id: i64,
    status: &str,
    reply: &str,
) -> ApiResult<Objection> {
    if user.role != Role::Office {
        return Err(ApiError::forbidden("only the office decides objections"));
    }
    if !matches!(status, "upheld" | "rejected") {
        return Err(ApiError::unprocessable(
            "status must be upheld (成立) or rejected (驳回)",
        ));
    }
    let reply = text("reply", reply)?;
    let before = get(st, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no objection {id}")))?;
    if before.status != "pending" {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            format!("objection {id} was already decided: {}", before.status),
        ));
    }
    let now = st.clock.now();
    let today = st.clock.today().to_string();
    let mut tx = st.db.pool.begin().await?;
    let done = sqlx::query(
        "UPDATE objections SET status = $1, reply = $2, decided_on = $3, decided_by = $4 WHERE id = $5 AND status = 'pending'",
    )
    .bind(status.to_string())
    .bind(reply.clone())
    .bind(today.clone())
    .bind(user.name.clone())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            format!("objection {id} was decided meanwhile"),
        ));
    }
    let after = serde_json::json!({"status": status, "reply": reply, "decided_on": today});
    let was = serde_json::json!({"status": before.status, "reply": before.reply});
    audit::append(
        &mut *tx,
        now,
        &user.name,
        "objection.decide",
        &format!("objection {id}"),
        Some(was),
        Some(after),
    )
    .await?;
    tx.commit().await?;
    get(st, id)
        .await?
        .ok_or_else(|| ApiError::internal("objection vanished after update"))
}
