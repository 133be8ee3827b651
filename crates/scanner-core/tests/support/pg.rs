//! A fresh PostgreSQL database per test, on the server `.ci/run` starts on loopback
//! (`LEAKHOUND_TEST_POSTGRES`, see tests/sh/postgres.sh). Without it: a failure in CI, a note elsewhere.

use std::sync::atomic::{AtomicUsize, Ordering};

static N: AtomicUsize = AtomicUsize::new(0);

/// A URL of a new, empty database, or None (with a note) when no server is configured outside CI.
#[allow(dead_code)]
pub fn fresh_database() -> Option<String> {
    let Some(base) = std::env::var("LEAKHOUND_TEST_POSTGRES")
        .ok()
        .filter(|v| !v.is_empty())
    else {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
        assert!(!ci, "LEAKHOUND_TEST_POSTGRES is not set: .ci/run starts PostgreSQL (tests/sh/postgres.sh start)");
        eprintln!(
            "note: LEAKHOUND_TEST_POSTGRES not set: the PostgreSQL half of this test is skipped"
        );
        return None;
    };
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or("")
        .split('/')
        .next()
        .unwrap_or("");
    let host = host
        .rsplit('@')
        .next()
        .unwrap_or(host)
        .split(':')
        .next()
        .unwrap_or("");
    assert!(
        host == "127.0.0.1" || host == "localhost" || host == "[::1]",
        "LEAKHOUND_TEST_POSTGRES must be on loopback"
    );
    let name = format!(
        "lh_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let mut client = postgres::Client::connect(&base, postgres::NoTls).expect("PostgreSQL");
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("CREATE DATABASE");
    let (prefix, _) = base.rsplit_once('/').expect("a database in the URL");
    Some(format!("{prefix}/{name}"))
}
