//! Trust at the edges, on the output side (docs/scheme.md section 9; issue 9,
//! findings 1 and 2): `--out` replaces only a new or empty directory or
//! an earlier output of the same command, never an input, never a file;
//! the replacement is atomic whatever moment the run is killed at; two
//! runs into one path never mix; stale staging directories are cleaned.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn govtrust() -> Command {
    Command::cargo_bin("govtrust").unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir` with its bytes (manifest timings dropped, the
/// one part of an output that may differ between identical runs).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
                continue;
            }
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let mut bytes = std::fs::read(&p).unwrap_or_default();
            if rel.ends_with("manifest.json") {
                if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                    v.as_object_mut().map(|m| m.remove("timings_ms"));
                    bytes = serde_json::to_vec(&v).unwrap();
                }
            }
            out.insert(rel, bytes);
        }
    }
    out
}

/// A work directory like a careless user's: the golden scheme and data,
/// and notes of their own.
fn work() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let w = t.path().join("work");
    for sub in ["scheme", "data"] {
        std::fs::create_dir_all(w.join(sub)).unwrap();
        for e in std::fs::read_dir(Path::new("tests/fixtures/golden").join(sub)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, w.join(sub).join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(w.join("notes.txt"), "考核工作笔记").unwrap();
    (t, w)
}

fn assess(w: &Path, out: &Path) -> Command {
    let mut c = govtrust();
    c.args(["assess", "--quiet", "--no-bulletin", "--scheme"])
        .arg(w.join("scheme"))
        .arg("--data")
        .arg(w.join("data"))
        .arg("--out")
        .arg(out);
    c
}

// Finding 1: the careless commands lose nothing.
#[test]
fn careless_out_paths_are_refused_and_touch_nothing() {
    let (t, w) = work();
    let home = t.path().join("home");
    std::fs::create_dir_all(home.join("Documents")).unwrap();
    std::fs::write(home.join("Documents/a.txt"), "x").unwrap();
    std::fs::write(t.path().join("file.txt"), "a file").unwrap();
    let before = tree(t.path());
    let cases: Vec<(PathBuf, &str)> = vec![
        (w.clone(), "it contains the scheme"),
        (w.join("data"), "it is the data directory"),
        (w.join("scheme"), "it is the scheme"),
        (w.join("data/report"), "it lies inside the data directory"),
        (home.clone(), "not an earlier govtrust assess output"),
        (t.path().join("file.txt"), "it is a file"),
    ];
    for (out, why) in &cases {
        let o = assess(&w, out).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", out.display());
        let e = stderr(&o);
        assert!(
            e.contains(&out.display().to_string()) && e.contains(why),
            "{e}"
        );
        assert_eq!(
            tree(t.path()),
            before,
            "--out {} touched something",
            out.display()
        );
    }
    // `--out .` from inside the work directory.
    let o = assess(&w, Path::new(".")).current_dir(&w).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--out .: it contains the scheme"),
        "{}",
        stderr(&o)
    );
    // The other commands that write a directory are held to the same.
    for cmd in ["audit", "sensitivity"] {
        let o = govtrust()
            .args([cmd, "--quiet", "--scheme"])
            .arg(w.join("scheme"))
            .arg("--data")
            .arg(w.join("data"))
            .arg("--out")
            .arg(w.join("data"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{cmd}");
        assert!(
            stderr(&o).contains("it is the data directory"),
            "{cmd}: {}",
            stderr(&o)
        );
    }
    assert_eq!(tree(t.path()), before);
    // A real report can be written beside the inputs, and compare may not
    // write over the runs it compares.
    let r = t.path().join("reports/2025");
    assert!(assess(&w, &r).output().unwrap().status.success());
    let o = govtrust()
        .arg("compare")
        .arg(&r)
        .arg(&r)
        .arg("--out")
        .arg(&r)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("it is the old run"), "{}", stderr(&o));
}

// Finding 1: an earlier output is replaced only by the same command,
// and only if it holds nothing govtrust did not write.
#[test]
fn only_earlier_outputs_of_the_same_command_are_replaced() {
    let (t, w) = work();
    let r = t.path().join("r");
    std::fs::create_dir_all(&r).unwrap();
    // New and empty directories are fine, and so is a second run.
    assert!(assess(&w, &r).output().unwrap().status.success());
    assert!(assess(&w, &r).output().unwrap().status.success());
    let first = tree(&r);
    // audit does not replace an assess report.
    let o = govtrust()
        .args(["audit", "--quiet", "--scheme"])
        .arg(w.join("scheme"))
        .arg("--data")
        .arg(w.join("data"))
        .arg("--out")
        .arg(&r)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("holds an earlier `govtrust assess` output"));
    // A file of the user's in a report: refused, named.
    std::fs::write(r.join("批注.txt"), "mine").unwrap();
    let o = assess(&w, &r).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("1 file that govtrust did not write (批注.txt)"));
    assert_eq!(std::fs::read(r.join("批注.txt")).unwrap(), b"mine");
    std::fs::remove_file(r.join("批注.txt")).unwrap();
    assert_eq!(tree(&r), first);
    // A directory with some other program's manifest.json is not ours.
    let web = t.path().join("web");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::write(web.join("manifest.json"), "{\"name\": \"app\"}").unwrap();
    let o = assess(&w, &web).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(web.join("manifest.json").exists());
    // Nothing is left beside the outputs.
    let names: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

/// What lies beside `out` in its parent, other than `out` and `keep`.
fn beside(out: &Path, keep: &[&str]) -> Vec<String> {
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    let mut v: Vec<String> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| *n != name && !keep.contains(&n.as_str()))
        .collect();
    v.sort();
    v
}

// Finding 2: a kill at any step leaves a complete report, the old one or
// the new one, and the next run cleans what the killed one left.
#[test]
fn a_run_killed_at_any_step_leaves_a_complete_report() {
    let (t, w) = work();
    let old_data = w.join("data");
    // The new data: one more honour for D1, so the new report differs.
    let new_data = t.path().join("data2");
    std::fs::create_dir_all(&new_data).unwrap();
    for e in std::fs::read_dir(&old_data).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, new_data.join(p.file_name().unwrap())).unwrap();
    }
    let honours = std::fs::read_to_string(new_data.join("honours.csv")).unwrap();
    let extra = honours.lines().nth(1).unwrap().replacen(',', "x,", 1);
    std::fs::write(new_data.join("honours.csv"), format!("{honours}{extra}\n")).unwrap();
    let run = |data: &Path, out: &Path, fault: Option<&str>| {
        let mut c = govtrust();
        c.args(["assess", "--quiet", "--scheme"])
            .arg(w.join("scheme"))
            .arg("--data")
            .arg(data)
            .arg("--out")
            .arg(out);
        if let Some(f) = fault {
            c.env("GOVTRUST_FAULT", f);
        }
        c.output().unwrap()
    };
    let reference = t.path().join("ref");
    assert!(
        run(&new_data, &reference.join("new"), None)
            .status
            .success()
    );
    assert!(
        run(&old_data, &reference.join("old"), None)
            .status
            .success()
    );
    let (old, new) = (tree(&reference.join("old")), tree(&reference.join("new")));
    assert_ne!(old, new);
    for (step, expect_new) in [
        ("claimed", false),
        ("written", false),
        ("synced", false),
        ("exchanged", true),
        ("removing", true),
    ] {
        let dir = t.path().join(format!("k-{step}"));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("report");
        assert!(run(&old_data, &out, None).status.success());
        let o = run(&new_data, &out, Some(step));
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            o.status.signal(),
            Some(9),
            "{step}: not killed: {}",
            stderr(&o)
        );
        let now = tree(&out);
        assert!(
            now == if expect_new { new.clone() } else { old.clone() },
            "{step}: the report is not complete"
        );
        // What the killed run left is its staging directory, marked.
        let left = beside(&out, &[]);
        assert_eq!(left.len(), 1, "{step}: {left:?}");
        assert!(dir.join(&left[0]).join(".govtrust-staging").exists());
        // The next run cleans it and writes the new report.
        assert!(run(&new_data, &out, None).status.success());
        assert_eq!(tree(&out), new, "{step}");
        assert!(
            beside(&out, &[]).is_empty(),
            "{step}: {:?}",
            beside(&out, &[])
        );
    }
}

// Finding 2, where the filesystem cannot exchange two directories: a
// kill between the two renames leaves the old report in the staging
// directory, and the next run moves it back before anything else.
#[test]
fn the_two_rename_fallback_recovers_the_old_report() {
    let (t, w) = work();
    let out = t.path().join("report");
    assert!(assess(&w, &out).output().unwrap().status.success());
    let old = tree(&out);
    let o = assess(&w, &out)
        .env("GOVTRUST_NO_EXCHANGE", "1")
        .env("GOVTRUST_FAULT", "moved-aside")
        .output()
        .unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(o.status.signal(), Some(9));
    assert!(!out.exists());
    // A run that fails after claiming: the claim has put the old back.
    let o = govtrust()
        .args(["assess", "--quiet", "--scheme"])
        .arg(w.join("scheme"))
        .arg("--data")
        .arg(t.path().join("no-such-data"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(tree(&out), old);
    assert!(beside(&out, &["work"]).is_empty());
    // And the fallback itself works end to end.
    let o = assess(&w, &out)
        .env("GOVTRUST_NO_EXCHANGE", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(tree(&out), old);
    assert!(beside(&out, &["work"]).is_empty());
}

// Finding 2: a staging directory without govtrust's marker is never
// removed, whatever its name.
#[test]
fn only_marked_staging_directories_are_cleaned() {
    let (t, w) = work();
    let out = t.path().join("report");
    let foreign = t.path().join(".report.govtrust-1-0");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("keep.txt"), "not govtrust's").unwrap();
    assert!(assess(&w, &out).output().unwrap().status.success());
    assert_eq!(
        std::fs::read(foreign.join("keep.txt")).unwrap(),
        b"not govtrust's"
    );
}

// Finding 2: two runs into one path never mix.
#[test]
fn a_second_run_into_a_path_being_written_fails_clearly() {
    let (t, w) = work();
    let out = t.path().join("report");
    let claim = govtrust::report::OutDir::claim(
        &out,
        &govtrust::report::Purpose {
            command: "assess",
            also_replaces: &[],
            inputs: &[],
        },
    )
    .unwrap();
    let o = assess(&w, &out).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("another govtrust run") && e.contains(&std::process::id().to_string()),
        "{e}"
    );
    drop(claim);
    assert!(!out.exists());
    assert!(assess(&w, &out).output().unwrap().status.success());
    // Two processes at once: each succeeds or says the other is writing;
    // the result is one complete report and nothing beside it.
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("govtrust"))
            .args(["assess", "--quiet", "--no-bulletin", "--scheme"])
            .arg(w.join("scheme"))
            .arg("--data")
            .arg(w.join("data"))
            .arg("--out")
            .arg(&out)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for o in [&a, &b] {
        assert!(
            o.status.success() || stderr(o).contains("another govtrust run"),
            "{}",
            stderr(o)
        );
    }
    assert!(a.status.success() || b.status.success());
    let reference = t.path().join("ref");
    assert!(assess(&w, &reference).output().unwrap().status.success());
    assert_eq!(tree(&out), tree(&reference));
    let left = beside(&out, &["ref", "work"]);
    assert!(left.is_empty(), "{left:?}");
}

// Finding 2: an I/O error prints its OS text once.
#[test]
fn an_io_error_says_its_cause_once() {
    let o = govtrust()
        .args(["check", "--scheme", "/nonexistent/scheme.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert_eq!(e.matches("No such file or directory").count(), 1, "{e}");
}

// Finding 10: flag values out of range are usage errors.
#[test]
fn out_of_range_flags_are_usage_errors() {
    for args in [
        ["assess", "--threshold", "7"],
        ["sensitivity", "--threshold", "-0.1"],
        ["assess", "--weight-factor", "1.5"],
        ["sensitivity", "--vary", "weights,colour"],
    ] {
        let o = govtrust().args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

// Finding 10: the audit CSVs write numbers as numbers.
#[test]
fn audit_csvs_write_numbers_without_a_quote_prefix() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("audit");
    let o = govtrust()
        .args(["audit", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = common::read_csv(&out.join("audit_correlations.csv"));
    let pearson: Vec<&str> = rows[1..].iter().map(|r| r[4].as_str()).collect();
    assert!(
        pearson.iter().any(|p| p.starts_with('-')),
        "no negative correlation to check"
    );
    for p in pearson {
        assert!(p.parse::<f64>().is_ok(), "{p:?} is not a number");
    }
}
