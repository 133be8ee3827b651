//! The validation cache: a provider's answer by credential fingerprint, with the time it was given, so a
//! second scan within the TTL asks nobody. It holds fingerprints and what the provider said (status,
//! identity, scopes), never a secret. Only `live` and `dead` are kept: an `unknown` (a timeout, no
//! network) is asked again next time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::LiveError;
use crate::liveness::{LiveStatus, Liveness};

/// The file's format version.
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    /// By key (a credential's fingerprint, or a fingerprint of a multi-part credential's parts).
    entries: BTreeMap<String, Entry>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Entry {
    /// Unix seconds of the check.
    at: i64,
    liveness: Liveness,
}

/// The cache, read once, written back once.
pub(crate) struct Cache {
    path: Option<PathBuf>,
    ttl: i64,
    entries: BTreeMap<String, Entry>,
    dirty: bool,
}

impl Cache {
    /// No cache: every credential is asked.
    pub fn none() -> Cache {
        Cache {
            path: None,
            ttl: 0,
            entries: BTreeMap::new(),
            dirty: false,
        }
    }

    /// Reads the cache at `path` (a missing file is an empty cache).
    ///
    /// # Errors
    /// The file exists but cannot be read or is not a cache of this version.
    pub fn open(path: &Path, ttl_secs: i64, now: i64) -> Result<Cache, LiveError> {
        let err = |m: String| LiveError::Cache {
            path: path.to_owned(),
            message: m,
        };
        let entries = match std::fs::read(path) {
            Ok(bytes) => {
                let file: File = serde_json::from_slice(&bytes)
                    .map_err(|e| err(format!("not a leakhound validation cache: {e}")))?;
                if file.version != VERSION {
                    return Err(err(format!(
                        "format version {} (this leakhound reads {VERSION})",
                        file.version
                    )));
                }
                file.entries
                    .into_iter()
                    .filter(|(_, e)| now - e.at < ttl_secs && e.at <= now + 60)
                    .collect()
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(err(e.to_string())),
        };
        Ok(Cache {
            path: Some(path.to_owned()),
            ttl: ttl_secs,
            entries,
            dirty: false,
        })
    }

    /// The cached answer for `key`, if fresh.
    pub fn get(&self, key: &str, now: i64) -> Option<Liveness> {
        let e = self.entries.get(key)?;
        (now - e.at < self.ttl).then(|| Liveness {
            cached: true,
            ..e.liveness.clone()
        })
    }

    /// Remembers a `live` or `dead` answer.
    pub fn put(&mut self, key: &str, l: &Liveness, now: i64) {
        if self.path.is_none() || l.status == LiveStatus::Unknown {
            return;
        }
        self.entries.insert(
            key.to_owned(),
            Entry {
                at: now,
                liveness: Liveness {
                    cached: false,
                    ..l.clone()
                },
            },
        );
        self.dirty = true;
    }

    /// Writes the cache back (atomically: a temporary file renamed over it; owner-only permissions).
    ///
    /// # Errors
    /// The directory or the file cannot be written.
    pub fn save(&mut self) -> Result<(), LiveError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if !self.dirty {
            return Ok(());
        }
        let err = |m: String| LiveError::Cache {
            path: path.clone(),
            message: m,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        }
        let file = File {
            version: VERSION,
            entries: std::mem::take(&mut self.entries),
        };
        let text = serde_json::to_vec_pretty(&file).map_err(|e| err(e.to_string()))?;
        self.entries = file.entries;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        write_private(&tmp, &text).map_err(|e| err(e.to_string()))?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            err(e.to_string())
        })?;
        self.dirty = false;
        Ok(())
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(bytes)
}

/// The default cache file: `$XDG_CACHE_HOME/leakhound/validation.json`, else
/// `~/.cache/leakhound/validation.json` (`%LOCALAPPDATA%` on Windows); `None` when there is no home.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("LOCALAPPDATA").map(PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("leakhound").join("validation.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_live_and_dead_until_the_ttl() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/validation.json");
        let mut c = Cache::open(&path, 100, 1_000).unwrap();
        let live = Liveness::new(LiveStatus::Live, "t".into(), None);
        c.put("sha256:aa", &live, 1_000);
        c.put(
            "sha256:bb",
            &Liveness::new(LiveStatus::Unknown, "t".into(), None),
            1_000,
        );
        c.save().unwrap();
        let c = Cache::open(&path, 100, 1_050).unwrap();
        assert!(c.get("sha256:aa", 1_050).unwrap().cached);
        assert!(c.get("sha256:bb", 1_050).is_none());
        let c = Cache::open(&path, 100, 1_200).unwrap();
        assert!(c.get("sha256:aa", 1_200).is_none());
        std::fs::write(&path, "{not json").unwrap();
        let e = Cache::open(&path, 100, 0).err().unwrap().to_string();
        assert!(
            e.contains("validation.json") && e.contains("not a leakhound validation cache"),
            "{e}"
        );
    }
}
