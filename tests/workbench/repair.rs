//! Repair applications (信用修复申请): approved, the repair date enters
//! the next run's register as `repaired_on`, and the record's deduction
//! is multiplied by the scheme's `repair_factor` (0.5 in the bundled
//! scheme), as if the dataset's own `repaired_on` column carried it.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::case;
use crate::harness::App;

/// A deduction that can be repaired (a dataset with `repaired_on`, here
/// the dishonesty records) and is not repaired yet: (unit, record).
async fn repairable(app: &App, office: &str) -> (String, Value) {
    let (_, all) = app.get("/api/units", Some(office)).await;
    for u in all.as_array().unwrap() {
        let id = u["unit_id"].as_str().unwrap();
        let (_, d) = app.get(&format!("/api/units/{id}"), Some(office)).await;
        if let Some(e) = d["evidence"].as_array().unwrap().iter().find(|e| {
            e["dataset"] == "dishonesty" && e["points"].as_f64().unwrap() < 0.0 && e["note"] == ""
        }) {
            return (id.to_string(), e.clone());
        }
    }
    panic!("the demo data has an unrepaired dishonesty deduction");
}

case!(an_approved_repair_halves_the_deduction_at_the_next_run);
async fn an_approved_repair_halves_the_deduction_at_the_next_run(app: App) {
    let office = app.login("office").await;
    let evaluator = app.login("evaluator").await;
    let d001 = app.login("d001").await;
    app.run(&office).await;
    // Enterprise complaints have no repaired_on column: no repair there.
    let (_, mine) = app.get("/api/units/D001", Some(&d001)).await;
    let complaint = mine["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["dataset"] == "enterprise")
        .unwrap();
    let body = |e: &Value| json!({"dataset": e["dataset"], "record_key": e["record_key"], "reason": "已整改到位"});
    assert_eq!(
        app.post("/api/repairs", Some(&d001), body(complaint))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let (unit, e) = repairable(&app, &office).await;
    let (_, before) = app.get(&format!("/api/units/{unit}"), Some(&office)).await;
    let (s, r) = app.post("/api/repairs", Some(&office), body(&e)).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(
        (
            r["kind"].as_str(),
            r["status"].as_str(),
            r["unit_id"].as_str()
        ),
        (Some("repair"), Some("pending"), Some(unit.as_str()))
    );
    assert_eq!(
        app.post("/api/repairs", Some(&office), body(&e)).await.0,
        StatusCode::CONFLICT
    );
    let decide = format!("/api/repairs/{}/decision", r["id"]);
    let approve =
        json!({"status": "approved", "reply": "整改到位，准予修复。", "repaired_on": "2025-11-30"});
    assert_eq!(
        app.post(&decide, Some(&evaluator), approve.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            &decide,
            Some(&office),
            json!({"status": "upheld", "reply": "x"})
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a repair is approved, not upheld"
    );
    let (s, d) = app.post(&decide, Some(&office), approve).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["repaired_on"], "2025-11-30");

    let run = app.run(&office).await;
    assert_eq!(run["status"], "done", "{run}");
    // The register carries the repair, on a row of its own (no objection
    // on that record): status none, repaired_on the approved day.
    let reg = std::fs::read_to_string(
        app.runs()
            .join(run["id"].to_string())
            .join("objections.csv"),
    )
    .unwrap();
    assert!(
        reg.lines().next().unwrap().ends_with(",repaired_on"),
        "{reg}"
    );
    let row = reg
        .lines()
        .find(|l| l.contains(e["record_key"].as_str().unwrap()))
        .unwrap();
    assert!(
        row.starts_with(&format!(
            "dishonesty,{},{unit},",
            e["record_key"].as_str().unwrap()
        )) && row.contains(",none,")
            && row.ends_with(",2025-11-30"),
        "{row}"
    );
    // The deduction is halved (repair_factor = 0.5) and noted.
    let (_, after) = app.get(&format!("/api/units/{unit}"), Some(&office)).await;
    let now = after["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["record_key"] == e["record_key"])
        .unwrap();
    assert_eq!(
        now["points"].as_f64().unwrap(),
        e["points"].as_f64().unwrap() * 0.5,
        "{now}"
    );
    assert!(now["note"].as_str().unwrap().contains("repaired"), "{now}");
    assert!(after["total"].as_f64().unwrap() >= before["total"].as_f64().unwrap());
    let (_, log) = app.get("/api/audit", Some(&office)).await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "repair.decide" && a["after"]["repaired_on"] == "2025-11-30")
    );
}
