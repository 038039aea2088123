//! Every output of the demo run and of the golden fixture is pinned:
//! a digest per file, committed in `tests/snapshots/pinned-*.txt`. A
//! change that is meant to alter outputs updates them with
//! `GOVTRUST_BLESS_PINNED=1 cargo test --test pinned`, and the diff shows
//! which files changed; any other change must leave them as they are.
//!
//! The digest is over what a file says, not how it is compressed, so that
//! test and release builds (which compress PNGs differently) agree: a PNG
//! is digested by its decoded pixels and its resolution, a zip (xlsx,
//! docx) by each member's content (PNG members decoded), the manifest
//! without its timings.

mod common;

use std::io::Read;
use std::path::Path;

use govtrust::data::LoadOptions;
use govtrust::run;

fn png_content(bytes: &[u8]) -> Vec<u8> {
    let dec = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size()];
    let info = r.next_frame(&mut buf).unwrap();
    let mut out = format!("{}x{} {:?}", info.width, info.height, r.info().pixel_dims).into_bytes();
    out.extend_from_slice(&buf[..info.buffer_size()]);
    out
}

fn content(name: &str, bytes: &[u8]) -> Vec<u8> {
    if name.ends_with(".png") {
        return png_content(bytes);
    }
    if name.ends_with(".xlsx") || name.ends_with(".docx") {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out = Vec::new();
        for k in 0..z.len() {
            let mut f = z.by_index(k).unwrap();
            let member = f.name().unwrap().to_string();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            out.extend_from_slice(member.as_bytes());
            out.extend_from_slice(&content(&member, &b));
        }
        return out;
    }
    if name.ends_with("manifest.json") {
        let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        v.as_object_mut().unwrap().remove("timings_ms");
        return serde_json::to_vec_pretty(&v).unwrap();
    }
    bytes.to_vec()
}

/// "digest  path" per file of an output directory, sorted.
fn digests(dir: &Path) -> String {
    let mut lines = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&p).unwrap();
            let h = blake3::hash(&content(&rel, &bytes));
            lines.push(format!("{}  {rel}", &h.to_hex()[..32]));
        }
    }
    lines.sort_by(|a, b| a[34..].cmp(&b[34..]));
    lines.join("\n") + "\n"
}

fn pinned(name: &str, scheme: &str, data: &str) {
    let run = run::assess(Path::new(scheme), Path::new(data), LoadOptions::default()).unwrap();
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    govtrust::report::write_to(&run, &govtrust::report::standard(), &out).unwrap();
    let got = digests(&out);
    let path = Path::new("tests/snapshots").join(format!("pinned-{name}.txt"));
    if std::env::var_os("GOVTRUST_BLESS_PINNED").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if got != want {
        let changed: Vec<&str> = got
            .lines()
            .filter(|l| !want.lines().any(|w| w == *l))
            .map(|l| &l[34..])
            .collect();
        panic!(
            "the {name} outputs changed: {changed:?} (if meant, run GOVTRUST_BLESS_PINNED=1 cargo test --test pinned)"
        );
    }
}

#[test]
fn the_demo_outputs_are_pinned() {
    pinned("demo", "indicators", "datasets/demo");
}

#[test]
fn the_golden_outputs_are_pinned() {
    pinned(
        "golden",
        "tests/fixtures/golden/scheme",
        "tests/fixtures/golden/data",
    );
}

/// `assess` on the demo with `env` set: the tables must be the pinned
/// ones, byte for byte. Returns the trace (`GOVTRUST_TRACE`).
fn demo_tables_are_pinned_with(env: &[(&str, &str)], how: &str) -> String {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let mut cmd = assert_cmd::Command::cargo_bin("govtrust").unwrap();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let run = cmd
        .env("GOVTRUST_TRACE", "1")
        .args(["assess", "--quiet", "--no-bulletin", "--out"])
        .arg(&out)
        .assert()
        .success();
    let got = digests(&out);
    let want = std::fs::read_to_string("tests/snapshots/pinned-demo.txt").unwrap();
    for name in [
        "scores.csv",
        "values.csv",
        "evidence.csv",
        "rejects.csv",
        "explain.json",
    ] {
        let line = |s: &str| {
            s.lines()
                .find(|l| &l[34..] == name)
                .map(str::to_string)
                .unwrap_or_else(|| panic!("{name} missing"))
        };
        assert_eq!(line(&got), line(&want), "{name} differs {how}");
    }
    String::from_utf8_lossy(&run.get_output().stderr).into_owned()
}

/// A CSV file is read window by window (docs/architecture.md, "How a
/// dataset is read"), and every aggregate is an exact sum, so the size of
/// the windows changes nothing. In windows of 64 KiB the demo's hotline
/// file (2.9 MB, with a duplicate key, a bad value and an unknown unit
/// among its rows) is read in 44 windows, and the tables are the pinned
/// ones, byte for byte.
#[test]
fn the_demo_read_in_small_windows_gives_the_pinned_tables() {
    let trace = demo_tables_are_pinned_with(
        &[("GOVTRUST_WINDOW_BYTES", "65536")],
        "when read in windows",
    );
    assert!(
        trace.contains("hotline pass (44 windows)"),
        "the hotline file was not read in 44 windows: {trace}"
    );
}

/// Large files run on polars' streaming engine, where the keys reach the
/// duplicate check batch by batch as the rows stream past (a callback
/// sink, in row order). The demo's files are small enough for the
/// in-memory engine; forced onto the streaming one and read in windows of
/// 64 KiB, its hotline keys (the repeated one among them) come in at
/// least one batch per window, and the tables, rejects included, are the
/// pinned ones.
#[test]
fn the_demo_on_the_streaming_engine_in_small_batches_gives_the_pinned_tables() {
    let trace = demo_tables_are_pinned_with(
        &[
            ("POLARS_FORCE_STREAMING", "1"),
            ("GOVTRUST_WINDOW_BYTES", "65536"),
        ],
        "on the streaming engine",
    );
    let batches: usize = trace
        .lines()
        .find_map(|l| l.strip_prefix("[trace] hotline key batches: "))
        .unwrap_or_else(|| panic!("no key batches traced: {trace}"))
        .trim()
        .parse()
        .unwrap();
    assert!(batches >= 44, "the keys came in {batches} batches: {trace}");
}
