//! Rules: the on-disk format turned into a validated [`RuleSet`], and the embedded default pack.
//!
//! A rule's regex is compiled the first time its keyword is seen, not when the set is built: the default
//! pack has over a hundred regexes and compiling all of them costs tens of milliseconds, which a
//! pre-commit hook that scans three added lines cannot afford.

pub(crate) mod allowlist;
mod gate;
pub mod gitleaks;
mod literals;
mod pattern;
pub(crate) mod spec;
/// The `[rule.verify]` table: how a rule's secrets are checked with their provider.
pub use spec::verify;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

pub use crate::severity::Severity;
use globset::{Candidate, Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
pub use spec::{RuleSpec, RuleWarning};

use crate::validate::names as validator_names;
use crate::validate::Validator;
use allowlist::Allowlist;
use pattern::compile;
pub(crate) use pattern::{build_regex, syntax, Compiled, SecretGroup};

/// A rule as embedded by `build.rs`: all `'static` data, so loading the default pack parses nothing.
#[derive(Debug)]
pub(crate) struct EmbeddedRule {
    pub file: &'static str,
    pub id: &'static str,
    pub description: &'static str,
    pub severity: &'static str,
    pub keywords: &'static [&'static str],
    pub regex: &'static str,
    pub entropy: Option<f64>,
    pub validate: Option<&'static str>,
    pub allow: &'static [&'static str],
    pub allow_match: &'static [&'static str],
    pub paths_allow: &'static [&'static str],
    pub paths: &'static [&'static str],
    pub window: Option<usize>,
    pub generic: bool,
    pub lazy: Option<bool>,
    pub exact_keywords: bool,
    pub examples: &'static [&'static str],
    pub negative_examples: &'static [&'static str],
    pub verify: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// A rule file that could not be loaded: names the file, and where known the rule and the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}{}{}: {message}",
    .rule.as_ref().map(|r| format!(": rule `{r}`")).unwrap_or_default(),
    .field.as_ref().map(|f| format!(": field `{f}`")).unwrap_or_default())]
pub struct RuleError {
    /// The file (or `<embedded>/name.toml`, or the config file) the rule came from.
    pub file: String,
    /// The rule id, when it could be read.
    pub rule: Option<String>,
    /// The field at fault, when the error is about one.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl RuleError {
    pub(crate) fn from_spec(file: &str, e: spec::SpecError) -> RuleError {
        RuleError {
            file: file.to_owned(),
            rule: e.rule,
            field: e.field,
            message: e.message,
        }
    }

    fn field(file: &str, rule: &str, field: &str, message: impl Into<String>) -> RuleError {
        RuleError {
            file: file.to_owned(),
            rule: Some(rule.to_owned()),
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }
}

/// Default bytes of context on each side of a keyword hit given to a rule's regex.
pub const DEFAULT_WINDOW: usize = 512;

/// A rule's `allow` and `allow_match` regexes, compiled when the rule first has a candidate to filter:
/// most rules whose keyword occurs in a scan never match, and a scan of a source tree hits a few hundred
/// rules (231 of 780 in 201 MB of source), so compiling only what filters a candidate saves ~5 ms of
/// the ~40 ms that rule compilation costs there.
#[derive(Debug)]
pub(crate) struct Filters {
    pub allow: Vec<Regex>,
    pub allow_match: Vec<Regex>,
}

/// A rule's examples: borrowed from the embedded pack, or owned (rules read from files).
#[derive(Debug)]
enum Texts {
    Static(&'static [&'static str]),
    Owned(Vec<String>),
}

impl Texts {
    fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        let len = match self {
            Texts::Static(v) => v.len(),
            Texts::Owned(v) => v.len(),
        };
        (0..len).map(move |i| match self {
            Texts::Static(v) => v[i],
            Texts::Owned(v) => v[i].as_str(),
        })
    }
}

/// The texts of a rule that the embedded pack lends rather than copies.
struct Parts {
    description: Cow<'static, str>,
    regex: Cow<'static, str>,
    examples: Texts,
    negative_examples: Texts,
    verify: Option<Cow<'static, str>>,
}

/// One detection rule: a keyword gate, a regex with a `secret` group, and the filters applied to the secret.
#[derive(Debug)]
pub struct Rule {
    id: String,
    description: Cow<'static, str>,
    severity: Severity,
    keywords: Vec<String>,
    /// With `exact_keywords`: the keywords as written, sorted, the only spellings that count.
    exact: Option<Vec<String>>,
    regex: Cow<'static, str>,
    entropy: Option<f64>,
    validate: Option<Validator>,
    allow: Vec<String>,
    allow_match: Vec<String>,
    paths_allow: Option<GlobSet>,
    /// The only paths the rule runs on (`paths`), and the globs as written (for the examples' path).
    paths: Option<(GlobSet, Vec<String>)>,
    window: usize,
    generic: bool,
    lazy: bool,
    /// Given as `name` + `value`: the regex reads the credential's name before the value.
    named: bool,
    /// Whether every match's name holds one of the rule's keywords, so that a hit can be gated on the
    /// assignment after it (see `filters::named_hit_run`); computed on the rule's first hit.
    name_gate: OnceLock<bool>,
    /// The id names a password (see [`Rule::is_password`]).
    password: bool,
    examples: Texts,
    negative_examples: Texts,
    /// The `[rule.verify]` table as TOML text, checked when the rule was read ([`Rule::verify_text`]).
    verify: Option<Cow<'static, str>>,
    file: String,
    secret_group: SecretGroup,
    path: Option<Regex>,
    allowlists: Vec<Arc<Allowlist>>,
    imported: bool,
    compiled: OnceLock<Result<Compiled, String>>,
    filters: OnceLock<Result<Filters, String>>,
    min_secret: OnceLock<usize>,
    prefix_gate: OnceLock<Option<gate::PrefixGate>>,
}

impl Rule {
    /// Builds a rule from a parsed spec. Regexes are checked only when `eager` is set (user rule files, so
    /// that a typo is reported at load time); otherwise they are compiled on first use.
    fn from_spec(file: &str, mut s: RuleSpec, eager: bool) -> Result<Rule, RuleError> {
        let texts = Parts {
            description: Cow::Owned(std::mem::take(&mut s.description)),
            regex: Cow::Owned(std::mem::take(&mut s.regex)),
            examples: Texts::Owned(std::mem::take(&mut s.examples)),
            negative_examples: Texts::Owned(std::mem::take(&mut s.negative_examples)),
            verify: s.verify.take().map(Cow::Owned),
        };
        Rule::from_parts(file, s, texts, eager)
    }

    /// [`Rule::from_spec`] with the large texts given apart (borrowed from the embedded pack, or
    /// taken out of the spec).
    fn from_parts(file: &str, s: RuleSpec, t: Parts, eager: bool) -> Result<Rule, RuleError> {
        let severity = Severity::parse(&s.severity).ok_or_else(|| {
            RuleError::field(
                file,
                &s.id,
                "severity",
                format!("{:?} is not a severity", s.severity),
            )
        })?;
        let validate = match &s.validate {
            Some(v) => Some(Validator::parse(v).ok_or_else(|| {
                RuleError::field(file, &s.id, "validate", format!("unknown validator {v:?}"))
            })?),
            None => None,
        };
        let globs = |field: &str, list: &[String]| -> Result<Option<GlobSet>, RuleError> {
            if list.is_empty() {
                return Ok(None);
            }
            let mut b = GlobSetBuilder::new();
            for g in list {
                let glob = Glob::new(g)
                    .map_err(|e| RuleError::field(file, &s.id, field, e.to_string()))?;
                b.add(glob);
            }
            b.build()
                .map(Some)
                .map_err(|e| RuleError::field(file, &s.id, field, e.to_string()))
        };
        let paths_allow = globs("paths_allow", &s.paths_allow)?;
        let paths = globs("paths", &s.paths)?.map(|g| (g, s.paths.clone()));
        let rule = Rule {
            keywords: s.keywords.iter().map(|k| k.to_ascii_lowercase()).collect(),
            exact: s.exact_keywords.then(|| {
                let mut k = s.keywords.clone();
                k.sort_unstable();
                k
            }),
            // A derived regex always holds the shared grammar; a hand-written one practically never does.
            named: holds_assign(&t.regex),
            name_gate: OnceLock::new(),
            password: s.id.contains("password"),
            id: s.id,
            description: t.description,
            severity,
            regex: t.regex,
            entropy: s.entropy,
            validate,
            allow: s.allow,
            allow_match: s.allow_match,
            paths_allow,
            paths,
            window: s.window.unwrap_or(DEFAULT_WINDOW),
            generic: s.generic,
            lazy: s.lazy.unwrap_or(s.generic),
            examples: t.examples,
            negative_examples: t.negative_examples,
            verify: t.verify,
            file: file.to_owned(),
            secret_group: SecretGroup::Named,
            path: None,
            allowlists: Vec::new(),
            imported: false,
            compiled: OnceLock::new(),
            filters: OnceLock::new(),
            min_secret: OnceLock::new(),
            prefix_gate: OnceLock::new(),
        };
        if eager {
            rule.check()?;
        }
        Ok(rule)
    }

    /// Builds an imported rule: a spec plus what leakhound's format has no field for. The importer has
    /// checked the regex as [`compile`] reads it, so it is compiled on first use like the default
    /// pack's. An empty `regex` with a `path` makes a rule that reports matching files themselves.
    fn imported(file: &str, r: gitleaks::ImportedRule) -> Result<Rule, RuleError> {
        let mut rule = Rule::from_spec(file, r.spec, false)?;
        rule.secret_group = r.secret_group;
        rule.path = r.path;
        rule.allowlists = r.allowlists.into_iter().map(Arc::new).collect();
        rule.imported = true;
        Ok(rule)
    }

    fn from_embedded(e: &EmbeddedRule) -> Rule {
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let spec = RuleSpec {
            id: e.id.to_owned(),
            description: String::new(),
            severity: e.severity.to_owned(),
            keywords: owned(e.keywords),
            regex: String::new(),
            entropy: e.entropy,
            validate: e.validate.map(str::to_owned),
            allow: owned(e.allow),
            allow_match: owned(e.allow_match),
            paths_allow: owned(e.paths_allow),
            paths: owned(e.paths),
            window: e.window,
            generic: e.generic,
            lazy: e.lazy,
            exact_keywords: e.exact_keywords,
            examples: Vec::new(),
            negative_examples: Vec::new(),
            verify: None,
        };
        // The large texts stay where the binary has them: a hook that scans three lines does not
        // copy 783 rules' examples first.
        let texts = Parts {
            description: Cow::Borrowed(e.description),
            regex: Cow::Borrowed(e.regex),
            examples: Texts::Static(e.examples),
            negative_examples: Texts::Static(e.negative_examples),
            verify: e.verify.map(Cow::Borrowed),
        };
        let file = format!("<embedded>/{}", e.file);
        // build.rs ran the same checks, and the rule-pack test compiles every regex.
        Rule::from_parts(&file, spec, texts, false).expect("embedded rules are checked by build.rs")
    }

    /// Compiles the rule's regexes now and reports the first error, naming the field.
    pub fn check(&self) -> Result<(), RuleError> {
        match self.compiled().and_then(|_| self.filters().map(|_| ())) {
            Ok(_) => Ok(()),
            Err(msg) => {
                let (field, msg) = pattern::field_of(msg);
                Err(RuleError::field(&self.file, &self.id, field, msg))
            }
        }
    }

    pub(crate) fn compiled(&self) -> Result<&Compiled, &str> {
        self.compiled
            .get_or_init(|| compile(&self.regex, self.secret_group))
            .as_ref()
            .map_err(String::as_str)
    }

    /// The fewest bytes the `secret` group can match, at most 64 (what the lazy gate measures of an
    /// assigned literal): a lazy rule skips a hit whose literal is shorter (`generic-token` needs 20
    /// bytes; `token = self._tok` has 10). Read from the regex's syntax on first use; 0 when it
    /// cannot be (an imported rule's numbered group).
    pub(crate) fn min_secret_len(&self) -> usize {
        *self.min_secret.get_or_init(|| {
            if self.secret_group != SecretGroup::Named {
                return 0;
            }
            syntax(&self.regex)
                .and_then(|h| secret_min_len(&h))
                .map_or(0, |n| n.min(64))
        })
    }

    /// The `allow` and `allow_match` regexes, compiled on first use (see [`Filters`]).
    pub(crate) fn filters(&self) -> Result<&Filters, &str> {
        self.filters
            .get_or_init(|| compile_filters(&self.allow, &self.allow_match))
            .as_ref()
            .map_err(String::as_str)
    }

    /// The rule's stable id.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// One-line description.
    pub fn description(&self) -> &str {
        &self.description
    }
    /// Severity of a finding of this rule.
    pub fn severity(&self) -> Severity {
        self.severity
    }
    /// Prefilter keywords, lowercased.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }
    /// Whether the keyword hit `found` counts for this rule: any case of a keyword, or with
    /// `exact_keywords` only the spelling written in the rule (the 4-byte base64 prefixes of Discord
    /// tokens occur sixteen times as often in base64 text when any case counts).
    #[inline]
    pub(crate) fn keyword_counts(&self, found: &[u8]) -> bool {
        // Sorted: a rule may list hundreds (Discord: 895 id prefixes).
        self.exact
            .as_ref()
            .is_none_or(|ks| ks.binary_search_by(|k| k.as_bytes().cmp(found)).is_ok())
    }
    /// Whether a match could start at the keyword hit at `start` of `hay`, as far as the rule's prefix
    /// gate can tell (see [`gate`]): a token rule whose secret starts with its keyword rejects a hit
    /// inside a word, in the wrong case, or not followed by enough bytes of the token's alphabet. The
    /// gate is read from the regex on the rule's first hit; rules with a name before the secret have
    /// none (their text before the secret group is longer than any lead a gate reads).
    #[inline]
    pub(crate) fn admits_hit(&self, hay: &[u8], start: usize) -> bool {
        self.prefix_gate
            .get_or_init(|| {
                if self.secret_group != SecretGroup::Named {
                    return None;
                }
                let lead = self
                    .regex
                    .find("(?P<secret>")
                    .or_else(|| self.regex.find("(?<secret>"))?;
                if lead > 48 {
                    return None;
                }
                gate::PrefixGate::of(&self.regex, |w| match &self.exact {
                    Some(exact) => exact.iter().any(|k| w.starts_with(k.as_bytes())),
                    None => {
                        let w = w.to_ascii_lowercase();
                        self.keywords.iter().any(|k| w.starts_with(k.as_bytes()))
                    }
                })
            })
            .as_ref()
            .is_none_or(|g| g.admits(hay, start))
    }
    /// The regex source.
    pub fn regex(&self) -> &str {
        &self.regex
    }
    /// Minimum entropy of the secret.
    pub fn entropy(&self) -> Option<f64> {
        self.entropy
    }
    /// The structural validator, if any.
    pub fn validator(&self) -> Option<Validator> {
        self.validate
    }
    /// Bytes of context the regex sees on each side of a keyword hit.
    pub fn window(&self) -> usize {
        self.window
    }
    /// Whether the rule is in the generic (weakest) tier.
    pub fn is_generic(&self) -> bool {
        self.generic
    }
    /// Whether a keyword hit needs an assignment after it (`token = …`) before the regex runs.
    pub fn is_lazy(&self) -> bool {
        self.lazy
    }
    /// Whether a keyword hit of this rule counts only when an assignment follows the identifier it is
    /// in: every match is a name holding one of its keywords, then the shared assignment grammar, then
    /// the secret (a rule given as `name` + `value`, as `deepgram_(?:api_)?key` with `deepgram`; not
    /// `(?:akamai_)?client_secret`, whose keyword may sit on another line). Read from the regex's syntax
    /// on first use (see [`gate::name_gate`]).
    pub(crate) fn name_gated(&self) -> bool {
        self.named
            && *self
                .name_gate
                .get_or_init(|| gate::name_gate(&self.regex, &self.keywords))
    }
    /// Whether the rule finds passwords (its id says so), which people choose, unlike minted keys: the
    /// noise filter reads their values differently.
    pub(crate) fn is_password(&self) -> bool {
        self.password
    }
    /// Whether the rule was given as `name` + `value`, so that a match says what the credential is by
    /// its name, not only by its shape.
    pub fn is_named(&self) -> bool {
        self.named
    }
    /// How strongly a match of this rule claims bytes that another rule also matched: a specific rule
    /// beats a generic one; then (for the same bytes) a rule that read the credential's name beats one
    /// that only recognised a shape (`MONDAY_API_TOKEN=eyJ…` is monday.com's token before it is a JWT).
    pub(crate) fn claim(&self) -> (bool, bool) {
        (!self.generic, self.named)
    }
    /// Inputs that must produce a finding of this rule.
    pub fn examples(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.examples.iter()
    }
    /// The rule's `[rule.verify]` table as TOML text, if it has one: how to check a secret with its
    /// provider (read by `leakhound_core::live`, feature `live`).
    pub fn verify_text(&self) -> Option<&str> {
        self.verify.as_deref()
    }

    /// Inputs that must not yield a finding of this rule.
    pub fn negative_examples(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.negative_examples.iter()
    }
    /// Where the rule was defined.
    pub fn file(&self) -> &str {
        &self.file
    }
    /// Whether `path` is exempt from this rule: `paths_allow`, and for imported rules a `path` regex it
    /// does not match or an allowlist whose paths it matches. An empty path (a history blob, whose path is
    /// attached after the scan) is exempt from nothing: the check runs again once the path is known.
    pub fn path_allowed(&self, path: &str) -> bool {
        if self.paths_allow.as_ref().is_some_and(|g| g.is_match(path)) {
            return true;
        }
        if path.is_empty() {
            return false;
        }
        if self.paths.as_ref().is_some_and(|(g, _)| !g.is_match(path)) {
            return true;
        }
        self.path
            .as_ref()
            .is_some_and(|p| !p.is_match(path.as_bytes()))
            || self.allowlists.iter().any(|a| a.exempts_path(path))
    }

    /// Whether the rule runs on the buffer at `path` at all. Decided once per buffer for rules without
    /// keywords, which would otherwise read every buffer whole: a rule limited to `paths` reads only the
    /// files those globs match, and never a buffer whose path is unknown (a history blob before its path
    /// is attached), where it could only guess.
    /// `candidate` is the path prepared for glob matching, made on first use and shared by all the
    /// rules asked about one buffer.
    pub(crate) fn runs_on<'p>(&self, path: &'p str, candidate: &mut Option<Candidate<'p>>) -> bool {
        match &self.paths {
            Some(_) if path.is_empty() => false,
            Some((globs, _))
                if !globs
                    .is_match_candidate(candidate.get_or_insert_with(|| Candidate::new(path))) =>
            {
                false
            }
            _ => !self.path_allowed(path),
        }
    }

    /// The globs of `paths` as written (empty: the rule runs on every path).
    pub fn paths(&self) -> &[String] {
        self.paths.as_ref().map_or(&[], |(_, src)| src.as_slice())
    }

    /// A path this rule runs on, for its `examples`: the first glob of `paths` with `**/` dropped and
    /// each `*` or `?` read as `x` (`**/.pgpass` → `.pgpass`, `**/*.http` → `x.http`); `example` when the
    /// rule runs everywhere (or when no such spelling matches the globs).
    pub fn example_path(&self) -> String {
        let Some((set, src)) = &self.paths else {
            return "example".to_owned();
        };
        let guess = src
            .first()
            .map(|g| g.replace("**/", "").replace(['*', '?'], "x"))
            .unwrap_or_default();
        if set.is_match(&guess) {
            guess
        } else {
            "example".to_owned()
        }
    }

    /// Whether the rule was translated from another tool's format (a gitleaks configuration).
    pub fn is_imported(&self) -> bool {
        self.imported
    }

    /// Whether the rule has no regex and reports every file whose path matches its `path` (gitleaks).
    pub fn is_path_only(&self) -> bool {
        self.regex.is_empty() && self.path.is_some()
    }

    /// Whether a path-only rule reports the file at `path` (never for an unknown, empty path).
    pub(crate) fn reports_file(&self, path: &str) -> bool {
        self.is_path_only() && !path.is_empty() && !self.path_allowed(path)
    }

    /// Whether one of the rule's allowlists exempts a match (imported rules; leakhound's own `allow`
    /// lists are applied by the matcher directly).
    pub(crate) fn allowlisted(&self, c: &allowlist::Candidate<'_>) -> bool {
        self.allowlists.iter().any(|a| a.exempts(c))
    }

    /// Adds the allowlists among `list` that apply to this rule.
    fn attach(&mut self, list: &[Arc<Allowlist>]) {
        for a in list.iter().filter(|a| a.applies_to(&self.id)) {
            self.allowlists.push(Arc::clone(a));
        }
    }
}

/// The minimum length of the group named `secret` in `hir`, if it has one.
fn secret_min_len(hir: &regex_syntax::hir::Hir) -> Option<usize> {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Capture(c) if c.name.as_deref() == Some("secret") => {
            c.sub.properties().minimum_len()
        }
        HirKind::Capture(c) => secret_min_len(&c.sub),
        HirKind::Repetition(r) => secret_min_len(&r.sub),
        HirKind::Concat(hs) | HirKind::Alternation(hs) => {
            // In an alternation the group may sit in one branch only: a match through another branch
            // has no secret, so the group's own minimum is what counts.
            hs.iter().find_map(secret_min_len)
        }
        _ => None,
    }
}

/// Whether `regex` holds [`spec::ASSIGN`] (a SIMD substring search: every rule of the pack is asked at load).
fn holds_assign(regex: &str) -> bool {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    FINDER
        .get_or_init(|| memchr::memmem::Finder::new(spec::ASSIGN))
        .find(regex.as_bytes())
        .is_some()
}

fn compile_filters(allow: &[String], allow_match: &[String]) -> Result<Filters, String> {
    let allow = allow
        .iter()
        .map(|a| shared_regex(a).map_err(|e| format!("allow: {e}")))
        .collect::<Result<_, _>>()?;
    let allow_match = allow_match
        .iter()
        .map(|a| shared_regex(a).map_err(|e| format!("allow_match: {e}")))
        .collect::<Result<_, _>>()?;
    Ok(Filters { allow, allow_match })
}

/// [`build_regex`] through a process-wide cache: rules of one family repeat the same `allow` lists (the
/// placeholder passwords of every connection-string and command-line rule), and a clone of a compiled
/// regex shares its program, so each distinct pattern is compiled and held once. The cache holds only
/// patterns of loaded rules, and failures are not cached.
fn shared_regex(src: &str) -> Result<Regex, String> {
    static CACHE: OnceLock<Mutex<HashMap<String, Regex>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(r) = cache.lock().ok().and_then(|c| c.get(src).cloned()) {
        return Ok(r);
    }
    let r = build_regex(src)?;
    if let Ok(mut c) = cache.lock() {
        c.insert(src.to_owned(), r.clone());
    }
    Ok(r)
}

/// An ordered collection of rules with unique ids.
///
/// # Example
/// ```
/// use leakhound_core::RuleSet;
///
/// let rules = RuleSet::embedded();
/// assert!(rules.len() >= 250);
/// assert!(rules.get("aws-access-key-id").is_some());
/// ```
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    hash: u64,
    /// Allowlists that apply to every rule of the scan, whichever file it came from (an imported gitleaks
    /// configuration's global allowlists). Every rule in `rules` already carries those that apply to it.
    global: Vec<Arc<Allowlist>>,
}

/// Rules loaded from files, with what could not be applied as written.
#[derive(Debug, Default)]
pub struct LoadedRules {
    /// The rules.
    pub rules: RuleSet,
    /// One per unsupported field or skipped rule, in file order. Empty for leakhound's own format.
    pub warnings: Vec<RuleWarning>,
}

impl RuleSet {
    /// The default rule pack embedded in the binary.
    pub fn embedded() -> RuleSet {
        RuleSet {
            rules: EMBEDDED.iter().map(Rule::from_embedded).collect(),
            hash: PACK_HASH,
            global: Vec::new(),
        }
    }

    /// An empty set (`--no-default-rules` starts here).
    pub fn empty() -> RuleSet {
        RuleSet::default()
    }

    /// Parses rules from TOML text; `name` is used in error messages. Every regex is compiled to
    /// report errors now.
    ///
    /// # Errors
    /// A [`RuleError`] naming `name`, the rule id and the field for the first problem found.
    pub fn from_toml(name: &str, text: &str) -> Result<RuleSet, RuleError> {
        let specs = spec::parse_rules(text).map_err(|e| RuleError::from_spec(name, e))?;
        RuleSet::from_specs(name, specs)
    }

    /// Builds rules from already parsed specs (a config file's inline `[[rule]]`s).
    ///
    /// # Errors
    /// A [`RuleError`] for the first invalid rule.
    pub fn from_specs(name: &str, specs: Vec<RuleSpec>) -> Result<RuleSet, RuleError> {
        let mut hash = spec::Fnv1a::new();
        let mut rules = Vec::with_capacity(specs.len());
        for s in specs {
            hash.write(s.id.as_bytes());
            hash.write(s.regex.as_bytes());
            hash.write(s.keywords.concat().as_bytes());
            rules.push(Rule::from_spec(name, s, true)?);
        }
        Ok(RuleSet {
            rules,
            hash: hash.finish(),
            global: Vec::new(),
        })
    }

    /// Compiles an imported gitleaks configuration (see [`gitleaks`]) like a rule file, and adds the
    /// warnings that need the whole scan's rules: a global allowlist's `targetRules` entry that names
    /// no rule of the file nor of the default pack. `text` is the file's, for the content hash.
    ///
    /// # Errors
    /// A [`RuleError`] should a rule the importer kept not compile.
    pub(crate) fn from_import(
        file: &str,
        text: &str,
        import: gitleaks::Import,
    ) -> Result<LoadedRules, RuleError> {
        let mut warnings = import.warnings;
        let rules = import
            .rules
            .into_iter()
            .map(|r| Rule::imported(file, r))
            .collect::<Result<Vec<_>, _>>()?;
        for id in import.global.iter().flat_map(|a| a.target_rules.iter()) {
            if !rules.iter().any(|r| r.id() == id) && !RuleSet::embedded_has(id) {
                warnings.push(RuleWarning {
                    file: file.to_owned(),
                    rule: None,
                    field: Some("allowlists.targetRules".to_owned()),
                    message: format!(
                        "no rule `{id}` in this file or leakhound's default pack: that entry targets nothing"
                    ),
                    rule_skipped: false,
                });
            }
        }
        let mut hash = spec::Fnv1a::new();
        hash.write(file.as_bytes());
        hash.write(text.as_bytes());
        let global: Vec<Arc<Allowlist>> = import.global.into_iter().map(Arc::new).collect();
        let mut set = RuleSet {
            rules,
            hash: hash.finish(),
            global: Vec::new(),
        };
        for r in &mut set.rules {
            r.attach(&global);
        }
        set.global = global;
        Ok(LoadedRules {
            rules: set,
            warnings,
        })
    }

    /// Whether the embedded default pack has a rule `id`.
    pub(crate) fn embedded_has(id: &str) -> bool {
        EMBEDDED.iter().any(|e| e.id == id)
    }

    /// Loads a rule file, or every `*.toml` file in a directory (sorted by name). Each file is either in
    /// leakhound's format or a gitleaks configuration, told apart by [`gitleaks::is_gitleaks`];
    /// what a gitleaks file asks for that leakhound does not do comes back as warnings.
    ///
    /// # Errors
    /// Unreadable files and invalid rules, as a [`RuleError`] naming the file; for a gitleaks file, a
    /// TOML syntax error or no loadable rule at all.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use leakhound_core::RuleSet;
    /// let dir = tempfile::tempdir()?;
    /// let file = dir.path().join("gitleaks.toml");
    /// std::fs::write(&file, "[[rules]]\nid = \"acme\"\nregex = '''acme_[a-z0-9]{16}'''\n")?;
    /// let loaded = RuleSet::from_path(&file)?;
    /// assert_eq!(loaded.rules.get("acme").unwrap().keywords(), ["acme_"]);
    /// assert!(loaded.warnings.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn from_path(path: &Path) -> Result<LoadedRules, RuleError> {
        let read_err = |p: &Path, e: std::io::Error| RuleError {
            file: p.display().to_string(),
            rule: None,
            field: None,
            message: format!("cannot read: {e}"),
        };
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(path)
                .map_err(|e| read_err(path, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            let mut all = LoadedRules::default();
            for f in files {
                let loaded = RuleSet::from_path(&f)?;
                all.rules.extend(loaded.rules);
                all.warnings.extend(loaded.warnings);
            }
            Ok(all)
        } else {
            let text = std::fs::read_to_string(path).map_err(|e| read_err(path, e))?;
            let name = path.display().to_string();
            let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| RuleError {
                file: name.clone(),
                rule: None,
                field: None,
                message: spec::one_line(&e.to_string()),
            })?;
            if gitleaks::is_gitleaks(&doc) {
                let import =
                    gitleaks::import(&name, &doc).map_err(|e| RuleError::from_spec(&name, e))?;
                return RuleSet::from_import(&name, &text, import);
            }
            let specs =
                spec::parse_rule_tables(&doc).map_err(|e| RuleError::from_spec(&name, e))?;
            Ok(LoadedRules {
                rules: RuleSet::from_specs(&name, specs)?,
                warnings: Vec::new(),
            })
        }
    }

    /// Adds `other`'s rules; a rule whose id already exists replaces the earlier one, so a team can
    /// override a default rule by redefining its id.
    ///
    /// Global allowlists (an imported gitleaks configuration's `[[allowlists]]`) of either set apply to
    /// the rules of both, as they would to every rule in gitleaks.
    pub fn extend(&mut self, other: RuleSet) {
        for r in &mut self.rules {
            r.attach(&other.global);
        }
        for mut r in other.rules {
            r.attach(&self.global);
            match self.rules.iter().position(|x| x.id == r.id) {
                Some(i) => self.rules[i] = r,
                None => self.rules.push(r),
            }
        }
        self.global.extend(other.global);
        self.hash = self.hash.rotate_left(7) ^ other.hash;
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }
    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
    /// The rules, in load order.
    pub fn iter(&self) -> std::slice::Iter<'_, Rule> {
        self.rules.iter()
    }
    /// A rule by id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
    /// A hash of the rule pack's content, for caches keyed on "which rules ran".
    pub fn content_hash(&self) -> u64 {
        self.hash
    }
    pub(crate) fn rules(&self) -> &[Rule] {
        &self.rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> RuleError {
        RuleSet::from_toml("r.toml", text).expect_err("should be rejected")
    }

    const OK: &str = r#"
[[rule]]
id = "demo-token"
description = "Demo"
severity = "high"
keywords = ["dmo_"]
regex = '''(?P<secret>dmo_[a-z0-9]{10})'''
"#;

    #[test]
    fn parses_a_valid_rule() {
        let set = RuleSet::from_toml("r.toml", OK).unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set.get("demo-token").unwrap().severity(), Severity::High);
    }

    #[test]
    fn errors_name_file_rule_and_field() {
        let e = err(&OK.replace("\"high\"", "\"urgent\""));
        assert_eq!(
            (e.rule.as_deref(), e.field.as_deref()),
            (Some("demo-token"), Some("severity"))
        );
        assert!(
            e.to_string()
                .starts_with("r.toml: rule `demo-token`: field `severity`:"),
            "{e}"
        );

        let e = err(&OK.replace("[a-z0-9]{10})", "[a-z0-9]{10}"));
        assert_eq!(e.field.as_deref(), Some("regex"));

        let e = err(&OK.replace("keywords", "keyword"));
        assert_eq!(e.field.as_deref(), Some("keyword"), "{e}");

        let e = err(&OK.replace("(?P<secret>", "("));
        assert_eq!(e.field.as_deref(), Some("regex"));

        // `allow` regexes are compiled lazily in a scan, but a rule file is checked whole at load.
        let e = err(&format!("{OK}allow = ['(']\n"));
        assert_eq!(e.field.as_deref(), Some("allow"), "{e}");

        let e = err(&format!("{OK}\nentropy = \"high\"\n"));
        assert_eq!(e.field.as_deref(), Some("entropy"));

        let e = err(&format!("{OK}{OK}"));
        assert_eq!(e.field.as_deref(), Some("id"));

        let e = err("[[rule]]\nid = 3\n");
        assert_eq!(e.field.as_deref(), Some("id"));
    }

    #[test]
    fn toml_syntax_errors_are_one_line() {
        let e = err("[[rule]\nid = ");
        assert!(!e.to_string().contains('\n'), "{e}");
        assert!(e.to_string().starts_with("r.toml: "));
    }

    #[test]
    fn later_rule_with_same_id_overrides() {
        let mut set = RuleSet::embedded();
        let n = set.len();
        let user =
            RuleSet::from_toml("u.toml", &OK.replace("demo-token", "aws-access-key-id")).unwrap();
        set.extend(user);
        assert_eq!(set.len(), n);
        assert_eq!(set.get("aws-access-key-id").unwrap().keywords(), ["dmo_"]);
    }

    const PATHS: &str = r#"
[[rule]]
id = "demo-pass-file"
description = "Demo password file"
severity = "high"
paths = ["**/.demopass", "**/demopass.conf"]
regex = '''(?m)^[a-z]+:(?P<secret>[A-Za-z0-9]{12})$'''

[[rule]]
id = "demo-gated-token"
description = "Demo token, only in .demorc"
severity = "high"
keywords = ["dmo_"]
paths = ["**/.demorc"]
regex = '''(?P<secret>dmo_[a-z0-9]{10})'''
"#;

    /// `paths` limits a rule to the files those globs match; a rule with `paths` needs no keywords and
    /// then reads the whole file, but never a buffer whose path is unknown.
    #[test]
    fn paths_limit_a_rule_to_file_names() {
        let set = RuleSet::from_toml("r.toml", PATHS).unwrap();
        let file = set.get("demo-pass-file").unwrap();
        assert_eq!(file.paths(), ["**/.demopass", "**/demopass.conf"]);
        assert_eq!(file.example_path(), ".demopass");
        assert!(file.keywords().is_empty());
        let scanner = crate::Scanner::new(set);
        let rules = |path: &str, text: &str| {
            scanner
                .scan_bytes(path, text.as_bytes())
                .into_iter()
                .map(|f| f.rule)
                .collect::<Vec<_>>()
        };
        let text = "db:Xk29fLm04QzR\n"; // leakhound:allow
        assert_eq!(rules(".demopass", text), ["demo-pass-file"]);
        assert_eq!(rules("home/u/.demopass", text), ["demo-pass-file"]);
        assert_eq!(rules("etc/demopass.conf", text), ["demo-pass-file"]);
        assert!(rules("notes.txt", text).is_empty());
        assert!(rules("", text).is_empty(), "unknown path");
        let token = "t = dmo_a1b2c3d4e5"; // leakhound:allow
        assert_eq!(rules("x/.demorc", token), ["demo-gated-token"]);
        assert!(rules("src/main.rs", token).is_empty());
        // A keyword-gated rule runs on an unknown path (a history blob): its path is checked again later.
        assert_eq!(rules("", token), ["demo-gated-token"]);

        let e = err(&PATHS.replace("paths = [\"**/.demopass\", \"**/demopass.conf\"]", ""));
        assert_eq!(e.field.as_deref(), Some("keywords"), "{e}");
        let e = err(&PATHS.replace("**/.demorc", "a/{b"));
        assert_eq!(e.field.as_deref(), Some("paths"), "{e}");
    }

    const NAMED: &str = r#"
[[rule]]
id = "acme-api-key"
description = "Acme API key"
severity = "high"
keywords = ["acme"]
name = '''acme_(?:api_)?key'''
value = '''[a-f0-9]{32}'''
examples = ["x"]
negative_examples = ["y"]
"#;

    /// A rule given as `name` + `value` reads the name in every naming style and the value after every
    /// assignment syntax of the shared grammar, and no longer run of the value's alphabet.
    #[test]
    fn name_and_value_rules_read_every_assignment_syntax() {
        let set = RuleSet::from_toml("r.toml", NAMED).unwrap();
        let scanner = crate::Scanner::new(set);
        let v = "0f8c2a9d41b7e6035c9a1e7d2b4f6a80"; // leakhound:allow
        for line in [
            format!("ACME_API_KEY={v}"),
            format!("acmeApiKey: \"{v}\""),
            format!("acme-key = '{v}'"),
            format!("ACME_API_KEY ?= {v}"),
            format!("ACME_API_KEY ::= {v}"),
            format!("$config .= \"acme.api.key\" => \"{v}\";"),
            format!("#define ACME_API_KEY \"{v}\""),
            format!("<add key=\"AcmeApiKey\" value=\"{v}\" />"),
            format!("<acmeApiKey>{v}</acmeApiKey>"),
            format!("$env:ACME_API_KEY = \"{v}\""),
            format!("setenv(\"ACME_KEY\", \"{v}\")"),
            format!("var k = @\"x\"; // acme_key: @\"{v}\""),
            format!("{{\\\"acme_key\\\": \\\"{v}\\\"}}"),
        ] {
            let found = scanner.scan_bytes("f", line.as_bytes());
            assert!(
                found.iter().any(|f| f.secret == v),
                "not found in {line:?}: {found:?}"
            );
        }
        for line in [
            format!("ACME_API_KEY={v}0"),
            format!("ACME_API_KEY=\n{v}"),
            format!("ACME_ID={v}"),
        ] {
            let found = scanner.scan_bytes("f", line.as_bytes());
            assert!(found.is_empty(), "found in {line:?}: {found:?}");
        }
    }

    #[test]
    fn name_and_value_go_together_and_replace_regex() {
        let e = err(&NAMED.replace("value = ", "values = "));
        assert_eq!(e.field.as_deref(), Some("values"), "{e}");
        let e = err(&NAMED.replace("value = '''[a-f0-9]{32}'''", ""));
        assert_eq!(e.field.as_deref(), Some("value"), "{e}");
        let e = err(&format!("{NAMED}regex = '''(?P<secret>x)'''\n"));
        assert_eq!(e.field.as_deref(), Some("regex"), "{e}");
        let e = err(&NAMED.replace("name = '''acme_(?:api_)?key'''", ""));
        assert_eq!(e.field.as_deref(), Some("name"), "{e}");
    }

    /// A rule that read the credential's name beats one that only recognised its shape on the same
    /// bytes, in the clear and in a Kubernetes env entry (`- name:` / `value:` on two lines), whatever
    /// the order of the rule files (monday.com's token is a JWT; `jwt` used to win by file order in the
    /// joined view).
    #[test]
    fn a_named_rule_beats_a_shape_rule_on_the_same_bytes() {
        let named = NAMED
            .replace("acme_(?:api_)?key", "acme_(?:api_)?token")
            .replace("[a-f0-9]{32}", r"eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{20,}");
        let mut set = RuleSet::embedded();
        set.extend(RuleSet::from_toml("zz.toml", &named).unwrap());
        let scanner = crate::Scanner::new(set);
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ0aWQiOjk1ODA0MzU5OX0.dtMU6sjIifkbRXGgxuuN-R9Z74cO1NfF"; // leakhound:allow
        for text in [
            format!("ACME_API_TOKEN={jwt}\n"),
            format!("env:\n  - name: ACME_API_TOKEN\n    value: {jwt}\n"),
        ] {
            let found = scanner.scan_bytes("deploy.yaml", text.as_bytes());
            let rules: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
            assert_eq!(rules, ["acme-api-key"], "{text}");
        }
    }

    /// The lazy gate's length check reads each rule's shortest secret from its regex.
    #[test]
    fn shortest_secret_comes_from_the_secret_group() {
        let set = RuleSet::embedded();
        let len = |id: &str| set.get(id).unwrap().min_secret_len();
        assert_eq!(len("generic-token"), 20);
        assert_eq!(len("generic-password"), 6);
        // 40 bytes, capped at what the gate measures.
        assert_eq!(len("github-pat-classic"), 40);
        let named = RuleSet::from_toml("r.toml", NAMED).unwrap();
        assert_eq!(named.get("acme-api-key").unwrap().min_secret_len(), 32);
    }

    /// With `exact_keywords`, a keyword counts only in the case it is written in.
    #[test]
    fn exact_keywords_count_in_their_own_case() {
        let rule = NAMED.replace(
            "keywords = [\"acme\"]",
            "keywords = [\"ACME\"]\nexact_keywords = true",
        );
        // The name regex reads any case; only the keyword's case decides.
        let scanner = crate::Scanner::new(RuleSet::from_toml("r.toml", &rule).unwrap());
        let v = "0f8c2a9d41b7e6035c9a1e7d2b4f6a80"; // leakhound:allow
        assert_eq!(
            scanner
                .scan_bytes("f", format!("ACME_KEY={v}").as_bytes())
                .len(),
            1
        );
        assert!(scanner
            .scan_bytes("f", format!("acme_KEY={v}").as_bytes())
            .is_empty());
        let e = err(&rule.replace("exact_keywords = true", "exact_keywords = 1"));
        assert_eq!(e.field.as_deref(), Some("exact_keywords"), "{e}");
    }
}
