//! Context scoring: hotwords near a candidate, field names, and the named
//! rules that recognise event timestamps and version strings.
//!
//! Hotwords are found in the same pass as the shapes: [`Context::pattern`]
//! is one more pattern of the shape matcher (whole words, case-insensitive,
//! longest first), so a block's labels come out of the one automaton run,
//! sorted by position; the automaton gives each one's end, and
//! [`Context::keyword_ending_at`] its start and which hotword it is.
//! The hotwords near a candidate are then a bucket look-up in that list
//! ([`Keywords`]), whatever the number of detectors that carry hotwords.
//!
//! The window before a candidate is the current line, back to
//! [`Context::window`] bytes; when the line holds nothing but punctuation
//! before the candidate (a value under its label), the previous line counts
//! too. The window after is half as long and never leaves the line.

use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir, Look};
use rustc_hash::FxHashMap;

use crate::error::Error;
use crate::matcher::is_word_byte;
use crate::patterns::words::WEEKDAYS;
use crate::patterns::{Detector, Rule, MAX_CONTEXT_WORD};
use crate::swar;

/// Keys whose values are event times, not patient dates.
const EVENT_TIME_KEYS: &[&str] = &[
    "ts",
    "time",
    "timestamp",
    "datetime",
    "date_time",
    "logged_at",
    "log_time",
    "event_time",
    "eventtime",
    "asctime",
    "created_at",
    "updated_at",
    "modified_at",
    "received_at",
    "sent_at",
    "started_at",
    "finished_at",
    "expires_at",
    "expiry",
];

/// English function words, and the words clinical prose repeats every
/// few lines (`patient`, `pt`). A hotword that is one of them (`with`,
/// `by`, `to`, `from` and `patient` speak for names) occurs so often that,
/// found by the automaton, its occurrences would cost a slow step of the
/// automaton, a look-up and a place in the list each, more than looking
/// for it where it can matter. So when it only scores candidates (no
/// detector searches for its value after it), it is looked for on demand,
/// in the window of the candidates of the detectors it speaks for.
const FREQUENT_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with", "patient",
    "pt",
];

/// Words before a number that make it a version, not PHI.
const VERSION_WORDS: &[&str] = &["v", "ver", "version", "release", "build", "firmware", "rev"];

/// What the window around one candidate says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Hotwords {
    /// A hotword of the detector is near.
    pub(crate) positive: bool,
    /// A negative word of the detector is near.
    pub(crate) negative: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Polarity {
    Positive,
    Negative,
}

/// The hotwords and window settings.
#[derive(Debug)]
pub(crate) struct Context {
    /// See [`Context::pattern`].
    pattern: Option<Hir>,
    /// Lower-case hotword → index into `owners`.
    index: ShortWords,
    /// For each length up to [`MAX_CONTEXT_WORD`], a bit for each first
    /// byte (lower case, modulo 64) of the hotwords of that length: the
    /// cheap test that rules out most places a hotword could start, in
    /// [`Context::keyword_ending_at`]'s search.
    first_bytes: [u64; MAX_CONTEXT_WORD + 1],
    /// A bit for each (length below 16, first byte, last byte) of the last
    /// word of the hotwords that are more than one word (`date of service`,
    /// `s/n`), bytes modulo 32: whether such a hotword may end in a given
    /// word (see [`last_word_bit`]).
    last_words: Box<[u64; 16 * 32 * 32 / 64]>,
    /// The length of the longest hotword.
    longest: usize,
    /// For each hotword, the detectors it speaks for and how.
    owners: Vec<Vec<(u32, Polarity)>>,
    /// For each detector, its hotwords that are looked for on demand (see
    /// [`FREQUENT_WORDS`]), lower case.
    on_demand: Vec<Vec<(Box<[u8]>, Polarity)>>,
    /// For each detector, whether it has any hotword (positive or negative)
    /// at all: most of a clinical note's addresses and ZIP codes come from
    /// detectors with none, whose windows need no look.
    has_hotwords: Vec<bool>,
    /// Bytes before a candidate that are searched for hotwords.
    pub(crate) window: usize,
}

impl Context {
    pub(crate) fn new(detectors: &[Detector], window: usize) -> Result<Context, Error> {
        let mut words: Vec<&str> = Vec::new();
        let mut owners: Vec<Vec<(u32, Polarity)>> = Vec::new();
        let mut pairs: Vec<(&str, u32, Polarity)> = Vec::new();
        for (i, d) in detectors.iter().enumerate() {
            for w in &d.context {
                pairs.push((w, i as u32, Polarity::Positive));
            }
            for w in &d.negative_context {
                pairs.push((w, i as u32, Polarity::Negative));
            }
        }
        for (w, det, pol) in pairs {
            match words.iter().position(|x| *x == w) {
                Some(k) => owners[k].push((det, pol)),
                None => {
                    words.push(w);
                    owners.push(vec![(det, pol)]);
                }
            }
        }
        // Detectors whose values are searched for after their hotwords
        // need every hotword from the automaton.
        let driven = |det: u32| {
            let d = &detectors[det as usize];
            d.requires_context || d.rules.contains(&Rule::AfterAddress)
        };
        let mut on_demand = vec![Vec::new(); detectors.len()];
        let mut kept_words = Vec::new();
        let mut kept_owners = Vec::new();
        for (w, own) in words.into_iter().zip(owners) {
            let lower = w.to_ascii_lowercase();
            if FREQUENT_WORDS.contains(&lower.as_str()) && own.iter().all(|&(det, _)| !driven(det)) {
                for (det, pol) in own {
                    on_demand[det as usize].push((lower.as_bytes().into(), pol));
                }
            } else {
                kept_words.push(w);
                kept_owners.push(own);
            }
        }
        let mut index = ShortWords::default();
        let mut first_bytes = [0u64; MAX_CONTEXT_WORD + 1];
        let mut last_words = Box::new([0u64; 16 * 32 * 32 / 64]);
        for (i, w) in kept_words.iter().enumerate() {
            // Pattern files give hotwords in lower case (checked on load).
            let bytes = w.as_bytes();
            index.insert(bytes, i as u32);
            first_bytes[bytes.len()] |= 1 << (bytes[0] & 63);
            let last = bytes.iter().rev().take_while(|&&b| is_word_byte(b)).count();
            if last > 0 && last < bytes.len() && last < 16 {
                let bit = last_word_bit(&bytes[bytes.len() - last..]);
                last_words[bit / 64] |= 1 << (bit % 64);
            }
        }
        let has_hotwords = detectors.iter().map(|d| !d.context.is_empty() || !d.negative_context.is_empty()).collect();
        Ok(Context {
            pattern: keyword_pattern(&kept_words),
            index,
            first_bytes,
            last_words,
            longest: kept_words.iter().map(|w| w.len()).max().unwrap_or(0),
            owners: kept_owners,
            on_demand,
            has_hotwords,
            window,
        })
    }

    /// The regex that finds every hotword as a whole word, case-insensitive:
    /// the engine runs it as one more pattern of the shape matcher, so
    /// finding labels costs no pass of its own. `None` without hotwords.
    pub(crate) fn pattern(&self) -> Option<&Hir> {
        self.pattern.as_ref()
    }

    /// The hotword matched at `start..end`, if it is one.
    pub(crate) fn keyword(&self, hay: &[u8], start: usize, end: usize) -> Option<Keyword> {
        self.index.get(hay, start, end).map(|word| Keyword { start, end, word })
    }

    /// The hotword that the shape matcher's hotword pattern matched ending
    /// at `end`, in a search that began at `from`: the longest one ending
    /// there that starts, as a whole word, at or after `from`. That is the
    /// match the leftmost-first search found (had any pattern matched
    /// starting between `from` and its start, the search would have
    /// reported that), the span its reverse search would give.
    pub(crate) fn keyword_ending_at(&self, hay: &[u8], from: usize, end: usize) -> Option<Keyword> {
        // Most hotwords are one word, so most matches are the word that
        // ends at `end`, unless a hotword of several words could end there.
        if end > from && is_word_byte(hay[end - 1]) {
            let len = swar::run_before(hay, end, swar::word_bytes, |&b| is_word_byte(b));
            let start = end - len;
            let bit = last_word_bit(&hay[start..end]);
            if len < 16 && start >= from && self.last_words[bit / 64] & 1 << (bit % 64) == 0 {
                if let Some(k) = self.keyword(hay, start, end) {
                    return Some(k);
                }
            }
        }
        // Else every place a hotword could start, from the leftmost.
        let lo = end.saturating_sub(self.longest).max(from);
        (lo..end).find_map(|s| {
            let b = hay[s];
            if self.first_bytes[end - s] & 1 << (b.to_ascii_lowercase() & 63) == 0 {
                return None;
            }
            // A hotword's first word byte needs a boundary before it.
            if is_word_byte(b) && s > 0 && is_word_byte(hay[s - 1]) {
                return None;
            }
            self.keyword(hay, s, end)
        })
    }

    /// The detectors a hotword speaks for, and how.
    pub(crate) fn owners(&self, k: &Keyword) -> impl Iterator<Item = (u32, bool)> + '_ {
        self.owners[k.word as usize].iter().map(|&(d, p)| (d, p == Polarity::Negative))
    }

    /// What the hotwords around `start..end` say about detector `det`;
    /// hotwords after the candidate count only when `after_counts`.
    pub(crate) fn evidence(
        &self,
        keywords: &Keywords,
        hay: &[u8],
        start: usize,
        end: usize,
        det: u32,
        after_counts: bool,
    ) -> Hotwords {
        let mut ev = Hotwords::default();
        if !self.has_hotwords[det as usize] {
            return ev;
        }
        let on_demand = &self.on_demand[det as usize];
        let mut look = |lo: usize, hi: usize| {
            let first = keywords.first_at(lo);
            for k in keywords.list[first..].iter().take_while(|k| k.start < hi) {
                if k.end > hi {
                    continue;
                }
                for &(d, pol) in &self.owners[k.word as usize] {
                    if d == det {
                        match pol {
                            Polarity::Positive => ev.positive = true,
                            Polarity::Negative => ev.negative = true,
                        }
                    }
                }
            }
            // Then the on-demand words, unless all they could say is said.
            let open = |&(_, pol): &(Box<[u8]>, Polarity)| match pol {
                Polarity::Positive => !ev.positive,
                Polarity::Negative => !ev.negative,
            };
            if on_demand.iter().any(open) {
                words_within(hay, lo, hi, on_demand, &mut ev);
            }
        };
        look(window_before(hay, start, self.window), start);
        if after_counts {
            look(end, window_after(hay, end, self.window / 2));
        }
        ev
    }

    /// The region after a label where its value may be: the rest of the
    /// line up to half a window, or the next line when the label ends its
    /// line.
    pub(crate) fn value_region(&self, hay: &[u8], label_end: usize) -> (usize, usize) {
        let reach = (self.window / 2).max(16);
        let line_end = window_after(hay, label_end, reach);
        let rest = &hay[label_end..line_end];
        if rest.iter().any(u8::is_ascii_alphanumeric) || line_end >= hay.len() {
            return (label_end, line_end);
        }
        let next = (line_end + 1).min(hay.len());
        let next = if hay.get(next) == Some(&b'\n') { next + 1 } else { next };
        (label_end, window_after(hay, next.min(hay.len()), reach))
    }

    /// The region before a label where a value that the label follows may
    /// be (`089 72 63 41 office`, `06-10446904-Office`): the line back to
    /// half a window.
    pub(crate) fn value_region_before(&self, hay: &[u8], label_start: usize) -> (usize, usize) {
        (line_start(hay, label_start, (self.window / 2).max(16)), label_start)
    }
}

/// Where the postcode closing an address block that ends at `end` may be:
/// the rest of its line and at most three more lines, 100 bytes in all,
/// stopping at a sentence end (`?` or `!` after a letter, or `.` after a
/// word of four or more letters, before a space; `???` bullets do not
/// stop). An address ending in `.` before a space (`Main St. Seen`) ends
/// its sentence there.
pub(crate) fn address_region(hay: &[u8], end: usize) -> (usize, usize) {
    // An address that ends in `St.` right before a space ends its sentence.
    if end > 0 && hay[end - 1] == b'.' && hay.get(end) == Some(&b' ') {
        return (end, end);
    }
    let ceil = (end + 100).min(hay.len());
    let mut lines = 0;
    let mut i = end;
    while i < ceil {
        match hay[i] {
            b'\n' => {
                lines += 1;
                if lines > 3 {
                    break;
                }
            }
            b'?' | b'!' if hay.get(i + 1) == Some(&b' ') && i > 0 && hay[i - 1].is_ascii_alphabetic() => break,
            // Not after an abbreviation (`Apt. 3`, `Mt. Pleasant`).
            b'.' if hay.get(i + 1) == Some(&b' ')
                && hay[..i].iter().rev().take_while(|b| b.is_ascii_alphabetic()).count() >= 4 =>
            {
                break
            }
            _ => {}
        }
        i += 1;
    }
    (end, i)
}

/// Whether a label ending at `label_end` may trail a value: it ends its
/// line or phrase (`089 72 63 41 office`, `06-10446904-Office\,`), and is
/// neither a heading (`MRN: 00123456`, `ID #`, `tel=`) nor a word that
/// goes on into a value or a sentence (`SSN 666-11-1050 call (617)…`).
pub(crate) fn trails(hay: &[u8], label_end: usize) -> bool {
    let next = hay[label_end..].iter().take(4).find(|b| **b != b' ' && **b != b'\t');
    !next.is_some_and(|b| b.is_ascii_alphanumeric() || b":#=(+".contains(b))
}

/// True when only a short run of separators (` `, `-`, `(`, `,`, `:`)
/// stands between a value and the label after it.
pub(crate) fn close_before_label(hay: &[u8], value_end: usize, label_start: usize) -> bool {
    let gap = &hay[value_end..label_start];
    gap.len() <= 3 && gap.iter().all(|b| b" -(,:".contains(b))
}

/// The bit of [`Context::last_words`] of a word (of fewer than 16 bytes).
#[inline]
fn last_word_bit(word: &[u8]) -> usize {
    let (first, last) = (word[0] & 31, word[word.len() - 1] & 31);
    ((word.len() & 15) * 32 + usize::from(first)) * 32 + usize::from(last)
}

/// Lower-case hotwords → their index, looked up ignoring ASCII case.
///
/// A look-up runs for every hotword the shape matcher finds (thousands per
/// MB of clinical notes), so the usual hotwords, of at most 16 bytes, sit
/// in an open-addressing table of their lower-case bytes as two `u64`s:
/// a look-up lower-cases eight bytes at a time, hashes two words and
/// compares two, instead of copying, hashing and comparing byte strings.
#[derive(Debug, Default)]
struct ShortWords {
    /// (bytes as two zero-padded little-endian chunks, length, index);
    /// length 0 marks an empty slot. At most half full.
    slots: Vec<(u64, u64, u32, u32)>,
    /// Slots in use.
    used: usize,
    /// Hotwords longer than 16 bytes.
    long: FxHashMap<Vec<u8>, u32>,
}

impl ShortWords {
    const SHORT: usize = 16;

    /// Adds a lower-case hotword (each is added once).
    fn insert(&mut self, word: &[u8], index: u32) {
        if word.len() > Self::SHORT {
            self.long.insert(word.to_vec(), index);
            return;
        }
        self.used += 1;
        if self.used * 2 > self.slots.len() {
            let old = std::mem::replace(&mut self.slots, vec![(0, 0, 0, 0); (self.used * 4).next_power_of_two()]);
            for (a, b, len, i) in old.into_iter().filter(|s| s.2 != 0) {
                self.place(a, b, len, i);
            }
        }
        let (a, b) = Self::chunks(word, 0, word.len());
        self.place(a, b, word.len() as u32, index);
    }

    fn place(&mut self, a: u64, b: u64, len: u32, index: u32) {
        let mask = self.slots.len() - 1;
        let mut at = Self::slot(a, b, len) & mask;
        while self.slots[at].2 != 0 {
            at = (at + 1) & mask;
        }
        self.slots[at] = (a, b, len, index);
    }

    /// The index of the hotword `hay[start..end]` is, ignoring ASCII case.
    #[inline]
    fn get(&self, hay: &[u8], start: usize, end: usize) -> Option<u32> {
        let len = end.checked_sub(start)?;
        if len > Self::SHORT {
            // Lower-cased on the stack: no allocation per look-up (pattern
            // files keep hotwords within the buffer).
            let mut buf = [0u8; MAX_CONTEXT_WORD];
            let text = hay.get(start..end).filter(|t| t.len() <= buf.len())?;
            for (d, s) in buf.iter_mut().zip(text) {
                *d = s.to_ascii_lowercase();
            }
            return self.long.get(&buf[..len]).copied();
        }
        if len == 0 || self.slots.is_empty() {
            return None;
        }
        let (a, b) = Self::chunks(hay, start, len);
        let mask = self.slots.len() - 1;
        let mut at = Self::slot(a, b, len as u32) & mask;
        loop {
            let s = self.slots[at];
            if s.2 == 0 {
                return None;
            }
            if (s.0, s.1, s.2) == (a, b, len as u32) {
                return Some(s.3);
            }
            at = (at + 1) & mask;
        }
    }

    /// `hay[start..start + len]` (`len` at most 16) in ASCII lower case as
    /// two zero-padded little-endian chunks, read straight from `hay`
    /// when 16 bytes are there.
    #[inline]
    fn chunks(hay: &[u8], start: usize, len: usize) -> (u64, u64) {
        let mut buf = [0u8; 16];
        let bytes: &[u8; 16] = match hay.get(start..start + 16) {
            Some(bytes) => bytes.try_into().expect("sixteen bytes"),
            None => {
                buf[..len].copy_from_slice(&hay[start..start + len]);
                &buf
            }
        };
        let chunk = |i: usize, keep: usize| {
            let w = u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().expect("eight bytes"));
            let w = if keep >= 8 { w } else { w & ((1u64 << (8 * keep)) - 1) };
            w | swar::in_range(w, b'A', b'Z') >> 2
        };
        (chunk(0, len), chunk(1, len.saturating_sub(8)))
    }

    /// A slot for the key, before masking.
    #[inline]
    fn slot(a: u64, b: u64, len: u32) -> usize {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let m = u128::from(a ^ b.rotate_left(29) ^ u64::from(len)).wrapping_mul(u128::from(K));
        ((m as u64) ^ ((m >> 64) as u64)) as usize
    }
}

/// A hotword found in a block.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Keyword {
    pub(crate) start: usize,
    pub(crate) end: usize,
    word: u32,
}

/// The hotwords of a block in order, indexed by position: every candidate
/// looks up the first hotword of its window, and a bucket look-up and a
/// step or two cost less than a binary search over the block's hundreds
/// of hotwords (whose branches mispredict).
#[derive(Debug, Default)]
pub(crate) struct Keywords {
    list: Vec<Keyword>,
    /// For each [`Keywords::BUCKET`]-byte stretch of the block, the index
    /// in `list` of the first hotword starting in it or after it.
    first_in_bucket: Vec<u32>,
}

impl Keywords {
    const BUCKET: usize = 256;

    /// Empties the list, to gather a block's hotwords with [`push`](Self::push).
    pub(crate) fn clear(&mut self) {
        self.list.clear();
        self.first_in_bucket.clear();
    }

    /// Adds a hotword found in the block (in any order).
    pub(crate) fn push(&mut self, k: Keyword) {
        self.list.push(k);
    }

    /// Sorts the gathered hotwords and indexes them for a block of `len` bytes.
    pub(crate) fn finish(&mut self, len: usize) {
        // The shape matcher finds them in order; a caller may not.
        if !self.list.is_sorted_by_key(|k| (k.start, k.end)) {
            self.list.sort_by_key(|k| (k.start, k.end));
        }
        let buckets = len / Self::BUCKET + 1;
        self.first_in_bucket.reserve(buckets);
        let mut i = 0;
        for b in 0..buckets {
            while i < self.list.len() && self.list[i].start < b * Self::BUCKET {
                i += 1;
            }
            self.first_in_bucket.push(i as u32);
        }
    }

    /// The hotwords, by start.
    pub(crate) fn list(&self) -> &[Keyword] {
        &self.list
    }

    /// The index of the first hotword starting at or after `pos`.
    fn first_at(&self, pos: usize) -> usize {
        let Some(&first) = self.first_in_bucket.get(pos / Self::BUCKET) else { return self.list.len() };
        let mut i = first as usize;
        while i < self.list.len() && self.list[i].start < pos {
            i += 1;
        }
        i
    }
}

/// True when at most two words stand between a label and its value.
pub(crate) fn close_to_label(hay: &[u8], label_end: usize, value_start: usize) -> bool {
    let gap = &hay[label_end..value_start];
    gap.split(|b| !b.is_ascii_alphabetic()).filter(|w| !w.is_empty()).count() <= 2
}

/// `(?i:\b(?:longest|…|short)\b)` with a boundary only where the word's
/// own edge is a word character (`mr#` and `f:` end in punctuation), built
/// as a syntax tree: parsing it from text, with hundreds of case-folded
/// alternatives, cost about as much as parsing every shape pattern.
fn keyword_pattern(words: &[&str]) -> Option<Hir> {
    if words.is_empty() {
        return None;
    }
    let mut sorted: Vec<&str> = words.to_vec();
    sorted.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    let word_byte = |b: Option<u8>| b.is_some_and(is_word_byte);
    let alternatives = sorted.iter().map(|w| {
        let bytes = w.as_bytes();
        let mut parts = Vec::with_capacity(bytes.len() + 2);
        if word_byte(bytes.first().copied()) {
            parts.push(Hir::look(Look::WordAscii));
        }
        // Case-insensitive as `(?i)` is without Unicode: ASCII letters
        // match either case, every other byte itself.
        parts.extend(bytes.iter().map(|&b| {
            if b.is_ascii_alphabetic() {
                let (up, low) = (b.to_ascii_uppercase(), b.to_ascii_lowercase());
                Hir::class(Class::Bytes(ClassBytes::new([
                    ClassBytesRange::new(up, up),
                    ClassBytesRange::new(low, low),
                ])))
            } else {
                Hir::literal([b])
            }
        }));
        if word_byte(bytes.last().copied()) {
            parts.push(Hir::look(Look::WordAscii));
        }
        Hir::concat(parts)
    });
    Some(Hir::alternation(alternatives.collect()))
}

/// Marks `ev` for each of `words` that stands as a whole word within
/// `hay[lo..hi]` (word bytes as for `\b`: ASCII letters, digits, `_`).
fn words_within(hay: &[u8], lo: usize, hi: usize, words: &[(Box<[u8]>, Polarity)], ev: &mut Hotwords) {
    let window = &hay[lo..hi];
    if window.len() > 64 {
        return words_within_long(hay, lo, hi, words, ev);
    }
    // The window's word bytes as bits, eight bytes at a time; then each
    // word is a run of ones, found with bit operations instead of a branch
    // per byte (this runs for most candidates).
    let mut mask = 0u64;
    let mut chunks = window.chunks_exact(8);
    for (k, chunk) in (&mut chunks).enumerate() {
        mask |= word_bits(u64::from_le_bytes(chunk.try_into().expect("eight bytes"))) << (8 * k);
    }
    let tail = window.len() / 8 * 8;
    for (j, &b) in chunks.remainder().iter().enumerate() {
        mask |= u64::from(is_word_byte(b)) << (tail + j);
    }
    // A word running in from before the window is not whole: skip it.
    if lo > 0 && is_word_byte(hay[lo - 1]) {
        mask &= mask.wrapping_add(1);
    }
    // Bit n: some word has n bytes (bit 63: 63 or more).
    let lengths = words.iter().fold(0u64, |m, (w, _)| m | 1u64 << w.len().min(63));
    while mask != 0 {
        let start = mask.trailing_zeros() as usize;
        let len = (!(mask >> start)).trailing_zeros() as usize;
        // Clear the run: adding its lowest bit carries through it.
        mask &= mask.wrapping_add(mask & mask.wrapping_neg());
        let end = start + len;
        // Nor is one running on past it.
        if end == window.len() && hay.get(hi).is_some_and(|&b| is_word_byte(b)) {
            break;
        }
        if lengths & (1u64 << len.min(63)) == 0 {
            continue;
        }
        mark_word(&window[start..end], words, ev);
    }
}

/// Marks `ev` for each of `words` that `token` is (ignoring ASCII case).
fn mark_word(token: &[u8], words: &[(Box<[u8]>, Polarity)], ev: &mut Hotwords) {
    for (w, pol) in words {
        if w.len() == token.len() && token.eq_ignore_ascii_case(w) {
            match pol {
                Polarity::Positive => ev.positive = true,
                Polarity::Negative => ev.negative = true,
            }
        }
    }
}

/// The word bytes of eight bytes read as a little-endian `u64`: bit `i`
/// of the result for byte `i`.
#[inline]
fn word_bits(w: u64) -> u64 {
    swar::gather(swar::word_bytes(w))
}

/// [`words_within`] for a window of more than 64 bytes, byte by byte.
fn words_within_long(hay: &[u8], lo: usize, hi: usize, words: &[(Box<[u8]>, Polarity)], ev: &mut Hotwords) {
    let is_word = is_word_byte;
    let longest = words.iter().map(|(w, _)| w.len()).max().unwrap_or(0);
    let window = &hay[lo..hi];
    let mut i = 0;
    // A word running in from before the window is not whole: skip it.
    if lo > 0 && is_word(hay[lo - 1]) {
        while i < window.len() && is_word(window[i]) {
            i += 1;
        }
    }
    while i < window.len() {
        if !is_word(window[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < window.len() && is_word(window[i]) {
            i += 1;
        }
        // Nor is one running on past it.
        if i == window.len() && hay.get(hi).is_some_and(|&b| is_word(b)) {
            break;
        }
        let token = &window[start..i];
        if token.len() <= longest {
            mark_word(token, words, ev);
        }
    }
}

/// Start of the line holding `pos`, looking back at most `reach` bytes
/// (`pos - reach` when the line is longer): per-candidate work must not
/// grow with the line, or one long line dense with PHI turns quadratic.
fn line_start(hay: &[u8], pos: usize, reach: usize) -> usize {
    let floor = pos.saturating_sub(reach);
    memchr::memrchr(b'\n', &hay[floor..pos]).map_or(floor, |i| floor + i + 1)
}

/// Start of the before-window of a candidate at `pos`.
fn window_before(hay: &[u8], pos: usize, window: usize) -> usize {
    let floor = pos.saturating_sub(window);
    let ls = line_start(hay, pos, window);
    if ls > floor && ls > 0 && !hay[ls..pos].iter().any(u8::is_ascii_alphanumeric) {
        // The value sits under its label (`DOB:` alone on the line above):
        // let the previous line speak.
        let prev = line_start(hay, ls - 1, window);
        let label = hay[prev..ls].iter().rev().find(|b| !b.is_ascii_whitespace());
        if matches!(label, Some(b':' | b'=')) {
            return prev.max(floor);
        }
    }
    ls.max(floor)
}

fn window_after(hay: &[u8], pos: usize, window: usize) -> usize {
    let ceil = (pos + window).min(hay.len());
    memchr::memchr2(b'\n', b'\r', &hay[pos..ceil]).map_or(ceil, |i| pos + i)
}

/// Applies a named rule; `false` means the candidate is dropped. `field` is
/// the normalized field name the caller supplied, if any. (An event time
/// may still be reported next to a patient-date hotword: the engine checks
/// that after this rule, only for the candidates it rejects.)
pub(crate) fn rule_allows(rule: Rule, hay: &[u8], start: usize, end: usize, field: Option<&str>) -> bool {
    match rule {
        Rule::LogTimestamp => !is_event_time(hay, start, end, field),
        Rule::NotVersion => !after_version_word(hay, start),
        Rule::Isolated => is_isolated(hay, start, end),
        Rule::IsolatedAddress => is_isolated_address(hay, start, end),
        Rule::BareDomain => is_bare_domain(hay, start, end),
        Rule::Standalone => is_standalone(hay, start, end),
        Rule::IsolatedDate => is_isolated_date(hay, start, end),
        Rule::AfterPreposition => after_preposition(hay, start),
        // Enforced by where the engine searches (see `address_region`).
        Rule::AfterAddress => true,
        Rule::ClinicalText => crate::clinical::is_clinical(hay),
        Rule::NotFraction => !crate::clinical::is_fraction(hay, start, end),
    }
}

/// A date is an event time when it leads its line and a time of day follows
/// it, or when it is the value of an event-time key (`"ts": "…"`, `time=…`).
fn is_event_time(hay: &[u8], start: usize, end: usize, field: Option<&str>) -> bool {
    if field.is_some_and(is_event_time_key) {
        return true;
    }
    // A leading timestamp has at most a few bytes (`[`, `<13>1 `) before it.
    let ls = line_start(hay, start, 64);
    let prefix = &hay[ls..start];
    let leading = prefix.iter().all(|b| matches!(b, b' ' | b'\t' | b'[' | b'(' | b'"' | b'\'' | b'<' | b'{'))
        || is_syslog_prefix(prefix);
    if leading && time_follows(hay, end) {
        return true;
    }
    // Anywhere on a line, a machine timestamp: an ISO 8601 date-time joined
    // by `T` (`web-1 | 2024-04-25T05:32:35Z`), or a weekday, the date and a
    // time (`Wed May 19 08:00:01`, `"Tue, 21 Oct 2025 04:01:45 GMT"`). An
    // event time unless a patient-date hotword is near (the caller checks);
    // `When: 1998-06-28 14:48:14` in prose stays a date.
    if matches!(hay.get(end), Some(b'T')) && time_follows(hay, end) {
        return true;
    }
    if weekday_before(hay, ls, start) && time_follows(hay, end) {
        return true;
    }
    preceding_key(hay, ls, start).is_some_and(|k| {
        // Keys are ASCII: normalized on the stack, as `normalize_field` would.
        let mut buf = [0u8; 32];
        match normalize_ascii_key(k.as_bytes(), &mut buf) {
            Some(key) => is_event_time_key(key),
            None => is_event_time_key(&crate::patterns::normalize_field(k)),
        }
    })
}

/// [`normalize_field`](crate::patterns::normalize_field) of an ASCII key of
/// at most 32 bytes, into `buf`; `None` for any other key.
fn normalize_ascii_key<'b>(key: &[u8], buf: &'b mut [u8; 32]) -> Option<&'b str> {
    if key.len() > buf.len() || !key.is_ascii() {
        return None;
    }
    let mut n = 0;
    for &b in key {
        if b.is_ascii_alphanumeric() {
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        } else if n > 0 && buf[n - 1] != b'_' {
            buf[n] = b'_';
            n += 1;
        }
    }
    while n > 0 && buf[n - 1] == b'_' {
        n -= 1;
    }
    std::str::from_utf8(&buf[..n]).ok()
}

/// A normalized key that names an event time (`ts`, `created_at`, `@timestamp`).
fn is_event_time_key(key: &str) -> bool {
    EVENT_TIME_KEYS.contains(&key) || key.ends_with("_at") || key.ends_with("timestamp")
}

/// A weekday name (`Wed`, `Tue,`, `Thursday`) right before `start`.
fn weekday_before(hay: &[u8], line_start: usize, start: usize) -> bool {
    let mut i = start;
    while i > line_start && matches!(hay[i - 1], b' ' | b',') {
        i -= 1;
    }
    let end = i;
    while i > line_start && hay[i - 1].is_ascii_alphabetic() {
        i -= 1;
    }
    end > i && WEEKDAYS.contains(&hay[i..end])
}

/// `<13>1 ` style syslog priority/version before the timestamp.
fn is_syslog_prefix(prefix: &[u8]) -> bool {
    prefix.len() <= 8
        && prefix.first() == Some(&b'<')
        && prefix.iter().all(|b| b.is_ascii_digit() || matches!(b, b'<' | b'>' | b' '))
}

/// `T10:22`, ` 10:22`, `_10:22` or `:10:22` right after the date, or
/// after a year that follows it (`21 Oct` + ` 2025 04:01:45`).
fn time_follows(hay: &[u8], end: usize) -> bool {
    time_right_after(hay, end) || year_after(hay, end).is_some_and(|at| time_right_after(hay, at))
}

/// Where a year (` 2025` or `, 2025`, four digits and no more) that starts
/// at `end` ends.
fn year_after(hay: &[u8], end: usize) -> Option<usize> {
    let at = end + usize::from(hay.get(end) == Some(&b','));
    let year = hay.get(at..at + 5)?;
    let digits = year[0] == b' ' && year[1..].iter().all(u8::is_ascii_digit);
    (digits && !hay.get(at + 5).is_some_and(u8::is_ascii_digit)).then_some(at + 5)
}

/// `T10:22`, ` 10:22`, `_10:22` or `:10:22` at `end`.
fn time_right_after(hay: &[u8], end: usize) -> bool {
    let rest = &hay[end..hay.len().min(end + 7)];
    let rest = match rest.first() {
        Some(b'T' | b' ' | b'_' | b':' | b't') => &rest[1..],
        _ => return false,
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    (1..=2).contains(&digits) && rest.get(digits) == Some(&b':')
}

/// The key of a `key=value`, `key: value` or `"key": "value"` pair whose
/// value starts at `start`.
fn preceding_key(hay: &[u8], line_start: usize, start: usize) -> Option<&str> {
    let mut i = start;
    let skip = |i: &mut usize, set: &[u8]| {
        while *i > line_start && set.contains(&hay[*i - 1]) {
            *i -= 1;
        }
    };
    skip(&mut i, b"\"' ");
    if i == line_start || !matches!(hay[i - 1], b'=' | b':') {
        return None;
    }
    i -= 1;
    skip(&mut i, b"\"' ");
    let key_end = i;
    while i > line_start && (hay[i - 1].is_ascii_alphanumeric() || matches!(hay[i - 1], b'_' | b'@' | b'.' | b'-')) {
        i -= 1;
    }
    std::str::from_utf8(&hay[i..key_end]).ok().filter(|k| !k.is_empty())
}

/// Words after which a bare month name is a date.
const DATE_PREPOSITIONS: &[&str] = &[
    "in", "on", "since", "during", "until", "till", "before", "after", "early", "late", "mid", "by", "from", "of",
    "last", "next", "this", "around", "through",
];

fn after_preposition(hay: &[u8], start: usize) -> bool {
    let word = previous_word(hay, start, b" ");
    DATE_PREPOSITIONS.iter().any(|v| v.as_bytes().eq_ignore_ascii_case(word))
}

/// The ASCII word that ends just before `start`, skipping up to two
/// separator bytes from `seps`.
fn previous_word<'h>(hay: &'h [u8], start: usize, seps: &[u8]) -> &'h [u8] {
    let mut i = start;
    while i > 0 && seps.contains(&hay[i - 1]) && start - i < 2 {
        i -= 1;
    }
    let end = i;
    while i > 0 && hay[i - 1].is_ascii_alphabetic() && end - i < 12 {
        i -= 1;
    }
    &hay[i..end]
}

fn after_version_word(hay: &[u8], start: usize) -> bool {
    // `Chrome/120.0.0.0`, `nginx/1.25.3.1`: a product's version.
    if start >= 2 && hay[start - 1] == b'/' && hay[start - 2].is_ascii_alphabetic() {
        return true;
    }
    let word = previous_word(hay, start, b" =:-_/");
    VERSION_WORDS.iter().any(|v| v.as_bytes().eq_ignore_ascii_case(word))
}

/// Not glued to more digits by `.`, `-`, `/` or `:` on either side (a phone
/// shape inside a longer dotted or dashed number). A dash before a whole
/// word of three or more letters is a label, not glue (`617-555-0123-Office`
/// in a signature); a dash before a shorter code still glues
/// (`555-123-4567-A`, a part number).
fn is_isolated(hay: &[u8], start: usize, end: usize) -> bool {
    !glued_left(hay, start) && (!glued_right(hay, end) || dash_label_follows(hay, end))
}

/// `-` then a run of three or more ASCII letters that ends the word.
fn dash_label_follows(hay: &[u8], end: usize) -> bool {
    if hay.get(end) != Some(&b'-') {
        return false;
    }
    let word = hay[end + 1..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
    word >= 3 && !hay.get(end + 1 + word).is_some_and(|b| b.is_ascii_digit() || *b == b'_')
}

fn is_glue(b: u8) -> bool {
    matches!(b, b'.' | b'-' | b'/' | b':' | b'_')
}

/// A digit, or glue after a digit, right before `start`.
fn glued_left(hay: &[u8], start: usize) -> bool {
    start >= 2 && is_glue(hay[start - 1]) && hay[start - 2].is_ascii_digit()
        || start >= 1 && hay[start - 1].is_ascii_digit()
}

/// A digit, or glue before a letter or digit, right at `end`.
fn glued_right(hay: &[u8], end: usize) -> bool {
    end + 1 < hay.len() && is_glue(hay[end]) && hay[end + 1].is_ascii_alphanumeric()
        || end < hay.len() && hay[end].is_ascii_digit()
}

/// A numeric date is isolated like a number ([`is_isolated`]), except
/// that a date with a four-digit year ends at a `.` followed by a capital
/// or a digit: nothing continues a complete calendar date after a dot, so
/// that is a sentence stop whose space is missing (`DOB 1990-01-01.Pt
/// presents`, common in typed notes) or a number after it (`seen
/// 03/14/2020.2 weeks later`). A `.` before a lower-case letter still glues
/// (a file name, `app-2024-01-15.log`), as do `-`, `/`, `:` and `_`
/// (`2024-01-15-123` is an identifier).
fn is_isolated_date(hay: &[u8], start: usize, end: usize) -> bool {
    if glued_left(hay, start) {
        return false;
    }
    if !glued_right(hay, end) {
        return true;
    }
    let value = &hay[start..end];
    let year_digits = |part: &[u8]| part.len() == 4 && part.iter().all(u8::is_ascii_digit);
    let full_year = value.len() >= 8 && (year_digits(&value[..4]) || year_digits(&value[value.len() - 4..]));
    let stop = hay[end] == b'.' && hay.get(end + 1).is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    full_year && stop
}

/// An address is isolated like a number ([`is_isolated`]) except on its
/// right, where what may follow is what follows addresses in logs and
/// configs: a port after an IPv4 address (`10.0.0.1:8080`), a path
/// (`10.0.0.1/api`, also an out-of-range prefix `10.0.0.0/123`, the
/// address being valid on its own). An IPv6 address followed by `:` and
/// more hex or another `:` is only the front of something longer
/// (`2001::db8::1`, a C++/Rust path), never an address.
fn is_isolated_address(hay: &[u8], start: usize, end: usize) -> bool {
    if glued_left(hay, start) {
        return false;
    }
    let v6 = hay[start..end].contains(&b':');
    if v6 && start > 0 && hay[start - 1] == b':' {
        return false;
    }
    let (Some(&next), after) = (hay.get(end), hay.get(end + 1).copied()) else {
        return true;
    };
    let after_alnum = after.is_some_and(|b| b.is_ascii_alphanumeric());
    // `c::foo`, `f64::MAX`, `de::{self}`, `Vec::<u8>`: a Rust or C++ path,
    // not an address ending in `::`.
    if v6 && hay[end - 1] == b':' && (next.is_ascii_alphanumeric() || matches!(next, b'_' | b'{' | b'<' | b'*')) {
        return false;
    }
    match next {
        b'0'..=b'9' => false,
        b'/' => true,
        b':' if v6 => !(after_alnum || after == Some(b':') || hay[end - 1] == b':'),
        b':' => true,
        b'.' | b'-' | b'_' => !after_alnum,
        _ => true,
    }
}

/// See [`Rule::Standalone`].
fn is_standalone(hay: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| hay[i]);
    let after = hay.get(end).copied();
    matches!(before, None | Some(b' ' | b'\t' | b'\n' | b'\r' | b'=' | b'[' | b'(' | b'"' | b'\'' | b','))
        && matches!(after, None | Some(b' ' | b'\t' | b'\n' | b'\r' | b']' | b')' | b'"' | b'\'' | b',' | b';' | b'.'))
}

/// A bare domain (`microsoft.com`) is a URL only when it stands alone. A
/// path after it is a Go import or a scheme-less URL (`github.com/pkg/x`;
/// with `http://` or `www.` the `url` detector reports it), `(`, `[` or
/// more name after it is code (`x.com(`, `a.com_b`), and a `/`, `\`, `@`
/// or `.` before it makes it part of a path or an e-mail address.
fn is_bare_domain(hay: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| hay[i]);
    if matches!(before, Some(b'/' | b'\\' | b'@' | b'.' | b'-' | b'_')) {
        return false;
    }
    let Some(&next) = hay.get(end) else {
        return true;
    };
    let after_alnum = hay.get(end + 1).is_some_and(u8::is_ascii_alphanumeric);
    match next {
        b'/' | b'\\' | b'(' | b'[' | b'@' => false,
        b'.' | b'-' | b'_' => !after_alnum,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hotwords_are_looked_up_ignoring_case_short_and_long() {
        let words = ["mrn", "dob", "date of service", "patient", "a", "sixteen-byte-wor", "seventeen-byte-wd", "mr#"];
        let mut index = ShortWords::default();
        for (i, w) in words.iter().enumerate() {
            index.insert(w.as_bytes(), i as u32);
        }
        // At the very end of the text (fewer than 16 bytes after the
        // start) and with bytes after it.
        for (i, w) in words.iter().enumerate() {
            for text in [w.to_string(), w.to_ascii_uppercase(), format!("{}, then more text", w.to_ascii_uppercase())] {
                assert_eq!(index.get(text.as_bytes(), 0, w.len()), Some(i as u32), "{text}");
                let padded = format!("x {text}");
                assert_eq!(index.get(padded.as_bytes(), 2, 2 + w.len()), Some(i as u32), "{padded}");
            }
        }
        for text in ["mr", "mrn#", "dob.", "Date of servic", "patients", "", "b", "sixteen-byte-woR!", "m\u{e9}n"] {
            assert_eq!(index.get(text.as_bytes(), 0, text.len()), None, "{text}");
        }
        assert_eq!(index.get(b"mrnx", 0, 3), Some(0), "only the span counts");
    }

    #[test]
    fn ascii_keys_normalize_like_field_names() {
        for key in ["ts", "@timestamp", "Event-Time", "created_at_", "__a..b__", "log.time", "X", "", "a_-_b"] {
            let mut buf = [0u8; 32];
            assert_eq!(
                normalize_ascii_key(key.as_bytes(), &mut buf),
                Some(crate::patterns::normalize_field(key).as_str()),
                "{key}"
            );
        }
        let mut buf = [0u8; 32];
        assert_eq!(normalize_ascii_key("a".repeat(33).as_bytes(), &mut buf), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// The bit-mask scan of a short window finds what the byte loop finds.
        #[test]
        fn short_windows_scan_like_the_byte_loop(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "to", "To", "by", "from", "with", "x", "_", "9", " ", ",", "\n", "\u{e9}", "tow", "ato", "BY",
            ]), 0..40),
            lo in 0usize..8,
            len in 0usize..=64,
        ) {
            let hay = parts.concat().into_bytes();
            let lo = lo.min(hay.len());
            let hi = (lo + len).min(hay.len());
            let words: Vec<(Box<[u8]>, Polarity)> = vec![
                (b"to".to_vec().into(), Polarity::Positive),
                (b"from".to_vec().into(), Polarity::Negative),
                (b"by".to_vec().into(), Polarity::Positive),
            ];
            let (mut fast, mut slow) = (Hotwords::default(), Hotwords::default());
            words_within(&hay, lo, hi, &words, &mut fast);
            words_within_long(&hay, lo, hi, &words, &mut slow);
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn event_times_are_recognised() {
        let log = b"2024-01-15 10:22:01 INFO ok";
        assert!(is_event_time(log, 0, 10, None));
        let json = br#"{"ts": "2024-01-15", "dob": "1962-03-14"}"#;
        assert!(is_event_time(json, 8, 18, None));
        assert!(!is_event_time(json, 29, 39, None));
        let kv = b"level=info time=2024-01-15T10:22:01Z msg=x";
        assert!(is_event_time(kv, 16, 26, None));
        assert!(!is_event_time(b"03/14/1962,John,Smith", 0, 10, None));
        assert!(is_event_time(b"03/14/1962", 0, 10, Some("timestamp")));
    }

    #[test]
    fn on_demand_words_are_whole_words_in_the_window() {
        let words: Vec<(Box<[u8]>, Polarity)> =
            vec![(b"with"[..].into(), Polarity::Positive), (b"to"[..].into(), Polarity::Negative)];
        let find = |hay: &[u8], lo: usize, hi: usize| {
            let mut ev = Hotwords::default();
            words_within(hay, lo, hi, &words, &mut ev);
            (ev.positive, ev.negative)
        };
        assert_eq!(find(b"seen With Mary", 0, 10), (true, false));
        assert_eq!(find(b"seen without Mary", 0, 13), (false, false));
        assert_eq!(find(b"went to Boston", 0, 8), (false, true));
        // A word cut by the window's edge is not whole.
        assert_eq!(find(b"went with Mary", 0, 7), (false, false));
        assert_eq!(find(b"went with Mary", 6, 14), (false, false));
        assert_eq!(find(b"", 0, 0), (false, false));
    }

    #[test]
    fn versions_and_glued_numbers() {
        assert!(after_version_word(b"version 10.1.2.3", 8));
        assert!(after_version_word(b"v1.2.3.4", 1));
        assert!(!after_version_word(b"host 10.1.2.3", 5));
        assert!(after_version_word(b"Chrome/120.0.0.0", 7));
        assert!(!after_version_word(b"http://10.0.0.1/", 7));
        assert!(is_isolated(b"call 617-555-0123 now", 5, 17));
        assert!(!is_isolated(b"id 1.617-555-0123", 5, 17));
        assert!(is_isolated(b"DOB:1990-01-01", 4, 14));
        assert!(!is_isolated(b"part 555-123-4567-A", 5, 17));
        assert!(is_isolated(b"555-123-4567-Office, x", 0, 12));
        assert!(is_isolated(b"555-123-4567-fax", 0, 12));
        assert!(!is_isolated(b"555-123-4567-AB12", 0, 12));
        assert!(!is_isolated(b"555-123-4567-AB", 0, 12));
    }

    #[test]
    fn labels_with_a_colon_do_not_trail_a_value() {
        assert!(!trails(b"SSN 900-11-1000 MRN: 00123456", 19));
        assert!(trails(b"089 72 63 41 office\n", 19));
        assert!(trails(b"06-10446904-Office\\,001", 18));
        assert!(!trails(b"SSN 666-11-1050 call (617) 555-0123", 20));
        assert!(!trails(b"555 1234 office hours", 15));
    }

    #[test]
    fn address_blocks_end_within_four_lines_or_at_a_sentence_stop() {
        let hay = b"12 Main St\n Apt. 3\n Springfield\n Spain 96857\nmore";
        assert_eq!(address_region(hay, 10), (10, 44));
        let hay = b"12 Main St. Seen 12345 times";
        assert_eq!(address_region(hay, 11), (11, 11));
        let hay = b"12 Main St\n??? Denmark 15838";
        assert_eq!(address_region(hay, 10), (10, hay.len()));
        let hay = b"12 Main St, Mt. Hope 12345";
        assert_eq!(address_region(hay, 10), (10, hay.len()));
        let hay = b"12 Main St, Seen. 12345 times";
        assert_eq!(address_region(hay, 10), (10, 16));
    }

    #[test]
    fn full_dates_end_at_a_sentence_stop() {
        assert!(is_isolated_date(b"DOB 1990-01-01.Pt presents", 4, 14));
        assert!(is_isolated_date(b"seen 03/14/2020.Follow up", 5, 15));
        assert!(is_isolated_date(b"Value 2020-01-01.1 is malformed", 6, 16));
        assert!(is_isolated_date(b"DOB 1990-01-01.", 4, 14));
        assert!(!is_isolated_date(b"app-2024-01-15.log", 4, 14));
        assert!(!is_isolated_date(b"id 2024-01-15-123", 3, 13));
        assert!(!is_isolated_date(b"3-14-62.5", 0, 7));
        assert!(!is_isolated_date(b"1.2020-01-01", 2, 12));
        assert!(!is_isolated_date(b"2020-01-015", 0, 10));
    }

    #[test]
    fn addresses_take_ports_and_paths_but_not_more_groups() {
        assert!(is_isolated_address(b"10.0.0.1:8080", 0, 8));
        assert!(is_isolated_address(b"curl 10.0.0.1/api/v1", 5, 13));
        assert!(is_isolated_address(b"10.0.0.0/123", 0, 8));
        assert!(is_isolated_address(b"IP: 10.0.0.1.", 4, 12));
        assert!(is_isolated_address(b"[2001:db8::1]:80", 1, 12));
        assert!(is_isolated_address(b"2001:db8::/9999", 0, 10));
        assert!(is_isolated_address(b"fe80::1: no route", 0, 7));
        assert!(!is_isolated_address(b"10.1.2.3.4", 0, 8));
        assert!(!is_isolated_address(b"1.2.3.4-beta", 0, 7));
        assert!(!is_isolated_address(b"5.10.1.2.3", 2, 10));
        assert!(!is_isolated_address(b"2001::db8::1", 0, 9));
        assert!(!is_isolated_address(b"a::b::cafe", 0, 4));
        assert!(!is_isolated_address(b"fe80::1:x", 0, 7));
        assert!(is_isolated_address(b"[::]:80", 1, 3));
        assert!(!is_isolated_address(b"ip ::: x", 3, 5));
        assert!(!is_isolated_address(b"ip ::: x", 4, 6));
        assert!(!is_isolated_address(b":::1", 1, 4));
        for code in ["c::foo", "f64::MAX", "de::{self}", "Vec::<u8>", "c::*", "a::_b"] {
            let end = code.find("::").unwrap() + 2;
            assert!(!is_isolated_address(code.as_bytes(), 0, end), "{code}");
        }
        assert!(is_isolated_address(b"fe80:: via eth0", 0, 6));
    }

    #[test]
    fn standalone_symbols() {
        assert!(is_standalone(b"src=:: dst", 4, 6));
        assert!(is_standalone(b"[::]:80", 1, 3));
        assert!(is_standalone(b"ipv6 ::", 5, 7));
        assert!(!is_standalone(b"ip ****:***::*", 11, 13));
        assert!(!is_standalone(b"ip ::/*", 3, 5));
    }

    #[test]
    fn bare_domains_stand_alone() {
        assert!(is_bare_domain(b"microsoft.com", 0, 13));
        assert!(is_bare_domain(b"see webmd.com.", 4, 13));
        assert!(is_bare_domain(b"(cdc.gov)", 1, 8));
        assert!(is_bare_domain(b"host=db.acme.com:5432", 5, 16));
        assert!(!is_bare_domain(b"github.com/pkg/errors", 0, 10));
        assert!(!is_bare_domain(b"x.com(1)", 0, 5));
        assert!(!is_bare_domain(b"a.com_b", 0, 5));
        assert!(!is_bare_domain(b"acme.com.au", 0, 8));
        assert!(!is_bare_domain(b"/srv/app.com", 5, 12));
        assert!(!is_bare_domain(b"jo@acme.com", 3, 11));
    }

    #[test]
    fn windows_stay_on_the_line_unless_under_a_label() {
        let text = b"ssn in previous line:\n  123";
        assert_eq!(window_before(text, 24, 64), 0);
        let text = b"ssn in previous line\n  123";
        assert_eq!(window_before(text, 23, 64), 21);
        let text = b"ssn in previous line\nid 123";
        assert_eq!(window_before(text, 24, 64), 21);
    }
}
