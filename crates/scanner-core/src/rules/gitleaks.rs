//! Imports a gitleaks (or Betterleaks) configuration, so a team's custom gitleaks rules run unchanged.
//!
//! The importer reads the TOML through serde types and returns leakhound rule specs ([`RuleSpec`], with
//! what leakhound's format has no field for beside them), which the rules module compiles like any rule
//! file ([`translate`] does both, into a [`RuleSet`]). It reports, as [`RuleWarning`]s, every field that
//! leakhound does not apply as written. Nothing is dropped silently: a warning names the file, the rule
//! and the field. Where a field cannot be honoured, leakhound errs towards reporting more than gitleaks
//! would, never less.
//!
//! | gitleaks | leakhound |
//! |---|---|
//! | `id`, `description` (default: the id) | rule id (kept as written, not forced to kebab-case) and description |
//! | (no severity) | `high` |
//! | `regex` | the rule's regex, Rust `regex` syntax, compiled like leakhound's own rules |
//! | `secretGroup` | that group is the secret; without it, the first group that matched something, else the whole match (as gitleaks) |
//! | `entropy` | minimum entropy of the secret (gitleaks drops a secret whose entropy is `<=` the value; so does this) |
//! | `keywords` | prefilter keywords, lowercased; the regex sees 64 KiB on each side of a hit |
//! | no `keywords` | literals every match must contain, derived from the regex; else the regex runs on every file (a warning says it is slow) |
//! | `path` | a regex the file's path must match; with no `regex`, the rule reports matching files themselves |
//! | `tags` | accepted, not reported |
//! | `[rules.allowlist]`, `[[rules.allowlists]]`, `[allowlist]`, `[[allowlists]]` | allowlists: `regexes` with `regexTarget` `secret`/`match`/`line`, `stopwords`, `paths`, `condition` OR/AND, `targetRules` |
//! | allowlist `commits` | warning, ignored; an AND allowlist that has them can never match, so it is dropped |
//! | `[extend] useDefault` | warning: gitleaks' default rules are not imported; leakhound's default pack runs unless `--no-default-rules` |
//! | `[extend] path`, `disabledRules` | warning, ignored |
//! | `[[rules.required]]` (composite rules) | warning: the rule reports its own matches alone |
//! | `skipReport = true` | warning: the rule is not run (gitleaks never reports its matches either) |
//! | `title`, `minVersion` | ignored (informational) |
//!
//! A rule that cannot be loaded (an invalid regex, a field of the wrong type, no `regex` and no `path`)
//! is skipped with a warning, and the other rules still load; a file none of whose rules loads is an
//! error. Go's regex syntax is close to Rust's: `(?i)`, `\b`, `\z`, `(?P<name>…)` mean the same, and
//! look-around and back-references exist in neither. A regex that Rust rejects (`\Q…\E`, octal escapes)
//! is reported with the parser's message.
//!
//! Global allowlists apply to every rule of the scan, leakhound's default pack included, as gitleaks
//! applies them to its default rules. leakhound's placeholder filter and inline `gitleaks:allow` comments
//! apply to imported rules like to any other.

use std::collections::BTreeMap;
use std::fmt;

use regex::bytes::Regex;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Error as _, IgnoredAny, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Value;

use super::allowlist::{Allowlist, Condition, RegexTarget};
use super::literals::derive_keywords;
use super::pattern::{self, build_regex, SecretGroup};
use super::spec::{de, RuleSpec, RuleWarning, SpecError, MAX_WINDOW};
use super::{LoadedRules, RuleError, RuleSet};

/// Whether a parsed TOML document is a gitleaks configuration rather than a leakhound rule file: it has
/// one of gitleaks' top-level keys (`title`, `[extend]`, `[allowlist]`, `[[allowlists]]`), or a
/// `[[rules]]` array none of whose tables has a field only leakhound's format has (`severity`,
/// `examples`, …). leakhound files use `[[rule]]`.
///
/// ```
/// use leakhound_core::gitleaks::is_gitleaks;
/// let doc = |s: &str| s.parse::<toml::Table>().unwrap();
/// assert!(is_gitleaks(&doc("[[rules]]\nid = \"a\"\nregex = 'a_[0-9]{8}'\n")));
/// assert!(is_gitleaks(&doc("[extend]\nuseDefault = true\n")));
/// assert!(!is_gitleaks(&doc("[[rule]]\nid = \"a\"\nseverity = \"high\"\n")));
/// assert!(!is_gitleaks(&doc("[[rules]]\nid = \"a\"\nseverity = \"high\"\n")));
/// ```
pub fn is_gitleaks(doc: &toml::Table) -> bool {
    const GITLEAKS_TOP: [&str; 4] = ["title", "extend", "allowlist", "allowlists"];
    // Every field of leakhound's own rule format that a gitleaks rule does not also have: derived from
    // the format's field list so a new field cannot be forgotten here.
    const SHARED: [&str; 5] = ["id", "description", "keywords", "regex", "entropy"];
    let leakhound_only = || super::spec::FIELDS.iter().filter(|f| !SHARED.contains(f));
    if doc.contains_key("rule") {
        return false;
    }
    if GITLEAKS_TOP.iter().any(|k| doc.contains_key(*k)) {
        return true;
    }
    match doc.get("rules").and_then(Value::as_array) {
        Some(rules) => !rules.iter().any(|r| {
            r.as_table()
                .is_some_and(|t| leakhound_only().any(|k| t.contains_key(*k)))
        }),
        None => false,
    }
}

/// Translates a gitleaks configuration into leakhound rules, with a warning for everything not applied
/// as written. `file` names the configuration in warnings and errors.
///
/// # Errors
/// A [`RuleError`] for invalid TOML, a `rules` key that is not an array of tables, or a file that
/// defines rules none of which could be loaded (the message lists why). Problems with single rules are
/// warnings: the rule is skipped and the others load.
///
/// # Example
/// ```
/// use leakhound_core::{gitleaks, Scanner};
///
/// let config = r#"
/// title = "ACME gitleaks config"
///
/// [[rules]]
/// id = "acme-api-key"
/// description = "ACME API key"
/// regex = '''(?i)(acme_key)\s*=\s*"([a-z0-9]{24})"'''
/// secretGroup = 2
/// keywords = ["acme_key"]
///
///     [[rules.allowlists]]
///     stopwords = ["sandbox"]
///     commits = ["3e1f0c2a9b"]
/// "#;
/// let loaded = gitleaks::translate("gitleaks.toml", config).unwrap();
/// assert_eq!(loaded.rules.len(), 1);
/// assert_eq!(loaded.warnings.len(), 1);
/// assert!(loaded.warnings[0]
///     .to_string()
///     .starts_with("gitleaks.toml: rule `acme-api-key`: field `allowlists.commits`: not supported, ignored ("));
///
/// let scanner = Scanner::new(loaded.rules);
/// let found = scanner.scan_bytes("app.ini", b"ACME_KEY = \"q8r2m5x7c1v9b3n6z4k0w8p2\"\n"); // leakhound:allow
/// assert_eq!(found[0].secret, "q8r2m5x7c1v9b3n6z4k0w8p2");
/// assert_eq!(found[0].severity.as_str(), "high");
/// assert!(scanner.scan_bytes("app.ini", b"acme_key = \"q8r2sandbox5x7c1v9b3n6z4k\"\n").is_empty()); // leakhound:allow
/// ```
pub fn translate(file: &str, text: &str) -> Result<LoadedRules, RuleError> {
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| RuleError {
        file: file.to_owned(),
        rule: None,
        field: None,
        message: super::spec::one_line(&e.to_string()),
    })?;
    let import = import(file, &doc).map_err(|e| RuleError::from_spec(file, e))?;
    RuleSet::from_import(file, text, import)
}

/// A gitleaks configuration in leakhound's terms: rule specs, with what leakhound's format has no field
/// for beside them, and the warnings. [`RuleSet::from_import`] compiles it like any rule file.
#[derive(Debug, Default)]
pub(crate) struct Import {
    /// The rules that load, in file order; a later definition of an id has replaced the earlier one.
    pub rules: Vec<ImportedRule>,
    /// `[allowlist]` and `[[allowlists]]`: they apply to every rule of the scan.
    pub global: Vec<Allowlist>,
    /// Everything not applied as written, in file order.
    pub warnings: Vec<RuleWarning>,
}

/// One imported rule: its spec (severity `high`, the widest window, keywords given or derived), and
/// gitleaks' semantics that leakhound's own format does not have.
#[derive(Debug)]
pub(crate) struct ImportedRule {
    /// The rule in leakhound's terms; an empty `regex` with a `path` reports matching files.
    pub spec: RuleSpec,
    /// `secretGroup`, or the first group that matched something.
    pub secret_group: SecretGroup,
    /// `path`: a regex the file's path must match.
    pub path: Option<Regex>,
    /// The rule's own allowlists.
    pub allowlists: Vec<Allowlist>,
}

/// Translates a parsed gitleaks configuration. Every rule that is kept has been checked as the rules
/// module will compile it (its regex, `secretGroup` and `path`), so that a rule that cannot run is
/// skipped here with a warning, in file order, and the others load.
///
/// # Errors
/// A `rules` key that is not an array of tables, or rules none of which could be loaded.
pub(crate) fn import(file: &str, doc: &toml::Table) -> Result<Import, SpecError> {
    let config =
        Config::deserialize(de::Value::new(toml::Value::Table(doc.clone()))).map_err(|e| {
            SpecError {
                rule: None,
                field: e.field,
                message: e.message,
            }
        })?;
    let mut cx = Cx {
        file,
        warnings: Vec::new(),
    };
    match config.extend {
        Some(Lenient(Ok(Table(extend)))) => cx.extend(extend),
        Some(Lenient(Err(_))) => cx.warn(None, "extend", "expected a table, ignored"),
        None => {}
    }
    let mut global = Vec::new();
    match config.allowlist {
        Some(Lenient(Ok(Table(t)))) => global.extend(cx.allowlist(None, "allowlist", t, true)),
        Some(Lenient(Err(_))) => cx.warn(None, "allowlist", "expected a table, ignored"),
        None => {}
    }
    if let Some(lists) = config.allowlists {
        global.extend(cx.allowlists(None, lists, true));
    }
    let tables = match config.rules {
        None => Vec::new(),
        Some(Lenient(Ok(tables))) => tables,
        Some(Lenient(Err(_))) => {
            return Err(SpecError {
                rule: None,
                field: Some("rules".into()),
                message: "expected an array of tables ([[rules]])".into(),
            })
        }
    };
    let defined = tables.len();
    let mut rules: Vec<ImportedRule> = Vec::new();
    for (i, table) in tables.into_iter().enumerate() {
        let Lenient(Ok(Table(table))) = table else {
            cx.skip(&format!("#{}", i + 1), None, "entry is not a table");
            continue;
        };
        let Some(rule) = cx.rule(table, i) else {
            continue;
        };
        // gitleaks keeps rules in a map by id: a later definition replaces an earlier one.
        if let Some(prev) = rules.iter().position(|r| r.spec.id == rule.spec.id) {
            cx.warn(
                Some(&rule.spec.id),
                "id",
                "defined twice: the later definition replaces the earlier one",
            );
            rules.remove(prev);
        }
        rules.push(rule);
    }
    for key in config.other.keys() {
        cx.unsupported(None, key, "not a gitleaks configuration key");
    }
    if rules.is_empty() && defined > 0 {
        let why: Vec<String> = cx
            .warnings
            .iter()
            .filter(|w| w.rule_skipped)
            .map(|w| {
                let mut s = format!("rule `{}`", w.rule.as_deref().unwrap_or("?"));
                if let Some(f) = &w.field {
                    s.push_str(&format!(": field `{f}`"));
                }
                format!("{s}: {}", w.message)
            })
            .collect();
        return Err(SpecError {
            rule: None,
            field: Some("rules".into()),
            message: format!("no rule could be loaded: {}", why.join("; ")),
        });
    }
    Ok(Import {
        rules,
        global,
        warnings: cx.warnings,
    })
}

/// A gitleaks configuration as written. Keys gitleaks does not have are kept, to be reported.
#[derive(Deserialize)]
struct Config {
    /// Informational.
    #[serde(rename = "title")]
    _title: Option<IgnoredAny>,
    /// Informational.
    #[serde(rename = "minVersion")]
    _min_version: Option<IgnoredAny>,
    extend: Option<Lenient<Table<Extend>>>,
    allowlist: Option<Lenient<Table<AllowlistTable>>>,
    allowlists: Option<Lenient<Vec<Lenient<Table<AllowlistTable>>>>>,
    rules: Option<Lenient<Vec<Lenient<Table<RuleTable>>>>>,
    #[serde(flatten)]
    other: BTreeMap<String, IgnoredAny>,
}

/// `[extend]`: none of it is applied; each key gets its own explanation.
#[derive(Deserialize)]
struct Extend {
    #[serde(rename = "useDefault")]
    use_default: Option<Lenient<bool>>,
    path: Option<IgnoredAny>,
    #[serde(rename = "disabledRules")]
    disabled_rules: Option<IgnoredAny>,
    #[serde(flatten)]
    other: BTreeMap<String, IgnoredAny>,
}

/// One `[[rules]]` table. A value of the wrong type skips the rule; unknown keys are reported.
#[derive(Deserialize)]
struct RuleTable {
    /// Checked by hand: the message shows the value (`found 3`, `found " "`).
    id: Option<toml::Value>,
    description: Option<Lenient<String>>,
    regex: Option<Lenient<String>>,
    #[serde(rename = "secretGroup")]
    secret_group: Option<Lenient<GroupNumber>>,
    entropy: Option<Lenient<Number>>,
    path: Option<Lenient<String>>,
    keywords: Option<Lenient<Strings<false>>>,
    allowlist: Option<Lenient<Table<AllowlistTable>>>,
    allowlists: Option<Lenient<Vec<Lenient<Table<AllowlistTable>>>>>,
    required: Option<IgnoredAny>,
    #[serde(rename = "skipReport")]
    skip_report: Option<Lenient<bool>>,
    tags: Option<IgnoredAny>,
    #[serde(flatten)]
    other: BTreeMap<String, IgnoredAny>,
}

/// One allowlist table. Every field is read leniently: what cannot be applied is reported and
/// dropped, so that the allowlist exempts less than under gitleaks, never more.
#[derive(Deserialize)]
struct AllowlistTable {
    /// Informational.
    #[serde(rename = "description")]
    _description: Option<IgnoredAny>,
    /// Checked by hand: `OR` or `AND` in any case, and the message shows the value.
    condition: Option<toml::Value>,
    /// Checked by hand: `secret`, `match` or `line`, and the message shows the value.
    #[serde(rename = "regexTarget")]
    regex_target: Option<toml::Value>,
    regexes: Option<Lenient<Strings<true>>>,
    paths: Option<Lenient<Strings<true>>>,
    stopwords: Option<Lenient<Strings<true>>>,
    commits: Option<Lenient<Vec<IgnoredAny>>>,
    #[serde(rename = "targetRules")]
    target_rules: Option<Lenient<Strings<true>>>,
    #[serde(flatten)]
    other: BTreeMap<String, IgnoredAny>,
}

/// A value that may be of the wrong type: the error's message is kept, to be reported, and the rest of
/// the table still reads.
struct Lenient<T>(Result<T, String>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Lenient<T>, D::Error> {
        Ok(Lenient(T::deserialize(d).map_err(|e| e.to_string())))
    }
}

/// A TOML table read as `T`: `expected a table, found integer` for another value.
struct Table<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Table<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Table<T>, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Table<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Table<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Table)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// An array of strings. For an element of another type the message says `found array` when `FOUND`
/// (allowlists), nothing when not (`keywords`), as the importer always has.
struct Strings<const FOUND: bool>(Vec<String>);

impl<'de, const FOUND: bool> Deserialize<'de> for Strings<FOUND> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strings<FOUND>, D::Error> {
        struct V<const FOUND: bool>;
        impl<'de, const FOUND: bool> Visitor<'de> for V<FOUND> {
            type Value = Strings<FOUND>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strings<FOUND>, A::Error> {
                let mut out = Vec::new();
                let mut all = true;
                while let Some(v) = seq.next_element::<toml::Value>()? {
                    match v {
                        toml::Value::String(s) => out.push(s),
                        _ => all = false,
                    }
                }
                match (all, FOUND) {
                    (true, _) => Ok(Strings(out)),
                    (false, true) => Err(A::Error::custom(
                        "expected an array of strings, found array",
                    )),
                    (false, false) => Err(A::Error::custom("expected an array of strings")),
                }
            }
        }
        d.deserialize_seq(V::<FOUND>)
    }
}

/// `secretGroup`: a group number; 0 is the whole match.
struct GroupNumber(usize);

impl<'de> Deserialize<'de> for GroupNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<GroupNumber, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = GroupNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative integer")
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<GroupNumber, E> {
                usize::try_from(n)
                    .map(GroupNumber)
                    .map_err(|_| E::invalid_type(Unexpected::Signed(n), &self))
            }
        }
        d.deserialize_i64(V)
    }
}

/// `entropy`: an integer or a float.
struct Number(f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Number, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: serde::de::Error>(self, e: f64) -> Result<Number, E> {
                Ok(Number(e))
            }
            fn visit_i64<E: serde::de::Error>(self, i: i64) -> Result<Number, E> {
                Ok(Number(i as f64))
            }
        }
        d.deserialize_f64(V)
    }
}

/// Translation state: the file name and the warnings so far.
struct Cx<'a> {
    file: &'a str,
    warnings: Vec<RuleWarning>,
}

impl Cx<'_> {
    fn push(&mut self, rule: Option<&str>, field: Option<&str>, message: String, skipped: bool) {
        self.warnings.push(RuleWarning {
            file: self.file.to_owned(),
            rule: rule.map(str::to_owned),
            field: field.map(str::to_owned),
            message,
            rule_skipped: skipped,
        });
    }

    fn warn(&mut self, rule: Option<&str>, field: &str, message: impl Into<String>) {
        self.push(rule, Some(field), message.into(), false);
    }

    fn unsupported(&mut self, rule: Option<&str>, field: &str, why: &str) {
        self.push(
            rule,
            Some(field),
            format!("not supported, ignored ({why})"),
            false,
        );
    }

    fn skip(&mut self, rule: &str, field: Option<&str>, why: &str) {
        self.push(
            Some(rule),
            field,
            format!("{why}; the rule is skipped"),
            true,
        );
    }

    /// Puts the warnings pushed since `mark` about the keys of one table in the order of those keys (a
    /// table is read whole, but its warnings read as if its keys were taken in turn, as gitleaks' users
    /// see them in the file), and, with `stop`, drops those about keys after it: the table was given
    /// up at that key. A warning's key is its field after `prefix`, up to the first `.` or `[`.
    fn order(&mut self, mark: usize, prefix: &str, stop: Option<&str>) {
        let key = |w: &RuleWarning| -> String {
            let f = w.field.as_deref().unwrap_or("");
            let f = f.strip_prefix(prefix).unwrap_or(f);
            f.split(['.', '[']).next().unwrap_or("").to_owned()
        };
        self.warnings[mark..].sort_by_cached_key(key);
        if let Some(stop) = stop {
            let keep = self.warnings[mark..]
                .iter()
                .take_while(|w| key(w).as_str() <= stop)
                .count();
            self.warnings.truncate(mark + keep);
        }
    }

    fn extend(&mut self, extend: Extend) {
        let mark = self.warnings.len();
        match extend.use_default {
            Some(Lenient(Ok(true))) => self.unsupported(
                None,
                "extend.useDefault",
                "gitleaks' default rules are not imported; leakhound's own default pack runs in \
                 their place unless --no-default-rules",
            ),
            Some(Lenient(Ok(false))) => self.unsupported(
                None,
                "extend.useDefault",
                "leakhound's default pack still runs; add --no-default-rules to run only this \
                 file's rules",
            ),
            Some(Lenient(Err(_))) => {
                self.unsupported(None, "extend.useDefault", "not a gitleaks [extend] key")
            }
            None => {}
        }
        if extend.path.is_some() {
            self.unsupported(
                None,
                "extend.path",
                "the extended file is not loaded; pass it as another --rules",
            );
        }
        if extend.disabled_rules.is_some() {
            self.unsupported(
                None,
                "extend.disabledRules",
                "these are ids of gitleaks' default rules, which are not imported",
            );
        }
        for k in extend.other.keys() {
            self.unsupported(None, &format!("extend.{k}"), "not a gitleaks [extend] key");
        }
        self.order(mark, "extend.", None);
    }

    /// `[[allowlists]]` (or a rule's): an array of allowlist tables.
    fn allowlists(
        &mut self,
        rule: Option<&str>,
        lists: Lenient<Vec<Lenient<Table<AllowlistTable>>>>,
        global: bool,
    ) -> Vec<Allowlist> {
        let Lenient(Ok(lists)) = lists else {
            self.warn(
                rule,
                "allowlists",
                "expected an array of tables ([[allowlists]]), ignored",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        let n = lists.len();
        for (i, entry) in lists.into_iter().enumerate() {
            let name = if n == 1 {
                "allowlists".to_owned()
            } else {
                format!("allowlists[{}]", i + 1)
            };
            match entry {
                Lenient(Ok(Table(t))) => out.extend(self.allowlist(rule, &name, t, global)),
                Lenient(Err(_)) => self.warn(rule, &name, "expected a table, ignored"),
            }
        }
        out
    }

    /// One allowlist table. Whatever cannot be applied is dropped so that the allowlist exempts less
    /// than under gitleaks, never more: a check that cannot run is removed from an OR allowlist, and an
    /// AND allowlist that loses a check is dropped whole.
    fn allowlist(
        &mut self,
        rule: Option<&str>,
        name: &str,
        t: AllowlistTable,
        global: bool,
    ) -> Option<Allowlist> {
        let mark = self.warnings.len();
        let prefix = format!("{name}.");
        let field = |k: &str| format!("{name}.{k}");
        // A setting that cannot be read drops the allowlist; it is reported where its key comes.
        let mut dropped: Option<&str> = None;
        let mut condition = Condition::Or;
        let mut condition_field = None;
        if let Some(v) = &t.condition {
            match v.as_str().map(str::to_ascii_uppercase).as_deref() {
                Some("OR") => {}
                Some("AND") => {
                    condition = Condition::And;
                    condition_field = Some(field("condition"));
                }
                _ => {
                    self.warn(
                        rule,
                        &field("condition"),
                        format!("{v} is not \"OR\" or \"AND\": the allowlist is dropped"),
                    );
                    dropped = Some("condition");
                }
            }
        }
        let target = match t.regex_target.as_ref().map(|v| (v, v.as_str())) {
            None | Some((_, Some("secret"))) => RegexTarget::Secret,
            Some((_, Some("match"))) => RegexTarget::Match,
            Some((_, Some("line"))) => RegexTarget::Line,
            Some((v, _)) => {
                self.warn(
                    rule,
                    &field("regexTarget"),
                    format!(
                        "{v} is not \"secret\", \"match\" or \"line\": the allowlist is dropped"
                    ),
                );
                // Keys are taken in order: the first unreadable setting is the one reported.
                dropped = Some(dropped.map_or("regexTarget", |d| d.min("regexTarget")));
                RegexTarget::Secret
            }
        };
        // A check that had entries and lost them all: fatal under AND.
        let mut lost = false;
        let mut regexes = |key: &str, list: Option<Lenient<Strings<true>>>| -> Vec<Regex> {
            let list = self.strings(rule, &field(key), list);
            let compiled: Vec<Regex> = list
                .iter()
                .filter_map(|r| match build_regex(r) {
                    Ok(re) => Some(re),
                    Err(e) => {
                        self.warn(rule, &field(key), format!("{r:?} dropped: {e}"));
                        None
                    }
                })
                .collect();
            lost |= !list.is_empty() && compiled.is_empty();
            compiled
        };
        let regex_list = regexes("regexes", t.regexes);
        let paths = regexes("paths", t.paths);
        let words = self.strings(rule, &field("stopwords"), t.stopwords);
        let stopwords: Vec<String> = words
            .iter()
            .filter(|w| !w.is_empty())
            .map(|w| w.to_lowercase())
            .collect();
        if stopwords.len() < words.len() {
            self.warn(
                rule,
                &field("stopwords"),
                "an empty stopword would exempt every secret: dropped",
            );
        }
        lost |= !words.is_empty() && stopwords.is_empty();
        let commits = matches!(&t.commits, Some(Lenient(Ok(c))) if !c.is_empty());
        if commits {
            self.unsupported(
                rule,
                &field("commits"),
                "findings are not filtered by commit; history findings in these commits are \
                 reported",
            );
        }
        let targets = match t.target_rules {
            Some(list) if global => self.strings(rule, &field("targetRules"), Some(list)),
            Some(_) => {
                self.unsupported(rule, &field("targetRules"), "not a gitleaks allowlist key");
                Vec::new()
            }
            None => Vec::new(),
        };
        for k in t.other.keys() {
            self.unsupported(rule, &field(k), "not a gitleaks allowlist key");
        }
        self.order(mark, &prefix, dropped);
        if dropped.is_some() {
            return None;
        }
        if condition == Condition::And && (commits || lost) {
            self.warn(
                rule,
                &condition_field.unwrap_or_else(|| field("condition")),
                "an AND allowlist with a check leakhound cannot run could only exempt more than \
                 under gitleaks: the allowlist is dropped",
            );
            return None;
        }
        let list = Allowlist::new(condition, target, regex_list, paths, &stopwords, targets);
        if list.is_none() && !commits && !lost {
            self.warn(rule, name, "has no regexes, paths or stopwords: ignored");
        }
        list
    }

    /// An array of strings; a wrong type is reported and read as empty.
    fn strings(
        &mut self,
        rule: Option<&str>,
        field: &str,
        list: Option<Lenient<Strings<true>>>,
    ) -> Vec<String> {
        match list {
            None => Vec::new(),
            Some(Lenient(Ok(Strings(list)))) => list,
            Some(Lenient(Err(e))) => {
                self.warn(rule, field, format!("{e}: ignored"));
                Vec::new()
            }
        }
    }

    /// One `[[rules]]` table; `None` when the rule is skipped (with a warning saying why).
    fn rule(&mut self, t: RuleTable, index: usize) -> Option<ImportedRule> {
        let id = match t.id {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => s,
            Some(v) => {
                self.skip(
                    &format!("#{}", index + 1),
                    Some("id"),
                    &format!("expected a non-empty string, found {v}"),
                );
                return None;
            }
            None => {
                self.skip(&format!("#{}", index + 1), Some("id"), "missing");
                return None;
            }
        };
        let rid = Some(id.as_str());
        let mark = self.warnings.len();
        // The first key (in file order) whose value cannot be used, and why: the rule is skipped there.
        let mut fatal: Option<(&str, String)> = None;
        let mut fail = |key: &'static str, why: String| {
            if fatal.as_ref().is_none_or(|(k, _)| key < *k) {
                fatal = Some((key, why));
            }
        };
        let mut take = |key: &'static str, v: Option<Lenient<String>>| match v {
            Some(Lenient(Ok(s))) => Some(s),
            Some(Lenient(Err(e))) => {
                fail(key, e);
                None
            }
            None => None,
        };
        let description = take("description", t.description);
        let regex = take("regex", t.regex);
        let path = take("path", t.path);
        let mut secret_group = SecretGroup::FirstNonEmpty;
        match t.secret_group {
            Some(Lenient(Ok(GroupNumber(0)))) | None => {}
            Some(Lenient(Ok(GroupNumber(n)))) => secret_group = SecretGroup::Index(n),
            Some(Lenient(Err(e))) => fail("secretGroup", e),
        }
        let mut entropy = None;
        match t.entropy {
            // gitleaks drops a secret whose entropy is <= the value; leakhound's check drops one
            // below its value, so the threshold moves up by the smallest step.
            Some(Lenient(Ok(Number(e)))) if e > 0.0 => entropy = Some(e.next_up()),
            Some(Lenient(Ok(_))) | None => {}
            Some(Lenient(Err(e))) => fail("entropy", e),
        }
        let mut keywords = Vec::new();
        match t.keywords {
            Some(Lenient(Ok(Strings(list)))) => keywords = list,
            Some(Lenient(Err(e))) => fail("keywords", e),
            None => {}
        }
        match t.skip_report {
            Some(Lenient(Ok(true))) => fail(
                "skipReport",
                "only a part of composite rules, which leakhound does not support; gitleaks \
                 never reports its matches either"
                    .to_owned(),
            ),
            Some(Lenient(Ok(false))) | None => {}
            Some(Lenient(Err(e))) => fail("skipReport", e),
        }
        let mut allowlists = Vec::new();
        match t.allowlist {
            Some(Lenient(Ok(Table(a)))) => {
                allowlists.extend(self.allowlist(rid, "allowlist", a, false));
            }
            Some(Lenient(Err(e))) => fail("allowlist", e),
            None => {}
        }
        if let Some(lists) = t.allowlists {
            allowlists.extend(self.allowlists(rid, lists, false));
        }
        if t.required.is_some() {
            self.unsupported(
                rid,
                "required",
                "composite rules: this rule reports its own matches without requiring the others \
                 nearby",
            );
        }
        for k in t.other.keys() {
            self.unsupported(rid, k, "not a gitleaks rule key");
        }
        let _ = t.tags;
        self.order(mark, "", fatal.as_ref().map(|(k, _)| *k));
        if let Some((key, why)) = fatal {
            self.skip(&id, Some(key), &why);
            return None;
        }
        let regex = regex.unwrap_or_default();
        if regex.is_empty() && path.is_none() {
            self.skip(&id, Some("regex"), "neither `regex` nor `path` is set");
            return None;
        }
        let path = match path.as_deref().map(build_regex) {
            None => None,
            Some(Ok(re)) => Some(re),
            Some(Err(e)) => {
                self.skip(&id, Some("path"), &e);
                return None;
            }
        };
        let mut keywords: Vec<String> = keywords.into_iter().map(|k| k.to_lowercase()).collect();
        if keywords.iter().any(String::is_empty) {
            self.warn(
                rid,
                "keywords",
                "an empty keyword would match everywhere: dropped",
            );
            keywords.retain(|k| !k.is_empty());
        }
        if keywords.is_empty() && !regex.is_empty() {
            match derive_keywords(&regex) {
                Some(derived) => keywords = derived,
                // The regex's own error is reported below, when it is compiled.
                None if build_regex(&regex).is_ok() => {
                    let scope = if path.is_some() {
                        "every file its `path` admits"
                    } else {
                        "every file"
                    };
                    self.warn(
                        rid,
                        "keywords",
                        format!(
                            "none given, and the regex has no literal of 3+ bytes that every match \
                             contains: the regex runs over {scope} (slow); add keywords"
                        ),
                    );
                }
                None => {}
            }
        }
        // Checked as the rules module will compile it, so that a rule that cannot run is skipped here.
        if !regex.is_empty() {
            if let Err(e) = pattern::compile(&regex, secret_group) {
                let (field, why) = pattern::field_of(&e);
                self.skip(&id, Some(field), why);
                return None;
            }
        }
        let spec = RuleSpec {
            description: description
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| id.clone()),
            id,
            severity: "high".into(),
            keywords,
            regex,
            entropy,
            // gitleaks gates a rule on a keyword anywhere in a (100 kB) chunk of the file; the widest
            // window leakhound allows comes closest.
            window: Some(MAX_WINDOW),
            ..RuleSpec::default()
        };
        Some(ImportedRule {
            spec,
            secret_group,
            path,
            allowlists,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scanner;

    fn load(text: &str) -> LoadedRules {
        translate("gitleaks.toml", text).expect("loads")
    }

    fn warnings(l: &LoadedRules) -> Vec<String> {
        l.warnings.iter().map(ToString::to_string).collect()
    }

    fn secrets(l: LoadedRules, path: &str, text: &str) -> Vec<String> {
        Scanner::new(l.rules)
            .scan_bytes(path, text.as_bytes())
            .into_iter()
            .map(|f| f.secret)
            .collect()
    }

    #[test]
    fn secret_group_picks_the_numbered_group() {
        let l = load(
            r#"[[rules]]
id = "acme-db"
regex = '''(acme_db_pass)\s*=\s*"([A-Za-z0-9]{16})"'''
secretGroup = 2
keywords = ["acme_db"]
"#,
        );
        assert_eq!(
            secrets(l, "a.env", "acme_db_pass = \"Q8r2M5x7C1v9B3n6\""), // leakhound:allow
            ["Q8r2M5x7C1v9B3n6"]
        );
    }

    #[test]
    fn without_secret_group_the_first_non_empty_group_else_the_whole_match() {
        let rules = r#"[[rules]]
id = "acme-pair"
regex = '''acme:(x_[a-z0-9]{8})?(y_[a-z0-9]{8})?'''
keywords = ["acme:"]

[[rules]]
id = "acme-plain"
regex = '''acmeplain_[a-z0-9]{12}'''
"#;
        // Group 1 did not take part: group 2 is the first non-empty one.
        assert_eq!(secrets(load(rules), "a", "acme:y_q8r2m5x7"), ["y_q8r2m5x7"]);
        assert_eq!(
            secrets(load(rules), "a", "acme:x_c1v9b3n6y_q8r2m5x7"),
            ["x_c1v9b3n6"]
        );
        // No group at all: the whole match.
        assert_eq!(
            secrets(load(rules), "a", "t = acmeplain_q8r2m5x7c1v9"),
            ["acmeplain_q8r2m5x7c1v9"]
        );
    }

    #[test]
    fn secret_group_beyond_the_regex_skips_the_rule() {
        let l = load(
            r#"[[rules]]
id = "bad"
regex = '''(bad_[a-z]{8})'''
secretGroup = 3

[[rules]]
id = "good"
regex = '''good_[a-z0-9]{8}'''
"#,
        );
        assert_eq!(l.rules.len(), 1);
        assert!(l.warnings[0].rule_skipped);
        assert!(
            warnings(&l)[0].starts_with("gitleaks.toml: rule `bad`: field `secretGroup`: 3,"),
            "{:?}",
            warnings(&l)
        );
    }

    #[test]
    fn stopwords_and_regex_targets() {
        let l = load(
            r#"[[rules]]
id = "acme"
regex = '''acme_[a-zA-Z0-9]{16}'''
  [rules.allowlist]
  stopwords = ["Sandbox"]
  [[rules.allowlists]]
  regexTarget = "line"
  regexes = ['''#\s*fixture$''']
  [[rules.allowlists]]
  regexTarget = "match"
  regexes = ['''^acme_0''']
"#,
        );
        assert!(l.warnings.is_empty(), "{:?}", warnings(&l));
        let text = "a = acme_q8r2m5x7c1v9b3n6\n\
                    b = acme_q8SANDBOXx7c1v9b3\n\
                    c = acme_w4k0w8p2z6j3h5g1 # fixture\n\
                    d = acme_0w8p2z6j3h5g1k0w\n";
        assert_eq!(secrets(l, "a", text), ["acme_q8r2m5x7c1v9b3n6"]);
    }

    #[test]
    fn path_restricts_and_path_only_reports_the_file() {
        let l = load(
            r#"[[rules]]
id = "deploy-key"
path = '''(^|/)deploy/[^/]+\.ya?ml$'''
regex = '''signing_key:\s*([0-9a-f]{32})'''

[[rules]]
id = "acme-credentials-file"
description = "ACME CLI credentials file"
path = '''(^|/)\.acmerc$'''
"#,
        );
        assert!(l.warnings.is_empty(), "{:?}", warnings(&l));
        let scanner = Scanner::new(l.rules);
        let text = b"signing_key: 9f86d081884c7d659a2feaa0c55ad015\n"; // leakhound:allow
        assert_eq!(scanner.scan_bytes("deploy/prod.yaml", text).len(), 1);
        assert!(scanner.scan_bytes("docs/prod.yaml", text).is_empty());
        let f = scanner.scan_bytes("home/.acmerc", b"whatever\n");
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].rule.as_str(), f[0].secret.as_str(), f[0].line),
            ("acme-credentials-file", "home/.acmerc", 1)
        );
        // History blobs have no path while they are scanned: nothing to report yet.
        assert!(scanner.scan_bytes("", b"whatever\n").is_empty());
    }

    #[test]
    fn keywords_are_derived_from_the_regex() {
        let kw = |r: &str| derive_keywords(r);
        assert_eq!(
            kw(r"\b(acme_live_[a-zA-Z0-9]{32})\b"),
            Some(vec!["acme_live_".into()])
        );
        assert_eq!(
            kw(r"(?i)(acme|widget)_KEY_[0-9a-f]{40}"),
            Some(vec!["acme_key_".into(), "widget_key_".into()])
        );
        // A literal in the middle counts too.
        assert_eq!(
            kw(r"[a-z0-9]{8}\.apps\.acme\.io"),
            Some(vec![".apps.acme.io".into()])
        );
        assert_eq!(kw(r"\b[0-9a-f]{64}\b"), None);
        // Optional parts are not required.
        assert_eq!(kw(r"(?:tok_)?[a-z0-9]{20}"), None);
        assert_eq!(kw(r"ab[0-9]{10}"), None);

        let l = load("[[rules]]\nid = \"hex\"\nregex = '''\\b[0-9a-f]{64}\\b'''\n");
        assert_eq!(l.rules.len(), 1);
        assert!(l.rules.get("hex").unwrap().keywords().is_empty());
        assert!(
            warnings(&l)[0].contains("field `keywords`: none given")
                && warnings(&l)[0].contains("(slow)"),
            "{:?}",
            warnings(&l)
        );
        // A rule without keywords still runs.
        let hex = "4f1c2b9e8d7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f10";
        assert_eq!(secrets(l, "x", &format!("k={hex}\n")), [hex]);
    }

    #[test]
    fn given_keywords_are_lowercased_and_gate_the_rule() {
        let l =
            load("[[rules]]\nid = \"x\"\nregex = '''[A-Z0-9]{20}'''\nkeywords = [\"AcmeCorp\"]\n");
        assert_eq!(l.rules.get("x").unwrap().keywords(), ["acmecorp"]);
        let scanner = Scanner::new(l.rules);
        assert!(scanner
            .scan_bytes("a", b"K=Q8R2M5X7C1V9B3N6Z4K0")
            .is_empty());
        assert_eq!(
            scanner
                .scan_bytes("a", b"# acmecorp\nK=Q8R2M5X7C1V9B3N6Z4K0")
                .len(),
            1
        );
    }

    #[test]
    fn commits_and_extend_are_reported() {
        let l = load(
            r#"title = "t"
[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "acme"
regex = '''acme_[a-z0-9]{16}'''
  [[rules.allowlists]]
  commits = ["9b1c2d3"]
  stopwords = ["sandbox"]
  [[rules.allowlists]]
  condition = "AND"
  commits = ["9b1c2d3"]
  paths = ['''^test/''']

[[allowlists]]
commits = ["9b1c2d3"]
"#,
        );
        let w = warnings(&l);
        let expect = [
            "gitleaks.toml: field `extend.disabledRules`: not supported, ignored (",
            "gitleaks.toml: field `extend.useDefault`: not supported, ignored (gitleaks' default rules are not imported",
            "gitleaks.toml: field `allowlists.commits`: not supported, ignored (",
            "gitleaks.toml: rule `acme`: field `allowlists[1].commits`: not supported, ignored (",
            "gitleaks.toml: rule `acme`: field `allowlists[2].commits`: not supported, ignored (",
            "gitleaks.toml: rule `acme`: field `allowlists[2].condition`: an AND allowlist",
        ];
        assert_eq!(w.len(), expect.len(), "{w:#?}");
        for (w, e) in w.iter().zip(expect) {
            assert!(w.starts_with(e), "{w}\n  should start with\n{e}");
        }
        // The AND allowlist was dropped: a finding under test/ is still reported.
        assert_eq!(
            secrets(l, "test/a", "k = acme_q8r2m5x7c1v9b3n6"),
            ["acme_q8r2m5x7c1v9b3n6"]
        );
    }

    #[test]
    fn global_allowlists_reach_other_rule_sets_unless_targeted() {
        let l = load(
            r#"[allowlist]
paths = ['''(^|/)vendor/''']
[[allowlists]]
targetRules = ["acme"]
regexes = ['''^acme_0''']
[[rules]]
id = "acme"
regex = '''acme_[a-z0-9]{16}'''
"#,
        );
        assert!(l.warnings.is_empty(), "{:?}", warnings(&l));
        let mut set = RuleSet::embedded();
        set.extend(l.rules);
        let scanner = Scanner::new(set);
        let gitlab = "t = glpat-Hq3Zr8xK2mVb7NcT1pWd\n"; // leakhound:allow (documentation token)
        assert_eq!(scanner.scan_bytes("src/a", gitlab.as_bytes()).len(), 1);
        assert!(scanner.scan_bytes("vendor/a", gitlab.as_bytes()).is_empty());
        assert!(scanner
            .scan_bytes("src/a", b"k = acme_0q8r2m5x7c1v9b3n")
            .is_empty());
        assert_eq!(
            scanner
                .scan_bytes("src/a", b"k = acme_q8r2m5x7c1v9b3n6")
                .len(),
            1
        );
    }

    #[test]
    fn a_bad_regex_skips_only_its_rule() {
        let l = load(
            r#"[[rules]]
id = "look"
regex = '''acme_(?=[a-z])[a-z]{8}'''
[[rules]]
id = "ok"
regex = '''acme_[a-z0-9]{16}'''
"#,
        );
        assert_eq!(l.rules.len(), 1);
        let w = warnings(&l);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("gitleaks.toml: rule `look`: field `regex`: regex parse error")
                && w[0].ends_with("; the rule is skipped"),
            "{w:?}"
        );
        let e = translate("g.toml", "[[rules]]\nid = \"look\"\nregex = '''(?=x)'''\n")
            .expect_err("nothing usable");
        assert!(
            e.to_string().starts_with(
                "g.toml: field `rules`: no rule could be loaded: rule `look`: field `regex`:"
            ),
            "{e}"
        );
    }

    #[test]
    fn a_config_without_rules_loads() {
        let l = load("title = \"only allowlists\"\n[allowlist]\nstopwords = [\"localdev\"]\n");
        assert!(l.rules.is_empty());
        assert!(l.warnings.is_empty());
    }

    #[test]
    fn entropy_threshold_is_exclusive_as_in_gitleaks() {
        // "abcd" has exactly 2 bits per byte: gitleaks drops it at entropy = 2.
        let rule = |e: &str| {
            format!("[[rules]]\nid = \"e\"\nregex = '''ent_([a-z]{{4}})\\b'''\nentropy = {e}\n")
        };
        assert!(secrets(load(&rule("2.0")), "x", "ent_abcd").is_empty());
        assert_eq!(secrets(load(&rule("1.9")), "x", "ent_abcd"), ["abcd"]);
    }

    /// A table's warnings come in the order of its keys, and a table given up at a key (a rule skipped,
    /// an allowlist dropped) reports nothing about the keys after it, as if the keys were read in turn.
    #[test]
    fn warnings_follow_the_keys_and_stop_where_a_table_is_given_up() {
        let ignored = |w: &str| format!("not supported, ignored ({w})");
        let commits = ignored(
            "findings are not filtered by commit; history findings in these commits are reported",
        );
        let composite = ignored(
            "composite rules: this rule reports its own matches without requiring the others nearby",
        );
        let rule_key = ignored("not a gitleaks rule key");
        let list_key = ignored("not a gitleaks allowlist key");
        let l = load(
            "[[rules]]\nid = \"a\"\nregex = 'abcdef'\nskipReport = true\naaa = 1\nzzz = 2\nrequired = []\n\
             [rules.allowlist]\ncommits = ['x']\n\
             [[rules]]\nid = \"b\"\nregex = 'abcdef'\naaa = 1\nrequired = []\nzzz = 3\n\
             [[rules.allowlists]]\ncommits = ['x']\nregexTarget = 'bad'\ncondition = 'nope'\nzz = 1\nbb = 2\n\
             [[rules.allowlists]]\ncommits = ['x']\nregexTarget = 'bad'\npaths = ['(']\nstopwords = ['']\nbb = 1\n",
        );
        let expected = [
            format!("rule `a`: field `aaa`: {rule_key}"),
            format!("rule `a`: field `allowlist.commits`: {commits}"),
            format!("rule `a`: field `required`: {composite}"),
            "rule `a`: field `skipReport`: only a part of composite rules, which leakhound does not \
             support; gitleaks never reports its matches either; the rule is skipped"
                .to_owned(),
            format!("rule `b`: field `aaa`: {rule_key}"),
            format!("rule `b`: field `allowlists[1].bb`: {list_key}"),
            format!("rule `b`: field `allowlists[1].commits`: {commits}"),
            "rule `b`: field `allowlists[1].condition`: \"nope\" is not \"OR\" or \"AND\": the \
             allowlist is dropped"
                .to_owned(),
            format!("rule `b`: field `allowlists[2].bb`: {list_key}"),
            format!("rule `b`: field `allowlists[2].commits`: {commits}"),
            "rule `b`: field `allowlists[2].paths`: \"(\" dropped: regex parse error: ( ^ error: \
             unclosed group"
                .to_owned(),
            "rule `b`: field `allowlists[2].regexTarget`: \"bad\" is not \"secret\", \"match\" or \
             \"line\": the allowlist is dropped"
                .to_owned(),
            format!("rule `b`: field `required`: {composite}"),
            format!("rule `b`: field `zzz`: {rule_key}"),
        ]
        .map(|w| format!("gitleaks.toml: {w}"));
        assert_eq!(warnings(&l), expected);
        assert_eq!(l.rules.len(), 1);
    }
}
