//! phimask finds Protected Health Information (PHI) — names, SSNs, medical
//! record numbers, dates, phone numbers, addresses and the rest of HIPAA's
//! Safe Harbor identifiers — in text, logs and data dumps.
//!
//! Build an [`Engine`] once (all compiling happens in
//! [`EngineBuilder::build`]), then share it: it is immutable, `Send + Sync`
//! and cheap to clone. [`Engine::default`] is the embedded default pack.
//!
//! ```
//! use phimask::{Engine, Entity};
//!
//! let engine = Engine::default();
//! let text = "DOB: 03/14/1962, call (617) 555-0123";
//! let findings = engine.scan(text);
//! assert_eq!(findings[0].entity(), Entity::Date);
//! assert_eq!(&text[findings[1].span()], "(617) 555-0123");
//! // Debug output never contains the value itself.
//! assert!(!format!("{findings:?}").contains("555"));
//! ```
//!
//! Data flows one way, and the module order shows it:
//! `patterns → matcher → validate → context → resolve → finding`, wired by
//! `engine`; `stream` cuts input into blocks; `mask` (with `crypto`) turns
//! findings into safe output; `formats` drives it over CSV/TSV, JSON,
//! NDJSON and SQL dumps with column and key names as context.
#![deny(missing_docs)]

mod clinical;
mod context;
mod crypto;
pub mod encoding;
mod engine;
mod entity;
mod error;
mod evidence;
mod finding;
mod formats;
mod keyed;
mod lanes;
mod mask;
mod matcher;
mod names;
mod offsets;
mod patterns;
mod resolve;
mod stream;
mod swar;
mod validate;

pub use crypto::{
    detokenize, keyed_hash, tokenize, DerivedKey, Key, DEFAULT_HASH_LEN, MAX_HASH_LEN, MAX_TOKEN_DATA_LEN, MIN_KEY_LEN,
    MIN_TOKEN_DOMAIN,
};
pub use engine::{Block, Engine, EngineBuilder, DEFAULT_CONTEXT_WINDOW, DEFAULT_MIN_SCORE};
pub use entity::{Entity, SafeHarbor, UnknownEntity};
pub use error::{without_values, Error, ErrorKind};
pub use evidence::{Evidence, Kinds, TextKind};
pub use finding::{preview, Finding};
pub use formats::{
    mask_csv, mask_format, mask_json, mask_json_value, mask_ndjson, mask_sql, mask_stream, unmask_json_value, Format,
    FormatOptions, FormatReport, OnError, MAX_LISTED_LINES, MAX_RECORD, SNIFF_LEN,
};
pub use mask::{check_unmask, detokenize_value, MaskStats, Masker, Operator, Policy, NOT_REDETECTED, UNTOKENIZABLE};
pub use offsets::{convert_offsets, OffsetUnit};
pub use patterns::{normalize_field, DetectorInfo};
pub use stream::{BLOCK_MAX, BLOCK_TARGET};
