//! `--ledger` and `leakhound report` through the binary, on real repositories made with git and real
//! databases: three runs over a repository as it is fixed; a ledger that cannot be used; concurrent
//! scans into one SQLite file; PostgreSQL when `.ci/run` started it.

use crate::common;
use crate::pg;

use std::path::Path;
use std::process::Command;

use common::{commit_at, git, json, leakhound, stderr, token, write};

fn fingerprint_of(secret: &str) -> String {
    leakhound_core::fingerprint(secret.as_bytes())
}

/// A repository with a remote whose URL carries a password (it must never reach the ledger) and
/// two leaked tokens committed on 2026-03-01.
fn leaky_repo(dir: &Path) -> (String, String) {
    git(dir, &["init", "-q"]);
    git(
        dir,
        &[
            "remote",
            "add",
            "origin",
            "https://ci:S3cretRemotePassw0rd@git.example.com/acme/payments.git",
        ],
    );
    let (t1, t2) = (token(101), token(102));
    write(dir, ".env", &format!("GITLAB_TOKEN={t1}\n"));
    write(dir, "config/prod.yml", &format!("gitlab:\n  token: {t2}\n"));
    git(dir, &["add", "-A"]);
    commit_at(dir, "initial import", "2026-03-01T09:00:00Z");
    (t1, t2)
}

#[test]
fn three_runs_over_a_repository_as_it_is_fixed() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("payments");
    std::fs::create_dir(&repo).unwrap();
    let (t1, t2) = leaky_repo(&repo);
    let ledger = tmp.path().join("ledger.sqlite");
    let url = format!("sqlite:{}", ledger.display());

    // 1. The history as it was found.
    let out = leakhound(
        &repo,
        &[
            "scan",
            "--history",
            ".",
            "--ledger",
            &url,
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("leakhound: ledger: run 1 recorded in sqlite:"),
        "{}",
        stderr(&out)
    );

    // 2. .env fixed; the production token is claimed in the inventory and revoked with its provider.
    git(&repo, &["rm", "-q", ".env"]);
    write(
        &repo,
        "leakhound-inventory.toml",
        &format!(
            "[[credential]]\nfingerprint = \"{}\"\nowner = \"team-payments\"\nexpires = 2027-03-01\nstatus = \"revoked\"\nrevoked = 2026-03-20\n",
            fingerprint_of(&t2)
        ),
    );
    git(&repo, &["add", "-A"]);
    commit_at(&repo, "remove .env; inventory", "2026-03-21T09:00:00Z");
    let out = leakhound(&repo, &["scan", ".", "--ledger", &url, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // 3. The production config cleaned up too.
    git(&repo, &["rm", "-q", "config/prod.yml"]);
    commit_at(
        &repo,
        "remove the token from prod.yml",
        "2026-03-22T09:00:00Z",
    );
    let out = leakhound(
        &repo,
        &[
            "scan",
            "--history",
            ".",
            "--ledger",
            &url,
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    let out = leakhound(
        tmp.path(),
        &["report", "--ledger", &url, "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["kpis"]["runs"], 3);
    assert_eq!(r["kpis"]["repositories"], 1);
    assert_eq!(r["kpis"]["credentials"], 2);
    assert_eq!(r["runs"][0]["repo"], "git.example.com/acme/payments");
    assert_eq!(r["runs"][0]["mode"], "history");
    assert_eq!(r["runs"][1]["mode"], "files");
    let life = |t: &str| {
        r["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["fingerprint"] == fingerprint_of(t).as_str())
            .cloned()
            .expect("in the report")
    };
    let today = leakhound_core::Date::today().to_string();
    let (l1, l2) = (life(&t1), life(&t2));
    assert_eq!(l1["introduced"], "2026-03-01");
    assert_eq!(
        l1["removed_from_head"],
        today.as_str(),
        "gone from the tree of run 2"
    );
    assert_eq!(l1["open"], true, "removed is not revoked");
    assert_eq!(l2["revoked"], "2026-03-20");
    assert_eq!(l2["open"], false);
    assert_eq!(l2["owner"], "team-payments");
    assert_eq!(
        l2["removed_from_head"],
        today.as_str(),
        "gone from HEAD by run 3"
    );
    assert_eq!(r["kpis"]["open"], 1);
    assert_eq!(r["kpis"]["revoked"], 1);
    assert_eq!(r["kpis"]["removed_from_head"], 2);

    // Never a secret, nor the remote's password, in the database (the WAL included).
    for file in std::fs::read_dir(tmp.path()).unwrap().flatten() {
        let name = file.file_name().to_string_lossy().into_owned();
        if !name.starts_with("ledger.sqlite") {
            continue;
        }
        let bytes = std::fs::read(file.path()).unwrap();
        for needle in [t1.as_str(), t2.as_str(), "S3cretRemotePassw0rd"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{name} holds a secret"
            );
        }
    }

    // Markdown and HTML from the same ledger; the format follows the output's extension.
    let md = leakhound(
        tmp.path(),
        &["report", "--ledger", &url, "--format", "markdown"],
    );
    assert_eq!(md.status.code(), Some(0), "{}", stderr(&md));
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains("team-payments"), "{md}");
    let html = tmp.path().join("report.html");
    let out = leakhound(
        tmp.path(),
        &["report", "--ledger", &url, "-o", html.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && page.contains("team-payments"));
    // Self-contained: nothing fetched (the SVG namespace URI is a name, not a request).
    for fetch in [
        "<script",
        "<link",
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
    ] {
        assert!(!page.contains(fetch), "the page fetches something: {fetch}");
    }

    // Filters.
    let out = leakhound(
        tmp.path(),
        &[
            "report",
            "--ledger",
            &url,
            "--format",
            "json",
            "--owner",
            "team-payments",
        ],
    );
    assert_eq!(json(&out)["kpis"]["credentials"], 1);
    let out = leakhound(
        tmp.path(),
        &[
            "report",
            "--ledger",
            &url,
            "--format",
            "json",
            "--repo",
            "elsewhere",
        ],
    );
    assert_eq!(json(&out)["kpis"]["credentials"], 0);
}

#[test]
fn a_ledger_that_cannot_be_used_exits_2_after_the_report_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("src");
    write(&dir, "app.env", &format!("GITLAB_TOKEN={}\n", token(7)));
    let report = tmp.path().join("out.json");
    let corrupt = tmp.path().join("corrupt.sqlite");
    std::fs::write(&corrupt, b"not a database at all\n".repeat(100)).unwrap();
    let mut ledgers = vec![
        (
            "postgres://leakhound@127.0.0.1:1/ledger".to_string(),
            "cannot open",
        ),
        (
            "sqlite:/proc/leakhound/ledger.sqlite".to_string(),
            "cannot create the directory /proc/leakhound",
        ),
        (
            format!("sqlite:{}", corrupt.display()),
            "not a leakhound ledger",
        ),
        ("mysql://db/ledger".to_string(), "unsupported ledger"),
    ];
    // A read-only file (root reads and writes whatever the mode says: only for other users).
    #[cfg(unix)]
    if unsafe { libc_geteuid() } != 0 {
        use std::os::unix::fs::PermissionsExt as _;
        let ro = tmp.path().join("ro.sqlite");
        let out = leakhound(&dir, &["scan", ".", "-q", "--ledger", ro.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
        ledgers.push((ro.display().to_string(), "readonly"));
    }
    for (url, expect) in ledgers {
        let _ = std::fs::remove_file(&report);
        let out = leakhound(
            &dir,
            &[
                "scan",
                ".",
                "--format",
                "json",
                "-o",
                report.to_str().unwrap(),
                "--ledger",
                &url,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{url}: {}", stderr(&out));
        let err = stderr(&out);
        let line = err
            .lines()
            .find(|l| l.starts_with("leakhound: error:"))
            .unwrap_or_default();
        assert!(line.contains(expect), "{url}: {err}");
        assert_eq!(
            err.matches("leakhound: error:").count(),
            1,
            "one line: {err}"
        );
        // The scan's own report is out.
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        assert_eq!(written["findings"].as_array().unwrap().len(), 1, "{url}");
    }
    assert!(
        std::fs::read(&corrupt).unwrap() == b"not a database at all\n".repeat(100),
        "a corrupt ledger is left as it was"
    );
}

#[cfg(unix)]
extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

#[test]
fn concurrent_scans_into_one_sqlite_file_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let ledger = tmp.path().join("shared.sqlite");
    let url = format!("sqlite:{}", ledger.display());
    let mut dirs = Vec::new();
    for d in 0..4u64 {
        let dir = tmp.path().join(format!("repo{d}"));
        let body: String = (0..25)
            .map(|i| format!("TOKEN_{i}={}\n", token(d * 100 + i)))
            .collect();
        write(&dir, "secrets.env", &body);
        dirs.push(dir);
    }
    // Twelve processes at once, three per directory, the first of them creating the ledger.
    let children: Vec<_> = (0..12)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_leakhound"))
                .args(["scan", ".", "-q", "--format", "jsonl", "--ledger", &url])
                .current_dir(&dirs[i % 4])
                .env_remove("CI")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    }
    let out = leakhound(
        tmp.path(),
        &["report", "--ledger", &url, "--format", "json"],
    );
    let r = json(&out);
    assert_eq!(r["kpis"]["runs"], 12);
    assert_eq!(r["kpis"]["credentials"], 100);
    let sightings: u64 = r["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sightings"].as_u64().unwrap())
        .sum();
    assert_eq!(sightings, 12 * 25);
}

#[test]
fn report_arguments_and_a_missing_ledger_are_one_line_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = format!("sqlite:{}", tmp.path().join("none.sqlite").display());
    for args in [
        vec!["report", "--ledger", missing.as_str()],
        vec![
            "report",
            "--ledger",
            missing.as_str(),
            "--since",
            "last week",
        ],
        vec!["report", "--ledger", "mysql://h/db"],
    ] {
        let out = leakhound(tmp.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("leakhound: error:"), "{err}");
    }
    assert!(
        !tmp.path().join("none.sqlite").exists(),
        "a report never creates a ledger"
    );
}

#[test]
fn the_same_runs_into_postgresql() {
    let Some(url) = pg::fresh_database() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("payments");
    std::fs::create_dir(&repo).unwrap();
    leaky_repo(&repo);
    for args in [vec!["scan", "--history", "."], vec!["scan", "."]] {
        let mut args = args.clone();
        args.extend(["-q", "--format", "jsonl", "--ledger", url.as_str()]);
        let out = leakhound(&repo, &args);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    }
    let r = json(&leakhound(
        tmp.path(),
        &["report", "--ledger", &url, "--format", "json"],
    ));
    assert_eq!(r["kpis"]["runs"], 2);
    assert_eq!(r["kpis"]["credentials"], 2);
    assert_eq!(r["runs"][0]["repo"], "git.example.com/acme/payments");
}

#[test]
fn keyed_fingerprints_reach_the_ledger_and_another_kind_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("src");
    let secret = token(9);
    write(&dir, "app.env", &format!("GITLAB_TOKEN={secret}\n"));
    let url = format!("sqlite:{}", tmp.path().join("l.sqlite").display());
    let keyed = |key: &str| {
        Command::new(env!("CARGO_BIN_EXE_leakhound"))
            .args(["scan", ".", "-q", "--format", "jsonl", "--ledger", &url])
            .current_dir(&dir)
            .env_remove("CI")
            .env("LEAKHOUND_FINGERPRINT_KEY", key)
            .output()
            .unwrap()
    };
    let out = keyed("an organisation key of 32 bytes!");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = json(&leakhound(
        tmp.path(),
        &["report", "--ledger", &url, "--format", "json"],
    ));
    let fp = r["credentials"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(fp.starts_with("hmac-sha256:"), "{fp}");
    assert_ne!(fp, fingerprint_of(&secret));
    assert!(r["fingerprint_kind"]
        .as_str()
        .unwrap()
        .starts_with("hmac-sha256:"));
    // Plain fingerprints, or another key's, would never match: refused, exit 2, nothing recorded.
    for out in [
        leakhound(
            &dir,
            &["scan", ".", "-q", "--format", "jsonl", "--ledger", &url],
        ),
        keyed("another organisation's key, 32 b"),
    ] {
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("LEAKHOUND_FINGERPRINT_KEY"),
            "{}",
            stderr(&out)
        );
    }
    let r = json(&leakhound(
        tmp.path(),
        &["report", "--ledger", &url, "--format", "json"],
    ));
    assert_eq!(r["kpis"]["runs"], 1);
}

#[test]
fn creating_a_baseline_records_its_scan_as_a_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("src");
    write(&dir, "app.env", &format!("GITLAB_TOKEN={}\n", token(11)));
    let url = format!("sqlite:{}", tmp.path().join("l.sqlite").display());
    let out = leakhound(&dir, &["baseline", "create", ".", "-q", "--ledger", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join(".leakhound-baseline.json").is_file());
    let r = json(&leakhound(
        tmp.path(),
        &["report", "--ledger", &url, "--format", "json"],
    ));
    assert_eq!(
        (
            r["kpis"]["runs"].as_u64(),
            r["kpis"]["credentials"].as_u64()
        ),
        (Some(1), Some(1))
    );
}

#[test]
fn a_secret_in_a_file_name_reaches_the_ledger_redacted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("src");
    let secret = token(12);
    write(
        &dir,
        &format!("keys/{secret}.txt"),
        &format!("GITLAB_TOKEN={secret}\n"),
    );
    let db = tmp.path().join("l.sqlite");
    let url = format!("sqlite:{}", db.display());
    let out = leakhound(
        &dir,
        &[
            "scan",
            ".",
            "-q",
            "--format",
            "jsonl",
            "--no-redact",
            "--ledger",
            &url,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    for file in std::fs::read_dir(tmp.path()).unwrap().flatten() {
        if file.file_name().to_string_lossy().starts_with("l.sqlite") {
            let bytes = std::fs::read(file.path()).unwrap();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a secret in the ledger"
            );
        }
    }
    let r = json(&leakhound(
        tmp.path(),
        &["report", "--ledger", &url, "--format", "json"],
    ));
    let path = r["credentials"][0]["path"].as_str().unwrap().to_string();
    assert!(
        path.starts_with("keys/glpat-") && path.contains('…'),
        "{path}"
    );
}
