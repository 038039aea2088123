//! A real `govtrust serve` process killed (SIGKILL) in the middle of a
//! run and in the middle of writes: on restart the database is intact,
//! every objection has its audit entry, the cut run is marked failed, and
//! the previous results are served.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{PASSWORD, ROOT};

/// One HTTP/1.1 request to 127.0.0.1:`port`: (status, body as JSON,
/// head). Panics when the server is gone.
fn call(
    port: u16,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<Value>,
) -> (u16, Value, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        req.push_str("Content-Type: application/json\r\n");
    }
    if let Some(c) = cookie {
        req.push_str(&format!("Cookie: {c}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(&body);
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, rest) = out.split_once("\r\n\r\n").unwrap();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    (
        status,
        serde_json::from_str(rest).unwrap_or(Value::Null),
        head.to_string(),
    )
}

struct Server {
    child: Child,
    port: u16,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("govtrust")
}

impl Server {
    fn start(db: &str, runs: &std::path::Path) -> Server {
        let port = free_port();
        let child = Command::new(bin())
            .current_dir(ROOT)
            .args([
                "serve",
                "--quiet",
                "--db",
                db,
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .arg("--runs")
            .arg(runs)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let t = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "the server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Server { child, port }
    }

    fn call(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value, String) {
        call(self.port, method, path, cookie, body)
    }

    fn login(&self) -> String {
        let (s, _, head) = self.call(
            "POST",
            "/api/login",
            None,
            Some(json!({"name": "office", "password": PASSWORD})),
        );
        assert_eq!(s, 200);
        let line = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
            .unwrap();
        line.split_once(':')
            .unwrap()
            .1
            .trim()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }

    fn wait_status(&self, cookie: &str, id: i64, want: &[&str]) -> String {
        let t = Instant::now();
        loop {
            let (_, r, _) = self.call("GET", &format!("/api/runs/{id}"), Some(cookie), None);
            let st = r["status"].as_str().unwrap_or("").to_string();
            if want.contains(&st.as_str()) {
                return st;
            }
            assert!(
                t.elapsed() < Duration::from_secs(300),
                "run {id} stayed {st}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill(mut self) {
        self.child.kill().unwrap(); // SIGKILL
        self.child.wait().unwrap();
    }
}

#[test]
fn a_server_killed_mid_run_and_mid_write_restarts_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("gt.db").display());
    let runs = dir.path().join("runs");
    let add = Command::new(bin())
        .args(["users", "add", "office", "--role", "office", "--db", &db])
        .current_dir(ROOT)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .and_then(|mut c| {
            c.stdin
                .take()
                .unwrap()
                .write_all(format!("{PASSWORD}\n").as_bytes())?;
            c.wait()
        })
        .unwrap();
    assert!(add.success());

    let s = Server::start(&db, &runs);
    let c = s.login();
    let (_, r, _) = s.call("POST", "/api/runs", Some(&c), Some(json!({})));
    assert_eq!(
        s.wait_status(&c, r["id"].as_i64().unwrap(), &["done", "failed"]),
        "done"
    );
    let (_, before, _) = s.call("GET", "/api/units/D001", Some(&c), None);
    // Killed during a run.
    let (_, r2, _) = s.call("POST", "/api/runs", Some(&c), Some(json!({})));
    let cut = r2["id"].as_i64().unwrap();
    assert_eq!(
        s.wait_status(&c, cut, &["running", "done"]),
        "running",
        "the run is still going when killed"
    );
    s.kill();

    let s = Server::start(&db, &runs);
    let c = s.login();
    let (_, r, _) = s.call("GET", &format!("/api/runs/{cut}"), Some(&c), None);
    assert_eq!(r["status"], "failed", "{r}");
    let (_, now, _) = s.call("GET", "/api/units/D001", Some(&c), None);
    assert_eq!(
        (&now["run"], &now["total"]),
        (&before["run"], &before["total"])
    );
    assert!(
        !runs.join(cut.to_string()).join("report").exists(),
        "no half report"
    );

    // Killed while objections are being filed, one after another.
    let evidence: Vec<Value> = (1..=60)
        .map(|i| {
            format!(
                "/api/units/{}{:03}",
                if i <= 40 { "D" } else { "T" },
                if i <= 40 { i } else { i - 40 }
            )
        })
        .flat_map(|u| {
            s.call("GET", &u, Some(&c), None).1["evidence"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .take(400)
        .collect();
    let port = s.port;
    let filer = std::thread::spawn({
        let c = c.clone();
        move || {
            let mut filed = 0;
            for e in evidence {
                let body = json!({"dataset": e["dataset"], "record_key": e["record_key"], "reason": "异议"});
                let ok = std::panic::catch_unwind(|| {
                    call(port, "POST", "/api/objections", Some(&c), Some(body)).0
                });
                match ok {
                    Ok(201) => filed += 1,
                    Ok(_) => {}
                    Err(_) => break, // the server is gone
                }
            }
            filed
        }
    });
    std::thread::sleep(Duration::from_millis(1500));
    s.kill();
    let filed = filer.join().unwrap();
    assert!(filed > 0, "some objections were filed before the kill");

    let s = Server::start(&db, &runs);
    let c = s.login();
    let (_, list, _) = s.call("GET", "/api/objections", Some(&c), None);
    let (_, audit, _) = s.call("GET", "/api/audit", Some(&c), None);
    let in_db = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["filed_by"] == "office")
        .count();
    let audited = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "objection.file")
        .count();
    assert!(
        in_db >= filed,
        "every acknowledged objection survived: {in_db} < {filed}"
    );
    assert_eq!(
        in_db, audited,
        "each objection with its audit entry, none without"
    );
    s.kill();
}
