//! The name model's word lists (see `patterns/SOURCES.md` for their origin).
//!
//! All lists are folded into one map from lower-case word to a set of flags,
//! so classifying a token costs one hash look-up whatever lists it is on.
//! The embedded lists are borrowed from the binary (`&'static str` keys): no
//! per-word allocation at engine build time.

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// The token is a known given name.
pub(crate) const FIRST: u16 = 1;
/// The token is a known surname.
pub(crate) const LAST: u16 = 2;
/// The token is a common English word (needs stronger evidence to be a name).
pub(crate) const COMMON: u16 = 4;
/// The token is a medical eponym (Foley, Parkinson…).
pub(crate) const EPONYM: u16 = 8;
/// The token is an honorific that precedes a name (Mr, Dr…).
pub(crate) const TITLE: u16 = 16;
/// The token is a suffix that may follow a name (Jr, MD…).
pub(crate) const SUFFIX: u16 = 32;
/// The token is a surname particle (van, de…).
pub(crate) const PARTICLE: u16 = 64;
/// The token is a place, weekday or holiday (France, Monday, Christmas).
pub(crate) const PLACE: u16 = 128;
/// A common surname that is also an eponym (Murphy, Wilson, Bell): dropped as a name when a clinical head noun or `'s` + head noun follows.
pub(crate) const EPONYM_COMMON: u16 = 256;

/// Word lists as `(flag, embedded text)`.
const LISTS: &[(u16, &str)] = &[
    (FIRST, include_str!("../../../patterns/names/first.txt")),
    (LAST, include_str!("../../../patterns/names/last.txt")),
    (COMMON, include_str!("../../../patterns/names/common_words.txt")),
    (EPONYM, include_str!("../../../patterns/names/eponyms.txt")),
    (TITLE, include_str!("../../../patterns/names/titles.txt")),
    (SUFFIX, include_str!("../../../patterns/names/suffixes.txt")),
    (PARTICLE, include_str!("../../../patterns/names/particles.txt")),
    (PLACE, include_str!("../../../patterns/names/places.txt")),
    // Software names and lab abbreviations that are also on a name list
    // (`Intel Mac OS X`, `Na 138`): never a name on their own.
    (COMMON, include_str!("../../../patterns/names/not_names.txt")),
    // Eponyms whose surname is too common to exclude everywhere: an eponym
    // only when a clinical head noun or `'s` follows (`Murphy's sign`).
    (EPONYM_COMMON, include_str!("../../../patterns/names/eponyms_common_surnames.txt")),
];

/// Flags per lower-case word.
#[derive(Debug, Default)]
pub(crate) struct WordLists {
    map: FxHashMap<&'static [u8], u16>,
}

/// The embedded lists, built on first use and shared by every engine.
static DEFAULT_WORDS: OnceLock<WordLists> = OnceLock::new();

impl WordLists {
    /// The embedded default lists.
    pub(crate) fn embedded() -> &'static WordLists {
        DEFAULT_WORDS.get_or_init(|| {
            let total: usize = LISTS.iter().map(|(_, t)| t.len() / 7).sum();
            let mut map = FxHashMap::with_capacity_and_hasher(total, Default::default());
            for &(flag, text) in LISTS {
                for word in text.lines() {
                    let word = word.trim();
                    if !word.is_empty() && !word.starts_with('#') {
                        *map.entry(word.as_bytes()).or_insert(0) |= flag;
                    }
                }
            }
            WordLists { map }
        })
    }

    /// Every listed word with its flags, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'static str, u16)> + '_ {
        // Keys are borrowed from the embedded UTF-8 list texts.
        self.map.iter().filter_map(|(&word, &flags)| std::str::from_utf8(word).ok().map(|w| (w, flags)))
    }

    /// Flags of an already lower-cased word (0 when on no list).
    #[inline]
    pub(crate) fn flags(&self, lower: &[u8]) -> u16 {
        self.map.get(lower).copied().unwrap_or(0)
    }
}
