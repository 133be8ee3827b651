//! End-to-end tests of the file source: what a directory walk scans, ignores and counts; how content
//! that is not plain text is read; and a file truncated while it is scanned.
//!
//! Tokens are generated at test time in the shape of GitLab personal access tokens; none is real.

use crate::common;
use common::{git, json, leakhound, token, write};

use std::path::Path;
use std::process::Output;

use serde_json::Value;

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "commit.gpgsign", "false"]);
    dir
}

/// `leakhound scan ARGS --format json` in `dir`: the report and the paths of its findings, sorted.
fn scan(dir: &Path, args: &[&str]) -> (Output, Value, Vec<String>) {
    let args: Vec<&str> = ["scan"]
        .iter()
        .chain(args)
        .chain(&["--format", "json"])
        .copied()
        .collect();
    let out = leakhound(dir, &args);
    let v = json(&out);
    let mut paths: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    paths.sort();
    (out, v, paths)
}

// ---------------------------------------------------------------------------------------------
// Ignore files and tracked files (issue 11, case 6)
// ---------------------------------------------------------------------------------------------

/// Regression (issue 11, case 6): files tracked by git were skipped because they matched
/// `.gitignore`, and nothing counted what ignore files excluded. A tracked file is scanned whatever
/// the ignore files say; untracked excluded entries are counted (a directory once, unread).
#[test]
fn tracked_files_matching_gitignore_are_scanned_and_ignored_entries_counted() {
    let dir = repo();
    let d = dir.path();
    write(d, ".gitignore", "*.env\nbuild/\nlogs/\n");
    write(d, "config/prod.env", &format!("TOKEN={}\n", token(1)));
    write(d, "build/keep.txt", &format!("t: {}\n", token(2)));
    write(d, "src/app.py", "print('hello')\n");
    git(d, &["add", ".gitignore", "src/app.py"]);
    git(d, &["add", "-f", "config/prod.env", "build/keep.txt"]);
    git(d, &["commit", "-q", "-m", "init"]);
    // Untracked: two ignored files (one inside an ignored directory that holds a tracked file), an
    // ignored directory of three files, and one file no rule excludes.
    write(d, "local.env", &format!("TOKEN={}\n", token(3)));
    write(d, "build/out.txt", &format!("t: {}\n", token(4)));
    for i in 0..3 {
        write(
            d,
            &format!("logs/{i}.log"),
            &format!("t: {}\n", token(10 + i)),
        );
    }
    write(d, "notes.txt", &format!("t: {}\n", token(5)));

    let (out, v, paths) = scan(d, &["."]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(paths, ["build/keep.txt", "config/prod.env", "notes.txt"]);
    // local.env, build/out.txt and logs/ (one entry: not read).
    assert_eq!(v["summary"]["ignored"], 3, "{}", v["summary"]);
    assert_eq!(v["summary"]["files"], 5, "{}", v["summary"]);

    // The human summary (stderr) says so too.
    let human = leakhound(d, &["scan", "."]);
    let stderr = String::from_utf8(human.stderr).unwrap();
    assert!(stderr.contains(" · 3 ignored"), "{stderr}");

    // --no-ignore: everything, nothing ignored.
    let (_, v, paths) = scan(d, &[".", "--no-ignore"]);
    assert_eq!(paths.len(), 8, "{paths:?}");
    assert_eq!(v["summary"]["ignored"], 0);
}

/// Regression (issue 11, case 6): a repository whose `.ignore` is `*` turned the scan of every file
/// off, exit 0.
#[test]
fn a_dot_ignore_of_star_does_not_hide_tracked_files() {
    let dir = repo();
    let d = dir.path();
    write(d, ".ignore", "*\n");
    write(
        d,
        "src/deploy/settings.py",
        &format!("KEY = '{}'\n", token(20)),
    );
    write(d, "README.md", "docs\n");
    git(d, &["add", "-f", "."]);
    git(d, &["commit", "-q", "-m", "init"]);
    write(d, "scratch/untracked.txt", &format!("{}\n", token(21)));

    let (out, v, paths) = scan(d, &["."]);
    assert_eq!(out.status.code(), Some(1), "{}", v["summary"]);
    assert_eq!(paths, ["src/deploy/settings.py"]);
    // .ignore, README.md and src/ are tracked; scratch/ is not.
    assert_eq!(v["summary"]["files"], 3, "{}", v["summary"]);
    assert_eq!(v["summary"]["ignored"], 1, "{}", v["summary"]);
}

/// Regression (issue 11, case 6), from below the root: the root's `.gitignore` applies to a scan of a
/// subdirectory (given as a path, or as `.` from inside it), and tracked files there are still
/// scanned, with paths as the user gave them.
#[test]
fn a_subdirectory_of_a_repository_follows_the_same_rules() {
    let dir = repo();
    let d = dir.path();
    write(d, ".gitignore", "*.secret\n");
    write(d, "svc/a.secret", &format!("{}\n", token(30)));
    git(d, &["add", "-f", "."]);
    git(d, &["commit", "-q", "-m", "init"]);
    write(d, "svc/b.secret", &format!("{}\n", token(31)));
    write(d, "svc/c.txt", &format!("{}\n", token(32)));

    let (_, v, paths) = scan(d, &["svc"]);
    assert_eq!(paths, ["svc/a.secret", "svc/c.txt"]);
    assert_eq!(v["summary"]["ignored"], 1);

    let (_, v, paths) = scan(&d.join("svc"), &["."]);
    assert_eq!(paths, ["a.secret", "c.txt"]);
    assert_eq!(v["summary"]["ignored"], 1);

    // A file given by name is scanned, excluded and untracked or not.
    let (_, v, paths) = scan(d, &["svc/b.secret"]);
    assert_eq!(paths, ["svc/b.secret"]);
    assert_eq!(v["summary"]["ignored"], 0);
}

/// A tracked file deleted from the work tree is not an error: there is nothing on disk to scan.
#[test]
fn tracked_files_deleted_from_disk_are_not_errors() {
    let dir = repo();
    let d = dir.path();
    write(d, ".gitignore", "gen/\n");
    write(d, "gen/tracked.txt", &format!("{}\n", token(40)));
    write(d, "gen/gone.txt", "x\n");
    write(d, "gone-too.txt", "y\n");
    git(d, &["add", "-f", "."]);
    git(d, &["commit", "-q", "-m", "init"]);
    std::fs::remove_file(d.join("gen/gone.txt")).unwrap();
    std::fs::remove_file(d.join("gone-too.txt")).unwrap();
    write(d, "gen/new.txt", "z\n");

    let (out, v, paths) = scan(d, &["."]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(paths, ["gen/tracked.txt"]);
    assert_eq!(v["summary"]["ignored"], 1);
}

/// Outside any repository, ignore files exclude (nothing is tracked) and what they exclude is
/// counted.
#[test]
fn ignore_files_outside_a_repository_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, ".gitignore", "node_modules/\n*.tmp\n");
    write(d, "sub/.ignore", "!keep.tmp\n");
    for i in 0..50 {
        write(d, &format!("node_modules/p{i}/index.js"), "x\n");
    }
    write(d, "a.tmp", &format!("{}\n", token(50)));
    write(d, "sub/keep.tmp", &format!("{}\n", token(51)));
    write(d, "sub/drop.tmp", &format!("{}\n", token(52)));
    let (_, v, paths) = scan(d, &["."]);
    assert_eq!(paths, ["sub/keep.tmp"]);
    // node_modules/ (once), a.tmp, sub/drop.tmp.
    assert_eq!(v["summary"]["ignored"], 3, "{}", v["summary"]);
}

// ---------------------------------------------------------------------------------------------
// Content that is not plain text (issue 11, case 7)
// ---------------------------------------------------------------------------------------------

fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
    let bom = bom.then_some(0xFEFF_u16);
    bom.into_iter()
        .chain(text.encode_utf16())
        .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
        .collect()
}

/// Bytes that look like compressed data (deterministic).
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A PNG: signature, IHDR, an IDAT of compressed-looking bytes, IEND.
fn png() -> Vec<u8> {
    let mut p =
        b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0\x5c\x72\xa8\x66"
            .to_vec();
    let data = noise(30_000, 7);
    p.extend_from_slice(&(data.len() as u32).to_be_bytes());
    p.extend_from_slice(b"IDAT");
    p.extend_from_slice(&data);
    p.extend_from_slice(b"\0\0\0\0\0\0\0\0IEND\xae\x42\x60\x82");
    p
}

/// A real SQLite database holding `secret`, made with python3's sqlite3 module; where python3 is
/// missing, a file with SQLite's header, an empty page and the row's record as SQLite lays it out.
fn sqlite_db(path: &Path, secret: &str) {
    let script = "import sqlite3, sys\n\
        db = sqlite3.connect(sys.argv[1])\n\
        db.execute('CREATE TABLE settings (id INTEGER PRIMARY KEY, name TEXT, value TEXT)')\n\
        for i in range(200):\n    db.execute('INSERT INTO settings (name, value) VALUES (?, ?)', ('feature_%d' % i, 'on'))\n\
        db.execute('INSERT INTO settings (name, value) VALUES (?, ?)', ('gitlab_token', sys.argv[2]))\n\
        db.commit()\n";
    let made = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .arg(secret)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        // Page 1: the database header (4096-byte pages) and an empty schema page; page 2: a table
        // leaf page with one cell, the row (NULL rowid alias, 'gitlab_token', secret).
        let mut db = b"SQLite format 3\0\x10\0\x01\x01\0\x40\x20\x20".to_vec();
        db.resize(100, 0);
        db.extend_from_slice(b"\x0d\0\0\0\0\x10\0\0");
        db.resize(4096, 0);
        let mut record = vec![4, 0, 12 * 2 + 13, secret.len() as u8 * 2 + 13];
        record.extend_from_slice(b"gitlab_token");
        record.extend_from_slice(secret.as_bytes());
        let cell_at = 3000u16;
        db.extend_from_slice(&[0x0d, 0, 0, 0, 1]);
        db.extend_from_slice(&cell_at.to_be_bytes());
        db.push(0);
        db.extend_from_slice(&cell_at.to_be_bytes());
        db.resize(4096 + usize::from(cell_at), 0);
        db.extend_from_slice(&[record.len() as u8, 1]);
        db.extend_from_slice(&record);
        db.resize(8192, 0);
        std::fs::write(path, db).unwrap();
    }
}

fn finding<'v>(v: &'v Value, path: &str) -> &'v Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no finding in {path}: {v:#}"))
}

/// Regression (issue 11, case 7): UTF-16 files (with or without a BOM) and binary files with text in
/// them (a SQLite database, a compiled Python module) were skipped as binary, exit 0. They are
/// decoded, or have their strings scanned; a binary file with no text (a PNG) is still skipped and
/// counted.
#[test]
fn utf16_files_and_strings_of_binary_files_are_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ps1 = format!("# deploy\r\n$env:GITLAB_TOKEN = \"{}\"\r\n", token(60));
    std::fs::write(d.join("deploy.ps1"), utf16(&ps1, true, true)).unwrap();
    let reg = format!(
        "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Acme]\r\n\"Token\"=\"{}\"\r\n",
        token(61)
    );
    std::fs::write(d.join("acme.reg"), utf16(&reg, true, false)).unwrap();
    let ini = format!("[auth]\nkey = {}\n", token(62));
    std::fs::write(d.join("legacy.ini"), utf16(&ini, false, true)).unwrap();
    sqlite_db(&d.join("app.db"), &token(63));
    std::fs::write(d.join("logo.png"), png()).unwrap();

    let (out, v, paths) = scan(d, &["."]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(paths, ["acme.reg", "app.db", "deploy.ps1", "legacy.ini"]);
    let f = finding(&v, "deploy.ps1");
    // Lines are the file's; on an ASCII line the column counts characters (UTF-16 units).
    assert_eq!((&f["line"], &f["column"]), (&2.into(), &22.into()));
    assert_eq!(f["encoding"], "utf-16le");
    assert_eq!(f["end_column"], 22 + token(60).len());
    let f = finding(&v, "acme.reg");
    assert_eq!(
        (&f["line"], &f["encoding"]),
        (&4.into(), &"utf-16le".into())
    );
    let f = finding(&v, "legacy.ini");
    assert_eq!(
        (&f["line"], &f["encoding"]),
        (&2.into(), &"utf-16be".into())
    );
    // The database's strings are scanned in place: no encoding, a location in the file's bytes.
    let f = finding(&v, "app.db");
    assert!(f.get("encoding").is_none(), "{f}");
    let db = std::fs::read(d.join("app.db")).unwrap();
    let (line, column) = (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap());
    let line_start = db
        .split(|b| *b == b'\n')
        .take(line as usize - 1)
        .map(|l| l.len() + 1)
        .sum::<usize>();
    // SQLite stores a row's values back to back; the view separates them within the row, so the
    // value is at most a row header's few bytes further right in the file.
    let at = line_start + column as usize - 1;
    let window = &db[at..(at + token(63).len() + 16).min(db.len())];
    assert!(
        window
            .windows(token(63).len())
            .any(|w| w == token(63).as_bytes()),
        "{:?}",
        String::from_utf8_lossy(window)
    );
    // The PNG is skipped and counted; every file is accounted for.
    assert_eq!(v["summary"]["skipped"]["binary"], 1, "{}", v["summary"]);
    assert_eq!(v["summary"]["files"], 4, "{}", v["summary"]);
}

/// Regression (issue 11, case 7): a compiled Python module keeps its string constants as they are.
#[test]
fn compiled_python_modules_are_scanned_for_strings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = d.join("settings.py");
    std::fs::write(&src, format!("GITLAB = '{}'\n", token(70))).unwrap();
    let compiled = std::process::Command::new("python3")
        .args(["-c", "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)"])
        .arg(&src)
        .arg(d.join("settings.cpython.pyc"))
        .status()
        .is_ok_and(|s| s.success());
    if !compiled {
        eprintln!("python3 not available: compiled-module case not run");
        return;
    }
    std::fs::remove_file(&src).unwrap();
    let pyc = std::fs::read(d.join("settings.cpython.pyc")).unwrap();
    assert!(pyc.contains(&0), "a .pyc is binary");
    let (_, v, paths) = scan(d, &["."]);
    assert_eq!(paths, ["settings.cpython.pyc"], "{}", v["summary"]);
}

/// The same decoding in every mode: history and staged scans read content through the same
/// function.
#[test]
fn utf16_secrets_are_found_in_history_and_staged_changes() {
    let dir = repo();
    let d = dir.path();
    let ps1 = format!("Write-Host hi\r\n$t = '{}'\r\n", token(80));
    std::fs::write(d.join("run.ps1"), utf16(&ps1, true, true)).unwrap();
    git(d, &["add", "run.ps1"]);
    let staged = leakhound(d, &["scan", "--staged", "--format", "json"]);
    let v = json(&staged);
    assert_eq!(v["findings"][0]["path"], "run.ps1", "{v:#}");
    assert_eq!(v["findings"][0]["encoding"], "utf-16le");
    git(d, &["commit", "-q", "-m", "add script"]);
    let history = leakhound(d, &["scan", "--history", ".", "--format", "json"]);
    let v = json(&history);
    let f = finding(&v, "run.ps1");
    assert_eq!(
        (&f["line"], &f["encoding"]),
        (&2.into(), &"utf-16le".into())
    );
}

// ---------------------------------------------------------------------------------------------
// A file truncated while it is scanned (issue 11, SIGBUS)
// ---------------------------------------------------------------------------------------------

/// Regression (issue 11, crashes): a memory-mapped file truncated while it was scanned killed the
/// process with SIGBUS, no message and no report. Over many runs, each truncating the file at a
/// different moment of the scan, leakhound never dies by a signal; a run that saw the file shrink
/// names it, counts it as `changed` and exits 2.
#[cfg(unix)]
#[test]
fn a_file_truncated_while_it_is_scanned_is_reported_not_fatal() {
    use std::os::unix::process::ExitStatusExt;
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let big = d.join("big.log");
    let line = "2026-01-01T00:00:00Z INFO request served in 12 ms by worker 7 of pool main\n";
    let content = line.repeat((16 << 20) / line.len());
    write(d, "small.txt", &format!("{}\n", token(90)));
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_leakhound"))
            .args(["scan", ".", "--format", "json", "--threads", "1"])
            .current_dir(d)
            .env_remove("CI")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    // How long an undisturbed scan takes, so that truncations land all over it.
    std::fs::write(&big, &content).unwrap();
    let t = Instant::now();
    let out = run().wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let full = t.elapsed();

    let runs = 20;
    let mut changed = 0;
    for i in 0..runs {
        std::fs::write(&big, &content).unwrap();
        let child = run();
        std::thread::sleep(full.mul_f64(f64::from(i) / f64::from(runs)));
        std::fs::OpenOptions::new()
            .write(true)
            .open(&big)
            .unwrap()
            .set_len(4096)
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.signal(),
            None,
            "run {i}: killed by signal {:?}; stderr: {stderr}",
            out.status.signal()
        );
        let v = json(&out);
        if v["summary"]["skipped"]["changed"] == 1 {
            changed += 1;
            assert_eq!(out.status.code(), Some(2), "run {i}");
            assert!(
                stderr.contains("big.log: truncated while it was being scanned"),
                "run {i}: {stderr}"
            );
        } else {
            assert!(
                matches!(out.status.code(), Some(1)),
                "run {i}: {:?} {stderr}",
                out.status
            );
        }
        // The other file's finding is there either way.
        assert_eq!(finding(&v, "small.txt")["line"], 1);
        std::thread::sleep(Duration::from_millis(5));
    }
    eprintln!("{changed} of {runs} runs saw the file shrink under the scan");
    assert!(
        changed > 0,
        "no run truncated the file mid-scan: the test proves nothing"
    );
}
