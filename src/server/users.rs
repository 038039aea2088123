//! Users and their roles. Passwords are hashed with argon2id (PHC
//! strings, a random salt each); a login for an unknown name hashes
//! against a dummy so that it takes as long as a wrong password.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::Serialize;
use sqlx::Row;

use super::db::{Db, stamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// 信用办: everything.
    Office,
    /// 第三方评估机构: reads all results and starts runs; decides nothing.
    Evaluator,
    /// 被考核单位: its own unit's results only.
    Unit,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "office" => Some(Role::Office),
            "evaluator" => Some(Role::Evaluator),
            "unit" => Some(Role::Unit),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Office => "office",
            Role::Evaluator => "evaluator",
            Role::Unit => "unit",
        }
    }
    /// The role as the pages name it.
    pub fn title(self) -> &'static str {
        match self {
            Role::Office => "考核办公室",
            Role::Evaluator => "第三方评估机构",
            Role::Unit => "被考核单位",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    #[serde(skip)]
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub unit_id: Option<String>,
}

impl User {
    /// May this user see unit `unit_id`'s results?
    pub fn sees(&self, unit_id: &str) -> bool {
        self.role != Role::Unit || self.unit_id.as_deref() == Some(unit_id)
    }
}

/// A user from a row with the columns `id, name, role, unit_id`.
pub(super) fn user(r: &sqlx::any::AnyRow) -> Result<User, sqlx::Error> {
    let role: String = r.try_get("role")?;
    Ok(User {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        role: Role::parse(&role).ok_or_else(|| {
            sqlx::Error::Protocol(format!("users: unknown role {role:?} in the database"))
        })?,
        unit_id: r.try_get("unit_id")?,
    })
}

/// An argon2id PHC string for `password`.
pub fn hash(password: &str) -> String {
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 hashes any password")
        .to_string()
}

fn verifies(password: &str, phc: &str) -> bool {
    argon2::Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// A hash of no one's password, checked against when the name is unknown.
fn dummy() -> &'static str {
    static D: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    D.get_or_init(|| hash("govtrust: no such user"))
}

pub async fn by_name(db: &Db, name: &str) -> Result<Option<User>, sqlx::Error> {
    sqlx::query("SELECT id, name, role, unit_id FROM users WHERE name = $1")
        .bind(name.to_string())
        .fetch_optional(&db.pool)
        .await?
        .as_ref()
        .map(user)
        .transpose()
}

pub async fn list(db: &Db) -> Result<Vec<User>, sqlx::Error> {
    sqlx::query("SELECT id, name, role, unit_id FROM users ORDER BY name")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(user)
        .collect()
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(&db.pool)
        .await?
        .try_get("n")
}

/// The user, if `password` is theirs. Unknown names cost a hash too.
pub async fn verify(db: &Db, name: &str, password: &str) -> Result<Option<User>, sqlx::Error> {
    let row =
        sqlx::query("SELECT id, name, role, unit_id, password_hash FROM users WHERE name = $1")
            .bind(name.to_string())
            .fetch_optional(&db.pool)
            .await?;
    let phc: String = match &row {
        Some(r) => r.try_get("password_hash")?,
        None => dummy().to_string(),
    };
    let pw = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verifies(&pw, &phc))
        .await
        .unwrap_or(false);
    match (row, ok) {
        (Some(r), true) => Ok(Some(user(&r)?)),
        _ => Ok(None),
    }
}

/// Add a user (the CLI checks the name, role and unit first).
pub async fn add(
    db: &Db,
    name: &str,
    role: Role,
    unit_id: Option<&str>,
    password: &str,
    now: chrono::DateTime<chrono::Utc>,
    actor: &str,
) -> Result<(), sqlx::Error> {
    let phc = hash(password);
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO users (name, role, unit_id, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(name.to_string())
    .bind(role.as_str())
    .bind(unit_id.map(str::to_string))
    .bind(phc)
    .bind(stamp(now))
    .execute(&mut *tx)
    .await?;
    let after = serde_json::json!({"name": name, "role": role.as_str(), "unit_id": unit_id});
    super::audit::append(&mut *tx, now, actor, "user.add", name, None, Some(after)).await?;
    tx.commit().await
}

/// Set a new password; ends the user's sessions. False: no such user.
pub async fn passwd(
    db: &Db,
    name: &str,
    password: &str,
    now: chrono::DateTime<chrono::Utc>,
    actor: &str,
) -> Result<bool, sqlx::Error> {
    let Some(u) = by_name(db, name).await? else {
        return Ok(false);
    };
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash(password))
        .bind(u.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(u.id)
        .execute(&mut *tx)
        .await?;
    super::audit::append(&mut *tx, now, actor, "user.passwd", name, None, None).await?;
    tx.commit().await?;
    Ok(true)
}

/// Remove a user and end their sessions. False: no such user.
pub async fn remove(
    db: &Db,
    name: &str,
    now: chrono::DateTime<chrono::Utc>,
    actor: &str,
) -> Result<bool, sqlx::Error> {
    let Some(u) = by_name(db, name).await? else {
        return Ok(false);
    };
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(u.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(u.id)
        .execute(&mut *tx)
        .await?;
    let before = serde_json::json!({"name": u.name, "role": u.role.as_str(), "unit_id": u.unit_id});
    super::audit::append(
        &mut *tx,
        now,
        actor,
        "user.remove",
        name,
        Some(before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_hashes_verify_and_differ() {
        let a = hash("correct horse");
        let b = hash("correct horse");
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "a random salt each time");
        assert!(verifies("correct horse", &a));
        assert!(!verifies("wrong", &a));
    }

    #[test]
    fn a_unit_user_sees_only_its_unit() {
        let u = User {
            id: 1,
            name: "x".into(),
            role: Role::Unit,
            unit_id: Some("D001".into()),
        };
        assert!(u.sees("D001"));
        assert!(!u.sees("D002"));
        let o = User {
            role: Role::Evaluator,
            unit_id: None,
            ..u
        };
        assert!(o.sees("D002"));
    }
}
