//! `PATCH` fields with three states: absent (leave unchanged), `null` (clear) and a value (set).
//! Declare the field `#[serde(default)] pub name: Patch<String>`; in the spec it is an optional,
//! nullable `T`.

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// The field was not sent: keep the current value.
    #[default]
    Absent,
    /// The field was sent as `null`: clear it.
    Null,
    /// The field was sent with a value: set it.
    Value(T),
}

impl<T> Patch<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// The new value of an optional field whose current value is `current`.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Self::Absent => current,
            Self::Null => None,
            Self::Value(v) => Some(v),
        }
    }

    /// Transforms the value (e.g. parses it), keeping absent and null as they are.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Patch<U>, E> {
        Ok(match self {
            Self::Absent => Patch::Absent,
            Self::Null => Patch::Null,
            Self::Value(v) => Patch::Value(f(v)?),
        })
    }

    pub fn as_value(&self) -> Option<&T> {
        match self {
            Self::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            None => Self::Null,
            Some(v) => Self::Value(v),
        })
    }
}

/// For a `PATCH` field that may be omitted but not cleared: `#[serde(default, deserialize_with =
/// "crate::platform::patch::not_null")]` on an `Option<T>` keeps absent as `None` and refuses
/// `null` (422 `invalid_type` naming the field). Declare it in the spec as
/// `#[schema(value_type = T, required = false)]`.
pub fn not_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(d)?.map(Some).ok_or_else(|| serde::de::Error::custom("must not be null"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct In {
        #[serde(default)]
        name: Patch<String>,
    }

    #[test]
    fn absent_null_and_value() {
        let absent: In = serde_json::from_str("{}").unwrap();
        assert_eq!(absent.name, Patch::Absent);
        let null: In = serde_json::from_str(r#"{"name":null}"#).unwrap();
        assert_eq!(null.name, Patch::Null);
        let set: In = serde_json::from_str(r#"{"name":"x"}"#).unwrap();
        assert_eq!(set.name.clone().apply(Some("old".into())), Some("x".into()));
        assert_eq!(Patch::<String>::Absent.apply(Some("old".into())), Some("old".into()));
        assert_eq!(Patch::<String>::Null.apply(Some("old".into())), None);
    }
}
