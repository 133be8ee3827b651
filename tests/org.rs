//! Organisation scans through the binary: `scan --history --repos` over real repositories made with
//! git (plain and bare clones), `--shard I/N` workers writing into one PostgreSQL ledger at once (one
//! killed and retried), the report equal to a single unsharded run's into SQLite, the `--incremental`
//! state kept in the ledger, and bad input.

use crate::common;
use crate::pg;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{commit_at, git, json, leakhound, stderr, token, write};

const REPOS: usize = 40;

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

/// Instants differ between the two ledgers (the runs ran at other times); the rest must not.
fn normalise(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(o) => {
            for k in ["first_detected", "last_seen", "last_run"] {
                o.remove(k);
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
    // Not quiet: its "ledger: run … recorded" lines say when to kill it.
    let loud: Vec<&str> = scan_args(&clones, &pg_url, &["--shard", "1/4"])
        .into_iter()
        .filter(|a| *a != "-q")
        .collect();
    let mut first = spawn(tmp.path(), &loud);
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
    // It died mid-shard: some of shard 1's repositories recorded, not all.
    let listed = leakhound(tmp.path(), &["repos", "--shard", "1/4", &clones]);
    let in_shard = String::from_utf8_lossy(&listed.stdout).lines().count() as i64;
    let (recorded, _) = runs_in(&pg_url);
    assert!(
        recorded >= 1 && recorded < in_shard,
        "{recorded} of {in_shard} recorded before the kill"
    );

    // The four shards at once (shard 1 is the retry), each a process of its own.
    let workers: Vec<_> = (1..=4)
        .map(|i| {
            let shard = format!("{i}/4");
            let mut args = scan_args(&clones, &pg_url, &[]);
            args.extend(["--shard", &shard]);
            spawn(tmp.path(), &args)
        })
        .collect();
    for (i, w) in workers.into_iter().enumerate() {
        let out = w.wait_with_output().unwrap();
        let err = stderr(&out);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "shard {}: {err}",
            i + 1
        );
        assert!(!err.contains("error"), "shard {}: {err}", i + 1);
    }
    // What they recorded is counted in the ledger below.
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

    // A directory of clones with a non-repository in it: named, counted, exit 2; a file beside the
    // clones is named too (even with -q), not scanned.
    std::fs::write(clones.join("README.md"), "our clones\n").unwrap();
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
        stderr(&out).contains("README.md: not a directory of a clone: not scanned"),
        "{}",
        stderr(&out)
    );
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
    // The command line's own inputs are checked once, not failed once per repository.
    let bad_rules = tmp.path().join("bad.toml");
    std::fs::write(&bad_rules, "[[rules]]\nid = \"x\"\nregex = \"(\"\n").unwrap();
    one_line(
        &[
            "scan",
            "--history",
            "--repos",
            &clones,
            "--rules",
            &bad_rules.display().to_string(),
        ],
        "bad.toml",
    );
    one_line(
        &[
            "scan",
            "--history",
            "--repos",
            &clones,
            "--fail-on",
            "nonsense",
        ],
        "--fail-on",
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
    let clones = organisation(tmp.path(), 4);
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
    let places = |doc: &serde_json::Value| -> Vec<String> {
        let mut v: Vec<String> = doc["repositories"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| {
                let repo = r["repository"].as_str().unwrap().to_string();
                r["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(move |f| format!("{repo} {}", f["path"].as_str().unwrap()))
            })
            .collect();
        v.sort();
        v
    };
    let first = run(&[]);
    let all = places(&first);
    assert!(
        all.contains(&"git.example.test/acme/svc-00 app.cfg".to_string()),
        "{all:?}"
    );
    // The next night, nothing new: only HEAD's blobs are read again (every run covers HEAD, so the
    // ledger can tell when a credential leaves it); svc-00's app.cfg, deleted in its history, is not.
    let again = run(&[]);
    let files = |d: &serde_json::Value| d["summary"]["files"].as_u64().unwrap();
    assert!(
        files(&again) < files(&first),
        "{} vs {}",
        again["summary"],
        first["summary"]
    );
    let at_head = places(&again);
    assert!(
        !at_head.contains(&"git.example.test/acme/svc-00 app.cfg".to_string()),
        "{at_head:?}"
    );
    assert!(
        at_head.contains(&"git.example.test/acme/svc-00 deploy/ci.env".to_string()),
        "{at_head:?}"
    );
    assert!(at_head.iter().all(|p| all.contains(p)), "{at_head:?}");
    // svc-01 moves its token out of app.cfg into a new file: the new blob is read, and the old token
    // leaves HEAD.
    let work = clones.join("svc-01");
    std::fs::remove_file(work.join("app.cfg")).unwrap();
    write(&work, "extra.env", &format!("TOKEN={}\n", token(4242)));
    git(&work, &["add", "-A"]);
    commit_at(&work, "more config", "2026-11-01T09:00:00Z");
    let third = run(&[]);
    let now = places(&third);
    assert!(
        now.contains(&"git.example.test/acme/svc-01 extra.env".to_string()),
        "{now:?}"
    );
    assert!(
        !now.contains(&"git.example.test/acme/svc-01 app.cfg".to_string()),
        "{now:?}"
    );
    assert!(
        files(&third) < files(&first),
        "HEAD again and the new blob, not the history"
    );
    let report = json(&leakhound(
        tmp.path(),
        &["report", "--ledger", &ledger, "--format", "json"],
    ));
    let moved = report["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["path"] == "app.cfg" && l["repos"][0] == "git.example.test/acme/svc-01")
        .unwrap();
    assert!(moved["removed_from_head"].is_string(), "{moved}");
    // A token committed and removed again between two nights lives only in the history. The night's
    // run is retried under the same run key: the retry replaces the first attempt's run, so it must
    // read the new objects again rather than skip them as seen (else the sighting is lost).
    let w2 = clones.join("svc-03");
    let transient = token(5150);
    write(&w2, "tmp.env", &format!("TOKEN={transient}\n"));
    git(&w2, &["add", "-A"]);
    commit_at(&w2, "debugging", "2026-11-02T09:00:00Z");
    std::fs::remove_file(w2.join("tmp.env")).unwrap();
    git(&w2, &["add", "-A"]);
    commit_at(&w2, "oops", "2026-11-02T09:05:00Z");
    let fp = leakhound_core::fingerprint(transient.as_bytes());
    for attempt in ["first", "retry"] {
        let night = run(&["--ledger-run-key", "night-4"]);
        assert!(
            places(&night).contains(&"git.example.test/acme/svc-03 tmp.env".to_string()),
            "{attempt}: {:?}",
            places(&night)
        );
    }
    let report = json(&leakhound(
        tmp.path(),
        &["report", "--ledger", &ledger, "--format", "json"],
    ));
    assert!(
        report["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["fingerprint"] == fp.as_str()),
        "the history-only token survived the retry"
    );
    // Nothing was written into the clones: the state is in the ledger.
    for r in ["svc-00", "svc-01", "svc-02", "svc-03"] {
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
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(json(&out)["summary"]["files"].as_u64().unwrap() <= files(&third));
}

// ---- deploy/: the manifests' command lines, run here ----

/// `n` source repositories (what a forge serves) and a list of their clone URLs (`file://`), plus
/// one URL that cannot be cloned.
fn forge(root: &Path, n: usize) -> PathBuf {
    let src = root.join("forge");
    let mut urls = Vec::new();
    for i in 0..n {
        let dir = src.join(format!("svc-{i:02}"));
        std::fs::create_dir_all(&dir).unwrap();
        git(&dir, &["init", "-q", "-b", "main"]);
        write(
            &dir,
            "app.cfg",
            &format!("token = {}\n", token(7000 + i as u64)),
        );
        git(&dir, &["add", "-A"]);
        commit_at(&dir, "initial import", "2026-05-01T09:00:00Z");
        urls.push(format!("file://{}", dir.display()));
    }
    urls.push(format!("file://{}", src.join("gone").display()));
    let list = root.join("repos.txt");
    std::fs::write(&list, urls.join("\n") + "\n").unwrap();
    list
}

fn yaml(path: &str) -> yaml_rust2::Yaml {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{path}: {e}"));
    yaml_rust2::YamlLoader::load_from_str(&text)
        .unwrap()
        .remove(0)
}

fn workspace() -> PathBuf {
    std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")).unwrap()
}

/// A PATH with leakhound and the container image's `leakhound-org-shard` (deploy/scan-shard.sh, as the
/// Dockerfile installs it) first.
fn image_path(root: &Path) -> String {
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let _ = std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_leakhound"), bin.join("leakhound"));
    let _ = std::os::unix::fs::symlink(
        workspace().join("deploy/scan-shard.sh"),
        bin.join("leakhound-org-shard"),
    );
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn runs_in(url: &str) -> (i64, i64) {
    let mut db = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let row = db
        .query_one("SELECT COUNT(*), COUNT(DISTINCT repo) FROM runs", &[])
        .unwrap();
    (row.get(0), row.get(1))
}

#[test]
fn the_kubernetes_indexed_job_runs_here() {
    let Some(pg_url) = pg::fresh_database() else {
        return;
    };
    let dockerfile = std::fs::read_to_string(workspace().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("COPY deploy/scan-shard.sh /usr/local/bin/leakhound-org-shard"));
    let kustomization = yaml("deploy/kubernetes/kustomization.yaml");
    for r in kustomization["resources"].as_vec().unwrap() {
        assert!(workspace()
            .join("deploy/kubernetes")
            .join(r.as_str().unwrap())
            .exists());
    }
    let job = yaml("deploy/kubernetes/org-scan-job.yaml");
    assert_eq!(job["spec"]["completionMode"].as_str(), Some("Indexed"));
    let completions = job["spec"]["completions"].as_i64().unwrap();
    let pod = &job["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let command: Vec<&str> = container["command"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let mount = pod["containers"][0]["volumeMounts"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|m| m["name"].as_str() == Some("repos"))
        .unwrap()["mountPath"]
        .as_str()
        .unwrap()
        .to_string();

    let tmp = tempfile::tempdir().unwrap();
    let list = forge(tmp.path(), 12);
    let path = image_path(tmp.path());
    // The ConfigMap's mount, here: a directory with repos.txt.
    let etc = tmp.path().join("etc");
    std::fs::create_dir_all(&etc).unwrap();
    std::fs::copy(&list, etc.join("repos.txt")).unwrap();
    let env_of = |index: i64| -> Vec<(String, String)> {
        let mut env = vec![("JOB_COMPLETION_INDEX".to_string(), index.to_string())];
        for e in container["env"].as_vec().unwrap() {
            let name = e["name"].as_str().unwrap().to_string();
            let value = match e["value"].as_str() {
                Some(v) => v.replace(&mount, &etc.display().to_string()),
                None if !e["valueFrom"]["secretKeyRef"].is_badvalue() => pg_url.clone(),
                None if !e["valueFrom"]["fieldRef"].is_badvalue() => "leakhound-org-scan".into(),
                None => panic!("{name}: no value"),
            };
            // Each pod's emptyDir.
            let value = match name.as_str() {
                "WORK" => tmp
                    .path()
                    .join(format!("pod-{index}"))
                    .display()
                    .to_string(),
                _ => value,
            };
            env.push((name, value));
        }
        env
    };
    let pods = |round: &str| -> Vec<(i64, Output)> {
        let children: Vec<_> = (0..completions)
            .map(|i| {
                let child = Command::new(command[0])
                    .args(&command[1..])
                    .envs(env_of(i))
                    .env("PATH", &path)
                    .env_remove("CI")
                    .env_remove("LEAKHOUND_LEDGER")
                    .envs(env_of(i))
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap_or_else(|e| panic!("{round}: {command:?}: {e}"));
                (i, child)
            })
            .collect();
        children
            .into_iter()
            .map(|(i, c)| (i, c.wait_with_output().unwrap()))
            .collect()
    };
    for round in ["first", "retry"] {
        let outs = pods(round);
        let mut failed = 0;
        for (i, out) in &outs {
            let err = stderr(out);
            match out.status.code() {
                Some(0) => assert!(!err.contains("error"), "{round} pod {i}: {err}"),
                Some(2) => {
                    // The one repository that cannot be cloned: named, counted, the pod fails.
                    assert!(err.contains("gone: cannot clone"), "{round} pod {i}: {err}");
                    assert!(err.contains("does not exist"), "{round} pod {i}: {err}");
                    failed += 1;
                }
                c => panic!("{round} pod {i}: exit {c:?}: {err}"),
            }
        }
        assert_eq!(
            failed, 1,
            "{round}: exactly the pod with the missing repository fails"
        );
        // Thirteen repositories (the one not cloned recorded as a run that read nothing), one run
        // each, whatever the number of rounds (the run key is the Job's).
        assert_eq!(runs_in(&pg_url), (13, 13), "{round}");
    }

    let report = yaml("deploy/kubernetes/org-report-job.yaml");
    let c = &report["spec"]["template"]["spec"]["containers"][0];
    let cmd: Vec<&str> = c["command"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let out = Command::new(cmd[0])
        .args(&cmd[1..])
        .env("PATH", &path)
        .env("LEAKHOUND_LEDGER", &pg_url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("12"), "{md}");
}

#[test]
fn the_github_actions_matrix_runs_here() {
    let Some(pg_url) = pg::fresh_database() else {
        return;
    };
    let wf = yaml("deploy/github/org-scan.yml");
    let scan = &wf["jobs"]["scan"];
    let shards = scan["strategy"]["matrix"]["shard"].as_vec().unwrap().len();
    let tmp = tempfile::tempdir().unwrap();
    let list = forge(tmp.path(), 8);
    let path = image_path(tmp.path());
    let step = |job: &yaml_rust2::Yaml, id: &str| -> String {
        job["steps"]
            .as_vec()
            .unwrap()
            .iter()
            .find(|s| s["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("no step {id}"))["run"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let expand = |s: &str, shard: usize, workspace_dir: &Path| -> String {
        let s = s
            .replace("${{ matrix.shard }}", &shard.to_string())
            .replace("${{ strategy.job-total }}", &shards.to_string())
            .replace("${{ github.run_id }}", "4242")
            .replace("${{ github.repository_owner }}", "acme")
            .replace("${{ secrets.LEAKHOUND_LEDGER }}", &pg_url)
            .replace(
                "${{ github.workspace }}",
                &workspace_dir.display().to_string(),
            );
        assert!(
            !s.contains("${{"),
            "an expression the test does not know: {s}"
        );
        s
    };
    let env_of = |job: &yaml_rust2::Yaml, shard: usize, dir: &Path| -> Vec<(String, String)> {
        job["env"]
            .as_hash()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| {
                        let v = v
                            .as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| format!("{v:?}"));
                        (k.as_str().unwrap().to_string(), expand(&v, shard, dir))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    // Each matrix job in its own workspace with leakhound's checkout at .leakhound (the `Get leakhound`
    // step) and repos.txt written (the `list` step, which asks GitHub's API).
    let run_step = |job: &yaml_rust2::Yaml, id: &str, shard: usize| -> std::process::Child {
        let dir = tmp.path().join(format!("{id}-{shard}"));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = std::os::unix::fs::symlink(workspace(), dir.join(".leakhound"));
        std::fs::copy(&list, dir.join("repos.txt")).unwrap();
        Command::new("bash")
            .args(["-e", "-c", &expand(&step(job, id), shard, &dir)])
            .current_dir(&dir)
            .envs(env_of(&wf, shard, &dir))
            .envs(env_of(job, shard, &dir))
            .env("PATH", &path)
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let jobs: Vec<_> = (1..=shards)
        .map(|i| (i, run_step(scan, "scan", i)))
        .collect();
    let mut failed = 0;
    for (i, j) in jobs {
        let out = j.wait_with_output().unwrap();
        match out.status.code() {
            Some(0) => {}
            Some(2) if stderr(&out).contains("gone: cannot clone") => failed += 1,
            c => panic!("shard {i}: exit {c:?}: {}", stderr(&out)),
        }
    }
    assert_eq!(failed, 1);
    assert_eq!(runs_in(&pg_url), (9, 9));
    let out = run_step(&wf["jobs"]["report"], "report", 0)
        .wait_with_output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = tmp.path().join("report-0");
    let html = std::fs::read_to_string(dir.join("report/org-report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    let kpis: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report/org-report.json")).unwrap())
            .unwrap();
    assert_eq!(kpis["kpis"]["repositories"], 9);
    assert_eq!(kpis["kpis"]["credentials"], 8);
    assert!(std::fs::read_to_string(dir.join("summary.md"))
        .unwrap()
        .contains('8'));
}
