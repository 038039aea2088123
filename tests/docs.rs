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

/// Text with each line break, and the comment marker or indentation
/// after it, made one space: a reference may be wrapped over lines.
fn joined(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let t = line.trim_start();
        let t = ["//! ", "/// ", "// ", "# "]
            .iter()
            .find_map(|m| t.strip_prefix(m))
            .unwrap_or(t);
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(t.trim_end());
    }
    out
}

/// References to a part of a page, written as `docs/scheme.md, "Part"`:
/// (the page, the part).
fn part_references(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices(".md, \"") {
        let start = text[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || "/._-".contains(c)))
            .map_or(0, |s| s + 1);
        let page = &text[start..i + 3];
        let rest = &text[i + 6..];
        if let (true, Some(end)) = (page.starts_with("docs/"), rest.find('"')) {
            out.push((page.to_string(), rest[..end].to_string()));
        }
    }
    out
}

#[test]
fn every_reference_to_a_part_of_a_page_names_one() {
    // A reference written `(docs/architecture.md, "Keys")` finds a
    // heading, a paragraph's bold lead, or a key in that page.
    let found = part_references("see (docs/architecture.md, \"Keys\") and docs/scheme.md, \"x y\"");
    assert_eq!(
        found,
        vec![
            ("docs/architecture.md".to_string(), "Keys".to_string()),
            ("docs/scheme.md".to_string(), "x y".to_string())
        ]
    );
    assert_eq!(
        joined("a (docs/scheme.md,\n    //! \"x\")"),
        "a (docs/scheme.md, \"x\")"
    );
    let mut checked = 0;
    for (path, text) in texts() {
        if path.ends_with("docs.rs") {
            continue;
        }
        for (page, part) in part_references(&joined(&text)) {
            let body = std::fs::read_to_string(&page)
                .unwrap_or_else(|_| panic!("{path}: {page} does not exist"));
            let heading = body
                .lines()
                .any(|l| l.starts_with('#') && l.trim_start_matches('#').trim() == part);
            let lead = joined(&body).contains(&format!("**{part}"));
            let key = body.contains(&format!("`{part}`"));
            assert!(
                heading || lead || key,
                "{path}: {page} has no part \"{part}\" (a heading, a bold lead or a key)"
            );
            checked += 1;
        }
    }
    // The repository has such references (README, docs, sources, tests).
    assert!(checked >= 10, "only {checked} references checked");
}
