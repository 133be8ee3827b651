//! The ledger's schema and its versioned migrations: the same tables on SQLite and PostgreSQL.
//!
//! `ledger_meta` holds `schema_version` and the fingerprint kind; `ledger_migrations` one row per
//! migration applied. A database whose version is newer than [`SCHEMA_VERSION`] is refused untouched.

use super::db::{Db, DbError, Value};

/// The schema version this leakhound writes and reads.
pub const SCHEMA_VERSION: i64 = 2;

/// Migrations in order: version, description, DDL (`{ID}` is the backend's auto-increment key).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "runs, credentials and sightings",
        "CREATE TABLE runs (
        id {ID},
        run_key TEXT UNIQUE,
        repo TEXT NOT NULL,
        head TEXT,
        mode TEXT NOT NULL,
        covers_head BIGINT NOT NULL,
        rule_pack TEXT NOT NULL,
        leakhound TEXT NOT NULL,
        fingerprint_kind TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        finished_at BIGINT NOT NULL,
        complete BIGINT NOT NULL,
        files BIGINT NOT NULL,
        bytes BIGINT NOT NULL,
        skipped BIGINT NOT NULL,
        findings BIGINT NOT NULL,
        credentials BIGINT NOT NULL,
        owned BIGINT NOT NULL,
        with_expiry BIGINT NOT NULL,
        unknown_origin BIGINT NOT NULL,
        live BIGINT NOT NULL,
        dead BIGINT NOT NULL,
        owned_pct DOUBLE PRECISION NOT NULL,
        with_expiry_pct DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX runs_repo_started ON runs (repo, started_at);
    CREATE TABLE credentials (
        id {ID},
        fingerprint TEXT NOT NULL UNIQUE,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL
    );
    CREATE TABLE sightings (
        run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        credential_id BIGINT NOT NULL REFERENCES credentials (id),
        path TEXT NOT NULL,
        line BIGINT NOT NULL,
        commit_id TEXT,
        commit_date BIGINT,
        context TEXT NOT NULL,
        owner TEXT,
        owner_source TEXT,
        status TEXT NOT NULL,
        liveness TEXT,
        expires TEXT,
        revoked_on TEXT,
        environments TEXT,
        at_head BIGINT NOT NULL
    );
    CREATE INDEX sightings_run ON sightings (run_id);
    CREATE INDEX sightings_credential ON sightings (credential_id);",
    ),
    (
        2,
        "history_state: the --incremental state of each repository",
        // The state's segments (object ids under a configuration key, leakhound's own format) in
        // base64: one type on both databases. Each run appends the ids it added, in its own
        // transaction; every COMPACT_AFTER segments the whole state replaces them.
        "CREATE TABLE history_state (
            repo TEXT NOT NULL,
            seq BIGINT NOT NULL,
            state TEXT NOT NULL,
            size BIGINT NOT NULL,
            run_id BIGINT REFERENCES runs (id) ON DELETE SET NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (repo, seq)
        );",
    ),
];

/// What migrating found.
#[derive(Debug)]
pub(crate) enum Migrate {
    /// Ready at [`SCHEMA_VERSION`].
    Ready,
    /// Written by a newer leakhound.
    Newer(i64),
    /// A database with tables of its own but no ledger.
    Foreign(String),
}

/// Brings the schema to [`SCHEMA_VERSION`] in one transaction (concurrent first runs wait for each
/// other: SQLite's write lock, PostgreSQL's advisory lock).
pub(crate) fn migrate(db: &mut Db) -> Result<Migrate, DbError> {
    db.begin()?;
    let out = migrate_in(db);
    match &out {
        Ok(Migrate::Ready) => db.commit()?,
        _ => db.rollback(),
    }
    out
}

fn migrate_in(db: &mut Db) -> Result<Migrate, DbError> {
    let sqlite = db.is_sqlite();
    if !sqlite {
        // One migrator at a time, across every connection (the key is arbitrary, fixed).
        db.exec("SELECT pg_advisory_xact_lock(7254019843)", &[])?;
    }
    let version = match has_meta(db)? {
        true => meta(db, "schema_version")?
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0),
        false => {
            let other = match sqlite {
                true => db.one_int(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                    &[],
                )?,
                false => Some(0),
            }
            .unwrap_or(0);
            if other > 0 {
                return Ok(Migrate::Foreign(format!(
                    "it has {other} tables of another application"
                )));
            }
            db.batch(
                "CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 CREATE TABLE ledger_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL);",
            )?;
            0
        }
    };
    if version > SCHEMA_VERSION {
        return Ok(Migrate::Newer(version));
    }
    let id = match sqlite {
        true => "INTEGER PRIMARY KEY AUTOINCREMENT",
        false => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    };
    for (v, description, ddl) in MIGRATIONS.iter().filter(|(v, ..)| *v > version) {
        db.batch(&ddl.replace("{ID}", id))?;
        db.exec(
            "INSERT INTO ledger_migrations (version, description, applied_at) VALUES ($1, $2, $3)",
            &[(*v).into(), (*description).into(), super::now_unix().into()],
        )?;
        set_meta(db, "schema_version", &v.to_string())?;
    }
    Ok(Migrate::Ready)
}

/// A `ledger_meta` value.
pub(crate) fn meta(db: &mut Db, key: &str) -> Result<Option<String>, DbError> {
    let mut out = None;
    db.each(
        "SELECT value FROM ledger_meta WHERE key = $1",
        &[key.into()],
        |r| {
            out = r.text(0)?;
            Ok(())
        },
    )?;
    Ok(out)
}

/// Sets a `ledger_meta` value.
pub(crate) fn set_meta(db: &mut Db, key: &str, value: &str) -> Result<(), DbError> {
    db.exec(
        "INSERT INTO ledger_meta (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[Value::from(key), Value::from(value)],
    )?;
    Ok(())
}

/// Whether the database has the ledger's `ledger_meta` table.
fn has_meta(db: &mut Db) -> Result<bool, DbError> {
    let n = match db.is_sqlite() {
        true => db.one_int(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'ledger_meta'",
            &[],
        )?,
        false => db.one_int(
            "SELECT COUNT(*) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_name = 'ledger_meta'",
            &[],
        )?,
    };
    Ok(n.unwrap_or(0) > 0)
}

/// The schema version of a database opened read-only, without changing anything.
pub(crate) fn version_read_only(db: &mut Db) -> Result<Option<i64>, DbError> {
    if !has_meta(db)? {
        return Ok(None);
    }
    Ok(meta(db, "schema_version")?.and_then(|v| v.parse().ok()))
}
