//! The name model's word lists (see `patterns/SOURCES.md` for their origin).
//!
//! All lists are folded into one table from lower-case word to a set of
//! flags, so classifying a token costs one hash look-up whatever lists it
//! is on. The table of the embedded lists is filled at compile time by
//! `core/build.rs` (layout and hash in [`wordtable`](super::wordtable)) and
//! borrowed from the binary: building an engine hashes no words.

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

use super::wordtable;
pub(crate) use super::wordtable::{
    CLINICAL, COMMON, EPONYM, EPONYM_COMMON, FIRST, LAST, PARTICLE, PLACE, SUFFIX, TITLE, UNIT,
};

// Written by `core/build.rs`: `ALL_SLOTS` and `SPOT_SLOTS`, the tables of
// the embedded lists, and `LISTS`, the lists as `(flag, text)` from the
// files of `wordtable::LIST_FILES`.
include!(concat!(env!("OUT_DIR"), "/word_lists.rs"));

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
    /// from `lists` when first asked for (only tokenization needs it).
    words: OnceLock<Vec<(&'static str, u16)>>,
}

/// An open-addressing table of packed slots (see [`WordLists`]).
#[derive(Debug, Default)]
pub(crate) struct Table {
    slots: &'static [u64],
}

/// The embedded lists, shared by every engine.
static DEFAULT_WORDS: WordLists = WordLists {
    all: Table { slots: &ALL_SLOTS },
    spots: Table { slots: &SPOT_SLOTS },
    lists: LISTS,
    words: OnceLock::new(),
};

/// The words of `lists` with their list's flag, in list order (a word on
/// several lists comes once per list).
fn listed(lists: &'static [(u16, &'static str)]) -> impl Iterator<Item = (&'static str, u16)> {
    lists.iter().flat_map(|&(flag, text)| wordtable::words_of(text).map(move |w| (w, flag)))
}

impl WordLists {
    /// The embedded default lists.
    pub(crate) fn embedded() -> &'static WordLists {
        &DEFAULT_WORDS
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
    /// Flags of an already lower-cased word (0 when on no list).
    #[inline]
    pub(crate) fn flags(&self, lower: &[u8]) -> u16 {
        self.probe(wordtable::hash(lower))
    }

    /// Flags of the lower-cased word whose bytes, zero-padded, are
    /// `chunks` (little-endian, eight bytes each) and whose length is
    /// `len`: the same as [`flags`](Self::flags) without re-reading bytes.
    #[inline]
    pub(crate) fn flags_of_chunks(&self, chunks: &[u64], len: usize) -> u16 {
        self.probe(wordtable::hash_chunks(len, chunks.iter().copied()))
    }

    #[inline]
    fn probe(&self, h: u64) -> u16 {
        wordtable::probe(|at| self.slots[at], self.slots.len(), h)
    }
}

/// Weekday names and their abbreviations (`Sun`, `Thursday`, `Tues`):
/// calendar words in a name run, and what marks a log line's timestamp.
pub(crate) const WEEKDAYS: WordSet = WordSet::new(&[
    "mon",
    "monday",
    "tue",
    "tues",
    "tuesday",
    "wed",
    "wednesday",
    "thu",
    "thur",
    "thurs",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
    "sun",
    "sunday",
]);

/// A small fixed set of lower-case ASCII words (a few dozen: triggers,
/// street suffixes, head nouns), tested case-insensitively.
///
/// The name model asks such sets about many words that are on none of
/// them, so membership is mostly bit tests: bit `i` of `by_len[n]` says
/// word `i` has `n` letters, of `by_first[c]` that it starts with letter
/// `c`, of `by_last[c]` that it ends with it. Only the words in all three
/// (almost always none, rarely more than one) are compared with the word;
/// the tables are built at compile time.
#[derive(Debug)]
pub(crate) struct WordSet {
    words: &'static [&'static str],
    by_len: [u64; WordSet::MAX_LEN + 1],
    by_first: [u64; 26],
    by_last: [u64; 26],
}

impl WordSet {
    /// Longest word a set may hold.
    const MAX_LEN: usize = 31;

    /// A set of `words` (at most 64); each must be 1 to 31 lower-case ASCII
    /// letters (checked at compile time when used in a `const`).
    pub(crate) const fn new(words: &'static [&'static str]) -> WordSet {
        assert!(words.len() <= 64, "a word set holds at most 64 words");
        let mut by_len = [0u64; WordSet::MAX_LEN + 1];
        let mut by_first = [0u64; 26];
        let mut by_last = [0u64; 26];
        let mut i = 0;
        while i < words.len() {
            let w = words[i].as_bytes();
            assert!(!w.is_empty() && w.len() <= WordSet::MAX_LEN, "word length out of range");
            let mut j = 0;
            while j < w.len() {
                assert!(w[j].is_ascii_lowercase(), "words must be lower-case ASCII letters");
                j += 1;
            }
            by_len[w.len()] |= 1 << i;
            by_first[(w[0] - b'a') as usize] |= 1 << i;
            by_last[(w[w.len() - 1] - b'a') as usize] |= 1 << i;
            i += 1;
        }
        WordSet { words, by_len, by_first, by_last }
    }

    /// Whether `word` is in the set, ignoring ASCII case.
    #[inline]
    pub(crate) fn contains(&self, word: &[u8]) -> bool {
        let Some(&of_len) = self.by_len.get(word.len()) else { return false };
        let letter = |b: Option<&u8>| usize::from(b.map_or(u8::MAX, |b| b.to_ascii_lowercase().wrapping_sub(b'a')));
        let (Some(&first), Some(&last)) =
            (self.by_first.get(letter(word.first())), self.by_last.get(letter(word.last())))
        else {
            return false;
        };
        let mut maybe = of_len & first & last;
        while maybe != 0 {
            if self.words[maybe.trailing_zeros() as usize].as_bytes().eq_ignore_ascii_case(word) {
                return true;
            }
            maybe &= maybe - 1;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_words_have_distinct_fingerprints() {
        let lists = WordLists::embedded();
        let mut fps: Vec<u64> =
            lists.iter().map(|(w, _)| wordtable::place(wordtable::hash(w.as_bytes()), 1).1).collect();
        fps.sort_unstable();
        fps.dedup();
        assert_eq!(fps.len(), lists.iter().count());
    }

    #[test]
    fn the_embedded_tables_are_the_lists_tables() {
        // The build script filled them from the same files with the same
        // code; this checks that what is embedded is what the lists give.
        let (all, spots) = wordtable::build(LISTS);
        assert_eq!(all, ALL_SLOTS);
        assert_eq!(spots, SPOT_SLOTS);
        assert_eq!(LISTS.len(), wordtable::LIST_FILES.len());
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
