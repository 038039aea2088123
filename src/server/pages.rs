//! The workbench's pages: server-rendered HTML in Chinese (minijinja,
//! HTML-escaped), usable without JavaScript. Each form carries the
//! session's CSRF token; the checks of who may do what are the API's
//! (`register`, `runner`), made again here for every request.

// A page's error is a whole response (the error page), as axum handlers
// return it; boxing it would only add an allocation per error.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::context;
use serde::Deserialize;

use super::api::{Client, log_in};
use super::auth::{self, Current};
use super::error::ApiError;
use super::register::{self, Filter, Kind};
use super::results;
use super::runner;
use super::state::AppState;
use super::users::Role;
use super::view::{self, Page, check_csrf, ser, session};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(super::review::routes())
        .route("/", get(overview))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/units/{id}", get(unit))
        .route("/runs", get(runs).post(start_run))
        .route("/runs/{id}", get(run))
        .route("/audit", get(audit))
        .route("/charts/{run}/{name}", get(chart))
        .route("/static/style.css", get(style))
}

async fn login_page(State(st): State<AppState>) -> Response {
    view::page(&st, None, "login.html", "登录", context! {})
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
}

async fn login(
    State(st): State<AppState>,
    Client(client): Client,
    Form(f): Form<LoginForm>,
) -> Response {
    match log_in(&st, &f.name, &f.password, &client).await {
        Ok((_, token)) => (
            [(header::SET_COOKIE, auth::cookie(Some(&token), &st))],
            Redirect::to("/"),
        )
            .into_response(),
        Err(e) => {
            let msg = match e.status {
                StatusCode::TOO_MANY_REQUESTS => "登录失败次数过多，请15分钟后再试。",
                StatusCode::UNAUTHORIZED => "用户名或密码错误。",
                _ => "登录时发生内部错误，请稍后再试。",
            };
            let mut r = view::page(&st, None, "login.html", "登录", context! { error => msg });
            *r.status_mut() = e.status;
            r
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(State(st): State<AppState>, headers: HeaderMap, Form(f): Form<CsrfForm>) -> Page {
    let c = session(&st, &headers).await?;
    check_csrf(&st, &c, &f.csrf)?;
    c.end(&st.db)
        .await
        .map_err(|e| view::error(&st, Some(&c), e.into()))?;
    let _ = super::audit::append(
        &st.db.pool,
        st.clock.now(),
        &c.user.name,
        "logout",
        &c.user.name,
        None,
        None,
    )
    .await;
    Ok((
        [(header::SET_COOKIE, auth::cookie(None, &st))],
        Redirect::to("/login"),
    )
        .into_response())
}

async fn overview(State(st): State<AppState>, headers: HeaderMap) -> Page {
    let c = session(&st, &headers).await?;
    let fail = |e: ApiError| view::error(&st, Some(&c), e);
    if c.user.role == Role::Unit {
        let id = c.user.unit_id.clone().unwrap_or_default();
        return Ok(Redirect::to(&format!("/units/{id}")).into_response());
    }
    let res = results::latest(&st.db, &st.config.runs, &st.results)
        .await
        .map_err(fail)?;
    let pending = register::list(&st, Kind::Objection, &c.user, Filter::Pending)
        .await
        .map_err(fail)?;
    let repairs = register::list(&st, Kind::Repair, &c.user, Filter::Pending)
        .await
        .map_err(fail)?;
    let runs = runner::list(&st.db).await.map_err(|e| fail(e.into()))?;
    let ctx = context! {
        results => res.as_ref().map(|r| context! { run_id => r.run_id, period => r.explained.period.clone() }),
        groups => ser(res.as_ref().map(|r| view::groups(&r.explained)).unwrap_or_default()),
        charts => res.as_ref().map(|r| view::charts(&r.dir)).unwrap_or_default(),
        pending => view::objections(&st, res.as_deref(), &pending),
        repairs => view::objections(&st, res.as_deref(), &repairs),
        runs => ser(runs.into_iter().take(10).collect::<Vec<_>>()),
        can_run => true,
    };
    Ok(view::page(&st, Some(&c), "overview.html", "考核总览", ctx))
}

async fn unit(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Page {
    let c = session(&st, &headers).await?;
    let fail = |e: ApiError| view::error(&st, Some(&c), e);
    if !c.user.sees(&id) {
        return Err(fail(ApiError::forbidden(
            "a unit sees only its own results",
        )));
    }
    let res = results::latest(&st.db, &st.config.runs, &st.results)
        .await
        .map_err(fail)?
        .ok_or_else(|| fail(ApiError::not_found("no results yet")))?;
    let u = res
        .unit(&id)
        .ok_or_else(|| fail(ApiError::not_found(format!("no unit {id}"))))?;
    let mut filed: Vec<BTreeMap<String, register::Objection>> = Vec::new();
    for kind in [Kind::Objection, Kind::Repair] {
        filed.push(
            register::list(&st, kind, &c.user, Filter::All)
                .await
                .map_err(fail)?
                .into_iter()
                .filter(|o| o.unit_id == id)
                .map(|o| (format!("{}/{}", o.dataset, o.record_key), o))
                .collect(),
        );
    }
    let repairable: Vec<String> = st
        .scheme
        .datasets
        .iter()
        .filter(|d| d.has(crate::scheme::REPAIRED_ON))
        .map(|d| d.id.clone())
        .collect();
    let ctx = context! {
        u => ser(u),
        run_id => res.run_id,
        filed => ser(&filed[0]),
        repairs => ser(&filed[1]),
        repairable => repairable,
        can_object => c.user.role == Role::Office || c.user.unit_id.as_deref() == Some(id.as_str()),
        reply_days => st.scheme.objections.reply_days,
    };
    let title = format!("{}考核结果反馈", u.unit_name);
    Ok(view::page(&st, Some(&c), "unit.html", &title, ctx))
}

fn staff(st: &AppState, c: &Current) -> Result<(), Response> {
    match c.user.role {
        Role::Unit => Err(view::error(
            st,
            Some(c),
            ApiError::forbidden("a unit does not start or list runs"),
        )),
        _ => Ok(()),
    }
}

async fn runs(State(st): State<AppState>, headers: HeaderMap) -> Page {
    let c = session(&st, &headers).await?;
    staff(&st, &c)?;
    let fail = |e: sqlx::Error| view::error(&st, Some(&c), e.into());
    let list = runner::list(&st.db).await.map_err(fail)?;
    let rows = super::regfile::rows(&st.db).await.map_err(fail)?.0.len();
    let ctx = context! { runs => ser(list), can_run => true, register_rows => rows };
    Ok(view::page(&st, Some(&c), "runs.html", "考核运行", ctx))
}

async fn start_run(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Page {
    let c = session(&st, &headers).await?;
    staff(&st, &c)?;
    check_csrf(&st, &c, &f.csrf)?;
    let id = runner::enqueue(&st.db, &st.clock, &st.runs, &c.user.name)
        .await
        .map_err(|e| view::error(&st, Some(&c), e.into()))?;
    Ok(Redirect::to(&format!("/runs/{id}")).into_response())
}

async fn run(State(st): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Page {
    let c = session(&st, &headers).await?;
    staff(&st, &c)?;
    let fail = |e: ApiError| view::error(&st, Some(&c), e);
    let r = runner::get(&st.db, id)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or_else(|| fail(ApiError::not_found(format!("no run {id}"))))?;
    let previous = results::done_before(&st.db, id)
        .await
        .map_err(|e| fail(e.into()))?;
    let changes = match (r.status.as_str(), previous) {
        ("done", Some(p)) => {
            view::changes(&st.config.runs, p, id).map_err(|e| fail(ApiError::internal(e)))?
        }
        _ => Vec::new(),
    };
    let live = matches!(r.status.as_str(), "queued" | "running");
    let progress = (r.status == "running").then(|| {
        use std::sync::atomic::Ordering::Relaxed;
        (
            st.runs.progress.done.load(Relaxed),
            st.runs.progress.total.load(Relaxed),
        )
    });
    let ctx = context! { r => ser(r), previous => previous, changes => changes, progress => progress, refresh => live.then_some(2) };
    Ok(view::page(
        &st,
        Some(&c),
        "run.html",
        &format!("第{id}次考核运行"),
        ctx,
    ))
}

async fn audit(State(st): State<AppState>, headers: HeaderMap) -> Page {
    let c = session(&st, &headers).await?;
    if c.user.role != Role::Office {
        return Err(view::error(
            &st,
            Some(&c),
            ApiError::forbidden("only the office reads the audit log"),
        ));
    }
    let entries = super::audit::list(&st.db, 500)
        .await
        .map_err(|e| view::error(&st, Some(&c), e.into()))?;
    let ctx = context! { entries => view::audit(&entries) };
    Ok(view::page(&st, Some(&c), "audit.html", "审计日志", ctx))
}

/// A run's chart (SVG), for the office and the evaluator: the charts
/// show every unit.
async fn chart(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((run, name)): Path<(i64, String)>,
) -> Page {
    let c = session(&st, &headers).await?;
    staff(&st, &c)?;
    let stem = name.strip_suffix(".svg").unwrap_or("");
    let safe = !stem.is_empty()
        && stem
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-');
    let done = runner::get(&st.db, run)
        .await
        .ok()
        .flatten()
        .is_some_and(|r| r.status == "done");
    let path = results::run_dir(&st.config.runs, run)
        .join("report/charts")
        .join(&name);
    match (safe && done).then(|| std::fs::read(&path)) {
        Some(Ok(bytes)) => Ok(([(header::CONTENT_TYPE, "image/svg+xml")], bytes).into_response()),
        _ => Err(view::error(
            &st,
            Some(&c),
            ApiError::not_found("no such chart"),
        )),
    }
}

async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("templates/style.css"),
    )
        .into_response()
}
