//! The workbench's database: SQLite by default, PostgreSQL for a city's
//! deployment, through sqlx's `Any` driver so that one set of queries
//! serves both. Every statement is parameterised (`$1`, `$2`, ... which
//! both backends accept); the migrations are embedded in the binary and
//! run at start.

use std::borrow::Cow;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, SqlSafeStr};

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "--db {0:?}: not a database URL\n    hint: use sqlite://govtrust.db or postgres://user:password@host/dbname"
    )]
    Url(String),
    #[error("database {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("database {url}: migration failed: {source}")]
    Migrate {
        url: String,
        source: sqlx::migrate::MigrateError,
    },
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// An open database: the pool and its backend.
#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

const TABLES: &str = include_str!("migrations/0001_workbench.sql");
const AUDIT_SQLITE: &str = include_str!("migrations/0002_audit_sqlite.sql");
const AUDIT_POSTGRES: &str = include_str!("migrations/0002_audit_postgres.sql");
const REPAIRS: &str = include_str!("migrations/0003_repairs.sql");

/// The migrations for `backend`, in order.
fn migrator(backend: Backend) -> Migrator {
    let (id, audit) = match backend {
        Backend::Sqlite => ("INTEGER PRIMARY KEY", AUDIT_SQLITE),
        Backend::Postgres => ("BIGSERIAL PRIMARY KEY", AUDIT_POSTGRES),
    };
    let m = |version: i64, description: &'static str, sql: String| {
        Migration::new(
            version,
            Cow::Borrowed(description),
            MigrationType::Simple,
            sqlx::AssertSqlSafe(sql).into_sql_str(),
            false,
        )
    };
    Migrator::with_migrations(vec![
        m(1, "workbench", TABLES.replace("{id}", id)),
        m(2, "audit append-only", audit.to_string()),
        m(3, "repairs", REPAIRS.replace("{id}", id)),
    ])
}

impl Db {
    /// Open (creating a SQLite file if missing) and migrate.
    pub async fn open(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url).ok_or_else(|| DbError::Url(url.to_string()))?;
        let full = match backend {
            // Create the file when missing; wait for a busy writer.
            Backend::Sqlite if !url.contains('?') && !url.contains(":memory:") => {
                format!("{url}?mode=rwc")
            }
            _ => url.to_string(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            })
            .connect(&full)
            .await
            .map_err(|source| DbError::Connect {
                url: redact(url),
                source,
            })?;
        if backend == Backend::Sqlite {
            // WAL: readers do not wait for the writer; a crash mid-write
            // rolls back to the last commit.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        migrator(backend)
            .run(&pool)
            .await
            .map_err(|source| DbError::Migrate {
                url: redact(url),
                source,
            })?;
        Ok(Db { pool, backend })
    }
}

impl Db {
    /// Begin a write transaction. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`): a deferred transaction that reads and
    /// then writes cannot wait for another writer and fails with
    /// "database is locked"; an immediate one waits (the busy timeout,
    /// 5 s) for its turn.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            match cred.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &cred[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Now, as the RFC 3339 text the tables hold.
pub fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The instant a stamp names.
pub fn parse_stamp(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(
            redact("postgres://gt:secret@localhost/db"),
            "postgres://gt:***@localhost/db"
        );
        assert_eq!(redact("sqlite://govtrust.db"), "sqlite://govtrust.db");
    }

    #[test]
    fn backends_by_scheme() {
        assert_eq!(Backend::of("sqlite://x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of("postgresql://h/d"), Some(Backend::Postgres));
        assert_eq!(Backend::of("mysql://h/d"), None);
    }

    #[test]
    fn each_backend_gets_its_key_type() {
        let sql = |b| migrator(b).iter().next().unwrap().sql.as_str().to_string();
        assert!(sql(Backend::Sqlite).contains("id INTEGER PRIMARY KEY,"));
        assert!(sql(Backend::Postgres).contains("id BIGSERIAL PRIMARY KEY,"));
        assert!(!sql(Backend::Postgres).contains("{id}"));
    }
}
