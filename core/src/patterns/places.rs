//! US city and town names (`patterns/places/us_towns.txt`, the Postal
//! Service's names of every ZIP code's place), for the town detector of
//! clinical notes (`lives in Catonsville`, `son from Pikesville`).
//!
//! The set is built on first use: only text that reads as clinical notes,
//! and has a preposition before a word, asks for it.

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

use crate::patterns::words::{WordLists, CLINICAL, COMMON, EPONYM, TITLE, UNIT};

const TOWNS: &str = include_str!("../../../patterns/places/us_towns.txt");

/// US states and territories: not PHI (Safe Harbor keeps the state), and
/// many are also a town's name (`Florida, NY`).
const STATES: &str = include_str!("../../../patterns/places/us_states.txt");

/// The most words a town name is looked up with (`South Chicago Heights`).
const MAX_WORDS: usize = 3;

fn towns() -> &'static FxHashSet<&'static str> {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        let states: FxHashSet<&str> = STATES.lines().collect();
        TOWNS.lines().filter(|l| !l.is_empty() && !states.contains(l)).collect()
    })
}

/// The length of the longest prefix of `value`, of up to [`MAX_WORDS`]
/// space-separated words, that is a US town (and no state); `None` when
/// none is. A one-word town must be no common, unit, title or eponym word,
/// nor a clinical word unless capitalized (`Hope`, `Normal`, `Home`, `Foley` are towns too); a town of
/// common English words only must be capitalized (`Bel Air`) or open as
/// place names do (`new haven`, `NORTH BEACH`; not `left hand`).
pub(crate) fn town_prefix(value: &[u8]) -> Option<usize> {
    const LONGEST: usize = 48;
    let text = std::str::from_utf8(value).ok()?;
    // The ends of the first MAX_WORDS words.
    let mut ends = [0usize; MAX_WORDS];
    let mut words = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b' ' && words < MAX_WORDS {
            ends[words] = i;
            words += 1;
        }
    }
    if words < MAX_WORDS {
        ends[words] = text.len();
        words += 1;
    }
    let set = towns();
    let lists = WordLists::embedded();
    let mut buf = [0u8; LONGEST];
    for &end in ends[..words].iter().rev() {
        if end > LONGEST {
            continue;
        }
        for (l, b) in buf.iter_mut().zip(&value[..end]) {
            *l = b.to_ascii_lowercase();
        }
        let Ok(lower) = std::str::from_utf8(&buf[..end]) else { continue };
        if !set.contains(lower) {
            continue;
        }
        let capitalized = text[..end].split(' ').all(|w| {
            let b = w.as_bytes();
            b[0].is_ascii_uppercase() && b[1..].iter().any(u8::is_ascii_lowercase)
        });
        // The clinical list holds many towns' names too (`Rockville`,
        // `Bakersfield`): one of its words is a town only when capitalized
        // in mixed case (`lives in Rockville`, not `to replete`).
        let word = |w: &str| {
            let f = lists.flags(w.as_bytes());
            f & (COMMON | UNIT | TITLE | EPONYM) != 0 || f & CLINICAL != 0 && !capitalized
        };
        let common = |w: &str| lists.flags(w.as_bytes()) & COMMON != 0;
        let mut parts = lower.split(' ');
        let first = parts.next().unwrap_or_default();
        let ok = if lower.contains(' ') {
            !(common(first) && parts.all(common)) || capitalized || crate::names::is_place_prefix(first.as_bytes())
        } else {
            !word(first)
        };
        if ok {
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_town_prefix() {
        assert_eq!(town_prefix(b"Catonsville husband"), Some(11));
        assert_eq!(town_prefix(b"Bel Air and"), Some(7));
        assert_eq!(town_prefix(b"new haven today"), Some(9));
        assert_eq!(town_prefix(b"PIKESVILLE"), Some(10));
        // Towns that are words are not taken alone.
        assert_eq!(town_prefix(b"home today"), None);
        assert_eq!(town_prefix(b"Hope you"), None);
        assert_eq!(town_prefix(b"foley cath"), None);
        assert_eq!(town_prefix(b"left hand or arm"), None);
        // States are not PHI.
        assert_eq!(town_prefix(b"Florida. Currently"), None);
        assert_eq!(town_prefix(b"new hampshire and maine"), None);
    }
}
