//! The workbench under test: the router called without a socket (tower's
//! `oneshot`), on a fresh SQLite file or a fresh PostgreSQL database, with
//! the bundled scheme and demo data, runs writing the tables only.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use govtrust::server::users::{self, Role};
use govtrust::server::{AppState, Config, router};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");
pub const PASSWORD: &str = "correct-horse-battery";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct App {
    pub st: AppState,
    pub router: Router,
    pub dir: tempfile::TempDir,
    pub url: String,
    drop_db: Option<(String, String)>,
    /// The scheme and the data directory it serves.
    inputs: (PathBuf, PathBuf),
}

/// A new PostgreSQL database on the server `GOVTRUST_TEST_POSTGRES`
/// names (`postgres://user:pw@host:port`, a user that may create
/// databases). None where it is not set, unless `GOVTRUST_REQUIRE_POSTGRES`
/// is (as in CI): then a missing server fails the test.
async fn postgres_db() -> Option<(String, String, String)> {
    let Ok(base) = std::env::var("GOVTRUST_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("GOVTRUST_REQUIRE_POSTGRES").is_none(),
            "GOVTRUST_REQUIRE_POSTGRES is set but GOVTRUST_TEST_POSTGRES is not"
        );
        eprintln!("GOVTRUST_TEST_POSTGRES not set: PostgreSQL case not run here (CI runs it)");
        return None;
    };
    sqlx::any::install_default_drivers();
    let base = base.trim_end_matches('/').to_string();
    let admin = format!("{base}/postgres");
    let name = format!("gt_test_{}", rand_suffix());
    let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .expect("connect to the test PostgreSQL server");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut c)
        .await
        .expect("create the test database");
    Some((format!("{base}/{name}"), admin, name))
}

fn rand_suffix() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}_{}", std::process::id(), t % 1_000_000_000)
}

impl App {
    /// A new workbench, or None where the backend is not available.
    pub async fn new(backend: Backend) -> Option<App> {
        let inputs = (
            Path::new(ROOT).join("indicators"),
            Path::new(ROOT).join("datasets/demo"),
        );
        App::new_on(backend, tempfile::tempdir().unwrap(), inputs).await
    }

    /// A new workbench on another scheme and data directory (`inputs`),
    /// its database and runs in `dir`.
    pub async fn new_on(
        backend: Backend,
        dir: tempfile::TempDir,
        inputs: (PathBuf, PathBuf),
    ) -> Option<App> {
        let (url, drop_db) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("gt.db").display()),
                None,
            ),
            Backend::Postgres => {
                let (url, admin, name) = postgres_db().await?;
                (url, Some((admin, name)))
            }
        };
        let app = App::open(dir, url, drop_db, inputs).await;
        for (name, role, unit) in [
            ("office", Role::Office, None),
            ("evaluator", Role::Evaluator, None),
            ("d001", Role::Unit, Some("D001")),
            ("d002", Role::Unit, Some("D002")),
        ] {
            users::add(
                &app.st.db,
                name,
                role,
                unit,
                PASSWORD,
                chrono::Utc::now(),
                "test",
            )
            .await
            .unwrap();
        }
        Some(app)
    }

    /// The workbench on an existing database and runs directory (a
    /// restart).
    pub async fn open(
        dir: tempfile::TempDir,
        url: String,
        drop_db: Option<(String, String)>,
        inputs: (PathBuf, PathBuf),
    ) -> App {
        let mut config = Config::new(inputs.0.clone(), inputs.1.clone(), dir.path().join("runs"));
        config.documents = false;
        let st = AppState::open(config, &url)
            .await
            .expect("open the workbench");
        App {
            router: router(st.clone()),
            st,
            dir,
            url,
            drop_db,
            inputs,
        }
    }

    /// Stop this instance and start another on the same database.
    pub async fn restart(mut self) -> App {
        let (dir, url, drop_db, inputs) = (
            std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap()),
            self.url.clone(),
            self.drop_db.take(),
            self.inputs.clone(),
        );
        self.st.db.pool.close().await;
        drop(self);
        App::open(dir, url, drop_db, inputs).await
    }

    pub fn runs(&self) -> PathBuf {
        self.dir.path().join("runs")
    }

    /// One request: (status, headers, body as JSON or as a string).
    pub async fn call(&self, req: Request<Body>) -> (StatusCode, HeaderMap, Value) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, headers, body)
    }

    pub async fn get(&self, uri: &str, cookie: Option<&str>) -> (StatusCode, Value) {
        let mut r = Request::get(uri);
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        let (s, _, b) = self.call(r.body(Body::empty()).unwrap()).await;
        (s, b)
    }

    pub async fn post(&self, uri: &str, cookie: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut r = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        let (s, _, b) = self
            .call(r.body(Body::from(body.to_string())).unwrap())
            .await;
        (s, b)
    }

    /// A form POST as a browser sends it.
    pub async fn form(
        &self,
        uri: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> (StatusCode, HeaderMap, Value) {
        let body: String = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut r = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:8080");
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        if let Some(o) = origin {
            r = r.header(header::ORIGIN, o);
        }
        self.call(r.body(Body::from(body)).unwrap()).await
    }

    /// Log in: the session cookie (`name=value`).
    pub async fn login(&self, name: &str) -> String {
        let req = Request::post("/api/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                serde_json::json!({"name": name, "password": PASSWORD}).to_string(),
            ))
            .unwrap();
        let (s, h, b) = self.call(req).await;
        assert_eq!(s, StatusCode::OK, "login {name}: {b}");
        let set = h.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        set.split(';').next().unwrap().to_string()
    }

    /// Start a run as `cookie` and wait for it to end: its final state.
    pub async fn run(&self, cookie: &str) -> Value {
        let (s, b) = self
            .post("/api/runs", Some(cookie), serde_json::json!({}))
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
        let id = b["id"].as_i64().unwrap();
        for _ in 0..600 {
            let (_, r) = self.get(&format!("/api/runs/{id}"), Some(cookie)).await;
            if matches!(r["status"].as_str(), Some("done" | "failed")) {
                return r;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("run {id} did not finish in 60 s");
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.drop_db.take() {
            // Best effort, on a thread of its own (Drop cannot await).
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Runtime::new().unwrap();
                rt.block_on(async {
                    if let Ok(mut c) =
                        <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await
                    {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&mut c)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
