//! The `[rule.verify]` table: how to ask a provider whether a secret still works, what its answer means,
//! and how to revoke the secret where the provider lets its holder do that.
//!
//! This file is compiled into `build.rs` too (as a child of `spec.rs`): the embedded pack's validators are
//! checked at build time. It depends only on `serde` and `toml`. Requests are sent by `crate::live` (feature
//! `live`); nothing here touches the network.

use std::collections::BTreeMap;

use serde::Deserialize;

/// What a validator reads an answer as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LiveStatus {
    /// The provider accepted the secret.
    Live,
    /// The provider rejected it: revoked, deleted, expired or never valid.
    Dead,
    /// No conclusion (a provider error, an answer the validator does not know).
    Unknown,
}

impl LiveStatus {
    /// `live`, `dead` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            LiveStatus::Live => "live",
            LiveStatus::Dead => "dead",
            LiveStatus::Unknown => "unknown",
        }
    }
}

/// HTTP methods a validator may use. Validation only calls read-only, identity-style endpoints; `POST` is
/// for the few of those that take their token in a form (Slack's `auth.test`, OAuth token endpoints).
/// `DELETE` is allowed only in `[rule.verify.revoke]`.
pub const METHODS: [&str; 3] = ["GET", "HEAD", "POST"];

/// Built-in validators: requests no template can express (signatures, signed assertions).
pub const BUILTINS: [&str; 3] = ["aws-sts", "gcp-service-account", "azure-storage"];

/// A `[rule.verify]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifySpec {
    /// The provider's name as people know it (`GitHub`, `Slack`).
    pub provider: String,
    /// The provider's documentation of the endpoint called (a URL).
    pub docs: String,
    /// A built-in validator that builds the request itself (`aws-sts`, …); `url` and the request fields
    /// are then not given.
    pub builtin: Option<String>,
    /// The URL, a template (`{secret}`, `{capture.NAME}`, `{pair.NAME}`); `https://` only.
    pub url: Option<String>,
    /// `GET` (default), `HEAD` or `POST`.
    pub method: Option<String>,
    /// Headers, values are templates.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// HTTP basic authentication, `[user, password]`, both templates.
    pub basic: Option<Vec<String>>,
    /// A form body (`application/x-www-form-urlencoded`), values are templates.
    pub form: Option<BTreeMap<String, String>>,
    /// A JSON body, a template whose substitutions are JSON-escaped.
    pub json: Option<String>,
    /// Hosts the request may go to: exact names or `*.suffix`. Default: the URL's host, which must then be
    /// literal. A redirect to any other host is not followed.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Status codes that mean live (after the `when` entries).
    #[serde(default)]
    pub live: Vec<u16>,
    /// Status codes that mean dead.
    #[serde(default)]
    pub dead: Vec<u16>,
    /// Finer readings, tried in order before `live` and `dead`: the first that matches decides.
    #[serde(default)]
    pub when: Vec<When>,
    /// The identity behind the key: an answer template (`{json:login}`, `{header:x-user}`, `{xml:Arn}`).
    pub identity: Option<String>,
    /// The account, organisation, team or project: an answer template.
    pub account: Option<String>,
    /// Where the scopes are: `header:NAME` (comma or space separated), `json:PATH` (an array or a
    /// space separated string).
    pub scopes: Option<String>,
    /// Where the key's expiry is: `header:NAME` or `json:PATH`.
    pub expires: Option<String>,
    /// The console page where a person rotates or revokes the key by hand.
    pub rotate: Option<String>,
    /// Other parts of a multi-part credential, found near the secret.
    #[serde(default)]
    pub pair: Vec<Pair>,
    /// Self-service revocation.
    pub revoke: Option<RevokeSpec>,
    /// Answers the provider documents and what they must read as: each is served by a loopback server
    /// in the tests.
    #[serde(default)]
    pub example: Vec<AnswerExample>,
}

/// A finer reading of an answer: every given condition must hold.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// Status codes (any of them); empty: any status.
    #[serde(default)]
    pub status: Vec<u16>,
    /// A JSON path (`ok`, `data.0.id`) in the body.
    pub json: Option<String>,
    /// The value at `json` equals this (a string, number or boolean).
    pub equals: Option<toml::Value>,
    /// The value at `json` is present (`true`) or absent (`false`).
    pub present: Option<bool>,
    /// The body contains this text.
    pub contains: Option<String>,
    /// This header is present in the answer.
    pub header: Option<String>,
    /// The reading.
    pub then: LiveStatus,
    /// Why, an answer template (`{json:error}`).
    pub reason: Option<String>,
}

/// Another part of a multi-part credential.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    /// The name the templates use: `{pair.NAME}`.
    pub name: String,
    /// The part is another finding of this rule in the same file (or blob), nearest by line.
    pub rule: Option<String>,
    /// The part is not a secret (an account id, an app id): this regex, with a `value` group or else
    /// the whole match, searched near the secret when it is found.
    pub regex: Option<String>,
    /// How many lines above or below the secret the part may be (default 5).
    pub within: Option<usize>,
    /// Without the part the check is not made (default true); false: the template gets an empty string.
    pub required: Option<bool>,
}

impl Pair {
    /// Lines above or below the secret the part may be.
    pub fn within(&self) -> usize {
        self.within.unwrap_or(5)
    }
}

/// A `[rule.verify.revoke]` table: a request that revokes the secret itself, made only by
/// `leakhound revoke`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeSpec {
    /// The provider's documentation of the revocation endpoint.
    pub docs: String,
    /// URL template.
    pub url: String,
    /// `POST`, `DELETE` or `GET`.
    pub method: Option<String>,
    /// Headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Basic authentication.
    pub basic: Option<Vec<String>>,
    /// Form body.
    pub form: Option<BTreeMap<String, String>>,
    /// JSON body.
    pub json: Option<String>,
    /// Status codes that mean the secret is revoked.
    pub done: Vec<u16>,
    /// Readings that override `done` (a 200 with `"ok": false`).
    #[serde(default)]
    pub when: Vec<When>,
}

/// An answer a provider documents, served by a loopback server in the tests.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerExample {
    /// Text scanned to find the secret (and its pairs); default: the rule's first example.
    pub input: Option<String>,
    /// Status code.
    pub status: u16,
    /// Headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Body.
    #[serde(default)]
    pub body: String,
    /// The reading it must give.
    pub expect: LiveStatus,
    /// The identity it must give.
    pub identity: Option<String>,
    /// The account it must give.
    pub account: Option<String>,
    /// The scopes it must give.
    pub scopes: Option<Vec<String>>,
}

/// Placeholder kinds a request template may use.
const REQUEST_PLACEHOLDERS: [&str; 3] = ["secret", "capture.", "pair."];
/// Placeholder kinds an answer template may use (besides the request's `capture.` and `pair.`).
const ANSWER_PLACEHOLDERS: [&str; 3] = ["json:", "header:", "xml:"];

/// The `{name}` placeholders of a template: `{` then letters, digits and `._:-`, then `}`. Other braces
/// are literal (a JSON body's).
pub fn placeholders(template: &str) -> impl Iterator<Item = (usize, usize, &str)> + '_ {
    let b = template.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            if b[i] == b'{' {
                let start = i;
                let mut j = i + 1;
                while j < b.len()
                    && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'.' | b'_' | b':' | b'-'))
                {
                    j += 1;
                }
                if j < b.len() && b[j] == b'}' && j > start + 1 {
                    i = j + 1;
                    let name = &template[start + 1..j];
                    if REQUEST_PLACEHOLDERS
                        .iter()
                        .chain(ANSWER_PLACEHOLDERS.iter())
                        .any(|p| name == *p || (p.ends_with(['.', ':']) && name.starts_with(p)))
                    {
                        return Some((start, j + 1, name));
                    }
                    continue;
                }
            }
            i += 1;
        }
        None
    })
}

impl VerifySpec {
    /// Reads and checks a `[rule.verify]` table. `captures` are the rule regex's group names.
    ///
    /// # Errors
    /// A message naming the field (`verify.url: …`).
    pub fn from_value(value: toml::Value, captures: &[String]) -> Result<VerifySpec, String> {
        let spec = VerifySpec::deserialize(value).map_err(|e| one_line(&e.to_string()))?;
        spec.check(captures)?;
        Ok(spec)
    }

    /// The method, upper case.
    pub fn method(&self) -> &str {
        self.method.as_deref().unwrap_or("GET")
    }

    /// Whether any reading needs the body as JSON.
    pub fn reads_json(&self) -> bool {
        let uses = |t: &Option<String>| t.as_deref().is_some_and(|t| t.contains("json:"));
        self.when.iter().any(|w| w.json.is_some())
            || uses(&self.identity)
            || uses(&self.account)
            || uses(&self.scopes)
            || uses(&self.expires)
    }

    fn check(&self, captures: &[String]) -> Result<(), String> {
        let err = |field: &str, msg: String| Err(format!("verify.{field}: {msg}"));
        if self.provider.trim().is_empty() {
            return err("provider", "empty".into());
        }
        if !self.docs.starts_with("https://") {
            return err(
                "docs",
                "the provider's documentation of the endpoint, an https:// URL".into(),
            );
        }
        let pairs: Vec<&str> = self.pair.iter().map(|p| p.name.as_str()).collect();
        for p in &self.pair {
            match (&p.rule, &p.regex) {
                (Some(_), None) | (None, Some(_)) => {}
                _ => {
                    return err(
                        "pair",
                        format!("`{}`: give either `rule` or `regex`", p.name),
                    )
                }
            }
            if p.within() > 50 {
                return err(
                    "pair",
                    format!("`{}`: `within` is at most 50 lines", p.name),
                );
            }
        }
        let request_ok = |field: &str, t: &str| -> Result<(), String> {
            for (_, _, name) in placeholders(t) {
                let ok = name == "secret"
                    || name
                        .strip_prefix("capture.")
                        .is_some_and(|c| captures.iter().any(|x| x == c))
                    || name
                        .strip_prefix("pair.")
                        .is_some_and(|c| pairs.contains(&c));
                if !ok {
                    return Err(format!(
                        "verify.{field}: unknown placeholder `{{{name}}}` (known: {{secret}}, {{capture.GROUP}} of the regex's groups, {{pair.NAME}} of `pair`)"
                    ));
                }
            }
            Ok(())
        };
        match (&self.builtin, &self.url) {
            (Some(b), None) => {
                if !BUILTINS.contains(&b.as_str()) {
                    return err(
                        "builtin",
                        format!("`{b}` is not one of {}", BUILTINS.join(", ")),
                    );
                }
                if self.method.is_some()
                    || !self.headers.is_empty()
                    || self.basic.is_some()
                    || self.form.is_some()
                    || self.json.is_some()
                {
                    return err(
                        "builtin",
                        "a built-in validator builds its own request: no method, headers or body"
                            .into(),
                    );
                }
            }
            (None, Some(url)) => {
                check_request(
                    "verify",
                    url,
                    self.method(),
                    &METHODS,
                    &self.headers,
                    &self.basic,
                    &self.form,
                    &self.json,
                    &self.hosts,
                    &request_ok,
                )?;
                if self.live.is_empty() && !self.when.iter().any(|w| w.then == LiveStatus::Live) {
                    return err("live", "no status or reading means live".into());
                }
            }
            _ => {
                return err(
                    "url",
                    "give either `url` (a request template) or `builtin`".into(),
                )
            }
        }
        for (field, t) in [("identity", &self.identity), ("account", &self.account)] {
            if let Some(t) = t {
                answer_ok(&format!("verify.{field}"), t)?;
            }
        }
        for (field, t) in [("scopes", &self.scopes), ("expires", &self.expires)] {
            if let Some(t) = t {
                if !(t.starts_with("header:") || t.starts_with("json:")) {
                    return err(field, "`header:NAME` or `json:PATH`".into());
                }
            }
        }
        for w in &self.when {
            check_when("verify.when", w)?;
        }
        if let Some(r) = &self.rotate {
            if !r.starts_with("https://") {
                return err("rotate", "the console page, an https:// URL".into());
            }
        }
        if let Some(r) = &self.revoke {
            if !r.docs.starts_with("https://") {
                return err(
                    "revoke.docs",
                    "the provider's documentation of the endpoint, an https:// URL".into(),
                );
            }
            check_request(
                "verify.revoke",
                &r.url,
                r.method.as_deref().unwrap_or("POST"),
                &["GET", "POST", "DELETE"],
                &r.headers,
                &r.basic,
                &r.form,
                &r.json,
                &self.hosts,
                &request_ok,
            )?;
            if r.done.is_empty() {
                return err("revoke.done", "no status means revoked".into());
            }
            for w in &r.when {
                check_when("verify.revoke.when", w)?;
            }
        }
        if self.example.is_empty() {
            return err(
                "example",
                "at least one documented answer to test the reading against".into(),
            );
        }
        for (i, e) in self.example.iter().enumerate() {
            if !(100..=599).contains(&e.status) {
                return err(
                    "example",
                    format!("#{}: status {} is not an HTTP status", i + 1, e.status),
                );
            }
        }
        Ok(())
    }

    /// The hosts requests may go to: `hosts`, or the URL's literal host.
    pub fn allowed_hosts(&self) -> Vec<String> {
        if !self.hosts.is_empty() {
            return self.hosts.clone();
        }
        self.url
            .as_deref()
            .and_then(url_host)
            .map(|h| vec![h.to_owned()])
            .unwrap_or_default()
    }
}

fn check_when(field: &str, w: &When) -> Result<(), String> {
    if (w.equals.is_some() || w.present.is_some()) && w.json.is_none() {
        return Err(format!("{field}: `equals` and `present` need `json`"));
    }
    if let Some(v) = &w.equals {
        if !(v.is_str() || v.is_bool() || v.is_integer() || v.is_float()) {
            return Err(format!("{field}: `equals` is a string, number or boolean"));
        }
    }
    if let Some(r) = &w.reason {
        answer_ok(&format!("{field}.reason"), r)?;
    }
    Ok(())
}

fn answer_ok(field: &str, t: &str) -> Result<(), String> {
    for (_, _, name) in placeholders(t) {
        if !ANSWER_PLACEHOLDERS
            .iter()
            .chain(&["capture.", "pair."])
            .any(|p| name.starts_with(p) && name.len() > p.len())
        {
            return Err(format!(
                "{field}: unknown placeholder `{{{name}}}` (known: {{json:PATH}}, {{header:NAME}}, {{xml:TAG}}, {{capture.GROUP}}, {{pair.NAME}})"
            ));
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn check_request(
    field: &str,
    url: &str,
    method: &str,
    methods: &[&str],
    headers: &BTreeMap<String, String>,
    basic: &Option<Vec<String>>,
    form: &Option<BTreeMap<String, String>>,
    json: &Option<String>,
    hosts: &[String],
    request_ok: &dyn Fn(&str, &str) -> Result<(), String>,
) -> Result<(), String> {
    if !url.starts_with("https://") {
        return Err(format!("{field}.url: requests go over https:// only"));
    }
    if !methods.contains(&method) {
        return Err(format!(
            "{field}.method: `{method}` is not one of {}",
            methods.join(", ")
        ));
    }
    let host = url_host(url);
    if host.is_none() && hosts.is_empty() {
        return Err(format!(
            "{field}.url: the host has a placeholder: list the hosts it may be in `hosts` (`*.example.com`)"
        ));
    }
    if let Some(h) = host {
        if !hosts.is_empty() && !host_allowed(h, hosts) {
            return Err(format!("{field}.url: host `{h}` is not in `hosts`"));
        }
    }
    for h in hosts {
        let name = h.strip_prefix("*.").unwrap_or(h);
        if name.is_empty()
            || !name.contains('.')
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
        {
            return Err(format!(
                "verify.hosts: `{h}` is not a host name or `*.domain.tld`"
            ));
        }
    }
    request_ok(&format!("{field}.url"), url)?;
    for (k, v) in headers {
        if k.is_empty()
            || !k
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        {
            return Err(format!("{field}.headers: `{k}` is not a header name"));
        }
        request_ok(&format!("{field}.headers.{k}"), v)?;
    }
    let bodies = usize::from(form.is_some()) + usize::from(json.is_some());
    if bodies > 1 {
        return Err(format!("{field}: give at most one of `form` and `json`"));
    }
    if bodies == 1 && matches!(method, "GET" | "HEAD") {
        return Err(format!("{field}: a `{method}` request has no body"));
    }
    if let Some(b) = basic {
        if b.len() != 2 {
            return Err(format!("{field}.basic: `[user, password]`"));
        }
        for x in b {
            request_ok(&format!("{field}.basic"), x)?;
        }
    }
    if let Some(f) = form {
        for v in f.values() {
            request_ok(&format!("{field}.form"), v)?;
        }
    }
    if let Some(j) = json {
        request_ok(&format!("{field}.json"), j)?;
    }
    let all: Vec<&str> = std::iter::once(url)
        .chain(headers.values().map(String::as_str))
        .chain(basic.iter().flatten().map(String::as_str))
        .chain(form.iter().flat_map(|f| f.values().map(String::as_str)))
        .chain(json.as_deref())
        .collect();
    if !all
        .iter()
        .any(|t| placeholders(t).any(|(_, _, n)| n == "secret"))
    {
        return Err(format!("{field}: the request does not use `{{secret}}`"));
    }
    Ok(())
}

/// The literal host of an `https://` URL template; `None` when it has a placeholder.
pub fn url_host(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?;
    (!host.is_empty() && !host.contains('{')).then_some(host)
}

/// Whether `host` is one of `hosts` (exact, ASCII case-insensitive, or under a `*.suffix`).
pub fn host_allowed(host: &str, hosts: &[String]) -> bool {
    let host = host.to_ascii_lowercase();
    hosts.iter().any(|h| {
        let h = h.to_ascii_lowercase();
        match h.strip_prefix("*.") {
            Some(suffix) => host
                .strip_suffix(suffix)
                .is_some_and(|p| p.len() > 1 && p.ends_with('.')),
            None => host == h,
        }
    })
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Result<VerifySpec, String> {
        VerifySpec::from_value(toml::from_str::<toml::Value>(t).unwrap(), &["shop".into()])
    }

    const OK: &str = r#"
provider = "GitHub"
docs = "https://docs.github.com/en/rest/users/users#get-the-authenticated-user"
url = "https://api.github.com/user"
headers = { Authorization = "Bearer {secret}" }
live = [200]
dead = [401]
identity = "{json:login}"
scopes = "header:x-oauth-scopes"
[[example]]
status = 200
body = '{"login":"octo"}'
expect = "live"
identity = "octo"
"#;

    #[test]
    fn reads_a_template() {
        let s = parse(OK).unwrap();
        assert_eq!(s.allowed_hosts(), ["api.github.com"]);
        assert!(s.reads_json());
        assert_eq!(s.method(), "GET");
    }

    #[test]
    fn refuses_what_would_leak_or_wander() {
        let bad = [
            (
                OK.replace("https://api.github.com/user", "http://api.github.com/user"),
                "https:// only",
            ),
            (OK.replace("{secret}", "{secrt}"), "does not use `{secret}`"),
            (
                OK.replace("Bearer {secret}", "Bearer {secret} {pair.x}"),
                "unknown placeholder `{pair.x}`",
            ),
            (
                OK.replace("api.github.com/user", "{capture.shop}.example.com/user"),
                "list the hosts",
            ),
            (
                OK.replace("live = [200]", "live = []"),
                "no status or reading means live",
            ),
            (OK.replace("docs = \"https", "docs = \"http"), "verify.docs"),
            (
                OK.replace("url =", "method = \"DELETE\"\nurl ="),
                "`DELETE` is not one of",
            ),
        ];
        for (text, want) in bad {
            let e = parse(&text).unwrap_err();
            assert!(e.contains(want), "{e} (wanted {want})");
        }
        let hosted = OK
            .replace("api.github.com/user", "{capture.shop}.myshopify.com/admin")
            .replace(
                "live = [200]",
                "live = [200]\nhosts = [\"*.myshopify.com\"]",
            );
        let s = parse(&hosted).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.allowed_hosts(), ["*.myshopify.com"]);
    }

    #[test]
    fn host_patterns() {
        let hosts = vec!["*.myshopify.com".to_owned(), "api.slack.com".to_owned()];
        assert!(host_allowed("acme.myshopify.com", &hosts));
        assert!(host_allowed("API.slack.com", &hosts));
        assert!(!host_allowed("myshopify.com", &hosts));
        assert!(!host_allowed("evilmyshopify.com", &hosts));
        assert!(!host_allowed("api.slack.com.evil.io", &hosts));
    }

    #[test]
    fn placeholders_leave_json_braces() {
        let t = r#"{"credentials":["{secret}"],"x":{"y":1}}"#;
        let p: Vec<_> = placeholders(t).map(|(_, _, n)| n).collect();
        assert_eq!(p, ["secret"]);
    }
}
