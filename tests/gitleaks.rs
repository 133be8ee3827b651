//! End-to-end: `--rules` with a gitleaks configuration (tests/data/gitleaks-sample.toml) over a tree
//! with planted secrets. Every credential is generated at test time from a seeded PRNG: none is real.

use crate::common;
use common::{leakhound, stderr, write, Gen};

use std::path::Path;
use std::process::Output;

use serde_json::Value;

const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &[u8] = b"0123456789abcdef";
const LOWER36: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

const SAMPLE: &str = include_str!("data/gitleaks-sample.toml");

/// (rule, path, secret) of every finding of a JSON report, sorted.
fn findings(out: &Output) -> Vec<(String, String, String)> {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    });
    let mut f: Vec<_> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            (s("rule"), s("path"), s("secret"))
        })
        .collect();
    f.sort();
    f
}

/// The planted tree: what must be found, by (rule, path, secret), and what must not.
struct Planted {
    expected: Vec<(String, String, String)>,
    gitlab_in_vendor: String,
}

fn plant(root: &Path) -> Planted {
    let mut g = Gen(0x5EED_0F1E);
    let mut expected = Vec::new();
    let mut expect = |rule: &str, path: &str, secret: &str| {
        expected.push((rule.to_owned(), format!("repo/{path}"), secret.to_owned()))
    };
    let put = |path: &str, text: String| write(root, &format!("repo/{path}"), &text);

    // acme-api-key: found; a revoked one on a `# revoked` line and the demo tenant's key are not.
    let key = format!("acme_live_{}", g.s(B62, 32));
    put("src/config.py", format!("ACME_API_KEY = \"{key}\"\n"));
    expect("acme-api-key", "src/config.py", &key);
    let revoked = format!("acme_live_{}", g.s(B62, 32));
    put(
        "docs/sdk.md",
        format!("client = acme.Client(\"{revoked}\")  # revoked in 2023\n"),
    );
    let demo = format!("acme_live_DEMO{}", g.s(B62, 28));
    put("src/demo.py", format!("DEMO_KEY = '{demo}'\n"));

    // acme-db-password: the value (group 2), not the setting's name; `localdev` values and the dev
    // compose file are allowlisted.
    let pw = g.s(B62, 20);
    put(
        "services/billing/settings.yaml",
        format!("database:\n  acme_db_password: \"{pw}\"\n"),
    );
    expect("acme-db-password", "services/billing/settings.yaml", &pw);
    put(
        "services/billing/local.env",
        format!("ACME_DB_PASSWORD=localdev-{}\n", g.s(B62, 12)),
    );
    put(
        "docker-compose.dev.yml",
        format!("    ACME_DB_PASSWORD: {}\n", g.s(B62, 16)),
    );

    // acme-webhook-secret: no keywords in the config; leakhound derives `whsec_acme_`.
    let whsec = format!("whsec_acme_{}", g.s(B62, 40));
    put(
        "hooks/handler.go",
        format!("package hooks\n\nconst signingSecret = \"{whsec}\"\n"),
    );
    expect("acme-webhook-secret", "hooks/handler.go", &whsec);

    // acme-release-signing-key: only under deploy/, and not an image digest.
    let signing = g.s(HEX, 64);
    let digest = g.s(HEX, 64);
    put(
        "deploy/prod.yaml",
        format!("image: registry.acme.io/api@sha256:{digest}\nrelease:\n  key: {signing}\n"),
    );
    expect("acme-release-signing-key", "deploy/prod.yaml", &signing);
    put("scripts/notes.txt", format!("{}\n", g.s(HEX, 64)));

    // acme-cli-credentials-file: the file itself; its path is reported as the secret.
    put(".acme/credentials", "[default]\nlogin = ops\n".to_owned());
    expect(
        "acme-cli-credentials-file",
        ".acme/credentials",
        "repo/.acme/credentials",
    );

    // acme-partner-token: the sandbox token is fine in tests/ (AND allowlist), not elsewhere.
    let sandbox = format!("ptk_00sandbx_{}", g.s(B62, 40));
    put(
        "tests/integration/partner_test.py",
        format!("TOKEN = \"{sandbox}\"\n"),
    );
    put("src/partner.py", format!("TOKEN = \"{sandbox}\"\n"));
    expect("acme-partner-token", "src/partner.py", &sandbox);
    let partner = format!("ptk_{}_{}", g.s(LOWER36, 8), g.s(B62, 40));
    put(
        "tests/integration/live_test.py",
        format!("TOKEN = \"{partner}\"\n"),
    );
    expect(
        "acme-partner-token",
        "tests/integration/live_test.py",
        &partner,
    );

    // The global allowlist's paths exempt vendored code from every rule, leakhound's own included.
    put(
        "vendor/acme/client.py",
        format!("KEY = \"acme_live_{}\"\n", g.s(B62, 32)),
    );
    let gitlab_in_vendor = format!("glpat-{}", g.s(B62, 20));
    put("vendor/acme/ci.yml", format!("token: {gitlab_in_vendor}\n"));

    expected.sort();
    Planted {
        expected,
        gitlab_in_vendor,
    }
}

fn setup() -> (tempfile::TempDir, Planted) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "gitleaks.toml", SAMPLE);
    let planted = plant(dir.path());
    (dir, planted)
}

const SAMPLE_IDS: [&str; 6] = [
    "acme-api-key",
    "acme-db-password",
    "acme-webhook-secret",
    "acme-release-signing-key",
    "acme-cli-credentials-file",
    "acme-partner-token",
];

#[test]
fn gitleaks_rules_fire_with_the_right_secret_and_allowlists_hold() {
    let (dir, planted) = setup();
    let out = leakhound(
        dir.path(),
        &[
            "scan",
            "--rules",
            "gitleaks.toml",
            "--format",
            "json",
            "--no-redact",
            "repo",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    let all = findings(&out);
    let ours: Vec<_> = all
        .iter()
        .filter(|(rule, ..)| SAMPLE_IDS.contains(&rule.as_str()))
        .cloned()
        .collect();
    assert_eq!(ours, planted.expected, "all findings: {all:#?}");
    // Nothing at all under vendor/, whichever rule: the global allowlist covers the default pack too.
    assert!(
        !all.iter().any(
            |(_, path, secret)| path.contains("vendor/") || *secret == planted.gitlab_in_vendor
        ),
        "{all:#?}"
    );
}

#[test]
fn unsupported_fields_are_reported_one_line_each() {
    let (dir, _) = setup();
    let out = leakhound(
        dir.path(),
        &[
            "scan",
            "--rules",
            "gitleaks.toml",
            "--format",
            "json",
            "repo",
        ],
    );
    let err = stderr(&out);
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("leakhound: warning: "))
        .collect();
    let expected = [
        "leakhound: warning: gitleaks.toml: field `extend.useDefault`: not supported, ignored (gitleaks' default rules are not imported; leakhound's own default pack runs in their place unless --no-default-rules)",
        "leakhound: warning: gitleaks.toml: rule `acme-api-key`: field `allowlists[2].commits`: not supported, ignored (findings are not filtered by commit; history findings in these commits are reported)",
        "leakhound: warning: gitleaks.toml: rule `acme-release-signing-key`: field `keywords`: none given, and the regex has no literal of 3+ bytes that every match contains: the regex runs over every file its `path` admits (slow); add keywords",
    ];
    assert_eq!(warnings, expected, "stderr: {err}");
}

#[test]
fn rules_check_and_list_load_the_sample() {
    let (dir, _) = setup();
    let out = leakhound(dir.path(), &["rules", "check", "gitleaks.toml"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", stderr(&out));
    assert!(
        stdout.ends_with("6 rules, 0 examples, 0 failures\n"),
        "{stdout}"
    );
    assert!(stderr(&out).contains("field `extend.useDefault`"));

    let out = leakhound(
        dir.path(),
        &[
            "rules",
            "list",
            "--no-default-rules",
            "--rules",
            "gitleaks.toml",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 6);
    let webhook = rows
        .iter()
        .find(|r| r["id"] == "acme-webhook-secret")
        .unwrap();
    assert_eq!(webhook["keywords"], serde_json::json!(["whsec_acme_"]));
    assert_eq!(webhook["severity"], "high");
}

#[test]
fn a_broken_rule_is_skipped_and_the_others_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Gen(77);
    let token = format!("acme_live_{}", g.s(B62, 32));
    write(dir.path(), "repo/app.env", &format!("KEY={token}\n"));
    write(
        dir.path(),
        "gitleaks.toml",
        r#"
[[rules]]
id = "lookahead"
regex = '''acme_(?=live)[a-z]+'''

[[rules]]
id = "acme-api-key"
regex = '''acme_live_[A-Za-z0-9]{32}'''
"#,
    );
    let args = [
        "scan",
        "--no-default-rules",
        "--rules",
        "gitleaks.toml",
        "--format",
        "json",
        "--no-redact",
        "repo",
    ];
    let out = leakhound(dir.path(), &args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        findings(&out),
        [(
            "acme-api-key".to_owned(),
            "repo/app.env".to_owned(),
            token.clone()
        )]
    );
    assert!(
        stderr(&out).starts_with(
            "leakhound: warning: gitleaks.toml: rule `lookahead`: field `regex`: regex parse error"
        ),
        "{}",
        stderr(&out)
    );
    // `rules check` fails on a skipped rule.
    let out = leakhound(dir.path(), &["rules", "check", "gitleaks.toml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // Nothing usable at all: exit 2, naming the rule and the field.
    write(
        dir.path(),
        "gitleaks.toml",
        "[[rules]]\nid = \"lookahead\"\nregex = '''acme_(?=live)'''\n",
    );
    let out = leakhound(dir.path(), &args);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "gitleaks.toml: field `rules`: no rule could be loaded: rule `lookahead`: field `regex`:"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_warning_quoting_a_multi_line_value_stays_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = "[[rules]]\nid = \"acme\"\nregex = '''acme_[a-z0-9]{16}'''\n[[rules.allowlists]]\ncondition = \"\"\"AND\nOR\"\"\"\nstopwords = [\"sandbox\"]\n";
    write(dir.path(), "gitleaks.toml", config);
    let out = leakhound(dir.path(), &["rules", "check", "gitleaks.toml"]);
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with(
            "leakhound: warning: gitleaks.toml: rule `acme`: field `allowlists.condition`"
        ) && lines[0].contains("AND\\nOR"),
        "{err}"
    );
}
