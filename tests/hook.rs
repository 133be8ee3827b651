//! End-to-end tests of the pre-commit path: `leakhound scan --staged` and `leakhound hook`, driving real
//! `git commit`s in temp repositories. Tokens are generated in the GitLab PAT shape; none is real.

mod common;
use common::{git, leakhound, run_git, token, write};

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
    write(dir.path(), "k.env", &format!("T={}\n", token(8)));
    git(dir.path(), &["add", "k.env"]);
    assert!(!commit(dir.path(), "blocked").status.success());
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
