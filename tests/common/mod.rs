//! Helpers shared by the git end-to-end tests: generated tokens and a git runner with a fixed identity.
// Declared once in tests/integration.rs; each test module uses a different subset of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// A made-up token in the shape of a GitLab personal access token, deterministic per seed.
pub fn token(seed: u64) -> String {
    const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let body: String = (0..20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            B62[(x % 62) as usize] as char
        })
        .collect();
    format!("glpat-{body}")
}

/// Runs git in `dir` with a fixed author and committer, colour off, outside CI.
pub fn run_git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Dev One")
        .env("GIT_AUTHOR_EMAIL", "dev1@example.org")
        .env("GIT_COMMITTER_NAME", "Dev One")
        .env("GIT_COMMITTER_EMAIL", "dev1@example.org")
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .expect("git runs")
}

/// Runs git and returns its trimmed stdout, failing the test if git fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = run_git(dir, args);
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Commits what is staged in `dir`, with both dates set (a ledger's "introduced" is the commit date).
pub fn commit_at(dir: &Path, message: &str, date: &str) {
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
        .expect("git runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A command's stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs the leakhound binary in `dir`, colour off, outside CI.
pub fn leakhound(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leakhound"))
        .args(args)
        .current_dir(dir)
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .output()
        .expect("run leakhound")
}

/// Writes `content` to `dir/path`, creating directories.
pub fn write(dir: &Path, path: &str, content: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

/// Deterministic random strings (xorshift64*), so failures reproduce: made-up credentials in the
/// shape of real ones.
pub struct Gen(pub u64);

impl Gen {
    /// `n` characters drawn from `alphabet`.
    pub fn s(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| {
                self.0 ^= self.0 >> 12;
                self.0 ^= self.0 << 25;
                self.0 ^= self.0 >> 27;
                alphabet
                    [(self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % alphabet.len()]
                    as char
            })
            .collect()
    }
}

/// A command's stdout as JSON, failing the test with its stdout and stderr when it is not.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
