//! The owner inventory (`leakhound-inventory.toml`): who owns each credential, what for, until when.
//!
//! Entries are keyed by fingerprint only; the file never holds a secret and is meant to be committed next
//! to the code. Editing goes through `toml_edit` (cargo feature `edit`), so a team's comments and ordering survive
//! `inventory add`.

use std::path::Path;

use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::finding::parse_fingerprint;
use crate::rules::spec::de::{self, Segment};

/// What an inventory says about a credential's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryStatus {
    /// In use (the default).
    #[default]
    Active,
    /// Revoked: any copy still in code or history should be cleaned up.
    Revoked,
    /// A planted canary: finding it is expected, not a leak to rotate.
    Honeytoken,
}

impl EntryStatus {
    /// `active`, `revoked` or `honeytoken`.
    pub fn parse(s: &str) -> Option<EntryStatus> {
        match s {
            "active" => Some(EntryStatus::Active),
            "revoked" => Some(EntryStatus::Revoked),
            "honeytoken" => Some(EntryStatus::Honeytoken),
            _ => None,
        }
    }
}

/// An inventory entry that needs acting on ([`Inventory::check`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attention<'a> {
    /// Past its expiry date.
    Expired {
        /// The entry.
        entry: &'a InventoryEntry,
        /// Its expiry.
        expiry: Date,
        /// Days since.
        days: i64,
    },
    /// Expiring within the window asked for.
    Expiring {
        /// The entry.
        entry: &'a InventoryEntry,
        /// Its expiry.
        expiry: Date,
        /// Days left.
        days: i64,
    },
    /// No finding matches it.
    Stale {
        /// The entry.
        entry: &'a InventoryEntry,
    },
}

/// One `[[credential]]` of the inventory. Deserializing one checks it as [`Inventory::parse`] does: the
/// fingerprint is one (and normalised), the owner is not blank, dates are dates (TOML dates or strings,
/// kept as `YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryEntry {
    /// `sha256:<hex>` of the secret.
    #[serde(deserialize_with = "fingerprint")]
    pub fingerprint: String,
    /// The owning team (required).
    #[serde(deserialize_with = "owner")]
    pub owner: String,
    /// What it is for.
    #[serde(default, deserialize_with = "some_text")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// `prod`, `staging`, `dev`, ...
    #[serde(default, deserialize_with = "some_text")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// When it was created.
    #[serde(default, deserialize_with = "date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When it expires.
    #[serde(default, deserialize_with = "date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Its status (default `active`).
    #[serde(default, deserialize_with = "status")]
    pub status: EntryStatus,
    /// When it was revoked (`status` is then `revoked`): with the first exposure, the time to revoke.
    #[serde(default, deserialize_with = "date")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
    /// A ticket or link.
    #[serde(default, deserialize_with = "some_text")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

/// A string; a TOML date or date-time is taken as written (`toml::Value` hands one over as a string,
/// a deserializer reading TOML text as a `Datetime`).
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match toml::Value::deserialize(d)? {
        toml::Value::String(s) => Ok(s),
        toml::Value::Datetime(t) => Ok(t.to_string()),
        other => Err(D::Error::custom(format!(
            "expected a string, found {}",
            other.type_str()
        ))),
    }
}

fn some_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    text(d).map(Some)
}

fn fingerprint<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    parse_fingerprint(&text(d)?)
        .map_err(|why| D::Error::custom(format!("{why}; never put the secret itself here")))
}

fn owner<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Some(text(d)?)
        .filter(|o| !o.trim().is_empty())
        .ok_or_else(|| D::Error::custom(MISSING_OWNER))
}

fn status<'de, D: Deserializer<'de>>(d: D) -> Result<EntryStatus, D::Error> {
    let s = text(d)?;
    EntryStatus::parse(&s)
        .ok_or_else(|| D::Error::custom(format!("{s:?} is not active, revoked or honeytoken")))
}

fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = text(d)?;
    match Date::parse(&s) {
        Some(date) => Ok(Some(date.to_string())),
        None => Err(D::Error::custom(format!(
            "{s:?} is not a date (YYYY-MM-DD)"
        ))),
    }
}

const MISSING_OWNER: &str = "missing (every credential needs an owner)";

/// The inventory file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    credential: Vec<InventoryEntry>,
}

impl InventoryEntry {
    /// The expiry as a date.
    pub fn expiry(&self) -> Option<Date> {
        self.expires.as_deref().and_then(Date::parse)
    }
}

/// A parsed inventory.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// The entries, in file order.
    pub entries: Vec<InventoryEntry>,
}

/// An inventory that cannot be used: names the file, the entry and the field.
#[derive(Debug, thiserror::Error)]
#[error("{file}{}{}: {message}", .entry.as_ref().map(|e| format!(": {e}")).unwrap_or_default(), .field.as_ref().map(|f| format!(": field `{f}`")).unwrap_or_default())]
pub struct InventoryError {
    /// The inventory file.
    pub file: String,
    /// The entry (`credential #N` or its fingerprint).
    pub entry: Option<String>,
    /// The field.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// The fields of an entry, as an unknown field's error lists them.
const FIELDS: [&str; 9] = [
    "fingerprint",
    "owner",
    "purpose",
    "environment",
    "created",
    "expires",
    "status",
    "revoked",
    "ticket",
];

/// The fields an entry cannot go without, in the order their absence is reported.
const REQUIRED: [&str; 2] = ["fingerprint", "owner"];

/// How errors name entry `i` (from 0): by its fingerprint only when that is one, as a malformed value
/// may be the secret itself, pasted in the wrong place.
fn entry_name(doc: &toml::Table, i: usize) -> String {
    let fingerprint = doc
        .get("credential")
        .and_then(|list| list.get(i))
        .and_then(|entry| entry.get("fingerprint"))
        .and_then(toml::Value::as_str)
        .and_then(|fp| parse_fingerprint(fp).ok());
    match fingerprint {
        Some(fp) => format!("credential #{} ({fp})", i + 1),
        None => format!("credential #{}", i + 1),
    }
}

/// The inventory error for a deserialization error of `doc`. Every known field's value is read by one
/// of the functions above, whose messages are the inventory's own; the other errors are worded here
/// from where they are: an unknown key or field, a `credential` that is not a list, a missing field.
fn deserialize_error(file: &str, doc: &toml::Table, e: &de::FieldError) -> InventoryError {
    let mut keys = e.path.iter().filter_map(|s| match s {
        Segment::Key(key) => Some(key.as_str()),
        Segment::Index(_) => None,
    });
    let (key, field) = (keys.next().unwrap_or_default(), keys.next());
    let index = e.path.iter().find_map(|s| match s {
        Segment::Index(i) => Some(*i),
        Segment::Key(_) => None,
    });
    let (entry, field, message) = match (index, field) {
        _ if key != "credential" => (
            None,
            Some(key),
            "unknown key (an inventory is a list of [[credential]])".to_owned(),
        ),
        (None, _) => (None, Some(key), "expected [[credential]] tables".to_owned()),
        (Some(i), Some(f)) if !FIELDS.contains(&f) => (
            Some(i),
            Some(f),
            format!("unknown field (known: {})", FIELDS.join(", ")),
        ),
        (Some(i), Some(f)) => (Some(i), Some(f), e.message.clone()),
        // Not a field's value: a required field is missing.
        (Some(i), None) => {
            let entry = doc.get("credential").and_then(|list| list.get(i));
            let absent = REQUIRED
                .into_iter()
                .find(|f| entry.is_some_and(|t| t.get(f).is_none()));
            let message = match absent {
                Some("owner") => MISSING_OWNER,
                _ => "missing",
            };
            (Some(i), absent, message.to_owned())
        }
    };
    InventoryError {
        file: file.to_owned(),
        entry: entry.map(|i| entry_name(doc, i)),
        field: field.map(str::to_owned),
        message,
    }
}

impl Inventory {
    /// Reads an inventory file.
    ///
    /// # Errors
    /// [`InventoryError`] naming the file, the entry and the field.
    pub fn load(path: &Path) -> Result<Inventory, InventoryError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| InventoryError {
            file: file.clone(),
            entry: None,
            field: None,
            message: format!("cannot read: {e}"),
        })?;
        Inventory::parse(&file, &text)
    }

    /// Parses inventory text; `file` names it in errors.
    ///
    /// # Errors
    /// [`InventoryError`] naming the file, the entry and the field.
    ///
    /// ```
    /// use leakhound_core::Inventory;
    /// let fp = leakhound_core::fingerprint(b"x");
    /// let inv = Inventory::parse("inv.toml", &format!("[[credential]]\nfingerprint = \"{fp}\"\nowner = \"team-pay\"\nexpires = 2027-01-31\n")).unwrap();
    /// assert_eq!(inv.entries[0].owner, "team-pay");
    /// let err = Inventory::parse("inv.toml", &format!("[[credential]]\nfingerprint = \"{fp}\"\n")).unwrap_err();
    /// assert_eq!(err.to_string(), format!("inv.toml: credential #1 ({fp}): field `owner`: missing (every credential needs an owner)"));
    /// // A fingerprint that is not one is named by position, never echoed.
    /// let err = Inventory::parse("inv.toml", "[[credential]]\nfingerprint = \"sha256:zz\"\nowner = \"t\"\n").unwrap_err();
    /// assert!(err.to_string().starts_with("inv.toml: credential #1: field `fingerprint`: not a fingerprint"));
    /// assert!(!err.to_string().contains("zz"));
    /// ```
    pub fn parse(file: &str, text: &str) -> Result<Inventory, InventoryError> {
        let err = |entry: Option<String>, field: Option<&str>, message: String| InventoryError {
            file: file.to_owned(),
            entry,
            field: field.map(str::to_owned),
            message,
        };
        let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            err(None, None, crate::rules::spec::one_line(&e.to_string()))
        })?;
        // An entry must be a table: serde's derived structs would also read an array, field by field.
        let entries = doc.get("credential").and_then(toml::Value::as_array);
        if let Some(i) = entries.and_then(|list| list.iter().position(|e| !e.is_table())) {
            return Err(err(Some(entry_name(&doc, i)), None, "not a table".into()));
        }
        let written = File::deserialize(de::Value::new(toml::Value::Table(doc.clone())))
            .map_err(|e| deserialize_error(file, &doc, &e))?;
        // A revocation date says the credential was revoked: an `active` status contradicts it.
        if let Some(i) = written
            .credential
            .iter()
            .position(|e| e.revoked.is_some() && e.status == EntryStatus::Active)
        {
            return Err(err(
                Some(entry_name(&doc, i)),
                Some("revoked"),
                "a revocation date on an active credential: set `status = \"revoked\"` too, or \
                 remove the date"
                    .into(),
            ));
        }
        Ok(Inventory {
            entries: written.credential,
        })
    }

    /// The entry for a fingerprint.
    pub fn get(&self, fingerprint: &str) -> Option<&InventoryEntry> {
        self.entries.iter().find(|e| e.fingerprint == fingerprint)
    }

    /// What needs acting on, entry by entry in file order: expired entries, entries expiring within
    /// `within` days of `today`, and stale entries (no fingerprint of `found` matches them: revoked and
    /// cleaned up, or the scan missed them).
    ///
    /// ```
    /// use leakhound_core::inventory::{Attention, Inventory};
    /// use leakhound_core::Date;
    ///
    /// let fp = format!("sha256:{}", "ab".repeat(32));
    /// let toml = format!("[[credential]]\nfingerprint = \"{fp}\"\nowner = \"@a\"\nexpires = \"2026-01-10\"\n");
    /// let inv = Inventory::parse("inv.toml", &toml).unwrap();
    /// let today = Date::parse("2026-01-01").unwrap();
    /// let due = inv.check(&[fp.clone()], today, 30);
    /// assert!(matches!(due[..], [Attention::Expiring { days: 9, .. }]));
    /// assert!(matches!(inv.check(&[], today, 5)[..], [Attention::Stale { .. }]));
    /// ```
    pub fn check(&self, found: &[String], today: Date, within: i64) -> Vec<Attention<'_>> {
        let mut out = Vec::new();
        for entry in &self.entries {
            if let Some(expiry) = entry.expiry() {
                let days = expiry.days() - today.days();
                if days < 0 {
                    out.push(Attention::Expired {
                        entry,
                        expiry,
                        days: -days,
                    });
                } else if days <= within {
                    out.push(Attention::Expiring {
                        entry,
                        expiry,
                        days,
                    });
                }
            }
            if !found.contains(&entry.fingerprint) {
                out.push(Attention::Stale { entry });
            }
        }
        out
    }
}

/// The fields written as TOML dates.
#[cfg(feature = "edit")]
const DATE_FIELDS: [&str; 3] = ["created", "expires", "revoked"];

/// Why [`set_revoked`] did not record a revocation.
#[cfg(feature = "edit")]
#[derive(Debug, thiserror::Error)]
pub enum SetRevokedError {
    /// The credential has no entry: one needs an owner, which only the caller knows.
    #[error("{file}: {fingerprint} is not in the inventory: add it first, with its owner (`leakhound inventory add --fingerprint {fingerprint} --owner TEAM --status revoked`)")]
    NotInInventory {
        /// The inventory file.
        file: String,
        /// The credential's fingerprint.
        fingerprint: String,
    },
    /// The inventory cannot be read, parsed or written, or the fingerprint is not one.
    #[error(transparent)]
    Inventory(#[from] InventoryError),
}

/// Records a revocation in the inventory file at `path`: sets `status = "revoked"` and `revoked = DATE`
/// on the entry for `fingerprint`, keeping the file's comments, layout and order (a comment after the
/// old status stays). An entry is never created here: every entry needs an owner, and
/// [`SetRevokedError::NotInInventory`] says to add one ([`add_entry`] with `status` revoked and
/// `revoked` set does both).
///
/// # Errors
/// [`SetRevokedError`]: no entry, or the file cannot be read, parsed or written.
///
/// ```
/// use leakhound_core::{fingerprint, inventory::{set_revoked, SetRevokedError}, Date, Inventory};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("inv.toml");
/// let fp = fingerprint(b"x");
/// std::fs::write(&path, format!("# keys\n[[credential]]\nfingerprint = \"{fp}\"\nowner = \"@pay\" # team\n")).unwrap();
/// set_revoked(&path, &fp, Date::parse("2026-03-01").unwrap()).unwrap();
/// let text = std::fs::read_to_string(&path).unwrap();
/// assert!(text.starts_with("# keys\n") && text.contains("owner = \"@pay\" # team\n"));
/// assert_eq!(Inventory::load(&path).unwrap().entries[0].revoked.as_deref(), Some("2026-03-01"));
/// let other = fingerprint(b"y");
/// assert!(matches!(set_revoked(&path, &other, Date::today()), Err(SetRevokedError::NotInInventory { .. })));
/// ```
#[cfg(feature = "edit")]
pub fn set_revoked(path: &Path, fingerprint: &str, date: Date) -> Result<(), SetRevokedError> {
    use toml_edit::{value, DocumentMut, Item, Value};
    let file = path.display().to_string();
    let fail = |field: Option<&str>, message: String| InventoryError {
        file: file.clone(),
        entry: None,
        field: field.map(str::to_owned),
        message,
    };
    let fingerprint =
        parse_fingerprint(fingerprint).map_err(|why| fail(Some("fingerprint"), why.to_string()))?;
    let not_there = || SetRevokedError::NotInInventory {
        file: file.clone(),
        fingerprint: fingerprint.clone(),
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(not_there()),
        Err(e) => return Err(fail(None, format!("cannot read: {e}")).into()),
    };
    // Validate what is there first: never rewrite a file we could not read correctly.
    Inventory::parse(&file, &text)?;
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        fail(None, crate::rules::spec::one_line(&e.to_string()))
    })?;
    let table = doc
        .get_mut("credential")
        .and_then(Item::as_array_of_tables_mut)
        .and_then(|array| {
            array.iter_mut().find(|t| {
                t.get("fingerprint")
                    .and_then(|v| v.as_str())
                    .and_then(|fp| parse_fingerprint(fp).ok())
                    .as_deref()
                    == Some(fingerprint.as_str())
            })
        })
        .ok_or_else(not_there)?;
    let date: Value = date
        .to_string()
        .parse::<toml_edit::Datetime>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(date.to_string()));
    for (key, new) in [("status", Value::from("revoked")), ("revoked", date)] {
        match table.get_mut(key).and_then(Item::as_value_mut) {
            // In place: the comment after the old value stays.
            Some(old) => {
                let decor = old.decor().clone();
                *old = new;
                *old.decor_mut() = decor;
            }
            None => {
                table.insert(key, value(new));
            }
        }
    }
    std::fs::write(path, doc.to_string()).map_err(|e| fail(None, format!("cannot write: {e}")))?;
    Ok(())
}

/// Appends an entry to the inventory file at `path` (created if missing), keeping the file's comments,
/// layout and order. An entry with the same fingerprint is updated in place instead.
///
/// # Errors
/// [`InventoryError`] naming the file when it cannot be read, parsed or written.
#[cfg(feature = "edit")]
pub fn add_entry(path: &Path, entry: &InventoryEntry) -> Result<(), InventoryError> {
    use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};
    let file = path.display().to_string();
    let fail = |message: String| InventoryError {
        file: file.clone(),
        entry: None,
        field: None,
        message,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(fail(format!("cannot read: {e}"))),
    };
    let fingerprint = parse_fingerprint(&entry.fingerprint).map_err(|why| InventoryError {
        file: file.clone(),
        entry: None,
        field: Some("fingerprint".into()),
        message: why.to_string(),
    })?;
    // Validate what is there first: never rewrite a file we could not read correctly.
    Inventory::parse(&file, &text)?;
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| fail(crate::rules::spec::one_line(&e.to_string())))?;
    let creds = doc
        .entry("credential")
        .or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
    let array = creds
        .as_array_of_tables_mut()
        .ok_or_else(|| fail("`credential` is not [[credential]]".into()))?;
    let existing = array.iter_mut().find(|t| {
        t.get("fingerprint")
            .and_then(|v| v.as_str())
            .and_then(|fp| parse_fingerprint(fp).ok())
            .as_deref()
            == Some(fingerprint.as_str())
    });
    let mut fresh = Table::new();
    let table = match existing {
        Some(t) => t,
        None => {
            fresh.insert("fingerprint", value(fingerprint.as_str()));
            &mut fresh
        }
    };
    table.insert("owner", value(entry.owner.as_str()));
    let optional = [
        ("purpose", &entry.purpose),
        ("environment", &entry.environment),
        ("created", &entry.created),
        ("expires", &entry.expires),
        ("revoked", &entry.revoked),
        ("ticket", &entry.ticket),
    ];
    for (k, v) in optional {
        if let Some(v) = v {
            let item = match Date::parse(v).filter(|_| DATE_FIELDS.contains(&k)) {
                // TOML dates, as people write them by hand.
                Some(_) => v
                    .parse::<toml_edit::Datetime>()
                    .map(value)
                    .unwrap_or_else(|_| value(v.as_str())),
                None => value(v.as_str()),
            };
            table.insert(k, item);
        }
    }
    let status = match entry.status {
        EntryStatus::Active => "active",
        EntryStatus::Revoked => "revoked",
        EntryStatus::Honeytoken => "honeytoken",
    };
    table.insert("status", value(status));
    if !fresh.is_empty() {
        array.push(fresh);
    }
    std::fs::write(path, doc.to_string()).map_err(|e| fail(format!("cannot write: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: a raw token where the fingerprint belongs was echoed in the error (and `sha256:zz`
    /// was accepted). No error about an entry may print the value found there.
    #[test]
    fn errors_never_echo_a_malformed_fingerprint() {
        let secret = "glpat-Hq3Zr8xK2mVb7NcT1pWd"; // leakhound:allow (test token)
        for text in [
            format!("[[credential]]\nfingerprint = \"{secret}\"\nowner = \"t\"\n"),
            format!("[[credential]]\nfingerprint = \"sha256:{secret}\"\nowner = \"t\"\n"),
            // Another field's error names the entry: not by a fingerprint that is not one.
            format!("[[credential]]\nfingerprint = \"{secret}\"\n"),
            format!(
                "[[credential]]\nfingerprint = \"{secret}\"\nowner = \"t\"\nstatus = \"gone\"\n"
            ),
            // A TOML syntax error on the secret's line: the parser's snippet must not come through.
            format!("[[credential]]\nfingerprint = {secret}\nowner = \"t\"\n"),
        ] {
            let err = Inventory::parse("inv.toml", &text).unwrap_err().to_string();
            assert!(!err.contains("Hq3Zr8"), "{err}");
            assert!(err.starts_with("inv.toml"), "{err}");
        }
        let short = "[[credential]]\nfingerprint = \"sha256:zz\"\nowner = \"t\"\n";
        assert!(Inventory::parse("inv.toml", short).is_err());
    }

    #[cfg(feature = "edit")]
    #[test]
    fn add_entry_refuses_a_value_that_is_not_a_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inv.toml");
        let entry = InventoryEntry {
            fingerprint: "glpat-Hq3Zr8xK2mVb7NcT1pWd".into(), // leakhound:allow (test token)
            owner: "t".into(),
            purpose: None,
            environment: None,
            created: None,
            expires: None,
            status: EntryStatus::Active,
            revoked: None,
            ticket: None,
        };
        let err = add_entry(&path, &entry).unwrap_err().to_string();
        assert!(!err.contains("Hq3Zr8"), "{err}");
        assert!(!path.exists());
        let upper = crate::fingerprint(b"x")
            .to_uppercase()
            .replace("SHA256", "sha256");
        add_entry(
            &path,
            &InventoryEntry {
                fingerprint: upper,
                ..entry
            },
        )
        .unwrap();
        let inv = Inventory::load(&path).unwrap();
        assert_eq!(inv.entries[0].fingerprint, crate::fingerprint(b"x"));
    }

    /// The messages name the file, the entry and the field, worded as before serde read the file
    /// (issue 13).
    #[test]
    fn errors_name_file_entry_and_field() {
        let fp = crate::fingerprint(b"x");
        let entry = format!("[[credential]]\nfingerprint = \"{fp}\"\n");
        for (text, want) in [
            ("x = 1".to_owned(), "field `x`: unknown key (an inventory is a list of [[credential]])".to_owned()),
            ("[credential]\nowner = 't'".into(), "field `credential`: expected [[credential]] tables".into()),
            ("credential = [['t']]".into(), "credential #1: not a table".into()),
            ("[[credential]]\nowner = 't'".into(), "credential #1: field `fingerprint`: missing".into()),
            (format!("{entry}owner = ' '"), format!("credential #1 ({fp}): field `owner`: {MISSING_OWNER}")),
            (format!("{entry}owner = 3"), format!("credential #1 ({fp}): field `owner`: expected a string, found integer")),
            (format!("{entry}owner = 't'\nzz = 1"), format!("credential #1 ({fp}): field `zz`: unknown field (known: {})", FIELDS.join(", "))),
            (format!("{entry}owner = 't'\nstatus = 'gone'"), format!("credential #1 ({fp}): field `status`: \"gone\" is not active, revoked or honeytoken")),
            (format!("{entry}owner = 't'\nexpires = '2027-02-30'"), format!("credential #1 ({fp}): field `expires`: \"2027-02-30\" is not a date (YYYY-MM-DD)")),
        ] {
            let e = Inventory::parse("inv.toml", &text).unwrap_err().to_string();
            assert_eq!(e, format!("inv.toml: {want}"), "{text}");
        }
        let inv = Inventory::parse(
            "inv.toml",
            &format!(
                "{entry}owner = 2026-01-01\ncreated = '2026-01-01T10:00:00Z'\nexpires = 2027-01-31"
            ),
        )
        .unwrap();
        let e = &inv.entries[0];
        assert_eq!(
            (e.owner.as_str(), e.status),
            ("2026-01-01", EntryStatus::Active)
        );
        assert_eq!(
            (e.created.as_deref(), e.expires.as_deref()),
            (Some("2026-01-01"), Some("2027-01-31"))
        );
    }
}
