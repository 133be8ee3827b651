//! serde over an already parsed TOML value, with errors that name the field at fault and say what was
//! expected in the words of leakhound's messages (`expected a string, found integer`).
//!
//! toml's own deserializer words type errors as serde does (``invalid type: integer `3`, expected a
//! string``) and does not say which field failed. Rule files, configs and inventories are parsed into a
//! [`toml::Table`] first anyway (to tell leakhound's format from gitleaks', to name each rule or entry
//! in errors), so the table is handed to serde through [`Value`], whose error type is [`FieldError`]:
//! one mechanism words every format's errors.
//!
//! Part of `rules::spec` (declared there), so `build.rs` compiles it too: it depends only on serde and
//! toml.

use std::fmt;

use serde::de::value::MapDeserializer;
use serde::de::{
    self, DeserializeSeed, Deserializer, Expected, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, Visitor,
};

/// The key under which toml passes a datetime through serde (`toml_datetime`'s private field name; a
/// test checks that a datetime still reads back as one).
const DATETIME_FIELD: &str = "$__toml_private_datetime";

/// One step on the way from the top of the document to the value at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A key of a table.
    Key(String),
    /// An element of an array, from 0.
    Index(usize),
}

/// Why a value did not deserialize, and where it sits.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The innermost key that holds the bad value (or the unknown key itself, or the missing field).
    pub field: Option<String>,
    /// The keys and indexes from the top down to the value at fault, the unknown key included (a
    /// missing field is not: the path ends at the table that lacks it).
    pub path: Vec<Segment>,
    /// What is wrong.
    pub message: String,
}

impl FieldError {
    /// `self`, met on its way out of `at`: the path gains `at`, and the field is `at` unless an inner
    /// key already was.
    fn within(mut self, at: Segment) -> FieldError {
        if let (None, Segment::Key(key)) = (&self.field, &at) {
            self.field = Some(key.clone());
        }
        self.path.insert(0, at);
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
            path: Vec::new(),
            message: msg.to_string(),
        }
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> FieldError {
        de::Error::custom(format_args!("expected {exp}, found {}", type_name(&unexp)))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> FieldError {
        FieldError {
            field: Some(field.to_owned()),
            path: Vec::new(),
            message: format!("unknown field (known: {})", expected.join(", ")),
        }
    }

    fn missing_field(field: &'static str) -> FieldError {
        FieldError {
            field: Some(field.to_owned()),
            path: Vec::new(),
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

/// A TOML value to deserialize from. An error inside a table or an array says where it sits (see
/// [`FieldError::path`]), whichever code raised it: the tables and arrays attribute what comes out of
/// each of their values, so a `deserialize_with` function's own message is placed too.
#[derive(Debug, Clone)]
pub struct Value {
    value: toml::Value,
}

impl Value {
    /// The whole of `value`.
    pub fn new(value: toml::Value) -> Value {
        Value { value }
    }
}

/// A table's entries, each value's errors attributed to its key.
struct Table {
    entries: toml::map::IntoIter<String, toml::Value>,
    /// The entry whose key was just read, and its value.
    next: Option<(String, toml::Value)>,
}

impl<'de> MapAccess<'de> for Table {
    type Error = FieldError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FieldError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        // A key that is refused (an unknown field) is where the error is.
        let read = seed
            .deserialize(key.clone().into_deserializer())
            .map_err(|e: FieldError| e.within(Segment::Key(key.clone())))?;
        self.next = Some((key, value));
        Ok(Some(read))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, FieldError> {
        let (key, value) = self
            .next
            .take()
            .ok_or_else(|| de::Error::custom("a value asked for before its key"))?;
        seed.deserialize(Value::new(value))
            .map_err(|e| e.within(Segment::Key(key)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// An array's elements, each one's errors attributed to its index.
struct Array {
    elements: std::iter::Enumerate<std::vec::IntoIter<toml::Value>>,
}

impl<'de> SeqAccess<'de> for Array {
    type Error = FieldError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, FieldError> {
        match self.elements.next() {
            None => Ok(None),
            Some((i, value)) => seed
                .deserialize(Value::new(value))
                .map(Some)
                .map_err(|e| e.within(Segment::Index(i))),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.elements.len())
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
        match self.value {
            toml::Value::String(s) => v.visit_string(s),
            toml::Value::Integer(i) => v.visit_i64(i),
            toml::Value::Float(f) => v.visit_f64(f),
            toml::Value::Boolean(b) => v.visit_bool(b),
            // serde has no date type: a datetime goes over as toml's own deserializer hands it over
            // (a one-entry map under a private key), which a `toml::Value` reads back as a datetime
            // and an ignored value skips; every typed read refuses it first (see `typed`).
            toml::Value::Datetime(d) => v.visit_map(MapDeserializer::new(std::iter::once((
                DATETIME_FIELD,
                d.to_string(),
            )))),
            toml::Value::Array(a) => v.visit_seq(Array {
                elements: a.into_iter().enumerate(),
            }),
            toml::Value::Table(t) => v.visit_map(Table {
                entries: t.into_iter(),
                next: None,
            }),
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
            return Err(de::Error::invalid_type(Unexpected::Other("datetime"), &v));
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
