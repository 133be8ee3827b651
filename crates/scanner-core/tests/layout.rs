//! The shape of the crate: no two of its top-level modules import each other, directly or through
//! others (engine → sources → governance → reports stay layered, as the crate documentation says).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
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

/// The names `crate::…` paths in `text` start with (`crate::rules::X`, `crate::{a, b::C}`), tests and
/// comments left out.
fn crate_paths(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
    let mut out = Vec::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let items: Vec<&str> = match rest.strip_prefix('{') {
                Some(group) => group.split([',', '}']).collect(),
                None => vec![rest],
            };
            for item in items {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        }
    }
    out
}

#[test]
fn no_module_imports_one_that_imports_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let modules: BTreeSet<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_stem().is_some_and(|s| s != "lib"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    // Names the crate root re-exports (`crate::Finding`) belong to the module they come from.
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    for stmt in lib
        .split(';')
        .filter_map(|s| s.trim().strip_prefix("pub use "))
    {
        let module = stmt.split("::").next().unwrap().to_owned();
        let items = stmt.rsplit("::").next().unwrap().trim_matches(['{', '}']);
        for item in items
            .split(',')
            .map(|i| i.split(" as ").last().unwrap().trim())
        {
            owner.insert(item.to_owned(), module.clone());
        }
    }
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for m in &modules {
        let mut fs = Vec::new();
        if src.join(m).is_dir() {
            files(&src.join(m), &mut fs);
        }
        fs.push(src.join(format!("{m}.rs")));
        let d = deps.entry(m.clone()).or_default();
        for f in fs.iter().filter(|f| f.is_file()) {
            for name in crate_paths(&std::fs::read_to_string(f).unwrap()) {
                let target = if modules.contains(&name) {
                    Some(&name)
                } else {
                    owner.get(&name)
                };
                if let Some(t) = target.filter(|t| *t != m) {
                    d.insert(t.clone());
                }
            }
        }
    }
    assert!(
        deps["session"].contains("source") && deps["matcher"].contains("rules"),
        "{deps:?}"
    );
    // A module reaching itself through its imports is a circle.
    for start in &modules {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = deps[start].iter().collect();
        while let Some(m) = todo.pop() {
            assert_ne!(
                m, start,
                "{start} imports a module that imports it: {deps:?}"
            );
            if seen.insert(m) {
                todo.extend(deps.get(m).into_iter().flatten());
            }
        }
    }
}
