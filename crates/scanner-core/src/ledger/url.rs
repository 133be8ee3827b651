//! Where a ledger lives: `sqlite:PATH` (or a path) or `postgres://…`.

use std::fmt;
use std::path::{Path, PathBuf};

/// A ledger's location.
///
/// ```
/// use leakhound_core::ledger::LedgerUrl;
/// let u: LedgerUrl = "sqlite:/var/lib/leakhound/ledger.sqlite".parse().unwrap();
/// assert_eq!(u, LedgerUrl::Sqlite("/var/lib/leakhound/ledger.sqlite".into()));
/// let p: LedgerUrl = "postgres://scanner:s3cret@db.internal/ledger".parse().unwrap(); // leakhound:allow (a documentation password)
/// assert_eq!(p.to_string(), "postgres://scanner@db.internal/ledger"); // never the password
/// assert!("mysql://x".parse::<LedgerUrl>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum LedgerUrl {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://` or `postgresql://`, or `key=value` pairs after
    /// `postgres:`).
    Postgres(String),
}

/// A ledger location that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// An unknown scheme.
    #[error("unsupported ledger {0:?}: use sqlite:PATH, a path to a .sqlite file, or postgres://USER@HOST/DB")]
    Scheme(String),
    /// `sqlite:` with no path and no home directory to put the default in.
    #[error("no default ledger location: set XDG_DATA_HOME or HOME, or give sqlite:PATH")]
    NoDefault,
}

impl LedgerUrl {
    /// The default ledger: `$XDG_DATA_HOME/leakhound/ledger.sqlite`, else
    /// `~/.local/share/leakhound/ledger.sqlite`.
    pub fn default_sqlite() -> Result<LedgerUrl, UrlError> {
        let data = std::env::var_os("XDG_DATA_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| Path::new(&h).join(".local/share"))
            })
            .ok_or(UrlError::NoDefault)?;
        Ok(LedgerUrl::Sqlite(
            data.join("leakhound").join("ledger.sqlite"),
        ))
    }
}

impl std::str::FromStr for LedgerUrl {
    type Err = UrlError;

    fn from_str(s: &str) -> Result<LedgerUrl, UrlError> {
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(LedgerUrl::Postgres(s.to_string()));
        }
        if let Some(rest) = s.strip_prefix("postgres:") {
            return Ok(LedgerUrl::Postgres(rest.trim().to_string()));
        }
        if let Some(rest) = s.strip_prefix("sqlite://") {
            return Ok(LedgerUrl::Sqlite(PathBuf::from(rest)));
        }
        if let Some(rest) = s.strip_prefix("sqlite:") {
            return match rest {
                "" => LedgerUrl::default_sqlite(),
                p => Ok(LedgerUrl::Sqlite(PathBuf::from(p))),
            };
        }
        if s == "default" {
            return LedgerUrl::default_sqlite();
        }
        // A plain path; anything that looks like another scheme is refused rather than made a file.
        match s.split_once("://") {
            Some(_) => Err(UrlError::Scheme(
                s.split("://").next().unwrap_or("").to_string(),
            )),
            None if s.is_empty() => Err(UrlError::Scheme(String::new())),
            None => Ok(LedgerUrl::Sqlite(PathBuf::from(s))),
        }
    }
}

impl fmt::Display for LedgerUrl {
    /// The location without a password (`postgres://user@host/db`, `sqlite:/path`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LedgerUrl::Sqlite(p) => write!(f, "sqlite:{}", p.display()),
            LedgerUrl::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

impl fmt::Debug for LedgerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A connection string with any password removed (URL userinfo, `password=` pairs, query parameters).
fn without_password(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let (authority, tail) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let authority = match authority.rsplit_once('@') {
            Some((user, host)) => {
                let user = user.split(':').next().unwrap_or("");
                format!("{user}@{host}")
            }
            None => authority.to_string(),
        };
        let tail = match tail.split_once('?') {
            Some((path, query)) => {
                let kept: Vec<&str> = query
                    .split('&')
                    .filter(|kv| !kv.to_ascii_lowercase().starts_with("password="))
                    .collect();
                match kept.is_empty() {
                    true => path.to_string(),
                    false => format!("{path}?{}", kept.join("&")),
                }
            }
            None => tail.to_string(),
        };
        return format!("{scheme}://{authority}{tail}");
    }
    let kept: Vec<&str> = url
        .split_whitespace()
        .filter(|kv| !kv.to_ascii_lowercase().starts_with("password="))
        .collect();
    format!("postgres:{}", kept.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        for (url, shown) in [
            ("postgres://u:pw@h:5432/db", "postgres://u@h:5432/db"),
            (
                "postgresql://u:pw@h/db?sslmode=disable&password=pw",
                "postgresql://u@h/db?sslmode=disable",
            ),
            (
                "postgres:host=h user=u password=pw dbname=d",
                "postgres:host=h user=u dbname=d",
            ),
            ("postgres://h/db", "postgres://h/db"),
        ] {
            let u: LedgerUrl = url.parse().unwrap();
            assert_eq!(u.to_string(), shown);
            assert!(!format!("{u:?}").contains("pw"));
        }
    }

    #[test]
    fn paths_and_schemes() {
        assert_eq!(
            "l.db".parse::<LedgerUrl>().unwrap(),
            LedgerUrl::Sqlite("l.db".into())
        );
        assert_eq!(
            "sqlite:///tmp/l.db".parse::<LedgerUrl>().unwrap(),
            LedgerUrl::Sqlite("/tmp/l.db".into())
        );
        assert!(
            matches!("mysql://h/db".parse::<LedgerUrl>(), Err(UrlError::Scheme(s)) if s == "mysql")
        );
        assert!("".parse::<LedgerUrl>().is_err());
    }
}
