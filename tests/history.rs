//! End-to-end tests of `leakhound scan --history` over real repositories built with the git CLI.
//!
//! Tokens are generated at test time in the shape of GitLab personal access tokens; none is real.

use crate::common;
use common::{git, token};

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "commit.gpgsign", "false"]);
    dir
}

fn commit_file(dir: &Path, path: &str, content: &str, msg: &str) -> String {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", msg]);
    git(dir, &["rev-parse", "HEAD"])
}

fn scan(dir: &Path, extra: &[&str]) -> (Output, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .args(["scan", "--history", ".", "--format", "json"])
        .args(extra)
        .current_dir(dir)
        .env_remove("CI")
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out, v)
}

fn findings(v: &Value) -> Vec<Value> {
    v["findings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn deleted_secret_is_found_at_its_introducing_commit() {
    let dir = repo();
    commit_file(dir.path(), "README.md", "hello\n", "init");
    let t = token(1);
    let introducing = commit_file(
        dir.path(),
        "config/app.env",
        &format!("A=1\nGITLAB_TOKEN={t}\n"),
        "add config",
    );
    commit_file(dir.path(), "config/app.env", "A=1\n", "remove the token");
    let (out, v) = scan(dir.path(), &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let f = findings(&v);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0]["commit"], introducing.as_str());
    assert_eq!(
        (f[0]["path"].as_str(), f[0]["line"].as_u64()),
        (Some("config/app.env"), Some(2))
    );
    assert_eq!(f[0]["author"], "Dev One <dev1@example.org>");
    assert_eq!(f[0]["summary"], "add config");
    assert_eq!(v["summary"]["commits"], 3);
}

#[test]
fn side_branch_tag_only_and_dangling_commits_are_scanned() {
    let dir = repo();
    commit_file(dir.path(), "a.txt", "a\n", "init");
    // Only on a side branch.
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    let side = commit_file(dir.path(), "side.env", &format!("T={}\n", token(2)), "side");
    git(dir.path(), &["checkout", "-q", "main"]);
    // Only behind a tag: a commit on a detached HEAD, tagged, then left.
    git(dir.path(), &["checkout", "-q", "--detach"]);
    let tagged = commit_file(
        dir.path(),
        "tagged.env",
        &format!("T={}\n", token(3)),
        "tagged",
    );
    git(dir.path(), &["tag", "v-secret"]);
    git(dir.path(), &["checkout", "-q", "main"]);
    // Dangling: committed, then thrown away (reset and reflog expired), as after a force-push.
    let dangling = commit_file(dir.path(), "gone.env", &format!("T={}\n", token(4)), "oops");
    git(dir.path(), &["reset", "-q", "--hard", "HEAD~1"]);
    git(dir.path(), &["reflog", "expire", "--expire=now", "--all"]);
    let (_, v) = scan(dir.path(), &[]);
    let by_path: Vec<(String, String)> = findings(&v)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["commit"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert!(by_path.contains(&("side.env".into(), side)), "{by_path:?}");
    assert!(
        by_path.contains(&("tagged.env".into(), tagged)),
        "{by_path:?}"
    );
    assert!(
        by_path.contains(&("gone.env".into(), dangling)),
        "{by_path:?}"
    );
    // The same again from packs instead of loose objects.
    git(dir.path(), &["gc", "-q", "--prune=never"]);
    let (_, v2) = scan(dir.path(), &[]);
    assert_eq!(findings(&v2).len(), 3, "{v2:#}");
}

#[test]
fn identical_blob_at_two_paths_is_scanned_once_and_reported_at_the_first() {
    let dir = repo();
    let content = format!("T={}\n", token(5));
    let first = commit_file(dir.path(), "one/secret.env", &content, "first copy");
    commit_file(dir.path(), "two/secret.env", &content, "second copy");
    let (_, v) = scan(dir.path(), &[]);
    let f = findings(&v);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0]["path"].as_str(), f[0]["commit"].as_str()),
        (Some("one/secret.env"), Some(first.as_str()))
    );
    assert_eq!(
        v["summary"]["files"], 1,
        "one unique blob scanned: {}",
        v["summary"]
    );
}

#[test]
fn range_reports_only_what_the_range_introduces() {
    let dir = repo();
    commit_file(
        dir.path(),
        "old.env",
        &format!("T={}\n", token(6)),
        "old secret",
    );
    let base = git(dir.path(), &["rev-parse", "HEAD"]);
    let new = commit_file(
        dir.path(),
        "new.env",
        &format!("T={}\n", token(7)),
        "new secret",
    );
    commit_file(dir.path(), "other.txt", "no secrets\n", "unrelated");
    let (out, v) = scan(dir.path(), &["--range", &format!("{base}..HEAD")]);
    assert_eq!(out.status.code(), Some(1));
    let f = findings(&v);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0]["path"].as_str(), f[0]["commit"].as_str()),
        (Some("new.env"), Some(new.as_str()))
    );
    assert_eq!(v["summary"]["commits"], 2);
    let (_, v) = scan(dir.path(), &["--since-commit", &new]);
    assert!(findings(&v).is_empty());
    let (out, _) = scan(dir.path(), &["--range", "no-such-branch..HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-branch"));
}

#[test]
fn incremental_rescans_nothing_then_picks_up_a_new_commit() {
    let dir = repo();
    commit_file(dir.path(), "a.env", &format!("T={}\n", token(8)), "one");
    commit_file(dir.path(), "b.txt", "text\n", "two");
    let (_, v) = scan(dir.path(), &["--incremental"]);
    assert_eq!(findings(&v).len(), 1);
    let blobs = v["summary"]["files"].as_u64().unwrap();
    assert!(blobs >= 2);
    assert!(dir.path().join(".git/leakhound/history-state").is_file());

    let (out, v) = scan(dir.path(), &["--incremental"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(v["summary"]["files"], 0, "{}", v["summary"]);
    assert_eq!(v["summary"]["blobs_already_scanned"], blobs);

    // Other rules: the state no longer says what was scanned with them.
    std::fs::write(
        dir.path().join("extra.toml"),
        "[[rule]]\nid = \"acme-token\"\ndescription = \"ACME\"\nseverity = \"low\"\nkeywords = [\"acme_\"]\nregex = '(?P<secret>acme_[a-z0-9]{24})'\n",
    )
    .unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let state = elsewhere.path().join("state");
    let state = state.to_str().unwrap();
    let (_, v) = scan(dir.path(), &["--incremental", "--incremental-state", state]);
    assert_eq!(v["summary"]["files"], blobs);
    let (_, v) = scan(
        dir.path(),
        &[
            "--incremental",
            "--incremental-state",
            state,
            "--rules",
            "extra.toml",
        ],
    );
    assert_eq!(
        v["summary"]["files"], blobs,
        "a changed rule pack invalidates the state"
    );
    std::fs::remove_file(dir.path().join("extra.toml")).unwrap();

    let c = commit_file(dir.path(), "c.env", &format!("T={}\n", token(9)), "three");
    let (out, v) = scan(dir.path(), &["--incremental"]);
    assert_eq!(out.status.code(), Some(1));
    let f = findings(&v);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["commit"], c.as_str());
    assert_eq!(v["summary"]["files"], 1);
}

#[test]
fn unreachable_blob_has_no_commit_and_says_so() {
    let dir = repo();
    commit_file(dir.path(), "a.txt", "a\n", "init");
    std::fs::write(dir.path().join("loose.env"), format!("T={}\n", token(10))).unwrap();
    git(dir.path(), &["hash-object", "-w", "loose.env"]);
    std::fs::remove_file(dir.path().join("loose.env")).unwrap();
    let (_, v) = scan(dir.path(), &[]);
    let f = findings(&v);
    assert_eq!(f.len(), 1);
    assert!(f[0].get("commit").is_none());
    assert!(f[0]["note"].as_str().unwrap().starts_with("unreachable"));
    assert_eq!(v["summary"]["unreachable_findings"], 1);
}

#[test]
fn not_a_repository_is_exit_2_and_empty_repository_is_exit_0() {
    let plain = tempfile::tempdir().unwrap();
    let (out, _) = scan(plain.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("not a git repository") && err.lines().count() == 1,
        "{err}"
    );

    let empty = repo();
    let (out, v) = scan(empty.path(), &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(v["summary"]["commits"], 0);
}

#[test]
fn bare_repositories_and_redaction_work() {
    let dir = repo();
    let t = token(11);
    commit_file(dir.path(), "x.env", &format!("T={t}\n"), "one");
    let bare = tempfile::tempdir().unwrap();
    git(
        bare.path(),
        &[
            "clone",
            "-q",
            "--bare",
            dir.path().to_str().unwrap(),
            "r.git",
        ],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .args(["scan", "--history", "r.git", "--format", "json"])
        .current_dir(bare.path())
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(&t[6..]), "CI output must be redacted");
    assert!(text.contains("x.env"));
}

fn scan_human(dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .args(["scan", "--history", "."])
        .current_dir(dir)
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn shallow_clones_are_scanned_with_a_notice_and_submodules_are_noted() {
    let origin = repo();
    commit_file(
        origin.path(),
        "old.env",
        &format!("T={}\n", token(12)),
        "old",
    );
    commit_file(
        origin.path(),
        "new.env",
        &format!("T={}\n", token(13)),
        "new",
    );
    // A submodule entry (gitlink) pointing at some commit of another repository.
    let head = git(origin.path(), &["rev-parse", "HEAD"]);
    git(
        origin.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{head},vendor/lib"),
        ],
    );
    git(origin.path(), &["commit", "-q", "-m", "add submodule"]);

    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(
        clones.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let out = scan_human(&clones.path().join("shallow"));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("shallow clone"), "{err}");
    assert!(err.contains("1 submodule entries not followed"), "{err}");
    // Both secrets are in the tree of the one commit the clone has.
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().filter(|l| l.contains(".env:1:")).count(),
        2,
        "{stdout}"
    );
}

#[test]
fn a_corrupt_object_is_named_counted_and_the_rest_is_scanned() {
    let dir = repo();
    commit_file(
        dir.path(),
        "good.env",
        &format!("T={}\n", token(14)),
        "good",
    );
    std::fs::write(dir.path().join("bad.txt"), "this blob will be corrupted\n").unwrap();
    let bad = git(dir.path(), &["hash-object", "-w", "bad.txt"]);
    let loose = dir
        .path()
        .join(".git/objects")
        .join(&bad[..2])
        .join(&bad[2..]);
    let mut perms = std::fs::metadata(&loose).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&loose, perms).unwrap();
    std::fs::write(&loose, b"not zlib at all").unwrap();
    let (out, v) = scan(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "input lost to an error");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(&format!("object {bad}")), "{err}");
    assert_eq!(v["summary"]["corrupt_objects"], 1);
    assert_eq!(
        findings(&v).len(),
        1,
        "the rest is still scanned and reported"
    );
}

/// Regression guard for the duplicate check across packs: an object stored in two packs (and again
/// loose) is scanned and reported once.
#[test]
fn objects_stored_twice_are_scanned_once() {
    let dir = repo();
    commit_file(dir.path(), "a.env", &format!("T={}\n", token(15)), "one");
    git(dir.path(), &["repack", "-q", "-a"]); // pack 1 (loose copies kept)
    commit_file(dir.path(), "b.txt", "more\n", "two");
    git(dir.path(), &["repack", "-q", "-a"]); // pack 2 repeats everything in pack 1
    let packs = std::fs::read_dir(dir.path().join(".git/objects/pack"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "idx")
        })
        .count();
    assert_eq!(packs, 2);
    let (_, v) = scan(dir.path(), &[]);
    assert_eq!(findings(&v).len(), 1, "{v:#}");
    assert_eq!(
        v["summary"]["files"], 2,
        "two unique blobs: {}",
        v["summary"]
    );
}

#[test]
fn linked_worktrees_scan_the_shared_object_database() {
    let dir = repo();
    commit_file(dir.path(), "a.env", &format!("T={}\n", token(16)), "one");
    let wt = tempfile::tempdir().unwrap();
    let wt_path = wt.path().join("wt");
    git(
        dir.path(),
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "other",
            wt_path.to_str().unwrap(),
        ],
    );
    let (out, v) = scan(&wt_path, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(findings(&v)[0]["path"], "a.env");
}

#[test]
fn history_credentials_have_first_seen_and_median_exposure() {
    let dir = repo();
    std::fs::write(dir.path().join("old.env"), format!("T={}\n", token(17))).unwrap();
    git(dir.path(), &["add", "-A"]);
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Dev",
            "-c",
            "user.email=dev@example.org",
            "commit",
            "-q",
            "-m",
            "old",
        ])
        .current_dir(dir.path())
        .env("GIT_AUTHOR_DATE", "2020-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2020-01-01T00:00:00Z")
        .output()
        .unwrap();
    assert!(out.status.success());
    let (_, v) = scan(dir.path(), &[]);
    let c = &v["credentials"][0];
    assert_eq!(c["first_seen"], "2020-01-01T00:00:00Z");
    assert_eq!(c["commits"], 1);
    assert_eq!(
        c["owner"]["source"], "author",
        "no inventory, no CODEOWNERS: the author"
    );
    let days = v["summary"]["governance"]["median_exposure_days"]
        .as_i64()
        .unwrap();
    assert!(days > 2500, "{days}");
}

/// Regression: a repository whose objects live in an alternate object database (`git clone --shared`,
/// `--reference`, fork pools) was scanned as empty: 0 blobs, 0 commits, exit 0.
#[test]
fn alternates_are_followed_as_git_follows_them() {
    let src = repo();
    let t = token(20);
    let introducing = commit_file(src.path(), "a.env", &format!("T={t}\n"), "add");
    commit_file(src.path(), "b.txt", "b\n", "more");
    git(src.path(), &["gc", "-q"]);
    let parent = tempfile::tempdir().unwrap();
    let src_path = src.path().to_str().unwrap();
    git(
        parent.path(),
        &["clone", "-q", "--shared", src_path, "shared"],
    );
    git(
        parent.path(),
        &[
            "clone",
            "-q",
            "--reference",
            src_path,
            src_path,
            "referenced",
        ],
    );
    for clone in ["shared", "referenced"] {
        let dir = parent.path().join(clone);
        assert!(dir.join(".git/objects/info/alternates").is_file());
        let (out, v) = scan(&dir, &[]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{clone}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let f = findings(&v);
        assert_eq!(f.len(), 1, "{clone}: {v:#}");
        assert_eq!(f[0]["commit"], introducing.as_str());
        assert_eq!(v["summary"]["commits"], 2, "{clone}");
    }
}

/// Packs listed by a multi-pack index (`git repack --write-midx`) are read like any other pack.
#[test]
fn packs_behind_a_multi_pack_index_are_scanned() {
    let dir = repo();
    commit_file(dir.path(), "a.env", &format!("T={}\n", token(21)), "one");
    git(dir.path(), &["repack", "-q", "-d"]);
    commit_file(dir.path(), "b.env", &format!("T={}\n", token(22)), "two");
    git(dir.path(), &["repack", "-q", "-d", "--write-midx"]);
    assert!(dir
        .path()
        .join(".git/objects/pack/multi-pack-index")
        .is_file());
    let (out, v) = scan(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(findings(&v).len(), 2, "{v:#}");
}

/// Regression: a partial clone (`--filter=blob:none`) scanned only the blobs its checkout fetched, said
/// nothing about the rest, and exited 0.
#[test]
fn a_partial_clone_names_and_counts_its_missing_blobs() {
    let src = repo();
    git(src.path(), &["config", "uploadpack.allowFilter", "true"]);
    let old = token(23);
    commit_file(src.path(), "a.env", &format!("T={old}\n"), "old secret");
    commit_file(src.path(), "a.env", "T=\n", "removed");
    commit_file(src.path(), "b.txt", "b\n", "more");
    let parent = tempfile::tempdir().unwrap();
    let url = format!("file://{}", src.path().display());
    git(
        parent.path(),
        &["clone", "-q", "--filter=blob:none", &url, "partial"],
    );
    let dir = parent.path().join("partial");

    let (out, v) = scan(&dir, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "missing input is not a clean scan: {err}"
    );
    assert!(err.contains("partial clone: 1 blob "), "{err}");
    assert!(err.contains("--allow-partial"), "{err}");
    assert_eq!(v["summary"]["partial_clone"], true);
    assert_eq!(v["summary"]["missing_objects"], 1);
    assert!(
        findings(&v).is_empty(),
        "the old secret's blob is not in the clone"
    );

    let (out, v) = scan(&dir, &["--allow-partial"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("note") && err.contains("partial clone: 1 blob "),
        "{err}"
    );
    assert_eq!(v["summary"]["missing_objects"], 1);
}

/// Regression: `--incremental` recorded blobs it skipped as too large as scanned, so raising the limit
/// never reported them; and the state ignored the config's allowlist, so removing an allowlisted path
/// never reported what it had hidden.
#[test]
fn incremental_records_only_what_was_scanned_under_the_same_configuration() {
    let dir = repo();
    let t = token(24);
    let padding = "x".repeat(4000);
    commit_file(dir.path(), "big.env", &format!("T={t}\n{padding}\n"), "big");
    let (out, v) = scan(dir.path(), &["--incremental", "--max-file-size", "1K"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(findings(&v).is_empty());
    let (out, v) = scan(dir.path(), &["--incremental"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the blob skipped as too large is scanned now"
    );
    assert_eq!(findings(&v).len(), 1);

    let other = repo();
    commit_file(
        other.path(),
        "fixtures/a.env",
        &format!("T={}\n", token(25)),
        "fixture",
    );
    std::fs::write(
        other.path().join(".leakhound.toml"),
        "[allowlist]\npaths = [\"fixtures/**\"]\n",
    )
    .unwrap();
    let (_, v) = scan(other.path(), &["--incremental"]);
    assert!(findings(&v).is_empty(), "{v:#}");
    std::fs::remove_file(other.path().join(".leakhound.toml")).unwrap();
    let (_, v) = scan(other.path(), &["--incremental"]);
    assert_eq!(
        findings(&v).len(),
        1,
        "a changed allowlist sees old blobs again: {v:#}"
    );
}

/// Regression: commit and tag messages were never scanned, though a token pasted into one lives as long
/// as the history does.
#[test]
fn commit_and_tag_messages_are_scanned_once() {
    let dir = repo();
    commit_file(dir.path(), "a.txt", "a\n", "init");
    let t = token(26);
    let msg = format!("Fix deploy\n\nworked with GITLAB_TOKEN={t} locally\n");
    let c = commit_file(dir.path(), "b.txt", "b\n", &msg);
    let t2 = token(27);
    git(
        dir.path(),
        &[
            "tag",
            "-a",
            "v1.0",
            "-m",
            &format!("Release\n\ntoken {t2}\n"),
        ],
    );
    let (out, v) = scan(dir.path(), &["--no-redact"]);
    assert_eq!(out.status.code(), Some(1));
    let f = findings(&v);
    assert_eq!(f.len(), 2, "{f:#?}");
    let commit_msg = f
        .iter()
        .find(|f| f["source"] == "commit-message")
        .expect("commit message");
    assert_eq!(commit_msg["commit"], c.as_str());
    assert!(commit_msg["path"].is_null());
    assert_eq!(
        (commit_msg["line"].as_u64(), commit_msg["secret"].as_str()),
        (Some(3), Some(t.as_str()))
    );
    assert_eq!(commit_msg["author"], "Dev One <dev1@example.org>");
    let tag_msg = f
        .iter()
        .find(|f| f["source"] == "tag-message")
        .expect("tag message");
    assert_eq!(
        tag_msg["commit"],
        c.as_str(),
        "a tag's finding names the tagged commit"
    );
    assert!(tag_msg["note"].as_str().unwrap().contains("v1.0"));
    assert_eq!(v["summary"]["messages"], 3);
    let creds = v["credentials"].as_array().unwrap();
    let loc = &creds
        .iter()
        .find(|c| c["locations"][0]["source"] == "commit-message")
        .expect("the message's credential")["locations"][0];
    assert!(loc["path"].is_null(), "{loc}");

    // Once: an incremental run does not report them again.
    let (_, v) = scan(dir.path(), &["--incremental"]);
    assert_eq!(findings(&v).len(), 2);
    let (out, v) = scan(dir.path(), &["--incremental"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(findings(&v).is_empty(), "{v:#}");

    // A range scans the messages of its commits.
    let (_, v) = scan(dir.path(), &["--range", "HEAD~1..HEAD"]);
    assert_eq!(findings(&v).len(), 1);
    assert_eq!(findings(&v)[0]["source"], "commit-message");
}

/// Regression: in history, blobs were scanned before their path was known, so a gitleaks rule that
/// reports files by path found nothing, and path-conditioned allowlists did not apply.
#[test]
fn path_dependent_rules_apply_in_history() {
    let dir = repo();
    commit_file(
        dir.path(),
        "certs/server.p12",
        "not really a keystore\n",
        "add keystore",
    );
    commit_file(dir.path(), "certs/server.p12", "changed\n", "rotate");
    let rules = tempfile::tempdir().unwrap();
    let cfg = rules.path().join("gitleaks.toml");
    std::fs::write(
        &cfg,
        "title = \"org\"\n[[rules]]\nid = \"pkcs12-file\"\ndescription = \"PKCS#12 file\"\npath = '''\\.p12$'''\n",
    )
    .unwrap();
    let (out, v) = scan(
        dir.path(),
        &["--rules", cfg.to_str().unwrap(), "--no-default-rules"],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let f = findings(&v);
    assert_eq!(
        f.len(),
        1,
        "one file, reported once at its first commit: {f:#?}"
    );
    assert_eq!(f[0]["path"], "certs/server.p12");
    assert_eq!(f[0]["summary"], "add keystore");
}

/// Regression: rules limited to `paths` without keywords (`.pgpass`, Rails `master.key`) never ran in
/// history: blobs are scanned before their paths are known, and only blobs with other findings were
/// scanned again at their path. Each case here was missed: a file deleted later, a blob first committed
/// under another name and copied to `.pgpass`, a blob whose first path had another finding, a range,
/// and an incremental run that must not read the same blob twice.
#[test]
fn rules_limited_to_paths_run_on_history_blobs() {
    let dir = repo();
    let d = dir.path();
    // Made-up passwords, generated from the test's token helper.
    let pw = |seed| token(seed)["glpat-".len()..].to_owned();
    let pgpass = format!("db.internal.example:5432:appdb:app_user:{}\n", pw(71));
    commit_file(d, "notes/db.txt", &pgpass, "notes");
    let copied = commit_file(d, ".pgpass", &pgpass, "copy the notes");
    let master = "f3a9c1d27b4e8a6f0d5c2b9e7a1f4c8d\n";
    commit_file(d, "config/master.key", master, "rails credentials");
    // The same bytes as a .pgpass line and a GitLab token: the blob has a finding at its first path.
    let both = format!("{}\nreplica.example:5432:*:ro_user:{}\n", token(72), pw(73));
    commit_file(d, "deploy/env.txt", &both, "env");
    commit_file(d, "deploy/.pgpass", &both, "env as pgpass");
    git(d, &["rm", "-q", "-r", ".pgpass", "config", "deploy"]);
    git(d, &["commit", "-q", "-m", "remove"]);

    let (out, v) = scan(d, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut got: Vec<(String, String, String)> = findings(&v)
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["summary"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    got.sort();
    let want = |r: &str, p: &str, s: &str| (r.to_owned(), p.to_owned(), s.to_owned());
    assert_eq!(
        got,
        [
            want("gitlab-pat", "deploy/env.txt", "env"),
            want("pgpass-password", ".pgpass", "copy the notes"), // leakhound:allow
            want("pgpass-password", "deploy/.pgpass", "env as pgpass"), // leakhound:allow
            want("rails-master-key", "config/master.key", "rails credentials"),
        ],
        "{v:#}"
    );

    let (out, v) = scan(d, &["--range", &format!("{copied}..HEAD")]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rules: Vec<String> = findings(&v)
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect();
    assert!(rules.iter().any(|r| r == "rails-master-key"), "{v:#}");
    assert!(rules.iter().any(|r| r == "pgpass-password"), "{v:#}");

    let incremental = ["--incremental"];
    let (out, v) = scan(d, &incremental);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(findings(&v).len(), 4, "{v:#}");
    let (out, v) = scan(d, &incremental);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(findings(&v).is_empty(), "{v:#}");
}

/// Regression: a truncated pack aborted the whole history scan, named the `.idx` instead of the pack,
/// and lost even the loose objects.
#[test]
fn a_truncated_pack_is_named_counted_and_the_rest_is_scanned() {
    let dir = repo();
    for i in 0..5 {
        commit_file(
            dir.path(),
            &format!("f{i}.txt"),
            &"filler line\n".repeat(200 + i),
            "filler",
        );
    }
    git(dir.path(), &["gc", "-q"]);
    let t = token(28);
    commit_file(dir.path(), "late.env", &format!("T={t}\n"), "loose commit");
    let pack = std::fs::read_dir(dir.path().join(".git/objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "pack"))
        .unwrap();
    let len = std::fs::metadata(&pack).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&pack).unwrap();
    f.set_len(len / 2).unwrap();
    drop(f);
    let (out, v) = scan(dir.path(), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let name = pack.file_name().unwrap().to_str().unwrap();
    assert!(
        err.contains(name) && err.contains("cannot be decoded"),
        "the pack is named: {err}"
    );
    assert!(v["summary"]["corrupt_objects"].as_u64().unwrap() > 0);
    let f = findings(&v);
    assert_eq!(f.len(), 1, "the loose objects are still scanned: {v:#}");
    assert_eq!(f[0]["path"], "late.env");
}

/// Regression: a corrupt pack index was silent and mislabelled findings as unreachable.
#[test]
fn a_corrupt_pack_index_is_named_and_findings_keep_their_commit() {
    let dir = repo();
    let t = token(29);
    commit_file(dir.path(), "README.md", "hi\n", "init");
    let c = commit_file(dir.path(), "a.env", &format!("T={t}\n"), "add");
    commit_file(dir.path(), "b.txt", "b\n", "more");
    git(dir.path(), &["gc", "-q"]);
    let idx = std::fs::read_dir(dir.path().join(".git/objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .unwrap();
    let mut bytes = std::fs::read(&idx).unwrap();
    // Version 2 index: 8-byte header, 256 fan-out entries, then the sorted object ids. Flip the last
    // byte of every id: the fan-out stays consistent, every id (commit, tree and blob) is wrong.
    let n = u32::from_be_bytes(bytes[8 + 255 * 4..8 + 256 * 4].try_into().unwrap()) as usize;
    for i in 0..n {
        bytes[8 + 256 * 4 + i * 20 + 19] ^= 0x01;
    }
    let mut perms = std::fs::metadata(&idx).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&idx, perms).unwrap();
    std::fs::write(&idx, bytes).unwrap();
    let (out, v) = scan(dir.path(), &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    let name = idx.file_name().unwrap().to_str().unwrap();
    assert!(
        err.contains(name) && err.contains("checksum"),
        "the index is named: {err}"
    );
    let f = findings(&v);
    assert_eq!(f.len(), 1, "{v:#}");
    assert_eq!(
        f[0]["commit"],
        c.as_str(),
        "attributed, not unreachable: {:#}",
        f[0]
    );
}

/// Regression: repositories with SHA-256 object names (`git init --object-format=sha256`) were "not a
/// git repository".
#[test]
fn sha256_repositories_are_scanned() {
    let dir = tempfile::tempdir().unwrap();
    git(
        dir.path(),
        &["init", "-q", "-b", "main", "--object-format=sha256"],
    );
    let t = token(30);
    let c = commit_file(dir.path(), "a.env", &format!("T={t}\n"), "add");
    assert_eq!(c.len(), 64);
    commit_file(dir.path(), "a.env", "T=\n", "remove");
    let (out, v) = scan(dir.path(), &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(v["summary"]["object_format"], "sha256");
    let f = findings(&v);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["commit"], c.as_str());
    git(dir.path(), &["gc", "-q"]);
    let (_, v) = scan(dir.path(), &[]);
    assert_eq!(findings(&v)[0]["commit"], c.as_str(), "packed too");
}

/// Regression: a notebook keeps each source line as a JSON string (`password = \"…\"`), which the
/// matcher unescapes for `.ipynb` files; history blobs are scanned before their path is known, so a
/// notebook's secret was found in the tree and missed in history. Notebooks are recognised by content.
#[test]
fn notebook_secrets_are_found_in_history_as_in_the_tree() {
    let dir = repo();
    let password = common::Gen(0x4E0B).s(
        b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789",
        20,
    );
    let notebook = format!(
        "{{\n \"cells\": [\n  {{\n   \"cell_type\": \"code\",\n   \"metadata\": {{}},\n   \"outputs\": [],\n   \
         \"source\": [\n    \"import requests\\n\",\n    \"db_password = \\\"{password}\\\"\\n\",\n    \
         \"conn = connect(host=\\\"db.internal\\\", password=db_password)\\n\"\n   ]\n  }}\n ],\n \
         \"metadata\": {{}},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}}\n"
    );
    commit_file(dir.path(), "analysis.ipynb", &notebook, "notebook");
    let tree = Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .args(["scan", ".", "--format", "json", "--no-redact"])
        .current_dir(dir.path())
        .env_remove("CI")
        .output()
        .unwrap();
    let tree: Value = serde_json::from_slice(&tree.stdout).unwrap();
    let (out, v) = scan(dir.path(), &["--no-redact"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let secrets = |v: &Value| -> Vec<String> {
        findings(v)
            .iter()
            .map(|f| f["secret"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(secrets(&tree), vec![password.clone()]);
    assert_eq!(secrets(&v), vec![password]);
    assert_eq!(findings(&v)[0]["path"], "analysis.ipynb");
    assert_eq!(findings(&v)[0]["line"], 9);
}
