//! Reading signed JSON strictly: an object with the same key twice is refused, at any depth.
//!
//! serde_json keeps the last of duplicate keys, other parsers keep the first, so a payload with
//! `"verdict":"rejected","verdict":"trusted"` means different things to different verifiers.
//! No crate offers a duplicate-refusing `Value` parser, so this is a small visitor over
//! serde_json's own tokenizer (numbers, strings and escapes stay serde_json's).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Parses `bytes` as one JSON value, refusing duplicate object keys.
pub fn from_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// Checks that `bytes` are one JSON value with no object key repeated, building nothing: the
/// caller then reads the parts it needs into their types. `Ok(true)` when the value is an
/// object.
pub fn check(bytes: &[u8]) -> Result<bool, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let kind = Scan.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(kind == Kind::Object)
}

/// What a scanned value was: only whether it is an object matters to the caller.
#[derive(PartialEq)]
enum Kind {
    Object,
    Other,
}

/// Walks a value, refusing a repeated key in any object.
struct Scan;

/// An object's keys, as read (borrowed from the input unless escapes had to be decoded).
type Key<'de> = std::borrow::Cow<'de, str>;

/// Objects with more keys than this are checked through a hash set instead of a list.
const LIST_KEYS: usize = 16;

impl<'de> DeserializeSeed<'de> for Scan {
    type Value = Kind;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Kind, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Scan {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Kind, E> {
        Ok(Kind::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Kind, E> {
        Ok(Kind::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Kind, E> {
        Ok(Kind::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Kind, E> {
        Ok(Kind::Other)
    }

    fn visit_str<E>(self, _: &str) -> Result<Kind, E> {
        Ok(Kind::Other)
    }

    fn visit_unit<E>(self) -> Result<Kind, E> {
        Ok(Kind::Other)
    }

    fn visit_none<E>(self) -> Result<Kind, E> {
        Ok(Kind::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        while seq.next_element_seed(Scan)?.is_some() {}
        Ok(Kind::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut list: Vec<Key<'de>> = Vec::new();
        let mut set: std::collections::HashSet<Key<'de>> = std::collections::HashSet::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let repeated = if set.is_empty() && list.len() < LIST_KEYS {
                list.contains(&key)
            } else {
                set.extend(list.drain(..));
                set.contains(&key)
            };
            if repeated {
                return Err(de::Error::custom(format!(
                    "the key {key:?} appears twice in one object; signed JSON must not repeat keys"
                )));
            }
            map.next_value_seed(Scan)?;
            if set.is_empty() {
                list.push(key);
            } else {
                set.insert(key);
            }
        }
        Ok(Kind::Object)
    }
}

/// Reads an object key without copying it when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(v.to_string()))
    }
}

struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(StrictValue)?;
            match object.entry(key) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                serde_json::map::Entry::Occupied(slot) => {
                    return Err(de::Error::custom(format!(
                        "the key {:?} appears twice in one object; signed JSON must not repeat keys",
                        slot.key()
                    )));
                }
            }
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_values_as_serde_json_when_keys_are_unique() {
        let text = br#"{"a":[1,-2,3.5,"x\u00e9",null,true,{"b":{}}],"c":18446744073709551615}"#;
        assert_eq!(
            from_slice(text).unwrap(),
            serde_json::from_slice::<Value>(text).unwrap()
        );
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        for text in [
            r#"{"verdict":"rejected","verdict":"trusted"}"#,
            r#"{"a":{"b":1,"b":1}}"#,
            r#"[{"x":1},{"y":2,"y":3}]"#,
            r#"{"k":1,"\u006b":2}"#,
        ] {
            let err = from_slice(text.as_bytes()).unwrap_err();
            assert!(err.to_string().contains("appears twice"), "{text}: {err}");
        }
        // The same key in sibling objects is fine.
        from_slice(br#"[{"x":1},{"x":2}]"#).unwrap();
        assert!(from_slice(b"{} {}").is_err());
    }

    #[test]
    fn check_agrees_with_from_slice() {
        let many: String = (0..100).map(|i| format!("\"k{i}\":{i},")).collect();
        let wide = format!("{{{many}\"last\":0}}");
        let wide_repeated = format!("{{{many}\"k7\":0}}");
        let deep_repeated = format!("{}{{\"a\":1,\"a\":2}}{}", "[".repeat(20), "]".repeat(20));
        for text in [
            r#"{"a":[1,-2,3.5,"x\u00e9",null,true,{"b":{}}],"c":18446744073709551615}"#,
            r#"{"verdict":"rejected","verdict":"trusted"}"#,
            r#"{"a":{"b":1,"b":1}}"#,
            r#"[{"x":1},{"y":2,"y":3}]"#,
            r#"{"k":1,"\u006b":2}"#,
            r#"{"\u006b":1,"k":2}"#,
            r#"[{"x":1},{"x":2}]"#,
            r#"{"a":1} {}"#,
            r#"{"a":"#,
            "[1,2",
            "\"text\"",
            "{}",
            &wide,
            &wide_repeated,
            &deep_repeated,
        ] {
            let strict = from_slice(text.as_bytes());
            let checked = check(text.as_bytes());
            assert_eq!(
                strict.is_ok(),
                checked.is_ok(),
                "{text}: {strict:?} / {checked:?}"
            );
            if let (Ok(value), Ok(object)) = (&strict, &checked) {
                assert_eq!(value.is_object(), *object, "{text}");
            }
            if let (Err(a), Err(b)) = (&strict, &checked) {
                // The same error; `check` reports a repeated key where the key is.
                let what = |e: &serde_json::Error| {
                    e.to_string().split(" at line").next().map(str::to_string)
                };
                assert_eq!(what(a), what(b), "{text}");
            }
        }
    }
}
