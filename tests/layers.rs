//! The architecture holds (docs/architecture.md): stages only import the
//! stages below them, no two files of one module import each other in a
//! cycle, and no source file is over 400 lines.
//!
//! Imports are read from the source text: `crate::module` paths for the
//! stages, and `super::file` / `crate::module::file` paths between the
//! files of a module (`use` trees expanded). Comments, string literals
//! and `#[cfg(test)]` modules are left out: tests may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The stages, top first: each may import only those after it.
const ORDER: &[&str] = &[
    "cli", "server", "generate", "report", "render", "run", "history", "analysis", "score",
    "measure", "data", "scheme", "calendar", "diag", "outdir", "paths",
];

const MAX_LINES: usize = 400;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code without comments, string and char literals, and test modules.
fn strip(code: &str) -> String {
    let b: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == '/' && b.get(i + 1) == Some(&'/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if b[i] == '/' && b.get(i + 1) == Some(&'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if b[i] == 'r' && (b.get(i + 1) == Some(&'"') || b.get(i + 1) == Some(&'#')) {
            // A raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(b[i]);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if b[i] == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == '\'' && b.get(i + 2) == Some(&'\'') {
            i += 3;
        } else if b[i] == '\'' && b.get(i + 1) == Some(&'\\') {
            i += 2;
            while i < b.len() && b[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    // Drop `#[cfg(test)] mod x { ... }` blocks.
    let mut s = out;
    while let Some(at) = s.find("#[cfg(test)]") {
        let rest = &s[at..];
        let Some(brace) = rest.find('{') else { break };
        let semi = rest.find(';').unwrap_or(usize::MAX);
        if semi < brace {
            // `#[cfg(test)] mod tests;`: a file of its own, skipped below.
            s.replace_range(at..at + semi + 1, "");
            continue;
        }
        let mut depth = 0;
        let mut end = at + brace;
        for (k, c) in s[at + brace..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = at + brace + k + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        s.replace_range(at..end, "");
    }
    s
}

/// Every path the code uses: `use` trees expanded, then every other
/// `crate::...` and `super::...` path, as lists of segments.
fn paths(code: &str) -> Vec<Vec<String>> {
    fn expand(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
        let tree = tree.trim();
        if let Some(open) = tree.find('{') {
            let head: Vec<String> = tree[..open]
                .split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let mut depth = 0;
            let mut start = 0;
            let mut prefix2 = prefix.to_vec();
            prefix2.extend(head);
            for (k, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&prefix2, &inner[start..k], out);
                        start = k + 1;
                    }
                    _ => {}
                }
            }
            expand(&prefix2, &inner[start..], out);
        } else if !tree.is_empty() {
            let mut p = prefix.to_vec();
            p.extend(
                tree.split(" as ")
                    .next()
                    .unwrap()
                    .split("::")
                    .map(|s| s.trim().to_string()),
            );
            out.push(p);
        }
    }
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(k) = rest.find("use ") {
        let before = rest[..k].chars().last();
        let after = &rest[k + 4..];
        rest = after;
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let end = after.find(';').unwrap_or(after.len());
        expand(&[], &after[..end], &mut out);
    }
    for root in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(k) = rest.find(root) {
            let before = rest[..k].chars().last();
            let seg: String = rest[k..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            rest = &rest[k + root.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            out.push(
                seg.split("::")
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            );
        }
    }
    out
}

#[test]
fn stages_only_import_downward_and_files_are_short() {
    let problems = check(Path::new("src"));
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Every breach of the architecture in the source tree `src`.
fn check(src: &Path) -> Vec<String> {
    let mut all = Vec::new();
    files(src, &mut all);
    let rel = |p: &Path| {
        p.strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/")
    };
    let module_of = |r: &str| -> String {
        match r.split_once('/') {
            Some((m, _)) => m.to_string(),
            None => r.trim_end_matches(".rs").to_string(),
        }
    };
    let known: BTreeSet<String> = all.iter().map(|p| rel(p)).collect();
    let mut problems = Vec::new();
    let mut inner: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in &all {
        let r = rel(p);
        let text = std::fs::read_to_string(p).unwrap();
        let lines = text.lines().count();
        // Test files of a module (`mod tests;`) are tests.
        let is_tests = r.ends_with("/tests.rs");
        if lines > MAX_LINES && !is_tests {
            problems.push(format!("{r}: {lines} lines (over {MAX_LINES})"));
        }
        if is_tests || r == "lib.rs" || r == "main.rs" {
            continue;
        }
        let m = module_of(&r);
        let Some(rank) = ORDER.iter().position(|x| *x == m) else {
            problems.push(format!("{r}: module {m} is not a stage of ORDER"));
            continue;
        };
        let dir = r.rsplit_once('/').map_or("", |x| x.0).to_string();
        let is_mod = r.ends_with("/mod.rs");
        for path in paths(&strip(&text)) {
            let Some(first) = path.first() else { continue };
            if first == "crate" {
                let Some(target) = path.get(1) else { continue };
                if let Some(t) = ORDER.iter().position(|x| x == target) {
                    if target != &m && t < rank {
                        problems.push(format!("{r} imports {target}, a stage above {m}"));
                    }
                }
                if target == &m {
                    if let Some(file) = path.get(2) {
                        for cand in [format!("{m}/{file}.rs"), format!("{m}/{file}/mod.rs")] {
                            if known.contains(&cand) && cand != r {
                                inner.entry(r.clone()).or_default().insert(cand);
                            }
                        }
                    }
                }
            } else if first == "super" {
                let Some(name) = path.get(1) else { continue };
                // `super` of a mod.rs is its parent directory.
                let base = if is_mod {
                    dir.rsplit_once('/').map_or("", |x| x.0).to_string()
                } else {
                    dir.clone()
                };
                for cand in [format!("{base}/{name}.rs"), format!("{base}/{name}/mod.rs")] {
                    if known.contains(&cand) && cand != r {
                        inner.entry(r.clone()).or_default().insert(cand);
                    }
                }
            }
        }
    }
    // Cycles between the files of a module: a file that can reach itself.
    for start in inner.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = inner[start].iter().collect();
        while let Some(f) = stack.pop() {
            if f == start {
                problems.push(format!("{start} is on an import cycle between files"));
                break;
            }
            if seen.insert(f.clone()) {
                if let Some(next) = inner.get(f) {
                    stack.extend(next.iter());
                }
            }
        }
    }
    // A path found both in a `use` and bare is one breach.
    problems.sort();
    problems.dedup();
    problems
}

#[test]
fn the_check_finds_each_kind_of_breach() {
    let t = tempfile::tempdir().unwrap();
    let put = |rel: &str, text: &str| {
        let p = t.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    // data imports cli (a stage above); measure/a.rs and measure/b.rs
    // import each other; score.rs is 401 lines; scheme imports calendar
    // (below it: fine).
    put("data/mod.rs", "use crate::cli::Args;\n");
    put("measure/mod.rs", "mod a;\nmod b;\n");
    put("measure/a.rs", "use super::b::f;\n");
    put("measure/b.rs", "pub fn f() { super::a::g() }\n");
    put("score.rs", &"//\n".repeat(401));
    put("scheme/mod.rs", "use crate::calendar::Calendar;\n");
    let mut p = check(t.path());
    p.sort();
    assert_eq!(
        p,
        [
            "data/mod.rs imports cli, a stage above data",
            "measure/a.rs is on an import cycle between files",
            "measure/b.rs is on an import cycle between files",
            "score.rs: 401 lines (over 400)",
        ]
    );
}

#[test]
fn the_reader_finds_imports_it_must_refuse() {
    // The checks above rest on `paths`: it must see every form.
    let code = "use crate::report::{self, csv::Cell};\nfn f() { crate::run::assess(); super::x::y(); }\n// crate::cli\nlet s = \"crate::cli\";";
    let p: Vec<String> = paths(&strip(code)).iter().map(|p| p.join("::")).collect();
    assert!(p.contains(&"crate::report::self".to_string()), "{p:?}");
    assert!(p.contains(&"crate::report::csv::Cell".to_string()), "{p:?}");
    assert!(p.contains(&"crate::run::assess".to_string()), "{p:?}");
    assert!(p.contains(&"super::x::y".to_string()), "{p:?}");
    assert!(!p.iter().any(|x| x.contains("cli")), "{p:?}");
    let tests = "#[cfg(test)]\nmod tests {\n    use crate::cli::x;\n}\n";
    assert!(paths(&strip(tests)).is_empty());
}
