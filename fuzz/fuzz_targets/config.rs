//! The config loader (`.leakhound.toml`) over arbitrary text. A config that loads is applied as a scan
//! applies it: its rules on top of the default pack, its regexes as the global allowlist, its globs
//! matched against paths, and what it changes listed.
#![no_main]

use leakhound_core::config::Origin;
use leakhound_core::{Config, RuleSet, Scanner};
use libfuzzer_sys::fuzz_target;

#[path = "../common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let config = match Config::parse("repo/.leakhound.toml", text) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    // Compiled forms match what was written.
    assert_eq!(config.secret_regexes().len(), config.allow_regexes.len());
    assert_eq!(
        config.path_globs().is_some(),
        !config.allow_paths.is_empty()
    );
    // An accepted allowlist regex never matches the empty string: it would hide every secret.
    for re in config.secret_regexes() {
        assert!(
            !re.is_match(b""),
            "match-all allowlist regex accepted: {re}"
        );
    }
    if let Some(globs) = config.path_globs() {
        for p in [
            "src/main.rs",
            "README.md",
            ".env",
            "a",
            "deploy/prod/app.yaml",
        ] {
            let _ = globs.is_match(p);
        }
    }
    let embedded = RuleSet::embedded();
    let changes = config.changes("repo/.leakhound.toml", Origin::Repository, &embedded);
    assert_eq!(
        changes.len(),
        config.rules.len() + config.allow_regexes.len() + config.allow_paths.len()
    );
    for c in &changes {
        let _ = c.to_string();
    }
    if config.rules.is_empty() && config.allow_regexes.is_empty() {
        return;
    }
    let allow = config.secret_regexes().to_vec();
    let mut rules = embedded;
    rules.extend(config.rules);
    let scanner = Scanner::new(rules).with_allow_regexes(allow);
    let found = scanner.scan_bytes("repo/app.env", data);
    common::check_findings("repo/app.env", data, &found, true);
});
