//! `govtrust serve`: the assessment year as a web workbench
//! (docs/server.md). The office publishes, units see their own results
//! and object, the office answers within the deadline and runs again.
//! One binary; SQLite by default, PostgreSQL for a city's deployment.
//!
//! Files: [`db`] (connection, migrations), [`users`], [`auth`] (sessions,
//! cross-site checks), [`limit`] (login limiter), [`audit`], [`register`]
//! (objections), [`regfile`] (the register as a file), [`results`] (the
//! served run), [`runner`] (background runs), [`api`] (JSON), [`pages`]
//! (HTML routes), [`view`] (what the pages show), [`config`], [`state`].

pub mod api;
pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod kind;
pub mod limit;
pub mod pages;
pub mod regfile;
pub mod register;
pub mod results;
pub mod review;
pub mod runner;
pub mod state;
pub mod users;
pub mod view;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

pub use db::{Db, DbError};
pub use state::{AppState, Clock, Config};

/// The largest request body taken (bytes): objections and replies are
/// short texts, and nothing is uploaded.
pub const MAX_BODY: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Scheme(#[from] crate::scheme::SchemeError),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

impl AppState {
    /// Open the database (migrating it), load the scheme, mark runs a
    /// stopped server left unfinished as failed, take a first start's
    /// register from the data directory, and start the run worker. Must
    /// be called inside a tokio runtime.
    pub async fn open(config: Config, db_url: &str) -> Result<AppState, ServeError> {
        let db = Db::open(db_url).await?;
        let scheme = Arc::new(crate::scheme::load(&config.scheme)?);
        let clock = Arc::new(Clock::default());
        runner::recover(&db, &clock).await?;
        let config = Arc::new(config);
        regfile::seed(&db, &scheme, &config.data, &clock).await?;
        let runs = runner::start(db.clone(), config.clone(), clock.clone());
        Ok(AppState {
            db,
            config,
            scheme,
            clock,
            limiter: Arc::default(),
            runs,
            results: Arc::default(),
        })
    }
}

/// The whole application: pages, API, the checks before them, the body
/// limit and the security headers. The tests call it without a socket.
pub fn router(st: AppState) -> Router {
    let h = |v: &'static str| HeaderValue::from_static(v);
    Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .layer(axum::middleware::from_fn_with_state(st.clone(), auth::guard))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, h("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, h("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, h("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            h("default-src 'self'; img-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'"),
        ))
        .with_state(st)
}

/// Serve on `addr` until Ctrl-C (or SIGTERM).
pub async fn serve(st: AppState, addr: std::net::SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let app = router(st).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let ctrl_c = tokio::signal::ctrl_c();
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler");
            tokio::select! {
                _ = ctrl_c => {},
                _ = term.recv() => {},
            }
        })
        .await
}
