//! Command-line conventions: shell completions, the man page, `--quiet`, `NO_COLOR`, and `scan -` for
//! standard input. Every token is generated; none is real.

use crate::common;
use common::{leakhound, write};

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// A made-up GitLab token.
fn token() -> String {
    common::token(7)
}

/// Runs leakhound in `dir` with `stdin` as standard input.
fn with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .args(args)
        .current_dir(dir)
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn completions_for_every_shell_and_the_man_page() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = leakhound(dir.path(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        // Every subcommand and a scan flag are completed.
        for word in ["scan", "inventory", "baseline", "completions", "--history"] {
            assert!(text.contains(word), "{shell}: no {word}");
        }
    }
    // The bash script is valid bash.
    let bash = leakhound(dir.path(), &["completions", "bash"]).stdout;
    std::fs::write(dir.path().join("leakhound.bash"), bash).unwrap();
    let check = Command::new("bash")
        .arg("-n")
        .arg(dir.path().join("leakhound.bash"))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let out = leakhound(dir.path(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));

    let man = String::from_utf8(leakhound(dir.path(), &["man"]).stdout).unwrap();
    assert!(man.contains(".TH leakhound 1"), "{man}");
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH SUBCOMMANDS",
        "leakhound\\-scan",
    ] {
        assert!(man.contains(section), "no {section} in {man}");
    }
}

#[test]
fn standard_input_is_scanned_under_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let t = token();
    // A Kubernetes Secret as kubectl prints it: the token base64-encoded in `data`.
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &t);
    let secret =
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ndata:\n  token: {b64}\n");
    let out = with_stdin(
        dir.path(),
        &["scan", "-", "--format", "json", "--no-redact"],
        secret.as_bytes(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(
        (f["path"].as_str(), f["line"].as_u64(), f["secret"].as_str()),
        (Some("<stdin>"), Some(6), Some(t.as_str()))
    );
    assert_eq!(v["summary"]["files"], 1);

    let log = format!("step 3/9: export GITLAB_TOKEN={t}\n");
    let out = with_stdin(
        dir.path(),
        &[
            "scan",
            "-",
            "--stdin-name",
            "ci/job-42.log",
            "--format",
            "jsonl",
        ],
        log.as_bytes(),
    );
    let line: Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(line["path"], "ci/job-42.log");

    // Nothing found: exit 0. Binary input is not scanned and says so.
    assert_eq!(
        with_stdin(dir.path(), &["scan", "-"], b"hello\n")
            .status
            .code(),
        Some(0)
    );
    let out = with_stdin(
        dir.path(),
        &["scan", "-", "--format", "json"],
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0",
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            v["summary"]["files"].as_u64(),
            v["summary"]["skipped"]["binary"].as_u64()
        ),
        (Some(0), Some(1))
    );

    // `-` is one input, not a repository.
    for args in [&["scan", "-", "."][..], &["scan", "--history", "-"]] {
        let out = with_stdin(dir.path(), args, b"");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            (out.status.code(), err.lines().count()),
            (Some(2), 1),
            "{err}"
        );
        assert!(
            err.starts_with("leakhound: error: `-` (standard input)"),
            "{err}"
        );
    }
}

#[test]
fn quiet_keeps_findings_and_what_was_not_scanned() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.env", &format!("GITLAB_TOKEN={}\n", token()));
    write(dir.path(), "big.txt", &"x".repeat(4096));
    let loud = leakhound(dir.path(), &["scan", ".", "--max-file-size", "1K"]);
    let quiet = leakhound(dir.path(), &["scan", ".", "--max-file-size", "1K", "-q"]);
    let (loud_err, quiet_err) = (
        String::from_utf8_lossy(&loud.stderr),
        String::from_utf8_lossy(&quiet.stderr),
    );
    assert!(
        loud_err.contains("1 finding") && loud_err.contains("governance:"),
        "{loud_err}"
    );
    // The same findings and exit code; of stderr, only the file that was not scanned.
    assert_eq!(
        (quiet.status.code(), &quiet.stdout),
        (Some(1), &loud.stdout)
    );
    let lines: Vec<&str> = quiet_err.lines().collect();
    assert_eq!(lines.len(), 1, "{quiet_err}");
    assert!(
        lines[0].starts_with("leakhound: warning: ") && lines[0].contains("big.txt"),
        "{quiet_err}"
    );
}

#[test]
fn no_color_wins_over_a_forced_colour() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.env", &format!("GITLAB_TOKEN={}\n", token()));
    let run = |no_color: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_leakhound"));
        c.args(["scan", "."])
            .current_dir(dir.path())
            .env_remove("CI")
            .env("CLICOLOR_FORCE", "1");
        if no_color {
            c.env("NO_COLOR", "1");
        } else {
            c.env_remove("NO_COLOR");
        }
        c.output().unwrap()
    };
    let forced = run(false);
    assert!(
        forced.stdout.contains(&0x1b),
        "CLICOLOR_FORCE colours a pipe"
    );
    let plain = run(true);
    assert!(!plain.stdout.contains(&0x1b) && !plain.stderr.contains(&0x1b));
    assert_eq!(plain.status.code(), Some(1));
}
