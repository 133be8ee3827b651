//! The two databases behind one small interface: statements with `$1…` parameters (SQLite reads them
//! positionally too), typed rows read by index, explicit transactions. The SQL is written once for both.

use std::time::Duration;

/// A parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Real(f64),
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Value {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(Some(v.to_string()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(Some(v))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Value {
        Value::Text(v)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Value {
        Value::Text(v.map(str::to_string))
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Real(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Int(Some(i64::from(v)))
    }
}

/// A database error, from either driver.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite's.
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL's.
    #[cfg(feature = "ledger-postgres")]
    #[error("{}", postgres_message(.0))]
    Postgres(#[from] postgres::Error),
}

/// PostgreSQL's message on one line: the server's own text when it sent one.
#[cfg(feature = "ledger-postgres")]
fn postgres_message(e: &postgres::Error) -> String {
    use std::error::Error as _;
    let mut msg = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => e.to_string(),
    };
    if e.as_db_error().is_none() {
        if let Some(src) = e.source() {
            msg = format!("{msg}: {src}");
        }
    }
    msg.replace('\n', " ")
}

impl DbError {
    /// SQLite says another connection holds the lock it needs.
    pub(crate) fn is_busy(&self) -> bool {
        matches!(self, DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
    }

    /// SQLite says the file is not a database.
    pub(crate) fn is_not_a_database(&self) -> bool {
        matches!(self, DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase)
    }
}

/// A row, read by column index.
pub(crate) trait Row {
    fn int(&self, i: usize) -> Result<Option<i64>, DbError>;
    /// A text column borrowed from the row (no allocation).
    fn text_ref(&self, i: usize) -> Result<Option<&str>, DbError>;
    fn text(&self, i: usize) -> Result<Option<String>, DbError>;
    fn real(&self, i: usize) -> Result<Option<f64>, DbError>;
}

impl Row for rusqlite::Row<'_> {
    fn int(&self, i: usize) -> Result<Option<i64>, DbError> {
        Ok(self.get(i)?)
    }
    fn text_ref(&self, i: usize) -> Result<Option<&str>, DbError> {
        use rusqlite::types::FromSqlError;
        self.get_ref(i)?
            .as_str_or_null()
            .map_err(|e: FromSqlError| {
                DbError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
                    i,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                ))
            })
    }
    fn text(&self, i: usize) -> Result<Option<String>, DbError> {
        Ok(self.get(i)?)
    }
    fn real(&self, i: usize) -> Result<Option<f64>, DbError> {
        Ok(self.get(i)?)
    }
}

#[cfg(feature = "ledger-postgres")]
impl Row for postgres::Row {
    fn int(&self, i: usize) -> Result<Option<i64>, DbError> {
        Ok(self.try_get(i)?)
    }
    fn text_ref(&self, i: usize) -> Result<Option<&str>, DbError> {
        Ok(self.try_get(i)?)
    }
    fn text(&self, i: usize) -> Result<Option<String>, DbError> {
        Ok(self.try_get(i)?)
    }
    fn real(&self, i: usize) -> Result<Option<f64>, DbError> {
        Ok(self.try_get(i)?)
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Value::Int(Some(v)) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Text(Some(v)) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Value::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            Value::Int(None) | Value::Text(None) => ToSqlOutput::Borrowed(ValueRef::Null),
        })
    }
}

#[cfg(feature = "ledger-postgres")]
impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Int(v) => v.to_sql(ty, out),
            Value::Text(v) => v.as_deref().to_sql(ty, out),
            Value::Real(v) => v.to_sql(ty, out),
        }
    }
    fn accepts(ty: &postgres::types::Type) -> bool {
        <Option<i64> as postgres::types::ToSql>::accepts(ty)
            || <Option<&str> as postgres::types::ToSql>::accepts(ty)
            || <f64 as postgres::types::ToSql>::accepts(ty)
    }
    postgres::types::to_sql_checked!();
}

/// A connection.
pub(crate) enum Db {
    Sqlite(rusqlite::Connection),
    #[cfg(feature = "ledger-postgres")]
    Postgres(Box<postgres::Client>),
}

/// How long a SQLite writer waits for another to finish before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

impl Db {
    /// Opens a SQLite file: for writing (created if missing) or read-only.
    pub(crate) fn sqlite(path: &std::path::Path, write: bool) -> Result<Db, DbError> {
        use rusqlite::OpenFlags;
        let flags = match write {
            true => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            false => OpenFlags::SQLITE_OPEN_READ_ONLY,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = rusqlite::Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(Db::Sqlite(conn))
    }

    /// Connects to PostgreSQL (no TLS).
    #[cfg(feature = "ledger-postgres")]
    pub(crate) fn postgres(url: &str) -> Result<Db, DbError> {
        let mut config: postgres::Config = url.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        config.application_name("leakhound");
        Ok(Db::Postgres(Box::new(config.connect(postgres::NoTls)?)))
    }

    pub(crate) fn is_sqlite(&self) -> bool {
        matches!(self, Db::Sqlite(_))
    }

    /// Runs statements without parameters.
    pub(crate) fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        match self {
            Db::Sqlite(c) => c.execute_batch(sql)?,
            #[cfg(feature = "ledger-postgres")]
            Db::Postgres(c) => c.batch_execute(sql)?,
        }
        Ok(())
    }

    /// Begins a transaction that writes (SQLite takes the write lock now, waiting for other writers).
    pub(crate) fn begin(&mut self) -> Result<(), DbError> {
        match self.is_sqlite() {
            true => self.batch("BEGIN IMMEDIATE"),
            false => self.batch("BEGIN"),
        }
    }

    pub(crate) fn commit(&mut self) -> Result<(), DbError> {
        self.batch("COMMIT")
    }

    /// Rolls back, ignoring a failure (the connection is dropped after).
    pub(crate) fn rollback(&mut self) {
        let _ = self.batch("ROLLBACK");
    }

    /// Runs one statement; returns the rows changed.
    pub(crate) fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        match self {
            Db::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                Ok(st.execute(rusqlite::params_from_iter(params.iter()))? as u64)
            }
            #[cfg(feature = "ledger-postgres")]
            Db::Postgres(c) => {
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as _).collect();
                Ok(c.execute(sql, &refs)?)
            }
        }
    }

    /// Runs a query, calling `f` for each row.
    pub(crate) fn each(
        &mut self,
        sql: &str,
        params: &[Value],
        mut f: impl FnMut(&dyn Row) -> Result<(), DbError>,
    ) -> Result<(), DbError> {
        match self {
            Db::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
                while let Some(row) = rows.next()? {
                    f(row)?;
                }
            }
            #[cfg(feature = "ledger-postgres")]
            Db::Postgres(c) => {
                use postgres::fallible_iterator::FallibleIterator as _;
                let mut rows = c.query_raw(sql, params.iter())?;
                while let Some(row) = rows.next()? {
                    f(&row)?;
                }
            }
        }
        Ok(())
    }

    /// The first column of the first row as an integer.
    pub(crate) fn one_int(&mut self, sql: &str, params: &[Value]) -> Result<Option<i64>, DbError> {
        let mut out = None;
        self.each(sql, params, |r| {
            if out.is_none() {
                out = r.int(0)?;
            }
            Ok(())
        })?;
        Ok(out)
    }
}
