//! The on-disk rule format: serde types for a `[[rule]]` table, and the checks that need no regex engine.
//! Every error names the rule and the field.
//!
//! This file is also compiled into `build.rs` (via `#[path]`), so the embedded pack and a user's rule file
//! go through the same checks. It depends only on `serde` and `toml` (and on `validator_names`, a sibling
//! of this module in the crate and in `build.rs`).

use std::fmt;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

#[path = "de.rs"]
pub(crate) mod de;
#[path = "verify.rs"]
pub mod verify;

/// One `[[rule]]` table as written, before regexes are compiled.
#[derive(Debug, Clone, Default)]
pub struct RuleSpec {
    /// Stable kebab-case id.
    pub id: String,
    /// One-line description.
    pub description: String,
    /// `critical`, `high`, `medium` or `low`.
    pub severity: String,
    /// Prefilter literals, ASCII case-insensitive.
    pub keywords: Vec<String>,
    /// Confirmation regex (Rust `regex` syntax, Unicode off) with a `secret` group.
    pub regex: String,
    /// Minimum Shannon entropy of the secret, bits per byte.
    pub entropy: Option<f64>,
    /// Name of an offline structural validator.
    pub validate: Option<String>,
    /// Regexes that discard a secret.
    pub allow: Vec<String>,
    /// Regexes that discard a match when they match its whole text (the variable name around the secret,
    /// e.g. `NextToken` for a pagination cursor).
    pub allow_match: Vec<String>,
    /// Globs of paths where the rule never reports.
    pub paths_allow: Vec<String>,
    /// Globs of the only paths the rule runs on (empty: every path), for formats known by file name
    /// (`**/.pgpass`). Such a rule may have no keywords: it then reads whole files of those paths.
    pub paths: Vec<String>,
    /// Bytes around a keyword hit that the regex may see.
    pub window: Option<usize>,
    /// Whether the rule belongs to the weak, generic tier (loses every overlap with a specific rule).
    pub generic: bool,
    /// Whether a keyword hit only counts when an assignment follows it (default: same as `generic`).
    pub lazy: Option<bool>,
    /// Whether keywords count only in the case they are written in (default: any case).
    pub exact_keywords: bool,
    /// Inputs that must yield a finding of this rule.
    pub examples: Vec<String>,
    /// Inputs that must not yield a finding of this rule.
    pub negative_examples: Vec<String>,
    /// The `[rule.verify]` table, checked, as TOML text: read again only when validating
    /// ([`verify::VerifySpec`]).
    pub verify: Option<String>,
}

/// What is wrong with a rule, before the file name is attached.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecError {
    /// The rule's id, when it could be read.
    pub rule: Option<String>,
    /// The offending field, when the error is about one.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl SpecError {
    fn new(rule: Option<&str>, field: Option<&str>, message: impl Into<String>) -> SpecError {
        SpecError {
            rule: rule.map(str::to_owned),
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

/// Something in a rule file that was not applied as written: an unsupported field of an imported gitleaks
/// configuration, or a rule of it that could not be loaded and was skipped. Shown to the user, one line
/// each, as `file: rule `id`: field `name`: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleWarning {
    /// The file the warning is about.
    pub file: String,
    /// The rule id, when the warning is about one rule.
    pub rule: Option<String>,
    /// The field, dotted for nested tables (`extend.useDefault`, `allowlists[2].commits`).
    pub field: Option<String>,
    /// What was done instead, and why.
    pub message: String,
    /// Whether the rule was dropped altogether (`rules check` fails on these).
    pub rule_skipped: bool,
}

impl std::fmt::Display for RuleWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(r) = &self.rule {
            write!(f, ": rule `{r}`")?;
        }
        if let Some(x) = &self.field {
            write!(f, ": field `{x}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Severities accepted in `severity`.
pub const SEVERITIES: [&str; 4] = ["critical", "high", "medium", "low"];

/// The keys a rule table may hold.
pub const FIELDS: [&str; 20] = [
    "id",
    "description",
    "severity",
    "keywords",
    "regex",
    "name",
    "value",
    "entropy",
    "validate",
    "allow",
    "allow_match",
    "paths_allow",
    "paths",
    "window",
    "generic",
    "lazy",
    "exact_keywords",
    "examples",
    "negative_examples",
    "verify",
];

/// Largest `window` a rule may ask for: it bounds the bytes one keyword hit can make the regex read.
pub const MAX_WINDOW: usize = 64 * 1024;

/// Parses a rule file's text into specs. `[[rule]]` is the table name (`[[rules]]` is accepted too).
pub fn parse_rules(text: &str) -> Result<Vec<RuleSpec>, SpecError> {
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| SpecError::new(None, None, one_line(&e.to_string())))?;
    parse_rule_tables(&doc)
}

/// Reads the `[[rule]]` array of an already parsed document (a config file embeds rules the same way).
/// Each table is deserialized on its own, so that an error names its rule: by id, or by position
/// (`#2`) when the id cannot be read.
pub fn parse_rule_tables(doc: &toml::Table) -> Result<Vec<RuleSpec>, SpecError> {
    let Some(value) = doc.get("rule").or_else(|| doc.get("rules")) else {
        return Ok(Vec::new());
    };
    let Some(array) = value.as_array() else {
        return Err(SpecError::new(
            None,
            Some("rule"),
            "expected an array of tables ([[rule]])",
        ));
    };
    let mut specs = Vec::with_capacity(array.len());
    for (i, entry) in array.iter().enumerate() {
        let Some(table) = entry.as_table() else {
            return Err(SpecError::new(
                None,
                Some("rule"),
                format!("entry #{} is not a table", i + 1),
            ));
        };
        let name = match table.get("id").and_then(toml::Value::as_str) {
            Some(id) => id.to_owned(),
            None => format!("#{}", i + 1),
        };
        let raw = RawRule::deserialize(de::Value::new(entry.clone())).map_err(|e| SpecError {
            rule: Some(name.clone()),
            field: e.field,
            message: e.message,
        })?;
        specs.push(raw.into_spec(&name)?);
    }
    let mut seen = std::collections::HashSet::new();
    for spec in &specs {
        if !seen.insert(spec.id.as_str()) {
            return Err(SpecError::new(
                Some(&spec.id),
                Some("id"),
                "duplicate rule id",
            ));
        }
    }
    Ok(specs)
}

/// One `[[rule]]` table as written. The fields are in [`FIELDS`] order, which the message for an unknown
/// field lists.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Option<String>,
    description: Option<String>,
    severity: Option<String>,
    keywords: Option<Strings>,
    regex: Option<String>,
    name: Option<String>,
    value: Option<String>,
    #[serde(default, deserialize_with = "entropy")]
    entropy: Option<f64>,
    validate: Option<String>,
    #[serde(default)]
    allow: Strings,
    #[serde(default)]
    allow_match: Strings,
    #[serde(default)]
    paths_allow: Strings,
    #[serde(default)]
    paths: Strings,
    #[serde(default, deserialize_with = "window")]
    window: Option<usize>,
    #[serde(default)]
    generic: bool,
    lazy: Option<bool>,
    #[serde(default)]
    exact_keywords: bool,
    #[serde(default)]
    examples: Strings,
    #[serde(default)]
    negative_examples: Strings,
    verify: Option<toml::Value>,
}

impl RawRule {
    /// The spec, once the fields that depend on each other agree (`name` with `value`, not with
    /// `regex`), the required ones are there and [`check_spec`] passes. `name` names the rule in errors.
    fn into_spec(self, name: &str) -> Result<RuleSpec, SpecError> {
        let err = |field: &str, msg: &str| SpecError::new(Some(name), Some(field), msg);
        let regex = match (self.name, self.value) {
            (None, None) => self.regex.clone().unwrap_or_default(),
            (Some(_), None) => return Err(err("value", "`name` needs a `value` regex")),
            (None, Some(_)) => return Err(err("name", "`value` needs a `name` regex")),
            (Some(_), Some(_)) if self.regex.is_some() => {
                return Err(err(
                    "regex",
                    "give either `regex` or `name` and `value`, not both",
                ));
            }
            (Some(n), Some(v)) => {
                if n.contains("(?P<secret>")
                    || v.contains("(?P<secret>")
                    || v.contains("(?<secret>")
                {
                    return Err(err(
                        "value",
                        "`value` is the secret already: no `secret` group in `name` or `value`",
                    ));
                }
                named_regex(&n, &v)
            }
        };
        let missing = [
            ("id", self.id.is_none()),
            ("description", self.description.is_none()),
            ("severity", self.severity.is_none()),
            // A rule limited to file names may read whole files instead of keyword windows.
            (
                "keywords",
                self.keywords.is_none() && self.paths.0.is_empty(),
            ),
        ];
        if let Some((field, _)) = missing.iter().find(|(_, missing)| *missing) {
            return Err(err(field, "missing required field"));
        }
        if regex.is_empty() {
            return Err(err(
                "regex",
                "missing required field (or give `name` and `value`)",
            ));
        }
        let verify = match self.verify {
            None => None,
            Some(v) => {
                let groups = group_names(&regex);
                verify::VerifySpec::from_value(v.clone(), &groups)
                    .map_err(|m| err("verify", m.strip_prefix("verify.").unwrap_or(&m)))?;
                Some(toml::to_string(&v).map_err(|e| err("verify", &e.to_string()))?)
            }
        };
        let spec = RuleSpec {
            id: self.id.unwrap_or_default(),
            description: self.description.unwrap_or_default(),
            severity: self.severity.unwrap_or_default(),
            keywords: self.keywords.unwrap_or_default().0,
            regex,
            entropy: self.entropy,
            validate: self.validate,
            allow: self.allow.0,
            allow_match: self.allow_match.0,
            paths_allow: self.paths_allow.0,
            paths: self.paths.0,
            window: self.window,
            generic: self.generic,
            lazy: self.lazy,
            exact_keywords: self.exact_keywords,
            examples: self.examples.0,
            negative_examples: self.negative_examples.0,
            verify,
        };
        check_spec(&spec)?;
        Ok(spec)
    }
}

/// The names of a regex's groups (`(?P<name>` and `(?<name>`), read from its text.
pub fn group_names(regex: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in regex.match_indices("(?") {
        let rest = &regex[i + 2..];
        let rest = rest.strip_prefix('P').unwrap_or(rest);
        if let Some(name) = rest.strip_prefix('<') {
            if let Some(end) = name.find('>') {
                if !name.starts_with(['=', '!']) {
                    out.push(name[..end].to_owned());
                }
            }
        }
    }
    out
}

/// A list of strings, worded in errors as rule files always have been: `expected an array of strings`
/// for another value, `expected strings` for an element of another type.
#[derive(Default)]
struct Strings(Vec<String>);

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strings, D::Error> {
        struct List;
        impl<'de> Visitor<'de> for List {
            type Value = Strings;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strings, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(Element(s)) = seq.next_element()? {
                    out.push(s);
                }
                Ok(Strings(out))
            }
        }
        d.deserialize_seq(List)
    }
}

/// An element of [`Strings`].
struct Element(String);

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Element, D::Error> {
        struct Str;
        impl Visitor<'_> for Str {
            type Value = Element;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("strings")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Element, E> {
                Ok(Element(s.to_owned()))
            }
        }
        d.deserialize_string(Str)
    }
}

/// `entropy`: a number of bits per byte, 0 to 8.
fn entropy<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    struct Number;
    impl Visitor<'_> for Number {
        type Value = f64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number")
        }
        fn visit_f64<E: serde::de::Error>(self, e: f64) -> Result<f64, E> {
            if (0.0..=8.0).contains(&e) {
                Ok(e)
            } else {
                Err(E::custom(format_args!(
                    "{e} is outside 0..=8 bits per byte"
                )))
            }
        }
        fn visit_i64<E: serde::de::Error>(self, i: i64) -> Result<f64, E> {
            self.visit_f64(i as f64)
        }
    }
    d.deserialize_f64(Number).map(Some)
}

/// `window`: bytes on each side of a keyword hit, 16 to [`MAX_WINDOW`].
fn window<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    struct Bytes;
    impl Visitor<'_> for Bytes {
        type Value = usize;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer")
        }
        fn visit_i64<E: serde::de::Error>(self, w: i64) -> Result<usize, E> {
            match usize::try_from(w) {
                Ok(w) if (16..=MAX_WINDOW).contains(&w) => Ok(w),
                _ => Err(E::custom(format_args!("{w} is outside 16..={MAX_WINDOW}"))),
            }
        }
    }
    d.deserialize_i64(Bytes).map(Some)
}

/// Checks everything about a spec that does not need the regex engine.
fn check_spec(spec: &RuleSpec) -> Result<(), SpecError> {
    let rid = Some(spec.id.as_str());
    let err = |field: &str, msg: String| Err(SpecError::new(rid, Some(field), msg));
    let kebab = !spec.id.is_empty()
        && spec
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !spec.id.starts_with('-')
        && !spec.id.ends_with('-');
    if !kebab {
        return err(
            "id",
            format!("{:?} is not kebab-case (a-z, 0-9, '-')", spec.id),
        );
    }
    if spec.description.trim().is_empty() {
        return err("description", "must not be empty".to_owned());
    }
    if !SEVERITIES.contains(&spec.severity.as_str()) {
        return err(
            "severity",
            format!(
                "{:?} is not one of {}",
                spec.severity,
                SEVERITIES.join(", ")
            ),
        );
    }
    if spec.keywords.is_empty() && spec.paths.is_empty() {
        return err(
            "keywords",
            "at least one keyword is required (or `paths`): it gates the regex".to_owned(),
        );
    }
    if spec.paths.iter().any(|g| g.trim().is_empty()) {
        return err("paths", "an empty glob would match nothing".to_owned());
    }
    for k in &spec.keywords {
        // Shorter keywords hit everywhere and turn the prefilter into a regex-on-everything.
        if k.len() < 2 || !k.is_ascii() {
            return err(
                "keywords",
                format!("{k:?} must be ASCII and at least 2 bytes long"),
            );
        }
    }
    if spec.regex.trim().is_empty() {
        return err("regex", "must not be empty".to_owned());
    }
    if !spec.regex.contains("(?P<secret>") && !spec.regex.contains("(?<secret>") {
        return err(
            "regex",
            "needs a named group `secret` marking the reported bytes".to_owned(),
        );
    }
    if let Some(v) = &spec.validate {
        if !super::validator_names::VALIDATORS.contains(&v.as_str()) {
            return err(
                "validate",
                format!(
                    "{v:?} is not one of {}",
                    super::validator_names::VALIDATORS.join(", ")
                ),
            );
        }
    }
    Ok(())
}

/// What may stand between a credential's name and its value, in every syntax developers write an
/// assignment in: the rest of the identifier (`_API_KEY`, `.token`), closing quotes or brackets
/// (`"name": `, `ENV['NAME'] = `, `\"name\": ` in escaped JSON), then an operator — `=`, `:`, `:=`, `::=`,
/// `?=`, `+=` (Makefile), `.=` (PHP), `=>` (PHP, Ruby, Perl), `<-` (R), `==`, `,` (a call's positional
/// argument, `setenv("NAME", "v")`), `>` (an XML element), `(` (a setter: `setApiKey("v")`) — or an XML attribute pair
/// (`key="name" value="v"`), or blanks alone (`#define NAME "v"`, `.netrc`, `--name v`, INI `name v`).
/// Then an optional string prefix (`@"…"` C#, `$"…"`, `r"…"`, `b"…"`, `u"…"`) and up to two quotes
/// (`\"`). The line is never crossed.
pub const ASSIGN: &str = r#"[\w.-]*(?:[\\"'`\]]{0,4}[ \t]*(?:::=|:=|\?=|\+=|\.=|=>|<-|==?|:|,|>|\()[ \t]*|["']?[ \t]+value[ \t]*[:=][ \t]*|[ \t]+)(?:[@$bru]?[\\"'`]{1,2})?"#;

/// FNV-1a, the one content hash of rule packs and rule files (the incremental history state keys on
/// it): stable across builds and platforms, unlike `std`'s hasher. Not for anything adversarial.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv1a(u64);

impl Fnv1a {
    pub(crate) const fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub(crate) const fn finish(self) -> u64 {
        self.0
    }
}

/// What may follow a value: anything that cannot continue a token (so that a longer run is not
/// reported by its prefix), or the end of the input.
pub const VALUE_END: &str = r"(?:[^A-Za-z0-9_+/=-]|$)";

/// The regex of a rule given as `name` and `value` (see rules/README.md): the name, case-insensitive,
/// each `_` outside a character class standing for an optional separator (`_`, `-`, `.` or none, so
/// `api_key` also reads `apiKey`, `API-KEY`, `api.key`), then [`ASSIGN`], then the value,
/// case-sensitive, as the `secret` group, then [`VALUE_END`].
pub fn named_regex(name: &str, value: &str) -> String {
    let mut n = String::with_capacity(name.len() + 16);
    let (mut class, mut escaped) = (false, false);
    for c in name.chars() {
        match c {
            _ if escaped => {
                escaped = false;
                n.push(c);
            }
            '\\' => {
                escaped = true;
                n.push(c);
            }
            '[' if !class => {
                class = true;
                n.push(c);
            }
            ']' if class => {
                class = false;
                n.push(c);
            }
            '_' if !class => n.push_str("[_.-]?"),
            _ => n.push(c),
        }
    }
    format!("(?i:{n}){ASSIGN}(?P<secret>{value}){VALUE_END}")
}

/// First line of a possibly multi-line parser message, with the location folded in.
pub fn one_line(msg: &str) -> String {
    let lines: Vec<&str> = msg
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let first = lines.first().copied().unwrap_or("invalid TOML").to_owned();
    // toml's message is "TOML parse error at line L, column C" then a snippet then the reason.
    match lines.get(1..).and_then(<[&str]>::last) {
        Some(&"duplicate key") => match underlined(msg) {
            Some(key) => format!("{first}: duplicate key `{key}`"),
            None => format!("{first}: duplicate key"),
        },
        Some(&reason)
            if reason != first && !reason.starts_with('|') && !reason.starts_with('^') =>
        {
            format!("{first}: {reason}")
        }
        _ => first,
    }
}

/// The text a parser's snippet underlines (`2 | a = 2` over `  | ^`): for toml's duplicate key, the key,
/// which its reason no longer names. Never used for other reasons: the snippet may show a value, and a
/// value may be a secret.
fn underlined(msg: &str) -> Option<String> {
    // Each snippet line is a gutter (`2 | `, `  | `) then the text: a source line, then its carets.
    let mut source: Option<&str> = None;
    for line in msg
        .lines()
        .filter_map(|l| l.split_once("| ").map(|(_, text)| text))
    {
        match source {
            Some(src) if line.trim_start().starts_with('^') => {
                let start = line.len() - line.trim_start().len();
                let width = line.trim().chars().take_while(|&c| c == '^').count();
                let key: String = src.chars().skip(start).take(width).collect();
                return Some(key).filter(|k| !k.trim().is_empty());
            }
            _ => source = Some(line),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// toml 1 says `duplicate key` without the key: the message names it again, as toml 0.8's did, and
    /// no other snippet text (a value may be a secret) comes through.
    #[test]
    fn a_duplicate_key_is_named_and_no_value_is_echoed() {
        let e = parse_rules("[[rule]]\nid = 'a'\nid = 'b'\n").expect_err("duplicate");
        assert_eq!(
            e.message,
            "TOML parse error at line 3, column 1: duplicate key `id`"
        );
        let e = parse_rules("[rule]\n[rule]\n").expect_err("duplicate");
        assert_eq!(
            e.message,
            "TOML parse error at line 2, column 2: duplicate key `rule`"
        );
        let e = parse_rules("[[rule]]\nid = glpat-Hq3Zr8xK2mVb7NcT1pWd\n").expect_err("bare value"); // leakhound:allow (test token)
        assert!(!e.message.contains("Hq3Zr8"), "{}", e.message);
        assert!(!e.message.contains('\n'), "{}", e.message);
    }

    fn message(text: &str) -> String {
        let e = parse_rules(text).expect_err("should be rejected");
        let mut s = String::new();
        if let Some(r) = &e.rule {
            s.push_str(&format!("rule `{r}`: "));
        }
        if let Some(f) = &e.field {
            s.push_str(&format!("field `{f}`: "));
        }
        s + &e.message
    }

    /// Every message of the format, word for word: the rule by id or position, the field, and for a
    /// value of the wrong type the TOML names of both types.
    #[test]
    fn errors_name_the_rule_and_the_field() {
        let cases = [
            (
                "rule = 3\n",
                "field `rule`: expected an array of tables ([[rule]])",
            ),
            (
                "rule = [1]\n",
                "field `rule`: entry #1 is not a table",
            ),
            (
                "rules = \"x\"\n",
                "field `rule`: expected an array of tables ([[rule]])",
            ),
            (
                "[[rule]]\nid = 3\n",
                "rule `#1`: field `id`: expected a string, found integer",
            ),
            (
                "[[rule]]\nid = \"a\"\n",
                "rule `a`: field `description`: missing required field",
            ),
            (
                "[[rule]]\ndescription = \"d\"\n",
                "rule `#1`: field `id`: missing required field",
            ),
            (
                "[[rule]]\nid = \"a-b\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"ab\"]\n",
                "rule `a-b`: field `regex`: missing required field (or give `name` and `value`)",
            ),
            (
                "[[rule]]\nid = \"a-b\"\ndescription = 3\n",
                "rule `a-b`: field `description`: expected a string, found integer",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nkeywords = \"ab\"\n",
                "rule `a-b`: field `keywords`: expected an array of strings, found string",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nkeywords = [\"ab\", 3]\n",
                "rule `a-b`: field `keywords`: expected strings, found integer",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nkeywords = [[\"ab\"]]\n",
                "rule `a-b`: field `keywords`: expected strings, found array",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nentropy = \"x\"\n",
                "rule `a-b`: field `entropy`: expected a number, found string",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nentropy = 9\n",
                "rule `a-b`: field `entropy`: 9 is outside 0..=8 bits per byte",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nentropy = -0.5\n",
                "rule `a-b`: field `entropy`: -0.5 is outside 0..=8 bits per byte",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nwindow = 4\n",
                "rule `a-b`: field `window`: 4 is outside 16..=65536",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nwindow = 1.5\n",
                "rule `a-b`: field `window`: expected an integer, found float",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nwindow = 100000\n",
                "rule `a-b`: field `window`: 100000 is outside 16..=65536",
            ),
            (
                "[[rule]]\nid = \"a-b\"\ngeneric = \"yes\"\n",
                "rule `a-b`: field `generic`: expected a boolean, found string",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nlazy = 1\n",
                "rule `a-b`: field `lazy`: expected a boolean, found integer",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nexact_keywords = 1\n",
                "rule `a-b`: field `exact_keywords`: expected a boolean, found integer",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nkeyword = [\"x\"]\n",
                "rule `a-b`: field `keyword`: unknown field (known: id, description, severity, keywords, regex, name, value, entropy, validate, allow, allow_match, paths_allow, paths, window, generic, lazy, exact_keywords, examples, negative_examples, verify)",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nseverity = 1979-05-27\n",
                "rule `a-b`: field `severity`: expected a string, found datetime",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nallow = [{a = 1}]\n",
                "rule `a-b`: field `allow`: expected strings, found table",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nexamples = {a = 1}\n",
                "rule `a-b`: field `examples`: expected an array of strings, found table",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nname = \"x\"\n",
                "rule `a-b`: field `value`: `name` needs a `value` regex",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nvalue = \"x\"\n",
                "rule `a-b`: field `name`: `value` needs a `name` regex",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nname = \"x\"\nvalue = \"y\"\nregex = \"z\"\n",
                "rule `a-b`: field `regex`: give either `regex` or `name` and `value`, not both",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nname = \"x\"\nvalue = \"(?P<secret>y)\"\n",
                "rule `a-b`: field `value`: `value` is the secret already: no `secret` group in `name` or `value`",
            ),
            (
                "[[rule]]\nid = \"A_b\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"ab\"]\nregex = \"(?P<secret>a)\"\n",
                "rule `A_b`: field `id`: \"A_b\" is not kebab-case (a-z, 0-9, '-')",
            ),
            (
                "[[rule]]\nid = \"a-b\"\ndescription = \" \"\nseverity = \"high\"\nkeywords = [\"ab\"]\nregex = \"(?P<secret>a)\"\n",
                "rule `a-b`: field `description`: must not be empty",
            ),
            (
                "[[rule]]\nid = \"a-b\"\ndescription = \"d\"\nseverity = \"urgent\"\nkeywords = [\"ab\"]\nregex = \"(?P<secret>a)\"\n",
                "rule `a-b`: field `severity`: \"urgent\" is not one of critical, high, medium, low",
            ),
            (
                "[[rule]]\nid = \"a-b\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = []\nregex = \"(?P<secret>a)\"\n",
                "rule `a-b`: field `keywords`: at least one keyword is required (or `paths`): it gates the regex",
            ),
            (
                "[[rule]]\nid = \"a-b\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"a\"]\nregex = \"(?P<secret>a)\"\n",
                "rule `a-b`: field `keywords`: \"a\" must be ASCII and at least 2 bytes long",
            ),
            (
                "[[rule]]\nid = \"a-b\"\ndescription = \"d\"\nseverity = \"high\"\npaths = [\" \"]\nregex = \"(?P<secret>a)\"\n",
                "rule `a-b`: field `paths`: an empty glob would match nothing",
            ),
            (
                "[[rule]]\nid = \"a-b\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"ab\"]\nregex = \" \"\n",
                "rule `a-b`: field `regex`: must not be empty",
            ),
            (
                "[[rule]]\nid = \"a-b\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"ab\"]\nregex = \"(a)\"\n",
                "rule `a-b`: field `regex`: needs a named group `secret` marking the reported bytes",
            ),
            (
                "[[rule]]\nid = \"a-b\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"ab\"]\nregex = \"(?P<secret>a)\"\nvalidate = \"luhn\"\n",
                "rule `a-b`: field `validate`: \"luhn\" is not one of github-checksum, npm-checksum, jwt, aws-key-id, private-key, mode, discord-bot-token, keystore, basic-auth, base64-password",
            ),
            (
                "[[rule]]\nid = \"a-b\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"ab\"]\nregex = \"(?P<secret>a)\"\n[[rule]]\nid = \"a-b\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"ab\"]\nregex = \"(?P<secret>a)\"\n",
                "rule `a-b`: field `id`: duplicate rule id",
            ),
            (
                "[[rule]]\nid = \"a-b\"\nzzz = 1\nentropy = \"x\"\n",
                "rule `a-b`: field `entropy`: expected a number, found string",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(message(text), expected, "{text}");
        }
    }

    /// The unknown-field message lists [`FIELDS`], which `is_gitleaks` reads: the two cannot drift.
    #[test]
    fn fields_are_the_fields_serde_knows() {
        let e = parse_rules("[[rule]]\nid = \"a\"\nbogus = 1\n").expect_err("unknown field");
        assert_eq!(
            e.message,
            format!("unknown field (known: {})", FIELDS.join(", "))
        );
    }

    #[test]
    fn every_field_is_read() {
        let specs = parse_rules(
            "[[rules]]\nid = \"a-b\"\ndescription = \"d\"\nseverity = \"low\"\nkeywords = [\"ab\"]\n\
             regex = '(?P<secret>ab[0-9])'\nentropy = 3\nwindow = 16\nlazy = true\ngeneric = true\n\
             exact_keywords = true\nvalidate = \"jwt\"\nallow = [\"x\"]\nallow_match = [\"y\"]\n\
             paths_allow = [\"z\"]\npaths = [\"p\"]\nexamples = [\"ab1\"]\nnegative_examples = [\"ab\"]\n\
             [[rules]]\nid = \"c-d\"\ndescription = \"d\"\nseverity = \"high\"\nkeywords = [\"ab\"]\n\
             name = 'x_y'\nvalue = '[0-9]{4}'\n",
        )
        .expect("valid");
        let s = &specs[0];
        assert_eq!(
            (
                &s.id[..],
                &s.description[..],
                &s.severity[..],
                &s.keywords[..]
            ),
            ("a-b", "d", "low", &["ab".to_owned()][..])
        );
        assert_eq!(
            (s.entropy, s.window, s.lazy, s.generic, s.exact_keywords),
            (Some(3.0), Some(16), Some(true), true, true)
        );
        assert_eq!(s.validate.as_deref(), Some("jwt"));
        let list = |v: &[String]| v.join(",");
        assert_eq!(
            [
                &s.allow,
                &s.allow_match,
                &s.paths_allow,
                &s.paths,
                &s.examples,
                &s.negative_examples
            ]
            .map(|v| list(v)),
            ["x", "y", "z", "p", "ab1", "ab"]
        );
        assert_eq!(specs[1].regex, named_regex("x_y", "[0-9]{4}"));
        assert_eq!(
            (specs[1].entropy, specs[1].lazy, specs[1].generic),
            (None, None, false)
        );
    }
}
