//! `leakhound hook install|uninstall`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use leakhound_hook::InstallOutcome;

use crate::args::HookCommand;

pub fn run(c: HookCommand) -> anyhow::Result<ExitCode> {
    let mut err = std::io::stderr();
    let outcomes = match c {
        HookCommand::Install { repo, force } => {
            let repo = repo.unwrap_or_else(|| PathBuf::from("."));
            let binary = std::env::current_exe().context("cannot locate the leakhound binary")?;
            leakhound_hook::install(&repo, &binary, force)?
        }
        HookCommand::Uninstall { repo } => {
            let repo = repo.unwrap_or_else(|| PathBuf::from("."));
            leakhound_hook::uninstall(&repo)?
        }
    };
    for outcome in outcomes {
        match outcome {
            InstallOutcome::Installed(p) => writeln!(err, "leakhound: installed {}", p.display())?,
            InstallOutcome::Updated(p) => writeln!(err, "leakhound: updated {}", p.display())?,
            InstallOutcome::Chained { hook, previous } => writeln!(
                err,
                "leakhound: installed {}; the hook that was there is kept as {} and runs after leakhound's",
                hook.display(),
                previous.display()
            )?,
            InstallOutcome::Removed {
                hook,
                restored: true,
            } => writeln!(
                err,
                "leakhound: removed leakhound's hook; the previous hook is back at {}",
                hook.display()
            )?,
            InstallOutcome::Removed {
                hook,
                restored: false,
            } => writeln!(err, "leakhound: removed {}", hook.display())?,
        }
    }
    Ok(ExitCode::SUCCESS)
}
