//! The project carries its own reference (issue 9, finding 11): nothing
//! links outside the repository, every link to `docs/` resolves, the
//! reference has every section, and it names every key of the format.

use std::path::Path;

/// Text files of the repository a user reads or runs.
fn texts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![
        "README.md".into(),
        "docs".into(),
        "indicators".into(),
        "src".into(),
        "tests".into(),
        "benches".into(),
        ".ci".into(),
    ];
    while let Some(p) = stack.pop() {
        let p: std::path::PathBuf = p;
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        } else if let Ok(t) = std::fs::read_to_string(&p) {
            out.push((p.display().to_string(), t));
        }
    }
    out
}

#[test]
fn nothing_links_outside_the_repository() {
    let this = file!();
    for (path, text) in texts() {
        if path.ends_with(this) || path.ends_with("docs.rs") {
            continue;
        }
        assert!(
            !text.contains("../shared") && !text.contains("shared/spec"),
            "{path} points outside the repository"
        );
    }
}

#[test]
fn every_reference_into_docs_resolves() {
    let scheme = std::fs::read_to_string("docs/scheme.md").unwrap();
    for (path, text) in texts() {
        for (i, _) in text.match_indices("docs/") {
            let rest = &text[i..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || "/._-".contains(c)))
                .unwrap_or(rest.len());
            let target = rest[..end].trim_end_matches('.');
            if !target.ends_with(".md") {
                continue;
            }
            let base = if path.starts_with("docs/") || path.starts_with("indicators/") {
                Path::new(&path).parent().unwrap().join("..").join(target)
            } else {
                Path::new(target).to_path_buf()
            };
            assert!(base.exists(), "{path}: {target} does not exist");
            // "docs/scheme.md section N": the section exists.
            if let Some(after) = rest[end..].strip_prefix(" section") {
                let n: String = after
                    .trim_start_matches('s')
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                if !n.is_empty() {
                    assert!(
                        scheme.contains(&format!("\n## {n}. ")),
                        "{path}: docs/scheme.md has no section {n}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_reference_has_every_section_and_names_every_key() {
    let doc = std::fs::read_to_string("docs/scheme.md").unwrap();
    for n in 1..=10 {
        assert!(doc.contains(&format!("\n## {n}. ")), "no section {n}");
    }
    // Every key the format accepts, from the JSON schema of a scheme
    // file (kept current with the code by tests/scheme.rs).
    let schema: serde_json::Value = serde_json::from_str(&govtrust::scheme::json_schema()).unwrap();
    let mut keys = Vec::new();
    let mut stack = vec![&schema];
    while let Some(v) = stack.pop() {
        if let Some(props) = v.get("properties").and_then(|p| p.as_object()) {
            keys.extend(props.keys().cloned());
        }
        match v {
            serde_json::Value::Object(m) => stack.extend(m.values()),
            serde_json::Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    keys.sort();
    keys.dedup();
    assert!(keys.len() > 40, "{keys:?}");
    let missing: Vec<String> = keys
        .into_iter()
        .filter(|k| {
            ![
                format!("`{k}`"),
                format!("{k} ="),
                format!("[[{k}]]"),
                format!("[{k}]"),
                format!("[{k}."),
            ]
            .iter()
            .any(|form| doc.contains(form.as_str()))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/scheme.md does not describe {missing:?}"
    );
}
