//! The inventory loader (`leakhound-inventory.toml`) over arbitrary text, and `inventory add` on a file
//! holding that text.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use leakhound_core::inventory::{add_entry, EntryStatus};
use leakhound_core::{fingerprint, parse_fingerprint, Date, Inventory, InventoryEntry};
use libfuzzer_sys::fuzz_target;

#[path = "../common.rs"]
mod common;

fn scratch_file() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("leakhound-fuzz-inventory-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir.join("leakhound-inventory.toml")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let inv = match Inventory::parse("inv.toml", text) {
        Ok(inv) => inv,
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("inv.toml"), "{msg}");
            // A malformed fingerprint may be the secret itself: never echoed.
            for v in common::token_like_fingerprint_values(text) {
                assert!(
                    !msg.contains(v),
                    "error echoes the fingerprint field's value {v:?}: {msg}"
                );
            }
            return;
        }
    };
    for e in &inv.entries {
        assert_eq!(
            parse_fingerprint(&e.fingerprint).as_deref(),
            Ok(e.fingerprint.as_str())
        );
        assert!(!e.owner.trim().is_empty());
        for d in [&e.created, &e.expires].into_iter().flatten() {
            assert!(d.len() == 10 && Date::parse(d).is_some(), "date {d:?}");
        }
        assert_eq!(e.expiry().is_some(), e.expires.is_some());
        assert!(inv.get(&e.fingerprint).is_some());
    }

    // `inventory add` on this file: an existing entry (updated in place) or a new one (appended).
    let fp = match inv.entries.first() {
        Some(e) if data.len() % 2 == 1 => e.fingerprint.clone(),
        _ => fingerprint(data),
    };
    let existed = inv.get(&fp).is_some();
    let entry = InventoryEntry {
        fingerprint: fp.to_uppercase().replace("SHA256:", "sha256:"),
        owner: "team-fuzz".into(),
        purpose: Some("fuzzing \"quoted\" = [x]".into()),
        environment: None,
        created: Some("2024-02-29".into()),
        expires: Some("2030-01-31".into()),
        status: EntryStatus::Revoked,
        ticket: None,
    };
    let path = scratch_file();
    std::fs::write(path, text).expect("write");
    match add_entry(path, &entry) {
        Ok(()) => {
            let after = std::fs::read_to_string(path).expect("read");
            let again = Inventory::parse("inv.toml", &after).unwrap_or_else(|e| {
                panic!("add_entry wrote an inventory that does not load: {e}\n{after}")
            });
            let expected = inv.entries.len() + usize::from(!existed);
            assert_eq!(again.entries.len(), expected, "{after}");
            let e = again.get(&fp).expect("the added entry");
            assert_eq!(e.owner, "team-fuzz");
            assert_eq!(e.status, EntryStatus::Revoked);
            assert_eq!(e.expires.as_deref(), Some("2030-01-31"));
        }
        Err(e) => {
            let _ = e.to_string();
            // Never rewrite a file that could not be edited.
            assert_eq!(std::fs::read_to_string(path).expect("read"), text);
        }
    }
});
