//! The configs and the rule pack of a scan: `--config` (an organisation's policy), the scanned
//! repository's `.leakhound.toml`, the embedded rules and rule files.

use std::path::{Path, PathBuf};

use crate::config::{Config, ConfigChange, Origin};
use crate::context::Context;
use crate::rules::{RuleSet, RuleWarning};

use super::SessionError;

/// A config file in use, where it came from, and its directory (absolute), against which its
/// allowlisted paths are matched.
pub(crate) struct LoadedConfig {
    pub(crate) config: Config,
    pub(crate) file: String,
    pub(crate) origin: Origin,
    pub(crate) dir: Option<PathBuf>,
}

/// What the configs of a scan add up to.
pub(crate) struct Configs {
    /// In the order they apply: explicit first, then the repository's.
    pub(crate) loaded: Vec<LoadedConfig>,
    /// Warnings about them (a key only an explicit config may set).
    pub(crate) warnings: Vec<RuleWarning>,
}

impl Configs {
    /// Secrets matching these are never reported.
    pub(crate) fn allow_regexes(&self) -> Vec<regex::bytes::Regex> {
        self.loaded
            .iter()
            .flat_map(|c| c.config.secret_regexes().iter().cloned())
            .collect()
    }

    /// Globs of paths never scanned, of every config.
    pub(crate) fn allow_paths(&self) -> Vec<String> {
        self.loaded
            .iter()
            .flat_map(|c| c.config.allow_paths.iter().cloned())
            .collect()
    }

    /// One base for every config's globs: the repository's config directory when there is one (its
    /// globs are written for that tree, and an organisation's are written for any repository), else
    /// the explicit config's directory.
    pub(crate) fn globs_base(&self) -> Option<PathBuf> {
        self.loaded
            .iter()
            .find(|c| c.origin == Origin::Repository)
            .or_else(|| self.loaded.first())
            .and_then(|c| c.dir.clone())
    }

    /// `policy.fail_on_context`: the explicit config's, else the repository's (an organisation's
    /// policy wins).
    pub(crate) fn fail_on_context(&self) -> Option<Vec<Context>> {
        self.loaded
            .iter()
            .find_map(|c| c.config.fail_on_context.clone())
    }
}

/// Loads the configs of a scan, in the order they apply: `explicit` (an organisation's policy), then
/// the scanned repository's `.leakhound.toml`: the first found from `first` up to the repository root
/// (the first directory holding `.git`). The repository's is skipped unless `repo_config`, when the
/// explicit config says `[scan] repo_config = false`, or when it is the explicit config itself.
pub(crate) fn load(
    explicit: Option<&Path>,
    first: Option<&Path>,
    repo_config: bool,
) -> Result<Configs, SessionError> {
    let load = |file: &Path, origin| -> Result<LoadedConfig, SessionError> {
        // A discovered config is found as an absolute path: named relative to the current directory
        // when it is below it, as a person would type it.
        let cwd = std::env::current_dir().and_then(std::fs::canonicalize);
        let shown = match &cwd {
            Ok(cwd) if file.is_absolute() => file.strip_prefix(cwd).unwrap_or(file),
            _ => file,
        };
        let config = Config::load(shown)?;
        let dir = std::fs::canonicalize(file)
            .ok()
            .and_then(|f| f.parent().map(Path::to_path_buf));
        Ok(LoadedConfig {
            config,
            file: shown.display().to_string(),
            origin,
            dir,
        })
    };
    let mut configs = Configs {
        loaded: Vec::new(),
        warnings: Vec::new(),
    };
    if let Some(p) = explicit {
        configs.loaded.push(load(p, Origin::Explicit)?);
    }
    let repo_allowed = repo_config
        && configs
            .loaded
            .first()
            .is_none_or(|c| c.config.repo_config != Some(false));
    let Some(found) = first.filter(|_| repo_allowed).and_then(discover) else {
        return Ok(configs);
    };
    let same_as_explicit = explicit
        .is_some_and(|p| std::fs::canonicalize(p).ok() == std::fs::canonicalize(&found).ok());
    if !same_as_explicit {
        let repo = load(&found, Origin::Repository)?;
        if repo.config.repo_config.is_some() {
            configs.warnings.push(RuleWarning {
                file: repo.file.clone(),
                rule: None,
                field: Some("scan.repo_config".to_owned()),
                message: "only read from a --config file: ignored here".to_owned(),
                rule_skipped: false,
            });
        }
        configs.loaded.push(repo);
    }
    Ok(configs)
}

/// The first `.leakhound.toml` from `first` (or its directory) up to the repository root. Outside a
/// repository only the scanned directory itself is looked at: a config in some parent directory (a
/// shared `/tmp`, a home directory) is not the scanned tree's to give.
fn discover(first: &Path) -> Option<PathBuf> {
    let start = super::paths::dir_of(first);
    let in_repo = start.ancestors().any(|d| d.join(".git").exists());
    for dir in start.ancestors() {
        let candidate = dir.join(".leakhound.toml");
        if candidate.is_file() {
            return Some(candidate);
        }
        if !in_repo || dir.join(".git").exists() {
            break;
        }
    }
    None
}

/// The rule pack: the embedded defaults (unless `!defaults`), then the rules of each of `files` (a
/// rule with the id of one loaded before replaces it), with the warnings the files gave (a gitleaks
/// configuration's unsupported fields).
///
/// # Errors
/// [`SessionError::Rules`] when a file cannot be read or a rule is invalid.
///
/// ```
/// let (rules, warnings) = leakhound_core::session::rule_pack(true, &[]).unwrap();
/// assert!(rules.len() > 600 && warnings.is_empty());
/// ```
pub fn rule_pack(
    defaults: bool,
    files: &[PathBuf],
) -> Result<(RuleSet, Vec<RuleWarning>), SessionError> {
    let mut rules = if defaults {
        RuleSet::embedded()
    } else {
        RuleSet::empty()
    };
    let mut warnings = Vec::new();
    for p in files {
        let loaded = RuleSet::from_path(p)?;
        warnings.extend(loaded.warnings);
        rules.extend(loaded.rules);
    }
    Ok((rules, warnings))
}

/// Adds each config's rules to the pack, returning what the configs changed in it.
pub(crate) fn apply(rules: &mut RuleSet, configs: &mut Configs) -> Vec<ConfigChange> {
    let mut changes = Vec::new();
    for c in &mut configs.loaded {
        changes.extend(c.config.changes(&c.file, c.origin, rules));
        rules.extend(std::mem::take(&mut c.config.rules));
    }
    changes
}
