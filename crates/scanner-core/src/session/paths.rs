//! Where a scan's root is, and how the paths a file scan displays map to paths under it.

use std::path::{Component, Path, PathBuf};

/// The git work tree containing `path`, else `path` itself (or its directory): where a baseline, an
/// inventory and CODEOWNERS live.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir_all(dir.path().join(".git")).unwrap();
/// std::fs::create_dir_all(dir.path().join("svc/api")).unwrap();
/// let root = leakhound_core::session::repo_root(&dir.path().join("svc/api"));
/// assert_eq!(root, std::fs::canonicalize(dir.path()).unwrap());
/// ```
pub fn repo_root(path: &Path) -> PathBuf {
    let dir = dir_of(path);
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or(dir)
}

/// `path` made absolute (symbolic links resolved where it exists), or its directory when it is a file.
pub(crate) fn dir_of(path: &Path) -> PathBuf {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if abs.is_dir() {
        abs
    } else {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs)
    }
}

/// Maps the paths a file scan displays (as the user spelled the scanned path: `/abs/repo/svc/a.env`,
/// `../repo/svc/a.env`, `./svc/a.env`) to paths relative to the root (`svc/a.env`): what CODEOWNERS
/// patterns and baseline entries are matched against.
#[derive(Debug, Clone, Default)]
pub(crate) struct RootPaths {
    root: PathBuf,
    /// Each scanned path as the walker displays it (no `.` components), and where it really is.
    given: Vec<(PathBuf, PathBuf)>,
}

impl RootPaths {
    /// Paths that are root-relative already (git sources).
    pub(crate) fn as_is() -> RootPaths {
        RootPaths::default()
    }

    pub(crate) fn new(root: &Path, scanned: &[PathBuf]) -> RootPaths {
        let given = scanned
            .iter()
            .map(|p| {
                let shown = without_cur_dir(p);
                let real = std::fs::canonicalize(p).unwrap_or_else(|_| {
                    std::env::current_dir()
                        .map(|d| d.join(p))
                        .unwrap_or_else(|_| p.clone())
                });
                (shown, real)
            })
            .collect();
        RootPaths {
            root: root.to_path_buf(),
            given,
        }
    }

    /// `shown` relative to the root; `shown` itself when it is not under a scanned path or the root
    /// (or the scan was not of files).
    pub(crate) fn rel(&self, shown: &str) -> String {
        if self.given.is_empty() || shown.is_empty() {
            return shown.to_owned();
        }
        let shown_path = without_cur_dir(Path::new(shown));
        // The longest scanned path the displayed one starts with is the one it was walked from.
        let best = self
            .given
            .iter()
            .filter_map(|(g, real)| Some((g, real, shown_path.strip_prefix(g).ok()?)))
            .max_by_key(|(g, _, _)| g.components().count());
        let Some((_, real, rest)) = best else {
            return shown.to_owned();
        };
        let abs = if rest.as_os_str().is_empty() {
            real.clone()
        } else {
            real.join(rest)
        };
        match abs.strip_prefix(&self.root) {
            Ok(r) if !r.as_os_str().is_empty() => r
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            _ => shown.to_owned(),
        }
    }
}

/// `./a/./b` → `a/b`, `.` → `` (the walker displays paths without them).
fn without_cur_dir(p: &Path) -> PathBuf {
    p.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}
