//! The web workbench (`govtrust serve`, docs/server.md): every role
//! against every endpoint, the objection loop, deadlines, sessions, the
//! login limit, cross-site requests, the audit log and restarts. Each
//! case runs on SQLite and on PostgreSQL (`GOVTRUST_TEST_POSTGRES`; CI
//! starts a server and requires it).

mod access;
mod harness;
mod journey;
mod kill;
mod repair;
mod safety;

/// `case!(name)` runs `name(app)` on both backends.
#[macro_export]
macro_rules! case {
    ($name:ident) => {
        mod $name {
            use $crate::harness::{App, Backend};
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(App::new(Backend::Sqlite).await.unwrap()).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = App::new(Backend::Postgres).await {
                    super::$name(app).await;
                }
            }
        }
    };
}
