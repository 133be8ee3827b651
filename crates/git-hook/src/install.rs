//! `leakhound hook install` / `uninstall`: two small scripts that run the compiled binary: a pre-commit
//! hook (`scan --staged`) and a commit-msg hook (`scan --commit-msg FILE`).
//!
//! The hook directory is where git looks: `core.hooksPath` when set (relative to the work tree), else
//! the common git directory's `hooks/` (shared by linked worktrees). A hook that is already there and
//! is not leakhound's is never lost: it is kept next to ours as `<hook>.leakhound-chained` and run
//! after the scan passes; uninstall puts it back.

use std::path::{Path, PathBuf};

/// One hook leakhound installs.
struct Hook {
    /// The hook's name, as git knows it.
    name: &'static str,
    /// The arguments of the binary (shell words; `$1` is the hook's first argument).
    args: &'static str,
}

/// The hooks `install` writes: the staged changes before the commit, then its message.
const HOOKS: [Hook; 2] = [
    Hook {
        name: "pre-commit",
        args: "scan --staged",
    },
    Hook {
        name: "commit-msg",
        args: "scan --commit-msg \"$1\"",
    },
];

impl Hook {
    /// The line that marks a hook script as leakhound's (`# leakhound pre-commit hook`).
    fn marker(&self) -> String {
        format!("# leakhound {} hook", self.name)
    }

    fn chained(&self) -> String {
        format!("{}.leakhound-chained", self.name)
    }

    fn script(&self, binary: &Path) -> String {
        let bin = binary.display().to_string().replace('\'', "'\\''");
        format!(
            "#!/bin/sh\n{} (written by `leakhound hook install`; `leakhound hook uninstall` removes it)\n\
             '{bin}' {} || exit $?\n\
             chained=\"$(dirname \"$0\")/{}\"\n\
             if [ -x \"$chained\" ]; then exec \"$chained\" \"$@\"; fi\n",
            self.marker(),
            self.args,
            self.chained()
        )
    }

    fn is_ours(&self, path: &Path) -> bool {
        std::fs::read_to_string(path).is_ok_and(|s| s.contains(&self.marker()))
    }
}

/// What went wrong installing or removing the hook.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// Not inside a git repository.
    #[error("{}: not a git repository", .0.display())]
    NotARepository(PathBuf),
    /// A bare repository: git runs no commit hooks where there is no work tree to commit from.
    #[error(
        "{}: a bare repository has no work tree, so git never runs its pre-commit or commit-msg \
         hooks: install them in a clone",
        .0.display()
    )]
    Bare(PathBuf),
    /// A file operation failed (the error follows in the chain).
    #[error("{}", .path.display())]
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

/// What `install` or `uninstall` did, for one hook.
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

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HookError + '_ {
    move |source| HookError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn make_executable(path: &Path) -> Result<(), HookError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(io(path))?;
    }
    Ok(())
}

/// Installs the pre-commit hook (`binary scan --staged`) and the commit-msg hook (`binary scan
/// --commit-msg FILE`), one outcome per hook.
///
/// # Errors
/// [`HookError`]: no repository, a bare repository, a file error, or (refused) a foreign hook that
/// cannot be chained because a chained hook is already in place; `force` then chains it in place of
/// that one, which is kept as `<hook>.leakhound-chained.old`. When a hook is refused, nothing is
/// changed.
pub fn install(repo: &Path, binary: &Path, force: bool) -> Result<Vec<InstallOutcome>, HookError> {
    let r = gix::discover(repo).map_err(|_| HookError::NotARepository(repo.to_path_buf()))?;
    if r.workdir().is_none() {
        let git_dir = r.git_dir();
        return Err(HookError::Bare(
            std::fs::canonicalize(git_dir).unwrap_or_else(|_| git_dir.to_path_buf()),
        ));
    }
    let dir = hooks_dir(repo)?;
    // Every hook is checked before any is written: a refusal leaves the directory as it was.
    let mut plan = Vec::with_capacity(HOOKS.len());
    for h in &HOOKS {
        let hook = dir.join(h.name);
        let chained = dir.join(h.chained());
        let replace_chained = if !hook.exists() || h.is_ours(&hook) {
            None
        } else if chained.exists() && !force {
            return Err(HookError::Refused {
                path: hook,
                message: format!(
                    "a {} hook that is not leakhound's is installed, and {} already holds another: \
                     merge them by hand, or pass --force to chain the current one in place of that \
                     file's (which is kept as {}.old)",
                    h.name,
                    chained.display(),
                    h.chained()
                ),
            });
        } else {
            Some(chained.exists())
        };
        plan.push((h, hook, chained, replace_chained));
    }
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let mut outcomes = Vec::with_capacity(plan.len());
    for (h, hook, chained, replace_chained) in plan {
        let outcome = match replace_chained {
            None if hook.exists() => InstallOutcome::Updated(hook.clone()),
            None => InstallOutcome::Installed(hook.clone()),
            Some(old_chained) => {
                if old_chained {
                    let old = dir.join(format!("{}.old", h.chained()));
                    std::fs::rename(&chained, &old).map_err(io(&chained))?;
                }
                std::fs::rename(&hook, &chained).map_err(io(&hook))?;
                InstallOutcome::Chained {
                    hook: hook.clone(),
                    previous: chained,
                }
            }
        };
        std::fs::write(&hook, h.script(binary)).map_err(io(&hook))?;
        make_executable(&hook)?;
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// Removes leakhound's hooks and restores the hooks they chained; hooks that are not leakhound's are
/// left alone. One outcome per hook removed.
///
/// # Errors
/// [`HookError::Refused`] when none of the hooks is leakhound's (nothing is changed).
pub fn uninstall(repo: &Path) -> Result<Vec<InstallOutcome>, HookError> {
    let dir = hooks_dir(repo)?;
    let ours: Vec<&Hook> = HOOKS
        .iter()
        .filter(|h| h.is_ours(&dir.join(h.name)))
        .collect();
    if ours.is_empty() {
        let names: Vec<&str> = HOOKS.iter().map(|h| h.name).collect();
        return Err(HookError::Refused {
            path: dir,
            message: format!(
                "no leakhound hook is installed here ({}): hooks that are not leakhound's are left \
                 as they are",
                names.join(", ")
            ),
        });
    }
    let mut outcomes = Vec::with_capacity(ours.len());
    for h in ours {
        let hook = dir.join(h.name);
        let chained = dir.join(h.chained());
        std::fs::remove_file(&hook).map_err(io(&hook))?;
        let restored = chained.exists();
        if restored {
            std::fs::rename(&chained, &hook).map_err(io(&chained))?;
        }
        outcomes.push(InstallOutcome::Removed { hook, restored });
    }
    Ok(outcomes)
}
