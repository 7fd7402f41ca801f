//! Detector definitions: the TOML schema, the embedded default pack, and the
//! checking step that turns raw definitions into compiled [`Detector`]s.
//!
//! Raw and compiled config are different types (as in gitleaks'
//! `Translate` step): [`RawDetector`] mirrors the TOML one-to-one with
//! `deny_unknown_fields`, so a typo in a user file is an error rather than a
//! silently ignored key; [`compile`] then checks every field and names the
//! file, line, detector id and field of the first problem it finds. Nothing
//! here touches scanned text.

pub(crate) mod places;
pub(crate) mod words;
// Shared with `core/build.rs`, which fills the table; the crate only probes it.
#[cfg_attr(not(test), allow(dead_code))]
mod wordtable;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::entity::{Entity, SafeHarbor};
use crate::error::Error;
use crate::matcher::Pattern;
use crate::validate::Validator;

pub(crate) use words::WordLists;

/// The default detector files, embedded at build time.
pub(crate) const DEFAULT_FILES: &[(&str, &str)] = &[
    ("patterns/identifiers.toml", include_str!("../../../patterns/identifiers.toml")),
    ("patterns/contact.toml", include_str!("../../../patterns/contact.toml")),
    ("patterns/dates.toml", include_str!("../../../patterns/dates.toml")),
    ("patterns/locations.toml", include_str!("../../../patterns/locations.toml")),
    ("patterns/financial.toml", include_str!("../../../patterns/financial.toml")),
    ("patterns/licenses.toml", include_str!("../../../patterns/licenses.toml")),
    ("patterns/devices.toml", include_str!("../../../patterns/devices.toml")),
    ("patterns/names.toml", include_str!("../../../patterns/names.toml")),
];

/// One pattern file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    detector: Vec<toml::Spanned<RawDetector>>,
}

/// One `[[detector]]` table as written. See the README's "Pattern files"
/// section for what each field means.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDetector {
    id: String,
    entity: String,
    safe_harbor: Option<String>,
    #[serde(default)]
    description: String,
    kind: Option<String>,
    regex: Option<String>,
    words: Option<Vec<String>>,
    validator: Option<String>,
    score: Option<f32>,
    #[serde(default)]
    context: Vec<String>,
    context_boost: Option<f32>,
    #[serde(default)]
    requires_context: bool,
    #[serde(default = "yes")]
    context_after: bool,
    #[serde(default)]
    negative_context: Vec<String>,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default, rename = "match")]
    matches: Vec<String>,
    #[serde(default)]
    no_match: Vec<String>,
}

fn yes() -> bool {
    true
}

/// How a detector finds candidates.
#[derive(Clone, Debug)]
pub(crate) enum DetectorKind {
    /// A shape regex, run inside the one multi-pattern matcher.
    Regex(Pattern),
    /// A list of literal words or phrases, run inside the one word automaton.
    Words(Vec<String>),
    /// The name model: dictionary look-ups on capitalized tokens.
    Names,
}

/// A named contextual rule implemented in code (see `context.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Suppress dates that are event timestamps: at the start of a line, part
    /// of a date-time, or the value of a `ts`/`time`/`timestamp` key.
    LogTimestamp,
    /// Only report when a time-of-day does not follow (durations, versions).
    NotVersion,
    /// Digits surrounded by further digits or dots are part of something else.
    Isolated,
    /// [`Rule::Isolated`] for network addresses: a port (`10.0.0.1:8080`)
    /// or a path (`10.0.0.1/api`) may follow an IPv4 address, and an IPv6
    /// address may not run on into more `:` groups (`2001::db8::1`).
    IsolatedAddress,
    /// A bare domain name stands alone: no path, call or member access runs
    /// on from it (`github.com/pkg/errors`, `x.com(`), and no file path or
    /// e-mail local part leads into it.
    BareDomain,
    /// The match stands alone between spaces, quotes, brackets or `=`/`,`
    /// (`src=::`, `[::]:80`, `ipv6 ::`), not between other symbols
    /// (`****:***::*`, a masked address; `::/*`).
    Standalone,
    /// [`Rule::Isolated`] for numeric dates: a date with a four-digit year
    /// ends at a `.` before a capital or a digit (`DOB 1990-01-01.Pt`).
    IsolatedDate,
    /// A bare month name counts only right after a date preposition
    /// (`in May`, `since March`).
    AfterPreposition,
    /// Searched only in the few lines after a street address found in the
    /// same block, as the first match there (the ZIP or postcode closing
    /// an address block: `12 Main St⏎Springfield⏎Spain 96857`).
    AfterAddress,
    /// Only in clinical notes: a block dense with clinical shorthand (`pt`,
    /// `s/p`, `c/o`, `prn`, `BP`, `afebrile`…), where a bare `7/22` is a
    /// date (see `clinical`).
    ClinicalText,
    /// Not a fraction or a score: `1/2 tab`, `3/4`, pain `3/10`, strength
    /// `5/5`.
    NotFraction,
}

impl Rule {
    /// Every rule a pattern file may name, with its name.
    const NAMED: &'static [(&'static str, Rule)] = &[
        ("log_timestamp", Rule::LogTimestamp),
        ("not_version", Rule::NotVersion),
        ("isolated", Rule::Isolated),
        ("isolated_address", Rule::IsolatedAddress),
        ("bare_domain", Rule::BareDomain),
        ("standalone", Rule::Standalone),
        ("isolated_date", Rule::IsolatedDate),
        ("after_preposition", Rule::AfterPreposition),
        ("after_address", Rule::AfterAddress),
        ("clinical_text", Rule::ClinicalText),
        ("not_fraction", Rule::NotFraction),
    ];

    fn parse(name: &str) -> Option<Rule> {
        Rule::NAMED.iter().find(|(n, _)| *n == name).map(|&(_, rule)| rule)
    }
}

/// A checked, ready-to-compile detector.
#[derive(Clone, Debug)]
pub(crate) struct Detector {
    pub(crate) id: Arc<str>,
    pub(crate) entity: Entity,
    pub(crate) description: String,
    pub(crate) kind: DetectorKind,
    pub(crate) validator: Option<Validator>,
    pub(crate) score: f32,
    /// Lower-cased hotwords.
    pub(crate) context: Vec<String>,
    pub(crate) context_boost: f32,
    pub(crate) requires_context: bool,
    /// Whether hotwords after the candidate count (before always do).
    pub(crate) context_after: bool,
    /// Lower-cased words that veto the finding unless a hotword is present.
    pub(crate) negative_context: Vec<String>,
    /// Lower-cased, normalized field/column/key names.
    pub(crate) fields: Vec<String>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) enabled: bool,
    pub(crate) examples: Examples,
}

/// The `match` / `no_match` examples a detector carries.
#[derive(Clone, Debug, Default)]
pub(crate) struct Examples {
    pub(crate) matches: Vec<String>,
    pub(crate) no_match: Vec<String>,
    pub(crate) origin: Option<PathBuf>,
}

/// The default boost a hotword in the context window adds to a score.
pub(crate) const DEFAULT_CONTEXT_BOOST: f32 = 0.35;

/// Parses and checks one pattern file. `origin` names the file in errors.
pub(crate) fn parse_file(source: &str, origin: &Path) -> Result<Vec<Detector>, Error> {
    let raw: RawFile = toml::from_str(source).map_err(|e| {
        let line = e.span().map(|s| line_of(source, s.start));
        let mut err = Error::pattern(crate::error::without_values(e.message())).with_path(origin);
        if let Some(line) = line {
            err = err.with_line(line);
        }
        err
    })?;
    let mut out = Vec::with_capacity(raw.detector.len());
    for spanned in raw.detector {
        let line = line_of(source, spanned.span().start);
        let raw = spanned.into_inner();
        let id = raw.id.clone();
        let detector = check(raw, origin).map_err(|e| e.with_path(origin).with_line(line).with_detector(id))?;
        out.push(detector);
    }
    Ok(out)
}

fn line_of(source: &str, offset: usize) -> u64 {
    let offset = offset.min(source.len());
    source.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

fn check(raw: RawDetector, origin: &Path) -> Result<Detector, Error> {
    if raw.id.is_empty() || !raw.id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
        return Err(Error::pattern("id must be non-empty ASCII letters, digits, '-', '_' or '.'").with_field("id"));
    }
    let entity: Entity = raw
        .entity
        .parse()
        .map_err(|e: crate::entity::UnknownEntity| Error::pattern(e.to_string()).with_field("entity"))?;
    if let Some(letter) = &raw.safe_harbor {
        if letter.trim() != entity.safe_harbor().as_str() {
            return Err(Error::pattern(format!(
                "entity {entity} falls under Safe Harbor identifier {}, not '{}'",
                entity.safe_harbor(),
                letter
            ))
            .with_field("safe_harbor"));
        }
    }
    let kind = match (raw.kind.as_deref(), raw.regex, raw.words) {
        (None | Some("regex"), Some(regex), None) => {
            DetectorKind::Regex(Pattern::new(&regex).map_err(|msg| Error::pattern(msg).with_field("regex"))?)
        }
        (None | Some("words"), None, Some(words)) => {
            if words.iter().any(|w| w.trim().is_empty()) || words.is_empty() {
                return Err(Error::pattern("words must be a non-empty list of non-empty strings").with_field("words"));
            }
            DetectorKind::Words(words)
        }
        (Some("names"), None, None) => {
            if entity != Entity::Name {
                return Err(Error::pattern("kind 'names' requires entity NAME").with_field("kind"));
            }
            DetectorKind::Names
        }
        (Some(k), _, _) if !matches!(k, "regex" | "words" | "names") => {
            return Err(
                Error::pattern(format!("unknown kind '{k}' (expected regex, words or names)")).with_field("kind")
            )
        }
        _ => {
            return Err(Error::pattern(
                "exactly one of 'regex' (kind regex), 'words' (kind words) or kind = \"names\" is required",
            )
            .with_field("regex"))
        }
    };
    let validator = match raw.validator.as_deref() {
        None => None,
        Some(name) => Some(Validator::parse(name).ok_or_else(|| {
            Error::pattern(format!("unknown validator '{name}' (known: {})", Validator::NAMES.join(", ")))
                .with_field("validator")
        })?),
    };
    let score = raw.score.unwrap_or(0.5);
    check_unit(score, "score")?;
    let context_boost = raw.context_boost.unwrap_or(DEFAULT_CONTEXT_BOOST);
    check_unit(context_boost, "context_boost")?;
    if raw.requires_context && raw.context.is_empty() && raw.fields.is_empty() {
        return Err(
            Error::pattern("requires_context is set but context and fields are empty").with_field("requires_context")
        );
    }
    let mut rules = Vec::with_capacity(raw.rules.len());
    for name in &raw.rules {
        rules.push(Rule::parse(name).ok_or_else(|| {
            Error::pattern(format!(
                "unknown rule '{name}' (known: {})",
                Rule::NAMED.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            ))
            .with_field("rules")
        })?);
    }
    Ok(Detector {
        id: Arc::from(raw.id.as_str()),
        entity,
        description: raw.description,
        kind,
        validator,
        score,
        context: lower_all(&raw.context, "context")?,
        context_boost,
        requires_context: raw.requires_context,
        context_after: raw.context_after,
        negative_context: lower_all(&raw.negative_context, "negative_context")?,
        fields: raw.fields.iter().map(|f| normalize_field(f)).collect(),
        rules,
        enabled: raw.enabled,
        examples: Examples { matches: raw.matches, no_match: raw.no_match, origin: Some(origin.to_path_buf()) },
    })
}

fn check_unit(value: f32, field: &str) -> Result<(), Error> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(Error::pattern("must be between 0.0 and 1.0").with_field(field))
    }
}

/// The longest hotword a pattern file may give (the context stage looks
/// hotwords up through a fixed-size buffer).
pub(crate) const MAX_CONTEXT_WORD: usize = 64;

fn lower_all(words: &[String], field: &str) -> Result<Vec<String>, Error> {
    words
        .iter()
        .map(|w| {
            let w = w.trim();
            if w.is_empty() || !w.is_ascii() || w.len() > MAX_CONTEXT_WORD {
                Err(Error::pattern(format!(
                    "context words must be non-empty ASCII of at most {MAX_CONTEXT_WORD} bytes"
                ))
                .with_field(field))
            } else {
                Ok(w.to_ascii_lowercase())
            }
        })
        .collect()
}

/// Normalizes a field/column/key name for comparison: lower case, and every
/// run of non-alphanumeric characters becomes one `_` (`Patient-Name` →
/// `patient_name`, `@timestamp` → `timestamp`).
pub fn normalize_field(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// Loads the embedded default pack.
pub(crate) fn default_detectors() -> Result<Vec<Detector>, Error> {
    let mut all = Vec::new();
    for (name, source) in DEFAULT_FILES {
        all.extend(parse_file(source, Path::new(name))?);
    }
    Ok(all)
}

/// Read-only facts about one compiled detector, for listings and tests.
#[derive(Clone, Debug)]
pub struct DetectorInfo {
    /// The detector id.
    pub id: String,
    /// The entity it reports.
    pub entity: Entity,
    /// The Safe Harbor identifier of that entity.
    pub safe_harbor: SafeHarbor,
    /// Free-text description from the pattern file.
    pub description: String,
    /// Texts in which the detector must find its entity.
    pub matches: Vec<String>,
    /// Texts in which the engine must not report the detector's entity.
    pub no_match: Vec<String>,
}

impl From<&Detector> for DetectorInfo {
    fn from(d: &Detector) -> DetectorInfo {
        DetectorInfo {
            id: d.id.to_string(),
            entity: d.entity,
            safe_harbor: d.entity.safe_harbor(),
            description: d.description.clone(),
            matches: d.examples.matches.clone(),
            no_match: d.examples.no_match.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Vec<Detector>, Error> {
        parse_file(src, Path::new("user.toml"))
    }

    #[test]
    fn an_unknown_rule_lists_every_rule() {
        let src = "[[detector]]\nid = \"x\"\nentity = \"MRN\"\nregex = 'MRN\\d+'\nrules = [\"clinical\"]\n";
        let err = parse(src).unwrap_err().to_string();
        for (name, _) in Rule::NAMED {
            assert!(err.contains(name), "{name} missing from: {err}");
        }
    }

    #[test]
    fn errors_name_file_line_detector_and_field() {
        let src = "[[detector]]\nid = \"ok\"\nentity = \"MRN\"\nregex = 'MRN\\d+'\n\n[[detector]]\nid = \"acme-mrn\"\nentity = \"MRN\"\nregex = '(unclosed'\n";
        let err = parse(src).unwrap_err();
        assert_eq!(err.detector_id(), Some("acme-mrn"));
        assert_eq!(err.field(), Some("regex"));
        assert_eq!(err.line(), Some(6));
        assert!(err.to_string().starts_with("user.toml:6: detector 'acme-mrn': field 'regex'"), "{err}");
    }

    #[test]
    fn unknown_fields_and_values_are_rejected() {
        let err = parse("[[detector]]\nid='x'\nentity='MRN'\nregex='a'\nscroe=0.3\n").unwrap_err();
        assert!(err.to_string().contains("scroe"), "{err}");
        let err = parse("[[detector]]\nid='x'\nentity='PATIENT'\nregex='a'\n").unwrap_err();
        assert_eq!(err.field(), Some("entity"));
        let err = parse("[[detector]]\nid='x'\nentity='MRN'\nregex='a'\nvalidator='nope'\n").unwrap_err();
        assert_eq!(err.field(), Some("validator"));
        let err = parse("[[detector]]\nid='x'\nentity='MRN'\nregex='a'\nscore=1.5\n").unwrap_err();
        assert_eq!(err.field(), Some("score"));
        let err = parse("[[detector]]\nid='x'\nentity='SSN'\nsafe_harbor='A'\nregex='a'\n").unwrap_err();
        assert_eq!(err.field(), Some("safe_harbor"));
        let err = parse("[[detector]]\nid='x'\nentity='MRN'\n").unwrap_err();
        assert_eq!(err.field(), Some("regex"));
        let long = "w".repeat(MAX_CONTEXT_WORD + 1);
        let err = parse(&format!("[[detector]]\nid='x'\nentity='MRN'\nregex='a'\ncontext=['{long}']\n")).unwrap_err();
        assert_eq!(err.field(), Some("context"));
    }

    #[test]
    fn field_names_normalize() {
        assert_eq!(normalize_field("Patient-Name"), "patient_name");
        assert_eq!(normalize_field("@timestamp"), "timestamp");
        assert_eq!(normalize_field("DOB "), "dob");
    }

    #[test]
    fn default_pack_parses() {
        let all = default_detectors().unwrap();
        assert!(all.len() > 30);
        let mut ids: Vec<_> = all.iter().map(|d| d.id.clone()).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "duplicate detector ids in the default pack");
    }
}
