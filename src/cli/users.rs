//! `govtrust users`: the workbench's users (docs/server.md). Passwords
//! are read from standard input, one line, never from the command line.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::serve::{DbArg, runtime};
use crate::server::db::Db;
use crate::server::users::{self, Role};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
    #[command(flatten)]
    pub db: DbArg,
}

#[derive(clap::Subcommand, Debug)]
pub enum Sub {
    /// Add a user; the password is read from standard input (one line).
    #[command(
        after_help = "Examples:\n  echo 's3cret-pass' | govtrust users add office1 --role office\n  govtrust users add jyj --role unit --unit D002 < password.txt"
    )]
    Add {
        name: String,
        /// office (考核办公室), evaluator (第三方评估机构) or unit (被考核单位).
        #[arg(long, value_parser = ["office", "evaluator", "unit"])]
        role: String,
        /// The unit a `unit` user belongs to (its unit_id in units.csv).
        #[arg(long)]
        unit: Option<String>,
        #[command(flatten)]
        inputs: super::Inputs,
    },
    /// List the users and their roles.
    List,
    /// Set a user's password (read from standard input); ends their sessions.
    Passwd { name: String },
    /// Remove a user; ends their sessions.
    Remove { name: String },
}

/// The shortest password taken.
const MIN_PASSWORD: usize = 8;

fn password() -> Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let pw = line.trim_end_matches(['\n', '\r']).to_string();
    if pw.chars().count() < MIN_PASSWORD {
        bail!(
            "the password (read from standard input, one line) has fewer than {MIN_PASSWORD} characters"
        );
    }
    Ok(pw)
}

/// Who made a change from the command line, for the audit log.
fn actor() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

pub fn run(a: &Args, quiet: bool) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let db = Db::open(&a.db.url).await?;
        let now = chrono::Utc::now();
        match &a.command {
            Sub::Add {
                name,
                role,
                unit,
                inputs,
            } => {
                let role = Role::parse(role).expect("clap checked the role");
                check_name(name)?;
                let unit = match (role, unit) {
                    (Role::Unit, None) => {
                        bail!("a unit user needs --unit UNIT_ID (the unit_id in the unit register)")
                    }
                    (Role::Unit, Some(u)) => Some(check_unit(inputs, u)?),
                    (_, Some(_)) => bail!("--unit is for --role unit only"),
                    (_, None) => None,
                };
                if users::by_name(&db, name).await?.is_some() {
                    bail!("user {name:?} exists\n    hint: govtrust users passwd {name}");
                }
                let pw = password()?;
                users::add(&db, name, role, unit.as_deref(), &pw, now, &actor()).await?;
                if !quiet {
                    println!(
                        "已添加用户 {name}（{}{}）",
                        role.title(),
                        unit.map(|u| format!("，{u}")).unwrap_or_default()
                    );
                }
            }
            Sub::List => {
                for u in users::list(&db).await? {
                    println!(
                        "{}\t{}\t{}",
                        u.name,
                        u.role.as_str(),
                        u.unit_id.unwrap_or_default()
                    );
                }
            }
            Sub::Passwd { name } => {
                let pw = password()?;
                if !users::passwd(&db, name, &pw, now, &actor()).await? {
                    bail!("no user {name:?}\n    hint: govtrust users list");
                }
                if !quiet {
                    println!("已修改用户 {name} 的密码，其已登录的会话均已失效");
                }
            }
            Sub::Remove { name } => {
                if !users::remove(&db, name, now, &actor()).await? {
                    bail!("no user {name:?}\n    hint: govtrust users list");
                }
                if !quiet {
                    println!("已删除用户 {name}");
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && !name.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        bail!("user name {name:?}: 1 to 64 characters, no spaces");
    }
    Ok(())
}

/// The unit must be in the unit register, so that its user sees results.
fn check_unit(inputs: &super::Inputs, unit: &str) -> Result<String> {
    let scheme = inputs.load_scheme()?;
    let (units, _, _) = crate::data::units::load(&scheme, &inputs.data)?;
    if units.index_of(unit).is_none() {
        bail!(
            "--unit {unit:?}: not in the unit register of {}\n    hint: give a unit_id from {}, or --scheme/--data for another register",
            inputs.data.display(),
            inputs.data.join(&scheme.units.file).display()
        );
    }
    Ok(unit.to_string())
}
