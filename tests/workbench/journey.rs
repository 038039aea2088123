//! The year's loop: a unit objects to a deduction, the office upholds it,
//! a run later the record no longer counts and the unit's total rises;
//! the run replays from its files alone. Deadlines in working days, and
//! the same loop through the pages' forms.

use axum::http::{StatusCode, header};
use serde_json::{Value, json};

use crate::case;
use crate::harness::{App, PASSWORD, ROOT};

/// D001's first deduction with no objection on it yet.
async fn a_deduction(app: &App, unit_cookie: &str, unit: &str) -> Value {
    let (_, u) = app
        .get(&format!("/api/units/{unit}"), Some(unit_cookie))
        .await;
    let (_, filed) = app.get("/api/objections", Some(unit_cookie)).await;
    let taken = |e: &Value| {
        filed
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["record_key"] == e["record_key"] && o["dataset"] == e["dataset"])
    };
    u["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["points"].as_f64().unwrap() < 0.0 && !taken(e))
        .cloned()
        .expect("the demo unit has a deduction")
}

case!(an_upheld_objection_lifts_the_deduction_at_the_next_run);
async fn an_upheld_objection_lifts_the_deduction_at_the_next_run(app: App) {
    let office = app.login("office").await;
    let d001 = app.login("d001").await;
    assert_eq!(app.run(&office).await["status"], "done");
    let (_, before) = app.get("/api/units/D001", Some(&d001)).await;
    let e = a_deduction(&app, &d001, "D001").await;
    let body = json!({"dataset": e["dataset"], "record_key": e["record_key"], "reason": "该事项已依法办结"});
    let (s, o) = app.post("/api/objections", Some(&d001), body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    assert_eq!(o["status"], "pending");
    // Filed today; due 15 working days later: at least 3 weeks on.
    let filed =
        chrono::NaiveDate::parse_from_str(o["filed_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let due = chrono::NaiveDate::parse_from_str(o["due_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert!((due - filed).num_days() >= 19, "{filed} → {due}");
    assert_eq!(
        app.post("/api/objections", Some(&d001), body).await.0,
        StatusCode::CONFLICT,
        "one per record"
    );

    let decide = format!("/api/objections/{}/decision", o["id"]);
    let (s, d) = app
        .post(
            &decide,
            Some(&office),
            json!({"status": "upheld", "reply": "经核实，异议成立，撤销该记录。"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["status"], "upheld");
    assert_eq!(
        app.post(
            &decide,
            Some(&office),
            json!({"status": "rejected", "reply": "改判"})
        )
        .await
        .0,
        StatusCode::CONFLICT,
        "decided once"
    );
    // Decisions take effect at the next run, never in the served one.
    let (_, still) = app.get("/api/units/D001", Some(&d001)).await;
    assert_eq!(still["total"], before["total"]);

    let r = app.run(&office).await;
    assert_eq!(r["status"], "done", "{r}");
    let (_, after) = app.get("/api/units/D001", Some(&d001)).await;
    let gone = after["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["record_key"] != e["record_key"] || x["dataset"] != e["dataset"]);
    assert!(gone, "the upheld record no longer counts");
    let (b, a) = (
        before["total"].as_f64().unwrap(),
        after["total"].as_f64().unwrap(),
    );
    assert!(a > b, "the total rises: {b} → {a}");

    // The run replays from its files: `assess --register RUNS/ID/objections.csv`
    // on the same scheme and data gives the same bytes.
    let id = r["id"].as_i64().unwrap();
    let run_dir = app.runs().join(id.to_string());
    let reg = std::fs::read_to_string(run_dir.join("objections.csv")).unwrap();
    assert!(
        reg.contains(&format!("{},D001,", e["record_key"].as_str().unwrap()))
            && reg.contains(",upheld,"),
        "{reg}"
    );
    let replay = app.dir.path().join("replay");
    let out = assert_cmd::Command::cargo_bin("govtrust")
        .unwrap()
        .current_dir(ROOT)
        .args(["assess", "--quiet", "--no-bulletin", "--register"])
        .arg(run_dir.join("objections.csv"))
        .arg("--out")
        .arg(&replay)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in [
        "scores.csv",
        "values.csv",
        "evidence.csv",
        "rejects.csv",
        "explain.json",
    ] {
        let served = std::fs::read(run_dir.join("report").join(f)).unwrap();
        assert_eq!(
            served,
            std::fs::read(replay.join(f)).unwrap(),
            "{f} replays byte for byte"
        );
    }
}

case!(a_pending_objection_past_its_due_day_is_overdue);
async fn a_pending_objection_past_its_due_day_is_overdue(app: App) {
    let office = app.login("office").await;
    let d001 = app.login("d001").await;
    app.run(&office).await;
    let e = a_deduction(&app, &d001, "D001").await;
    let (_, o) = app
        .post(
            "/api/objections",
            Some(&d001),
            json!({"dataset": e["dataset"], "record_key": e["record_key"], "reason": "异议"}),
        )
        .await;
    let (_, overdue) = app
        .get("/api/objections?status=overdue", Some(&office))
        .await;
    assert!(
        !overdue
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == o["id"]),
        "not yet"
    );
    // 15 working days are at most 4 weeks (with holidays, the calendar's):
    // 40 days on, it is overdue; the sessions (8 hours) have expired.
    app.st.clock.advance(chrono::Duration::days(40));
    assert_eq!(
        app.get("/api/me", Some(&office)).await.0,
        StatusCode::UNAUTHORIZED,
        "session expired"
    );
    let office = app.login("office").await;
    let (_, overdue) = app
        .get("/api/objections?status=overdue", Some(&office))
        .await;
    let mine: Vec<_> = overdue
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["id"] == o["id"])
        .collect();
    assert_eq!(mine.len(), 1, "{overdue}");
    assert_eq!(mine[0]["overdue"], true);
    let (_, pending) = app
        .get("/api/objections?status=pending", Some(&office))
        .await;
    assert!(
        pending
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == o["id"])
    );
    assert_eq!(
        app.get("/api/objections?status=lost", Some(&office))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // The overview marks it.
    let (s, page) = app.get("/", Some(&office)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.as_str().unwrap().contains("逾期未答复"));
}

/// The value of the first `name="csrf"` input of a page.
fn csrf(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    page[at..at + 64].to_string()
}

async fn form_login(app: &App, name: &str) -> String {
    let (s, h, _) = app
        .form(
            "/login",
            None,
            &[("name", name), ("password", PASSWORD)],
            Some("http://127.0.0.1:8080"),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    h.get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

case!(the_loop_through_the_pages);
async fn the_loop_through_the_pages(app: App) {
    let origin = Some("http://127.0.0.1:8080");
    let (s, h, _) = app
        .form(
            "/login",
            None,
            &[("name", "d001"), ("password", "wrong-password")],
            origin,
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(h.get(header::SET_COOKIE).is_none());
    let office = form_login(&app, "office").await;
    let (_, runs) = app.get("/runs", Some(&office)).await;
    let (s, h, _) = app
        .form(
            "/runs",
            Some(&office),
            &[("csrf", &csrf(runs.as_str().unwrap()))],
            origin,
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h.get(header::LOCATION).unwrap(), "/runs/1");
    for _ in 0..600 {
        if app.get("/api/runs/1", Some(&office)).await.1["status"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let d001 = form_login(&app, "d001").await;
    let (s, page) = app.get("/units/D001", Some(&d001)).await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap().to_string();
    assert!(
        page.contains("提出异议") && page.contains("考核结果反馈"),
        "{page}"
    );
    assert_eq!(
        app.get("/units/D002", Some(&d001)).await.0,
        StatusCode::FORBIDDEN
    );
    let e = a_deduction(&app, &d001, "D001").await;
    let (dataset, key) = (
        e["dataset"].as_str().unwrap(),
        e["record_key"].as_str().unwrap(),
    );
    // Markup in a reason is shown as text, never as markup.
    let reason = "<script>alert(1)</script>已办结";
    let fields = [
        ("csrf", csrf(&page)),
        ("dataset", dataset.into()),
        ("record_key", key.into()),
        ("reason", reason.into()),
    ];
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, _, _) = app
        .form("/units/D001/objections", Some(&d001), &f, origin)
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, list) = app
        .get("/api/objections?status=pending", Some(&office))
        .await;
    let o = list
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["record_key"] == key)
        .unwrap()
        .clone();
    let (_, review) = app
        .get(&format!("/objections/{}", o["id"]), Some(&office))
        .await;
    let review = review.as_str().unwrap().to_string();
    assert!(
        review.contains("&lt;script&gt;") && !review.contains("<script>"),
        "escaped"
    );
    assert!(review.contains("处理决定"));
    let fields = [
        ("csrf", csrf(&review)),
        ("status", "upheld".to_string()),
        ("reply", "异议成立".to_string()),
    ];
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, _, _) = app
        .form(
            &format!("/objections/{}/decision", o["id"]),
            Some(&office),
            &f,
            origin,
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/api/objections?status=upheld", Some(&office))
            .await
            .1
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["id"] == o["id"])
            .count(),
        1
    );
    let (s, audit) = app.get("/audit", Some(&office)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(audit.as_str().unwrap().contains("处理异议"));
}
