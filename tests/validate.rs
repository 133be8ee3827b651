//! `--validate` and `leakhound revoke` end to end: the binary against a loopback server standing in for
//! a provider (`LEAKHOUND_VALIDATE_BASE_URL`, refused unless loopback), with a rule file of a made-up
//! provider so that the test depends on no real one.

#[path = "../crates/scanner-core/tests/support/loopback.rs"]
mod loopback;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use loopback::{Reply, Server};

const RULES: &str = r#"
[[rule]]
id = "acme-token"
description = "Acme API token"
severity = "high"
keywords = ["acme_"]
regex = '''\b(?P<secret>acme_[A-Za-z0-9]{24})\b'''
examples = ["T=acme_Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf"]
negative_examples = ["acme_short"]
[rule.verify]
provider = "Acme"
docs = "https://docs.acme.example.com/api/me"
url = "https://api.acme.example.com/v1/me"
headers = { Authorization = "Bearer {secret}" }
live = [200]
dead = [401]
identity = "{json:login}"
scopes = "header:x-scopes"
rotate = "https://acme.example.com/settings/tokens"
[rule.verify.revoke]
docs = "https://docs.acme.example.com/api/revoke"
url = "https://api.acme.example.com/v1/tokens/self"
method = "DELETE"
headers = { Authorization = "Bearer {secret}" }
done = [204]
[[rule.verify.example]]
status = 200
body = '{"login":"ci-bot"}'
expect = "live"
[[rule.verify.example]]
status = 401
expect = "dead"

[[rule]]
id = "acme-plain-key"
description = "Acme key without a validator"
severity = "low"
keywords = ["acmeplain_"]
regex = '''\b(?P<secret>acmeplain_[A-Za-z0-9]{20})\b'''
examples = ["P=acmeplain_Zq8vN2kLm4Rt7Yw1Xc5B"]
negative_examples = ["acmeplain_short"]

[[rule]]
id = "acme-legacy-key"
description = "Acme legacy key"
severity = "medium"
keywords = ["acmekey_"]
regex = '''\b(?P<secret>acmekey_[a-f0-9]{32})\b'''
examples = ["K=acmekey_3f9a1c7e5b2d8a4f6c1e9b7d3a5f2c8e"]
negative_examples = ["acmekey_short"]
[rule.verify]
provider = "Acme Legacy"
docs = "https://docs.acme.example.com/api/legacy"
url = "https://legacy.acme.example.com/whoami?key={secret}"
live = [200]
dead = [403]
rotate = "https://acme.example.com/settings/legacy"
[[rule.verify.example]]
status = 200
expect = "live"
[[rule.verify.example]]
status = 403
expect = "dead"
"#;

const LIVE: &str = "acme_Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf"; // leakhound:allow (made-up)
const DEAD: &str = "acme_Hc4Jp7Vw2Lq9Tn5Rx8Kd3Mb6"; // leakhound:allow (made-up)

fn fixture() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("acme.toml"), RULES).unwrap();
    std::fs::create_dir(d.path().join("src")).unwrap();
    std::fs::write(
        d.path().join("src/app.env"),
        format!("ACME_TOKEN={LIVE}\nOLD_TOKEN={DEAD}\nAGAIN={LIVE}\nPLAIN=acmeplain_Hc4Jp7Vw2Lq9Tn5Rx8Kd\n"), // leakhound:allow (made-up)
    )
    .unwrap();
    d
}

/// A provider: the live token answers 200 with an identity, anything else 401.
fn provider() -> Server {
    Server::start(|req, _| {
        if req.header("authorization") == Some(&format!("Bearer {LIVE}")) {
            Reply::Http(
                200,
                vec![("x-scopes".into(), "read, deploy".into())],
                br#"{"login":"ci-bot"}"#.to_vec(),
            )
        } else {
            Reply::status(401, r#"{"message":"Bad credentials"}"#)
        }
    })
}

fn leakhound(dir: &Path, base: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .current_dir(dir)
        .args(args)
        .env("LEAKHOUND_VALIDATE_BASE_URL", base)
        .env("XDG_CACHE_HOME", dir.join("xdg-cache"))
        .env_remove("CI")
        .env_remove("LEAKHOUND_NO_VALIDATE")
        .output()
        .unwrap()
}

fn scan_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "scan",
        "src",
        "--no-default-rules",
        "--rules",
        "acme.toml",
        "--format",
        "json",
    ];
    v.extend_from_slice(extra);
    v
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn without_validate_nothing_is_sent() {
    let d = fixture();
    let server = provider();
    let o = leakhound(d.path(), &server.base, &scan_args(&[]));
    assert_eq!(o.status.code(), Some(1));
    assert!(server.requests().is_empty(), "a request without --validate");
    let v = json(&o);
    assert!(v["summary"].get("validation").is_none());
    assert!(v["credentials"][0].get("liveness").is_none());
    assert!(
        !d.path().join("xdg-cache").exists(),
        "a cache written without --validate"
    );
}

#[test]
fn validate_checks_each_credential_once_and_caches_the_answers() {
    let d = fixture();
    let server = provider();
    let o = leakhound(
        d.path(),
        &server.base,
        &scan_args(&["--validate", "--redact"]),
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert_eq!(
        server.requests().len(),
        2,
        "one request per unique credential"
    );
    let v = json(&o);
    let s = &v["summary"]["validation"];
    assert_eq!(
        (
            s["live"].as_u64(),
            s["dead"].as_u64(),
            s["requests"].as_u64()
        ),
        (Some(1), Some(1), Some(2))
    );
    let live = v["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["liveness"]["status"] == "live")
        .unwrap();
    assert_eq!(live["liveness"]["identity"], "ci-bot");
    assert_eq!(
        live["liveness"]["scopes"],
        serde_json::json!(["read", "deploy"])
    );
    assert_eq!(live["liveness"]["provider"], "Acme");
    assert_eq!(live["status"], "live-unowned");
    // Every finding of the credential carries it.
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(
        findings
            .iter()
            .filter(|f| f["liveness"]["status"] == "live")
            .count(),
        2
    );
    // The secret is in no output, no message and not in the cache.
    let cache =
        std::fs::read_to_string(d.path().join("xdg-cache/leakhound/validation.json")).unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    for text in [stdout.as_str(), &stderr, cache.as_str()] {
        assert!(
            !text.contains(LIVE) && !text.contains(DEAD),
            "a secret leaked:\n{text}"
        );
    }
    // A second run within the TTL asks nobody.
    let o = leakhound(d.path(), &server.base, &scan_args(&["--validate"]));
    assert_eq!(server.requests().len(), 2);
    let v = json(&o);
    assert_eq!(v["summary"]["validation"]["cached"], 2);
    assert_eq!(v["summary"]["validation"]["requests"], 0);
    // --no-validate-cache asks again.
    leakhound(
        d.path(),
        &server.base,
        &scan_args(&["--validate", "--no-validate-cache"]),
    );
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn fail_on_live_follows_only_the_policy() {
    let d = fixture();
    let server = provider();
    let o = leakhound(
        d.path(),
        &server.base,
        &scan_args(&["--validate", "--fail-on", "live"]),
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Nothing live: the same policy passes.
    let dead_only = Server::start(|_, _| Reply::status(401, ""));
    let o = leakhound(
        d.path(),
        &dead_only.base,
        &scan_args(&["--validate", "--no-validate-cache", "--fail-on", "live"]),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn no_network_is_one_warning_and_the_exit_code_is_the_policys() {
    let d = fixture();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let o = leakhound(
        d.path(),
        &base,
        &scan_args(&["--validate", "--no-validate-cache", "--fail-on", "live"]),
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.matches("no network").count(), 1, "{stderr}");
    let v = json(&o);
    assert_eq!(v["summary"]["validation"]["unknown"], 2);
    // Without --fail-on, findings fail as ever.
    let o = leakhound(
        d.path(),
        &base,
        &scan_args(&["--validate", "--no-validate-cache"]),
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn validation_can_be_turned_off_for_good() {
    let d = fixture();
    let server = provider();
    let o = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .current_dir(d.path())
        .args(scan_args(&["--validate"]))
        .env("LEAKHOUND_VALIDATE_BASE_URL", &server.base)
        .env("LEAKHOUND_NO_VALIDATE", "1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("LEAKHOUND_NO_VALIDATE"));
    assert!(server.requests().is_empty());
}

#[test]
fn a_base_url_off_loopback_is_refused() {
    let d = fixture();
    let o = leakhound(d.path(), "http://192.0.2.1:80", &scan_args(&["--validate"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("loopback"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn sarif_and_ci_formats_carry_liveness() {
    let d = fixture();
    let server = provider();
    for (format, needle) in [
        ("sarif", "\"liveness\""),
        ("github", "live"),
        ("gitlab", "live"),
    ] {
        let o = leakhound(
            d.path(),
            &server.base,
            &[
                "scan",
                "src",
                "--no-default-rules",
                "--rules",
                "acme.toml",
                "--validate",
                "--format",
                format,
            ],
        );
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains(needle), "{format}: {out}");
        assert!(out.contains("ci-bot"), "{format} names the identity: {out}");
        assert!(!out.contains(LIVE), "{format} holds the secret");
    }
}

#[test]
fn revoke_revokes_records_and_checks_again() {
    let d = fixture();
    let revoked = Arc::new(AtomicBool::new(false));
    let r = revoked.clone();
    let server = Server::start(move |req, _| {
        let ours = req.header("authorization") == Some(&format!("Bearer {LIVE}"));
        match (req.method.as_str(), req.target.as_str()) {
            ("DELETE", "/v1/tokens/self") if ours => {
                r.store(true, Ordering::SeqCst);
                Reply::status(204, "")
            }
            ("GET", "/v1/me") if ours && !r.load(Ordering::SeqCst) => {
                Reply::status(200, r#"{"login":"ci-bot"}"#)
            }
            _ => Reply::status(401, ""),
        }
    });
    let fp = leakhound_fingerprint(LIVE);
    let inv = d.path().join("inventory.toml");
    // Without a terminal and without --yes: refused, nothing sent.
    let o = leakhound(
        d.path(),
        &server.base,
        &[
            "revoke",
            "--fingerprint",
            &fp,
            "src",
            "--no-default-rules",
            "--rules",
            "acme.toml",
            "--inventory",
            inv.to_str().unwrap(),
            "--owner",
            "team-ci",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("--yes"));
    assert!(server.requests().is_empty());
    let o = leakhound(
        d.path(),
        &server.base,
        &[
            "revoke",
            "--fingerprint",
            &fp,
            "src",
            "--no-default-rules",
            "--rules",
            "acme.toml",
            "--inventory",
            inv.to_str().unwrap(),
            "--owner",
            "team-ci",
            "--yes",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(revoked.load(Ordering::SeqCst));
    assert!(
        out.contains("revoked") && out.contains("checked again: dead"),
        "{out}"
    );
    assert!(!out.contains(LIVE));
    let text = std::fs::read_to_string(&inv).unwrap();
    assert!(
        text.contains(&fp) && text.contains("status = \"revoked\"") && text.contains("revoked = "),
        "{text}"
    );
    assert!(text.contains("owner = \"team-ci\""));
}

#[test]
fn revoke_without_an_api_gives_the_console_page() {
    let d = fixture();
    std::fs::write(
        d.path().join("src/legacy.env"),
        "K=acmekey_3f9a1c7e5b2d8a4f6c1e9b7d3a5f2c8e\n",
    )
    .unwrap(); // leakhound:allow (made-up)
    let server = Server::start(|_, _| Reply::status(200, ""));
    let fp = leakhound_fingerprint("acmekey_3f9a1c7e5b2d8a4f6c1e9b7d3a5f2c8e"); // leakhound:allow (made-up)
    let o = leakhound(
        d.path(),
        &server.base,
        &[
            "revoke",
            "--fingerprint",
            &fp,
            "src",
            "--no-default-rules",
            "--rules",
            "acme.toml",
            "--yes",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("has no self-service revocation API")
            && out.contains("https://acme.example.com/settings/legacy"),
        "{out}"
    );
    assert!(server.requests().is_empty());
    // A fingerprint found nowhere: a clear error.
    let o = leakhound(
        d.path(),
        &server.base,
        &[
            "revoke",
            "--fingerprint",
            &leakhound_fingerprint("nothing"),
            "src",
            "--no-default-rules",
            "--rules",
            "acme.toml",
            "--yes",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not found in src"));
}

fn leakhound_fingerprint(secret: &str) -> String {
    leakhound_core::fingerprint(secret.as_bytes())
}

/// `revoke --fingerprint` finds the secret by its keyed fingerprint under a key, and by its plain one
/// too (an inventory written before the key was set).
#[test]
fn revoke_finds_a_keyed_fingerprint_under_the_key() {
    let d = fixture();
    std::fs::write(
        d.path().join("src/legacy.env"),
        "K=acmekey_3f9a1c7e5b2d8a4f6c1e9b7d3a5f2c8e\n", // leakhound:allow (made-up)
    )
    .unwrap();
    let keyfile = d.path().join("fingerprint.key");
    std::fs::write(&keyfile, "a-test-fingerprint-key-0123456789\n").unwrap();
    let key = leakhound_core::FingerprintKey::from_file(&keyfile).unwrap();
    let secret = "acmekey_3f9a1c7e5b2d8a4f6c1e9b7d3a5f2c8e"; // leakhound:allow (made-up)
    let server = Server::start(|_, _| Reply::status(200, ""));
    let revoke = |fp: &str, with_key: bool| {
        let mut args = vec![];
        if with_key {
            args.extend(["--fingerprint-key-file", keyfile.to_str().unwrap()]);
        }
        args.extend(["revoke", "--fingerprint", fp, "src", "--no-default-rules"]);
        args.extend(["--rules", "acme.toml", "--yes"]);
        leakhound(d.path(), &server.base, &args)
    };
    // The rule has no revocation API: found, and sent to the console page (exit 1).
    for (fp, with_key) in [
        (key.fingerprint(secret.as_bytes()), true),
        (leakhound_fingerprint(secret), true),
    ] {
        let o = revoke(&fp, with_key);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(out.contains("has no self-service revocation API"), "{out}");
    }
    // Without the key, the keyed fingerprint names nothing that can be found.
    let o = revoke(&key.fingerprint(secret.as_bytes()), false);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not found in src"));
    assert!(server.requests().is_empty());
}
