//! Sessions and the checks every request passes. A session is a random
//! 256-bit token in an `HttpOnly; SameSite=Strict` cookie; the database
//! keeps only its BLAKE3 hash, with the user, a CSRF token for the pages'
//! forms, and when it expires (`--session-hours` after login).
//! State-changing requests from another site are refused twice over: by
//! their `Origin` / `Sec-Fetch-Site` headers, and, for the JSON API, by
//! requiring `Content-Type: application/json`, which no HTML form can
//! send.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::Row;

use super::db::{Db, parse_stamp, stamp};
use super::error::ApiError;
use super::state::AppState;
use super::users::{self, User};

pub const COOKIE: &str = "govtrust_session";

fn random_hex() -> String {
    let mut b = [0u8; 32];
    rand::fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn token_hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

/// Start a session for `user`: the cookie's token.
pub async fn create(db: &Db, user: &User, st: &AppState) -> Result<String, sqlx::Error> {
    let token = random_hex();
    let now = st.clock.now();
    let expires = now + chrono::Duration::hours(st.config.session_hours);
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(user.id)
    .bind(random_hex())
    .bind(stamp(now))
    .bind(stamp(expires))
    .execute(&db.pool)
    .await?;
    Ok(token)
}

/// The `Set-Cookie` value for a new session, or (`None`) one that ends it.
pub fn cookie(token: Option<&str>, st: &AppState) -> String {
    let secure = if st.config.secure_cookie {
        "; Secure"
    } else {
        ""
    };
    match token {
        Some(t) => format!(
            "{COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            st.config.session_hours * 3600
        ),
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// The logged-in user of a request, and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Current {
    pub user: User,
    pub csrf: String,
    token_hash: String,
}

impl Current {
    /// End this session.
    pub async fn end(&self, db: &Db) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(self.token_hash.clone())
            .execute(&db.pool)
            .await?;
        Ok(())
    }
}

/// The session the request's cookie names, if it is live.
pub async fn current(st: &AppState, headers: &HeaderMap) -> Result<Option<Current>, sqlx::Error> {
    let Some(token) = cookie_token(headers) else {
        return Ok(None);
    };
    let th = token_hash(&token);
    // The session and its user in one query: every request asks.
    let Some(row) = sqlx::query(
        "SELECT s.csrf, s.expires_at, u.id, u.name, u.role, u.unit_id FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(th.clone())
    .fetch_optional(&st.db.pool)
    .await?
    else {
        return Ok(None);
    };
    let expires: String = row.try_get("expires_at")?;
    if parse_stamp(&expires).is_none_or(|e| e <= st.clock.now()) {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(th)
            .execute(&st.db.pool)
            .await?;
        return Ok(None);
    }
    Ok(Some(Current {
        user: users::user(&row)?,
        csrf: row.try_get("csrf")?,
        token_hash: th,
    }))
}

impl FromRequestParts<AppState> for Current {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        st: &AppState,
    ) -> Result<Self, Self::Rejection> {
        current(st, &parts.headers)
            .await?
            .ok_or_else(ApiError::unauthorized)
    }
}

/// Is a state-changing request from another site? By `Sec-Fetch-Site`
/// where the browser sends it, else by `Origin` against `Host`.
fn cross_site(headers: &HeaderMap) -> bool {
    let get = |h: header::HeaderName| headers.get(h).and_then(|v| v.to_str().ok());
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match (get(header::ORIGIN), get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let o = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            o != host
        }
        (Some(_), None) => true,
        _ => false,
    }
}

/// The checks before any handler: cross-site writes are refused (403),
/// and the API's writes must be JSON (415).
pub async fn guard(State(_): State<AppState>, req: Request, next: Next) -> Response {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if writes && cross_site(req.headers()) {
        return ApiError::forbidden("cross-site request refused").into_response();
    }
    if writes && req.uri().path().starts_with("/api/") {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !json {
            return ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "state-changing calls take Content-Type: application/json",
            )
            .into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(kv: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in kv {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn cross_site_by_fetch_metadata_then_origin() {
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(cross_site(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(!cross_site(&headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080")
        ])));
        // Tools (curl, an OA system) send neither: not a browser's
        // cross-site request.
        assert!(!cross_site(&headers(&[("host", "127.0.0.1:8080")])));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let h = headers(&[("cookie", "a=1; govtrust_session=abc; b=2")]);
        assert_eq!(cookie_token(&h).as_deref(), Some("abc"));
        assert_eq!(cookie_token(&headers(&[("cookie", "a=1")])), None);
    }
}
