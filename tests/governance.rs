//! End-to-end tests of credentials, the owner inventory, CODEOWNERS and `--fail-on`.
//! Tokens are generated in the GitLab PAT shape; none is real.

use crate::common;
use common::{leakhound, token, write};

use std::path::Path;

use serde_json::Value;

fn report(dir: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["scan", "src", "deploy", "--format", "json"];
    args.extend_from_slice(extra);
    let out = leakhound(dir, &args);
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr))),
    )
}

fn fp(v: &Value, path: &str) -> String {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn cred<'a>(v: &'a Value, fingerprint: &str) -> &'a Value {
    v["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["fingerprint"] == fingerprint)
        .unwrap()
}

/// Five credentials, one per status, in a tree with CODEOWNERS.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap(); // the repository root, for defaults
    write(
        dir.path(),
        ".github/CODEOWNERS",
        "* @org/platform\n/src/payments/ @org/payments\n",
    );
    write(
        dir.path(),
        "src/payments/owned.env",
        &format!("T={}\n", token(1)),
    );
    write(
        dir.path(),
        "src/payments/expired.env",
        &format!("T={}\n", token(2)),
    );
    write(dir.path(), "src/revoked.env", &format!("T={}\n", token(3)));
    write(dir.path(), "src/canary.env", &format!("T={}\n", token(4)));
    write(dir.path(), "src/unknown.env", &format!("T={}\n", token(5)));
    // Reused across environments.
    write(
        dir.path(),
        "deploy/staging/app.env",
        &format!("T={}\n", token(6)),
    );
    write(
        dir.path(),
        "deploy/prod/app.env",
        &format!("T={}\n", token(6)),
    );
    dir
}

#[test]
fn statuses_owners_metrics_and_inventory_add() {
    let dir = tree();
    let (code, v) = report(dir.path(), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(v["summary"]["governance"]["credentials"], 6);
    assert_eq!(v["summary"]["governance"]["unknown_origin"], 6);
    let unknown = fp(&v, "src/unknown.env");
    // Owners from CODEOWNERS when the inventory is silent; last matching pattern wins.
    assert_eq!(
        cred(&v, &fp(&v, "src/payments/owned.env"))["owner"]["team"],
        "@org/payments"
    );
    assert_eq!(cred(&v, &unknown)["owner"]["team"], "@org/platform");
    assert_eq!(cred(&v, &unknown)["owner"]["source"], "codeowners");

    let add = |f: &str, extra: &[&str]| {
        let mut args = vec!["inventory", "add", "--fingerprint", f, "--owner"];
        args.extend_from_slice(extra);
        let out = leakhound(dir.path(), &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    add(
        &fp(&v, "src/payments/owned.env"),
        &[
            "team-payments",
            "--expires",
            "2999-01-01",
            "--purpose",
            "Stripe webhooks",
        ],
    );
    add(
        &fp(&v, "src/payments/expired.env"),
        &["team-payments", "--expires", "2020-01-01"],
    );
    add(
        &fp(&v, "src/revoked.env"),
        &["team-infra", "--status", "revoked"],
    );
    add(
        &fp(&v, "src/canary.env"),
        &["team-sec", "--status", "honeytoken"],
    );
    add(
        &fp(&v, "deploy/prod/app.env"),
        &["team-web", "--environment", "prod"],
    );
    // A comment a person wrote survives later edits.
    let inv = dir.path().join("leakhound-inventory.toml");
    let text = std::fs::read_to_string(&inv).unwrap();
    std::fs::write(
        &inv,
        format!("# Owned credentials: review quarterly.\n{text}"),
    )
    .unwrap();
    add(&unknown, &["team-legacy"]);
    let text = std::fs::read_to_string(&inv).unwrap();
    assert!(
        text.starts_with("# Owned credentials: review quarterly.\n"),
        "{text}"
    );
    assert!(
        !text.contains(&token(5)[6..]),
        "the inventory never holds a secret"
    );
    let good = text.clone();
    std::fs::write(&inv, text.replace("owner = \"team-legacy\"\n", "")).unwrap();
    // ... which made the unknown one's entry malformed: exit 2 naming file, entry and field.
    let out = leakhound(dir.path(), &["scan", "src", "deploy", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("leakhound-inventory.toml: credential #6") && err.contains("field `owner`"),
        "{err}"
    );
    // Editing refuses to rewrite a file it cannot read correctly.
    let out = leakhound(
        dir.path(),
        &[
            "inventory",
            "add",
            "--fingerprint",
            &unknown,
            "--owner",
            "x",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    std::fs::write(&inv, good).unwrap();

    let (_, v) = report(dir.path(), &[]);
    let status = |p: &str| cred(&v, &fp(&v, p))["status"].as_str().unwrap().to_owned();
    assert_eq!(status("src/payments/owned.env"), "owned");
    assert_eq!(status("src/payments/expired.env"), "expired");
    assert_eq!(status("src/revoked.env"), "revoked-still-present");
    assert_eq!(status("src/canary.env"), "honeytoken");
    assert_eq!(status("src/unknown.env"), "owned");
    assert_eq!(
        cred(&v, &fp(&v, "src/payments/owned.env"))["owner"]["source"],
        "inventory"
    );
    let reused = cred(&v, &fp(&v, "deploy/prod/app.env"));
    assert_eq!(reused["cross_environment"], true);
    assert_eq!(
        reused["environments"],
        serde_json::json!(["prod", "staging"])
    );
    let g = &v["summary"]["governance"];
    assert_eq!(
        (
            g["credentials"].as_u64(),
            g["owned"].as_u64(),
            g["expired"].as_u64()
        ),
        (Some(6), Some(3), Some(1))
    );
    assert_eq!(
        (
            g["revoked_still_present"].as_u64(),
            g["honeytokens"].as_u64(),
            g["unknown_origin"].as_u64()
        ),
        (Some(1), Some(1), Some(0))
    );
    assert_eq!(g["owned_pct"], 50.0);
    assert_eq!(g["with_expiry_pct"], 33.3, "2 of 6 have an expiry");
    assert_eq!(g["cross_environment"], 1);
    // Findings carry the status and owner too.
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "src/canary.env")
        .unwrap();
    assert_eq!(
        (f["status"].as_str(), f["owner"]["team"].as_str()),
        (Some("honeytoken"), Some("team-sec"))
    );
}

#[test]
fn fail_on_gates_on_governance() {
    let dir = tree();
    let (_, v) = report(dir.path(), &[]);
    for p in [
        "src/payments/owned.env",
        "src/canary.env",
        "src/unknown.env",
        "src/revoked.env",
        "src/payments/expired.env",
        "deploy/prod/app.env",
    ] {
        let out = leakhound(
            dir.path(),
            &[
                "inventory",
                "add",
                "--fingerprint",
                &fp(&v, p),
                "--owner",
                "team-a",
                "--expires",
                "2999-01-01",
            ],
        );
        assert!(out.status.success());
    }
    // Everything owned: a governance policy passes, the default (any finding) still fails.
    assert_eq!(
        report(
            dir.path(),
            &["--fail-on", "unknown-origin,expired,revoked-still-present"]
        )
        .0,
        Some(0)
    );
    assert_eq!(report(dir.path(), &[]).0, Some(1));
    write(dir.path(), "src/new.env", &format!("T={}\n", token(9)));
    assert_eq!(
        report(dir.path(), &["--fail-on", "unknown-origin"]).0,
        Some(1)
    );
    assert_eq!(report(dir.path(), &["--fail-on", "expired"]).0, Some(0));
    let out = leakhound(dir.path(), &["scan", "src", "--fail-on", "lost"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn from_report_adopts_unknown_credentials_and_check_reports_expiry_and_stale() {
    let dir = tree();
    let out = leakhound(
        dir.path(),
        &[
            "scan",
            "src",
            "deploy",
            "--format",
            "json",
            "--redact",
            "--output",
            "report.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = leakhound(
        dir.path(),
        &[
            "inventory",
            "add",
            "--from-report",
            "report.json",
            "--owner",
            "team-sec",
            "--expires",
            "2000-01-01",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, v) = report(dir.path(), &["--fail-on", "unknown-origin"]);
    assert_eq!(v["summary"]["governance"]["unknown_origin"], 0);
    assert_eq!(v["summary"]["governance"]["expired"], 6);
    // Remove one leaked file: its entry is now stale.
    std::fs::remove_file(dir.path().join("src/canary.env")).unwrap();
    std::fs::remove_file(dir.path().join("report.json")).unwrap();
    let out = leakhound(dir.path(), &["inventory", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.starts_with("expired")).count(),
        6,
        "{text}"
    );
    assert_eq!(
        text.lines().filter(|l| l.starts_with("stale")).count(),
        1,
        "{text}"
    );
}

/// Regression (issue 11, case 10): CODEOWNERS patterns and baseline entries were matched against the
/// displayed path, so scanning `/abs/repo` or `repo` from its parent missed anchored patterns
/// (`/svc/billing/ @team`) and showed valid baseline entries as stale. Both are matched against the
/// path relative to the repository root now, however the scanned path is spelled; the displayed path
/// stays as typed.
#[test]
fn owners_and_baseline_match_the_repository_relative_path_however_it_is_spelled() {
    let parent = tempfile::tempdir().unwrap();
    let repo = parent.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    common::git(&repo, &["init", "-q", "-b", "main"]);
    write(&repo, ".github/CODEOWNERS", "/svc/billing/ @org/billing\n");
    write(&repo, "svc/billing/old.env", &format!("T={}\n", token(21)));
    write(&repo, "svc/other.env", &format!("T={}\n", token(22)));
    // Accepted from the root, as the README says to.
    let out = leakhound(&repo, &["baseline", "create"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    write(&repo, "svc/billing/new.env", &format!("T={}\n", token(23)));

    let abs = repo.to_str().unwrap().to_owned();
    let abs_baseline = format!("{abs}/.leakhound-baseline.json");
    let cases: [(&Path, &str, &str, &str); 5] = [
        (
            &repo,
            ".",
            ".leakhound-baseline.json",
            "svc/billing/new.env",
        ),
        (
            parent.path(),
            "repo",
            "repo/.leakhound-baseline.json",
            "repo/svc/billing/new.env",
        ),
        (
            parent.path(),
            "./repo/",
            "repo/.leakhound-baseline.json",
            "repo/svc/billing/new.env",
        ),
        (
            &repo.join("svc"),
            "..",
            "../.leakhound-baseline.json",
            "../svc/billing/new.env",
        ),
        (Path::new("/"), &abs, &abs_baseline, ""),
    ];
    for (cwd, path, baseline, shown) in cases {
        let out = leakhound(
            cwd,
            &["scan", path, "--baseline", baseline, "--format", "json"],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("stale"), "{path}: {err}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let f = v["findings"].as_array().unwrap();
        assert_eq!(f.len(), 1, "{path}: {f:#?}");
        let shown = if shown.is_empty() {
            format!("{abs}/svc/billing/new.env")
        } else {
            shown.to_owned()
        };
        assert_eq!(f[0]["path"], shown.as_str(), "{path}");
        assert_eq!(f[0]["owner"]["team"], "@org/billing", "{path}");
        assert_eq!(f[0]["owner"]["source"], "codeowners", "{path}");
    }
    // A single file, named from the parent.
    let out = leakhound(
        parent.path(),
        &["scan", "repo/svc/billing/new.env", "--format", "json"],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["owner"]["team"], "@org/billing");

    // A baseline created from the parent records repository-relative paths too.
    let out = leakhound(
        parent.path(),
        &[
            "baseline",
            "create",
            "repo",
            "--baseline-output",
            "from-parent.json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b: Value = serde_json::from_str(
        &std::fs::read_to_string(parent.path().join("from-parent.json")).unwrap(),
    )
    .unwrap();
    let paths: Vec<&str> = b["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"svc/billing/new.env"), "{paths:?}");
    assert!(paths.iter().all(|p| !p.starts_with("repo/")), "{paths:?}");
}
