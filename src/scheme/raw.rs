//! The scheme as written: serde structs mirroring the TOML, with spans.
//!
//! Nothing here is checked beyond TOML syntax, field names (every struct
//! denies unknown fields) and primitive types. [`super::validate`] turns a
//! set of [`RawFile`]s into a checked [`super::Scheme`], collecting every
//! problem with its position.

use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use toml::Spanned;

/// A value with its byte span in the TOML text (a transparent wrapper of
/// `toml::Spanned`, so that the JSON schema of the format can describe it
/// as the bare value).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct S<T>(Spanned<T>);

impl<T> S<T> {
    pub fn get_ref(&self) -> &T {
        self.0.get_ref()
    }
    pub fn span(&self) -> std::ops::Range<usize> {
        self.0.span()
    }
}

impl<T: JsonSchema> JsonSchema for S<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        T::json_schema(g)
    }
}

impl<V: JsonSchema> JsonSchema for Ordered<V> {
    fn schema_name() -> Cow<'static, str> {
        format!("Table_of_{}", V::schema_name()).into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "object", "additionalProperties": g.subschema_for::<V>() })
    }
}

/// For the schema only: `points = 2` or
/// `points = { column = "severity", map = { 一般 = 2, 较重 = 5 } }`.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(untagged)]
enum Points {
    Fixed(f64),
    ByColumn {
        column: String,
        map: std::collections::BTreeMap<String, f64>,
    },
}

/// A TOML table kept in the order it was written (for declared columns).
#[derive(Debug, Clone)]
pub struct Ordered<V>(pub Vec<(S<String>, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Vis<V> {
            type Value = Ordered<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<S<String>, V>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(Vis(PhantomData))
    }
}

/// One TOML file of a scheme; any section may be in any file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub scheme: Option<S<RawHeader>>,
    pub units: Option<S<RawUnits>>,
    #[serde(default)]
    pub datasets: Option<Ordered<S<RawDataset>>>,
    #[serde(default)]
    pub node: Vec<S<RawNode>>,
    #[serde(default)]
    pub indicator: Vec<S<RawIndicator>>,
    #[serde(default)]
    pub bonus: Vec<S<RawRule>>,
    #[serde(default)]
    pub penalty: Vec<S<RawRule>>,
    #[serde(default)]
    pub veto: Vec<S<RawVeto>>,
    #[serde(default)]
    pub grade: Vec<S<RawGrade>>,
    #[serde(default)]
    pub alert: Vec<S<RawAlert>>,
    #[serde(default)]
    pub screen: Vec<S<RawScreen>>,
}

/// `[[alert]]` (预警): a count per unit tested against the unit's own
/// history and its peers' rate.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAlert {
    pub id: S<String>,
    pub name: Option<S<String>>,
    pub dataset: S<String>,
    #[serde(rename = "where")]
    pub where_: Option<S<String>>,
    pub per: Option<S<String>>,
    pub alpha: Option<S<f64>>,
}

/// `[[screen]]`: Benford first-digit screening of a numeric column.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScreen {
    pub id: S<String>,
    pub name: Option<S<String>>,
    pub dataset: S<String>,
    pub column: S<String>,
    #[serde(rename = "where")]
    pub where_: Option<S<String>>,
    pub min_n: Option<S<i64>>,
    pub alpha: Option<S<f64>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHeader {
    pub name: S<String>,
    /// Issuing office (发文单位), printed on the bulletin.
    pub office: Option<S<String>>,
    pub period: S<RawPeriod>,
    pub points: Option<S<f64>>,
    pub aggregation: Option<S<String>>,
    pub missing: Option<S<String>>,
    pub pending_objections: Option<S<String>>,
    pub repair_factor: Option<S<f64>>,
    pub bonus_cap: Option<S<f64>>,
    pub veto_rank: Option<S<String>>,
    pub calendar: Option<S<String>>,
    /// Data-driven weights of the root's children: "entropy" or "critic".
    pub weights: Option<S<String>>,
    /// Display names of peer groups for the bulletin and charts, e.g.
    /// `{ department = "市直部门", town = "乡镇（街道）" }`.
    pub groups: Option<S<std::collections::BTreeMap<String, String>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPeriod {
    /// A TOML date, e.g. 2025-01-01.
    #[schemars(with = "String")]
    pub start: S<toml::Value>,
    /// A TOML date, e.g. 2025-12-31.
    #[schemars(with = "String")]
    pub end: S<toml::Value>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUnits {
    pub file: S<String>,
    pub encoding: Option<S<String>>,
    pub sheet: Option<S<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDataset {
    pub title: Option<S<String>>,
    pub file: S<String>,
    pub encoding: Option<S<String>>,
    pub sheet: Option<S<String>>,
    pub key: Option<S<String>>,
    pub unit: S<String>,
    pub date: Option<S<String>>,
    pub columns: S<Ordered<S<String>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNode {
    pub id: S<String>,
    pub name: Option<S<String>>,
    pub parent: Option<S<String>>,
    pub weight: S<f64>,
    pub aggregation: Option<S<String>>,
    /// Data-driven weights of this node's children: "entropy" or "critic".
    pub weights: Option<S<String>>,
    pub description: Option<S<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub id: S<String>,
    pub name: Option<S<String>>,
    pub parent: Option<S<String>>,
    pub weight: S<f64>,
    pub dataset: S<String>,
    pub applies_to: Option<S<Vec<S<String>>>>,
    pub measure: S<RawMeasure>,
    pub min_n: Option<S<i64>>,
    /// "higher" (default) or "lower": which way is better; may be given
    /// here or inside `score`, not differently in both.
    pub direction: Option<S<String>>,
    pub score: S<RawScore>,
    pub missing: Option<S<String>>,
    pub shrink: Option<S<f64>>,
    pub description: Option<S<String>>,
}

/// `measure = { kind = ..., ... }`: one flat table; which fields a kind
/// takes is checked in validation, so the message can say so.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMeasure {
    pub kind: S<String>,
    #[serde(rename = "where")]
    pub where_: Option<S<String>>,
    pub of: Option<S<String>>,
    pub expr: Option<S<String>>,
    pub num: Option<S<String>>,
    pub den: Option<S<String>>,
    pub per: Option<S<String>>,
    pub scale: Option<S<f64>>,
    #[schemars(with = "Option<Points>")]
    pub points: Option<S<toml::Value>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScore {
    pub kind: S<String>,
    pub direction: Option<S<String>>,
    pub range: Option<S<Vec<f64>>>,
    pub target: Option<S<f64>>,
    pub floor: Option<S<f64>>,
    pub per: Option<S<f64>>,
    pub deduct: Option<S<f64>>,
    pub bands: Option<S<Vec<Vec<f64>>>>,
    pub cap: Option<S<f64>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: S<String>,
    pub name: Option<S<String>>,
    pub dataset: S<String>,
    #[serde(rename = "where")]
    pub where_: Option<S<String>>,
    #[schemars(with = "Points")]
    pub points: S<toml::Value>,
    pub cap: Option<S<f64>>,
    pub applies_to: Option<S<Vec<S<String>>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawVeto {
    pub id: S<String>,
    pub name: Option<S<String>>,
    pub dataset: S<String>,
    #[serde(rename = "where")]
    pub where_: Option<S<String>>,
    pub grade: Option<S<String>>,
    pub applies_to: Option<S<Vec<S<String>>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawGrade {
    pub name: S<String>,
    pub min: S<f64>,
    pub quota: Option<S<f64>>,
    /// Colour for charts, `#rrggbb`.
    pub color: Option<S<String>>,
}
