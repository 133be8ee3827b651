//! Reading a provider's answer into `live`, `dead` or `unknown`, with the access map: identity, account,
//! scopes and expiry, as the rule's `[rule.verify]` table says.

use serde_json::Value;

use super::request::Subject;
use crate::liveness::LiveStatus;
use crate::rules::spec::verify::{placeholders, VerifySpec, When};

/// Longest text kept from an answer for one field: a reason or an identity, never a body.
const MAX_FIELD: usize = 200;

/// A provider's answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Answer {
    pub status: u16,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What an answer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reading {
    pub status: LiveStatus,
    pub reason: Option<String>,
    pub identity: Option<String>,
    pub account: Option<String>,
    pub scopes: Vec<String>,
    pub expires: Option<String>,
}

impl Reading {
    pub fn unknown(reason: impl Into<String>) -> Reading {
        Reading {
            status: LiveStatus::Unknown,
            reason: Some(reason.into()),
            identity: None,
            account: None,
            scopes: Vec::new(),
            expires: None,
        }
    }
}

/// The answer with its body parsed as JSON once, on first need.
struct Parsed<'a> {
    answer: &'a Answer,
    json: std::cell::OnceCell<Option<Value>>,
}

impl Parsed<'_> {
    fn json(&self) -> Option<&Value> {
        self.json
            .get_or_init(|| serde_json::from_slice(&self.answer.body).ok())
            .as_ref()
    }

    /// The text at a `json:`, `header:` or `xml:` source, or a `capture.`/`pair.` value.
    fn lookup(&self, source: &str, subject: &Subject<'_>) -> Option<String> {
        if let Some(path) = source.strip_prefix("json:") {
            return json_path(self.json()?, path).and_then(scalar_text);
        }
        if let Some(name) = source.strip_prefix("header:") {
            return self.answer.header(name).map(str::to_owned);
        }
        if let Some(tag) = source.strip_prefix("xml:") {
            return xml_text(&self.answer.body, tag);
        }
        subject.value(source).map(str::to_owned)
    }

    /// An answer template rendered: missing values are empty; an empty result is `None`.
    fn render(&self, template: &str, subject: &Subject<'_>) -> Option<String> {
        let mut out = String::new();
        let mut last = 0;
        for (s, e, name) in placeholders(template) {
            out.push_str(&template[last..s]);
            if name == "secret" {
                // An answer template never shows the secret.
                out.push('…');
            } else if let Some(v) = self.lookup(name, subject) {
                out.push_str(&v);
            }
            last = e;
        }
        out.push_str(&template[last..]);
        clean(&out, subject.secret)
    }

    fn matches(&self, w: &When) -> bool {
        if !w.status.is_empty() && !w.status.contains(&self.answer.status) {
            return false;
        }
        if let Some(path) = &w.json {
            let v = self.json().and_then(|j| json_path(j, path));
            if let Some(p) = w.present {
                if v.is_some_and(|v| !v.is_null()) != p {
                    return false;
                }
            }
            if let Some(want) = &w.equals {
                let Some(v) = v else { return false };
                let eq = match (want, v) {
                    (toml::Value::String(a), Value::String(b)) => a == b,
                    (toml::Value::Boolean(a), Value::Bool(b)) => a == b,
                    (toml::Value::Integer(a), Value::Number(b)) => b.as_i64() == Some(*a),
                    (toml::Value::Float(a), Value::Number(b)) => b.as_f64() == Some(*a),
                    _ => false,
                };
                if !eq {
                    return false;
                }
            }
            if w.present.is_none() && w.equals.is_none() && v.is_none() {
                return false;
            }
        }
        if let Some(text) = &w.contains {
            if !contains(&self.answer.body, text.as_bytes()) {
                return false;
            }
        }
        if let Some(h) = &w.header {
            if self.answer.header(h).is_none() {
                return false;
            }
        }
        true
    }
}

/// The first of `whens` that `answer` matches, with its reason rendered (the secret cut out).
pub(crate) fn first_when<'w>(
    whens: &'w [When],
    answer: &Answer,
    subject: &Subject<'_>,
) -> Option<(&'w When, Option<String>)> {
    let p = Parsed {
        answer,
        json: std::cell::OnceCell::new(),
    };
    let w = whens.iter().find(|w| p.matches(w))?;
    Some((w, w.reason.as_deref().and_then(|r| p.render(r, subject))))
}

/// Reads `answer` as `spec` says. The secret never ends up in any field: where an answer quotes it, it
/// is cut to its redacted prefix.
pub(crate) fn read(spec: &VerifySpec, answer: &Answer, subject: &Subject<'_>) -> Reading {
    let p = Parsed {
        answer,
        json: std::cell::OnceCell::new(),
    };
    let status = answer.status;
    let (verdict, reason) = if let Some(w) = spec.when.iter().find(|w| p.matches(w)) {
        (
            w.then,
            w.reason.as_deref().and_then(|r| p.render(r, subject)),
        )
    } else if spec.live.contains(&status) {
        (LiveStatus::Live, None)
    } else if spec.dead.contains(&status) {
        (LiveStatus::Dead, Some(format!("rejected: HTTP {status}")))
    } else if status >= 500 {
        (
            LiveStatus::Unknown,
            Some(format!("provider error: HTTP {status}")),
        )
    } else {
        (
            LiveStatus::Unknown,
            Some(format!("unexpected answer: HTTP {status}")),
        )
    };
    if verdict != LiveStatus::Live {
        let reason = reason
            .or_else(|| (verdict == LiveStatus::Dead).then(|| format!("rejected: HTTP {status}")));
        return Reading {
            status: verdict,
            reason,
            ..Reading::unknown("")
        };
    }
    if spec.reads_json() && p.json().is_none() {
        return Reading::unknown(format!(
            "malformed answer: HTTP {status} with a body that is not JSON"
        ));
    }
    Reading {
        status: LiveStatus::Live,
        reason,
        identity: spec.identity.as_deref().and_then(|t| p.render(t, subject)),
        account: spec.account.as_deref().and_then(|t| p.render(t, subject)),
        scopes: spec
            .scopes
            .as_deref()
            .map(|s| scopes(&p, s, subject))
            .unwrap_or_default(),
        expires: spec
            .expires
            .as_deref()
            .and_then(|s| p.lookup(s, subject))
            .and_then(|v| clean(&v, subject.secret)),
    }
}

/// The scopes at `header:NAME` (comma or space separated) or `json:PATH` (an array, or a string).
fn scopes(p: &Parsed<'_>, source: &str, subject: &Subject<'_>) -> Vec<String> {
    let list: Vec<String> = match source.strip_prefix("json:") {
        Some(path) => match p.json().and_then(|j| json_path(j, path)) {
            Some(Value::Array(items)) => items.iter().filter_map(scalar_text).collect(),
            Some(v) => scalar_text(v).map(|s| split_list(&s)).unwrap_or_default(),
            None => Vec::new(),
        },
        None => p
            .lookup(source, subject)
            .map(|s| split_list(&s))
            .unwrap_or_default(),
    };
    list.into_iter()
        .filter_map(|s| clean(&s, subject.secret))
        .take(100)
        .collect()
}

fn split_list(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One line, at most [`MAX_FIELD`] characters, without the secret; `None` when empty.
pub(crate) fn clean(s: &str, secret: &str) -> Option<String> {
    let mut s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if secret.len() >= 4 && s.contains(secret) {
        s = s.replace(secret, &crate::redact(secret));
    }
    if s.chars().count() > MAX_FIELD {
        s = s.chars().take(MAX_FIELD).collect::<String>() + "…";
    }
    (!s.is_empty()).then_some(s)
}

/// `a.b.0.c` in a JSON value.
fn json_path<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |v, key| match v {
        Value::Object(m) => m.get(key),
        Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// A scalar as text; arrays of scalars joined with `, `; objects and null: `None`.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().filter_map(scalar_text).collect();
            (!items.is_empty()).then(|| items.join(", "))
        }
        _ => None,
    }
}

/// The text of the first `<tag>…</tag>` element (AWS's query APIs answer in XML), entities decoded.
fn xml_text(body: &[u8], tag: &str) -> Option<String> {
    let body = std::str::from_utf8(body).ok()?;
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let end = start + body[start..].find(&format!("</{tag}>"))?;
    let text = &body[start..end];
    if text.contains('<') {
        return None;
    }
    Some(
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || memchr::memmem::find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> VerifySpec {
        VerifySpec::from_value(toml::from_str(text).unwrap(), &[]).unwrap()
    }

    const SLACK: &str = r#"
provider = "Slack"
docs = "https://api.slack.com/methods/auth.test"
url = "https://slack.com/api/auth.test"
headers = { Authorization = "Bearer {secret}" }
identity = "{json:user} ({json:user_id})"
account = "{json:team}"
[[when]]
status = [200]
json = "ok"
equals = true
then = "live"
[[when]]
status = [200]
json = "ok"
equals = false
then = "dead"
reason = "{json:error}"
[[example]]
status = 200
expect = "live"
"#;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: vec![("x-oauth-scopes".into(), "repo, gist".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    const SUB: Subject<'static> = Subject {
        secret: "xoxb-123456789012-abcdefghijkl", // leakhound:allow (test token)
        values: &[],
    };

    #[test]
    fn readings_in_order() {
        let s = spec(SLACK);
        let r = read(
            &s,
            &answer(
                200,
                r#"{"ok":true,"user":"bot","user_id":"U1","team":"Acme"}"#,
            ),
            &SUB,
        );
        assert_eq!(r.status, LiveStatus::Live);
        assert_eq!(r.identity.as_deref(), Some("bot (U1)"));
        assert_eq!(r.account.as_deref(), Some("Acme"));
        let r = read(
            &s,
            &answer(200, r#"{"ok":false,"error":"invalid_auth"}"#),
            &SUB,
        );
        assert_eq!(
            (r.status, r.reason.as_deref()),
            (LiveStatus::Dead, Some("invalid_auth"))
        );
        let r = read(&s, &answer(200, "<html>captive portal</html>"), &SUB);
        assert_eq!(r.status, LiveStatus::Unknown);
        assert_eq!(r.reason.as_deref(), Some("unexpected answer: HTTP 200"));
        let r = read(&s, &answer(503, ""), &SUB);
        assert_eq!(r.reason.as_deref(), Some("provider error: HTTP 503"));
    }

    #[test]
    fn a_live_status_with_garbage_is_not_live_when_json_is_read() {
        let s = spec(
            "provider = \"G\"\ndocs = \"https://d.example.com\"\nurl = \"https://api.example.com/u\"\nheaders = { A = \"{secret}\" }\nlive = [200]\ndead = [401]\nidentity = \"{json:login}\"\nscopes = \"header:x-oauth-scopes\"\n[[example]]\nstatus = 200\nexpect = \"live\"\n",
        );
        let r = read(&s, &answer(200, "\u{0}\u{1}garbage"), &SUB);
        assert_eq!(r.status, LiveStatus::Unknown);
        assert!(r.reason.unwrap().starts_with("malformed answer"));
        let r = read(&s, &answer(200, r#"{"login":"octo"}"#), &SUB);
        assert_eq!(r.scopes, ["repo", "gist"]);
        let r = read(&s, &answer(401, "<html>"), &SUB);
        assert_eq!(
            (r.status, r.reason.as_deref()),
            (LiveStatus::Dead, Some("rejected: HTTP 401"))
        );
    }

    #[test]
    fn an_answer_that_quotes_the_secret_does_not_repeat_it() {
        let s = spec(SLACK);
        let body = format!(r#"{{"ok":false,"error":"bad token {}"}}"#, SUB.secret);
        let r = read(&s, &answer(200, &body), &SUB);
        let reason = r.reason.unwrap();
        assert!(!reason.contains(SUB.secret), "{reason}");
        assert!(reason.starts_with("bad token xoxb-1"), "{reason}");
    }

    #[test]
    fn xml_and_paths() {
        let body = b"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn><Account>123456789012</Account></GetCallerIdentityResult>";
        assert_eq!(
            xml_text(body, "Arn").as_deref(),
            Some("arn:aws:iam::123456789012:user/ci")
        );
        assert_eq!(xml_text(body, "Nope"), None);
        let v: Value = serde_json::from_str(r#"{"data":[{"id":7}]}"#).unwrap();
        assert_eq!(
            json_path(&v, "data.0.id").and_then(scalar_text).as_deref(),
            Some("7")
        );
    }
}
