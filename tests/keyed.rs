//! End-to-end tests of keyed fingerprints (`hmac-sha256:`): the key from the environment or a key file,
//! every output format, the inventory and the baseline in both kinds, and bad keys.
//! Tokens are generated in the GitLab PAT shape; none is real. The keys are test keys.

use crate::common;
use common::{git, stderr, token, write};

use std::path::Path;
use std::process::{Command, Output};

use leakhound_core::{fingerprint, FingerprintKey};
use serde_json::Value;

const KEY: &str = "test-key-0123456789abcdef-not-a-secret";
const OTHER_KEY: &str = "another-test-key-fedcba9876543210";

/// How the key reaches the binary.
enum Key<'a> {
    None,
    Env(&'a str),
    File(&'a Path),
}

/// Runs leakhound in `dir` with `key`, colour off, outside CI, no key from the test's environment.
fn run(dir: &Path, key: Key<'_>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leakhound"));
    cmd.current_dir(dir)
        .env_remove("CI")
        .env_remove("LEAKHOUND_FINGERPRINT_KEY")
        .env_remove("LEAKHOUND_FINGERPRINT_KEY_FILE")
        .env("NO_COLOR", "1");
    match key {
        Key::None => {}
        Key::Env(k) => {
            cmd.env("LEAKHOUND_FINGERPRINT_KEY", k);
        }
        Key::File(f) => {
            cmd.arg("--fingerprint-key-file").arg(f);
        }
    }
    cmd.args(args).output().expect("run leakhound")
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", stderr(o)))
}

/// The fingerprints of a JSON report's findings, in order.
fn fingerprints(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_owned())
        .collect()
}

fn keyed(key: &str, secret: &str) -> String {
    FingerprintKey::from_bytes(key)
        .unwrap()
        .fingerprint(secret.as_bytes())
}

/// A repository root (for the default inventory and baseline) with one secret in `a/` and `b/`.
fn tree(secret: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "a/app.env", &format!("GITLAB_TOKEN={secret}\n"));
    write(
        dir.path(),
        "b/deploy.env",
        &format!("GITLAB_TOKEN={secret}\n"),
    );
    dir
}

#[test]
fn the_same_secret_has_one_keyed_fingerprint_across_directories_and_runs() {
    let secret = token(1601);
    let dir = tree(&secret);
    let a = json(&run(
        dir.path(),
        Key::Env(KEY),
        &["scan", "a", "--format", "json"],
    ));
    let b = json(&run(
        dir.path(),
        Key::Env(KEY),
        &["scan", "b", "--format", "json"],
    ));
    let expected = keyed(KEY, &secret);
    assert_eq!(fingerprints(&a), vec![expected.clone()]);
    assert_eq!(fingerprints(&b), vec![expected.clone()]);
    assert!(expected.starts_with("hmac-sha256:") && expected.len() == 12 + 64);
    // One credential for both places, under the keyed fingerprint.
    let both = json(&run(
        dir.path(),
        Key::Env(KEY),
        &["scan", "a", "b", "--format", "json"],
    ));
    let creds = both["credentials"].as_array().unwrap();
    assert_eq!(creds.len(), 1);
    assert_eq!(creds[0]["fingerprint"], expected.as_str());
    // Another key, another fingerprint; no key, the plain one.
    let other = json(&run(
        dir.path(),
        Key::Env(OTHER_KEY),
        &["scan", "a", "--format", "json"],
    ));
    assert_eq!(fingerprints(&other), vec![keyed(OTHER_KEY, &secret)]);
    assert_ne!(keyed(OTHER_KEY, &secret), expected);
    let plain = json(&run(
        dir.path(),
        Key::None,
        &["scan", "a", "--format", "json"],
    ));
    assert_eq!(fingerprints(&plain), vec![fingerprint(secret.as_bytes())]);
}

#[test]
fn a_key_file_gives_the_same_fingerprints_and_overrides_the_environment() {
    let secret = token(1602);
    let dir = tree(&secret);
    let keyfile = dir.path().join("key");
    std::fs::write(&keyfile, format!("{KEY}\n")).unwrap();
    let out = run(
        dir.path(),
        Key::File(&keyfile),
        &["scan", "a", "--format", "json"],
    );
    assert_eq!(fingerprints(&json(&out)), vec![keyed(KEY, &secret)]);
    // The flag wins over a (broken) environment.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leakhound"));
    let out = cmd
        .current_dir(dir.path())
        .env_remove("CI")
        .env("LEAKHOUND_FINGERPRINT_KEY", "short")
        .arg("--fingerprint-key-file")
        .arg(&keyfile)
        .args(["scan", "a", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(fingerprints(&json(&out)), vec![keyed(KEY, &secret)]);
    // The environment's file variable.
    let out = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .current_dir(dir.path())
        .env_remove("CI")
        .env_remove("LEAKHOUND_FINGERPRINT_KEY")
        .env("LEAKHOUND_FINGERPRINT_KEY_FILE", &keyfile)
        .args(["scan", "a", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(fingerprints(&json(&out)), vec![keyed(KEY, &secret)]);
}

#[test]
fn every_format_shows_the_keyed_fingerprint_and_never_the_secret_or_the_key() {
    let secret = token(1603);
    let dir = tree(&secret);
    let fp = keyed(KEY, &secret);
    let summary = dir.path().join("step-summary.md");
    for format in ["json", "jsonl", "sarif", "github", "gitlab", "human"] {
        // GitHub's annotations carry no fingerprint; its job summary does.
        let out = Command::new(env!("CARGO_BIN_EXE_leakhound"))
            .current_dir(dir.path())
            .env_remove("CI")
            .env_remove("LEAKHOUND_FINGERPRINT_KEY_FILE")
            .env("LEAKHOUND_FINGERPRINT_KEY", KEY)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .args(["scan", "a", "--format", format, "--redact"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let mut text = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        if format == "github" {
            text += &std::fs::read_to_string(&summary).unwrap();
        }
        assert!(!text.contains(&secret), "{format} shows the secret");
        assert!(!text.contains(KEY), "{format} shows the key");
        assert!(
            !text.contains(&fingerprint(secret.as_bytes())["sha256:".len()..]),
            "{format} shows the plain fingerprint"
        );
        match format {
            // SARIF carries the whole value in partialFingerprints; the human table and GitHub's job
            // summary a prefix; GitLab's vulnerability id is a hash of it with the place.
            "json" | "jsonl" | "sarif" => assert!(text.contains(&fp), "{format}: {text}"),
            "gitlab" => {
                let id = fingerprint(format!("{fp}:a/app.env:1").as_bytes());
                assert!(text.contains(&id[7..7 + 32]), "{format}: {text}");
            }
            _ => assert!(text.contains(&fp[..19]), "{format}: {text}"),
        }
    }
}

#[test]
fn a_plain_inventory_still_links_under_a_key_and_says_so() {
    let secret = token(1604);
    let dir = tree(&secret);
    let plain = fingerprint(secret.as_bytes());
    write(
        dir.path(),
        "leakhound-inventory.toml",
        &format!("[[credential]]\nfingerprint = \"{plain}\"\nowner = \"team-pay\"\n"),
    );
    let out = run(
        dir.path(),
        Key::Env(KEY),
        &["scan", "a", "--format", "json"],
    );
    let v = json(&out);
    let f = &v["findings"][0];
    assert_eq!(f["fingerprint"], keyed(KEY, &secret).as_str());
    assert_eq!(f["status"], "owned");
    assert_eq!(f["owner"]["team"], "team-pay");
    let err = stderr(&out);
    assert_eq!(err.matches("plain sha256 fingerprint").count(), 1, "{err}");
    assert!(
        err.contains(&format!("{plain} is now {}", keyed(KEY, &secret))),
        "{err}"
    );
    assert!(!err.contains(&secret));
    // Re-keyed as the note says, it links without a note.
    write(
        dir.path(),
        "leakhound-inventory.toml",
        &format!(
            "[[credential]]\nfingerprint = \"{}\"\nowner = \"team-pay\"\n",
            keyed(KEY, &secret)
        ),
    );
    let out = run(
        dir.path(),
        Key::Env(KEY),
        &["scan", "a", "--format", "json"],
    );
    assert_eq!(json(&out)["findings"][0]["status"], "owned");
    assert!(!stderr(&out).contains("fingerprint"), "{}", stderr(&out));
    // Without the key, the keyed entry cannot match: a warning says why, once.
    let out = run(
        dir.path(),
        Key::None,
        &["scan", "a", "--format", "json", "-q"],
    );
    assert_eq!(json(&out)["findings"][0]["status"], "unknown-origin");
    let err = stderr(&out);
    assert_eq!(err.matches("no fingerprint key is set").count(), 1, "{err}");
}

#[test]
fn inventory_add_and_list_take_keyed_fingerprints() {
    let secret = token(1605);
    let dir = tree(&secret);
    let fp = keyed(KEY, &secret);
    let out = run(
        dir.path(),
        Key::None,
        &[
            "inventory",
            "add",
            "--fingerprint",
            &fp.to_uppercase(),
            "--owner",
            "team-a",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plain = fingerprint(b"another credential");
    let out = run(
        dir.path(),
        Key::None,
        &[
            "inventory",
            "add",
            "--fingerprint",
            &plain,
            "--owner",
            "team-b",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(dir.path(), Key::None, &["inventory", "list"]);
    let list = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = list.lines().find(|l| l.starts_with(&fp)).expect(&list);
    assert!(
        line.contains(" hmac-sha256 ") && line.contains("team-a"),
        "{list}"
    );
    let line = list.lines().find(|l| l.starts_with(&plain)).expect(&list);
    assert!(
        line.contains(" sha256 ") && line.contains("team-b"),
        "{list}"
    );
    // The scan under the key links the keyed entry.
    let out = run(
        dir.path(),
        Key::Env(KEY),
        &["scan", "a", "--format", "json"],
    );
    assert_eq!(json(&out)["findings"][0]["owner"]["team"], "team-a");
    // `inventory check`: under the key, the keyed entry is found and the plain one is stale; without
    // it, the keyed entry cannot be judged, and is not called stale.
    let out = run(dir.path(), Key::Env(KEY), &["inventory", "check"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.contains(&format!("stale          {fp}")), "{text}");
    assert!(text.contains(&format!("stale          {plain}")), "{text}");
    let out = run(dir.path(), Key::None, &["inventory", "check"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!text.contains(&format!("stale          {fp}")), "{text}");
    assert!(
        stderr(&out).contains("1 entry of another fingerprint kind"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_baseline_written_under_a_key_says_so_and_suppresses_the_next_run() {
    let secret = token(1606);
    let dir = tree(&secret);
    let out = run(dir.path(), Key::Env(KEY), &["baseline", "create", "a", "b"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join(".leakhound-baseline.json")).unwrap();
    let b: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(b["fingerprints"], "hmac-sha256");
    let id = FingerprintKey::from_bytes(KEY).unwrap().id();
    assert_eq!(b["key_id"], id.as_str());
    assert!(b["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["fingerprint"] == keyed(KEY, &secret).as_str()));
    assert!(!text.contains(&secret) && !text.contains(KEY));
    let baseline = [
        "scan",
        "a",
        "b",
        "--baseline",
        ".leakhound-baseline.json",
        "--format",
        "json",
    ];
    let out = run(dir.path(), Key::Env(KEY), &baseline);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fingerprints(&json(&out)).len(), 0);
    // Another key: nothing matches, and the warning names both key ids.
    let out = run(dir.path(), Key::Env(OTHER_KEY), &baseline);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let other_id = FingerprintKey::from_bytes(OTHER_KEY).unwrap().id();
    assert!(err.contains(&id) && err.contains(&other_id), "{err}");
    assert_eq!(
        err.matches("was written under fingerprint key").count(),
        1,
        "{err}"
    );
    // No key: the warning says the keyed entries cannot match, and does not call them stale.
    let out = run(dir.path(), Key::None, &baseline);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).matches("no fingerprint key is set").count(), 1);
    assert!(!stderr(&out).contains("stale"), "{}", stderr(&out));
    // A plain baseline (no `fingerprints` field, as older leakhounds wrote) still suppresses under
    // a key, with a note.
    let plain = fingerprint(secret.as_bytes());
    write(
        dir.path(),
        ".leakhound-baseline.json",
        &format!(
            r#"{{"version": 1, "entries": [{{"fingerprint": "{plain}", "rule": "gitlab-pat", "path": "a/app.env"}}, {{"fingerprint": "{plain}", "rule": "gitlab-pat", "path": "b/deploy.env"}}]}}"#
        ),
    );
    let out = run(dir.path(), Key::Env(KEY), &baseline);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out).matches("plain sha256 fingerprint").count(), 1);
    // Without a key, a baseline says it holds plain fingerprints.
    let out = run(dir.path(), Key::None, &["baseline", "create", "a"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let b: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(".leakhound-baseline.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(b["fingerprints"], "sha256");
    assert!(b.get("key_id").is_none());
}

#[test]
fn the_pre_commit_hook_applies_a_keyed_baseline() {
    let secret = token(1607);
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    write(dir.path(), "app.env", &format!("GITLAB_TOKEN={secret}\n"));
    let out = run(dir.path(), Key::Env(KEY), &["baseline", "create", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    git(dir.path(), &["add", "app.env"]);
    let out = run(dir.path(), Key::Env(KEY), &["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(dir.path(), Key::None, &["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn bad_keys_are_one_line_errors_naming_the_file() {
    let dir = tree(&token(1608));
    let short = dir.path().join("short.key");
    std::fs::write(&short, "tooshort\n").unwrap();
    for (key, what) in [
        (Key::File(&short), "short.key"),
        (Key::File(&dir.path().join("missing.key")), "missing.key"),
        (Key::Env(""), "LEAKHOUND_FINGERPRINT_KEY"),
        (Key::Env("0123456789"), "LEAKHOUND_FINGERPRINT_KEY"),
    ] {
        let out = run(dir.path(), key, &["scan", "a"]);
        assert_eq!(out.status.code(), Some(2), "{what}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("leakhound: error:") && err.contains(what),
            "{err}"
        );
        assert!(
            !err.contains("tooshort") && !err.contains("0123456789"),
            "{err}"
        );
    }
    // Both variables: an error, not a guess.
    let out = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .current_dir(dir.path())
        .env("LEAKHOUND_FINGERPRINT_KEY", KEY)
        .env("LEAKHOUND_FINGERPRINT_KEY_FILE", &short)
        .args(["scan", "a"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("both"), "{}", stderr(&out));
    // Commands that fingerprint nothing do not read the key.
    let out = run(dir.path(), Key::Env("short"), &["rules", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
