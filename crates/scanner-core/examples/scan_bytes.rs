//! The engine alone (builds with `default-features = false`): scan a file's bytes, print each finding
//! with its secret redacted, exit 1 when there is any.
//!
//! `cargo run -p leakhound-core --no-default-features --example scan_bytes -- config/.env`
use std::process::ExitCode;

use leakhound_core::{redact, Scanner};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: scan_bytes FILE");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: cannot read: {e}");
            return ExitCode::from(2);
        }
    };
    // Built once; each regex compiles the first time a keyword of its rule is seen.
    let scanner = Scanner::with_default_rules();
    let findings = scanner.scan_bytes(&path, &bytes);
    for f in &findings {
        let (rule, secret) = (&f.rule, redact(&f.secret));
        println!(
            "{}:{}:{}  {rule}  {secret}  ({})",
            f.path,
            f.line,
            f.column,
            f.severity.as_str()
        );
    }
    ExitCode::from(u8::from(!findings.is_empty()))
}
