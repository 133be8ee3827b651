//! End-to-end tests of what a scanned repository cannot do to a scan, and of what leakhound's own
//! output must never hold: a repository's config cannot switch detection off without a word, no field
//! of a redacted report holds a secret, no error echoes a value that could be one, and report files
//! are private. Tokens are generated at test time in the GitLab PAT shape; none is real.

use crate::common;
use common::{git, json, leakhound, stderr, token, write};

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// A repository (a real one, `git init`) with one token in `app/config.env`.
fn repo_with_token(seed: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(
        dir.path(),
        "app/config.env",
        &format!("GITLAB_TOKEN={}\n", token(seed)),
    );
    dir
}

/// A rule with the id of the default `gitlab-pat` that can never match.
const INERT_GITLAB_RULE: &str = "[[rule]]\nid = \"gitlab-pat\"\ndescription = \"nothing\"\n\
    severity = \"low\"\nkeywords = [\"zzzzzz\"]\nregex = '''(?P<secret>zzzzzz[0-9]{40})'''\n";

/// Regression (issue 11, case 5): a repository's `.leakhound.toml` replaced a default rule by id and
/// the scan said nothing and exited 0. The change is now a warning and listed in the JSON summary;
/// `--no-repo-config` runs without it.
#[test]
fn a_repository_config_replacing_a_default_rule_is_warned_and_listed() {
    let dir = repo_with_token(1);
    write(dir.path(), ".leakhound.toml", INERT_GITLAB_RULE);
    let out = leakhound(dir.path(), &["scan", ".", "--format", "json"]);
    let err = stderr(&out);
    assert!(
        err.contains(
            "leakhound: warning: .leakhound.toml: rule `gitlab-pat` replaces the rule of that id (<embedded>/"
        ),
        "{err}"
    );
    let v = json(&out);
    let changes = v["summary"]["config_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["change"], "rule-replaced");
    assert_eq!(changes[0]["value"], "gitlab-pat");
    assert_eq!(changes[0]["origin"], "repository");
    assert!(changes[0]["replaces"]
        .as_str()
        .unwrap()
        .starts_with("<embedded>/"));
    // The default rule is gone (a generic rule may still catch the assignment).
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "gitlab-pat"),
        "{v}"
    );

    // The organisation's way out: the repository's config is not read at all.
    let out = leakhound(
        dir.path(),
        &["scan", ".", "--format", "json", "--no-repo-config"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("replaces"), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["findings"][0]["rule"], "gitlab-pat");
    assert_eq!(v["summary"]["config_changes"], serde_json::json!([]));
}

/// Regression (issue 11, case 5): an allowlist regex that matches everything (`''` and its cousins)
/// hid every secret and the scan exited 0. It is now an error naming the file and the field.
#[test]
fn a_match_all_allowlist_is_an_error() {
    let dir = repo_with_token(2);
    for re in ["", ".*", "(?s).*", "^", "\\S"] {
        write(
            dir.path(),
            ".leakhound.toml",
            &format!("[allowlist]\nregexes = ['''{re}''']\n"),
        );
        let out = leakhound(dir.path(), &["scan", "."]);
        assert_eq!(out.status.code(), Some(2), "{re:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(".leakhound.toml: field `allowlist.regexes`: entry 1"),
            "{re:?}: {err}"
        );
    }
    for glob in ["**", "*", "**/*"] {
        write(
            dir.path(),
            ".leakhound.toml",
            &format!("[allowlist]\npaths = [\"{glob}\"]\n"),
        );
        let out = leakhound(dir.path(), &["scan", "."]);
        assert_eq!(out.status.code(), Some(2), "{glob:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(".leakhound.toml: field `allowlist.paths`: entry 1"),
            "{glob:?}: {}",
            stderr(&out)
        );
    }
    // A specific allowlist is the repository's right, said out loud.
    write(
        dir.path(),
        ".leakhound.toml",
        "[allowlist]\nregexes = ['''^glpat-''']\npaths = [\"fixtures/**\"]\n",
    );
    let out = leakhound(dir.path(), &["scan", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("allowlist.regexes: secrets matching \"^glpat-\" are never reported"),
        "{err}"
    );
    assert!(
        err.contains("allowlist.paths: paths matching \"fixtures/**\" are never scanned"),
        "{err}"
    );
    let kinds: Vec<Value> = json(&out)["summary"]["config_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].clone())
        .collect();
    assert_eq!(kinds, ["allowlist-regex", "allowlist-path"]);
}

/// Regression: an explicit `--config` replaced the repository's config instead of applying with it,
/// and nothing let an organisation forbid repository overrides. Now both apply (the repository's
/// changes warned about), and `[scan] repo_config = false` in the explicit config forbids the
/// repository's.
#[test]
fn an_organisation_config_applies_with_the_repository_config_or_forbids_it() {
    let dir = repo_with_token(3);
    let acme = format!("acme_{}", "k3j9x0q2m7v5n8b1c4z6w2r9");
    write(dir.path(), "app/acme.txt", &format!("key = {acme}\n"));
    write(
        dir.path(),
        ".leakhound.toml",
        "[allowlist]\nregexes = ['''^glpat-''']\n",
    );
    let org = tempfile::tempdir().unwrap();
    let rule = "[[rule]]\nid = \"acme-token\"\ndescription = \"ACME token\"\nseverity = \"high\"\n\
                keywords = [\"acme_\"]\nregex = '''(?P<secret>acme_[a-z0-9]{24})'''\n";
    write(org.path(), "org.toml", rule);
    let org_file = org.path().join("org.toml");
    let org_arg = org_file.to_str().unwrap();

    let out = leakhound(
        dir.path(),
        &["scan", ".", "--format", "json", "--config", org_arg],
    );
    let v = json(&out);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["acme-token"], "{}", stderr(&out));
    let origins: Vec<(&str, &str)> = v["summary"]["config_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["origin"].as_str().unwrap(), c["change"].as_str().unwrap()))
        .collect();
    assert_eq!(
        origins,
        [
            ("explicit", "rule-added"),
            ("repository", "allowlist-regex")
        ]
    );
    // Only the repository's change is a warning: the explicit config is the user's own choice.
    assert_eq!(
        stderr(&out).matches("leakhound: warning:").count(),
        1,
        "{}",
        stderr(&out)
    );

    write(
        org.path(),
        "org.toml",
        &format!("[scan]\nrepo_config = false\n\n{rule}"),
    );
    let out = leakhound(
        dir.path(),
        &["scan", ".", "--format", "json", "--config", org_arg],
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let mut rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    rules.sort_unstable();
    assert_eq!(rules, ["acme-token", "gitlab-pat"], "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

/// Runs leakhound with `CI=true` and the given extra environment.
fn leakhound_ci(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leakhound"));
    cmd.args(args)
        .current_dir(dir)
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run leakhound")
}

/// Regression (issue 11, "secrets printed where they must not be"): `CI=true scan --history --format
/// json|jsonl` printed the commit `summary` unredacted, and a commit message often quotes the secret.
/// No output of any format, on stdout, stderr or in the files written, may hold it in full.
#[test]
fn redaction_covers_every_field_of_every_format() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "commit.gpgsign", "false"]);
    let t = token(4);
    write(dir.path(), "app.env", &format!("GITLAB_TOKEN={t}\n"));
    git(dir.path(), &["add", "-A"]);
    git(
        dir.path(),
        &[
            "commit",
            "-q",
            "-m",
            &format!("add deploy token {t}"),
            "-m",
            &format!("the token is {t}, rotate it in May"),
        ],
    );
    let out_dir = tempfile::tempdir().unwrap();
    let body = &t[6..];
    let check = |what: &str, text: &str| {
        assert!(
            !text.contains(body),
            "{what}: a full secret under redaction:\n{text}"
        );
    };
    for format in ["human", "json", "jsonl", "sarif", "github", "gitlab"] {
        let summary = out_dir.path().join(format!("{format}.summary.md"));
        std::fs::write(&summary, "").unwrap();
        let env = [("GITHUB_STEP_SUMMARY", summary.as_path())];
        let out = leakhound_ci(
            dir.path(),
            &["scan", "--history", ".", "--format", format],
            &env,
        );
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!stdout.is_empty(), "{format}");
        check(&format!("{format} stdout"), &stdout);
        check(&format!("{format} stderr"), &stderr(&out));
        check(
            &format!("{format} step summary"),
            &std::fs::read_to_string(&summary).unwrap(),
        );
        let file = out_dir.path().join(format!("report.{format}"));
        let out = leakhound_ci(
            dir.path(),
            &[
                "scan",
                "--history",
                ".",
                "--format",
                format,
                "--output",
                file.to_str().unwrap(),
            ],
            &env,
        );
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        check(
            &format!("{format} file"),
            &std::fs::read_to_string(&file).unwrap(),
        );
        check(&format!("{format} stderr"), &stderr(&out));
        if format == "json" {
            // The summary says what it said, the secret in its redacted form.
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let f = v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["path"] == "app.env")
                .unwrap();
            assert_eq!(f["summary"], "add deploy token glpat-…");
        }
    }
    // --no-redact is the explicit way to see it all.
    let out = leakhound_ci(
        dir.path(),
        &["scan", "--history", ".", "--format", "json", "--no-redact"],
        &[],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(body));
}

/// Regression (issue 11): `inventory add --fingerprint <a raw token>` wrote the token into the
/// inventory, and `sha256:zz` was accepted. Both are refused without echoing the value; an upper-case
/// fingerprint is normalised.
#[test]
fn inventory_add_refuses_what_is_not_a_fingerprint_and_never_echoes_it() {
    let dir = repo_with_token(5);
    let t = token(5);
    for bad in [
        t.as_str(),
        "sha256:zz",
        &format!("sha256:{}", "a".repeat(63)),
    ] {
        let out = leakhound(
            dir.path(),
            &[
                "inventory",
                "add",
                "--fingerprint",
                bad,
                "--owner",
                "team-x",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("--fingerprint: not a fingerprint"), "{err}");
        assert!(!err.contains(bad), "{err}");
        assert!(!dir.path().join("leakhound-inventory.toml").exists());
    }
    let fp = json(&leakhound(dir.path(), &["scan", ".", "--format", "json"]))["findings"][0]
        ["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    let upper = fp.to_uppercase().replace("SHA256:", "sha256:");
    let out = leakhound(
        dir.path(),
        &[
            "inventory",
            "add",
            "--fingerprint",
            &upper,
            "--owner",
            "team-x",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let inv = std::fs::read_to_string(dir.path().join("leakhound-inventory.toml")).unwrap();
    assert!(inv.contains(&fp), "{inv}");
    let v = json(&leakhound(dir.path(), &["scan", ".", "--format", "json"]));
    assert_eq!(v["findings"][0]["status"], "owned");
}

/// Regression (issue 11): an inventory or baseline holding a raw token where a fingerprint belongs,
/// and a malformed report, had their errors echo the token. Each is exit 2 naming the file, the entry
/// and the field, and no output holds the token.
#[test]
fn errors_about_fingerprints_never_echo_the_value() {
    let dir = repo_with_token(6);
    let t = token(6);
    let body = &t[6..];
    let no_echo = |out: &Output, expect: &str| {
        assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(out));
        assert!(!all.contains(body), "{all}");
        assert!(all.contains(expect), "{all}");
    };

    write(
        dir.path(),
        "inv.toml",
        &format!("[[credential]]\nfingerprint = \"{t}\"\nowner = \"team-x\"\n"),
    );
    let out = leakhound(dir.path(), &["scan", ".", "--inventory", "inv.toml"]);
    no_echo(
        &out,
        "inv.toml: credential #1: field `fingerprint`: not a fingerprint",
    );
    write(
        dir.path(),
        "inv.toml",
        &format!("[[credential]]\nfingerprint = {t}\nowner = \"team-x\"\n"),
    );
    let out = leakhound(
        dir.path(),
        &["inventory", "list", "--inventory", "inv.toml"],
    );
    no_echo(&out, "inv.toml");

    let entry = |fp: &str| {
        format!(
            "{{\"version\": 1, \"entries\": [{{\"fingerprint\": \"{fp}\", \"rule\": \"gitlab-pat\", \"path\": \"app/config.env\"}}]}}"
        )
    };
    write(dir.path(), "base.json", &entry(&t));
    let out = leakhound(dir.path(), &["scan", ".", "--baseline", "base.json"]);
    no_echo(
        &out,
        "base.json: entry 1: field `fingerprint`: not a fingerprint",
    );
    write(dir.path(), "base.json", &entry("sha256:zz"));
    let out = leakhound(dir.path(), &["scan", ".", "--baseline", "base.json"]);
    no_echo(&out, "base.json: entry 1: field `fingerprint`");
    // serde_json's own message quotes an unexpected string in full.
    write(
        dir.path(),
        "base.json",
        &format!("{{\"version\": \"{t}\", \"entries\": []}}"),
    );
    let out = leakhound(dir.path(), &["scan", ".", "--baseline", "base.json"]);
    no_echo(&out, "base.json: not a leakhound baseline");

    // Reports read back: a credential or finding whose fingerprint is not one.
    write(
        dir.path(),
        "report.json",
        &format!(
            "{{\"findings\": [{{\"fingerprint\": \"{t}\"}}], \"credentials\": [{{\"fingerprint\": \"{t}\", \"status\": \"unknown-origin\"}}]}}"
        ),
    );
    let out = leakhound(
        dir.path(),
        &[
            "inventory",
            "add",
            "--from-report",
            "report.json",
            "--owner",
            "team-x",
        ],
    );
    no_echo(
        &out,
        "report.json: credentials[0]: field `fingerprint`: not a fingerprint",
    );
    write(dir.path(), "inv.toml", "");
    let out = leakhound(
        dir.path(),
        &[
            "inventory",
            "check",
            "--inventory",
            "inv.toml",
            "--report",
            "report.json",
        ],
    );
    no_echo(
        &out,
        "report.json: findings[0]: field `fingerprint`: not a fingerprint",
    );
    write(
        dir.path(),
        "report.json",
        &format!("{{\"findings\": [{t}]}}"),
    );
    let out = leakhound(
        dir.path(),
        &[
            "inventory",
            "check",
            "--inventory",
            "inv.toml",
            "--report",
            "report.json",
        ],
    );
    no_echo(
        &out,
        "report.json: not a leakhound JSON report: invalid JSON at line 1",
    );
}

/// Regression (issue 11): reports written with `--output` were created 0644, and one written with
/// `--no-redact` holds every secret. New report files are 0600; a file that exists keeps its mode.
#[cfg(unix)]
#[test]
fn report_files_are_created_private_and_keep_an_existing_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = repo_with_token(7);
    let out_dir = tempfile::tempdir().unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for format in ["json", "sarif", "human"] {
        let file = out_dir.path().join(format!("new.{format}"));
        let out = leakhound(
            dir.path(),
            &[
                "scan",
                ".",
                "--no-redact",
                "--format",
                format,
                "-o",
                file.to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(mode(&file), 0o600, "{format}");
    }
    let file = out_dir.path().join("shared.json");
    std::fs::write(&file, "old").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = leakhound(
        dir.path(),
        &[
            "scan",
            ".",
            "--format",
            "json",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(mode(&file), 0o640);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with('{') && !text.contains("old"), "{text}");
}

/// Regression (issue 11): what a scan named on stderr as not scanned was missing from the JSON
/// report (`ScanStats.warnings` was not serialised). `summary.warnings` lists it.
#[test]
fn the_json_summary_lists_what_was_not_scanned() {
    let dir = repo_with_token(8);
    write(dir.path(), "big.txt", &"x".repeat(5000));
    let out = leakhound(
        dir.path(),
        &["scan", ".", "--format", "json", "--max-file-size", "4K"],
    );
    let err = stderr(&out);
    assert!(err.contains("big.txt"), "{err}");
    let v = json(&out);
    let w = v["summary"]["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0]["path"], "big.txt");
    assert_eq!(w[0]["reason"], "too-large");
    assert!(w[0]["message"].as_str().unwrap().contains("5000 bytes"));
    // A scan that skipped nothing says so explicitly.
    let v = json(&leakhound(dir.path(), &["scan", "app", "--format", "json"]));
    assert_eq!(v["summary"]["warnings"], serde_json::json!([]));
}

/// Regression: outside a git repository the search for `.leakhound.toml` went up to the filesystem
/// root, so a config dropped in a shared parent directory (`/tmp`) applied to every scan below it.
/// Outside a repository only the scanned directory's own config counts.
#[test]
fn a_config_in_a_parent_directory_outside_a_repository_is_not_used() {
    let outer = tempfile::tempdir().unwrap();
    write(outer.path(), ".leakhound.toml", INERT_GITLAB_RULE);
    write(
        outer.path(),
        "project/app.env",
        &format!("GITLAB_TOKEN={}\n", token(9)),
    );
    let project = outer.path().join("project");
    let out = leakhound(&project, &["scan", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(json(&out)["findings"][0]["rule"], "gitlab-pat");
    assert!(!stderr(&out).contains("replaces"), "{}", stderr(&out));
    // The scanned directory's own config still counts (and is warned about).
    std::fs::rename(
        outer.path().join(".leakhound.toml"),
        project.join(".leakhound.toml"),
    )
    .unwrap();
    let out = leakhound(&project, &["scan", ".", "--format", "json"]);
    assert!(stderr(&out).contains("replaces"), "{}", stderr(&out));
}
