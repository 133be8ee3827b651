//! A request ready to send: rendered from a template or built by a built-in validator.

/// One HTTP request. Built, never sent, by the template renderer and the built-in validators; the
/// client (`live::http`) checks its host against the rule's and sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    /// `GET`, `HEAD`, `POST` (`DELETE` for revocation).
    pub method: String,
    /// Absolute `https://` URL.
    pub url: String,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// Body, if any (its `Content-Type` is among the headers).
    pub body: Option<Vec<u8>>,
}

/// What a built-in validator (or a template) has to build a request from: the secret, and the values
/// named `capture.GROUP` (the rule regex's other groups) and `pair.NAME` (parts found near it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject<'a> {
    /// The secret, as found.
    pub secret: &'a str,
    /// `("capture.shop", "acme")`, `("pair.secret", "…")`.
    pub values: &'a [(String, String)],
}

impl Subject<'_> {
    /// The value of `capture.X` or `pair.X`.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}
