//! The login limit, the audit log, and what a stopped server leaves: the
//! database consistent, the previous results served.

use axum::http::StatusCode;
use serde_json::json;
use sqlx::Row;

use crate::case;
use crate::harness::{App, PASSWORD};

case!(ten_failed_logins_lock_the_name_for_fifteen_minutes);
async fn ten_failed_logins_lock_the_name_for_fifteen_minutes(app: App) {
    for _ in 0..10 {
        let (s, _) = app
            .post(
                "/api/login",
                None,
                json!({"name": "office", "password": "guess-guess"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password waits.
    let (s, _) = app
        .post(
            "/api/login",
            None,
            json!({"name": "office", "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    app.st.clock.advance(chrono::Duration::minutes(16));
    let (s, _) = app
        .post(
            "/api/login",
            None,
            json!({"name": "office", "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
}

case!(the_audit_log_records_every_change_and_cannot_be_edited);
async fn the_audit_log_records_every_change_and_cannot_be_edited(app: App) {
    let _ = app
        .post(
            "/api/login",
            None,
            json!({"name": "d001", "password": "not-it-at-all"}),
        )
        .await;
    let office = app.login("office").await;
    let d001 = app.login("d001").await;
    app.run(&office).await;
    let (_, u) = app.get("/api/units/D001", Some(&d001)).await;
    let e = &u["evidence"][0];
    let (_, o) = app
        .post(
            "/api/objections",
            Some(&d001),
            json!({"dataset": e["dataset"], "record_key": e["record_key"], "reason": "理由"}),
        )
        .await;
    app.post(
        &format!("/api/objections/{}/decision", o["id"]),
        Some(&office),
        json!({"status": "rejected", "reply": "维持"}),
    )
    .await;
    let (_, log) = app.get("/api/audit", Some(&office)).await;
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for want in [
        "user.add",
        "register.import",
        "login.failed",
        "login",
        "run.start",
        "run.done",
        "objection.file",
        "objection.decide",
    ] {
        assert!(actions.contains(&want), "{want} missing from {actions:?}");
    }
    let decision = log
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "objection.decide")
        .unwrap();
    assert_eq!(decision["actor"], "office");
    assert_eq!(decision["before"]["status"], "pending");
    assert_eq!(decision["after"]["status"], "rejected");
    // Append-only, by the database itself.
    assert!(
        sqlx::query("UPDATE audit SET actor = 'someone else'")
            .execute(&app.st.db.pool)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM audit")
            .execute(&app.st.db.pool)
            .await
            .is_err()
    );
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit")
        .fetch_one(&app.st.db.pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(n as usize, actions.len());
}

case!(a_run_cut_short_by_a_stop_leaves_the_previous_results_served);
async fn a_run_cut_short_by_a_stop_leaves_the_previous_results_served(app: App) {
    let office = app.login("office").await;
    app.run(&office).await;
    let (_, before) = app.get("/api/units/D001", Some(&office)).await;
    // A run the server was in the middle of when it stopped: its row
    // says running, its directory holds a register and no report.
    let row = sqlx::query("INSERT INTO runs (status, started_by, queued_at, started_at, register_rows) VALUES ('running', 'office', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', 0) RETURNING id")
        .fetch_one(&app.st.db.pool).await.unwrap();
    let cut: i64 = row.try_get("id").unwrap();
    std::fs::create_dir_all(app.runs().join(cut.to_string())).unwrap();
    std::fs::write(
        app.runs().join(cut.to_string()).join("objections.csv"),
        "partial",
    )
    .unwrap();
    let app = app.restart().await;
    let office = app.login("office").await;
    let (_, r) = app.get(&format!("/api/runs/{cut}"), Some(&office)).await;
    assert_eq!(r["status"], "failed", "{r}");
    let (_, now) = app.get("/api/units/D001", Some(&office)).await;
    assert_eq!(now["run"], before["run"]);
    assert_eq!(now["total"], before["total"]);
    // The next run works, and its directory is new.
    let next = app.run(&office).await;
    assert_eq!(next["status"], "done", "{next}");
    assert!(next["id"].as_i64().unwrap() > cut);
    // The cut run's directory is left as it was.
    assert_eq!(
        std::fs::read_to_string(app.runs().join(cut.to_string()).join("objections.csv")).unwrap(),
        "partial"
    );
}
