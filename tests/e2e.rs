//! End-to-end tests of the `leakhound` binary over trees built in temp dirs.
//!
//! Every credential here is generated at test time from a seeded PRNG in the shape of its real format:
//! nothing in this file is, or was ever, a live key.

use crate::common;
use common::{leakhound, write, Gen};

use std::path::Path;
use std::process::{Command, Output};

use base64::Engine as _;
use leakhound_core::validate::github_token_with_checksum;
use serde_json::Value;

const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &[u8] = b"0123456789abcdef";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const UPPER32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn json_findings(out: &Output) -> Vec<Value> {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v["findings"].as_array().unwrap().clone()
}

fn pem_body(g: &mut Gen, lines: usize) -> String {
    (0..lines)
        .map(|_| g.s(B64, 64))
        .collect::<Vec<_>>()
        .join("\n")
}

fn jwt(claims: &str) -> String {
    let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.{}",
        e(r#"{"alg":"HS256","typ":"JWT"}"#),
        e(claims),
        Gen(99).s(B62, 43)
    )
}

/// A tree with one credential of each major kind, each at a known path and line.
/// Returns (path, line, rule, secret) for every planted credential.
fn planted_tree(root: &Path) -> Vec<(String, usize, &'static str, String)> {
    let mut g = Gen(0x5eed_1234_abcd_0001);
    let mut planted = Vec::new();
    let mut plant = |path: &str, before: &str, rule: &'static str, secret: String, after: &str| {
        let content = format!("{before}{secret}{after}");
        let line = before.matches('\n').count() + 1;
        let p = root.join(path);
        let mut existing = std::fs::read_to_string(&p).unwrap_or_default();
        let offset_lines = existing.matches('\n').count();
        existing.push_str(&content);
        write(root, path, &existing);
        planted.push((path.to_owned(), line + offset_lines, rule, secret));
    };
    let aws_id = format!("AKIA{}", g.s(UPPER32, 16));
    plant(
        "deploy/aws.env",
        "# deploy credentials\n",
        "aws-access-key-id",
        format!("AWS_ACCESS_KEY_ID={aws_id}"),
        "\n",
    );
    let aws_secret = g.s(B64, 40).replace('+', "P");
    plant(
        "deploy/aws.env",
        "",
        "aws-secret-access-key",
        format!("AWS_SECRET_ACCESS_KEY={aws_secret}"),
        "\n",
    );
    plant(
        "src/gh.py",
        "import os\n\n",
        "github-pat-classic",
        github_token_with_checksum("ghp_", &g.s(B62, 30)),
        "\"\n",
    );
    plant(
        "ci/.gitlab-ci.yml",
        "variables:\n  GL_TOKEN: ",
        "gitlab-pat",
        format!("glpat-{}", g.s(B62, 20)),
        "\n",
    );
    plant(
        "config/slack.yml",
        "slack:\n  bot_token: ",
        "slack-bot-token",
        format!(
            "xoxb-{}-{}-{}",
            g.s(b"0123456789", 11),
            g.s(b"0123456789", 13),
            g.s(B62, 24)
        ),
        "\n",
    );
    plant(
        "config/slack.yml",
        "  webhook: ",
        "slack-webhook-url",
        format!(
            "https://hooks.slack.com/services/T{}/B{}/{}",
            g.s(UPPER32, 10),
            g.s(UPPER32, 10),
            g.s(B62, 24)
        ),
        "\n",
    );
    plant(
        "billing/.env",
        "STRIPE_SECRET_KEY=",
        "stripe-live-secret-key",
        format!("sk_live_{}", g.s(B62, 99)),
        "\n",
    );
    plant(
        "ml/settings.py",
        "OPENAI_API_KEY = \"",
        "openai-api-key",
        format!("sk-proj-{}T3BlbkFJ{}", g.s(B62, 74), g.s(B62, 74)),
        "\"\n",
    );
    plant(
        "ml/.env",
        "ANTHROPIC_API_KEY=",
        "anthropic-api-key",
        format!("sk-ant-api03-{}AA", g.s(B62, 93)),
        "\n",
    );
    plant(
        "keys/id_rsa",
        "",
        "private-key-rsa",
        format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
            pem_body(&mut g, 12)
        ),
        "\n",
    );
    plant(
        "app/db.yml",
        "production:\n  url: ",
        "postgres-uri-password",
        format!("postgres://app:{}@db.internal:5432/app", g.s(B62, 20)),
        "\n",
    );
    plant(
        "app/mongo.js",
        "const uri = 'mongodb+srv://svc:",
        "mongodb-uri-password",
        g.s(B62, 18),
        "@cluster0.ab1cd.mongodb.net/prod';\n",
    );
    plant(
        "web/auth.ts",
        "const session = \"",
        "jwt",
        jwt(r#"{"sub":"1234","exp":4102444800,"iss":"auth.acme.io"}"#),
        "\";\n",
    );
    plant(
        ".npmrc",
        "//registry.npmjs.org/:_authToken=",
        "npm-access-token",
        format!("npm_{}", g.s(B62, 36)),
        "\n",
    );
    plant(
        "mail/send.rb",
        "SENDGRID = '",
        "sendgrid-api-key",
        format!("SG.{}.{}", g.s(B62, 22), g.s(B62, 43)),
        "'\n",
    );
    plant(
        "ops/datadog.yaml",
        "site: datadoghq.eu\n",
        "datadog-api-key",
        format!("DD_API_KEY={}", g.s(HEX, 32)),
        "\n",
    );
    plant(
        "config/app.properties",
        "db.password=",
        "generic-password",
        format!("{}!{}", g.s(B62, 9), g.s(B62, 5)),
        "\n",
    );
    planted
}

/// The secret bytes a finding should report for each planted line (the part the `secret` group takes).
fn reported_secret(rule: &str, planted: &str) -> String {
    match rule {
        "aws-access-key-id" | "aws-secret-access-key" | "datadog-api-key" => {
            planted.split_once('=').unwrap().1.to_owned()
        }
        "postgres-uri-password" => planted
            .split(':')
            .nth(2)
            .unwrap()
            .split('@')
            .next()
            .unwrap()
            .to_owned(),
        _ => planted.to_owned(),
    }
}

#[test]
fn finds_each_planted_credential_at_its_exact_line() {
    let dir = tempfile::tempdir().unwrap();
    let planted = planted_tree(dir.path());
    let out = leakhound(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let findings = json_findings(&out);
    for (path, line, rule, secret) in &planted {
        let want = reported_secret(rule, secret);
        let hit = findings
            .iter()
            .find(|f| f["path"] == *path && f["line"] == *line as u64 && f["rule"] == *rule);
        let hit = hit.unwrap_or_else(|| {
            panic!("{rule} not found at {path}:{line}; findings: {findings:#?}")
        });
        assert_eq!(hit["secret"], want.as_str(), "{rule}");
        let fp = leakhound_core::fingerprint(want.as_bytes());
        assert_eq!(hit["fingerprint"], fp.as_str());
    }
    assert_eq!(
        findings.len(),
        planted.len(),
        "one finding per planted secret, no extras: {findings:#?}"
    );
}

#[test]
fn findings_are_sorted_and_fields_match_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    planted_tree(dir.path());
    let out = leakhound(dir.path(), &["scan", "--format", "json", "--threads", "2"]);
    let findings = json_findings(&out);
    let keys: Vec<(String, u64, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let f = findings
        .iter()
        .find(|f| f["rule"] == "github-pat-classic")
        .unwrap();
    for field in [
        "rule",
        "description",
        "severity",
        "path",
        "line",
        "column",
        "end_column",
        "secret",
        "fingerprint",
        "entropy",
    ] {
        assert!(f.get(field).is_some(), "missing {field}");
    }
    assert_eq!(f["validation"], "checksum-ok");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["column"], 1);
    let summary: Value = serde_json::from_slice::<Value>(&out.stdout).unwrap()["summary"].clone();
    assert_eq!(summary["findings"], findings.len());
    assert!(summary["files"].as_u64().unwrap() >= 10);
}

#[test]
fn redaction_never_prints_a_full_secret() {
    let dir = tempfile::tempdir().unwrap();
    let planted = planted_tree(dir.path());
    let runs: [&[&str]; 4] = [
        &["scan", ".", "--redact", "--format", "json"],
        &["scan", ".", "--redact", "--format", "jsonl"],
        &["scan", "."], // human output redacts by default
        &["scan", ".", "--format", "json"],
    ];
    for (i, args) in runs.iter().enumerate() {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_leakhound"));
        cmd.args(*args).current_dir(dir.path()).env("NO_COLOR", "1");
        // The last run has no --redact: CI=true alone must turn redaction on.
        if i == 3 {
            cmd.env("CI", "true");
        } else {
            cmd.env_remove("CI");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for (_, _, rule, secret) in &planted {
            let s = reported_secret(rule, secret);
            // No run of 10 consecutive characters from the secret's second half (past any fixed prefix such
            // as `https://hooks.slack.com/services/`) may appear anywhere in the output.
            for w in s.as_bytes()[s.len() / 2..].windows(10.min(s.len() / 2)) {
                let w = std::str::from_utf8(w).unwrap();
                assert!(
                    !text.contains(w),
                    "run {args:?} leaked part of a {rule} secret: {w}"
                );
            }
        }
    }
    // And --no-redact shows it in full, explicitly.
    let out = leakhound(dir.path(), &["scan", ".", "--no-redact"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&planted[2].3));
}

#[test]
fn human_output_is_path_line_col_rule_secret() {
    let dir = tempfile::tempdir().unwrap();
    let tok = format!("glpat-{}", Gen(7).s(B62, 20));
    write(dir.path(), "a/b.txt", &format!("one\ntwo {tok}\n"));
    let out = leakhound(dir.path(), &["scan", "a"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with(&format!("a/b.txt:2:5  gitlab-pat  {}…", &tok[..6])),
        "{stdout}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("1 finding (1 unique secret) · 1 file"),
        "{stderr}"
    );
}

#[test]
fn clean_tree_with_placeholders_and_doc_examples_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "README.md",
        "Set `AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE` and\n\
         `AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`.\n\
         export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\
         api_key: <your-api-key>\npassword: ${DB_PASSWORD}\ntoken = \"{{ vault_token }}\"\n\
         STRIPE_KEY=sk_live_XXXXXXXXXXXXXXXXXXXXXXXX\npassword = changeme\n",
    );
    write(
        dir.path(),
        "src/main.rs",
        "fn main() {\n    let password = read_password();\n    let token = auth.token();\n}\n",
    );
    let out = leakhound(dir.path(), &["scan", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn missing_path_is_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = leakhound(dir.path(), &["scan", "does-not-exist"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("does-not-exist: no such file or directory"),
        "{err}"
    );
}

#[test]
fn walk_honours_gitignore_includes_dotfiles_and_skips_dot_git() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Gen(3);
    let t1 = format!("glpat-{}", g.s(B62, 20));
    let t2 = format!("glpat-{}", g.s(B62, 20));
    let t3 = format!("glpat-{}", g.s(B62, 20));
    write(dir.path(), ".gitignore", "build/\n");
    write(dir.path(), "build/out.txt", &t1);
    write(dir.path(), ".git/config", &t2);
    write(dir.path(), ".env", &format!("TOKEN={t3}\n"));
    let out = leakhound(dir.path(), &["scan", ".", "--format", "json"]);
    let paths: Vec<String> = json_findings(&out)
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(paths, [".env"]);
    let out = leakhound(
        dir.path(),
        &["scan", ".", "--format", "json", "--no-ignore"],
    );
    let paths: Vec<String> = json_findings(&out)
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(paths, [".env", "build/out.txt"]);
}

#[test]
fn bad_input_is_scanned_or_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let tok = || format!("glpat-{}", Gen(11).s(B62, 20));
    // Binary with no text worth scanning (compressed data: gzip) → skipped. Binary content that
    // keeps its strings is scanned: tests/files.rs.
    std::fs::write(
        dir.path().join("blob.bin"),
        [b"\x1f\x8b\x08\x00\x00\x01\x02".as_slice(), tok().as_bytes()].concat(),
    )
    .unwrap();
    // Invalid UTF-8 and CRLF around a secret → scanned, right line.
    std::fs::write(
        dir.path().join("latin1.txt"),
        [b"caf\xe9\r\nkey=".as_slice(), tok().as_bytes(), b"\r\n"].concat(),
    )
    .unwrap();
    // A 3 MB single-line minified file (memory-mapped) with a secret near its end.
    let mut min = "var a=1;".repeat(400_000);
    min.push_str(&format!("var t=\"{}\";", tok()));
    write(dir.path(), "bundle.min.js", &min);
    // Over --max-file-size → skipped and named.
    write(
        dir.path(),
        "big.log",
        &format!("{}\n{}", "x".repeat(300_000), tok()),
    );
    let out = leakhound(
        dir.path(),
        &["scan", ".", "--format", "json", "--max-file-size", "3M"],
    );
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_path: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_path,
        [("big.log".to_owned(), 2), ("latin1.txt".to_owned(), 2)]
    );
    let skipped = &v["summary"]["skipped"];
    assert_eq!(skipped["binary"], 1);
    assert_eq!(skipped["too-large"], 1, "{skipped}");

    let out = leakhound(
        dir.path(),
        &["scan", ".", "--format", "json", "--max-file-size", "4M"],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "bundle.min.js")
        .expect("minified file scanned");
    assert_eq!(f["line"], 1);
    assert_eq!(f["column"], 3_200_008);
    let stderr =
        String::from_utf8(leakhound(dir.path(), &["scan", ".", "--max-file-size", "1K"]).stderr)
            .unwrap();
    assert!(
        stderr.contains("big.log: ") && stderr.contains("maximum file size"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn special_files_and_symlink_loops_do_not_hang_or_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("d")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("d/loop")).unwrap();
    let fifo = dir.path().join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    write(dir.path(), "ok.txt", "nothing here\n");
    let out = leakhound(dir.path(), &["scan", ".", "--follow", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["summary"]["skipped"]["symlink-loop"], 1,
        "{}",
        v["summary"]
    );
    assert_eq!(v["summary"]["skipped"]["not-a-file"], 1, "{}", v["summary"]);
}

/// An input that cannot be read is named on stderr in one line, the rest of the tree is still scanned
/// and reported, the summary counts it, and the exit code is 2 (the scan is incomplete).
#[cfg(unix)]
#[test]
fn lost_input_is_named_counted_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/nonexistent/leakhound-test", dir.path().join("dangling")).unwrap();
    write(
        dir.path(),
        "a.env",
        &format!("T=glpat-{}\n", Gen(13).s(B62, 20)),
    );
    let out = leakhound(dir.path(), &["scan", ".", "--follow", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("leakhound: warning: dangling: ") && err.contains("walk-error"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["path"], "a.env");
    assert_eq!(v["summary"]["skipped"]["walk-error"], 1);
}

#[test]
fn inline_allow_comments_and_config_allowlist() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Gen(21);
    let (a, b, c, d) = (g.s(B62, 20), g.s(B62, 20), g.s(B62, 20), g.s(B62, 20));
    write(
        dir.path(),
        "src/a.py",
        &format!(
            "t1 = 'glpat-{a}'  # leakhound:allow\nt2 = 'glpat-{b}'  # gitleaks:allow\nt3 = 'glpat-{c}'  # pragma: allowlist secret\nt4 = 'glpat-{d}'\n"
        ),
    );
    write(
        dir.path(),
        "fixtures/keys.txt",
        &format!("glpat-{}", g.s(B62, 20)),
    );
    write(
        dir.path(),
        ".leakhound.toml",
        "[allowlist]\npaths = [\"fixtures/**\"]\n",
    );
    let out = leakhound(dir.path(), &["scan", "--format", "json"]);
    let f = json_findings(&out);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0]["path"].as_str(), f[0]["line"].as_u64()),
        (Some("src/a.py"), Some(4))
    );
    // Scanning a subdirectory still finds the repository's config and matches globs from its root.
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let out = leakhound(&dir.path().join("src"), &["scan", "..", "--format", "json"]);
    assert_eq!(json_findings(&out).len(), 1);
}

#[test]
fn config_rules_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let rule = "[[rule]]\nid = \"acme-token\"\ndescription = \"ACME internal token\"\nseverity = \"high\"\n\
                keywords = [\"acme_\"]\nregex = '''(?P<secret>acme_[a-z0-9]{24})'''\nentropy = 3.0\n";
    write(dir.path(), ".leakhound.toml", rule);
    write(
        dir.path(),
        "x.txt",
        &format!(
            "k = acme_{}\n",
            Gen(5).s(b"abcdefghijklmnopqrstuvwxyz0123456789", 24)
        ),
    );
    let out = leakhound(dir.path(), &["scan", "--format", "json"]);
    assert_eq!(json_findings(&out)[0]["rule"], "acme-token");

    write(
        dir.path(),
        ".leakhound.toml",
        &rule.replace("\"high\"", "\"severe\""),
    );
    let out = leakhound(dir.path(), &["scan"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(".leakhound.toml: rule `acme-token`: field `severity`"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn rules_check_reports_file_rule_and_field() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "mine.toml",
        "[[rule]]\nid = \"acme-token\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"acme_\"]\n\
         regex = '''(?P<secret>acme_[a-z0-9]{24}'''\n",
    );
    let out = leakhound(dir.path(), &["rules", "check", "mine.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("mine.toml: rule `acme-token`: field `regex`"),
        "{err}"
    );

    write(
        dir.path(),
        "mine.toml",
        "[[rule]]\nid = \"acme-token\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"acme_\"]\n\
         regex = '''(?P<secret>acme_[a-z0-9]{24})'''\nexamples = [\"acme_short\"]\nnegative_examples = [\"acme_\"]\n",
    );
    let out = leakhound(dir.path(), &["rules", "check", "mine.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("FAIL rule `acme-token`: example not detected: \"acme_short\""),
        "{stdout}"
    );
}

#[test]
fn rules_list_shows_the_embedded_pack() {
    let out = leakhound(Path::new("."), &["rules", "list", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v.as_array().unwrap();
    // Every embedded rule, each once, with its fields.
    let embedded = leakhound_core::RuleSet::embedded();
    assert_eq!(rows.len(), embedded.len());
    assert!(rows.len() >= 600, "{} rules", rows.len());
    let ids: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), rows.len());
    assert!(embedded.iter().all(|r| ids.contains(r.id())));
    assert!(rows
        .iter()
        .all(|r| r["severity"].is_string() && r["keywords"].is_array()));
}

#[test]
fn usage_errors_exit_2() {
    let out = leakhound(Path::new("."), &["scan", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = leakhound(Path::new("."), &["scan", "--no-default-rules", "."]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn output_file_receives_the_report() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", &format!("glpat-{}", Gen(8).s(B62, 20)));
    let out = leakhound(
        dir.path(),
        &[
            "scan",
            "a.txt",
            "--format",
            "jsonl",
            "--output",
            "report.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let report = std::fs::read_to_string(dir.path().join("report.jsonl")).unwrap();
    let v: Value = serde_json::from_str(report.lines().next().unwrap()).unwrap();
    assert_eq!(v["path"], "a.txt");
}
