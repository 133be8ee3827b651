//! Organisation scans through the binary: `scan --history --repos` over real repositories made with
//! git (plain and bare clones), `--shard I/N` workers writing into one PostgreSQL ledger at once (one
//! killed and retried), the report equal to a single unsharded run's into SQLite, the `--incremental`
//! state kept in the ledger, and bad input.

mod common;
#[path = "../crates/scanner-core/tests/support/pg.rs"]
mod pg;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{git, json, leakhound, token, write};

const REPOS: usize = 40;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A commit with both dates set.
fn commit_at(dir: &Path, message: &str, date: &str) {
    let out = Command::new("git")
        .args(["commit", "-q", "-m", message])
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Dev One")
        .env("GIT_AUTHOR_EMAIL", "dev1@example.org")
        .env("GIT_COMMITTER_NAME", "Dev One")
        .env("GIT_COMMITTER_EMAIL", "dev1@example.org")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

/// `n` repositories of an organisation in `clones/`: every other one bare (`git clone --bare`), each
/// with an `origin` on the organisation's host. A third are clean; the rest leak a token of their own,
/// some remove it later, and pairs of repositories share a CI token (one key, two blast radii).
fn organisation(root: &Path, n: usize) -> PathBuf {
    let clones = root.join("clones");
    let work = root.join("work");
    std::fs::create_dir_all(&clones).unwrap();
    for i in 0..n {
        let name = format!("svc-{i:02}");
        let dir = work.join(&name);
        std::fs::create_dir_all(&dir).unwrap();
        git(&dir, &["init", "-q", "-b", "main"]);
        write(&dir, "README.md", &format!("# {name}\n"));
        write(&dir, "src/main.py", "def main():\n    return 0\n");
        if i % 3 != 2 {
            write(
                &dir,
                "app.cfg",
                &format!("[gitlab]\ntoken = {}\n", token(1000 + i as u64)),
            );
        }
        if i % 2 == 0 {
            write(
                &dir,
                "deploy/ci.env",
                &format!("GITLAB_TOKEN={}\n", token(9000 + i as u64 / 4)),
            );
        }
        git(&dir, &["add", "-A"]);
        commit_at(
            &dir,
            "initial import",
            &format!("2026-0{}-01T09:00:00Z", 1 + i % 9),
        );
        if i % 4 == 0 {
            let _ = std::fs::remove_file(dir.join("app.cfg"));
            write(
                &dir,
                "src/main.py",
                "import os\n\ndef main():\n    return os.environ['TOKEN']\n",
            );
            git(&dir, &["add", "-A"]);
            commit_at(
                &dir,
                "read the token from the environment",
                "2026-10-01T09:00:00Z",
            );
        }
        let url = format!("https://git.example.test/acme/{name}.git");
        let dest = clones.join(&name);
        if i % 2 == 0 {
            git(
                root,
                &[
                    "clone",
                    "-q",
                    "--bare",
                    "--no-local",
                    &dir.display().to_string(),
                    &dest.display().to_string(),
                ],
            );
            git(&dest, &["remote", "set-url", "origin", &url]);
        } else {
            std::fs::rename(&dir, &dest).unwrap();
            git(&dest, &["remote", "add", "origin", &url]);
        }
    }
    clones
}

fn scan_args<'a>(clones: &'a str, ledger: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "scan",
        "--history",
        "--repos",
        clones,
        "-q",
        "--format",
        "jsonl",
        "--ledger",
        ledger,
        "--ledger-run-key",
        "nightly-2026-12-06",
    ];
    v.extend_from_slice(extra);
    v
}

fn spawn(dir: &Path, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .args(args)
        .current_dir(dir)
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The report as JSON, without what differs between two ledgers of the same scans (when and where
/// it was built, run ids and instants).
fn report(dir: &Path, ledger: &str) -> serde_json::Value {
    let mut r = json(&leakhound(
        dir,
        &[
            "report",
            "--ledger",
            ledger,
            "--format",
            "json",
            "--today",
            "2026-12-31",
        ],
    ));
    let o = r.as_object_mut().unwrap();
    for k in ["generated_at", "ledger", "runs", "trend"] {
        o.remove(k);
    }
    normalise(&mut r);
    r
}

/// Instants and the order in which runs met a credential's repositories differ between the two
/// ledgers (the runs ran at other times and in another order); the rest must not.
fn normalise(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(o) => {
            for k in ["first_detected", "last_seen", "last_run"] {
                o.remove(k);
            }
            if let Some(serde_json::Value::Array(repos)) = o.get_mut("repos") {
                repos.sort_by_key(|r| r.to_string());
            }
            o.values_mut().for_each(normalise);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(normalise),
        _ => {}
    }
}

/// The first place two JSON values differ, as a path.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value::{Array, Object};
    match (a, b) {
        (Object(x), Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(p), Some(q)) => first_difference(p, q, &format!("{at}.{k}")),
                (p, q) => Some(format!("{at}.{k}: {p:?} vs {q:?}")),
            })
        }
        (Array(x), Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {a} vs {b}")),
    }
}

#[test]
fn four_shards_at_once_into_postgresql_equal_one_unsharded_run() {
    let Some(pg_url) = pg::fresh_database() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let clones = organisation(tmp.path(), REPOS);
    let clones = clones.display().to_string();
    let sqlite = format!("sqlite:{}", tmp.path().join("one.sqlite").display());

    // One worker over everything, into SQLite.
    let out = leakhound(tmp.path(), &scan_args(&clones, &sqlite, &[]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let findings = String::from_utf8_lossy(&out.stdout).lines().count();
    assert!(findings >= 40, "{findings} findings");

    // Shard 1/4 alone, killed once it has recorded a repository (mid-shard).
    let mut first = spawn(
        tmp.path(),
        &scan_args(&clones, &pg_url, &["--shard", "1/4"]),
    );
    let lines = BufReader::new(first.stderr.take().unwrap()).lines();
    let mut said = String::new();
    for line in lines {
        let line = line.unwrap();
        said.push_str(&line);
        if line.contains("ledger: run") || line.contains("error") {
            break;
        }
    }
    let _ = first.kill();
    let _ = first.wait();
    assert!(!said.contains("error"), "{said}");

    // The four shards at once (shard 1 is the retry), each a process of its own.
    let workers: Vec<_> = (1..=4)
        .map(|i| {
            let shard = format!("{i}/4");
            let mut args = scan_args(&clones, &pg_url, &[]);
            args.extend(["--shard", &shard]);
            spawn(tmp.path(), &args)
        })
        .collect();
    let mut scanned = 0;
    for (i, w) in workers.into_iter().enumerate() {
        let out = w.wait_with_output().unwrap();
        let err = stderr(&out);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "shard {}: {err}",
            i + 1
        );
        assert!(!err.contains("error"), "shard {}: {err}", i + 1);
        // `-q`: no per-repository lines; the ledger says nothing either. Count runs in the ledger.
        scanned += 1;
    }
    assert_eq!(scanned, 4);
    // Shard 3 again, after it succeeded: replaced, not added.
    let out = leakhound(
        tmp.path(),
        &scan_args(&clones, &pg_url, &["--shard", "3/4"]),
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));

    let mut db = postgres::Client::connect(&pg_url, postgres::NoTls).unwrap();
    let one =
        |db: &mut postgres::Client, sql: &str| -> i64 { db.query_one(sql, &[]).unwrap().get(0) };
    assert_eq!(one(&mut db, "SELECT COUNT(*) FROM runs"), REPOS as i64);
    assert_eq!(
        one(&mut db, "SELECT COUNT(DISTINCT repo) FROM runs"),
        REPOS as i64
    );
    assert_eq!(
        one(&mut db, "SELECT COUNT(*) FROM sightings"),
        findings as i64
    );
    assert_eq!(
        one(
            &mut db,
            "SELECT COUNT(*) FROM (SELECT r.repo, s.credential_id, s.path, s.line, s.commit_id
               FROM sightings s JOIN runs r ON r.id = s.run_id
               GROUP BY 1, 2, 3, 4, 5 HAVING COUNT(*) > 1) d"
        ),
        0,
        "a sighting recorded twice"
    );
    assert_eq!(
        one(&mut db, "SELECT COUNT(*) FROM sightings s LEFT JOIN runs r ON r.id = s.run_id WHERE r.id IS NULL"),
        0,
        "sightings of a replaced run left behind"
    );

    let sharded = report(tmp.path(), &pg_url);
    let single = report(tmp.path(), &sqlite);
    assert_eq!(first_difference(&sharded, &single, ""), None);
    assert_eq!(single["kpis"]["repositories"], REPOS);
    // Repositories 0 and 2 share a CI token, and so on: one key, two repositories.
    assert!(
        single["kpis"]["reused"].as_u64().unwrap() >= 10,
        "{}",
        single["kpis"]
    );
    assert!(single["reused"][0]["repos"].as_array().unwrap().len() >= 2);
}

#[test]
fn shards_partition_the_list_whatever_its_order() {
    let tmp = tempfile::tempdir().unwrap();
    let urls: Vec<String> = (0..300)
        .map(|i| format!("https://git.example.test/acme/svc-{i:03}.git"))
        .collect();
    let list = |name: &str, urls: &[String]| {
        let p = tmp.path().join(name);
        std::fs::write(&p, urls.join("\n") + "\n").unwrap();
        p.display().to_string()
    };
    let forward = list("forward.txt", &urls);
    let mut reversed = urls.clone();
    reversed.reverse();
    let backward = list("backward.txt", &reversed);
    let shard = |file: &str, s: &str| -> Vec<String> {
        let out = leakhound(tmp.path(), &["repos", "--shard", s, file]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        v.sort();
        v
    };
    let mut all = Vec::new();
    for i in 1..=4 {
        let s = format!("{i}/4");
        let a = shard(&forward, &s);
        assert_eq!(a, shard(&backward, &s), "shard {s} depends on the order");
        assert!((50..=100).contains(&a.len()), "shard {s}: {}", a.len());
        all.extend(a);
    }
    all.sort();
    let mut expected = urls.clone();
    expected.sort();
    assert_eq!(all, expected, "every repository in exactly one shard");
    // `--identity`: what shards and ledgers key on.
    let out = leakhound(tmp.path(), &["repos", "--identity", &forward]);
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert_eq!(first, format!("git.example.test/acme/svc-000\t{}", urls[0]));
}

#[test]
fn a_failing_repository_is_counted_and_the_rest_go_on() {
    let tmp = tempfile::tempdir().unwrap();
    let clones = organisation(tmp.path(), 3);
    std::fs::create_dir(clones.join("not-a-repo")).unwrap();
    // A clone whose object database is unreadable.
    let broken = clones.join("svc-01");
    let pack_dir = broken.join(".git/objects");
    let loose: Vec<PathBuf> = walk(&pack_dir)
        .into_iter()
        .filter(|p| p.parent().unwrap().file_name().unwrap().len() == 2)
        .collect();
    assert!(!loose.is_empty());
    for p in &loose {
        std::fs::write(p, b"not zlib").unwrap();
    }
    let list = tmp.path().join("repos.txt");
    std::fs::write(
        &list,
        format!(
            "# the org\n{}\n{}\nmissing/clone\nhttps://git.example.test/acme/not-cloned.git\n{}\n",
            clones.join("svc-00").display(),
            clones.join("svc-01").display(),
            clones.join("svc-02").display(),
        ),
    )
    .unwrap();
    let out = leakhound(
        tmp.path(),
        &[
            "scan",
            "--history",
            "--repos",
            &list.display().to_string(),
            "--format",
            "json",
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let doc = json(&out);
    assert_eq!(doc["summary"]["repositories"], 5);
    assert_eq!(
        doc["summary"]["failed"].as_array().unwrap().len(),
        2,
        "{err}"
    );
    assert_eq!(
        doc["summary"]["incomplete"].as_array().unwrap().len(),
        1,
        "{err}"
    );
    assert!(err.contains("missing/clone: does not exist"), "{err}");
    assert!(err.contains("not a local clone"), "{err}");
    // The repositories after the failures were scanned: svc-00 and svc-02 leak tokens.
    let reports = doc["repositories"].as_array().unwrap();
    let with_findings: Vec<&str> = reports
        .iter()
        .filter(|r| r["findings"].as_array().is_some_and(|f| !f.is_empty()))
        .map(|r| r["repository"].as_str().unwrap())
        .collect();
    assert!(
        with_findings.contains(&"git.example.test/acme/svc-00"),
        "{with_findings:?}"
    );
    // Every error is one line naming the repository.
    for line in err.lines().filter(|l| l.contains("error")) {
        assert!(line.starts_with("leakhound: error: "), "{line}");
    }

    // A directory of clones with a non-repository in it: named, counted, exit 2.
    let out = leakhound(
        tmp.path(),
        &[
            "scan",
            "--history",
            "--repos",
            &clones.display().to_string(),
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not-a-repo: not a git repository"),
        "{}",
        stderr(&out)
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn bad_shards_lists_and_ledgers_are_one_line_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let clones = organisation(tmp.path(), 1);
    let clones = clones.display().to_string();
    for (args, says) in [
        (vec!["--shard", "5/4"], "no such shard"),
        (vec!["--shard", "0/0"], "at least one shard"),
        (vec!["--shard", "0/3"], "counted from 1"),
        (vec!["--shard", "two"], "expected I/N"),
    ] {
        let mut a = vec!["scan", "--history", "--repos", &clones];
        a.extend(args);
        let out = leakhound(tmp.path(), &a);
        assert_eq!(out.status.code(), Some(2), "{a:?}");
        let err = stderr(&out);
        assert!(err.contains(says), "{a:?}: {err}");
    }
    let one_line = |args: &[&str], says: &str| {
        let out = leakhound(tmp.path(), args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    };
    one_line(
        &["scan", "--history", "--repos", "no/such/list.txt"],
        "no/such/list.txt: cannot read the list of repositories",
    );
    let repo = Path::new(&clones).join("svc-00");
    one_line(
        &["scan", "--history", "--repos", &repo.display().to_string()],
        "is a git repository, not a directory of clones",
    );
    let empty = tmp.path().join("empty.txt");
    std::fs::write(&empty, "# nothing yet\n").unwrap();
    one_line(
        &["scan", "--history", "--repos", &empty.display().to_string()],
        "lists no repositories",
    );
    one_line(
        &["scan", "--history", "--repos", &clones, "--format", "sarif"],
        "describes one repository",
    );
    // An unreachable ledger is said before any repository is scanned.
    one_line(
        &[
            "scan",
            "--history",
            "--repos",
            &clones,
            "--ledger",
            "postgres://leakhound@127.0.0.1:1/ledger",
        ],
        "ledger postgres://leakhound@127.0.0.1:1/ledger: cannot open",
    );
}

#[test]
fn the_incremental_state_lives_in_the_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let clones = organisation(tmp.path(), 3);
    let c = clones.display().to_string();
    let ledger = format!("sqlite:{}", tmp.path().join("l.sqlite").display());
    let run = |extra: &[&str]| -> serde_json::Value {
        let mut a = vec![
            "scan",
            "--history",
            "--repos",
            &c,
            "--incremental",
            "--ledger",
            &ledger,
            "--format",
            "json",
        ];
        a.extend_from_slice(extra);
        let out = leakhound(tmp.path(), &a);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
        json(&out)
    };
    let first = run(&[]);
    assert!(first["summary"]["findings"].as_u64().unwrap() > 0);
    let again = run(&[]);
    assert_eq!(again["summary"]["findings"], 0, "{}", again["summary"]);
    assert_eq!(again["summary"]["files"], 0, "nothing new to read");
    // A new commit in one repository: only its new blob is read.
    let work = clones.join("svc-01");
    write(&work, "extra.env", &format!("TOKEN={}\n", token(4242)));
    git(&work, &["add", "-A"]);
    commit_at(&work, "more config", "2026-11-01T09:00:00Z");
    let third = run(&[]);
    assert_eq!(third["summary"]["findings"], 1, "{}", third["summary"]);
    assert_eq!(third["summary"]["files"], 1, "{}", third["summary"]);
    // Nothing was written into the clones: the state is in the ledger.
    for r in ["svc-00", "svc-01", "svc-02"] {
        let p = clones.join(r);
        assert!(
            !p.join("leakhound").exists() && !p.join(".git/leakhound").exists(),
            "{r}"
        );
    }
    // The single-repository form reads and advances the same state.
    let out = leakhound(
        &work,
        &[
            "scan",
            "--history",
            ".",
            "--incremental",
            "--ledger",
            &ledger,
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["summary"]["files"], 0);
}
