//! `govtrust serve`: the web workbench (docs/server.md).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::server::{self, AppState, Config};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scheme: a directory of TOML files, or one file.
    #[arg(long, default_value = "indicators")]
    pub scheme: PathBuf,
    /// Data directory holding the files the scheme names.
    #[arg(long, default_value = "datasets/demo")]
    pub data: PathBuf,
    /// Where runs write: RUNS/ID/objections.csv and RUNS/ID/report/.
    #[arg(long, default_value = "reports/runs")]
    pub runs: PathBuf,
    #[command(flatten)]
    pub db: DbArg,
    /// Address to listen on. Keep it on localhost and put a reverse proxy
    /// with TLS in front (docs/server.md).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// A session ends this many hours after login.
    #[arg(long, default_value_t = 8)]
    pub session_hours: i64,
    /// Mark the session cookie `Secure`: set it when a TLS proxy serves
    /// the workbench.
    #[arg(long)]
    pub secure_cookie: bool,
    /// Runs write the tables only: no charts, bulletin or feedback forms.
    #[arg(long)]
    pub no_bulletin: bool,
}

#[derive(clap::Args, Debug, Clone)]
pub struct DbArg {
    /// The database: sqlite://FILE (created if missing) or
    /// postgres://USER:PASSWORD@HOST/DB.
    #[arg(long = "db", default_value = "sqlite://govtrust.db", global = true)]
    pub url: String,
}

/// A tokio runtime for the commands that talk to the database.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub fn run(a: &Args, quiet: bool) -> Result<ExitCode> {
    let mut config = Config::new(a.scheme.clone(), a.data.clone(), a.runs.clone());
    config.session_hours = a.session_hours;
    config.secure_cookie = a.secure_cookie;
    config.documents = !a.no_bulletin;
    runtime()?.block_on(async {
        let st = AppState::open(config, &a.db.url).await?;
        let users = server::users::count(&st.db).await?;
        if !quiet {
            println!("考核工作台：http://{}/", a.listen);
            println!("  数据库 {}，考核方案 {}，数据 {}，运行结果 {}", server::db::redact(&a.db.url), a.scheme.display(), a.data.display(), a.runs.display());
        }
        if users == 0 {
            eprintln!(
                "govtrust serve: no user yet: nobody can log in\n    hint: add the first office user with\n      govtrust users add NAME --role office --db {}\n    (it reads the password from standard input)",
                a.db.url
            );
        }
        server::serve(st, a.listen)
            .await
            .with_context(|| format!("cannot serve on {}", a.listen))
    })?;
    Ok(ExitCode::SUCCESS)
}
