//! The owner inventory (`leakhound-inventory.toml`): who owns each credential, what for, until when.
//!
//! Entries are keyed by fingerprint only; the file never holds a secret and is meant to be committed next
//! to the code. Editing goes through `toml_edit`, so a team's comments and ordering survive `inventory add`.

use std::path::Path;

use serde::Serialize;

use crate::date::Date;
use crate::finding::parse_fingerprint;

/// What an inventory says about a credential's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryStatus {
    /// In use.
    Active,
    /// Revoked: any copy still in code or history should be cleaned up.
    Revoked,
    /// A planted canary: finding it is expected, not a leak to rotate.
    Honeytoken,
}

impl EntryStatus {
    fn parse(s: &str) -> Option<EntryStatus> {
        match s {
            "active" => Some(EntryStatus::Active),
            "revoked" => Some(EntryStatus::Revoked),
            "honeytoken" => Some(EntryStatus::Honeytoken),
            _ => None,
        }
    }
}

/// One `[[credential]]` of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InventoryEntry {
    /// `sha256:<hex>` of the secret.
    pub fingerprint: String,
    /// The owning team (required).
    pub owner: String,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// `prod`, `staging`, `dev`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// When it was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When it expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Its status (default `active`).
    pub status: EntryStatus,
    /// A ticket or link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
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

const FIELDS: [&str; 8] = [
    "fingerprint",
    "owner",
    "purpose",
    "environment",
    "created",
    "expires",
    "status",
    "ticket",
];

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
        let mut entries = Vec::new();
        for (key, value) in &doc {
            if key != "credential" {
                return Err(err(
                    None,
                    Some(key),
                    "unknown key (an inventory is a list of [[credential]])".into(),
                ));
            }
            let list = value
                .as_array()
                .ok_or_else(|| err(None, Some(key), "expected [[credential]] tables".into()))?;
            for (i, item) in list.iter().enumerate() {
                let t = item.as_table().ok_or_else(|| {
                    err(
                        Some(format!("credential #{}", i + 1)),
                        None,
                        "not a table".into(),
                    )
                })?;
                // The entry is named by its fingerprint only when that is one: a malformed value may be
                // the secret itself, pasted in the wrong place.
                let valid_fp = t
                    .get("fingerprint")
                    .and_then(|v| v.as_str())
                    .and_then(|fp| parse_fingerprint(fp).ok());
                let name = match &valid_fp {
                    Some(fp) => format!("credential #{} ({fp})", i + 1),
                    None => format!("credential #{}", i + 1),
                };
                let e = |field: &str, msg: String| err(Some(name.clone()), Some(field), msg);
                for k in t.keys() {
                    if !FIELDS.contains(&k.as_str()) {
                        return Err(e(
                            k,
                            format!("unknown field (known: {})", FIELDS.join(", ")),
                        ));
                    }
                }
                let string = |field: &str| -> Result<Option<String>, InventoryError> {
                    match t.get(field) {
                        None => Ok(None),
                        Some(v) => match v {
                            toml::Value::String(s) => Ok(Some(s.clone())),
                            toml::Value::Datetime(d) => Ok(Some(d.to_string())),
                            other => Err(e(
                                field,
                                format!("expected a string, found {}", other.type_str()),
                            )),
                        },
                    }
                };
                let fingerprint = match t.get("fingerprint") {
                    None => return Err(e("fingerprint", "missing".into())),
                    Some(toml::Value::String(fp)) => parse_fingerprint(fp).map_err(|why| {
                        e(
                            "fingerprint",
                            format!("{why}; never put the secret itself here"),
                        )
                    })?,
                    Some(other) => {
                        return Err(e(
                            "fingerprint",
                            format!("expected a string, found {}", other.type_str()),
                        ))
                    }
                };
                let owner = string("owner")?
                    .filter(|o| !o.trim().is_empty())
                    .ok_or_else(|| {
                        e("owner", "missing (every credential needs an owner)".into())
                    })?;
                let status = match string("status")? {
                    None => EntryStatus::Active,
                    Some(s) => EntryStatus::parse(&s).ok_or_else(|| {
                        e(
                            "status",
                            format!("{s:?} is not active, revoked or honeytoken"),
                        )
                    })?,
                };
                let date = |field: &str| -> Result<Option<String>, InventoryError> {
                    let v = string(field)?;
                    if let Some(d) = &v {
                        if Date::parse(d).is_none() {
                            return Err(e(field, format!("{d:?} is not a date (YYYY-MM-DD)")));
                        }
                    }
                    Ok(v.map(|d| d[..10].to_owned()))
                };
                entries.push(InventoryEntry {
                    fingerprint,
                    owner,
                    purpose: string("purpose")?,
                    environment: string("environment")?,
                    created: date("created")?,
                    expires: date("expires")?,
                    status,
                    ticket: string("ticket")?,
                });
            }
        }
        Ok(Inventory { entries })
    }

    /// The entry for a fingerprint.
    pub fn get(&self, fingerprint: &str) -> Option<&InventoryEntry> {
        self.entries.iter().find(|e| e.fingerprint == fingerprint)
    }
}

/// Appends an entry to the inventory file at `path` (created if missing), keeping the file's comments,
/// layout and order. An entry with the same fingerprint is updated in place instead.
///
/// # Errors
/// [`InventoryError`] naming the file when it cannot be read, parsed or written.
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
        ("ticket", &entry.ticket),
    ];
    for (k, v) in optional {
        if let Some(v) = v {
            let item = match Date::parse(v).filter(|_| k == "created" || k == "expires") {
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
}
