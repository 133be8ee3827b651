//! Imports a gitleaks (or Betterleaks) configuration, so a team's custom gitleaks rules run unchanged.
//!
//! [`translate`] turns the TOML into a [`RuleSet`] and reports, as [`RuleWarning`]s, every field that
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

use std::sync::Arc;

use regex::bytes::Regex;
use toml::Value;

use super::allowlist::{Allowlist, Condition, RegexTarget};
use super::literals::derive_keywords;
use super::spec::MAX_WINDOW;
use super::{
    build_regex, Imported, LoadedRules, Rule, RuleError, RuleSet, RuleSpec, RuleWarning,
    SecretGroup,
};

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
    from_table(file, &doc, text)
}

/// [`translate`] for an already parsed document.
pub(crate) fn from_table(
    file: &str,
    doc: &toml::Table,
    text: &str,
) -> Result<LoadedRules, RuleError> {
    let mut cx = Cx {
        file,
        warnings: Vec::new(),
    };
    if let Some(extend) = doc.get("extend") {
        cx.extend(extend);
    }
    let mut global = Vec::new();
    if let Some(v) = doc.get("allowlist") {
        match v.as_table() {
            Some(t) => global.extend(cx.allowlist(None, "allowlist", t, true)),
            None => cx.warn(None, "allowlist", "expected a table, ignored"),
        }
    }
    if let Some(v) = doc.get("allowlists") {
        global.extend(cx.allowlists(None, v, true));
    }
    let defined = doc
        .get("rules")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let tables: Vec<&toml::Table> = match doc.get("rules") {
        None => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let t = v.as_table();
                if t.is_none() {
                    cx.skip(&format!("#{}", i + 1), None, "entry is not a table");
                }
                t
            })
            .collect(),
        Some(_) => {
            return Err(RuleError {
                file: file.to_owned(),
                rule: None,
                field: Some("rules".into()),
                message: "expected an array of tables ([[rules]])".into(),
            })
        }
    };
    let mut rules: Vec<Rule> = Vec::new();
    for (i, table) in tables.iter().enumerate() {
        let Some(rule) = cx.rule(table, i) else {
            continue;
        };
        // gitleaks keeps rules in a map by id: a later definition replaces an earlier one.
        if let Some(prev) = rules.iter().position(|r| r.id() == rule.id()) {
            cx.warn(
                Some(rule.id()),
                "id",
                "defined twice: the later definition replaces the earlier one",
            );
            rules.remove(prev);
        }
        rules.push(rule);
    }
    for (key, _) in doc {
        if ![
            "title",
            "minVersion",
            "extend",
            "allowlist",
            "allowlists",
            "rules",
        ]
        .contains(&key.as_str())
        {
            cx.unsupported(None, key, "not a gitleaks configuration key");
        }
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
        return Err(RuleError {
            file: file.to_owned(),
            rule: None,
            field: Some("rules".into()),
            message: format!("no rule could be loaded: {}", why.join("; ")),
        });
    }
    for id in global.iter().flat_map(|a| a.target_rules.iter()) {
        if !rules.iter().any(|r| r.id() == id) && !RuleSet::embedded_has(id) {
            cx.warn(
                None,
                "allowlists.targetRules",
                format!("no rule `{id}` in this file or leakhound's default pack: that entry targets nothing"),
            );
        }
    }
    let mut hash = super::spec::Fnv1a::new();
    hash.write(file.as_bytes());
    hash.write(text.as_bytes());
    Ok(LoadedRules {
        rules: RuleSet::imported(
            rules,
            global.into_iter().map(Arc::new).collect(),
            hash.finish(),
        ),
        warnings: cx.warnings,
    })
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

    fn extend(&mut self, v: &Value) {
        let Some(t) = v.as_table() else {
            return self.warn(None, "extend", "expected a table, ignored");
        };
        for (k, v) in t {
            let field = format!("extend.{k}");
            match (k.as_str(), v) {
                ("useDefault", Value::Boolean(true)) => self.unsupported(
                    None,
                    &field,
                    "gitleaks' default rules are not imported; leakhound's own default pack runs in \
                     their place unless --no-default-rules",
                ),
                ("useDefault", Value::Boolean(false)) => self.unsupported(
                    None,
                    &field,
                    "leakhound's default pack still runs; add --no-default-rules to run only this \
                     file's rules",
                ),
                ("path", _) => self.unsupported(
                    None,
                    &field,
                    "the extended file is not loaded; pass it as another --rules",
                ),
                ("disabledRules", _) => self.unsupported(
                    None,
                    &field,
                    "these are ids of gitleaks' default rules, which are not imported",
                ),
                _ => self.unsupported(None, &field, "not a gitleaks [extend] key"),
            }
        }
    }

    /// `[[allowlists]]` (or a rule's): an array of allowlist tables.
    fn allowlists(&mut self, rule: Option<&str>, v: &Value, global: bool) -> Vec<Allowlist> {
        let Some(arr) = v.as_array() else {
            self.warn(
                rule,
                "allowlists",
                "expected an array of tables ([[allowlists]]), ignored",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, entry) in arr.iter().enumerate() {
            let name = if arr.len() == 1 {
                "allowlists".to_owned()
            } else {
                format!("allowlists[{}]", i + 1)
            };
            match entry.as_table() {
                Some(t) => out.extend(self.allowlist(rule, &name, t, global)),
                None => self.warn(rule, &name, "expected a table, ignored"),
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
        t: &toml::Table,
        global: bool,
    ) -> Option<Allowlist> {
        let mut condition = Condition::Or;
        let mut target = RegexTarget::Secret;
        let (mut regexes, mut paths, mut stopwords, mut targets) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut commits = false;
        // A check that had entries and lost them all (or an unusable setting): fatal under AND.
        let mut lost = false;
        let mut condition_field = None;
        for (k, v) in t {
            let field = format!("{name}.{k}");
            match k.as_str() {
                "description" => {}
                "condition" => match v.as_str().map(str::to_ascii_uppercase).as_deref() {
                    Some("OR") => condition = Condition::Or,
                    Some("AND") => {
                        condition = Condition::And;
                        condition_field = Some(field);
                    }
                    _ => {
                        self.warn(
                            rule,
                            &field,
                            format!("{v} is not \"OR\" or \"AND\": the allowlist is dropped"),
                        );
                        return None;
                    }
                },
                "regexTarget" => match v.as_str() {
                    Some("secret") => target = RegexTarget::Secret,
                    Some("match") => target = RegexTarget::Match,
                    Some("line") => target = RegexTarget::Line,
                    _ => {
                        self.warn(
                            rule,
                            &field,
                            format!(
                                "{v} is not \"secret\", \"match\" or \"line\": the allowlist is \
                                 dropped"
                            ),
                        );
                        return None;
                    }
                },
                "regexes" | "paths" => {
                    let list = self.strings(rule, &field, v);
                    let had = !list.is_empty();
                    let compiled: Vec<Regex> = list
                        .iter()
                        .filter_map(|r| match build_regex(r) {
                            Ok(re) => Some(re),
                            Err(e) => {
                                self.warn(rule, &field, format!("{r:?} dropped: {e}"));
                                None
                            }
                        })
                        .collect();
                    lost |= had && compiled.is_empty();
                    if k == "regexes" {
                        regexes = compiled;
                    } else {
                        paths = compiled;
                    }
                }
                "stopwords" => {
                    let list = self.strings(rule, &field, v);
                    let had = !list.is_empty();
                    stopwords = list
                        .iter()
                        .filter(|w| !w.is_empty())
                        .map(|w| w.to_lowercase())
                        .collect();
                    if stopwords.len() < list.len() {
                        self.warn(
                            rule,
                            &field,
                            "an empty stopword would exempt every secret: dropped",
                        );
                    }
                    lost |= had && stopwords.is_empty();
                }
                "commits" => {
                    commits = v.as_array().is_some_and(|a| !a.is_empty());
                    if commits {
                        self.unsupported(
                            rule,
                            &field,
                            "findings are not filtered by commit; history findings in these \
                             commits are reported",
                        );
                    }
                }
                "targetRules" if global => targets = self.strings(rule, &field, v),
                _ => self.unsupported(rule, &field, "not a gitleaks allowlist key"),
            }
        }
        if condition == Condition::And && (commits || lost) {
            let field = condition_field.unwrap_or_else(|| format!("{name}.condition"));
            self.warn(
                rule,
                &field,
                "an AND allowlist with a check leakhound cannot run could only exempt more than \
                 under gitleaks: the allowlist is dropped",
            );
            return None;
        }
        let list = Allowlist::new(condition, target, regexes, paths, &stopwords, targets);
        if list.is_none() && !commits && !lost {
            self.warn(rule, name, "has no regexes, paths or stopwords: ignored");
        }
        list
    }

    /// An array of strings; a wrong type is reported and read as empty.
    fn strings(&mut self, rule: Option<&str>, field: &str, v: &Value) -> Vec<String> {
        match v.as_array().and_then(|a| {
            a.iter()
                .map(|x| x.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        }) {
            Some(list) => list,
            None => {
                self.warn(
                    rule,
                    field,
                    format!(
                        "expected an array of strings, found {}: ignored",
                        v.type_str()
                    ),
                );
                Vec::new()
            }
        }
    }

    /// One `[[rules]]` table; `None` when the rule is skipped (with a warning saying why).
    fn rule(&mut self, t: &toml::Table, index: usize) -> Option<Rule> {
        let id = match t.get("id") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
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
        let mut spec = RuleSpec {
            id: id.clone(),
            description: id.clone(),
            severity: "high".into(),
            // gitleaks gates a rule on a keyword anywhere in a (100 kB) chunk of the file; the widest
            // window leakhound allows comes closest.
            window: Some(MAX_WINDOW),
            ..RuleSpec::default()
        };
        let mut extra = Imported {
            secret_group: SecretGroup::FirstNonEmpty,
            ..Imported::default()
        };
        let (mut path, mut keywords) = (None, None);
        let mut allowlists = Vec::new();
        let wrong = |v: &Value, want: &str| format!("expected {want}, found {}", v.type_str());
        for (k, v) in t {
            let bad = match (k.as_str(), v) {
                ("id" | "tags", _) => None,
                ("description", Value::String(s)) => {
                    if !s.trim().is_empty() {
                        spec.description = s.clone();
                    }
                    None
                }
                ("regex", Value::String(s)) => {
                    spec.regex = s.clone();
                    None
                }
                ("secretGroup", Value::Integer(n)) if *n >= 0 => {
                    if *n > 0 {
                        extra.secret_group = SecretGroup::Index(*n as usize);
                    }
                    None
                }
                ("entropy", Value::Float(_) | Value::Integer(_)) => {
                    let e = v
                        .as_float()
                        .unwrap_or_else(|| v.as_integer().unwrap_or(0) as f64);
                    if e > 0.0 {
                        // gitleaks drops a secret whose entropy is <= the value; leakhound's check drops
                        // one below its value, so the threshold moves up by the smallest step.
                        spec.entropy = Some(e.next_up());
                    }
                    None
                }
                ("path", Value::String(s)) => {
                    path = Some(s.clone());
                    None
                }
                ("keywords", Value::Array(a)) => {
                    match a
                        .iter()
                        .map(|x| x.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                    {
                        Some(list) => {
                            keywords = Some(list);
                            None
                        }
                        None => Some("expected an array of strings".to_owned()),
                    }
                }
                ("allowlist", Value::Table(a)) => {
                    allowlists.extend(self.allowlist(rid, "allowlist", a, false));
                    None
                }
                ("allowlists", _) => {
                    allowlists.extend(self.allowlists(rid, v, false));
                    None
                }
                ("required", _) => {
                    self.unsupported(
                        rid,
                        k,
                        "composite rules: this rule reports its own matches without requiring the \
                         others nearby",
                    );
                    None
                }
                ("skipReport", Value::Boolean(true)) => {
                    self.skip(
                        &id,
                        Some(k),
                        "only a part of composite rules, which leakhound does not support; gitleaks \
                         never reports its matches either",
                    );
                    return None;
                }
                ("skipReport", Value::Boolean(false)) => None,
                ("description" | "regex" | "path", _) => Some(wrong(v, "a string")),
                ("secretGroup", _) => Some(wrong(v, "a non-negative integer")),
                ("entropy", _) => Some(wrong(v, "a number")),
                ("keywords", _) => Some(wrong(v, "an array of strings")),
                ("allowlist", _) => Some(wrong(v, "a table")),
                ("skipReport", _) => Some(wrong(v, "a boolean")),
                _ => {
                    self.unsupported(rid, k, "not a gitleaks rule key");
                    None
                }
            };
            if let Some(message) = bad {
                self.skip(&id, Some(k), &message);
                return None;
            }
        }
        if spec.regex.is_empty() && path.is_none() {
            self.skip(&id, Some("regex"), "neither `regex` nor `path` is set");
            return None;
        }
        if let Some(p) = &path {
            match build_regex(p) {
                Ok(re) => extra.path = Some(re),
                Err(e) => {
                    self.skip(&id, Some("path"), &e);
                    return None;
                }
            }
        }
        let mut keywords: Vec<String> = keywords
            .unwrap_or_default()
            .into_iter()
            .map(|k| k.to_lowercase())
            .collect();
        if keywords.iter().any(String::is_empty) {
            self.warn(
                rid,
                "keywords",
                "an empty keyword would match everywhere: dropped",
            );
            keywords.retain(|k| !k.is_empty());
        }
        if keywords.is_empty() && !spec.regex.is_empty() {
            match derive_keywords(&spec.regex) {
                Some(derived) => keywords = derived,
                // The regex's own error is reported below, when it is compiled.
                None if build_regex(&spec.regex).is_ok() => {
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
        spec.keywords = keywords;
        extra.allowlists = allowlists.into_iter().map(Arc::new).collect();
        match Rule::imported(self.file, spec, extra) {
            Ok(rule) => Some(rule),
            Err(e) => {
                self.skip(&id, e.field.as_deref(), &e.message);
                None
            }
        }
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
}
