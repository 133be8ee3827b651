//! End-to-end regressions for matching defects found while measuring (issue 12), over real files in a
//! temp dir scanned by the `leakhound` binary. Every credential is generated here in the shape of its
//! real format; none is, or was ever, live.

use crate::common;
use common::{json, leakhound, write, Gen};

use serde_json::Value;

const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `(rule, path, line, secret)` of every finding.
fn scan(dir: &std::path::Path) -> Vec<(String, String, u64, String)> {
    let out = leakhound(dir, &["scan", ".", "--format", "json", "--no-redact"]);
    let v = json(&out);
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f: &Value| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_owned(),
                f["line"].as_u64().unwrap(),
                f["secret"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn has(
    found: &[(String, String, u64, String)],
    rule: &str,
    path: &str,
    line: u64,
    secret: &str,
) -> bool {
    found
        .iter()
        .any(|(r, p, l, s)| r == rule && p == path && *l == line && s == secret)
}

#[test]
fn second_token_on_the_next_line_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Gen(0xdef0_0001);
    let pats: Vec<String> = (0..3).map(|_| format!("glpat-{}", g.s(B62, 20))).collect();
    let keys: Vec<String> = (0..2)
        .map(|_| format!("sk-proj-{}T3BlbkFJ{}", g.s(B62, 30), g.s(B62, 30)))
        .collect();
    let pws: Vec<String> = (0..2).map(|_| g.s(B62, 16)).collect();
    write(
        dir.path(),
        "tokens.txt",
        &format!("{}\n{}\n{}\n", pats[0], pats[1], pats[2]),
    );
    write(
        dir.path(),
        "app/.env",
        &format!("OPENAI_API_KEY={}\nOPENAI_API_KEY_2={}\n", keys[0], keys[1]),
    );
    write(
        dir.path(),
        "deploy/db.env",
        &format!("DB_PASSWORD={}\nDB_PASSWORD={}\n", pws[0], pws[1]),
    );
    let found = scan(dir.path());
    for (i, p) in pats.iter().enumerate() {
        assert!(
            has(&found, "gitlab-pat", "tokens.txt", i as u64 + 1, p),
            "{found:?}"
        );
    }
    for (i, k) in keys.iter().enumerate() {
        assert!(
            has(&found, "openai-api-key", "app/.env", i as u64 + 1, k),
            "{found:?}"
        );
    }
    for (i, p) in pws.iter().enumerate() {
        assert!(
            found
                .iter()
                .any(|f| f.1 == "deploy/db.env" && f.2 == i as u64 + 1 && &f.3 == p),
            "{found:?}"
        );
    }
}

#[test]
fn a_name_with_no_value_does_not_take_the_next_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Gen(0xdef0_0002);
    let path = format!("/keys/{}.p8", g.s(B62, 24));
    let pw = g.s(B62, 18);
    write(
        dir.path(),
        "snowflake.env",
        &format!(
            "SNOWFLAKE_PASSWORD=\nSNOWFLAKE_PRIVATE_KEY_PATH={path}\nSNOWFLAKE_PASSWORD={pw}\n"
        ),
    );
    let found = scan(dir.path());
    let snow: Vec<_> = found
        .iter()
        .filter(|f| f.0 == "snowflake-password")
        .collect();
    assert_eq!(snow.len(), 1, "{found:?}");
    assert_eq!((snow[0].2, snow[0].3.as_str()), (3, pw.as_str()));
}

#[test]
fn ci_log_colour_codes_and_url_padding() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Gen(0xdef0_0003);
    let pat = format!("glpat-{}", g.s(B62, 20));
    let akia = format!("AKIA{}", g.s(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
    let log = format!(
        "2026-03-02T10:11:12.345Z \x1b[36m[deploy]\x1b[0m using token \x1b[93m{pat}\x1b[0m\n\
         \x1b[1;32mAWS_ACCESS_KEY_ID={akia}\x1b[0m\n"
    );
    write(dir.path(), "ci/job-4411.log", &log);
    let docker = format!("{{\"log\":\"\\u001b[93m{pat}\\u001b[0m\\n\",\"stream\":\"stdout\"}}\n");
    write(dir.path(), "logs/container-json.log", &docker);
    // A bitwarden machine-account token (base64 key, `==` padding) in a query string.
    let bws = format!(
        "0.{}-{}-{}-{}-{}.{}:{}",
        g.s(b"0123456789abcdef", 8),
        g.s(b"0123456789abcdef", 4),
        g.s(b"0123456789abcdef", 4),
        g.s(b"0123456789abcdef", 4),
        g.s(b"0123456789abcdef", 12),
        g.s(B62, 30),
        g.s(B64, 22)
    );
    write(
        dir.path(),
        "notes/url.txt",
        &format!("curl \"https://api.bitwarden.com/sync?access_token={bws}%3D%3D&org=acme\"\n"),
    );
    let found = scan(dir.path());
    assert!(
        has(&found, "gitlab-pat", "ci/job-4411.log", 1, &pat),
        "{found:?}"
    );
    assert!(
        has(&found, "aws-access-key-id", "ci/job-4411.log", 2, &akia),
        "{found:?}"
    );
    assert!(
        has(&found, "gitlab-pat", "logs/container-json.log", 1, &pat),
        "{found:?}"
    );
    assert!(
        has(
            &found,
            "bitwarden-access-token",
            "notes/url.txt",
            1,
            &format!("{bws}%3D%3D")
        ),
        "{found:?}"
    );
}
