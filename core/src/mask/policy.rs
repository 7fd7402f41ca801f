//! Policies: which operator each entity gets.
//!
//! Policies are data, like detectors: the presets in `policies/*.toml` are
//! embedded at build time and a user file has the same schema. The raw TOML
//! types mirror the file one-to-one (`deny_unknown_fields`), and
//! [`Policy::from_toml`] checks them into [`Operator`]s, naming the file,
//! entity and field of the first problem.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::crypto::{DEFAULT_HASH_LEN, MAX_HASH_LEN};
use crate::entity::Entity;
use crate::error::Error;

/// The embedded presets, by name.
const PRESETS: &[(&str, &str)] = &[
    ("mask", include_str!("../../../policies/mask.toml")),
    ("redact", include_str!("../../../policies/redact.toml")),
    ("label", include_str!("../../../policies/label.toml")),
    ("hash", include_str!("../../../policies/hash.toml")),
    ("tokenize", include_str!("../../../policies/tokenize.toml")),
    ("safe-harbor", include_str!("../../../policies/safe-harbor.toml")),
    ("surrogate", include_str!("../../../policies/surrogate.toml")),
];

/// What to do with one detected value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operator {
    /// Remove the value.
    Redact,
    /// Replace it with `[ENTITY]`, or `[ENTITY_n]` numbered per distinct value
    /// within one masking run.
    Label {
        /// Number distinct values.
        numbered: bool,
    },
    /// Replace letters and digits with `mask_char`, keeping separators and
    /// the first `keep_first` / last `keep_last` letters and digits.
    /// `keep_last: None` keeps four for long numeric identifiers and none
    /// otherwise (the rule of [`crate::preview`]).
    Mask {
        /// The character written over each letter and digit.
        mask_char: char,
        /// Letters and digits kept at the start.
        keep_first: usize,
        /// Letters and digits kept at the end (`None`: by entity).
        keep_last: Option<usize>,
    },
    /// Replace it with `ENTITY_` and the first `length` hex characters of a
    /// keyed HMAC-SHA-256 (needs a key; one-way).
    Hash {
        /// Hex characters kept (1 to 64).
        length: usize,
    },
    /// Replace it with an FF1 format-preserving token (needs a key;
    /// reversible). Values FF1 cannot take fall back to `Mask` defaults.
    Tokenize,
    /// The Safe Harbor transforms, for DATE, AGE_OVER_89 and ZIP only: a
    /// date keeps its year (a year that reveals an age over 89 becomes
    /// `<=YYYY`, the cut-off year); an age over 89 becomes `90+`; a ZIP code
    /// keeps its first three digits, or `000` for the restricted prefixes.
    /// A date with no year is removed.
    Generalize {
        /// The year ages are counted from (default: the current year).
        reference_year: Option<i32>,
    },
    /// Replace it with a realistic stand-in, deterministic under the key:
    /// names from the Census lists, SSNs from never-issued areas, cards and
    /// NPIs that pass their checksums, VINs with a correct check digit,
    /// fictional 555-01xx phone numbers, `example.*` e-mail and URLs,
    /// documentation IP ranges; dates move like `date-shift` (365 days);
    /// other values keep their shape. Needs a key; one-way.
    Surrogate,
    /// DATE only: move the date by a keyed offset of 1 to `max_days` days,
    /// earlier or later, the same for every date of one subject (so a
    /// patient's intervals survive), keeping the date's format. Needs a key.
    DateShift {
        /// The largest shift in days (1 to 3650).
        max_days: u32,
    },
}

impl Operator {
    /// The operator's name as written in policy files.
    pub fn name(&self) -> &'static str {
        match self {
            Operator::Redact => "redact",
            Operator::Label { .. } => "label",
            Operator::Mask { .. } => "mask",
            Operator::Hash { .. } => "hash",
            Operator::Tokenize => "tokenize",
            Operator::Generalize { .. } => "generalize",
            Operator::DateShift { .. } => "date-shift",
            Operator::Surrogate => "surrogate",
        }
    }

    /// Whether the operator needs a key.
    pub fn needs_key(&self) -> bool {
        matches!(self, Operator::Hash { .. } | Operator::Tokenize | Operator::DateShift { .. } | Operator::Surrogate)
    }

    /// `mask` with the default options.
    pub fn default_mask() -> Operator {
        Operator::Mask { mask_char: '*', keep_first: 0, keep_last: None }
    }
}

/// An operator per entity, with a default for the rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    default: Operator,
    entities: BTreeMap<Entity, Operator>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    default: RawOperator,
    #[serde(default)]
    entity: BTreeMap<String, RawOperator>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOperator {
    operator: String,
    mask_char: Option<char>,
    keep_first: Option<usize>,
    keep_last: Option<usize>,
    numbered: Option<bool>,
    length: Option<usize>,
    reference_year: Option<i32>,
    max_days: Option<u32>,
}

impl Policy {
    /// The names of the embedded presets.
    pub fn preset_names() -> Vec<&'static str> {
        PRESETS.iter().map(|(n, _)| *n).collect()
    }

    /// An embedded preset by name (`mask`, `redact`, `label`, `hash`,
    /// `tokenize`).
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) for an unknown name.
    pub fn preset(name: &str) -> Result<Policy, Error> {
        let (_, source) = PRESETS.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            Error::config(format!("unknown policy '{name}' (presets: {})", Policy::preset_names().join(", ")))
        })?;
        Policy::from_toml(source, Path::new(&format!("policies/{name}.toml")))
    }

    /// Parses and checks a policy file; `origin` names it in errors.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) naming the file, the
    /// entity and the field.
    pub fn from_toml(source: &str, origin: &Path) -> Result<Policy, Error> {
        let raw: RawPolicy = toml::from_str(source)
            .map_err(|e| Error::config(crate::error::without_values(e.message())).with_path(origin))?;
        let default = check(raw.default, "default").map_err(|e| e.with_path(origin))?;
        if matches!(default, Operator::Generalize { .. } | Operator::DateShift { .. }) {
            return Err(Error::config("generalize and date-shift apply to some entities only, not as the default")
                .with_path(origin)
                .with_field("default.operator"));
        }
        let mut entities = BTreeMap::new();
        for (name, op) in raw.entity {
            let entity: Entity = name.parse().map_err(|e: crate::entity::UnknownEntity| {
                Error::config(e.to_string()).with_path(origin).with_field(format!("entity.{name}"))
            })?;
            let op = check(op, &format!("entity.{name}")).map_err(|e| e.with_path(origin))?;
            if matches!(op, Operator::Generalize { .. })
                && !matches!(entity, Entity::Date | Entity::AgeOver89 | Entity::Zip)
            {
                return Err(Error::config("generalize applies to DATE, AGE_OVER_89 and ZIP only")
                    .with_path(origin)
                    .with_field(format!("entity.{name}.operator")));
            }
            if matches!(op, Operator::DateShift { .. }) && entity != Entity::Date {
                return Err(Error::config("date-shift applies to DATE only")
                    .with_path(origin)
                    .with_field(format!("entity.{name}.operator")));
            }
            entities.insert(entity, op);
        }
        Ok(Policy { default, entities })
    }

    /// A policy applying `operator` to every entity.
    pub fn uniform(operator: Operator) -> Policy {
        Policy { default: operator, entities: BTreeMap::new() }
    }

    /// Sets the operator of one entity.
    pub fn set(&mut self, entity: Entity, operator: Operator) -> &mut Policy {
        self.entities.insert(entity, operator);
        self
    }

    /// The operator for `entity`.
    pub fn operator(&self, entity: Entity) -> &Operator {
        self.entities.get(&entity).unwrap_or(&self.default)
    }

    /// The entities this policy tokenizes (what `unmask` can restore), in
    /// [`Entity::ALL`] order.
    pub fn tokenized(&self) -> Vec<Entity> {
        Entity::ALL.iter().copied().filter(|&e| matches!(self.operator(e), Operator::Tokenize)).collect()
    }

    /// Whether any operator of the policy needs a key.
    pub fn needs_key(&self) -> bool {
        self.uses(Operator::needs_key)
    }

    /// Whether any operator of the policy (default or per entity) is one
    /// `pred` accepts.
    pub(crate) fn uses(&self, pred: impl Fn(&Operator) -> bool) -> bool {
        pred(&self.default) || self.entities.values().any(pred)
    }
}

/// Checks one raw operator; only the options of that operator are allowed.
/// `scope` (`default`, `entity.SSN`) prefixes the field in errors.
fn check(raw: RawOperator, scope: &str) -> Result<Operator, Error> {
    let field_of = |field: &str| format!("{scope}.{field}");
    let unexpected = |field: &str| {
        Error::config(format!("not an option of operator '{}'", raw.operator)).with_field(field_of(field))
    };
    let op = match raw.operator.as_str() {
        "redact" => Operator::Redact,
        "label" => Operator::Label { numbered: raw.numbered.unwrap_or(false) },
        "mask" => {
            let mask_char = raw.mask_char.unwrap_or('*');
            if mask_char.is_alphanumeric() || mask_char.is_control() {
                return Err(Error::config("must not be a letter, digit or control character").with_field(field_of("mask_char")));
            }
            Operator::Mask { mask_char, keep_first: raw.keep_first.unwrap_or(0), keep_last: raw.keep_last }
        }
        "hash" => {
            let length = raw.length.unwrap_or(DEFAULT_HASH_LEN);
            if !(1..=MAX_HASH_LEN).contains(&length) {
                return Err(Error::config(format!("must be 1 to {MAX_HASH_LEN}")).with_field(field_of("length")));
            }
            Operator::Hash { length }
        }
        "tokenize" => Operator::Tokenize,
        "surrogate" => Operator::Surrogate,
        "generalize" => Operator::Generalize { reference_year: raw.reference_year },
        "date-shift" => {
            let max_days = raw.max_days.unwrap_or(365);
            if !(1..=3650).contains(&max_days) {
                return Err(Error::config("must be 1 to 3650").with_field(field_of("max_days")));
            }
            Operator::DateShift { max_days }
        }
        other => {
            return Err(Error::config(format!(
                "unknown operator '{other}' (known: redact, label, mask, hash, tokenize, surrogate, generalize, date-shift)"
            ))
            .with_field(field_of("operator")))
        }
    };
    let allowed: &[&str] = match op {
        Operator::Mask { .. } => &["mask_char", "keep_first", "keep_last"],
        Operator::Label { .. } => &["numbered"],
        Operator::Hash { .. } => &["length"],
        Operator::Generalize { .. } => &["reference_year"],
        Operator::DateShift { .. } => &["max_days"],
        _ => &[],
    };
    for (field, present) in [
        ("mask_char", raw.mask_char.is_some()),
        ("keep_first", raw.keep_first.is_some()),
        ("keep_last", raw.keep_last.is_some()),
        ("numbered", raw.numbered.is_some()),
        ("length", raw.length.is_some()),
        ("reference_year", raw.reference_year.is_some()),
        ("max_days", raw.max_days.is_some()),
    ] {
        if present && !allowed.contains(&field) {
            return Err(unexpected(field));
        }
    }
    Ok(op)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_load() {
        for name in Policy::preset_names() {
            Policy::preset(name).unwrap();
        }
        assert!(Policy::preset("tokenize").unwrap().needs_key());
        assert!(!Policy::preset("mask").unwrap().needs_key());
        assert_eq!(Policy::preset("nope").unwrap_err().kind(), crate::ErrorKind::Config);
    }

    #[test]
    fn user_policy_overrides_entities() {
        let p = Policy::from_toml(
            "[default]\noperator = 'redact'\n[entity.SSN]\noperator = 'mask'\nkeep_last = 4\nmask_char = '#'\n",
            Path::new("p.toml"),
        )
        .unwrap();
        assert_eq!(p.operator(Entity::Name), &Operator::Redact);
        assert_eq!(p.operator(Entity::Ssn), &Operator::Mask { mask_char: '#', keep_first: 0, keep_last: Some(4) });
    }

    #[test]
    fn generalize_is_for_dates_ages_and_zips() {
        let p = Policy::preset("safe-harbor").unwrap();
        assert!(!p.needs_key());
        assert_eq!(p.operator(Entity::Zip), &Operator::Generalize { reference_year: None });
        let err = Policy::from_toml(
            "[default]\noperator = 'redact'\n[entity.SSN]\noperator = 'generalize'\n",
            Path::new("p.toml"),
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("entity.SSN.operator"));
    }

    #[test]
    fn errors_name_file_entity_and_field() {
        let err = Policy::from_toml(
            "[default]\noperator = 'redact'\n[entity.SSN]\noperator = 'mask'\nlength = 3\n",
            Path::new("p.toml"),
        )
        .unwrap_err();
        let shown = err.to_string();
        assert_eq!(err.field(), Some("entity.SSN.length"), "{shown}");
        assert!(shown.contains("p.toml"), "{shown}");
        let err = Policy::from_toml("[default]\noperator = 'shred'\n", Path::new("p.toml")).unwrap_err();
        assert_eq!(err.field(), Some("default.operator"));
        let err = Policy::from_toml(
            "[default]\noperator = 'redact'\n[entity.PATIENT]\noperator = 'redact'\n",
            Path::new("p.toml"),
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("entity.PATIENT"));
        let err =
            Policy::from_toml("[default]\noperator = 'mask'\nmask_char = 'x'\n", Path::new("p.toml")).unwrap_err();
        assert_eq!(err.field(), Some("default.mask_char"));
    }
}
