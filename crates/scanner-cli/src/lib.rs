//! `leakhound`: a thin command line over `leakhound-core`. It parses arguments, wires the library
//! together, prints, and maps outcomes to exit codes: 0 nothing found, 1 findings, 2 usage or fatal
//! error. A library target only so that more than one binary can be this command (`src/main.rs`, and the
//! pre-commit framework's package at the repository's root): [`main`] is the whole program.

mod args;
mod hook_cmd;
mod inventory_cmd;
mod ledger_cmd;
mod repos_cmd;
mod rules_cmd;
mod scan_cmd;
mod validate_cmd;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

/// mimalloc rather than the system allocator: compiling the regexes of the ~150 rules a source tree
/// hits, and building the 783-rule set at start-up, allocate in the tens of thousands; with glibc's
/// allocator that was 7% of a tree scan's CPU and a fifth of `scan --staged`'s wall time. Its v2 arenas
/// hold ~20 MiB more at peak. Packagers who prefer the system allocator build without the default
/// `mimalloc` feature.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs the command line on this process's arguments.
pub fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`leakhound scan | head`) is not an error worth a message.
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "leakhound: error: {}", one_line(&err));
            ExitCode::from(2)
        }
    }
}

/// The whole cause chain on one line (a cause's own message can span several). A cause whose text the
/// message already holds is not repeated (drivers often print their source in their own message).
pub(crate) fn one_line(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text: Vec<String> = cause
            .to_string()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        let text = text.join(" ");
        if text.is_empty() || out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// The fingerprint key: `--fingerprint-key-file`, else the environment's (`None`: plain fingerprints).
fn fingerprint_key(
    file: Option<&std::path::Path>,
) -> anyhow::Result<Option<leakhound_core::FingerprintKey>> {
    Ok(match file {
        Some(f) => Some(leakhound_core::FingerprintKey::from_file(f)?),
        None => leakhound_core::FingerprintKey::from_env()?,
    })
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr; usage errors exit 2.
            let code = if e.use_stderr() { 2 } else { 0 };
            e.print()?;
            return Ok(ExitCode::from(code));
        }
    };
    // Read only by the commands that fingerprint, so that a bad key does not stop `rules list`.
    let key_file = cli.fingerprint_key_file;
    let key = || fingerprint_key(key_file.as_deref());
    let scan_key = || -> anyhow::Result<scan_cmd::Key> {
        Ok(scan_cmd::Key {
            key: key()?,
            from_flag: key_file.is_some(),
        })
    };
    match cli.command {
        args::Command::Scan(a) => scan_cmd::run(a, scan_key()?),
        args::Command::Rules(args::RulesCommand::List(a)) => rules_cmd::list(a),
        args::Command::Rules(args::RulesCommand::Check(a)) => rules_cmd::check(a),
        args::Command::Hook(c) => hook_cmd::run(c),
        args::Command::Inventory(c) => inventory_cmd::run(c, key()?),
        args::Command::Baseline(args::BaselineCommand::Create {
            baseline_output,
            scan,
        }) => scan_cmd::create_baseline(scan, &baseline_output, scan_key()?),
        args::Command::Completions { shell } => {
            let mut cmd = <args::Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "leakhound", &mut std::io::stdout().lock());
            Ok(ExitCode::SUCCESS)
        }
        args::Command::Revoke(a) => validate_cmd::revoke(a, key()?),
        args::Command::Report(a) => ledger_cmd::report(a),
        args::Command::Repos(a) => repos_cmd::list(a),
        args::Command::Man => {
            let cmd = <args::Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd).render(&mut std::io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
