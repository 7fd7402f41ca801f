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
///
/// Look-ups sit on the name model's hot path (every capitalized token of
/// every scan), so the map is an open-addressing table of packed `u64`
/// slots — a 47-bit fingerprint of the word and its 16 flag bits — rather
/// than a hash map of borrowed keys: one probe touches one cache line and
/// never dereferences a key (a hash map costs three cache misses per
/// look-up on this 75,000-word table). Listed words are checked to have
/// distinct fingerprints (a test); an unlisted word is taken for a listed
/// one only if its fingerprint collides, a 2^-47 chance per probe.
#[derive(Debug, Default)]
pub(crate) struct WordLists {
    /// Every listed word.
    all: Table,
    /// The words a lower-case token can matter as — titles, particles and
    /// places — with all their flags (see [`WordLists::spots`]).
    spots: Table,
    /// The lists the table was filled from.
    lists: &'static [(u16, &'static str)],
    /// Every listed word with its flags, for [`WordLists::iter`]: merged
    /// from `lists` when first asked for (only tokenization needs it; the
    /// table is filled straight from the lists, a word on several lists
    /// OR-ing its flags into one slot).
    words: OnceLock<Vec<(&'static str, u16)>>,
}

/// An open-addressing table of packed slots (see [`WordLists`]).
#[derive(Debug, Default)]
pub(crate) struct Table {
    slots: Vec<u64>,
}

/// The embedded lists, built on first use and shared by every engine.
static DEFAULT_WORDS: OnceLock<WordLists> = OnceLock::new();

/// Bits of a slot that hold the fingerprint; the low 16 hold the flags.
const FLAG_BITS: u32 = 16;

/// The words of `lists` with their list's flag, in list order (a word on
/// several lists comes once per list).
///
/// Lines are found by a plain byte loop: the lists hold ~75,000 lines of
/// eight bytes on average, too short for `str::split` (a `memchr` call per
/// line) to pay for itself; this walk is a sixth of the default engine's
/// build.
fn listed(lists: &'static [(u16, &'static str)]) -> impl Iterator<Item = (&'static str, u16)> {
    lists.iter().flat_map(|&(flag, text)| {
        let mut rest = text;
        std::iter::from_fn(move || {
            while !rest.is_empty() {
                let end = rest.bytes().position(|b| b == b'\n').unwrap_or(rest.len());
                let line = rest[..end].trim_ascii();
                rest = &rest[(end + 1).min(rest.len())..];
                if !line.is_empty() && !line.starts_with('#') {
                    return Some((line, flag));
                }
            }
            None
        })
    })
}

impl WordLists {
    /// The embedded default lists.
    pub(crate) fn embedded() -> &'static WordLists {
        DEFAULT_WORDS.get_or_init(|| WordLists::from_lists(LISTS))
    }

    fn from_lists(lists: &'static [(u16, &'static str)]) -> WordLists {
        // Sized by the lines of the lists, an upper bound.
        let lines: usize = lists.iter().map(|(_, text)| memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1).sum();
        let mut all = Table::with_room(lines);
        for (word, flags) in listed(lists) {
            all.add(word.as_bytes(), flags);
        }
        // The spot words come from the title, particle and place lists
        // only: walk those, not the 75,000 lines again.
        let spot_words: Vec<&str> = lists
            .iter()
            .filter(|(flag, _)| flag & (TITLE | PARTICLE | PLACE) != 0)
            .flat_map(|list| listed(std::slice::from_ref(list)))
            .map(|(w, _)| w)
            .collect();
        let mut spots = Table::with_room(spot_words.len());
        for word in spot_words {
            let flags = all.flags(word.as_bytes());
            spots.add(word.as_bytes(), flags);
        }
        WordLists { all, spots, lists, words: OnceLock::new() }
    }

    /// Every listed word with its flags, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'static str, u16)> + '_ {
        let words = self.words.get_or_init(|| {
            let mut merged: FxHashMap<&'static str, u16> = FxHashMap::default();
            for (word, flag) in listed(self.lists) {
                *merged.entry(word).or_insert(0) |= flag;
            }
            merged.into_iter().collect()
        });
        words.iter().copied()
    }

    /// The table of every listed word.
    #[inline]
    pub(crate) fn all(&self) -> &Table {
        &self.all
    }

    /// A table that answers like [`all`](Self::all) for titles, particles
    /// and places, and 0 for every other word. Those are the only flags
    /// that can make a lower-case token matter to the name model (a title
    /// opening a name, a particle inside one, a place in a list), and the
    /// table is small enough to stay in the L1 cache: most lower-case
    /// look-ups are of prose words, which in the large table cost a cache
    /// miss each.
    #[inline]
    pub(crate) fn spots(&self) -> &Table {
        &self.spots
    }

    /// Flags of an already lower-cased word (0 when on no list).
    #[inline]
    pub(crate) fn flags(&self, lower: &[u8]) -> u16 {
        self.all.flags(lower)
    }
}

impl Table {
    /// An empty table for up to `words` words, at most half full: probes
    /// for absent words (most look-ups) stay short.
    fn with_room(words: usize) -> Table {
        Table { slots: vec![0u64; (words * 2).next_power_of_two().max(16)] }
    }

    /// ORs `flags` into the slot of `word`.
    fn add(&mut self, word: &[u8], flags: u16) {
        let len = self.slots.len();
        let (mut at, fp) = place(hash(word), len);
        while self.slots[at] != 0 && self.slots[at] >> FLAG_BITS != fp {
            at = (at + 1) & (len - 1);
        }
        self.slots[at] |= fp << FLAG_BITS | u64::from(flags);
    }

    /// Flags of an already lower-cased word (0 when on no list).
    #[inline]
    pub(crate) fn flags(&self, lower: &[u8]) -> u16 {
        self.probe(hash(lower))
    }

    /// Flags of the lower-cased word whose bytes, zero-padded, are
    /// `chunks` (little-endian, eight bytes each) and whose length is
    /// `len`: the same as [`flags`](Self::flags) without re-reading bytes.
    #[inline]
    pub(crate) fn flags_of_chunks(&self, chunks: &[u64], len: usize) -> u16 {
        self.probe(hash_chunks(len, chunks.iter().copied()))
    }

    #[inline]
    fn probe(&self, h: u64) -> u16 {
        let len = self.slots.len();
        if len == 0 {
            return 0;
        }
        let (mut at, fp) = place(h, len);
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return 0;
            }
            if slot >> FLAG_BITS == fp {
                return slot as u16;
            }
            at = (at + 1) & (len - 1);
        }
    }
}

/// A word's first slot in a table of `len` (a power of two) slots, given
/// its [`hash`], and its fingerprint (47 bits, never zero, so an empty slot
/// is 0).
#[inline]
fn place(h: u64, len: usize) -> (usize, u64) {
    ((h as usize) & (len - 1), (h >> (FLAG_BITS + 1)) | 1 << (63 - FLAG_BITS - 1))
}

/// A 64-bit hash of a short word: eight bytes at a time, each folded in
/// with a full 64×64→128-bit multiply (the mixing step of wyhash/foldhash),
/// then the length.
#[inline]
fn hash(word: &[u8]) -> u64 {
    hash_chunks(
        word.len(),
        word.chunks(8).map(|chunk| {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            u64::from_le_bytes(b)
        }),
    )
}

/// [`hash`] of a word of `len` bytes given as zero-padded eight-byte chunks.
#[inline]
fn hash_chunks(len: usize, chunks: impl Iterator<Item = u64>) -> u64 {
    const K1: u64 = 0x9E37_79B9_7F4A_7C15;
    const K2: u64 = 0xA076_1D64_78BD_642F;
    let fold = |a: u64, b: u64| {
        let m = u128::from(a).wrapping_mul(u128::from(b));
        (m as u64) ^ ((m >> 64) as u64)
    };
    let mut h = K2 ^ len as u64;
    for chunk in chunks.take(len.div_ceil(8)) {
        h = fold(h ^ chunk, K1);
    }
    fold(h, K2)
}

/// A small fixed set of lower-case ASCII words (a few dozen: triggers,
/// street suffixes, head nouns), tested case-insensitively.
///
/// The name model asks such sets about many words that are on none of
/// them, so membership starts with negative tests that touch two `u32`s:
/// bit `c` of `first[len]` says some word of that length starts with
/// letter `c`, bit `c` of `last[len]` that one ends with it. Only words
/// passing both are compared with the set's words; the tables are built
/// at compile time.
#[derive(Debug)]
pub(crate) struct WordSet {
    words: &'static [&'static str],
    first: [u32; WordSet::MAX_LEN + 1],
    /// The same for the last letter.
    last: [u32; WordSet::MAX_LEN + 1],
}

impl WordSet {
    /// Longest word a set may hold.
    const MAX_LEN: usize = 31;

    /// A set of `words`; each must be 1 to 31 lower-case ASCII letters
    /// (checked at compile time when used in a `const`).
    pub(crate) const fn new(words: &'static [&'static str]) -> WordSet {
        let mut first = [0u32; WordSet::MAX_LEN + 1];
        let mut last = [0u32; WordSet::MAX_LEN + 1];
        let mut i = 0;
        while i < words.len() {
            let w = words[i].as_bytes();
            assert!(!w.is_empty() && w.len() <= WordSet::MAX_LEN, "word length out of range");
            let mut j = 0;
            while j < w.len() {
                assert!(w[j].is_ascii_lowercase(), "words must be lower-case ASCII letters");
                j += 1;
            }
            first[w.len()] |= 1 << (w[0] - b'a');
            last[w.len()] |= 1 << (w[w.len() - 1] - b'a');
            i += 1;
        }
        WordSet { words, first, last }
    }

    /// Whether `word` is in the set, ignoring ASCII case.
    #[inline]
    pub(crate) fn contains(&self, word: &[u8]) -> bool {
        let Some(&mask) = self.first.get(word.len()) else { return false };
        let letter = |b: Option<&u8>| b.map_or(u8::MAX, |b| b.to_ascii_lowercase().wrapping_sub(b'a'));
        let (c, z) = (letter(word.first()), letter(word.last()));
        c < 26
            && mask & (1 << c) != 0
            && z < 26
            && self.last[word.len()] & (1 << z) != 0
            && self.words.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_words_have_distinct_fingerprints() {
        let lists = WordLists::embedded();
        let mut fps: Vec<u64> = lists.iter().map(|(w, _)| place(hash(w.as_bytes()), 1).1).collect();
        fps.sort_unstable();
        fps.dedup();
        assert_eq!(fps.len(), lists.iter().count());
    }

    #[test]
    fn every_listed_word_reads_back_its_flags() {
        let lists = WordLists::embedded();
        for (w, f) in lists.iter() {
            assert_eq!(lists.flags(w.as_bytes()), f, "{w}");
        }
        assert_eq!(lists.flags(b"smith") & LAST, LAST);
        assert_eq!(lists.flags(b"zzqxjv"), 0);
        assert_eq!(lists.flags(b""), 0);
        assert_eq!(WordLists::default().flags(b"smith"), 0);
        let chunks = [u64::from_le_bytes(*b"smithson"), u64::from_le_bytes(*b"ian\0\0\0\0\0"), 0];
        assert_eq!(lists.all().flags_of_chunks(&chunks, 11), lists.flags(b"smithsonian"));
        assert_eq!(lists.all().flags_of_chunks(&[u64::from_le_bytes(*b"smith\0\0\0")], 5), lists.flags(b"smith"));
    }

    #[test]
    fn spots_answer_for_titles_particles_and_places_only() {
        let lists = WordLists::embedded();
        for (w, f) in lists.iter() {
            let want = if f & (TITLE | PARTICLE | PLACE) != 0 { f } else { 0 };
            assert_eq!(lists.spots().flags(w.as_bytes()), want, "{w}");
        }
        assert_ne!(lists.spots().flags(b"van") & PARTICLE, 0);
        assert_eq!(lists.spots().flags(b"smith"), 0);
    }

    #[test]
    fn word_sets_match_whole_words_in_any_case() {
        const SET: WordSet = WordSet::new(&["street", "st", "dr"]);
        for yes in ["street", "Street", "STREET", "st", "Dr"] {
            assert!(SET.contains(yes.as_bytes()), "{yes}");
        }
        for no in ["streets", "s", "", "strees", "d", "1st", "\u{e9}t", "rd"] {
            assert!(!SET.contains(no.as_bytes()), "{no}");
        }
    }
}
