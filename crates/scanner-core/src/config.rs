//! `.leakhound.toml`: a repository's own rules and allowlist, or an organisation's (`--config`).
//!
//! ```toml
//! [allowlist]
//! paths = ["tests/fixtures/**", "**/*.snap"]   # never scanned
//! regexes = ['''^sk_test_''']                   # secrets matching these are never reported
//!
//! [[rule]]                                      # extra rules, same format as rules/*.toml
//! id = "acme-internal-token"
//! # ...
//!
//! [scan]                                        # read from a --config file only
//! repo_config = false                           # scanned repositories' own configs are not used
//!
//! [policy]
//! fail_on_context = ["code", "vendor"]          # findings elsewhere are reported but do not fail
//! ```
//!
//! A config can switch detection off: a rule with a default's id replaces it, an allowlist hides what
//! it matches. [`Config::changes`] lists what a config changes in the rule pack, so that a scan can show
//! it; an allowlist entry that matches everything is refused outright.

use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use serde::de::{Deserializer, Error as _, IgnoredAny};
use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::rules::spec::{self, de};
use crate::rules::{RuleError, RuleSet};

/// A parsed `.leakhound.toml`, its globs and regexes compiled.
#[derive(Debug, Default)]
pub struct Config {
    /// Globs of paths never scanned, as written.
    pub allow_paths: Vec<String>,
    /// Regexes (as written): a secret matching any is never reported.
    pub allow_regexes: Vec<String>,
    /// Extra rules.
    pub rules: RuleSet,
    /// `[scan] repo_config`: whether a scanned repository's own config is used too (`None`: not said).
    /// Only an explicitly given config's value counts.
    pub repo_config: Option<bool>,
    /// `[policy] fail_on_context`: the contexts whose findings fail the scan (`None`: not said, every
    /// context fails). Never empty.
    pub fail_on_context: Option<Vec<Context>>,
    path_globs: Option<GlobSet>,
    secret_regexes: Vec<Regex>,
}

/// A config file that could not be used; names the file and the field.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The config file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A field has the wrong type or an invalid value.
    #[error("{file}: field `{field}`: {message}")]
    Field {
        /// The config file.
        file: String,
        /// Dotted field name, e.g. `allowlist.paths`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// An inline rule is invalid.
    #[error(transparent)]
    Rule(#[from] RuleError),
}

impl Config {
    /// Reads and parses a config file.
    ///
    /// # Errors
    /// [`ConfigError`] naming the file and the field at fault.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: file.clone(),
            source,
        })?;
        Config::parse(&file, &text)
    }

    /// Parses config text; `file` names it in errors.
    ///
    /// # Errors
    /// [`ConfigError`] naming the file and the field at fault.
    ///
    /// ```
    /// use leakhound_core::Config;
    /// let c = Config::parse(".leakhound.toml", "[allowlist]\npaths = [\"fixtures/**\"]\n").unwrap();
    /// assert_eq!(c.allow_paths, ["fixtures/**"]);
    /// assert!(Config::parse(".leakhound.toml", "[allowlist]\npaths = 3\n").is_err());
    /// ```
    pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
        let field = |field: &str, message: String| ConfigError::Field {
            file: file.to_owned(),
            field: field.to_owned(),
            message,
        };
        let doc: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| field("(document)", spec::one_line(&e.to_string())))?;
        // A section must be a table: serde's derived structs would also read an array, field by field.
        if let Some(section) = ["allowlist", "scan", "policy"]
            .into_iter()
            .find(|s| doc.get(*s).is_some_and(|v| !v.is_table()))
        {
            return Err(field(section, "expected a table".into()));
        }
        let written =
            File::deserialize(de::Value::new(toml::Value::Table(doc.clone()))).map_err(|e| {
                let (name, message) = field_error(e);
                field(&name, message)
            })?;
        let mut config = Config {
            allow_paths: written.allowlist.paths,
            allow_regexes: written.allowlist.regexes,
            repo_config: written.scan.repo_config,
            fail_on_context: written.policy.fail_on_context,
            ..Config::default()
        };
        let specs = spec::parse_rule_tables(&doc).map_err(|e| RuleError {
            file: file.to_owned(),
            rule: e.rule,
            field: e.field,
            message: e.message,
        })?;
        if doc.contains_key("rule") || doc.contains_key("rules") {
            config.rules = RuleSet::from_specs(file, specs)?;
        }
        // Compiled here, once, so a bad glob or regex is reported against the config, not mid-scan.
        config.path_globs = globs(&config.allow_paths)
            .map_err(|(g, e)| field("allowlist.paths", format!("{g:?}: {e}")))?;
        for (i, g) in config.allow_paths.iter().enumerate() {
            if glob_matches_everything(g) {
                return Err(field(
                    "allowlist.paths",
                    format!(
                        "entry {} ({g:?}) matches every path: it would switch scanning off; \
                         list the directories to skip instead",
                        i + 1
                    ),
                ));
            }
        }
        let compile = |(i, r): (usize, &String)| {
            let re = Regex::new(r).map_err(|e| {
                field(
                    "allowlist.regexes",
                    format!("{r:?}: {}", spec::one_line(&e.to_string())),
                )
            })?;
            match regex_matches_everything(&re) {
                Some(why) => Err(field(
                    "allowlist.regexes",
                    format!(
                        "entry {} ({r:?}) {why}: it would hide every secret; make it specific",
                        i + 1
                    ),
                )),
                None => Ok(re),
            }
        };
        config.secret_regexes = config
            .allow_regexes
            .iter()
            .enumerate()
            .map(compile)
            .collect::<Result<_, _>>()?;
        Ok(config)
    }

    /// The allowlisted paths as one glob set (`None` when there are none).
    pub fn path_globs(&self) -> Option<&GlobSet> {
        self.path_globs.as_ref()
    }

    /// The allowlist regexes, compiled.
    pub fn secret_regexes(&self) -> &[Regex] {
        &self.secret_regexes
    }

    /// What this config changes in the rule pack it is added to (`before`: the rules loaded so far),
    /// one entry per replaced or added rule, allowlist regex and allowlisted path, in that order.
    ///
    /// ```
    /// use leakhound_core::config::{ChangeKind, Config, Origin};
    /// use leakhound_core::RuleSet;
    /// let text = "[allowlist]\nregexes = ['^sk_test_']\n\n[[rule]]\nid = \"aws-access-key-id\"\n\
    ///             description = \"d\"\nseverity = \"low\"\nkeywords = [\"zzzz\"]\n\
    ///             regex = '(?P<secret>zzzz[0-9]{8})'\n";
    /// let c = Config::parse("repo/.leakhound.toml", text).unwrap();
    /// let changes = c.changes("repo/.leakhound.toml", Origin::Repository, &RuleSet::embedded());
    /// assert_eq!(changes[0].change, ChangeKind::RuleReplaced);
    /// assert_eq!(changes[0].value, "aws-access-key-id");
    /// assert_eq!(changes[1].change, ChangeKind::AllowlistRegex);
    /// assert_eq!(
    ///     changes[0].to_string(),
    ///     "repo/.leakhound.toml: rule `aws-access-key-id` replaces the rule of that id (<embedded>/cloud.toml)"
    /// );
    /// ```
    pub fn changes(&self, file: &str, origin: Origin, before: &RuleSet) -> Vec<ConfigChange> {
        let change = |change, value: &str, replaces: Option<String>| ConfigChange {
            file: file.to_owned(),
            origin,
            change,
            value: value.to_owned(),
            replaces,
        };
        let mut out = Vec::new();
        for r in self.rules.iter() {
            out.push(match before.get(r.id()) {
                Some(old) => change(
                    ChangeKind::RuleReplaced,
                    r.id(),
                    Some(old.file().to_owned()),
                ),
                None => change(ChangeKind::RuleAdded, r.id(), None),
            });
        }
        for r in &self.allow_regexes {
            out.push(change(ChangeKind::AllowlistRegex, r, None));
        }
        for p in &self.allow_paths {
            out.push(change(ChangeKind::AllowlistPath, p, None));
        }
        if let Some(list) = self
            .fail_on_context
            .as_ref()
            .filter(|l| l.len() < Context::ALL.len())
        {
            let names: Vec<&str> = list.iter().map(|c| c.as_str()).collect();
            out.push(change(ChangeKind::PolicyContexts, &names.join(","), None));
        }
        out
    }
}

/// A config as written, before its globs and regexes are compiled.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    allowlist: Allowlist,
    /// `[[rule]]` (or `[[rules]]`) tables: read by `spec::parse_rule_tables`, the rule files' own
    /// format; named here so that they are known fields.
    #[serde(default, rename = "rule")]
    _rule: IgnoredAny,
    #[serde(default, rename = "rules")]
    _rules: IgnoredAny,
    #[serde(default)]
    scan: Scan,
    #[serde(default)]
    policy: Policy,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Allowlist {
    #[serde(default, deserialize_with = "strings")]
    paths: Vec<String>,
    #[serde(default, deserialize_with = "strings")]
    regexes: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scan {
    #[serde(default, deserialize_with = "true_or_false")]
    repo_config: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Policy {
    #[serde(default, deserialize_with = "contexts")]
    fail_on_context: Option<Vec<Context>>,
}

/// Each table's fields, as an unknown field's error lists them (`rules`, the plural that
/// `parse_rule_tables` also reads, is not advertised).
const KNOWN: [(&str, &[&str]); 4] = [
    ("", &["allowlist", "rule", "scan", "policy"]),
    ("allowlist", &["paths", "regexes"]),
    ("scan", &["repo_config"]),
    ("policy", &["fail_on_context"]),
];

/// The dotted field and the message of a deserialization error. Every known field's value is read by
/// one of the functions below, whose messages are the config's own; so an error on a field that is
/// not known is serde's unknown-field error, worded here with the table's fields.
fn field_error(e: de::FieldError) -> (String, String) {
    let keys: Vec<&str> = e
        .path
        .iter()
        .filter_map(|s| match s {
            de::Segment::Key(key) => Some(key.as_str()),
            de::Segment::Index(_) => None,
        })
        .collect();
    let (last, parents) = keys.split_last().unwrap_or((&"", &[]));
    let parent = parents.join(".");
    let message = match KNOWN.iter().find(|(table, _)| *table == parent) {
        Some((_, names)) if !names.contains(last) => {
            format!("unknown field (known: {})", names.join(", "))
        }
        _ => e.message.clone(),
    };
    (keys.join("."), message)
}

/// Reads a `T`; any failure is `message` (the config's wording, not serde's).
fn expect<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
    message: &str,
) -> Result<T, D::Error> {
    T::deserialize(d).map_err(|_| D::Error::custom(message))
}

/// An array of strings. A TOML date or time in it is taken as written (`2026-01-01`), as toml's own
/// reader of a parsed document handed one to a string.
fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    const MESSAGE: &str = "expected an array of strings";
    let values: Vec<toml::Value> = expect(d, MESSAGE)?;
    values
        .into_iter()
        .map(|v| match v {
            toml::Value::String(s) => Ok(s),
            toml::Value::Datetime(t) => Ok(t.to_string()),
            _ => Err(D::Error::custom(MESSAGE)),
        })
        .collect()
}

fn true_or_false<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    expect(d, "expected true or false").map(Some)
}

fn contexts<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Context>>, D::Error> {
    let names = strings(d)?;
    parse_contexts(names.iter().map(String::as_str))
        .map(Some)
        .map_err(D::Error::custom)
}

/// Parses a list of context names (`code`, `test`, `docs`, `example`, `vendor`, `generated`) for a
/// policy: every name known, at least one. Duplicates are dropped; the order is the contexts' own.
///
/// # Errors
/// What is wrong, in words (an unknown name, an empty list).
///
/// ```
/// use leakhound_core::{config::parse_contexts, Context};
/// assert_eq!(parse_contexts(["vendor", "code", "code"]).unwrap(), [Context::Code, Context::Vendor]);
/// assert!(parse_contexts(["tests"]).is_err());
/// assert!(parse_contexts(std::iter::empty::<&str>()).is_err());
/// ```
pub fn parse_contexts<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Context>, String> {
    let mut out = Vec::new();
    for n in names {
        let c = Context::parse(n.trim()).ok_or_else(|| {
            format!("{n:?} is not a context (known: code, test, docs, example, vendor, generated)")
        })?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.is_empty() {
        return Err("lists no context: no finding would fail the scan".into());
    }
    out.sort();
    Ok(out)
}

/// Where a config came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Named on the command line (`--config`): the person running the scan chose it.
    Explicit,
    /// Found in the scanned repository (`.leakhound.toml`): its content is the repository's say.
    Repository,
}

/// What a config changes in the rule pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// A rule with the id of one loaded before (a default rule, usually) replaces it.
    RuleReplaced,
    /// A new rule.
    RuleAdded,
    /// Secrets matching this regex are never reported.
    AllowlistRegex,
    /// Paths matching this glob are never scanned.
    AllowlistPath,
    /// `policy.fail_on_context`: only findings in these contexts fail the scan (the others are still
    /// reported).
    PolicyContexts,
}

/// One change a config makes to the rule pack (`summary.config_changes` in the JSON report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigChange {
    /// The config file.
    pub file: String,
    /// Whether it was given explicitly or found in the repository.
    pub origin: Origin,
    /// What it changes.
    pub change: ChangeKind,
    /// The rule id, the regex or the glob, as written.
    pub value: String,
    /// For a replaced rule: the file of the rule it replaces (`<embedded>/…` for a default rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

impl ConfigChange {
    /// Whether the change can hide a secret that the rules before it would report. Adding a rule
    /// cannot: it only reports more.
    pub fn can_hide_secrets(&self) -> bool {
        self.change != ChangeKind::RuleAdded
    }
}

impl std::fmt::Display for ConfigChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = &self.value;
        match self.change {
            ChangeKind::RuleReplaced => write!(
                f,
                "{}: rule `{v}` replaces the rule of that id ({})",
                self.file,
                self.replaces.as_deref().unwrap_or("loaded before")
            ),
            ChangeKind::RuleAdded => write!(f, "{}: rule `{v}` added", self.file),
            ChangeKind::AllowlistRegex => write!(
                f,
                "{}: allowlist.regexes: secrets matching {v:?} are never reported",
                self.file
            ),
            ChangeKind::AllowlistPath => write!(
                f,
                "{}: allowlist.paths: paths matching {v:?} are never scanned",
                self.file
            ),
            ChangeKind::PolicyContexts => write!(
                f,
                "{}: policy.fail_on_context: only findings in {v} fail the scan (the others are reported)",
                self.file
            ),
        }
    }
}

/// Secret shapes an allowlist regex is tried on: one that matches them all hides any secret. Built at
/// run time so this file holds no token-shaped literal; none of them is a real credential.
fn sample_secrets() -> Vec<String> {
    vec![
        format!("ghp_{}", "Zq8vN2kLm4Rt7Yw1Xc5B".repeat(2)),
        format!("AKIA{}", "QYLPMN5HHH7K2F4Z"),
        format!("glpat-{}", "Hq3Zr8xK2mVb7NcT1pWd"),
        format!("xoxb-{}-{}-{}", "20483920", "47203859", "kXp2RtQ9vLm8ZsW3"),
        format!("sk_live_{}", "51Hq8ZtR2vNx7LmWp3KcY9bD"),
        format!(
            "eyJhbGciOiJIUzI1NiJ9.{}.{}",
            "eyJzdWIiOiIxIn0", "c2lnbmF0dXJl"
        ),
        format!(
            "-----BEGIN {} PRIVATE KEY-----
MIIEowIBAAKCAQEA",
            "RSA"
        ),
        "hunter2!".to_owned(),
        "51972630481735".to_owned(),
        "p@ss w0rd;#".to_owned(),
        "Zm9vYmFyYmF6cXV4".to_owned(),
        "postgres://app:s3cr3t@db:5432/app".to_owned(),
    ]
}

/// Why an allowlist regex matches every secret, if it does: it matches the empty string (and so any
/// secret: `''`, `.*`, `^`, `a?`), or every sample secret shape (`.`, `\S`, `[\s\S]`).
fn regex_matches_everything(re: &Regex) -> Option<&'static str> {
    if re.is_match(b"") {
        return Some("matches the empty string, so every secret");
    }
    sample_secrets()
        .iter()
        .all(|s| re.is_match(s.as_bytes()))
        .then_some("matches every sample secret shape")
}

/// Whether a path glob matches every path (`**`, `*`, `**/*`, `{*,x}`): tried on paths of every shape.
fn glob_matches_everything(glob: &str) -> bool {
    const SAMPLE_PATHS: [&str; 9] = [
        "a",
        "0",
        "README.md",
        "Dockerfile",
        ".env",
        "src/main.rs",
        "deploy/prod/app.yaml",
        "x/y/z/.npmrc",
        "Secrets Dir/key 1.pem",
    ];
    Glob::new(glob).is_ok_and(|g| {
        let m = g.compile_matcher();
        SAMPLE_PATHS.iter().all(|p| m.is_match(p))
    })
}

/// Compiles globs into one set; `None` for an empty list.
///
/// # Errors
/// The first invalid glob and why.
pub fn globs(list: &[String]) -> Result<Option<GlobSet>, (String, String)> {
    if list.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in list {
        b.add(Glob::new(g).map_err(|e| (g.clone(), e.kind().to_string()))?);
    }
    b.build()
        .map(Some)
        .map_err(|e| (String::new(), e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow(field: &str, value: &str) -> Result<Config, ConfigError> {
        Config::parse(
            "repo/.leakhound.toml",
            &format!("[allowlist]\n{field} = [\'\'\'{value}\'\'\']\n"),
        )
    }

    /// Regression (issue 11, case 5): an allowlist regex that matches everything switched detection
    /// off and the scan exited 0.
    #[test]
    fn match_all_allowlist_regexes_are_refused() {
        for re in [
            "", ".*", "(?s).*", "^", "$", "a*", "(?i)", ".", "\\S", "[\\s\\S]", "\\w|\\W",
        ] {
            let err = allow("regexes", re).expect_err(re).to_string();
            assert!(
                err.starts_with("repo/.leakhound.toml: field `allowlist.regexes`: entry 1"),
                "{err}"
            );
        }
        for re in ["^sk_test_", "EXAMPLE$", "(?i)dummy|fake", "[a-z]"] {
            allow("regexes", re).unwrap_or_else(|e| panic!("{re}: {e}"));
        }
    }

    #[test]
    fn match_all_allowlist_paths_are_refused() {
        for g in ["**", "*", "**/*", "{*,x}", "**/**", "{**/*,**}"] {
            let err = allow("paths", g).expect_err(g).to_string();
            assert!(
                err.starts_with("repo/.leakhound.toml: field `allowlist.paths`: entry 1"),
                "{err}"
            );
        }
        for g in ["tests/**", "**/*.snap", "**/testdata/**", "*.md"] {
            allow("paths", g).unwrap_or_else(|e| panic!("{g}: {e}"));
        }
    }

    #[test]
    fn policy_contexts() {
        let c = Config::parse(
            "org.toml",
            "[policy]\nfail_on_context = [\"code\", \"vendor\"]\n",
        )
        .unwrap();
        assert_eq!(
            c.fail_on_context,
            Some(vec![Context::Code, Context::Vendor])
        );
        let changes = c.changes("org.toml", Origin::Explicit, &RuleSet::empty());
        assert_eq!(changes[0].change, ChangeKind::PolicyContexts);
        assert_eq!(changes[0].value, "code,vendor");
        let all = "[policy]\nfail_on_context = [\"code\", \"test\", \"docs\", \"example\", \"vendor\", \"generated\"]\n";
        assert!(Config::parse("org.toml", all)
            .unwrap()
            .changes("org.toml", Origin::Explicit, &RuleSet::empty())
            .is_empty());
        for bad in [
            "fail_on_context = []",
            "fail_on_context = [\"tests\"]",
            "fail_on_context = \"code\"",
            "fail_on = [\"x\"]",
        ] {
            let e = Config::parse("org.toml", &format!("[policy]\n{bad}\n")).unwrap_err();
            assert!(e.to_string().contains("field `policy."), "{e}");
        }
    }

    #[test]
    fn scan_repo_config_key() {
        let c = Config::parse("org.toml", "[scan]\nrepo_config = false\n").unwrap();
        assert_eq!(c.repo_config, Some(false));
        let e = Config::parse("org.toml", "[scan]\nrepo_config = \"no\"\n").unwrap_err();
        assert!(e.to_string().contains("field `scan.repo_config`"), "{e}");
        let e = Config::parse("org.toml", "[scan]\nrepo = false\n").unwrap_err();
        assert!(e.to_string().contains("field `scan.repo`"), "{e}");
    }

    /// The messages name the file and the field, worded as before serde read the file (issue 13).
    #[test]
    fn field_errors_are_worded_per_field() {
        for (text, want) in [
            (
                "x = 1",
                "field `x`: unknown field (known: allowlist, rule, scan, policy)",
            ),
            (
                "[[allowlist]]\npaths = ['x']",
                "field `allowlist`: expected a table",
            ),
            ("allowlist = [['x']]", "field `allowlist`: expected a table"),
            (
                "[allowlist]\npaths = [3]",
                "field `allowlist.paths`: expected an array of strings",
            ),
            (
                "[allowlist]\nfoo = ['a']",
                "field `allowlist.foo`: unknown field (known: paths, regexes)",
            ),
            (
                "[scan]\nrepo_config = 1",
                "field `scan.repo_config`: expected true or false",
            ),
            (
                "[policy]\nfail_on_context = 3",
                "field `policy.fail_on_context`: expected an array of strings",
            ),
            (
                "[policy]\nfoo = 1",
                "field `policy.foo`: unknown field (known: fail_on_context)",
            ),
            (
                "rules = 3",
                "field `rule`: expected an array of tables ([[rule]])",
            ),
        ] {
            let e = Config::parse("f.toml", text).unwrap_err().to_string();
            assert_eq!(e, format!("f.toml: {want}"), "{text}");
        }
    }
}
