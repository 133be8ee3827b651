//! End-to-end tests of the pre-commit path: `leakhound scan --staged` and `leakhound hook`, driving real
//! `git commit`s in temp repositories. Tokens are generated in the GitLab PAT shape; none is real.

use crate::common;
use common::{git, leakhound, run_git, stderr, token, write, Gen};

use std::path::Path;
use std::process::Output;

/// A repository with leakhound's hook installed and one commit.
fn hooked_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(dir.path().join("README.md"), "hello\n").unwrap();
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    let out = leakhound(dir.path(), &["hook", "install"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn commit(dir: &Path, msg: &str) -> Output {
    run_git(dir, &["commit", "-q", "-m", msg])
}

#[test]
fn a_staged_secret_blocks_the_commit_naming_file_and_line_without_the_secret() {
    let dir = hooked_repo();
    let t = token(1);
    write(
        dir.path(),
        "src/config.py",
        &format!("import os\n\nTOKEN = \"{t}\"\n"),
    );
    git(dir.path(), &["add", "-A"]);
    let out = commit(dir.path(), "add config");
    assert!(!out.status.success(), "the commit must be blocked");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("src/config.py:3  gitlab-pat"), "{err}");
    assert!(
        !err.contains(&t[6..]),
        "the full secret must not be printed: {err}"
    );
    assert!(
        err.contains("--no-verify") && err.contains("leakhound:allow") && err.contains("rotate"),
        "{err}"
    );
    assert_eq!(git(dir.path(), &["rev-list", "--count", "HEAD"]), "1");
}

#[test]
fn only_what_is_staged_counts() {
    let dir = hooked_repo();
    // A secret in the working copy only: not staged, does not block.
    write(dir.path(), "notes.txt", "first\n");
    git(dir.path(), &["add", "notes.txt"]);
    write(dir.path(), "notes.txt", &format!("first\nT={}\n", token(2)));
    assert!(commit(dir.path(), "notes").status.success());
    // Partial staging (as `git add -p` does): the staged blob has the secret, the working copy not.
    let staged = format!("first\nT={}\n", token(3));
    std::fs::write(dir.path().join("tmp-staged"), &staged).unwrap();
    let blob = git(dir.path(), &["hash-object", "-w", "tmp-staged"]);
    std::fs::remove_file(dir.path().join("tmp-staged")).unwrap();
    git(
        dir.path(),
        &[
            "update-index",
            "--cacheinfo",
            &format!("100644,{blob},notes.txt"),
        ],
    );
    write(dir.path(), "notes.txt", "first\nclean\n");
    let out = commit(dir.path(), "partial");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("notes.txt:2"));
}

#[test]
fn an_existing_secret_on_an_untouched_line_does_not_block() {
    let dir = hooked_repo();
    write(
        dir.path(),
        "legacy.env",
        &format!("A=1\nT={}\nB=2\n", token(4)),
    );
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "--no-verify", "-m", "legacy"]);
    write(
        dir.path(),
        "legacy.env",
        &format!("A=1\nT={}\nB=3\nC=4\n", token(4)),
    );
    git(dir.path(), &["add", "-A"]);
    let out = commit(dir.path(), "edit elsewhere in the file");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A pure rename adds no lines either; a deletion scans nothing.
    git(dir.path(), &["mv", "legacy.env", "renamed.env"]);
    assert!(commit(dir.path(), "rename").status.success());
    git(dir.path(), &["rm", "-q", "renamed.env"]);
    assert!(commit(dir.path(), "delete").status.success());
}

#[test]
fn allow_comments_and_the_baseline_unblock() {
    let dir = hooked_repo();
    write(
        dir.path(),
        "a.py",
        &format!("T = \"{}\"  # leakhound:allow test fixture\n", token(5)),
    );
    git(dir.path(), &["add", "-A"]);
    assert!(commit(dir.path(), "allowed").status.success());

    write(dir.path(), "b.env", &format!("T={}\n", token(6)));
    git(dir.path(), &["add", "-A"]);
    assert!(!commit(dir.path(), "blocked").status.success());
    let out = leakhound(dir.path(), &["baseline", "create"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let baseline = std::fs::read_to_string(dir.path().join(".leakhound-baseline.json")).unwrap();
    assert!(
        baseline.contains("b.env")
            && baseline.contains("sha256:")
            && !baseline.contains(&token(6)[6..])
    );
    git(dir.path(), &["add", "-A"]);
    let out = commit(dir.path(), "accepted");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_first_commit_of_an_empty_repository_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    assert!(leakhound(dir.path(), &["hook", "install"]).status.success());
    write(dir.path(), ".env", &format!("T={}\n", token(7)));
    git(dir.path(), &["add", "-A"]);
    let out = commit(dir.path(), "first");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(".env:1"));
}

#[test]
fn install_chains_a_foreign_hook_and_uninstall_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    let foreign = "#!/bin/sh\necho ran >> \"$(git rev-parse --git-dir)/foreign-ran\"\n";
    let hook = dir.path().join(".git/hooks/pre-commit");
    std::fs::write(&hook, foreign).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = leakhound(dir.path(), &["hook", "install"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("kept"));
    write(dir.path(), "a.txt", "clean\n");
    git(dir.path(), &["add", "-A"]);
    assert!(commit(dir.path(), "clean").status.success());
    assert!(
        dir.path().join(".git/foreign-ran").exists(),
        "the foreign hook still runs"
    );

    let out = leakhound(dir.path(), &["hook", "uninstall"]);
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);
    // Uninstalling again leaves the foreign hook alone.
    let out = leakhound(dir.path(), &["hook", "uninstall"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);
}

#[test]
fn core_hooks_path_is_respected() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "core.hooksPath", "githooks"]);
    assert!(leakhound(dir.path(), &["hook", "install"]).status.success());
    assert!(dir.path().join("githooks/pre-commit").is_file());
    assert!(dir.path().join("githooks/commit-msg").is_file());
    write(dir.path(), "k.env", &format!("T={}\n", token(8)));
    git(dir.path(), &["add", "k.env"]);
    assert!(!commit(dir.path(), "blocked").status.success());
    write(dir.path(), "k.env", "T=none\n");
    git(dir.path(), &["add", "k.env"]);
    let out = commit(dir.path(), &format!("msg T={}", token(9)));
    assert!(
        stderr(&out).contains("commit message:1"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn staged_json_report_and_exit_codes() {
    let dir = hooked_repo();
    let out = leakhound(dir.path(), &["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    write(dir.path(), "x.env", &format!("A=1\nT={}\n", token(9)));
    git(dir.path(), &["add", "-A"]);
    let out = leakhound(dir.path(), &["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["path"], "x.env");
    assert_eq!(v["findings"][0]["line"], 2);
    assert_eq!(v["summary"]["added_lines"], 2);
    let plain = tempfile::tempdir().unwrap();
    assert_eq!(
        leakhound(plain.path(), &["scan", "--staged"]).status.code(),
        Some(2)
    );
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A made-up PEM RSA key (random base64 body of `lines` lines), indented by `indent`.
fn pem(g: &mut Gen, lines: usize, indent: &str) -> Vec<String> {
    let mut out = vec![format!("{indent}-----BEGIN RSA PRIVATE KEY-----")];
    out.extend((0..lines).map(|_| format!("{indent}{}", g.s(B64, 64))));
    out.push(format!("{indent}-----END RSA PRIVATE KEY-----"));
    out
}

fn stage_and_commit(dir: &Path, path: &str, content: &str, msg: &str) -> Output {
    write(dir, path, content);
    git(dir, &["add", "-A"]);
    commit(dir, msg)
}

/// Regression (issue 11, case 3): a private key replaced in place — the same `-----BEGIN` line, a new
/// body — committed silently, because a finding counted only when the line it starts on was added.
#[test]
fn a_private_key_replaced_in_place_blocks_the_commit() {
    let dir = hooked_repo();
    let old = pem(&mut Gen(11), 20, "").join("\n") + "\n";
    write(dir.path(), "deploy/tls.key", &old);
    git(dir.path(), &["add", "-A"]);
    git(
        dir.path(),
        &["commit", "-q", "--no-verify", "-m", "old key"],
    );

    let new = pem(&mut Gen(12), 20, "").join("\n") + "\n";
    let out = stage_and_commit(dir.path(), "deploy/tls.key", &new, "rotate");
    assert!(!out.status.success(), "the new key must block the commit");
    let err = stderr(&out);
    assert!(err.contains("deploy/tls.key:1  private-key-rsa"), "{err}");
    assert_eq!(git(dir.path(), &["rev-list", "--count", "HEAD"]), "2");
}

/// An encrypted PEM key (RFC 1421 headers, then a blank line, then the body) whose body is replaced
/// under unchanged headers: the block of the change is the body, and the `BEGIN` line sits above the
/// blank line. The context of a base64 body reaches across that blank line to its armour.
#[test]
fn an_encrypted_key_whose_body_changed_under_its_headers_blocks_the_commit() {
    let dir = hooked_repo();
    let key = |g: &mut Gen| {
        let body = pem(g, 18, "");
        let mut lines = vec![
            body[0].clone(),
            "Proc-Type: 4,ENCRYPTED".to_owned(),
            "DEK-Info: AES-128-CBC,9C4F0A1E7B3D5A2C8E6F1B0D4A7C3E95".to_owned(),
            String::new(),
        ];
        lines.extend_from_slice(&body[1..]);
        lines.join("\n") + "\n"
    };
    write(dir.path(), "deploy/legacy.key", &key(&mut Gen(31)));
    git(dir.path(), &["add", "-A"]);
    git(
        dir.path(),
        &["commit", "-q", "--no-verify", "-m", "old key"],
    );

    let out = stage_and_commit(
        dir.path(),
        "deploy/legacy.key",
        &key(&mut Gen(32)),
        "rotate",
    );
    assert!(!out.status.success(), "the new key must block the commit");
    let err = stderr(&out);
    assert!(
        err.contains("deploy/legacy.key:1  private-key-rsa"),
        "{err}"
    );
}

/// Regression (issue 11, case 3): when only a middle line of a key changed, the hook blanked the
/// `BEGIN` and `END` lines (it kept only lines next to a change) and the key was never matched.
#[test]
fn a_key_whose_only_changed_line_is_in_the_middle_blocks_the_commit() {
    let dir = hooked_repo();
    let mut lines = vec![
        "apiVersion: v1".to_owned(),
        "kind: ConfigMap".to_owned(),
        String::new(),
        "data:".to_owned(),
        "  tls.key: |".to_owned(),
    ];
    lines.extend(pem(&mut Gen(21), 24, "    "));
    lines.extend([String::new(), "  mode: production".to_owned()]);
    write(dir.path(), "k8s/tls.yaml", &(lines.join("\n") + "\n"));
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "--no-verify", "-m", "tls"]);

    // Line 18 of the file: the 12th line of the body.
    lines[17] = format!("    {}", Gen(22).s(B64, 64));
    let out = stage_and_commit(
        dir.path(),
        "k8s/tls.yaml",
        &(lines.join("\n") + "\n"),
        "edit",
    );
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("k8s/tls.yaml:6  private-key-rsa"),
        "{}",
        stderr(&out)
    );
}

/// An unchanged key next to a changed line is still not the commit's doing: seeing the whole block
/// must not make old secrets block.
#[test]
fn an_unchanged_key_next_to_a_change_does_not_block() {
    let dir = hooked_repo();
    let mut lines = pem(&mut Gen(31), 12, "");
    lines.push("# owner: team-a".to_owned());
    write(dir.path(), "keys/legacy.pem", &(lines.join("\n") + "\n"));
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "--no-verify", "-m", "legacy"]);
    *lines.last_mut().unwrap() = "# owner: team-b".to_owned();
    let out = stage_and_commit(
        dir.path(),
        "keys/legacy.pem",
        &(lines.join("\n") + "\n"),
        "new owner",
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Regression (issue 11, case 3): a Kubernetes Secret's `data:` values are decoded because of the
/// document's `kind: Secret` line; a changed value far from that line was scanned without it.
#[test]
fn a_changed_value_of_a_kubernetes_secret_blocks_the_commit() {
    use base64::Engine as _;
    let enc = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let manifest = |token: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n  namespace: prod\n  labels:\n    \
             team: payments\ntype: Opaque\ndata:\n  region: {}\n  config: {}\n  mode: {}\n",
            enc("eu-west-1"),
            enc(token),
            enc("production")
        )
    };
    let ghp = |g: &mut Gen| {
        leakhound_core::validate::github_token_with_checksum(
            "ghp_",
            &g.s(
                b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                30,
            ),
        )
    };
    let dir = hooked_repo();
    let mut g = Gen(41);
    write(dir.path(), "k8s/secret.yaml", &manifest(&ghp(&mut g)));
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "--no-verify", "-m", "secret"]);
    let out = stage_and_commit(
        dir.path(),
        "k8s/secret.yaml",
        &manifest(&ghp(&mut g)),
        "rotate",
    );
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("k8s/secret.yaml:11  github-pat-classic"),
        "{}",
        stderr(&out)
    );
}

/// A Kubernetes env entry (`- name:` / `value:`) whose value line changed is read as `NAME: value`.
#[test]
fn a_changed_value_of_a_kubernetes_env_entry_blocks_the_commit() {
    let deployment = |value: &str| {
        format!(
            "spec:\n  containers:\n    - name: api\n      env:\n        - name: LOG_LEVEL\n          \
             value: info\n        - name: DATABASE_PASSWORD\n          value: \"{value}\"\n"
        )
    };
    let dir = hooked_repo();
    let alnum = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    write(dir.path(), "k8s/api.yaml", &deployment("change-me"));
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "--no-verify", "-m", "api"]);
    let password = format!("{}7!{}", Gen(51).s(alnum, 10), Gen(52).s(alnum, 8));
    let out = stage_and_commit(dir.path(), "k8s/api.yaml", &deployment(&password), "pw");
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("k8s/api.yaml:8"), "{}", stderr(&out));
}

/// Regression (issue 11, case 7): staged binary files were skipped without a word in the hook's
/// message.
#[test]
fn staged_binary_files_are_named_in_the_hooks_message() {
    let dir = hooked_repo();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0";
    std::fs::create_dir_all(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/logo.png"), png).unwrap();
    std::fs::write(dir.path().join("data.bin"), b"\0\x01\x02 payload \0").unwrap();
    write(dir.path(), "notes.txt", "clean\n");
    git(dir.path(), &["add", "-A"]);
    let out = commit(dir.path(), "assets");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("leakhound: note: 2 binary files not scanned: assets/logo.png, data.bin"),
        "{}",
        stderr(&out)
    );
    // The JSON summary lists them too.
    std::fs::write(dir.path().join("data.bin"), b"\0changed\0").unwrap();
    git(dir.path(), &["add", "-A"]);
    let out = leakhound(dir.path(), &["scan", "--staged", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["skipped"]["binary"], 1);
    assert_eq!(
        v["summary"]["not_scanned"],
        serde_json::json!([{"path": "data.bin", "reason": "binary"}])
    );
}

/// Files over the size limit are named on stderr and counted, and do not fail the scan.
#[test]
fn staged_files_over_the_size_limit_are_named() {
    let dir = hooked_repo();
    write(
        dir.path(),
        "dump.sql",
        &"INSERT INTO t VALUES (1);\n".repeat(100),
    );
    git(dir.path(), &["add", "-A"]);
    let out = leakhound(
        dir.path(),
        &[
            "scan",
            "--staged",
            "--max-file-size",
            "1K",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("dump.sql: 2600 bytes is over the maximum file size"),
        "{}",
        stderr(&out)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["skipped"]["too-large"], 1);
}

/// Regression (issue 11, case 7): the added lines were computed on raw bytes, so a file that had been
/// binary (and never scanned) and became text shared its lines with the binary version, and a secret
/// on such a line went through. The binary version is one without text to scan (a gzip stream's
/// magic number): binary files that keep text have their strings scanned, and their lines count.
#[test]
fn a_file_that_was_binary_is_scanned_whole_when_it_becomes_text() {
    let dir = hooked_repo();
    let t = token(61);
    let mut binary = b"\x1f\x8b\0\0\n".to_vec();
    binary.extend_from_slice(format!("T={t}\n").as_bytes());
    std::fs::write(dir.path().join("app.cfg"), binary).unwrap();
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "--no-verify", "-m", "binary"]);
    let out = stage_and_commit(dir.path(), "app.cfg", &format!("T={t}\n"), "now text");
    assert!(!out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("app.cfg:1  gitlab-pat"),
        "{}",
        stderr(&out)
    );
}

/// Runs `git commit` with `GIT_EDITOR` set to `editor` (a shell command run on the message file).
fn commit_with_editor(dir: &Path, editor: &str, args: &[&str]) -> Output {
    std::process::Command::new("git")
        .arg("commit")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Dev One")
        .env("GIT_AUTHOR_EMAIL", "dev1@example.org")
        .env("GIT_COMMITTER_NAME", "Dev One")
        .env("GIT_COMMITTER_EMAIL", "dev1@example.org")
        .env("GIT_EDITOR", editor)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("git runs")
}

/// An editor (a script in the repository's .git) that appends `line` to the message.
fn appending_editor(dir: &Path, line: &str) -> String {
    let script = dir.join(".git/append-editor.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s\\n' '{line}' >> \"$1\"\n"),
    )
    .unwrap();
    format!("sh '{}'", script.display())
}

/// Issue 11, case 8: a token pasted into a commit message lives as long as the commit; the commit-msg
/// hook blocks it before it is recorded.
#[test]
fn a_secret_in_the_commit_message_blocks_the_commit() {
    let dir = hooked_repo();
    assert!(dir.path().join(".git/hooks/commit-msg").is_file());
    let t = token(71);
    write(dir.path(), "a.txt", "clean\n");
    git(dir.path(), &["add", "-A"]);
    let out = commit(dir.path(), &format!("Fix deploy\n\nused T={t} to test"));
    assert!(!out.status.success(), "the commit must be blocked");
    let err = stderr(&out);
    assert!(err.contains("in the commit message"), "{err}");
    assert!(err.contains("commit message:3  gitlab-pat"), "{err}");
    assert!(
        !err.contains(&t[6..]),
        "the full secret must not be printed: {err}"
    );
    assert!(
        err.contains(".git/COMMIT_EDITMSG") && err.contains("--no-verify"),
        "{err}"
    );
    assert_eq!(git(dir.path(), &["rev-list", "--count", "HEAD"]), "1");

    // The same through -F; a clean message then goes through.
    std::fs::write(dir.path().join(".git/msg"), format!("Deploy\nT={t}\n")).unwrap();
    let out = run_git(dir.path(), &["commit", "-q", "-F", ".git/msg"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("commit message:2  gitlab-pat"),
        "{}",
        stderr(&out)
    );
    std::fs::write(dir.path().join(".git/msg"), "Deploy\n\nNo secrets here.\n").unwrap();
    let out = run_git(dir.path(), &["commit", "-q", "-F", ".git/msg"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Comment lines are not recorded when git strips them (the editor's template), so a secret there does
/// not block; a `#` line of a `-m` message is recorded as it is, so it does.
#[test]
fn only_what_git_records_of_the_message_is_scanned() {
    let dir = hooked_repo();
    let t = token(72);
    write(dir.path(), "a.txt", "one\n");
    git(dir.path(), &["add", "-A"]);
    let editor = appending_editor(dir.path(), &format!("# T={t}"));
    let out = commit_with_editor(dir.path(), &editor, &["-q", "-e", "-m", "edited"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!git(dir.path(), &["log", "-1", "--format=%B"]).contains(&t));

    // core.commentChar: `;` lines are the comments, and `#` lines are text.
    git(dir.path(), &["config", "core.commentChar", ";"]);
    write(dir.path(), "a.txt", "two\n");
    git(dir.path(), &["add", "-A"]);
    let editor = appending_editor(dir.path(), &format!("; T={t}"));
    let out = commit_with_editor(dir.path(), &editor, &["-q", "-e", "-m", "semicolon"]);
    assert!(out.status.success(), "{}", stderr(&out));
    write(dir.path(), "a.txt", "three\n");
    git(dir.path(), &["add", "-A"]);
    let editor = appending_editor(dir.path(), &format!("# T={t}"));
    let out = commit_with_editor(dir.path(), &editor, &["-q", "-e", "-m", "hash"]);
    assert!(!out.status.success(), "a `#` line is text here");
    assert!(stderr(&out).contains("commit message:"), "{}", stderr(&out));
    git(dir.path(), &["config", "--unset", "core.commentChar"]);

    // Without an editor git keeps `#` lines (cleanup "whitespace"): they are recorded, and scanned.
    let out = commit(dir.path(), &format!("Title\n\n# T={t}"));
    assert!(!out.status.success(), "git records this line");
    assert!(
        stderr(&out).contains("commit message:3"),
        "{}",
        stderr(&out)
    );
}

/// `git commit -v` puts the staged diff below the scissors line; git drops it, so must the scan (an
/// old secret in the diff's context lines is not in the message).
#[test]
fn the_diff_below_the_scissors_line_is_not_scanned() {
    let dir = hooked_repo();
    write(dir.path(), "legacy.env", &format!("T={}\nA=1\n", token(73)));
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "--no-verify", "-m", "legacy"]);
    write(dir.path(), "legacy.env", &format!("T={}\nA=2\n", token(73)));
    git(dir.path(), &["add", "-A"]);
    let out = commit_with_editor(dir.path(), "true", &["-q", "-v", "-e", "-m", "bump A"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The message honours allow comments and the repository's baseline, as staged changes do.
#[test]
fn allow_comments_and_the_baseline_apply_to_the_message() {
    let dir = hooked_repo();
    write(dir.path(), "a.txt", "one\n");
    git(dir.path(), &["add", "-A"]);
    let out = commit(
        dir.path(),
        &format!("Test fixture\n\nT={}  leakhound:allow (revoked)", token(74)),
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let msg = format!("Docs\n\nexample T={}\n", token(75));
    std::fs::write(dir.path().join(".git/msg"), &msg).unwrap();
    write(dir.path(), "a.txt", "two\n");
    git(dir.path(), &["add", "-A"]);
    assert!(!run_git(dir.path(), &["commit", "-q", "-F", ".git/msg"])
        .status
        .success());
    let out = leakhound(
        dir.path(),
        &["baseline", "create", "--commit-msg", ".git/msg"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run_git(dir.path(), &["commit", "-q", "-F", ".git/msg"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn install_chains_a_foreign_commit_msg_hook_and_uninstall_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    // A hook that edits the message (as Gerrit's Change-Id hook does) keeps working after leakhound's.
    let foreign = "#!/bin/sh\nprintf '\\nChange-Id: I0123\\n' >> \"$1\"\n";
    let hook = dir.path().join(".git/hooks/commit-msg");
    std::fs::write(&hook, foreign).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = leakhound(dir.path(), &["hook", "install"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("commit-msg.leakhound-chained"),
        "{}",
        stderr(&out)
    );
    write(dir.path(), "a.txt", "clean\n");
    git(dir.path(), &["add", "-A"]);
    assert!(commit(dir.path(), "clean").status.success());
    assert!(git(dir.path(), &["log", "-1", "--format=%B"]).contains("Change-Id: I0123"));
    let out = commit(dir.path(), &format!("leak T={}", token(76)));
    assert!(!out.status.success(), "leakhound's hook runs first");

    let out = leakhound(dir.path(), &["hook", "uninstall"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);
    assert!(!dir.path().join(".git/hooks/pre-commit").exists());
}

/// A second foreign hook cannot be chained while another is: refused for both hooks (nothing is
/// changed), and `--force` keeps the earlier chained hook as `.old`.
#[test]
fn install_refuses_to_overwrite_a_chained_hook_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    let hooks = dir.path().join(".git/hooks");
    std::fs::write(hooks.join("commit-msg"), "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::write(
        hooks.join("commit-msg.leakhound-chained"),
        "#!/bin/sh\n# older\n",
    )
    .unwrap();
    let out = leakhound(dir.path(), &["hook", "install"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert!(
        !hooks.join("pre-commit").exists(),
        "nothing is installed when one hook is refused"
    );
    let out = leakhound(dir.path(), &["hook", "install", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(hooks.join("commit-msg.leakhound-chained")).unwrap(),
        "#!/bin/sh\nexit 0\n"
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("commit-msg.leakhound-chained.old")).unwrap(),
        "#!/bin/sh\n# older\n"
    );
    assert!(hooks.join("pre-commit").is_file());
}

/// Issue 11: `hook install` in a bare repository wrote hooks that git never runs there (there is no
/// work tree to commit from); it refuses, naming the repository.
#[test]
fn install_refuses_a_bare_repository() {
    let dir = tempfile::tempdir().unwrap();
    git(
        dir.path(),
        &["init", "-q", "--bare", "-b", "main", "repo.git"],
    );
    let repo = dir.path().join("repo.git");
    let out = leakhound(&repo, &["hook", "install"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("repo.git") && err.contains("bare"), "{err}");
    assert!(!repo.join("hooks/pre-commit").exists() && !repo.join("hooks/commit-msg").exists());
}

/// Regression: in a repository with SHA-256 object names the staged scan read the index and trees as
/// SHA-1 and failed.
#[test]
fn the_hook_works_in_sha256_repositories() {
    let dir = tempfile::tempdir().unwrap();
    git(
        dir.path(),
        &["init", "-q", "-b", "main", "--object-format=sha256"],
    );
    write(dir.path(), "README.md", "hello\n");
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    let out = leakhound(dir.path(), &["hook", "install"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    write(dir.path(), "app.env", &format!("TOKEN={}\n", token(40)));
    git(dir.path(), &["add", "-A"]);
    let out = run_git(dir.path(), &["commit", "-q", "-m", "add"]);
    assert!(!out.status.success(), "the commit must be blocked");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("app.env:1  gitlab-pat"), "{err}");
}
