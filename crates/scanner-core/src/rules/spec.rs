//! The on-disk rule format, parsed field by field so that every error names the rule and the field.
//!
//! This file is also compiled into `build.rs` (via `#[path]`), so the embedded pack and a user's rule file
//! go through the same checks. It depends only on `toml`.

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

/// Severities accepted in `severity`.
pub const SEVERITIES: [&str; 4] = ["critical", "high", "medium", "low"];

/// The keys a rule table may hold.
pub const FIELDS: [&str; 19] = [
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
        specs.push(parse_rule(table, i)?);
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

fn parse_rule(table: &toml::Table, index: usize) -> Result<RuleSpec, SpecError> {
    let fallback = format!("#{}", index + 1);
    let id_for_errors = table
        .get("id")
        .and_then(|v| v.as_str())
        .unwrap_or(&fallback)
        .to_owned();
    let rid = Some(id_for_errors.as_str());
    let err = |field: &str, msg: String| SpecError::new(rid, Some(field), msg);
    let string = |field: &str, v: &toml::Value| -> Result<String, SpecError> {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| err(field, format!("expected a string, found {}", v.type_str())))
    };
    let boolean = |field: &str, v: &toml::Value| -> Result<bool, SpecError> {
        v.as_bool()
            .ok_or_else(|| err(field, format!("expected a boolean, found {}", v.type_str())))
    };
    let strings = |field: &str, v: &toml::Value| -> Result<Vec<String>, SpecError> {
        let arr = v.as_array().ok_or_else(|| {
            err(
                field,
                format!("expected an array of strings, found {}", v.type_str()),
            )
        })?;
        arr.iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| err(field, format!("expected strings, found {}", x.type_str())))
            })
            .collect()
    };

    let mut spec = RuleSpec::default();
    let (mut name, mut value_re) = (None, None);
    for (key, value) in table {
        match key.as_str() {
            "id" => spec.id = string(key, value)?,
            "name" => name = Some(string(key, value)?),
            "value" => value_re = Some(string(key, value)?),
            "description" => spec.description = string(key, value)?,
            "severity" => spec.severity = string(key, value)?,
            "keywords" => spec.keywords = strings(key, value)?,
            "regex" => spec.regex = string(key, value)?,
            "entropy" => {
                let e = value
                    .as_float()
                    .or_else(|| value.as_integer().map(|i| i as f64))
                    .ok_or_else(|| {
                        err(
                            key,
                            format!("expected a number, found {}", value.type_str()),
                        )
                    })?;
                if !(0.0..=8.0).contains(&e) {
                    return Err(err(key, format!("{e} is outside 0..=8 bits per byte")));
                }
                spec.entropy = Some(e);
            }
            "validate" => spec.validate = Some(string(key, value)?),
            "allow" => spec.allow = strings(key, value)?,
            "allow_match" => spec.allow_match = strings(key, value)?,
            "paths_allow" => spec.paths_allow = strings(key, value)?,
            "paths" => spec.paths = strings(key, value)?,
            "window" => {
                let w = value.as_integer().ok_or_else(|| {
                    err(
                        key,
                        format!("expected an integer, found {}", value.type_str()),
                    )
                })?;
                if w < 16 || w as usize > MAX_WINDOW {
                    return Err(err(key, format!("{w} is outside 16..={MAX_WINDOW}")));
                }
                spec.window = Some(w as usize);
            }
            "generic" => spec.generic = boolean(key, value)?,
            "lazy" => spec.lazy = Some(boolean(key, value)?),
            "exact_keywords" => spec.exact_keywords = boolean(key, value)?,
            "examples" => spec.examples = strings(key, value)?,
            "negative_examples" => spec.negative_examples = strings(key, value)?,
            other => {
                return Err(err(
                    other,
                    format!("unknown field (known: {})", FIELDS.join(", ")),
                ));
            }
        }
    }
    match (name, value_re) {
        (None, None) => {}
        (Some(_), None) => return Err(err("value", "`name` needs a `value` regex".to_owned())),
        (None, Some(_)) => return Err(err("name", "`value` needs a `name` regex".to_owned())),
        (Some(_), Some(_)) if table.contains_key("regex") => {
            return Err(err(
                "regex",
                "give either `regex` or `name` and `value`, not both".to_owned(),
            ));
        }
        (Some(n), Some(v)) => {
            if n.contains("(?P<secret>") || v.contains("(?P<secret>") || v.contains("(?<secret>") {
                return Err(err(
                    "value",
                    "`value` is the secret already: no `secret` group in `name` or `value`"
                        .to_owned(),
                ));
            }
            spec.regex = named_regex(&n, &v);
        }
    }
    for required in ["id", "description", "severity", "keywords"] {
        // A rule limited to file names may read whole files instead of keyword windows.
        if required == "keywords" && !spec.paths.is_empty() {
            continue;
        }
        if !table.contains_key(required) {
            return Err(err(required, "missing required field".to_owned()));
        }
    }
    if spec.regex.is_empty() {
        return Err(err(
            "regex",
            "missing required field (or give `name` and `value`)".to_owned(),
        ));
    }
    check_spec(&spec)?;
    Ok(spec)
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
                format!("{v:?} is not one of {}", super::validator_names::VALIDATORS.join(", ")),
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
        Some(&reason)
            if reason != first && !reason.starts_with('|') && !reason.starts_with('^') =>
        {
            format!("{first}: {reason}")
        }
        _ => first,
    }
}
