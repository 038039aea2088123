//! What every request handler shares, passed by axum's `State`: the
//! database, the configuration, the scheme as loaded at start, the clock,
//! the login limiter and the run queue.

use std::sync::Arc;

pub use super::config::{Clock, Config};
use super::db::Db;
use super::limit::Limiter;
use crate::scheme::Scheme;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub scheme: Arc<Scheme>,
    pub clock: Arc<Clock>,
    pub limiter: Arc<Limiter>,
    pub runs: super::runner::Queue,
    pub results: Arc<super::results::Cache>,
}
