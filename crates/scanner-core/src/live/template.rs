//! Rendering request templates: `{secret}`, `{capture.GROUP}` and `{pair.NAME}` substituted with the
//! encoding of where they go (percent-encoded in a URL, JSON-escaped in a JSON body, form-encoded in a
//! form, refused in a header when they hold a line break).

use std::collections::BTreeMap;

use base64::Engine as _;

use super::request::{Request, Subject};
use crate::rules::spec::verify::{placeholders, RevokeSpec, VerifySpec};

/// The request fields shared by `[rule.verify]` and `[rule.verify.revoke]`.
pub(crate) struct Template<'a> {
    pub url: &'a str,
    pub method: &'a str,
    pub headers: &'a BTreeMap<String, String>,
    pub basic: Option<&'a [String]>,
    pub form: Option<&'a BTreeMap<String, String>>,
    pub json: Option<&'a str>,
}

impl<'a> Template<'a> {
    /// The check request of a template validator (`None` for a built-in one).
    pub fn verify(spec: &'a VerifySpec) -> Option<Template<'a>> {
        Some(Template {
            url: spec.url.as_deref()?,
            method: spec.method(),
            headers: &spec.headers,
            basic: spec.basic.as_deref(),
            form: spec.form.as_ref(),
            json: spec.json.as_deref(),
        })
    }

    /// The revocation request.
    pub fn revoke(spec: &'a RevokeSpec) -> Template<'a> {
        Template {
            url: &spec.url,
            method: spec.method.as_deref().unwrap_or("POST"),
            headers: &spec.headers,
            basic: spec.basic.as_deref(),
            form: spec.form.as_ref(),
            json: spec.json.as_deref(),
        }
    }

    /// Renders the request for `subject`.
    ///
    /// # Errors
    /// A part the template names was not found near the secret, or a value cannot go where the template
    /// puts it (a line break in a header). The message never holds a value.
    pub fn render(&self, subject: &Subject<'_>, optional: &[String]) -> Result<Request, String> {
        let value = |name: &str| -> Result<String, String> {
            if name == "secret" {
                return Ok(subject.secret.to_owned());
            }
            match subject.value(name) {
                Some(v) => Ok(v.to_owned()),
                None if optional.iter().any(|o| o == name) => Ok(String::new()),
                None => Err(match name.strip_prefix("pair.") {
                    Some(p) => format!("its other part `{p}` was not found near it"),
                    None => format!("the match has no `{}` group", &name[8..]),
                }),
            }
        };
        let url = fill_url(self.url, &value)?;
        let mut headers = Vec::with_capacity(self.headers.len() + 2);
        for (k, t) in self.headers {
            let v = fill(t, &value, |v| v.to_owned())?;
            if v.contains(['\r', '\n']) {
                return Err(format!("the value for header `{k}` holds a line break"));
            }
            headers.push((k.clone(), v));
        }
        if let Some([user, pass]) = self.basic {
            let user = fill(user, &value, |v| v.to_owned())?;
            let pass = fill(pass, &value, |v| v.to_owned())?;
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
            headers.push(("Authorization".into(), format!("Basic {token}")));
        }
        let body = if let Some(form) = self.form {
            let mut body = String::new();
            for (k, t) in form {
                if !body.is_empty() {
                    body.push('&');
                }
                body.push_str(&percent_encode(k));
                body.push('=');
                body.push_str(&percent_encode(&fill(t, &value, |v| v.to_owned())?));
            }
            headers.push((
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
            Some(body.into_bytes())
        } else if let Some(json) = self.json {
            let body = fill(json, &value, |v| {
                let quoted = serde_json::to_string(v).unwrap_or_default();
                quoted[1..quoted.len() - 1].to_owned()
            })?;
            headers.push(("Content-Type".into(), "application/json".into()));
            Some(body.into_bytes())
        } else {
            None
        };
        Ok(Request {
            method: self.method.to_owned(),
            url,
            headers,
            body,
        })
    }
}

/// `template` with its request placeholders replaced by `encode(value)`.
fn fill(
    template: &str,
    value: &dyn Fn(&str) -> Result<String, String>,
    encode: impl Fn(&str) -> String,
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 64);
    let mut last = 0;
    for (s, e, name) in placeholders(template) {
        if !(name == "secret" || name.starts_with("capture.") || name.starts_with("pair.")) {
            continue;
        }
        out.push_str(&template[last..s]);
        out.push_str(&encode(&value(name)?));
        last = e;
    }
    out.push_str(&template[last..]);
    Ok(out)
}

/// A URL template filled in by where each placeholder is: in the host only host-name characters are
/// accepted (a value cannot move the request to another host or port); in the path `:` and `@` stay as
/// they are (RFC 3986 allows them there: `/bot123:AB…/getMe`) and the rest is percent-encoded; in the
/// query everything but the unreserved characters is.
fn fill_url(
    template: &str,
    value: &dyn Fn(&str) -> Result<String, String>,
) -> Result<String, String> {
    let authority = template.find("://").map_or(0, |i| i + 3);
    let path = template[authority..]
        .find('/')
        .map_or(template.len(), |i| authority + i);
    let query = template.find('?').unwrap_or(template.len());
    let mut out = String::with_capacity(template.len() + 64);
    let mut last = 0;
    for (s, e, name) in placeholders(template) {
        if !(name == "secret" || name.starts_with("capture.") || name.starts_with("pair.")) {
            continue;
        }
        out.push_str(&template[last..s]);
        let v = value(name)?;
        if s < path {
            if v.is_empty()
                || !v
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'))
            {
                return Err(format!(
                    "the value for `{{{name}}}` is not a host name and cannot go in the URL's host"
                ));
            }
            out.push_str(&v);
        } else if s < query {
            out.push_str(&path_encode(&v));
        } else {
            out.push_str(&percent_encode(&v));
        }
        last = e;
    }
    out.push_str(&template[last..]);
    Ok(out)
}

/// Percent-encodes a path segment's value: everything but the unreserved characters, `:` and `@`.
pub(crate) fn path_encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for part in v.split_inclusive([':', '@']) {
        let (text, sep) = match part.strip_suffix([':', '@']) {
            Some(t) => (t, &part[t.len()..]),
            None => (part, ""),
        };
        out.push_str(&percent_encode(text));
        out.push_str(sep);
    }
    out
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn percent_encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(extra: &str) -> VerifySpec {
        let text = format!(
            "provider = \"X\"\ndocs = \"https://x.example.com/docs\"\nlive = [200]\n{extra}\n[[example]]\nstatus = 200\nexpect = \"live\"\n"
        );
        VerifySpec::from_value(toml::from_str(&text).unwrap(), &["dc".into()]).unwrap()
    }

    #[test]
    fn each_place_gets_its_encoding() {
        let s = spec(
            "url = \"https://{capture.dc}.api.example.com/v1/{pair.sid}?key={secret}\"\nhosts = [\"*.api.example.com\"]\nmethod = \"POST\"\nheaders = { X-Key = \"{secret}\" }\njson = '{\"k\":\"{secret}\",\"n\":{\"a\":1}}'\n[[pair]]\nname = \"sid\"\nregex = \"AC[0-9]+\"",
        );
        let values = vec![
            ("capture.dc".to_owned(), "us6".to_owned()),
            ("pair.sid".to_owned(), "AC1/2".to_owned()),
        ];
        let sub = Subject {
            secret: "a\"b&c d",
            values: &values,
        };
        let r = Template::verify(&s).unwrap().render(&sub, &[]).unwrap();
        assert_eq!(
            r.url,
            "https://us6.api.example.com/v1/AC1%2F2?key=a%22b%26c%20d"
        );
        assert_eq!(r.headers[0], ("X-Key".into(), "a\"b&c d".into()));
        assert_eq!(
            String::from_utf8(r.body.unwrap()).unwrap(),
            r#"{"k":"a\"b&c d","n":{"a":1}}"#
        );
        let bad = Subject {
            secret: "a\r\nInjected: 1",
            values: &values,
        };
        let e = Template::verify(&s).unwrap().render(&bad, &[]).unwrap_err();
        assert!(e.contains("line break") && !e.contains("Injected"), "{e}");
        let lone = Subject {
            secret: "k",
            values: &values[..1],
        };
        let e = Template::verify(&s)
            .unwrap()
            .render(&lone, &[])
            .unwrap_err();
        assert_eq!(e, "its other part `sid` was not found near it");
    }

    #[test]
    fn a_path_keeps_colons() {
        let s = spec("url = \"https://api.telegram.org/bot{secret}/getMe\"");
        let sub = Subject {
            secret: "123456:AA/b c",
            values: &[],
        };
        let r = Template::verify(&s).unwrap().render(&sub, &[]).unwrap();
        assert_eq!(r.url, "https://api.telegram.org/bot123456:AA%2Fb%20c/getMe");
    }

    #[test]
    fn forms_and_basic_auth() {
        let s = spec(
            "url = \"https://api.example.com/t\"\nmethod = \"POST\"\nbasic = [\"{secret}\", \"\"]\nform = { token = \"{secret}\", b = \"x y\" }",
        );
        let sub = Subject {
            secret: "t=1&x",
            values: &[],
        };
        let r = Template::verify(&s).unwrap().render(&sub, &[]).unwrap();
        assert_eq!(
            String::from_utf8(r.body.unwrap()).unwrap(),
            "b=x%20y&token=t%3D1%26x"
        );
        assert!(r
            .headers
            .iter()
            .any(|(k, v)| k == "Authorization" && v == "Basic dD0xJng6")); // leakhound:allow (test value)
    }
}
