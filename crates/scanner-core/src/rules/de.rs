//! serde over an already parsed TOML value, with errors that name the field at fault and say what was
//! expected in the words of leakhound's messages (`expected a string, found integer`).
//!
//! toml's own deserializer words type errors as serde does (``invalid type: integer `3`, expected a
//! string``) and does not say which field failed. Rule files are parsed into a [`toml::Table`] first
//! anyway (to tell leakhound's format from gitleaks', and to name each rule in errors by its id), so each
//! rule table is handed to serde through [`Value`], whose error type is [`FieldError`].
//!
//! Part of `rules::spec` (declared there), so `build.rs` compiles it too: it depends only on serde and
//! toml.

use std::fmt;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserializer, Expected, IntoDeserializer, Unexpected, Visitor};

/// The key under which toml passes a datetime through serde (`toml_datetime`'s private field name; a
/// test checks that a datetime still reads back as one).
const DATETIME_FIELD: &str = "$__toml_private_datetime";

/// Why a value did not deserialize, and the top-level field it sits in.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The key of the table being deserialized that holds the bad value (or the unknown key itself).
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl FieldError {
    /// `self`, attributed to `field` unless an inner key already was.
    fn within(mut self, field: &str) -> FieldError {
        if self.field.is_none() {
            self.field = Some(field.to_owned());
        }
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FieldError {}

impl de::Error for FieldError {
    fn custom<T: fmt::Display>(msg: T) -> FieldError {
        FieldError {
            field: None,
            message: msg.to_string(),
        }
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> FieldError {
        de::Error::custom(format_args!("expected {exp}, found {}", type_name(&unexp)))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> FieldError {
        FieldError {
            field: Some(field.to_owned()),
            message: format!("unknown field (known: {})", expected.join(", ")),
        }
    }

    fn missing_field(field: &'static str) -> FieldError {
        FieldError {
            field: Some(field.to_owned()),
            message: "missing required field".to_owned(),
        }
    }
}

/// The TOML name of a value's type, as [`toml::Value::type_str`] gives it.
pub fn type_name(u: &Unexpected<'_>) -> String {
    match u {
        Unexpected::Bool(_) => "boolean".to_owned(),
        Unexpected::Signed(_) | Unexpected::Unsigned(_) => "integer".to_owned(),
        Unexpected::Float(_) => "float".to_owned(),
        Unexpected::Str(_) | Unexpected::Char(_) => "string".to_owned(),
        Unexpected::Seq => "array".to_owned(),
        Unexpected::Map => "table".to_owned(),
        Unexpected::Other(other) => (*other).to_owned(),
        other => other.to_string(),
    }
}

/// A TOML value to deserialize from. Inside a table, each value names its key in errors (see
/// [`FieldError::field`]).
#[derive(Debug, Clone)]
pub struct Value {
    value: toml::Value,
    /// The key this value sits under, for errors; `None` at the top.
    key: Option<String>,
}

impl Value {
    /// The whole of `value`.
    pub fn new(value: toml::Value) -> Value {
        Value { value, key: None }
    }
}

impl<'de> IntoDeserializer<'de, FieldError> for Value {
    type Deserializer = Value;

    fn into_deserializer(self) -> Value {
        self
    }
}

/// `deserialize_<type>` methods that go through [`Value::typed`].
macro_rules! typed {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, FieldError> {
                self.typed(v)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for Value {
    type Error = FieldError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, FieldError> {
        let result = match self.value {
            toml::Value::String(s) => v.visit_string(s),
            toml::Value::Integer(i) => v.visit_i64(i),
            toml::Value::Float(f) => v.visit_f64(f),
            toml::Value::Boolean(b) => v.visit_bool(b),
            // serde has no date type: a datetime is a type error wherever it sits.
            // serde has no date type: a datetime goes over as toml's own deserializer hands it over
            // (a one-entry map under a private key), which a `toml::Value` reads back as a datetime
            // and an ignored value skips; every typed read refuses it first (see `typed`).
            toml::Value::Datetime(d) => v.visit_map(MapDeserializer::new(std::iter::once((
                DATETIME_FIELD,
                d.to_string(),
            )))),
            toml::Value::Array(a) => {
                v.visit_seq(SeqDeserializer::new(a.into_iter().map(Value::new)))
            }
            toml::Value::Table(t) => {
                v.visit_map(MapDeserializer::new(t.into_iter().map(|(k, value)| {
                    let key = Some(k.clone());
                    (k, Value { value, key })
                })))
            }
        };
        match &self.key {
            Some(key) => result.map_err(|e| e.within(key)),
            None => result,
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, FieldError> {
        // A key that is present has a value: TOML has no null.
        v.visit_some(self)
    }

    typed! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_bytes deserialize_byte_buf deserialize_unit deserialize_seq
        deserialize_map
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &str,
        v: V,
    ) -> Result<V::Value, FieldError> {
        self.typed(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &str,
        v: V,
    ) -> Result<V::Value, FieldError> {
        self.typed(v)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, v: V) -> Result<V::Value, FieldError> {
        self.typed(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &str,
        _: usize,
        v: V,
    ) -> Result<V::Value, FieldError> {
        self.typed(v)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &str,
        _: &[&str],
        v: V,
    ) -> Result<V::Value, FieldError> {
        self.typed(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &str,
        _: &[&str],
        v: V,
    ) -> Result<V::Value, FieldError> {
        self.typed(v)
    }

    serde::forward_to_deserialize_any! { identifier ignored_any }
}

impl Value {
    /// A read of one type: a datetime is refused as `found datetime` (a string field does not take a
    /// date), anything else goes to the visitor, which says what it expected.
    fn typed<'de, V: Visitor<'de>>(self, v: V) -> Result<V::Value, FieldError> {
        if self.value.is_datetime() {
            let e: FieldError = de::Error::invalid_type(Unexpected::Other("datetime"), &v);
            return Err(match &self.key {
                Some(key) => e.within(key),
                None => e,
            });
        }
        self.deserialize_any(v)
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn a_datetime_reads_back_as_one_and_is_no_string() {
        let doc: toml::Table = "when = 1979-05-27\n".parse().expect("valid TOML");
        let when = doc["when"].clone();
        let read = toml::Value::deserialize(Value::new(when.clone())).expect("a value");
        assert_eq!(read, when);
        assert!(serde::de::IgnoredAny::deserialize(Value::new(when.clone())).is_ok());
        let e = String::deserialize(Value::new(when)).expect_err("not a string");
        assert_eq!(e.message, "expected a string, found datetime");
    }
}
