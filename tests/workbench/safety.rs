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

/// An office moving to the workbench with a register Excel saved as
/// GB18030 (`[objections] encoding = "gb18030"`): a first start takes its
/// rows in with their Chinese intact (before, it was read as UTF-8 and
/// the start failed), and a run reads the UTF-8 register the workbench
/// writes for it, not as the scheme's GB18030.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gb18030_register_is_taken_in_and_runs_read_their_own_utf8_one() {
    use crate::harness::{Backend, ROOT};
    use std::path::Path;
    let dir = tempfile::tempdir().unwrap();
    let (scheme, data) = (dir.path().join("scheme"), dir.path().join("data"));
    for (from, to) in [("indicators", &scheme), ("datasets/demo", &data)] {
        copy_dir(&Path::new(ROOT).join(from), to);
    }
    let text = std::fs::read_to_string(data.join("objections.csv")).unwrap();
    std::fs::write(
        data.join("objections.csv"),
        encoding_rs::GB18030
            .encode(text.trim_start_matches('\u{feff}'))
            .0,
    )
    .unwrap();
    let toml = std::fs::read_to_string(scheme.join("scheme.toml")).unwrap();
    let declared = toml.replacen(
        "file = \"objections.csv\"",
        "file = \"objections.csv\"\nencoding = \"gb18030\"",
        1,
    );
    assert_ne!(declared, toml);
    std::fs::write(scheme.join("scheme.toml"), declared).unwrap();
    let db = tempfile::tempdir().unwrap();
    let app = crate::harness::App::new_on(Backend::Sqlite, db, (scheme, data))
        .await
        .unwrap();
    // The demo register's first row, as its reason reads in UTF-8.
    let reasons: Vec<String> = sqlx::query("SELECT reason FROM objections ORDER BY id")
        .fetch_all(&app.st.db.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("reason"))
        .collect();
    assert_eq!(reasons[0], "记录所涉事项在登记前已依法办结，不应列为失信");
    let office = app.login("office").await;
    let run = app.run(&office).await;
    assert_eq!(run["status"], "done", "{run}");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}
