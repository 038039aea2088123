//! Who may call what: no session is 401 everywhere but health and login;
//! a role's or a unit's forbidden call is 403 (or 422 for a record that
//! is not the unit's own); the API takes only JSON writes.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

use crate::case;
use crate::harness::{App, PASSWORD};

case!(without_a_session_only_health_and_login_answer);
async fn without_a_session_only_health_and_login_answer(app: App) {
    assert_eq!(app.get("/api/health", None).await.0, StatusCode::OK);
    for uri in [
        "/api/me",
        "/api/units",
        "/api/units/D001",
        "/api/objections",
        "/api/runs",
        "/api/runs/1",
        "/api/audit",
    ] {
        assert_eq!(
            app.get(uri, None).await.0,
            StatusCode::UNAUTHORIZED,
            "GET {uri}"
        );
    }
    for uri in [
        "/api/logout",
        "/api/objections",
        "/api/objections/1/decision",
        "/api/runs",
    ] {
        assert_eq!(
            app.post(uri, None, json!({})).await.0,
            StatusCode::UNAUTHORIZED,
            "POST {uri}"
        );
    }
    // A forged cookie is no session either.
    let fake = "govtrust_session=00112233";
    assert_eq!(
        app.get("/api/me", Some(fake)).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Pages send the visitor to the login page.
    let (s, _, _) = app
        .call(Request::get("/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}

case!(wrong_password_and_unknown_user_get_the_same_answer);
async fn wrong_password_and_unknown_user_get_the_same_answer(app: App) {
    let wrong = app
        .post(
            "/api/login",
            None,
            json!({"name": "office", "password": "nope-nope"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/login",
            None,
            json!({"name": "nobody", "password": PASSWORD}),
        )
        .await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong, unknown, "no user enumeration");
    let c = app.login("d001").await;
    let (s, me) = app.get("/api/me", Some(&c)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        me,
        json!({"name": "d001", "role": "unit", "unit_id": "D001"})
    );
}

case!(the_session_cookie_is_httponly_and_strict);
async fn the_session_cookie_is_httponly_and_strict(app: App) {
    let req = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"name": "office", "password": PASSWORD}).to_string(),
        ))
        .unwrap();
    let (_, h, _) = app.call(req).await;
    let c = h.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(
        c.contains("HttpOnly") && c.contains("SameSite=Strict"),
        "{c}"
    );
    assert!(!c.contains("Secure"), "not behind TLS by default: {c}");
}

case!(each_role_reaches_what_it_may);
async fn each_role_reaches_what_it_may(app: App) {
    let office = app.login("office").await;
    let evaluator = app.login("evaluator").await;
    let d001 = app.login("d001").await;
    // A unit neither starts nor lists runs; the evaluator does.
    assert_eq!(
        app.post("/api/runs", Some(&d001), json!({})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/runs", Some(&d001)).await.0,
        StatusCode::FORBIDDEN
    );
    let r = app.run(&evaluator).await;
    assert_eq!(r["status"], "done", "{r}");
    assert_eq!(
        app.get("/api/runs", Some(&evaluator)).await.0,
        StatusCode::OK
    );

    // Results: everyone sees the 60 demo units but a unit, which sees
    // its own.
    for c in [&office, &evaluator] {
        let (s, list) = app.get("/api/units", Some(c)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 60);
    }
    let (_, own) = app.get("/api/units", Some(&d001)).await;
    assert_eq!(own.as_array().unwrap().len(), 1);
    assert_eq!(own[0]["unit_id"], "D001");
    assert_eq!(
        app.get("/api/units/D001", Some(&d001)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/units/D002", Some(&d001)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/units/D002", Some(&evaluator)).await.0,
        StatusCode::OK
    );

    // Objections: a unit only on its own records; the evaluator files
    // and decides nothing.
    // A record of another unit (the first with evidence after D001).
    let (_, all) = app.get("/api/units", Some(&office)).await;
    let mut theirs = serde_json::Value::Null;
    for u in all
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["unit_id"] != "D001")
    {
        let (_, d) = app
            .get(
                &format!("/api/units/{}", u["unit_id"].as_str().unwrap()),
                Some(&office),
            )
            .await;
        if let Some(e) = d["evidence"].as_array().and_then(|v| v.first()) {
            theirs = e.clone();
            break;
        }
    }
    let theirs = &theirs;
    let on = |e: &serde_json::Value| json!({"dataset": e["dataset"], "record_key": e["record_key"], "reason": "不是本单位的记录"});
    assert_eq!(
        app.post("/api/objections", Some(&d001), on(theirs)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.post("/api/objections", Some(&evaluator), on(theirs))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, o) = app.post("/api/objections", Some(&office), on(theirs)).await;
    assert_eq!(s, StatusCode::CREATED, "the office files for the unit: {o}");
    assert_ne!(o["unit_id"], "D001");
    let decide = format!("/api/objections/{}/decision", o["id"]);
    let body = json!({"status": "rejected", "reply": "维持原记录"});
    assert_eq!(
        app.post(&decide, Some(&evaluator), body.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&decide, Some(&d001), body.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    // A unit does not see another unit's objections.
    let (_, mine) = app.get("/api/objections", Some(&d001)).await;
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|o| o["unit_id"] == "D001"),
        "{mine}"
    );
    // The audit log is the office's.
    assert_eq!(
        app.get("/api/audit", Some(&evaluator)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/audit", Some(&d001)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get("/api/audit", Some(&office)).await.0, StatusCode::OK);
    // Logout ends the session.
    assert_eq!(
        app.post("/api/logout", Some(&d001), json!({})).await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/me", Some(&d001)).await.0,
        StatusCode::UNAUTHORIZED
    );
}

case!(writes_must_be_json_and_same_site);
async fn writes_must_be_json_and_same_site(app: App) {
    let office = app.login("office").await;
    let req = Request::post("/api/runs")
        .header(header::COOKIE, &office)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(app.call(req).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A form another site posts with the office's cookie (were the
    // browser to send it) is refused before any handler.
    let (s, _, _) = app
        .form(
            "/runs",
            Some(&office),
            &[("csrf", "x")],
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Same site, wrong CSRF token: refused too.
    let (s, _, _) = app
        .form(
            "/runs",
            Some(&office),
            &[("csrf", "x")],
            Some("http://127.0.0.1:8080"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, runs) = app.get("/api/runs", Some(&office)).await;
    assert_eq!(runs, json!([]), "no run was started");
    // A body over the limit is refused.
    let big = "x".repeat(govtrust::server::MAX_BODY + 1);
    let (s, _) = app
        .post(
            "/api/objections",
            Some(&office),
            json!({"dataset": "a", "record_key": "b", "reason": big}),
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
}
