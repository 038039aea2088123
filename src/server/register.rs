//! The objection register (异议登记) in the database, with the repair
//! applications (信用修复申请) that go the same way. Units file objections
//! on records that count against them, and repair applications on their
//! deductions in datasets with a `repaired_on` column; the office decides
//! (objections: 成立 upheld / 驳回 rejected; repairs: 批准 approved /
//! 不予修复 rejected) with a written reply, due `reply_days` working days after
//! filing by the scheme's calendar. Each run exports both as its
//! `objections.csv` (docs/scheme.md section 3, see `regfile`), so a
//! decision takes effect at the next run and never edits an earlier one.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;

use super::audit;
use super::error::{ApiError, ApiResult};
use super::state::AppState;
use super::users::{Role, User};

pub use super::kind::{Filter, Kind};

/// One objection or repair application as the API and the pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct Objection {
    pub kind: &'static str,
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
    /// A repair's date (approved repairs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repaired_on: Option<String>,
    pub due_on: String,
    /// Still pending after its due day (as of today).
    pub overdue: bool,
}

/// The day a reply to an objection filed on `filed` is due.
pub fn due(st: &AppState, filed: NaiveDate) -> NaiveDate {
    st.scheme
        .calendar
        .add_workdays(filed, st.scheme.objections.reply_days)
}

fn objection(st: &AppState, kind: Kind, r: &sqlx::any::AnyRow) -> Result<Objection, sqlx::Error> {
    let filed_on: String = r.try_get("filed_on")?;
    let status: String = r.try_get("status")?;
    let due_on = crate::calendar::parse_date(&filed_on).map(|d| due(st, d));
    Ok(Objection {
        kind: kind.name(),
        id: r.try_get("id")?,
        dataset: r.try_get("dataset")?,
        record_key: r.try_get("record_key")?,
        unit_id: r.try_get("unit_id")?,
        reason: r.try_get("reason")?,
        decided_on: r.try_get("decided_on")?,
        reply: r.try_get("reply")?,
        filed_by: r.try_get("filed_by")?,
        decided_by: r.try_get("decided_by")?,
        repaired_on: r.try_get("repaired_on")?,
        due_on: due_on.map(|d| d.to_string()).unwrap_or_default(),
        overdue: status == "pending" && due_on.is_some_and(|d| d < st.clock.today()),
        filed_on,
        status,
    })
}

/// The objections `user` may see, by `filter`: pending ones by due date
/// first, then the decided ones, newest first.
pub async fn list(
    st: &AppState,
    kind: Kind,
    user: &User,
    filter: Filter,
) -> ApiResult<Vec<Objection>> {
    let (cols, table) = (kind.columns(), kind.table());
    // The table and columns are constants of `Kind`; values are bound.
    let rows = match (user.role, &user.unit_id) {
        (Role::Unit, Some(u)) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {cols} FROM {table} WHERE unit_id = $1 ORDER BY id"
            )))
            .bind(u.clone())
            .fetch_all(&st.db.pool)
            .await?
        }
        (Role::Unit, None) => Vec::new(),
        _ => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {cols} FROM {table} ORDER BY id"
            )))
            .fetch_all(&st.db.pool)
            .await?
        }
    };
    let mut out: Vec<Objection> = rows
        .iter()
        .map(|r| objection(st, kind, r))
        .collect::<Result<_, _>>()?;
    out.retain(|o| match filter {
        Filter::All => true,
        Filter::Pending => o.status == "pending",
        Filter::Granted => o.status == kind.granted(),
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

pub async fn get(st: &AppState, kind: Kind, id: i64) -> ApiResult<Option<Objection>> {
    let (cols, table) = (kind.columns(), kind.table());
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {cols} FROM {table} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&st.db.pool)
    .await?;
    Ok(row.as_ref().map(|r| objection(st, kind, r)).transpose()?)
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

/// May `kind` be filed on this evidence record? A repair only on a
/// deduction or penalty (negative points) in a dataset with a
/// `repaired_on` column (docs/scheme.md section 3).
fn eligible(st: &AppState, kind: Kind, e: &crate::report::explain::EvidenceLine) -> bool {
    match kind {
        Kind::Objection => true,
        Kind::Repair => {
            e.points < 0.0
                && st
                    .scheme
                    .datasets
                    .iter()
                    .any(|d| d.id == e.dataset && d.has(crate::scheme::REPAIRED_ON))
        }
    }
}

/// File an objection or a repair application on a record of the latest
/// results. A unit user may file only on a record in its own unit's
/// evidence (422 otherwise); the office may file for the unit the record
/// counts against; an evaluator files nothing (403). One of each kind
/// per record (409 when there is one).
pub async fn file(
    st: &AppState,
    kind: Kind,
    user: &User,
    dataset: &str,
    record_key: &str,
    reason: &str,
) -> ApiResult<Objection> {
    if user.role == Role::Evaluator {
        return Err(ApiError::forbidden("an evaluator files nothing"));
    }
    let reason = text("reason", reason)?;
    let results = super::results::latest(&st.db, &st.config.runs, &st.results)
        .await?
        .ok_or_else(|| ApiError::unprocessable("no results yet: nothing to object to"))?;
    let found = match (user.role, &user.unit_id) {
        (Role::Unit, None) => return Err(ApiError::forbidden("this user has no unit")),
        (Role::Unit, Some(u)) => results
            .unit(u)
            .and_then(|x| super::results::line(x, dataset, record_key).map(|e| (x, e))),
        _ => results.charged(dataset, record_key),
    };
    let (unit, e) = found.ok_or_else(|| {
        ApiError::unprocessable(format!(
            "record {dataset}/{record_key} is not in the evidence against the unit: a unit may file only on its own records"
        ))
    })?;
    if !eligible(st, kind, e) {
        return Err(ApiError::unprocessable(format!(
            "record {dataset}/{record_key} cannot be repaired: repairs apply to deductions in datasets with a repaired_on column"
        )));
    }
    let unit_id = unit.unit_id.clone();
    let now = st.clock.now();
    let filed_on = st.clock.today().to_string();
    let table = kind.table();
    let mut tx = st.db.begin().await?;
    let exists = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM {table} WHERE dataset = $1 AND record_key = $2"
    )))
    .bind(dataset.to_string())
    .bind(record_key.to_string())
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(r) = exists {
        let id: i64 = r.try_get("id")?;
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            format!(
                "record {dataset}/{record_key} already has {} {id}",
                kind.name()
            ),
        ));
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {table} (dataset, record_key, unit_id, filed_on, reason, status, reply, filed_by) VALUES ($1, $2, $3, $4, $5, 'pending', '', $6) RETURNING id"
    )))
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
    let target = format!("{} {id}", kind.name());
    audit::append(
        &mut *tx,
        now,
        &user.name,
        &format!("{}.file", kind.name()),
        &target,
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    get(st, kind, id)
        .await?
        .ok_or_else(|| ApiError::internal("row vanished after insert"))
}

/// Decide a pending objection or repair application: office only (403),
/// once (409). A repair approved takes `repaired_on` (default: today).
pub async fn decide(
    st: &AppState,
    kind: Kind,
    user: &User,
    id: i64,
    (status, reply, repaired_on): (&str, &str, Option<&str>),
) -> ApiResult<Objection> {
    if user.role != Role::Office {
        return Err(ApiError::forbidden("only the office decides"));
    }
    if status != kind.granted() && status != "rejected" {
        return Err(ApiError::unprocessable(format!(
            "status must be {} or rejected",
            kind.granted()
        )));
    }
    let reply = text("reply", reply)?;
    let before = get(st, kind, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no {} {id}", kind.name())))?;
    if before.status != "pending" {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            format!(
                "{} {id} was already decided: {}",
                kind.name(),
                before.status
            ),
        ));
    }
    let today = st.clock.today();
    let repaired = match (
        kind,
        status,
        repaired_on.map(str::trim).filter(|d| !d.is_empty()),
    ) {
        (Kind::Repair, "approved", Some(d)) => Some(
            crate::calendar::parse_date(d)
                .ok_or_else(|| {
                    ApiError::unprocessable("repaired_on is not a date (expected 2026-01-20)")
                })?
                .to_string(),
        ),
        (Kind::Repair, "approved", None) => Some(today.to_string()),
        _ => None,
    };
    let now = st.clock.now();
    let table = kind.table();
    let mut tx = st.db.begin().await?;
    let set_repair = if kind == Kind::Repair {
        ", repaired_on = $6"
    } else {
        ""
    };
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET status = $1, reply = $2, decided_on = $3, decided_by = $4{set_repair} WHERE id = $5 AND status = 'pending'"
    )))
    .bind(status.to_string())
    .bind(reply.clone())
    .bind(today.to_string())
    .bind(user.name.clone())
    .bind(id);
    if kind == Kind::Repair {
        q = q.bind(repaired.clone());
    }
    if q.execute(&mut *tx).await?.rows_affected() != 1 {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            format!("{} {id} was decided meanwhile", kind.name()),
        ));
    }
    let after = serde_json::json!({"status": status, "reply": reply, "decided_on": today.to_string(), "repaired_on": repaired});
    let was = serde_json::json!({"status": before.status, "reply": before.reply});
    let target = format!("{} {id}", kind.name());
    audit::append(
        &mut *tx,
        now,
        &user.name,
        &format!("{}.decide", kind.name()),
        &target,
        Some(was),
        Some(after),
    )
    .await?;
    tx.commit().await?;
    get(st, kind, id)
        .await?
        .ok_or_else(|| ApiError::internal("row vanished after update"))
}
