//! The pages of what units file: an objection (异议) or a repair
//! application (信用修复申请) filed from the unit's page, its review, and
//! the office's decision. The rules are `register`'s.

// A page's error is a whole response (see pages.rs).
#![allow(clippy::result_large_err)]

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;

use super::error::ApiError;
use super::register::{self, Kind};
use super::results;
use super::state::AppState;
use super::users::Role;
use super::view::{self, Page, check_csrf, session};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/units/{id}/objections",
            post(|st, h, p, f| file(Kind::Objection, st, h, p, f)),
        )
        .route(
            "/units/{id}/repairs",
            post(|st, h, p, f| file(Kind::Repair, st, h, p, f)),
        )
        .route(
            "/objections/{id}",
            get(|st, h, p| review(Kind::Objection, st, h, p)),
        )
        .route(
            "/repairs/{id}",
            get(|st, h, p| review(Kind::Repair, st, h, p)),
        )
        .route(
            "/objections/{id}/decision",
            post(|st, h, p, f| decide(Kind::Objection, st, h, p, f)),
        )
        .route(
            "/repairs/{id}/decision",
            post(|st, h, p, f| decide(Kind::Repair, st, h, p, f)),
        )
}

/// Where a kind's pages live.
fn base(kind: Kind) -> &'static str {
    match kind {
        Kind::Objection => "/objections",
        Kind::Repair => "/repairs",
    }
}

#[derive(Deserialize)]
struct FileForm {
    csrf: String,
    dataset: String,
    record_key: String,
    reason: String,
}

async fn file(
    kind: Kind,
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<FileForm>,
) -> Page {
    let c = session(&st, &headers).await?;
    check_csrf(&st, &c, &f.csrf)?;
    if !c.user.sees(&id) {
        return Err(view::error(
            &st,
            Some(&c),
            ApiError::forbidden("a unit may file only on its own records"),
        ));
    }
    register::file(&st, kind, &c.user, &f.dataset, &f.record_key, &f.reason)
        .await
        .map_err(|e| view::error(&st, Some(&c), e))?;
    Ok(Redirect::to(&format!("/units/{id}")).into_response())
}

async fn review(
    kind: Kind,
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Page {
    let c = session(&st, &headers).await?;
    let fail = |e: ApiError| view::error(&st, Some(&c), e);
    let o = register::get(&st, kind, id)
        .await
        .map_err(fail)?
        .filter(|o| c.user.sees(&o.unit_id))
        .ok_or_else(|| fail(ApiError::not_found(format!("no {} {id}", kind.name()))))?;
    let res = results::latest(&st.db, &st.config.runs, &st.results)
        .await
        .map_err(fail)?;
    let ctx = view::objection(&st, res.as_deref(), &o, c.user.role == Role::Office);
    let title = match kind {
        Kind::Objection => format!("异议第{id}号"),
        Kind::Repair => format!("信用修复申请第{id}号"),
    };
    Ok(view::page(&st, Some(&c), "objection.html", &title, ctx))
}

#[derive(Deserialize)]
struct DecisionForm {
    csrf: String,
    status: String,
    reply: String,
    #[serde(default)]
    repaired_on: String,
}

async fn decide(
    kind: Kind,
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Page {
    let c = session(&st, &headers).await?;
    check_csrf(&st, &c, &f.csrf)?;
    let d = (
        f.status.as_str(),
        f.reply.as_str(),
        Some(f.repaired_on.as_str()),
    );
    register::decide(&st, kind, &c.user, id, d)
        .await
        .map_err(|e| view::error(&st, Some(&c), e))?;
    Ok(Redirect::to(&format!("{}/{id}", base(kind))).into_response())
}
