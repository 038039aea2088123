//! What the pages show, prepared for the templates (`templates/*.html`):
//! the environment and its filters, the page frame, the error page in
//! Chinese, and the tables the pages hold.

use std::path::Path;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Environment, Value, context};
use serde::Serialize;

use super::auth::Current;
use super::error::ApiError;
use super::register::Objection;
use super::results::{Results, run_dir};
use super::state::AppState;
use crate::report::explain::Explained;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("error.html", include_str!("templates/error.html")),
    ("overview.html", include_str!("templates/overview.html")),
    ("runs_table.html", include_str!("templates/runs_table.html")),
    ("unit.html", include_str!("templates/unit.html")),
    ("objection.html", include_str!("templates/objection.html")),
    ("runs.html", include_str!("templates/runs.html")),
    ("run.html", include_str!("templates/run.html")),
    ("audit.html", include_str!("templates/audit.html")),
];

/// The templates, HTML-escaped (by their `.html` names).
fn env() -> &'static Environment<'static> {
    static ENV: std::sync::OnceLock<Environment<'static>> = std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, src) in TEMPLATES {
            env.add_template(name, src)
                .expect("the workbench templates parse");
        }
        env.add_filter("f2", |x: f64| crate::report::fmt2(x));
        env.add_filter("local", |s: String| local(&s));
        env.add_filter("signed2", |x: f64| {
            let s = crate::report::fmt2(x);
            if s.starts_with('-') || s == "0.00" {
                s
            } else {
                format!("+{s}")
            }
        });
        env
    })
}

/// Any serialisable value as a template value.
pub fn ser<T: Serialize>(x: T) -> Value {
    Value::from(minijinja::value::Serde(x))
}

/// An RFC 3339 instant as Beijing time, to the minute.
fn local(s: &str) -> String {
    match super::db::parse_stamp(s) {
        Some(t) => (t + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => s.to_string(),
    }
}

fn status_titles() -> Value {
    context! {
        queued => "排队中", running => "运行中", done => "已完成", failed => "失败",
        pending => "待处理", upheld => "成立", rejected => "驳回", approved => "已批准修复",
    }
}

fn action_titles() -> Value {
    ser(std::collections::BTreeMap::from([
        ("login", "登录"),
        ("login.failed", "登录失败"),
        ("logout", "退出"),
        ("objection.file", "提出异议"),
        ("objection.decide", "处理异议"),
        ("repair.file", "申请信用修复"),
        ("repair.decide", "处理信用修复申请"),
        ("run.start", "发起考核运行"),
        ("run.done", "考核运行完成"),
        ("run.failed", "考核运行失败"),
        ("user.add", "新增用户"),
        ("user.passwd", "修改密码"),
        ("user.remove", "删除用户"),
        ("register.import", "导入异议登记"),
    ]))
}

/// Render `template` in the page frame.
pub fn page(
    st: &AppState,
    c: Option<&Current>,
    template: &str,
    title: &str,
    ctx: Value,
) -> Response {
    let frame = context! {
        title => title,
        scheme => st.scheme.name.clone(),
        me => c.map(|c| ser(&c.user)),
        role_title => c.map(|c| c.user.role.title()),
        csrf => c.map(|c| c.csrf.clone()),
        status_title => status_titles(),
        action_title => action_titles(),
    };
    let all = context! { ..frame, ..ctx };
    match env().get_template(template).and_then(|t| t.render(all)) {
        Ok(body) => html(StatusCode::OK, body),
        Err(e) => {
            eprintln!("govtrust serve: template {template}: {e:#}");
            html(
                StatusCode::INTERNAL_SERVER_ERROR,
                "内部错误：页面模板无法生成。".into(),
            )
        }
    }
}

/// The error page: what went wrong in Chinese, with the status.
pub fn error(st: &AppState, c: Option<&Current>, e: ApiError) -> Response {
    let message = match e.status {
        StatusCode::UNAUTHORIZED => "请先登录。".to_string(),
        StatusCode::FORBIDDEN => "无权进行此操作：被考核单位只能查看本单位的结果、对本单位的记录提出异议；异议由考核办公室处理。".to_string(),
        StatusCode::NOT_FOUND => "未找到所请求的内容（可能尚无考核结果）。".to_string(),
        StatusCode::CONFLICT => "该记录已有异议，或该异议已经处理，不能重复提交。".to_string(),
        StatusCode::UNPROCESSABLE_ENTITY => format!("提交的内容不符合要求：{}", zh(&e.message)),
        _ => "内部错误，请稍后再试；如仍出错，请联系系统管理员。".to_string(),
    };
    let mut r = page(
        st,
        c,
        "error.html",
        "无法完成操作",
        context! { message => message, back => "/" },
    );
    *r.status_mut() = e.status;
    r
}

/// The 422 reasons the register gives, in Chinese.
fn zh(m: &str) -> &'static str {
    if m.starts_with("reason is empty") {
        "请填写异议理由。"
    } else if m.starts_with("reply is empty") {
        "请填写书面答复。"
    } else if m.contains("longer than") {
        "文字过长（不超过2000字）。"
    } else if m.starts_with("status must be") {
        "请选择“成立”或“驳回”。"
    } else if m.contains("not in the evidence") || m.contains("in no unit's evidence") {
        "该记录不在本单位的扣分依据中，只能对本单位的记录提出异议。"
    } else if m.starts_with("no results") {
        "尚无考核结果。"
    } else {
        "请检查后重新提交。"
    }
}

#[derive(Serialize)]
pub struct Group {
    name: String,
    units: Vec<Value>,
}

/// Rankings per group, in the run's group order, by rank.
pub fn groups(e: &Explained) -> Vec<Group> {
    let mut by: Vec<(String, Vec<&crate::report::explain::Unit>)> = Vec::new();
    for u in &e.units {
        let name = if u.group_name.is_empty() {
            &u.group
        } else {
            &u.group_name
        };
        match by.iter_mut().find(|g| &g.0 == name) {
            Some(g) => g.1.push(u),
            None => by.push((name.clone(), vec![u])),
        }
    }
    by.into_iter()
        .map(|(name, mut members)| {
            members.sort_by_key(|u| u.rank);
            let units = members
                .iter()
                .map(|u| {
                    context! { unit_id => u.unit_id.clone(), unit_name => u.unit_name.clone(),
                    rank => u.rank, total => u.total, grade => u.grade.clone() }
                })
                .collect();
            Group { name, units }
        })
        .collect()
}

/// The run's SVG charts, by name.
pub fn charts(report: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(report.join("charts"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".svg"))
                .map(str::to_string)
        })
        .collect();
    v.sort();
    v
}

fn dataset_title(st: &AppState, id: &str) -> String {
    st.scheme
        .datasets
        .iter()
        .find(|d| d.id == id)
        .map_or_else(|| id.to_string(), |d| d.title.clone())
}

fn unit_name(res: Option<&Results>, id: &str) -> String {
    res.and_then(|r| r.unit(id))
        .map_or_else(|| id.to_string(), |u| u.unit_name.clone())
}

/// Objections with their unit's name and dataset's title.
pub fn objections(st: &AppState, res: Option<&Results>, list: &[Objection]) -> Vec<Value> {
    list.iter()
        .map(|o| {
            context! { ..ser(o), ..context! {
                unit_name => unit_name(res, &o.unit_id), dataset_title => dataset_title(st, &o.dataset) } }
        })
        .collect()
}

/// The review page of one objection.
pub fn objection(st: &AppState, res: Option<&Results>, o: &Objection, office: bool) -> Value {
    let e = res
        .and_then(|r| r.unit(&o.unit_id))
        .and_then(|u| super::results::line(u, &o.dataset, &o.record_key));
    let today = st.clock.today();
    let days_left =
        crate::calendar::parse_date(&o.due_on).map(|d| st.scheme.calendar.workdays(today, d));
    context! {
        o => ser(o),
        e => e.map(ser),
        unit_name => unit_name(res, &o.unit_id),
        dataset_title => dataset_title(st, &o.dataset),
        reply_days => st.scheme.objections.reply_days,
        days_left => days_left,
        can_decide => office && o.status == "pending",
    }
}

/// Units whose total, rank or grade changed from run `old` to run `new`.
pub fn changes(runs: &Path, old: i64, new: i64) -> Result<Vec<Value>, String> {
    let read = |id| {
        crate::history::Snapshot::read(&run_dir(runs, id).join("report")).map_err(|e| e.to_string())
    };
    let (a, b) = (read(old)?, read(new)?);
    Ok(crate::history::diff(&a, &b)
        .into_iter()
        .filter_map(|c| {
            let (o, n) = (c.old.as_ref()?, c.new.as_ref()?);
            let delta = n.total - o.total;
            let moved = crate::report::fmt2(delta) != "0.00" || o.rank != n.rank || o.grade != n.grade;
            moved.then(|| context! {
                name => n.name.clone(), old_total => crate::report::fmt2(o.total), new_total => crate::report::fmt2(n.total),
                delta => delta, old_rank => o.rank, new_rank => n.rank,
                old_grade => o.grade.clone(), new_grade => n.grade.clone(),
            })
        })
        .collect())
}

/// Audit entries with their states as JSON text.
pub fn audit(entries: &[super::audit::Entry]) -> Vec<Value> {
    let text =
        |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    entries
        .iter()
        .map(|a| {
            context! { at => a.at.clone(), actor => a.actor.clone(), action => a.action.clone(),
            target => a.target.clone(), before => text(&a.before), after => text(&a.after) }
        })
        .collect()
}

/// A page's body with its status.
pub fn html(status: StatusCode, body: String) -> Response {
    (status, axum::response::Html(body)).into_response()
}

/// A page's outcome: the page, a redirect, or an error page.
pub type Page = Result<Response, Response>;

/// The session, or a redirect to the login page.
pub async fn session(st: &AppState, headers: &HeaderMap) -> Result<Current, Response> {
    match super::auth::current(st, headers).await {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(Redirect::to("/login").into_response()),
        Err(e) => Err(error(st, None, ApiError::from(e))),
    }
}

// A page's error is a whole response, as axum handlers return it.
#[allow(clippy::result_large_err)]
pub fn check_csrf(st: &AppState, c: &Current, token: &str) -> Result<(), Response> {
    if token != c.csrf {
        return Err(error(
            st,
            Some(c),
            ApiError::forbidden("the form's CSRF token does not match the session"),
        ));
    }
    Ok(())
}
