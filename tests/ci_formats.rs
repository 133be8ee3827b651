//! End-to-end tests of the CI formats: SARIF (validated against the SARIF 2.1.0 JSON schema kept in
//! tests/data), GitHub Actions annotations and job summary, GitLab's secret-detection report, and the
//! rule they share: no full secret in any of them. Tokens are generated; none is real.

use crate::common;
use common::{leakhound, token, write};

use std::process::Command;

use serde_json::Value;

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app/config.env",
        &format!("A=1\nGITLAB_TOKEN={}\n", token(1)),
    );
    write(
        dir.path(),
        "app/other dir/key.txt",
        &format!("k: {}\n", token(2)),
    );
    dir
}

fn secrets() -> Vec<String> {
    vec![token(1), token(2)]
}

fn assert_redacted(text: &str) {
    for s in secrets() {
        assert!(
            !text.contains(&s[6..]),
            "a full secret leaked into CI output: {text}"
        );
    }
}

#[test]
fn sarif_is_valid_2_1_0_and_redacted() {
    let dir = tree();
    let out = leakhound(dir.path(), &["scan", ".", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_redacted(&text);
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let schema: Value = serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");

    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "leakhound");
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "gitlab-pat");
    assert_eq!(
        run["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"],
        "error"
    );
    assert!(run["tool"]["driver"]["rules"][0]["help"]["text"]
        .as_str()
        .unwrap()
        .contains("rotate"));
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let r = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/config.env"
        })
        .unwrap();
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(2), Some(14))
    );
    assert!(r["partialFingerprints"]["leakhound/secret-sha256/v1"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    assert_eq!(r["properties"]["status"], "unknown-origin");
    // A path with a space is a valid relative URI.
    assert!(results.iter().any(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "app/other%20dir/key.txt"
    ));
}

#[test]
fn github_annotations_and_job_summary() {
    let dir = tree();
    let summary = dir.path().join("summary.md");
    let out = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .args(["scan", ".", "--format", "github"])
        .current_dir(dir.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_redacted(&text);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    for l in &lines {
        let (cmd, msg) = l
            .strip_prefix("::")
            .unwrap()
            .split_once("::")
            .expect("::cmd props::message");
        let (kind, props) = cmd.split_once(' ').unwrap();
        assert_eq!(kind, "error");
        let keys: Vec<&str> = props
            .split(',')
            .map(|kv| kv.split_once('=').expect("key=value").0)
            .collect();
        assert_eq!(
            keys,
            ["file", "line", "endLine", "col", "endColumn", "title"]
        );
        assert!(!msg.contains('\n') && msg.contains("GitLab"), "{msg}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error file=app/config.env,line=2,endLine=2,col=14,")),
        "{text}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("| credential | rule | status | owner | locations |")
            && md.contains("gitlab-pat"),
        "{md}"
    );
    assert_redacted(&md);
}

#[test]
fn gitlab_secret_detection_report_has_the_required_fields() {
    let dir = tree();
    let out = leakhound(dir.path(), &["scan", ".", "--format", "gitlab"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_redacted(&text);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(v["version"].as_str().unwrap().starts_with("15."));
    let scan = &v["scan"];
    assert_eq!(scan["type"], "secret_detection");
    assert_eq!(scan["status"], "success");
    for k in ["analyzer", "scanner"] {
        for f in ["id", "name", "version"] {
            assert!(scan[k][f].is_string(), "scan.{k}.{f}");
        }
        assert!(scan[k]["vendor"]["name"].is_string());
    }
    let ts = |s: &Value| {
        let s = s.as_str().unwrap();
        s.len() == 19 && s.as_bytes()[10] == b'T' && s[..4].parse::<u32>().is_ok()
    };
    assert!(ts(&scan["start_time"]) && ts(&scan["end_time"]), "{scan}");
    let vulns = v["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 2);
    for vuln in vulns {
        assert!(vuln["id"].as_str().is_some_and(|s| !s.is_empty()));
        assert_eq!(vuln["category"], "secret_detection");
        assert!(["Critical", "High", "Medium", "Low", "Info", "Unknown"]
            .contains(&vuln["severity"].as_str().unwrap()));
        assert!(vuln["location"]["file"].is_string() && vuln["location"]["start_line"].is_u64());
        assert_eq!(
            vuln["location"]["commit"]["sha"].as_str().unwrap().len(),
            40
        );
        let id = &vuln["identifiers"][0];
        assert!(id["type"].is_string() && id["name"].is_string() && id["value"] == "gitlab-pat");
    }
}

#[test]
fn no_redact_is_explicit() {
    let dir = tree();
    let out = leakhound(
        dir.path(),
        &["scan", ".", "--format", "sarif", "--no-redact"],
    );
    assert!(String::from_utf8(out.stdout).unwrap().contains(&token(1)));
}

/// The composite action's shell steps, run as the runner would on a pull request: SARIF written, the
/// range's finding annotated, the exit code handed to the policy step, nothing unredacted.
#[test]
fn the_github_action_scan_step_runs_locally() {
    use common::git;
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(dir.path(), "old.env", &format!("T={}\n", token(3)));
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    let base = git(dir.path(), &["rev-parse", "HEAD"]);
    write(dir.path(), "new.env", &format!("T={}\n", token(4)));
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "pr"]);
    let outputs = dir.path().join("github_output");
    let summary = dir.path().join("summary.md");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../action/scan.sh");
    let out = Command::new("bash")
        .arg(script)
        .current_dir(dir.path())
        .env("LEAKHOUND_BIN", env!("CARGO_BIN_EXE_leakhound"))
        .env("INPUT_RANGE", format!("{base}..HEAD"))
        .env("INPUT_SARIF_FILE", "out.sarif")
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("CI", "true")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("::error file=new.env,line=1,"), "{stdout}");
    assert!(
        !stdout.contains("old.env"),
        "only what the range adds: {stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(&outputs).unwrap().trim(),
        "exit-code=1"
    );
    let sarif = std::fs::read_to_string(dir.path().join("out.sarif")).unwrap();
    for t in [token(3), token(4)] {
        assert!(!sarif.contains(&t[6..]) && !stdout.contains(&t[6..]));
    }
    assert!(std::fs::read_to_string(&summary)
        .unwrap()
        .contains("gitlab-pat"));
}

/// A secret in a commit message has no file (`path` empty, `source` set). The CI formats still locate
/// it: SARIF by a logical location naming the commit (and stays schema-valid), GitHub by an annotation
/// on the run with no empty `file=`, GitLab by the commit with no `file`. Regression for the shapes
/// they had: `file=,line=3` and a SARIF URI of "".
#[test]
fn message_findings_are_located_by_their_commit_in_every_ci_format() {
    use leakhound_core::source::message::MessageKind;
    use leakhound_core::{report, Scanner, Scratch};
    let scanner = Scanner::with_default_rules();
    let msg = format!("Fix deploy\n\nused GITLAB_TOKEN={} to test\n", token(9));
    let mut found = Vec::new();
    scanner
        .scan_message(
            MessageKind::Commit,
            msg.as_bytes(),
            &mut Scratch::new(),
            &mut found,
        )
        .unwrap();
    assert_eq!(found.len(), 1);
    let commit = "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d";
    found[0].commit = Some(commit.to_owned());
    found[0].redact();

    let sarif = serde_json::to_value(report::sarif::build(&found)).unwrap();
    let schema: Value = serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    assert!(validator.is_valid(&sarif), "{sarif:#}");
    let loc = &sarif["runs"][0]["results"][0]["locations"][0];
    assert!(loc.get("physicalLocation").is_none(), "{loc}");
    assert_eq!(
        loc["logicalLocations"][0]["name"],
        "commit 1a2b3c4d5e message"
    );
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        format!("commit-message:{commit}")
    );

    let gh = report::ci::github_annotations(&found);
    assert!(gh.starts_with("::error title=gitlab-pat::"), "{gh}");
    assert!(!gh.contains("file="), "{gh}");
    assert!(gh.contains("in commit 1a2b3c4d5e message, line 3"), "{gh}");

    let gl = report::ci::gitlab_report(&found, "2026-01-01T00:00:00", "2026-01-01T00:00:01");
    let location = &gl["vulnerabilities"][0]["location"];
    assert!(location.get("file").is_none(), "{location}");
    assert_eq!(location["commit"]["sha"], commit);
    assert_eq!(location["start_line"], 3);
}
