//! `leakhound hook install` / `uninstall`: a small pre-commit script that runs the compiled binary.
//!
//! The hook directory is where git looks: `core.hooksPath` when set (relative to the work tree), else
//! the common git directory's `hooks/` (shared by linked worktrees). A pre-commit hook that is already
//! there and is not leakhound's is never lost: it is kept next to ours as `pre-commit.leakhound-chained`
//! and run after the scan passes; uninstall puts it back.

use std::path::{Path, PathBuf};

/// The line that marks a hook script as leakhound's.
pub const MARKER: &str = "# leakhound pre-commit hook";
const CHAINED: &str = "pre-commit.leakhound-chained";

/// What went wrong installing or removing the hook.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// Not inside a git repository.
    #[error("{}: not a git repository", .0.display())]
    NotARepository(PathBuf),
    /// A file operation failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The current hook cannot be handled without losing something.
    #[error("{}: {message}", .path.display())]
    Refused {
        /// The hook file.
        path: PathBuf,
        /// Why, and what to do.
        message: String,
    },
}

/// What `install` or `uninstall` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallOutcome {
    /// A new hook was written.
    Installed(PathBuf),
    /// leakhound's hook was there and has been rewritten (e.g. for a moved binary).
    Updated(PathBuf),
    /// A foreign hook was kept (renamed) and will run after leakhound's.
    Chained {
        /// leakhound's hook.
        hook: PathBuf,
        /// Where the previous hook now is.
        previous: PathBuf,
    },
    /// leakhound's hook was removed; the chained hook, if any, is back in place.
    Removed {
        /// The hook path.
        hook: PathBuf,
        /// Whether a chained hook was restored there.
        restored: bool,
    },
}

/// The directory git runs hooks from for the repository at or above `repo`.
///
/// # Errors
/// [`HookError::NotARepository`].
pub fn hooks_dir(repo: &Path) -> Result<PathBuf, HookError> {
    let r = gix::discover(repo).map_err(|_| HookError::NotARepository(repo.to_path_buf()))?;
    let configured = r
        .config_snapshot()
        .trusted_path("core.hooksPath")
        .ok()
        .flatten();
    Ok(match configured {
        Some(p) if p.is_absolute() => p,
        Some(p) => r
            .workdir()
            .map_or_else(|| r.git_dir().join(&p), |w| w.join(&p)),
        None => r.common_dir().join("hooks"),
    })
}

fn script(binary: &Path) -> String {
    let bin = binary.display().to_string().replace('\'', "'\\''");
    format!(
        "#!/bin/sh\n{MARKER} (written by `leakhound hook install`; `leakhound hook uninstall` removes it)\n\
         '{bin}' scan --staged || exit $?\n\
         chained=\"$(dirname \"$0\")/{CHAINED}\"\n\
         if [ -x \"$chained\" ]; then exec \"$chained\" \"$@\"; fi\n"
    )
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HookError + '_ {
    move |source| HookError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|s| s.contains(MARKER))
}

fn make_executable(path: &Path) -> Result<(), HookError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(io(path))?;
    }
    Ok(())
}

/// Installs the pre-commit hook that runs `binary scan --staged`.
///
/// # Errors
/// [`HookError`]: no repository, a file error, or (refused) a foreign hook that cannot be chained
/// because a chained hook is already in place; `force` then replaces ours and keeps both.
pub fn install(repo: &Path, binary: &Path, force: bool) -> Result<InstallOutcome, HookError> {
    let dir = hooks_dir(repo)?;
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let hook = dir.join("pre-commit");
    let chained = dir.join(CHAINED);
    let outcome = if !hook.exists() {
        InstallOutcome::Installed(hook.clone())
    } else if is_ours(&hook) {
        InstallOutcome::Updated(hook.clone())
    } else if chained.exists() && !force {
        return Err(HookError::Refused {
            path: hook,
            message: format!(
                "a pre-commit hook that is not leakhound's is installed, and {} already holds another: \
                 merge them by hand, or pass --force to chain the current one in place of that file's \
                 (which is kept as {CHAINED}.old)",
                chained.display()
            ),
        });
    } else {
        if chained.exists() {
            let old = dir.join(format!("{CHAINED}.old"));
            std::fs::rename(&chained, &old).map_err(io(&chained))?;
        }
        std::fs::rename(&hook, &chained).map_err(io(&hook))?;
        InstallOutcome::Chained {
            hook: hook.clone(),
            previous: chained,
        }
    };
    std::fs::write(&hook, script(binary)).map_err(io(&hook))?;
    make_executable(&hook)?;
    Ok(outcome)
}

/// Removes leakhound's hook and restores a chained one.
///
/// # Errors
/// [`HookError::Refused`] when the pre-commit hook is not leakhound's (it is left alone).
pub fn uninstall(repo: &Path) -> Result<InstallOutcome, HookError> {
    let dir = hooks_dir(repo)?;
    let hook = dir.join("pre-commit");
    let chained = dir.join(CHAINED);
    if !hook.exists() {
        return Err(HookError::Refused {
            path: hook,
            message: "no pre-commit hook is installed".into(),
        });
    }
    if !is_ours(&hook) {
        return Err(HookError::Refused {
            path: hook,
            message: "this pre-commit hook was not written by leakhound: left as it is".into(),
        });
    }
    std::fs::remove_file(&hook).map_err(io(&hook))?;
    let restored = chained.exists();
    if restored {
        std::fs::rename(&chained, &hook).map_err(io(&chained))?;
    }
    Ok(InstallOutcome::Removed { hook, restored })
}
