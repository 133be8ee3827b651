//! The baseline loader (`.leakhound-baseline.json`) over arbitrary text, and a loaded baseline applied
//! to the findings it describes.
#![no_main]

use std::collections::BTreeMap;

use leakhound_core::{parse_fingerprint, Baseline, Finding, Severity};
use libfuzzer_sys::fuzz_target;

#[path = "../common.rs"]
mod common;

fn finding(fingerprint: &str, path: &str) -> Finding {
    Finding {
        rule: "r".into(),
        description: String::new(),
        severity: Severity::High,
        original_severity: None,
        path: path.into(),
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 2,
        secret: "x".into(),
        fingerprint: fingerprint.into(),
        entropy: 0.0,
        validation: None,
        details: BTreeMap::new(),
        encoding: None,
        context: Default::default(),
        surface: None,
        commit: None,
        author: None,
        date: None,
        summary: None,
        blob: None,
        source: None,
        owner: None,
        status: None,
        note: None,
        offset: 0,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let b = match Baseline::parse(text) {
        Ok(b) => b,
        Err(msg) => {
            for v in common::token_like_fingerprint_values(text) {
                assert!(
                    !msg.contains(v),
                    "error echoes the fingerprint field's value {v:?}: {msg}"
                );
            }
            return;
        }
    };
    for e in &b.entries {
        assert_eq!(
            parse_fingerprint(&e.fingerprint).as_deref(),
            Ok(e.fingerprint.as_str())
        );
    }
    // What `baseline create` writes, `--baseline` reads back the same.
    let json = serde_json::to_string_pretty(&b).expect("serialises");
    assert_eq!(Baseline::parse(&json).as_ref(), Ok(&b), "{json}");

    // Every entry suppresses the finding it names; none is then stale.
    let mut findings: Vec<Finding> = b
        .entries
        .iter()
        .map(|e| finding(&e.fingerprint, &e.path))
        .collect();
    let stale = b.apply(&mut findings);
    assert!(
        findings.is_empty() && stale.is_empty(),
        "{findings:?} {stale:?}"
    );
    // The same secret at another path is reported, and every entry is then stale.
    let mut moved: Vec<Finding> = b
        .entries
        .iter()
        .map(|e| finding(&e.fingerprint, &format!("{}/moved", e.path)))
        .filter(|f| !b.entries.iter().any(|e| e.path == f.path))
        .collect();
    let n = moved.len();
    let stale = b.apply(&mut moved);
    assert_eq!(moved.len(), n);
    let _ = stale;
});
