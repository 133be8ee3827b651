//! The scan session through the library, one test per source, on real files and real repositories
//! made with the git CLI: what an embedder gets from one builder.
#![cfg(feature = "git")]

use std::path::Path;
use std::process::Command;

use leakhound_core::session::{ScanSession, Stats, Verdict};
use leakhound_core::{fingerprint, Date, Status};

/// A made-up GitLab token, different per seed.
fn token(seed: u8) -> String {
    let body: String = (0..20u8)
        .map(|i| {
            let b = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
            b[(usize::from(i) * 7 + usize::from(seed) * 13) % b.len()] as char
        })
        .collect();
    format!("glpat-{body}")
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Dev One")
        .env("GIT_AUTHOR_EMAIL", "dev1@example.org")
        .env("GIT_COMMITTER_NAME", "Dev One")
        .env("GIT_COMMITTER_EMAIL", "dev1@example.org")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A repository with two commits: a token added under `svc/`, another in `tests/`; an inventory that
/// gives the first an owner and an expiry, and CODEOWNERS for the rest.
fn repo() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (token(1), token(2));
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(dir.path(), "svc/api/.env", &format!("GITLAB_TOKEN={a}\n"));
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "api"]);
    write(
        dir.path(),
        "tests/fixtures/ci.env",
        &format!("GITLAB_TOKEN={b}\n"),
    );
    write(dir.path(), ".github/CODEOWNERS", "/tests/ @acme/qa\n");
    let inventory = format!(
        "[[credential]]\nfingerprint = \"{}\"\nowner = \"@acme/payments\"\nexpires = \"2030-01-31\"\n",
        fingerprint(a.as_bytes())
    );
    write(dir.path(), "leakhound-inventory.toml", &inventory);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "fixtures"]);
    (dir, a, b)
}

#[test]
fn history_with_inventory_and_codeowners() {
    let (dir, a, b) = repo();
    let report = ScanSession::history(dir.path())
        .with_today(Date::parse("2026-01-01").unwrap())
        .run()
        .unwrap();
    let Stats::History(h) = &report.stats else {
        panic!("history stats: {:?}", report.stats)
    };
    assert_eq!(h.commits, 2);
    let secrets: Vec<&str> = report.findings.iter().map(|f| f.secret.as_str()).collect();
    assert_eq!(secrets, [a.as_str(), b.as_str()], "in path order");
    assert!(report.findings.iter().all(|f| f.commit.is_some()));
    let owned = &report.findings[0];
    assert_eq!(
        (owned.status, owned.owner.as_ref().unwrap().team.as_str()),
        (Some(Status::Owned), "@acme/payments")
    );
    // CODEOWNERS names a team, but only the inventory makes a credential owned.
    assert_eq!(report.findings[1].owner.as_ref().unwrap().team, "@acme/qa");
    assert_eq!(report.findings[1].status, Some(Status::UnknownOrigin));
    assert_eq!(
        (report.governance.credentials, report.governance.owned),
        (2, 1)
    );
    assert_eq!(report.verdict(), Verdict::Findings);
}

#[test]
fn files_policy_and_redaction() {
    let (dir, a, _) = repo();
    // Only unknown-origin findings in code fail: the owned one is in code, the other in tests.
    let session = ScanSession::paths([dir.path()])
        .with_fail_on(vec![Status::UnknownOrigin])
        .with_fail_on_context(Some(vec![leakhound_core::Context::Code]));
    let mut report = session.run().unwrap();
    assert_eq!(report.findings.len(), 2);
    assert_eq!(report.verdict(), Verdict::Clean);
    assert_eq!(report.root_relative(&report.findings[0]), "svc/api/.env");
    report.redact();
    let json = serde_json::to_string(&report.findings).unwrap();
    assert!(!json.contains(&a) && !json.contains(&a[10..]), "{json}");
    // The same session, with every finding failing.
    assert_eq!(
        session
            .with_fail_on(Vec::new())
            .with_fail_on_context(None)
            .run()
            .unwrap()
            .verdict(),
        Verdict::Findings
    );
}

#[test]
fn staged_changes_and_the_baseline_the_hook_uses() {
    let (dir, _, _) = repo();
    let c = token(3);
    write(
        dir.path(),
        "svc/api/.env",
        &format!("GITLAB_TOKEN={}\nDEPLOY_TOKEN={c}\n", token(1)),
    );
    git(dir.path(), &["add", "."]);
    let report = ScanSession::staged(dir.path()).run().unwrap();
    // Only the added line.
    let secrets: Vec<&str> = report.findings.iter().map(|f| f.secret.as_str()).collect();
    assert_eq!(secrets, [c.as_str()]);
    assert!(
        matches!(&report.stats, Stats::Staged(s) if s.changed_files == 1 && s.added_lines == 1)
    );
    // Accepted in the repository's baseline: the staged source applies it without being told.
    let scanned = ScanSession::staged(dir.path()).collect().unwrap();
    let baseline = leakhound_core::Baseline::from_findings_at(&scanned.findings, &|f| {
        scanned.root_relative(f)
    });
    baseline
        .save(&dir.path().join(".leakhound-baseline.json"))
        .unwrap();
    let report = ScanSession::staged(dir.path()).run().unwrap();
    assert!(report.findings.is_empty() && report.stale_baseline.is_empty());
    assert_eq!(report.verdict(), Verdict::Clean);
}

#[test]
fn commit_message_bytes_and_errors() {
    let (dir, a, _) = repo();
    write(
        dir.path(),
        ".git/COMMIT_EDITMSG",
        &format!("Fix deploy\n\ntoken was {a}\n"),
    );
    let msg = dir.path().join(".git/COMMIT_EDITMSG");
    let report = ScanSession::commit_message(dir.path(), &msg).run().unwrap();
    assert_eq!(report.findings.len(), 1);
    assert_eq!(
        (
            report.findings[0].line,
            report.findings[0].source.as_deref()
        ),
        (3, Some("commit-message"))
    );

    let report = ScanSession::bytes("stdin", format!("GITLAB_TOKEN={a}\n"))
        .run()
        .unwrap();
    assert_eq!(
        (report.findings[0].path.as_str(), report.scan_stats().files),
        ("stdin", 1)
    );

    // A broken config stops the session with the file and the field named.
    write(dir.path(), ".leakhound.toml", "[allowlist]\npaths = 3\n");
    let err = ScanSession::paths([dir.path()])
        .run()
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with(".leakhound.toml: field `allowlist.paths`: expected an array of strings"),
        "{err}"
    );
    let err = ScanSession::history(dir.path().join("missing"))
        .run()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("missing") && err.contains("no such file"),
        "{err}"
    );
}
