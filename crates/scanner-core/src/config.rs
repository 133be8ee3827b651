//! `.leakhound.toml`: a repository's own rules and allowlist.
//!
//! ```toml
//! [allowlist]
//! paths = ["tests/fixtures/**", "**/*.snap"]   # never scanned
//! regexes = ['''^sk_test_''']                   # secrets matching these are never reported
//!
//! [[rule]]                                      # extra rules, same format as rules/*.toml
//! id = "acme-internal-token"
//! # ...
//! ```

use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;

use crate::rules::{spec, RuleError, RuleSet};

/// A parsed `.leakhound.toml`, its globs and regexes compiled.
#[derive(Debug, Default)]
pub struct Config {
    /// Globs of paths never scanned, as written.
    pub allow_paths: Vec<String>,
    /// Regexes (as written): a secret matching any is never reported.
    pub allow_regexes: Vec<String>,
    /// Extra rules.
    pub rules: RuleSet,
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
        let mut config = Config::default();
        for (key, value) in &doc {
            match key.as_str() {
                "allowlist" => {
                    let table = value
                        .as_table()
                        .ok_or_else(|| field("allowlist", "expected a table".into()))?;
                    for (k, v) in table {
                        let name = format!("allowlist.{k}");
                        let list = v
                            .as_array()
                            .and_then(|a| {
                                a.iter()
                                    .map(|x| x.as_str().map(str::to_owned))
                                    .collect::<Option<Vec<_>>>()
                            })
                            .ok_or_else(|| field(&name, "expected an array of strings".into()))?;
                        match k.as_str() {
                            "paths" => config.allow_paths = list,
                            "regexes" => config.allow_regexes = list,
                            _ => {
                                return Err(field(
                                    &name,
                                    "unknown field (known: paths, regexes)".into(),
                                ))
                            }
                        }
                    }
                }
                "rule" | "rules" => {
                    let specs = spec::parse_rule_tables(&doc).map_err(|e| RuleError {
                        file: file.to_owned(),
                        rule: e.rule,
                        field: e.field,
                        message: e.message,
                    })?;
                    config.rules = RuleSet::from_specs(file, specs)?;
                }
                other => {
                    return Err(field(
                        other,
                        "unknown field (known: allowlist, rule)".into(),
                    ))
                }
            }
        }
        // Compiled here, once, so a bad glob or regex is reported against the config, not mid-scan.
        config.path_globs = globs(&config.allow_paths)
            .map_err(|(g, e)| field("allowlist.paths", format!("{g:?}: {e}")))?;
        let compile = |r: &String| {
            Regex::new(r).map_err(|e| {
                field(
                    "allowlist.regexes",
                    format!("{r:?}: {}", spec::one_line(&e.to_string())),
                )
            })
        };
        config.secret_regexes = config
            .allow_regexes
            .iter()
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
