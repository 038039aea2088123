//! The JSON API (docs/server.md): what the pages do, for tools, tests and
//! a city's OA system. Bodies are JSON; every check of who may do what is
//! made here, on the server, for every request: no session is 401, a
//! role's or a unit's forbidden call 403.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{self, Current};
use super::error::{ApiError, ApiResult};
use super::register::{self, Filter, Kind};
use super::results;
use super::runner;
use super::state::AppState;
use super::users::{self, Role, User};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
        .route("/api/units", get(units))
        .route("/api/units/{id}", get(unit))
        .route(
            "/api/objections",
            get(|st, c, q| list(Kind::Objection, st, c, q))
                .post(|st, c, b| file(Kind::Objection, st, c, b)),
        )
        .route(
            "/api/objections/{id}/decision",
            post(|st, c, id, b| decide(Kind::Objection, st, c, id, b)),
        )
        .route(
            "/api/repairs",
            get(|st, c, q| list(Kind::Repair, st, c, q))
                .post(|st, c, b| file(Kind::Repair, st, c, b)),
        )
        .route(
            "/api/repairs/{id}/decision",
            post(|st, c, id, b| decide(Kind::Repair, st, c, id, b)),
        )
        .route("/api/runs", get(runs).post(start_run))
        .route("/api/runs/{id}", get(run))
        .route("/api/audit", get(audit))
}

/// The client's address (for the login limiter); `local` where the
/// server was not reached through a socket (the tests' router calls).
pub struct Client(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Client(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(|| "local".to_string(), |c| c.0.ip().to_string()),
        ))
    }
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

#[derive(Deserialize)]
pub struct Login {
    pub name: String,
    pub password: String,
}

/// Check a login, with the limiter and the audit log: the user and the
/// new session's token. 401 says nothing of whether the name exists.
pub async fn log_in(
    st: &AppState,
    name: &str,
    password: &str,
    client: &str,
) -> ApiResult<(User, String)> {
    let now = st.clock.now();
    if st.limiter.blocked(name, client, now) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too many failed logins: try again in 15 minutes",
        ));
    }
    match users::verify(&st.db, name, password).await? {
        Some(u) => {
            let token = auth::create(&st.db, &u, st).await?;
            super::audit::append(&st.db.pool, now, &u.name, "login", &u.name, None, None).await?;
            Ok((u, token))
        }
        None => {
            st.limiter.fail(name, client, now);
            super::audit::append(
                &st.db.pool,
                now,
                name,
                "login.failed",
                name,
                None,
                Some(json!({"client": client})),
            )
            .await?;
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "wrong name or password",
            ))
        }
    }
}

async fn login(
    State(st): State<AppState>,
    Client(client): Client,
    Json(b): Json<Login>,
) -> ApiResult<Response> {
    let (u, token) = log_in(&st, &b.name, &b.password, &client).await?;
    Ok((
        [(header::SET_COOKIE, auth::cookie(Some(&token), &st))],
        Json(json!({"name": u.name, "role": u.role, "unit_id": u.unit_id})),
    )
        .into_response())
}

async fn logout(State(st): State<AppState>, c: Current) -> ApiResult<Response> {
    c.end(&st.db).await?;
    super::audit::append(
        &st.db.pool,
        st.clock.now(),
        &c.user.name,
        "logout",
        &c.user.name,
        None,
        None,
    )
    .await?;
    Ok((
        [(header::SET_COOKIE, auth::cookie(None, &st))],
        Json(json!({})),
    )
        .into_response())
}

async fn me(c: Current) -> Json<Value> {
    Json(json!({"name": c.user.name, "role": c.user.role, "unit_id": c.user.unit_id}))
}

async fn latest(st: &AppState) -> ApiResult<Option<std::sync::Arc<results::Results>>> {
    results::latest(&st.db, &st.config.runs, &st.results).await
}

async fn units(State(st): State<AppState>, c: Current) -> ApiResult<Json<Value>> {
    let Some(r) = latest(&st).await? else {
        return Ok(Json(json!([])));
    };
    let list: Vec<Value> = r
        .explained
        .units
        .iter()
        .filter(|u| c.user.sees(&u.unit_id))
        .map(|u| {
            json!({"unit_id": u.unit_id, "unit_name": u.unit_name, "group": u.group,
                   "rank": u.rank, "total": u.total, "grade": u.grade})
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

async fn unit(
    State(st): State<AppState>,
    c: Current,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    if !c.user.sees(&id) {
        return Err(ApiError::forbidden("a unit sees only its own results"));
    }
    let r = latest(&st)
        .await?
        .ok_or_else(|| ApiError::not_found("no results yet"))?;
    let u = r
        .unit(&id)
        .ok_or_else(|| ApiError::not_found(format!("no unit {id}")))?;
    Ok(Json(json!({
        "unit_id": u.unit_id, "unit_name": u.unit_name, "group": u.group,
        "rank": u.rank, "total": u.total, "grade": u.grade,
        "values": u.indicators, "evidence": u.evidence, "run": r.run_id,
    })))
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
}

async fn list(
    kind: Kind,
    State(st): State<AppState>,
    c: Current,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let f = Filter::parse(q.status.as_deref()).ok_or_else(|| {
        ApiError::unprocessable(format!(
            "status must be pending, {}, rejected or overdue",
            kind.granted()
        ))
    })?;
    Ok(Json(json!(register::list(&st, kind, &c.user, f).await?)))
}

#[derive(Deserialize)]
struct FileBody {
    dataset: String,
    record_key: String,
    reason: String,
}

async fn file(
    kind: Kind,
    State(st): State<AppState>,
    c: Current,
    Json(b): Json<FileBody>,
) -> ApiResult<Response> {
    let o = register::file(&st, kind, &c.user, &b.dataset, &b.record_key, &b.reason).await?;
    Ok((StatusCode::CREATED, Json(json!(o))).into_response())
}

#[derive(Deserialize)]
struct Decision {
    status: String,
    reply: String,
    /// Repairs: the repair date (default: the day of the decision).
    repaired_on: Option<String>,
}

async fn decide(
    kind: Kind,
    State(st): State<AppState>,
    c: Current,
    Path(id): Path<i64>,
    Json(b): Json<Decision>,
) -> ApiResult<Json<Value>> {
    let d = (
        b.status.as_str(),
        b.reply.as_str(),
        b.repaired_on.as_deref(),
    );
    Ok(Json(json!(
        register::decide(&st, kind, &c.user, id, d).await?
    )))
}

/// Office and evaluator see and start runs; a unit does not.
fn runs_allowed(u: &User) -> ApiResult<()> {
    match u.role {
        Role::Unit => Err(ApiError::forbidden("a unit does not start or list runs")),
        _ => Ok(()),
    }
}

async fn runs(State(st): State<AppState>, c: Current) -> ApiResult<Json<Value>> {
    runs_allowed(&c.user)?;
    Ok(Json(json!(runner::list(&st.db).await?)))
}

async fn start_run(
    State(st): State<AppState>,
    c: Current,
    Json(_): Json<Value>,
) -> ApiResult<Response> {
    runs_allowed(&c.user)?;
    let id = runner::enqueue(&st.db, &st.clock, &st.runs, &c.user.name).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"id": id}))).into_response())
}

async fn run(
    State(st): State<AppState>,
    c: Current,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    runs_allowed(&c.user)?;
    let r = runner::get(&st.db, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no run {id}")))?;
    let mut v = json!(r);
    if r.status == "running" {
        use std::sync::atomic::Ordering::Relaxed;
        v["progress"] = json!({"datasets_done": st.runs.progress.done.load(Relaxed),
                               "datasets": st.runs.progress.total.load(Relaxed)});
    }
    Ok(Json(v))
}

async fn audit(State(st): State<AppState>, c: Current) -> ApiResult<Json<Value>> {
    if c.user.role != Role::Office {
        return Err(ApiError::forbidden("only the office reads the audit log"));
    }
    Ok(Json(json!(super::audit::list(&st.db, 1000).await?)))
}
