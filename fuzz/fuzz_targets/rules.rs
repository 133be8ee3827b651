//! The rule-file loaders over arbitrary TOML text: leakhound's own format (`RuleSet::from_toml`) and a
//! gitleaks configuration (`gitleaks::translate`). A set that loads is then used: its rules compile, its
//! examples run, and it scans the text it came from.
#![no_main]

use leakhound_core::{gitleaks, RuleSet, Scanner};
use libfuzzer_sys::fuzz_target;

#[path = "../common.rs"]
mod common;

/// `rules::spec::MAX_WINDOW`: the largest window a rule may have.
const MAX_WINDOW: usize = 64 * 1024;

fn exercise(rules: RuleSet, text: &str) {
    for r in rules.iter() {
        assert!(
            !r.id().is_empty() || r.is_imported(),
            "a rule without an id"
        );
        assert!(
            r.window() <= MAX_WINDOW,
            "rule {}: window {}",
            r.id(),
            r.window()
        );
        assert!(
            r.keywords().iter().all(|k| *k == k.to_ascii_lowercase()),
            "rule {}: keywords are matched lowercased",
            r.id()
        );
        // leakhound's format takes 0..=8 bits per byte; an imported gitleaks threshold is moved up by
        // the smallest step (gitleaks' test is `<=`), so 8 becomes just over 8, as unmatchable there.
        assert!(r
            .entropy()
            .is_none_or(|e| e >= 0.0 && (e <= 8.0 || r.is_imported())));
        // Loaders compile every regex (path-only rules have none): a loaded rule never fails later.
        if !r.is_path_only() {
            if let Err(e) = r.check() {
                panic!("rule {} loaded but does not compile: {e}", r.id());
            }
        }
    }
    if rules.is_empty() {
        return;
    }
    let scanner = Scanner::new(rules);
    let _ = scanner.check_examples(None);
    for path in ["config/app.env", ""] {
        let found = scanner.scan_bytes(path, text.as_bytes());
        common::check_findings(path, text.as_bytes(), &found, true);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match RuleSet::from_toml("fuzz.toml", text) {
        Ok(rules) => exercise(rules, text),
        Err(e) => {
            let _ = e.to_string();
        }
    }
    match gitleaks::translate("gitleaks.toml", text) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                let _ = w.to_string();
            }
            exercise(loaded.rules, text);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
