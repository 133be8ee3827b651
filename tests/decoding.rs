//! End-to-end: secrets wrapped in encodings, and what the offline validators say about them.
//!
//! Keys and tokens are generated at test time (structurally valid DER and checksummed tokens from a
//! seeded PRNG, see `labelled/gen.rs`): nothing here is, or was, a live credential.

use crate::common;
use common::{leakhound, write};

use crate::gen;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

fn findings(dir: &std::path::Path, args: &[&str]) -> Vec<Value> {
    let out = leakhound(dir, args);
    assert!(
        out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    v["findings"].as_array().unwrap().clone()
}

#[test]
fn kubernetes_secret_values_are_decoded_and_placed_on_the_encoded_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = gen::Rng::new(7);
    let key = gen::pem("rsa", &mut rng).unwrap();
    let random30 = gen::expand("{alnum:30}", &mut rng, &[]).unwrap();
    let ghp = leakhound_core::validate::github_token_with_checksum("ghp_", &random30);
    let password = gen::expand("{alnum:12}!{digit:3}", &mut rng, &[]).unwrap();
    let url = format!("postgres://orders:{password}@db.internal:5432/orders");
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n  tls.key: {}\n  GITHUB_TOKEN: {}\n  DATABASE_URL: {}\n",
        STANDARD.encode(&key),
        STANDARD.encode(&ghp),
        STANDARD.encode(&url),
    );
    write(dir.path(), "k8s/secret.yaml", &manifest);
    let f = findings(
        dir.path(),
        &["scan", ".", "--format", "json", "--no-redact"],
    );
    let by_rule = |r: &str| {
        f.iter()
            .find(|x| x["rule"] == r)
            .unwrap_or_else(|| panic!("no {r} finding in {f:#?}"))
    };
    let pem = by_rule("private-key-rsa");
    assert_eq!(pem["encoding"], "base64");
    assert_eq!(pem["line"], 7);
    assert_eq!(pem["column"], 12, "the location is the encoded value's");
    assert_eq!(pem["validation"], "key-unencrypted");
    assert!(pem["details"]["key_type"]
        .as_str()
        .unwrap()
        .starts_with("rsa-"));
    // The fingerprint is the decoded key's: the same credential as the key in the clear.
    assert_eq!(
        pem["fingerprint"],
        leakhound_core::fingerprint(key.as_bytes())
    );

    let gh = by_rule("github-pat-classic");
    assert_eq!(
        (gh["line"].as_u64(), gh["secret"].as_str()),
        (Some(8), Some(ghp.as_str()))
    );
    assert_eq!(gh["validation"], "checksum-ok");
    let pg = by_rule("postgres-uri-password");
    assert_eq!(
        (pg["line"].as_u64(), pg["secret"].as_str()),
        (Some(9), Some(password.as_str()))
    );
    assert_eq!(pg["encoding"], "base64");
}

#[test]
fn kubeconfig_key_data_and_percent_encoded_urls() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = gen::Rng::new(11);
    let key = gen::pem("ec", &mut rng).unwrap();
    write(
        dir.path(),
        ".kube/config",
        &format!(
            "users:\n- name: admin\n  user:\n    client-certificate-data: LS0tLQ==\n    client-key-data: {}\n",
            STANDARD.encode(&key)
        ),
    );
    let password = gen::expand("{alnum:14}", &mut rng, &[]).unwrap();
    write(
        dir.path(),
        "app.log",
        &format!(
            "GET /connect?dsn=postgres%3A%2F%2Fapp%3A{password}%40db%3A5432%2Fmain HTTP/1.1\n"
        ),
    );
    let random30 = gen::expand("{alnum:30}", &mut rng, &[]).unwrap();
    let npm = leakhound_core::validate::github_token_with_checksum("npm_", &random30);
    let hex: String = npm.bytes().map(|b| format!("{b:02x}")).collect();
    write(dir.path(), "ci.env", &format!("NPM_TOKEN_HEX={hex}\n"));
    let f = findings(
        dir.path(),
        &["scan", ".", "--format", "json", "--no-redact"],
    );
    let n = f
        .iter()
        .find(|x| x["path"] == "ci.env")
        .unwrap_or_else(|| panic!("{f:#?}"));
    assert_eq!(
        (
            n["rule"].as_str(),
            n["encoding"].as_str(),
            n["column"].as_u64()
        ),
        (Some("npm-access-token"), Some("hex"), Some(15))
    );
    assert_eq!(
        (n["secret"].as_str(), n["validation"].as_str()),
        (Some(npm.as_str()), Some("checksum-ok"))
    );
    let ec = f
        .iter()
        .find(|x| x["path"] == ".kube/config" && x["encoding"] == "base64")
        .unwrap_or_else(|| panic!("{f:#?}"));
    assert_eq!(ec["details"]["key_type"], "ec-p256");
    let pg = f
        .iter()
        .find(|x| x["path"] == "app.log")
        .unwrap_or_else(|| panic!("{f:#?}"));
    assert_eq!(
        (pg["rule"].as_str(), pg["encoding"].as_str()),
        (Some("postgres-uri-password"), Some("percent"))
    );
    assert_eq!(pg["secret"], password);
}

#[test]
fn aws_key_ids_are_grouped_by_their_account() {
    let dir = tempfile::tempdir().unwrap();
    // AWS's own documentation key id (account 609629065308) and a pre-2019 style id.
    write(
        dir.path(),
        "deploy.env",
        "AWS_ACCESS_KEY_ID=ASIAY34FZKBOKMUTVV7A\nLEGACY_KEY=AKIAJ2HKWQ7LRUDFZD4Q\n", // leakhound:allow (documentation key ids)
    );
    let doc_key = "ASIAY34FZKBOKMUTVV7A"; // leakhound:allow (AWS's documentation key id)
    write(
        dir.path(),
        "ci.env",
        &format!("AWS_ACCESS_KEY_ID={doc_key}\n"),
    );
    let out = leakhound(dir.path(), &["scan", ".", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"].as_array().unwrap();
    let decoded: Vec<&Value> = f
        .iter()
        .filter(|x| x["validation"] == "account-decoded")
        .collect();
    assert_eq!(decoded.len(), 2, "{f:#?}");
    assert!(decoded
        .iter()
        .all(|x| x["details"]["account"] == "609629065308"));
    assert_eq!(
        v["summary"]["aws_accounts"]["609629065308"], 1,
        "one key id, seen twice"
    );
    let cred = v["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["details"]["account"] == "609629065308")
        .expect("credential carries the account");
    assert_eq!(cred["locations"].as_array().unwrap().len(), 2);
}
