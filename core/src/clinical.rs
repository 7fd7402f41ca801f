//! Clinical notes: whether a block reads as one, for the rules that hold
//! only there (a bare `7/22` is a date in a nursing note and a ratio in a
//! log).
//!
//! A block reads as clinical when clinical shorthand is dense in its first
//! 16 KiB: at least three of the words in [`SHORTHAND`], and one every 400
//! bytes on average (or twenty in all). The words are the abbreviations nurses and
//! physicians write in every note (`pt`, `s/p`, `c/o`, `prn`, `afebrile`,
//! `BP`), chosen to be rare in code and logs.

use std::cell::Cell;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::matcher::{is_word_byte, word_list_automaton};

/// Clinical shorthand, lower case, matched as whole words in any case.
const SHORTHAND: &[&str] = &[
    "pt",
    "pts",
    "hx",
    "s/p",
    "c/o",
    "h/o",
    "w/",
    "d/c",
    "d/c'd",
    "f/u",
    "prn",
    "bid",
    "tid",
    "qid",
    "qd",
    "qhs",
    "po",
    "npo",
    "iv",
    "ivf",
    "bp",
    "hr",
    "rr",
    "sbp",
    "cvp",
    "spo2",
    "sao2",
    "o2",
    "sats",
    "afebrile",
    "febrile",
    "lungs",
    "neuro",
    "resp",
    "gi",
    "gu",
    "abd",
    "heme",
    "foley",
    "ngt",
    "peg",
    "iabp",
    "cabg",
    "cath",
    "cxr",
    "ekg",
    "ecg",
    "icu",
    "ccu",
    "micu",
    "sicu",
    "nicu",
    "ett",
    "vent",
    "intubated",
    "extubated",
    "sedated",
    "mg",
    "mcg",
    "gtt",
    "meds",
    "dx",
    "rx",
    "sx",
    "nka",
    "nkda",
    "mae",
    "perrl",
    "sob",
    "cp",
    "n/v",
    "bs",
    "bm",
    "lbm",
    "u/o",
    "uo",
    "pmh",
    "hpi",
    "ros",
    "wbc",
    "hct",
    "inr",
    "ptt",
    "k+",
    "lasix",
    "tylenol",
    "morphine",
    "heparin",
    "coumadin",
    "dopamine",
    "levophed",
    "propofol",
    "fentanyl",
    "ativan",
    "haldol",
    "vanco",
    "zosyn",
    "insulin",
    "tele",
    "sinus",
    "afib",
    "pvc",
    "pvcs",
    "nsr",
    "st",
    "edema",
    "diuresis",
    "sputum",
    "suctioned",
    "lethargic",
    "oriented",
    "denies",
    "tolerating",
    "ambulating",
    "oob",
    "ivp",
    "gtts",
    "neb",
    "nebs",
    "cpap",
    "bipap",
    "trach",
    "vss",
];

fn shorthand() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| word_list_automaton(SHORTHAND))
}

thread_local! {
    /// The last block asked about: (address, length, answer). A block's
    /// candidates ask many times; the answer is computed once.
    static LAST: Cell<(usize, usize, bool)> = const { Cell::new((0, 0, false)) };
}

/// Whether `hay` (one scan block, or one field value) reads as clinical
/// notes.
pub(crate) fn is_clinical(hay: &[u8]) -> bool {
    let key = (hay.as_ptr() as usize, hay.len());
    if let Some(answer) = LAST.with(|last| {
        let (ptr, len, answer) = last.get();
        ((ptr, len) == key).then_some(answer)
    }) {
        return answer;
    }
    let answer = count(hay);
    LAST.with(|last| last.set((key.0, key.1, answer)));
    answer
}

/// The bytes of a block that are read to decide: notes are alike from one
/// end of a file to the other, and a block is at least 256 KiB.
const SAMPLE: usize = 16 * 1024;

fn count(hay: &[u8]) -> bool {
    let hay = &hay[..hay.len().min(SAMPLE)];
    let mut hits = 0usize;
    for m in shorthand().find_iter(hay) {
        let before = m.start().checked_sub(1).map(|i| hay[i]);
        let after = hay.get(m.end()).copied();
        let word = |b: Option<u8>| b.is_some_and(|b| is_word_byte(b) || b == b'/');
        if !word(before) && !word(after) {
            hits += 1;
            if hits >= 20 {
                return true;
            }
        }
    }
    hits >= 3 && hits * 400 >= hay.len()
}

/// Whether `hay[start..end]`, a `n/d`, is a fraction, a score or a setting
/// rather than a date: a numerator below a small denominator (`1/2`, `3/4`,
/// pain `3/10`), a perfect strength score (`5/5`), a dose after it (`1/2
/// tab`), or a ventilator setting (see [`is_setting`]).
pub(crate) fn is_fraction(hay: &[u8], start: usize, end: usize) -> bool {
    let value = &hay[start..end];
    let Some(slash) = value.iter().position(|&b| b == b'/') else { return false };
    let num = |d: &[u8]| d.iter().fold(0u32, |n, &b| n * 10 + u32::from(b.wrapping_sub(b'0')));
    let (n, d) = (num(&value[..slash]), num(&value[slash + 1..]));
    if matches!(d, 2 | 3 | 4 | 5 | 8 | 10) && (n == d || n < d && !date_word_before(hay, start)) {
        return true;
    }
    let rest = &hay[end..hay.len().min(end + 12)];
    let rest = rest.trim_ascii_start().to_ascii_lowercase();
    ["tab", "cap", "strength", "of ", "x "].iter().any(|w| rest.starts_with(w.as_bytes()))
        || is_setting(hay, start, end)
}

/// Whether a word that introduces a date ends right before `start` (`on
/// 7/8`, `s/p 3/8`, `since 2/3`): then a fraction's shape is a date.
fn date_word_before(hay: &[u8], start: usize) -> bool {
    let before = hay[start.saturating_sub(8)..start].trim_ascii_end();
    let word = &before[before.iter().rposition(|&b| b == b' ' || b == b'\n').map_or(0, |p| p + 1)..];
    [&b"on"[..], b"s/p", b"since", b"until"].iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// Ventilator modes and settings, whose pressures are written `n/n` (`PSV
/// 10/5`, `CPAP 5/5`, `10/5 PEEP`).
const SETTING_WORDS: &[&[u8]] = &[
    b"ps", b"psv", b"cpap", b"bipap", b"peep", b"ips", b"ipap", b"epap", b"simv", b"imv", b"prvc", b"aprv", b"flowby",
    b"vent", b"fio2",
];

/// Whether `hay[start..end]` is a ventilator setting: a mode or setting
/// word before it (`PSV 10/5`, `flowby 6/2`), or a percentage or setting
/// word right after it on its line (`10/5 PEEP`, `5/5, 40%`, `5/30%`).
fn is_setting(hay: &[u8], start: usize, end: usize) -> bool {
    let setting = |w: &[u8]| SETTING_WORDS.iter().any(|s| s.eq_ignore_ascii_case(w));
    let mut i = start;
    while i > 0 && start - i < 3 && matches!(hay[i - 1], b' ' | b':' | b'@' | b'-' | b'=' | b'(') {
        i -= 1;
    }
    let word_end = i;
    while i > 0 && word_end - i < 8 && hay[i - 1].is_ascii_alphanumeric() {
        i -= 1;
    }
    if setting(&hay[i..word_end]) || hay[start.saturating_sub(2)..start].contains(&b'%') {
        return true;
    }
    let after = &hay[end..hay.len().min(end + 12)];
    let line = &after[..after.iter().position(|&b| b == b'\n').unwrap_or(after.len())];
    let letters = line.iter().position(u8::is_ascii_alphabetic).unwrap_or(line.len());
    if line[..letters].contains(&b'%') {
        return true;
    }
    let word = &line[letters..];
    let word = &word[..word.iter().position(|b| !b.is_ascii_alphanumeric()).unwrap_or(word.len())];
    letters <= 2 && setting(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_read_as_clinical_and_logs_do_not() {
        assert!(is_clinical(b"Pt s/p CABG, afebrile. BP 110/60, HR 80 SR. Lungs clear. c/o pain, prn morphine given."));
        assert!(!is_clinical(b"2024-01-15 10:22:01 INFO GET /api/v1/items 200 12ms\n2024-01-15 10:22:02 INFO ok\n"));
        assert!(!is_clinical(b"fn main() { let x = 1/2; println!(\"{}\", x); }"));
    }

    #[test]
    fn fractions_and_scores_are_not_dates() {
        let yes = |t: &str| is_fraction(t.as_bytes(), 0, t.find(' ').unwrap_or(t.len()));
        assert!(yes("1/2 tab"));
        assert!(yes("3/4"));
        assert!(yes("3/10 pain"));
        assert!(yes("5/5"));
        let setting = |t: &str, v: &str| {
            let at = t.find(v).unwrap();
            is_fraction(t.as_bytes(), at, at + v.len())
        };
        assert!(setting("pt remains intubated on PSV 12/10, Vt 450", "12/10"));
        assert!(setting("with flowby 6/2. Spont vols", "6/2"));
        assert!(setting("currently on 10/25 50% 5p", "10/25"));
        assert!(setting("CPAP/PSV 12/10/40% drawing", "12/10/40"));
        assert!(setting("ON VENT: .40/IPS 10/7 PEEP", "10/7"));
        assert!(!setting("admitted on 7/22 for CP", "7/22"));
        assert!(!setting("LBM 11/4, abd soft", "11/4"));
        assert!(!setting("pacer placed on 7/8. BP 94", "7/8"));
        assert!(setting("strength 5/5 on 5/5 bilat", "5/5"));
        assert!(yes("7/8 of"));
        assert!(!yes("7/22"));
        assert!(!yes("10/15"));
        assert!(!yes("8/5"));
    }
}
