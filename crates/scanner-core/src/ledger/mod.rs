//! The credential ledger: scans record runs and sightings (fingerprints and metadata, never a secret)
//! in SQLite (a file, the default) or PostgreSQL (shared); [`Ledger::report`] derives each credential's
//! lifecycle (introduced, first detected, last seen, removed from HEAD, revoked) and the governance KPIs
//! from them, and [`render`] draws the report.
//!
//! ```
//! use leakhound_core::ledger::{Ledger, LedgerUrl, RunRecord, Sighting, Filters};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let url = LedgerUrl::Sqlite(dir.path().join("ledger.sqlite"));
//! let mut ledger = Ledger::open(&url).unwrap();
//! let sighting = Sighting {
//!     fingerprint: leakhound_core::fingerprint(b"not a real key"),
//!     rule: "gitlab-pat".into(),
//!     severity: "high".into(),
//!     path: "deploy/.env".into(),
//!     line: 3,
//!     context: "code".into(),
//!     status: "unknown-origin".into(),
//!     at_head: true,
//!     ..Sighting::default()
//! };
//! let run = RunRecord {
//!     repo: "example.com/org/app".into(),
//!     mode: "files".into(),
//!     covers_head: true,
//!     fingerprint_kind: "sha256".into(),
//!     started_at: 1_767_225_600,
//!     finished_at: 1_767_225_601,
//!     complete: true,
//!     findings: 1,
//!     credentials: 1,
//!     unknown_origin: 1,
//!     sightings: vec![sighting],
//!     ..RunRecord::default()
//! };
//! ledger.record(&run).unwrap();
//! let today = leakhound_core::Date::parse("2026-01-15").unwrap();
//! let report = ledger.report(&Filters::default(), today).unwrap();
//! assert_eq!(report.kpis.credentials, 1);
//! assert_eq!(report.credentials[0].first_detected, "2026-01-01");
//! assert_eq!(report.credentials[0].due, "2026-01-31"); // high: 30 days to fix
//! ```

mod db;
mod lifecycle;
pub mod model;
mod record;
pub mod render;
mod repo;
mod schema;
mod url;
mod write;

use std::path::PathBuf;

pub use db::DbError;
pub use lifecycle::remediation_days;
pub use model::{Filters, LedgerReport};
pub use record::{RecordError, RunRecord, Sighting};
pub use schema::SCHEMA_VERSION;
pub use url::{LedgerUrl, UrlError};
pub use write::Recorded;

use db::Db;
use schema::Migrate;

/// Why the ledger cannot be used. One line each, naming the ledger (never its password).
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The location is not a ledger URL.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// The database cannot be opened or reached.
    #[error("ledger {url}: cannot open: {source}")]
    Open {
        /// The ledger.
        url: String,
        /// The driver's error.
        #[source]
        source: DbError,
    },
    /// The SQLite file's directory cannot be created.
    #[error("ledger {url}: cannot create the directory {}: {source}", dir.display())]
    Directory {
        /// The ledger.
        url: String,
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `leakhound report` on a ledger that does not exist.
    #[error("ledger {url}: no such ledger (a scan with --ledger creates it)")]
    Missing {
        /// The ledger.
        url: String,
    },
    /// The file is not a SQLite database, or a database of something else: left untouched.
    #[error("ledger {url}: not a leakhound ledger ({reason}); it was left untouched")]
    NotALedger {
        /// The ledger.
        url: String,
        /// What it is instead.
        reason: String,
    },
    /// The schema was written by a newer leakhound: left untouched.
    #[error("ledger {url}: schema version {found} is newer than this leakhound's ({supported}); upgrade leakhound (the ledger was left untouched)")]
    Newer {
        /// The ledger.
        url: String,
        /// Its version.
        found: i64,
        /// Ours.
        supported: i64,
    },
    /// The run's fingerprints are of another kind (or key) than the ledger's: they would never match.
    #[error("ledger {url}: holds {ledger} fingerprints but this run's are {run}; set the same LEAKHOUND_FINGERPRINT_KEY as the runs before (or use another ledger)")]
    FingerprintKind {
        /// The ledger.
        url: String,
        /// The ledger's kind (and key id).
        ledger: String,
        /// The run's.
        run: String,
    },
    /// Writing failed (read-only file, disk full, lost connection): nothing of the run was recorded.
    #[error("ledger {url}: cannot record the run: {source}")]
    Write {
        /// The ledger.
        url: String,
        /// The driver's error.
        #[source]
        source: DbError,
    },
    /// Reading failed.
    #[error("ledger {url}: cannot read: {source}")]
    Read {
        /// The ledger.
        url: String,
        /// The driver's error.
        #[source]
        source: DbError,
    },
    /// A build without PostgreSQL support was given a `postgres://` ledger.
    #[error("ledger {url}: this leakhound was built without PostgreSQL support (feature `ledger-postgres`)")]
    NoPostgres {
        /// The ledger.
        url: String,
    },
}

/// An open ledger.
pub struct Ledger {
    db: Db,
    url: LedgerUrl,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").field("url", &self.url).finish()
    }
}

impl Ledger {
    /// Opens a ledger for writing: a SQLite file is created (with its directory) when missing; the
    /// schema is created or migrated. A file that is not a ledger, or one from a newer leakhound, is
    /// refused and left untouched.
    ///
    /// # Errors
    /// [`LedgerError`]: unreachable, not a ledger, newer schema, read-only.
    pub fn open(url: &LedgerUrl) -> Result<Ledger, LedgerError> {
        let shown = url.to_string();
        let mut db = Self::connect(url, true)?;
        match schema::migrate(&mut db).map_err(|e| Self::open_error(&shown, e))? {
            Migrate::Ready => {
                if db.is_sqlite() {
                    // Only now that it is known to be a ledger (the journal mode is written in the
                    // file's header). WAL: readers never block the writer; NORMAL sync is durable
                    // at each checkpoint and never corrupts.
                    // Switching to WAL takes the file's exclusive lock, and SQLite answers BUSY
                    // at once (no busy handler) while another process holds it: try again for as
                    // long as a writer would wait.
                    let deadline = std::time::Instant::now() + db::BUSY_TIMEOUT;
                    loop {
                        match db.batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;") {
                            Ok(()) => break,
                            Err(e) if e.is_busy() && std::time::Instant::now() < deadline => {
                                std::thread::sleep(std::time::Duration::from_millis(20));
                            }
                            Err(e) => return Err(Self::open_error(&shown, e)),
                        }
                    }
                }
                Ok(Ledger {
                    db,
                    url: url.clone(),
                })
            }
            Migrate::Newer(found) => Err(LedgerError::Newer {
                url: shown,
                found,
                supported: SCHEMA_VERSION,
            }),
            Migrate::Foreign(reason) => Err(LedgerError::NotALedger { url: shown, reason }),
        }
    }

    /// Opens an existing ledger to read (a report): nothing is created or migrated.
    ///
    /// # Errors
    /// [`LedgerError::Missing`] when there is no ledger there; else as [`Ledger::open`].
    pub fn open_existing(url: &LedgerUrl) -> Result<Ledger, LedgerError> {
        let shown = url.to_string();
        if let LedgerUrl::Sqlite(p) = url {
            if !p.is_file() {
                return Err(LedgerError::Missing { url: shown });
            }
        }
        let mut db = Self::connect(url, false)?;
        if db.is_sqlite() {
            // A report reads every sighting once: map the file rather than copy its pages.
            db.batch("PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536;")
                .map_err(|e| Self::open_error(&shown, e))?;
        }
        match schema::version_read_only(&mut db).map_err(|e| Self::open_error(&shown, e))? {
            None => Err(match url {
                LedgerUrl::Sqlite(_) => LedgerError::NotALedger {
                    url: shown,
                    reason: "no ledger tables".into(),
                },
                LedgerUrl::Postgres(_) => LedgerError::Missing { url: shown },
            }),
            Some(v) if v > SCHEMA_VERSION => Err(LedgerError::Newer {
                url: shown,
                found: v,
                supported: SCHEMA_VERSION,
            }),
            Some(_) => Ok(Ledger {
                db,
                url: url.clone(),
            }),
        }
    }

    fn connect(url: &LedgerUrl, create: bool) -> Result<Db, LedgerError> {
        let shown = url.to_string();
        match url {
            LedgerUrl::Sqlite(path) => {
                if create {
                    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                        std::fs::create_dir_all(dir).map_err(|source| LedgerError::Directory {
                            url: shown.clone(),
                            dir: dir.to_path_buf(),
                            source,
                        })?;
                    }
                }
                Db::sqlite(path, create).map_err(|e| Self::open_error(&shown, e))
            }
            #[cfg(feature = "ledger-postgres")]
            LedgerUrl::Postgres(conn) => {
                Db::postgres(conn).map_err(|source| LedgerError::Open { url: shown, source })
            }
            #[cfg(not(feature = "ledger-postgres"))]
            LedgerUrl::Postgres(_) => Err(LedgerError::NoPostgres { url: shown }),
        }
    }

    fn open_error(url: &str, e: DbError) -> LedgerError {
        match e.is_not_a_database() {
            true => LedgerError::NotALedger {
                url: url.to_string(),
                reason: "the file is not a SQLite database".into(),
            },
            false => LedgerError::Open {
                url: url.to_string(),
                source: e,
            },
        }
    }

    /// Where this ledger is (without a password).
    pub fn url(&self) -> &LedgerUrl {
        &self.url
    }
}

/// Now, Unix seconds.
pub(crate) fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
