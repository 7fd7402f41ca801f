//! The name model: dictionary look-ups on capitalized tokens.
//!
//! Running an automaton of ~60,000 surnames over every byte reports every
//! substring hit ("Rose" in "Roseville", "Hall" in "hallway") and costs a
//! full pass. Names in text are capitalized words, so instead one cheap pass
//! splits the block into word tokens, and only capitalized (or all-caps)
//! tokens are looked up, once each, in a hash map of lower-case words.
//!
//! A token alone is weak evidence: `Will`, `May`, `Hope` are names and words.
//! The model groups adjacent capitalized tokens into runs (`Tracy
//! Shcherbakov`, `SMITH^JOHN`, `Smith, John`, `Dr. Kent Jaworski`) and scores
//! a run by what its tokens are: a given name or surname that is not a common
//! word is strong; a common word is weak; a capitalized word on no list is
//! unknown but joins a run next to a strong token (foreign surnames); a title
//! (`Dr.`, `Mrs`) makes the following capitalized words a name outright. A
//! run made only of medical eponyms (`Foley`, `Parkinson's`, `Glasgow`) is
//! never a name unless a title precedes it. The table of scores is in the
//! README ("Scoring").

use crate::patterns::words::{Table, WordSet, WEEKDAYS};
use crate::patterns::words::{CLINICAL, COMMON, EPONYM, EPONYM_COMMON, FIRST, LAST, PARTICLE, PLACE, SUFFIX, TITLE};
use crate::patterns::WordLists;
use crate::swar::{self, ONES, TOP};

/// How a token is capitalized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// `Smith`, `McDonald`, `Ivanović`.
    Cap,
    /// `SMITH` (two or more letters).
    Upper,
    /// `smith`.
    Lower,
}

/// What separates a token from the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sep {
    /// One space or tab.
    Space,
    /// `^` (HL7 component separator).
    Caret,
    /// `, ` (as in `Smith, John`).
    Comma,
    /// `. ` after an initial or title (`Dr. Kent`, `J. Smith`).
    Period,
    /// Anything else: the run is broken.
    Break,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    start: usize,
    end: usize,
    shape: Shape,
    sep: Sep,
    /// Word-list flags, looked up once while tokenizing (a lower-case
    /// token's in the small table of [`WordLists::spots`]).
    flags: u16,
    /// A word of a line with no capital letter at all, taken as if it
    /// were capitalized (see [`caseless_line`]).
    caseless: bool,
}

/// A name candidate: span and base score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct NameHit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) score: f32,
}

/// Byte classes of the tokenizer, one table load per byte.
const LETTER: u8 = 1;
const UPPER: u8 = 2;
const LOWER: u8 = 4;
const HIGH: u8 = 8;

/// [`LETTER`] for ASCII letters and every non-ASCII byte (a UTF-8 letter
/// may be anything there), plus [`UPPER`], [`LOWER`] or [`HIGH`].
static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'A'..=b'Z' => LETTER | UPPER,
            b'a'..=b'z' => LETTER | LOWER,
            0x80..=0xff => LETTER | HIGH,
            _ => 0,
        };
        b += 1;
    }
    table
};

#[inline]
fn class(b: u8) -> u8 {
    CLASS[usize::from(b)]
}

fn is_letter(b: u8) -> bool {
    class(b) & LETTER != 0
}

/// A word rather than a name: common English or clinical vocabulary.
const WORD: u16 = COMMON | CLINICAL;

/// Lower-case words longer than this cannot be titles or particles (the
/// longest in `patterns/names/titles.txt` and `particles.txt`); they only
/// break runs, so they are not kept as tokens.
const MAX_LOWER_KEPT: usize = 9;

/// Splits `hay` into word tokens (letters, plus inner apostrophes and
/// hyphens). Non-ASCII bytes count as letters, so `Horvatinčić` is one token.
///
/// Lower-case words matter only as a title before a capitalized word or a
/// particle right after one, so outside those spots the tokenizer jumps,
/// eight bytes at a time, to the next upper-case or non-ASCII byte: prose
/// and logs are mostly lower-case. A dropped word leaves letters in the gap
/// between two kept tokens, so their separator is [`Sep::Break`].
fn tokenize(words: &WordLists, hay: &[u8], out: &mut Vec<Token>) {
    out.clear();
    let mut i = 0;
    let n = hay.len();
    let mut last_end = 0;
    let mut have_last = false;
    // The last token is capitalized (`out.last()`'s shape, kept in a local).
    let mut last_cap = false;
    // The current line, and whether it has had no capital letter so far.
    let mut line_start = 0;
    let mut line_clean = true;
    macro_rules! end_line {
        ($at:expr) => {{
            let at = $at;
            if (line_clean || shouting(hay, line_start, at, out)) && caseless_line(words, hay, line_start, at, out) {
                let last = out.last().expect("a caseless line pushed a token");
                last_end = last.end;
                have_last = true;
            }
            last_cap = out.last().is_some_and(|t| t.shape != Shape::Lower);
            line_start = at + 1;
            line_clean = true;
        }};
    }
    while i < n {
        let after_name = last_cap && i - last_end <= 2;
        if !after_name {
            let next = next_stop(hay, i);
            if next >= n {
                break;
            }
            if hay[next] == b'\n' {
                end_line!(next);
                i = next + 1;
                continue;
            }
            if hay[next].is_ascii_uppercase() || starts_upper(&hay[next..]) {
                line_clean = false;
            }
            // Back to the start of that word (`McDonald`, `iPhone`).
            let mut ws = next;
            while ws > i && is_letter(hay[ws - 1]) {
                ws -= 1;
            }
            if let Some(title) = title_before(hay, ws).filter(|t| !have_last || t.0 >= last_end) {
                let gap = if have_last { &hay[last_end..title.0] } else { &[][..] };
                let mut token = Token {
                    start: title.0,
                    end: title.1,
                    shape: Shape::Lower,
                    sep: sep_of(gap),
                    flags: 0,
                    caseless: false,
                };
                token.flags = lookup(words, hay, &token);
                out.push(token);
                last_end = title.1;
                have_last = true;
                last_cap = false;
            }
            i = ws;
        }
        if !is_letter(hay[i]) {
            if hay[i] == b'\n' {
                end_line!(i);
            }
            i += 1;
            continue;
        }
        let start = i;
        let first = hay[i];
        // The classes of the word's letters after the first, for its shape.
        let mut rest = 0;
        i += 1;
        while i < n {
            let b = hay[i];
            let c = class(b);
            if c & LETTER != 0 {
                rest |= c;
                i += 1;
            } else if (b == b'\'' || b == b'-') && i + 2 < n && is_letter(hay[i + 1]) && is_letter(hay[i + 2]) {
                // O'Brien, Mary-Jane; but not the possessive in Smith's.
                rest |= class(hay[i + 1]);
                i += 2;
            } else {
                break;
            }
        }
        let end = i;
        let word = &hay[start..end];
        if first.is_ascii_lowercase() {
            // A lower-case word matters only as a title right before a
            // capitalized word (`ms. Wijtze`) or a particle right after one
            // (`Charles van Beers`); every other one just breaks runs.
            let title_spot = {
                let mut j = end;
                if hay.get(j) == Some(&b'.') {
                    j += 1;
                }
                hay.get(j) == Some(&b' ') && hay.get(j + 1).is_some_and(|&b| b.is_ascii_uppercase() || b >= 0x80)
            };
            let particle_spot = last_cap && &hay[last_end..start] == b" ";
            // Right after a capitalized title a lower-case word is the
            // surname (`Dr. griffin aware`): taken as in a caseless line.
            // So is a lower-case surname right after a capitalized given
            // name (`his wife, Janet logan`).
            let after_title = last_cap
                && out.last().is_some_and(|t| t.flags & TITLE != 0)
                && matches!(&hay[last_end..start], b" " | b". ");
            let after_first = last_cap
                && out.last().is_some_and(|t| t.shape == Shape::Cap && t.flags & FIRST != 0 && t.flags & WORD == 0)
                && &hay[last_end..start] == b" ";
            if (after_title || after_first) && end - start >= 2 {
                let mut token = Token {
                    start,
                    end,
                    shape: Shape::Cap,
                    sep: sep_of(&hay[last_end..start]),
                    flags: 0,
                    caseless: true,
                };
                token.flags = lookup(words, hay, &token);
                // Not a common word (`10mg ms given`, `Mary said`).
                if token.flags & WORD != 0 || after_first && token.flags & LAST == 0 {
                    continue;
                }
                out.push(token);
                last_end = end;
                have_last = true;
                last_cap = true;
                continue;
            }
            if end - start > MAX_LOWER_KEPT || !(title_spot || particle_spot) {
                continue;
            }
        }
        let shape = if first.is_ascii_uppercase() || (first >= 0x80 && starts_upper(word)) {
            // No lower-case ASCII letter, some capital, nothing non-ASCII
            // after the first letter: `SMITH`, `O'NEIL`.
            let all = class(first) | rest;
            if word.len() >= 2 && all & LOWER == 0 && all & UPPER != 0 && rest & HIGH == 0 {
                Shape::Upper
            } else {
                Shape::Cap
            }
        } else {
            Shape::Lower
        };
        if shape != Shape::Lower {
            line_clean = false;
        }
        let gap = if have_last { &hay[last_end..start] } else { &[][..] };
        let sep = sep_of(gap);
        let mut token = Token { start, end, shape, sep, flags: 0, caseless: false };
        token.flags = lookup(words, hay, &token);
        out.push(token);
        last_end = end;
        have_last = true;
        last_cap = shape != Shape::Lower;
    }
    if line_start < n && (line_clean || shouting(hay, line_start, n, out)) {
        caseless_line(words, hay, line_start, n, out);
    }
}

/// Capitals that are not part of a line of at least this many tokens
/// still say something (`JOHN SMITH` on a form, `PATIENT NAME`).
const MIN_SHOUTING_TOKENS: usize = 4;

/// `hay[start..end]` is a line written in capitals (`TO CALVERT HOSPITAL
/// ER- TO THEIR ICU`, a nursing note), where capitalization says no more
/// than in a line without any: it is read as a caseless line. Lines of
/// delimited fields (HL7 `|`/`^`, which have their own rules) keep their
/// capitals, and so do short lines (see [`MIN_SHOUTING_TOKENS`]).
fn shouting(hay: &[u8], start: usize, end: usize, out: &[Token]) -> bool {
    let in_line = out.iter().rev().take_while(|t| t.start >= start).count();
    in_line >= MIN_SHOUTING_TOKENS
        && out[out.len() - in_line..].iter().all(|t| t.shape == Shape::Upper || t.end - t.start == 1)
        && !hay[start..end].iter().any(|&b| b.is_ascii_lowercase() || b == b'|' || b == b'^')
        && !looks_like_code(&hay[start..end])
}

/// Tokenizes `hay[start..end]`, a line with no capital letter, where
/// capitalization says nothing: every word that is on a name list or on no
/// list at all becomes a token as if capitalized; common words are dropped
/// and so break runs. Replaces the tokens already taken from the line.
/// Returns whether it pushed any token.
fn caseless_line(words: &WordLists, hay: &[u8], start: usize, end: usize, out: &mut Vec<Token>) -> bool {
    while out.last().is_some_and(|t| t.start >= start) {
        out.pop();
    }
    if looks_like_code(&hay[start..end]) {
        return false;
    }
    let mut prev_end = out.last().map(|t| t.end);
    let mut pushed = false;
    let mut i = start;
    while i < end {
        if !is_letter(hay[i]) {
            i += 1;
            continue;
        }
        let ws = i;
        while i < end {
            let b = hay[i];
            if is_letter(b) {
                i += 1;
            } else if (b == b'\'' || b == b'-') && i + 2 < end && is_letter(hay[i + 1]) && is_letter(hay[i + 2]) {
                i += 2;
            } else {
                break;
            }
        }
        let mut token = Token { start: ws, end: i, shape: Shape::Cap, sep: Sep::Break, flags: 0, caseless: true };
        let f = lookup(words, hay, &token);
        // Common words that are surnames (`to`, `song`) are dropped too.
        // An initial stays (`W. MAROTTA`, `j. smith`), not the `s` of
        // `130's.`.
        let initial = i - ws == 1
            && hay.get(i) == Some(&b'.')
            && (ws == 0 || !hay[ws - 1].is_ascii_alphanumeric() && hay[ws - 1] != b'\'');
        // Right after a title any word may be the surname (`dr. pica`,
        // `DR. KNIGHT`); `run` trims the words that are no name (`DR
        // AWARE`).
        let titled =
            || out.last().is_some_and(|t| t.flags & TITLE != 0 && matches!(&hay[t.end..ws], b" " | b". " | b"."));
        let keep = f & (TITLE | PARTICLE) != 0
            || f & (FIRST | LAST) != 0 && (f & WORD == 0 || f & FIRST != 0)
            || f == 0 && (i - ws >= 2 || initial)
            || i - ws >= 2 && titled();
        if !keep {
            continue;
        }
        token.flags = f;
        token.sep = prev_end.map_or(Sep::Break, |p| sep_of(&hay[p..ws]));
        prev_end = Some(i);
        out.push(token);
        pushed = true;
    }
    pushed
}

/// The word `hay[start..end]` is part of an identifier or of code syntax,
/// never a name: glued to a digit (`PyO3`, `Sha256`), a generic or a call
/// after it (`Padding<c_ulong>`, `Val(x)`), a path on either side
/// (`Sp::new`, `c::IPPROTO_IP`), a macro (`vec![`), a capital closing a
/// mixed-case word (`NaN`, `IoT`), or, for an all-caps or lower-case word,
/// an underscore (`IP_MTU`, `nan_`; `Report_John_Smith.pdf` keeps its
/// capitalized names).
fn in_code(hay: &[u8], start: usize, end: usize, shape: Shape) -> bool {
    let next = hay.get(end).copied();
    let after = hay.get(end + 1).copied();
    let glued_after = match next {
        Some(b'0'..=b'9' | b'(') => true,
        // `Padding<c_ulong>`, but not a mail header's `John Smith<js@x.org>`.
        Some(b'<') => {
            let rest = &hay[end + 1..hay.len().min(end + 65)];
            let close = rest.iter().position(|&b| b == b'>').unwrap_or(rest.len());
            !rest[..close].contains(&b'@')
        }
        Some(b':') => after == Some(b':'),
        // `mrn=00328213`, `User=admin`: a key or a variable.
        Some(b'=') => true,
        Some(b'!') => matches!(after, Some(b'(' | b'[')),
        Some(b'_') => shape != Shape::Cap,
        _ => false,
    };
    let glued_before =
        start >= 2 && &hay[start - 2..start] == b"::" || start >= 1 && hay[start - 1] == b'_' && shape != Shape::Cap;
    let capital_last = shape == Shape::Cap
        && end - start >= 2
        && hay[end - 1].is_ascii_uppercase()
        && hay[start + 1..end - 1].iter().any(u8::is_ascii_lowercase);
    glued_after || glued_before || capital_last
}

/// A line without capitals that reads as a line of code (`assert_eq!(nan,
/// nan);`, `pt: vec![0, 1],`, `x => y`): its words are not taken as
/// lower-case names. A line of code ends with `;` or `{`, or holds a macro
/// call, a path or an arrow; chat and lower-case records (`my name is john
/// smith`, `{"name": "john smith"}`) hold none of these.
fn looks_like_code(line: &[u8]) -> bool {
    let trimmed = line.trim_ascii_end();
    matches!(trimmed.last(), Some(b';' | b'{'))
        || trimmed.windows(2).any(|w| matches!(w, b"!(" | b"![" | b"::" | b"=>" | b"->"))
}

/// An ASCII lower-case word (two letters or more) within a few words of
/// `hay[start..end]` on its line: the line is not written in capitals, so
/// a lone all-caps word there is an acronym (`the GIL while`), not a name.
fn lower_case_around(hay: &[u8], start: usize, end: usize) -> bool {
    const REACH: usize = 32;
    let lo = start.saturating_sub(REACH);
    let hi = (end + REACH).min(hay.len());
    let before = &hay[lo..start];
    let before = &before[before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)..];
    let after = &hay[end..hi];
    let after = &after[..after.iter().position(|&b| b == b'\n').unwrap_or(after.len())];
    let lower_pair = |s: &[u8]| s.windows(2).any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_lowercase());
    lower_pair(before) || lower_pair(after)
}

fn sep_of(gap: &[u8]) -> Sep {
    match gap {
        b" " | b"\t" => Sep::Space,
        b"^" => Sep::Caret,
        b", " | b"," => Sep::Comma,
        b". " | b"." => Sep::Period,
        _ => Sep::Break,
    }
}

/// A short lower-case word right before `ws`, as in `ms. Wijtze` or
/// `dr Kent`: a possible title.
fn title_before(hay: &[u8], ws: usize) -> Option<(usize, usize)> {
    let mut j = ws;
    if j == 0 || hay[j - 1] != b' ' {
        return None;
    }
    j -= 1;
    if j > 0 && hay[j - 1] == b'.' {
        j -= 1;
    }
    let end = j;
    let len = lower_letters_before(hay, end);
    if len == 0 || len > MAX_LOWER_KEPT {
        return None;
    }
    let j = end - len;
    let bounded = j == 0 || !is_letter(hay[j - 1]);
    bounded.then_some((j, end))
}

/// The first byte at or after `from` that is an ASCII capital, non-ASCII
/// (a UTF-8 letter may be upper-case) or a newline (lines without capitals
/// are tokenized apart), or `hay.len()`. Eight bytes per step.
fn next_stop(hay: &[u8], from: usize) -> usize {
    let mut i = from;
    while i + 8 <= hay.len() {
        let w = u64::from_le_bytes(hay[i..i + 8].try_into().expect("eight bytes"));
        let hits = (w & TOP) | swar::in_range(w, b'A', b'Z') | swar::first_equal(w, b'\n');
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    hay[i..].iter().position(|&b| b.is_ascii_uppercase() || b >= 0x80 || b == b'\n').map_or(hay.len(), |p| i + p)
}

/// The word at `start` begins a sentence or line.
fn initial_position(hay: &[u8], start: usize) -> bool {
    let before = hay[..start].iter().rev().find(|b| !matches!(b, b' ' | b'\t' | b'"' | b'(' | b'\''));
    matches!(before, None | Some(b'.' | b'!' | b'?' | b'\n' | b'\r' | b':' | b'>' | b'-' | b'*'))
}

fn starts_upper(word: &[u8]) -> bool {
    let text = match std::str::from_utf8(&word[..word.len().min(4)]) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(&word[..e.valid_up_to()]).unwrap_or(""),
    };
    text.chars().next().is_some_and(char::is_uppercase)
}

/// Looks up a token's flags (a lower-case token's in the small table of
/// the words it can matter as, [`WordLists::spots`]). The lists are ASCII: Latin letters with
/// diacritics fold to their base letter (`Söderberg` → `soderberg`, `Júlia`
/// → `julia`); a token with any other non-ASCII letter is on no list.
///
/// Most tokens are plain ASCII letters of at most eight bytes: their lower
/// case is `b | 0x20`, done on the zero-padded word read straight from
/// `hay` as one `u64` (two for up to 16 bytes), which is hashed as it
/// stands. That path is inlined into the tokenizer (one call per token);
/// the rest is [`lookup_long`].
#[inline(always)]
fn lookup(words: &WordLists, hay: &[u8], t: &Token) -> u16 {
    let table = if t.shape == Shape::Lower { words.spots() } else { words.all() };
    let len = t.end - t.start;
    if len <= 8 && t.start + 8 <= hay.len() {
        let w = u64::from_le_bytes(hay[t.start..t.start + 8].try_into().expect("eight bytes"));
        // A token has at least one byte.
        let w = w & (u64::MAX >> (64 - 8 * len));
        if plain(w) {
            return table.flags_of_chunks(&[lower(w)], len);
        }
    } else if len <= 16 && t.start + 16 <= hay.len() {
        // Clinical notes are full of long capitalized words: two chunks.
        let chunk = |at: usize| u64::from_le_bytes(hay[at..at + 8].try_into().expect("eight bytes"));
        let (a, b) = (chunk(t.start), chunk(t.start + 8) & (u64::MAX >> (128 - 8 * len)));
        if plain(a) && plain(b) {
            return table.flags_of_chunks(&[lower(a), lower(b)], len);
        }
    }
    lookup_long(table, hay, t)
}

/// A chunk of a token holds only ASCII letters (and zero padding): no
/// non-ASCII byte, apostrophe or hyphen.
#[inline(always)]
fn plain(w: u64) -> bool {
    w & TOP == 0 && swar::first_equal(w, b'\'') == 0 && swar::first_equal(w, b'-') == 0
}

/// A [`plain`] chunk in lower case: 0x20 into every non-zero byte
/// (letters, not the padding); the top bit of `(b & 0x7f) + 0x7f` is set
/// iff the byte is non-zero.
#[inline(always)]
fn lower(w: u64) -> u64 {
    const LOW7: u64 = !TOP;
    w | (((w & LOW7).wrapping_add(LOW7) & TOP) >> 2)
}

/// [`lookup`] of a token that is longer than 16 bytes, not plain ASCII
/// letters, or at the very end of `hay`.
#[inline(never)]
fn lookup_long(table: &Table, hay: &[u8], t: &Token) -> u16 {
    let word = &hay[t.start..t.end];
    if word.len() > 24 {
        return 0;
    }
    // The chunks are read straight from `hay` and masked to the word when
    // the bytes are there (copying the word into a buffer first and
    // reading it back as `u64`s stalls on store forwarding).
    let masked = |w: u64, keep: usize| if keep >= 8 { w } else { w & ((1u64 << (8 * keep)) - 1) };
    let mut buf = [0u8; 24];
    let chunks: [u64; 3] = if t.start + 24 <= hay.len() {
        let raw = &hay[t.start..t.start + 24];
        std::array::from_fn(|i| {
            let w = u64::from_le_bytes(raw[8 * i..8 * i + 8].try_into().expect("eight bytes"));
            masked(w, word.len().saturating_sub(8 * i))
        })
    } else {
        buf[..word.len()].copy_from_slice(word);
        std::array::from_fn(|i| u64::from_le_bytes(buf[8 * i..8 * i + 8].try_into().expect("eight bytes")))
    };
    if chunks.iter().all(|&w| plain(w)) {
        debug_assert!(word.iter().all(u8::is_ascii_alphabetic));
        return table.flags_of_chunks(&chunks.map(lower), word.len());
    }
    // Words joined by hyphens are a word (`AWARE-ORDER`, `A-line`,
    // `re-screened`) when each part of two letters or more is one.
    if word.is_ascii() && word.contains(&b'-') {
        let mut parts = word.split(|&b| b == b'-').filter(|p| p.len() >= 2).peekable();
        let mut part = [0u8; 24];
        if parts.peek().is_some()
            && parts.all(|p| {
                // `word` is at most 24 bytes, and so is each part.
                for (l, b) in part.iter_mut().zip(p) {
                    *l = b.to_ascii_lowercase();
                }
                table.flags(&part[..p.len()]) & WORD != 0
            })
        {
            return COMMON;
        }
    }
    // The Census lists spell O'Brien `obrien` and Smith-Jones `smithjones`.
    let mut n = 0;
    buf = [0u8; 24];
    if word.is_ascii() {
        for &b in word.iter().filter(|&&b| b != b'\'' && b != b'-') {
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        }
    } else {
        let Ok(text) = std::str::from_utf8(word) else { return 0 };
        for c in text.chars().filter(|&c| c != '\'' && c != '-') {
            let folded = match c {
                'A'..='Z' | 'a'..='z' => c.to_ascii_lowercase() as u8,
                '\u{c0}'..='\u{17f}' => LATIN_FOLD[c as usize - 0xc0],
                _ => return 0,
            };
            if folded == b'_' {
                return 0;
            }
            buf[n] = folded;
            n += 1;
        }
    }
    table.flags(&buf[..n])
}

/// Base letters of U+00C0..U+017F (Latin-1 Supplement and Latin
/// Extended-A), lower case; `_` where there is no single base letter (`Æ`,
/// `×`, `ß`).
const LATIN_FOLD: &[u8; 192] = b"aaaaaa_ceeeeiiiidnooooo_ouuuuy__aaaaaa_ceeeeiiiidnooooo_ouuuuy_y\
aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii__jjkk_llllll_\
_llnnnnnn___oooooo__rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

/// Finds name candidates in `hay`. `tokens` is a scratch buffer.
#[inline(never)]
pub(crate) fn find(words: &WordLists, hay: &[u8], tokens: &mut Vec<Token>, out: &mut Vec<NameHit>) {
    tokenize(words, hay, tokens);
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        // `Sr.` and `Fr.` are titles only with their period: `SR` is also
        // sinus rhythm (`SR NO VEA`), `Fr` a catheter's French gauge.
        let is_title = |f: u16| {
            f & TITLE != 0
                // Not glued to a number (`HR 79-84SR. no VEA`).
                && (t.start == 0 || !hay[t.start - 1].is_ascii_alphanumeric())
                && (!PERIOD_TITLES.contains(&hay[t.start..t.end])
                    || tokens.get(i + 1).is_some_and(|n| n.sep == Sep::Period))
        };
        if t.shape == Shape::Lower {
            // A lower-case title (`ms.`, `dr`) may still open a name.
            if tokens.get(i + 1).is_some_and(|n| n.shape != Shape::Lower && matches!(n.sep, Sep::Period | Sep::Space))
                && is_title(t.flags)
            {
                if let Some(end) = run(words, hay, tokens, i + 1, true, out) {
                    i = end;
                    continue;
                }
            }
            i += 1;
            continue;
        }
        let f = t.flags;
        if is_title(f)
            && tokens.get(i + 1).is_some_and(|n| n.shape != Shape::Lower && matches!(n.sep, Sep::Period | Sep::Space))
        {
            if let Some(end) = run(words, hay, tokens, i + 1, true, out) {
                i = end;
                continue;
            }
        }
        // A lone token on no name list (`INFO`, `Exception`) is not a name
        // unless a person-introducing word precedes it: skip the run
        // machinery (most capitalized words in logs).
        // (A lower-case word joins a run only as a particle between
        // names, `Charles van Beers`: after a token on no name list, any
        // other one ends the run at that token.)
        let joined = || {
            tokens
                .get(i + 1)
                .is_some_and(|n| n.sep != Sep::Break && (n.shape != Shape::Lower || n.flags & PARTICLE != 0))
        };
        // A lone word that is on some list but no name list (`Since`,
        // `Denies`, `Boston`) `run` trims away whatever precedes it (see
        // its `not_name` and trailing trims): no need to look for a trigger.
        let listed = f & (WORD | TITLE | EPONYM | PLACE | PARTICLE | SUFFIX) != 0;
        if f & (FIRST | LAST) == 0
            && !joined()
            && (listed || !trigger_before(hay, t.start) && !person_possessive(hay, t.end))
        {
            i += 1;
            continue;
        }
        // Nor is a lone name that is also a common word (`Read`, `Pool`,
        // `Will`): without a title (taken above) `run` scores it 0 unless it
        // is a given name right after a naming (`named Will`).
        if f & (FIRST | LAST) != 0
            && f & WORD != 0
            && !joined()
            && !(f & FIRST != 0 && f & PLACE == 0 && naming_before(hay, t.start))
        {
            i += 1;
            continue;
        }
        i = run(words, hay, tokens, i, false, out).unwrap_or(i + 1);
    }
    lift_lists(hay, tokens, out);
}

/// Names listed together vouch for each other (`founders: Kovalev, Lee
/// and Phillips`, `They had 6: Malon, Mark, Kaylee…`). A list is a chain of
/// name candidates and lone capitalized words joined only by `, `, ` and `,
/// `, and `, ` & `, ` or `. When at least half of its items are candidates
/// and none is a place (`Boston, Denver and Chicago`), every candidate
/// scores at least 0.6 and every lone capitalized word that is not a
/// common word (or is a given name or surname that is also one: `Mark`,
/// `Ball`) becomes a candidate at 0.6.
fn lift_lists(hay: &[u8], tokens: &[Token], hits: &mut Vec<NameHit>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Item {
        Hit(usize),
        /// A lone token (index) not known to be a word or a place.
        Liftable(usize),
        Place,
        Other,
    }
    let joined = |a_end: usize, b_start: usize| {
        b_start >= a_end + 2
            && b_start <= a_end + 6
            && matches!(&hay[a_end..b_start], b", " | b" and " | b", and " | b" & " | b" or " | b", or ")
    };
    // The item holding token `j` (a hit or the lone token) and the index of
    // its last token.
    let item_at = |hits: &[NameHit], j: usize| {
        let tok = tokens[j];
        let p = hits.partition_point(|h| h.end <= tok.start);
        if p < hits.len() && hits[p].start <= tok.start {
            let mut last = j;
            while last + 1 < tokens.len() && tokens[last].end < hits[p].end {
                last += 1;
            }
            return ((hits[p].start, hits[p].end, Item::Hit(p)), last);
        }
        let f = tok.flags;
        let kind = if f & PLACE != 0 {
            Item::Place
        } else if tok.shape == Shape::Cap
            && tok.end - tok.start >= 2
            && f & (EPONYM | TITLE | SUFFIX) == 0
            && (f & WORD == 0 || f & (FIRST | LAST) != 0)
        {
            Item::Liftable(j)
        } else {
            Item::Other
        };
        ((tok.start, tok.end, kind), j)
    };
    let mut added = Vec::new();
    let mut chain: Vec<(usize, usize, Item)> = Vec::new();
    // The next capitalized token after `j` (skipping an `and` kept as a
    // possible particle).
    let next_cap = |j: usize| {
        let mut nx = j + 1;
        while nx < tokens.len() && tokens[nx].shape == Shape::Lower && nx <= j + 1 {
            nx += 1;
        }
        (nx < tokens.len() && tokens[nx].shape != Shape::Lower).then_some(nx)
    };
    // The capitalized token before `j` (skipping an `and`).
    let prev_cap = |j: usize| {
        let mut p = j.checked_sub(1)?;
        if tokens[p].shape == Shape::Lower {
            p = p.checked_sub(1)?;
        }
        (tokens[p].shape != Shape::Lower).then_some(p)
    };
    // The first token at or after `start`, searched from `from` on (hits
    // come in order, so a galloping search stays in cache).
    let first_token_of = |from: usize, start: usize| {
        let mut lo = from;
        let mut step = 1;
        while lo + step < tokens.len() && tokens[lo + step].start < start {
            lo += step;
            step *= 2;
        }
        let hi = (lo + step + 1).min(tokens.len());
        lo + tokens[lo..hi].partition_point(|t| t.start < start)
    };
    let mut cursor = 0;
    // Every list holds a candidate: walk out from each one.
    let mut done_until = 0;
    let mut h = 0;
    while h < hits.len() {
        cursor = first_token_of(cursor, hits[h].start);
        let mut first = cursor;
        h += 1;
        if first < done_until || first >= tokens.len() {
            continue;
        }
        while let Some(p) = prev_cap(first).filter(|&p| p >= done_until && joined(tokens[p].end, tokens[first].start)) {
            let q = hits.partition_point(|x| x.end <= tokens[p].start);
            first = if q < hits.len() && hits[q].start <= tokens[p].start {
                let mut f = p;
                while f > 0 && tokens[f - 1].start >= hits[q].start {
                    f -= 1;
                }
                f
            } else {
                p
            };
        }
        chain.clear();
        let (item, mut last) = item_at(hits, first);
        chain.push(item);
        while let Some(nx) = next_cap(last).filter(|&nx| joined(tokens[last].end, tokens[nx].start)) {
            let (item, l) = item_at(hits, nx);
            chain.push(item);
            last = l;
        }
        lift_chain(hay, tokens, &chain, hits, &mut added);
        done_until = last + 1;
        while h < hits.len() && hits[h].start < tokens[last].end {
            h += 1;
        }
    }
    if !added.is_empty() {
        hits.extend(added);
        hits.sort_by_key(|h| h.start);
    }

    fn lift_chain(
        hay: &[u8],
        tokens: &[Token],
        chain: &[(usize, usize, Item)],
        hits: &mut [NameHit],
        added: &mut Vec<NameHit>,
    ) {
        if chain.len() < 2 || chain.iter().any(|i| i.2 == Item::Place) {
            return;
        }
        let n_hits = chain.iter().filter(|i| matches!(i.2, Item::Hit(_))).count();
        if n_hits == 0 || n_hits * 2 < chain.len() {
            return;
        }
        // Lone words join only a list that already holds a likely name, or
        // two candidates.
        let sure = chain
            .iter()
            .any(|i| matches!(i.2, Item::Hit(k) if hits[k].score >= 0.6 && !number_or_word_follows(hay, hits[k].end)));
        let lift_lone = n_hits >= 2 || sure;
        let n_lone = chain.iter().filter(|i| matches!(i.2, Item::Liftable(..))).count();
        if n_hits < 2 && !(lift_lone && n_lone > 0) {
            return;
        }
        for item in chain {
            match item.2 {
                Item::Hit(k) => hits[k].score = hits[k].score.max(0.6),
                // Not the start of an address (`Estrela 57`, `Via Roma`).
                Item::Liftable(j)
                    if lift_lone
                        && !number_or_word_follows(hay, tokens[j].end)
                        && !street_follows(hay, tokens, j)
                        && !is_place_prefix(&hay[tokens[j].start..tokens[j].end]) =>
                {
                    added.push(NameHit { start: tokens[j].start, end: tokens[j].end, score: 0.6 })
                }
                _ => {}
            }
        }
    }
}

/// After `end`: a capitalized word (`Søndre Havnevej`), or a number within
/// one word (`Estrela 57`, `Českého odboje 1735`): an address, not a name.
fn number_or_word_follows(hay: &[u8], end: usize) -> bool {
    if hay.get(end) != Some(&b' ') {
        return false;
    }
    let next = end + 1;
    match hay.get(next) {
        Some(b) if b.is_ascii_digit() || b.is_ascii_uppercase() || *b >= 0x80 && starts_upper(&hay[next..]) => true,
        Some(b) if is_letter(*b) => {
            let mut j = next;
            while j < hay.len() && is_letter(hay[j]) {
                j += 1;
            }
            hay.get(j) == Some(&b' ') && hay.get(j + 1).is_some_and(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// Scores the run of capitalized tokens starting at `first`; pushes a hit if
/// it is a name and returns the index after the run.
fn run(
    words: &WordLists,
    hay: &[u8],
    tokens: &[Token],
    first: usize,
    titled: bool,
    out: &mut Vec<NameHit>,
) -> Option<usize> {
    // Collect the run: capitalized tokens (or particles between them) joined
    // by name separators, at most five tokens.
    let mut idx: [usize; 6] = [0; 6];
    let mut flg: [u16; 6] = [0; 6];
    let mut n = 0;
    let mut j = first;
    while j < tokens.len() && n < 5 {
        let t = tokens[j];
        if n > 0 {
            let joined = match t.sep {
                Sep::Space | Sep::Caret => true,
                // `Smith, John` only as the second token.
                Sep::Comma => n == 1 && tokens[idx[0]].shape != Shape::Lower,
                // `J. Smith`: only after a one-letter initial.
                Sep::Period => tokens[idx[n - 1]].end - tokens[idx[n - 1]].start == 1,
                Sep::Break => false,
            };
            if !joined {
                break;
            }
        }
        let f = t.flags;
        let initial = t.end - t.start == 1;
        // A title opens the next name (`A. DR RIDLON`).
        if n > 0 && f & TITLE != 0 && f & (FIRST | LAST) == 0 {
            break;
        }
        let ok = match t.shape {
            // A run keeps its capitalization style (`John Smith`, `JOHN
            // SMITH`): `John Smith MRN` ends before `MRN`. HL7 components
            // and one-letter initials may differ.
            _ if n == 0 || initial || t.sep == Sep::Caret => t.shape != Shape::Lower,
            Shape::Cap => tokens[idx[0]].shape == Shape::Cap || tokens[idx[0]].end - tokens[idx[0]].start == 1,
            Shape::Upper => tokens[idx[0]].shape == Shape::Upper,
            Shape::Lower => f & PARTICLE != 0,
        };
        if !ok {
            break;
        }
        idx[n] = j;
        // After a title a clinical word is a surname (`Dr. Pica`, `DR TYRO`).
        flg[n] = if titled { f & !CLINICAL } else { f };
        n += 1;
        j += 1;
    }
    if n == 0 {
        return None;
    }
    let next = j;
    // Trim: trailing particles, suffixes and (unless titled) common words at
    // either end that are not names.
    let mut lo = 0;
    let mut hi = n;
    while hi > lo
        && (flg[hi - 1] & (PARTICLE | SUFFIX) != 0 && flg[hi - 1] & (FIRST | LAST) == 0
            || flg[hi - 1] & SUFFIX != 0 && hi - lo > 1)
    {
        hi -= 1;
    }
    // In a line without capitals a common word that is also a name (`in`,
    // `will`) is a word at either end of a run.
    let caseless_run = tokens[idx[0]].caseless;
    let not_name = |f: u16| {
        f & PLACE != 0
            || f & (FIRST | LAST) == 0 && f & (WORD | TITLE | EPONYM) != 0
            || caseless_run && !titled && f & WORD != 0
    };
    // A word that introduces a person, capitalized at the start of a
    // sentence, is not part of the name: `Patient Carol reports`, `Wife
    // Carol present`, `Son Dmitri will call` (the name after it is then
    // vouched for by that word, as in `patient Carol`).
    // Only in mixed case: in ALL-CAPS notes (`FOUND BY HUSBAND ON FLOOR`)
    // the words after it are as likely shorthand as a name.
    while hi - lo >= 2 && !titled && {
        let t = tokens[idx[lo]];
        let next = tokens[idx[lo + 1]];
        t.shape == Shape::Cap
            && next.shape == Shape::Cap
            && next.sep != Sep::Comma
            && TRIGGERS.contains(&hay[t.start..t.end])
    } {
        lo += 1;
    }
    // A given name right after such a word is a name even when it is also
    // a place or a word (`Patient Sydney reports`, `Wife Carol present`).
    let vouched = |k: usize| {
        let t = tokens[idx[k]];
        t.shape == Shape::Cap && !t.caseless && flg[k] & FIRST != 0 && trigger_before(hay, t.start)
    };
    while hi > lo && not_name(flg[lo]) && !vouched(lo) {
        lo += 1;
    }
    while hi > lo && not_name(flg[hi - 1]) && !(hi - 1 == lo && vouched(lo)) {
        hi -= 1;
    }
    // `Smith, John` needs both parts to be dictionary names.
    // In a list (`Malon, Mark, Kaylee`) commas separate people.
    let in_list = |at: usize| tokens.get(at + 1).is_some_and(|t| t.sep == Sep::Comma && t.shape != Shape::Lower);
    if hi - lo >= 2
        && tokens[idx[lo + 1]].sep == Sep::Comma
        && (!(flg[lo] & LAST != 0 && flg[lo + 1] & FIRST != 0)
            || in_list(idx[lo + 1])
            || tokens[idx[lo]].sep == Sep::Comma)
    {
        hi = lo + 1;
    }
    if hi == lo {
        return Some(first + 1);
    }
    // Tokens trimmed off the end get their own chance as the next run.
    let next = next.min(idx[hi - 1] + 1);
    let (mut strong, mut weak, mut unknown, mut firsts, mut eponyms) = (0, 0, 0, 0, 0);
    let mut all_upper = true;
    let mut uniform = true;
    let mut caret = false;
    for k in lo..hi {
        let f = flg[k];
        let t = tokens[idx[k]];
        all_upper &= t.shape == Shape::Upper;
        uniform &= t.shape == tokens[idx[lo]].shape || t.end - t.start == 1;
        caret |= k > lo && t.sep == Sep::Caret;
        if f & PARTICLE != 0 && f & (FIRST | LAST) == 0 {
            continue;
        }
        if f & EPONYM != 0 {
            eponyms += 1;
        } else if f & (FIRST | LAST) != 0 && f & WORD == 0 {
            strong += 1;
            if f & FIRST != 0 {
                firsts += 1;
            }
        } else if f & (FIRST | LAST) != 0 {
            weak += 1;
        } else if t.end - t.start >= 2 {
            unknown += 1;
        }
    }
    let len = hi - lo;
    // An initial and a surname (`W. MAROTTA`, `N. Grandone`).
    let initialled = len == 2
        && tokens[idx[lo]].end - tokens[idx[lo]].start == 1
        && tokens[idx[lo + 1]].sep == Sep::Period
        && (strong == 1
            || unknown == 1 && flg[lo + 1] & WORD == 0 && {
                let word = &hay[tokens[idx[lo + 1]].start..tokens[idx[lo + 1]].end];
                word.len() >= 5 && !derived_word(word) && !misspelt_word(words, word)
            });
    // A credential right after the run vouches for it as a title does
    // (`Q. LANDER RRT`, `s. roberto rrt`, `Janice Ng, NP`).
    let titled = titled || strong + weak + unknown > 0 && credential_after(hay, tokens[idx[hi - 1]].end);
    let possessive_eponym = eponyms > 0 && strong == 0;
    let mut score: f32 = if titled {
        if strong + unknown + weak > 0 {
            0.9
        } else {
            0.0
        }
    } else if possessive_eponym {
        0.0
    } else if strong >= 2 || (strong == 1 && caret && uniform && weak + unknown >= 1) {
        0.9
    } else if initialled {
        0.7
    } else if strong == 1 && weak + unknown >= 1 && uniform {
        0.85
    } else if strong == 1 && firsts == 1 {
        0.65
    } else if strong == 1 {
        0.4
    } else if weak == 1 && unknown == 1 && len == 2 && uniform && !all_upper && flg[lo] & FIRST != 0 {
        // A given name that is also a word, then a capitalized word on no
        // list (`Penny Cavalcanti`, `Rose Nekrasov`).
        0.6
    } else {
        0.0
    };
    if score > 0.0 && !titled {
        if all_upper && !caret {
            // In ALL-CAPS text capitalization says nothing.
            score -= 0.15;
        }
        if len == 1 && initial_position(hay, tokens[idx[lo]].start) && flg[lo] & WORD != 0 {
            score -= 0.2;
        }
    }
    // In a line with no capital letter a lone word needs a title or a
    // person-introducing word, and a pair must open with a given name that
    // is not a common word (`tracy sukhorukova`, not `melena stools`).
    let caseless = tokens[idx[lo]].caseless;
    if caseless && score > 0.0 {
        if titled {
            score = score.min(0.8);
        } else if len >= 2 && flg[lo] & FIRST != 0 && flg[lo] & WORD == 0 {
            score -= 0.25;
        } else if initialled {
            score = score.min(0.6);
        } else {
            // Below the threshold even with a name hotword near.
            score = score.min(0.3);
        }
    }
    // A word that introduces a person right before the run (`named Arne`,
    // `Patient: Sumaya`, `said Oona`) makes a capitalized word on no list a
    // name too, unless it is a common word (`Patient: Alert`) or built like
    // one (`patient Identifier`, `patient Management`).
    if !titled
        && !all_upper
        && strong + unknown + weak > 0
        && ((flg[lo] & (WORD | PLACE | EPONYM) == 0
            && (trigger_before(hay, tokens[idx[lo]].start) || person_possessive(hay, tokens[idx[hi - 1]].end))
            // In a caseless line a word on no list after `pt` is far more
            // often a verb or a misspelling (`pt anueric`, `PT CALMER`)
            // than a surname.
            && !(caseless && len == 1 && flg[lo] & (FIRST | LAST) == 0 && patient_before(hay, tokens[idx[lo]].start))
            // Checked last: the spelling check costs a few dozen look-ups.
            && !(flg[lo] & (FIRST | LAST) == 0 && {
                let word = &hay[tokens[idx[lo]].start..tokens[idx[lo]].end];
                derived_word(word) || score < 0.75 && misspelt_word(words, word)
            }))
            // A given name that is also a word or a place (`Wife Carol
            // present`, `Patient Sydney reports`), right after such a word.
            || tokens[idx[lo]].shape == Shape::Cap
                && flg[lo] & FIRST != 0
                && flg[lo] & EPONYM == 0
                && trigger_before(hay, tokens[idx[lo]].start)
            // An explicit naming (`call me Mark`, `named him Will`) vouches
            // even for a given name that is also a word.
            || flg[lo] & FIRST != 0 && flg[lo] & PLACE == 0 && naming_before(hay, tokens[idx[lo]].start))
    {
        score = score.max(if caseless { 0.6 } else { 0.75 });
    }
    if score < 0.1 {
        return Some(next);
    }
    // What looks like a name may still be something else; checked last,
    // since most runs score too low to need it.
    // Code, not a person: `PyO3`, `Padding<c_ulong>`, `c::IPPROTO_IP`, `NaN`.
    if (lo..hi).any(|k| {
        let t = tokens[idx[k]];
        in_code(hay, t.start, t.end, if t.caseless { Shape::Lower } else { t.shape })
    }) {
        return Some(next);
    }
    // An acronym, not a person: one all-caps word in lower-case text.
    if !titled && len == 1 && all_upper && lower_case_around(hay, tokens[idx[lo]].start, tokens[idx[lo]].end) {
        return Some(next);
    }
    // A phrase, not a person: a run in capitals that holds a function word
    // and no word of a name list (`IN TO`, `TO BE`, `ON VENT`, `HE WAS`;
    // notes written in capitals). `TO SMITH` keeps its surname.
    let function = |k: usize| {
        let t = tokens[idx[k]];
        FUNCTION_WORDS.contains(&&hay[t.start..t.end].to_ascii_lowercase()[..])
    };
    if !titled && all_upper && (lo..hi).any(function) && (lo..hi).all(|k| function(k) || flg[k] & (FIRST | LAST) == 0) {
        return Some(next);
    }
    // A place, not a person: `San Francisco`, `El Akarit`, `Fort Worth`.
    if !titled && hi - lo >= 2 && is_place_prefix(&hay[tokens[idx[lo]].start..tokens[idx[lo]].end]) {
        return Some(next);
    }
    // A date, not a person: `Jan 15`, `June 3rd`, `April 2024`,
    // `15/Jan/2024:10:22:01` (a web-server log's timestamp), and a run of
    // calendar words only (`Thu Jun`, `Sun Dec`, a log line's weekday and
    // month).
    let calendar = |k: usize| {
        let word = &hay[tokens[idx[k]].start..tokens[idx[k]].end];
        is_month(word) || WEEKDAYS.contains(word)
    };
    if !titled
        && (lo..hi).all(calendar)
        && (hi - lo >= 2
            || digit_follows(hay, tokens[idx[hi - 1]].end)
            || date_separated(hay, tokens[idx[lo]].start, tokens[idx[lo]].end))
    {
        return Some(next);
    }
    // An eponym, not a person: `Murphy's sign`, `Wilson disease`.
    if !titled
        && (lo..hi).any(|k| flg[k] & (EPONYM | EPONYM_COMMON) != 0)
        && head_noun_follows(hay, tokens[idx[hi - 1]].end)
    {
        return Some(next);
    }
    // A street, not a person: `74 Kate Edger Place`, `Whittaker Street`,
    // `Via Santa Teresa`, `avenue Jules Ferry` — but not a given name alone
    // right after a person word (`Patient Lane reports`).
    let vouched_alone = hi - lo == 1 && vouched(lo);
    if !titled
        && !vouched_alone
        && (street_follows(hay, tokens, idx[hi - 1])
            || number_precedes(hay, tokens[idx[lo]].start, hi - lo)
            || street_prefix_opens(hay, tokens[idx[lo]].start, tokens[idx[lo]].end))
    {
        return Some(next);
    }
    out.push(NameHit { start: tokens[idx[lo]].start, end: tokens[idx[hi - 1]].end, score });
    Some(next)
}

/// An English word by its ending (`-tion`, `-ment`, `-ifier`…): a word on
/// no list that ends so is a noun or an adjective, not a foreign name.
fn derived_word(word: &[u8]) -> bool {
    const ENDINGS: &[&[u8]] = &[
        b"tion", b"sion", b"ment", b"ness", b"ity", b"ance", b"ence", b"able", b"ible", b"ing", b"ize", b"ise",
        b"ifier", b"izer", b"ator", b"ology", b"ical", b"ive", b"ous", b"ship", b"ful", b"less", b"ware",
    ];
    let lower = word.to_ascii_lowercase();
    lower.len() >= 6 && ENDINGS.iter().any(|e| lower.ends_with(e))
}

/// A word on no list, of six letters or more, that is a common or clinical
/// word with two letters swapped or one letter left out (`RECIEVED`,
/// `INUTBATED`, `statign`, `SLIGHLY`): a misspelt word, as notes are full
/// of, not a foreign name. (Substituted and extra letters are not tried:
/// they turn too many foreign names into words, `Sandro`, `Zlata`.) About
/// 27 look-ups per letter, only for the rare word on no list right after a
/// person word.
pub(crate) fn misspelt_word(words: &WordLists, word: &[u8]) -> bool {
    const MAX: usize = 16;
    if !(6..=MAX).contains(&word.len()) || !word.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let n = word.len();
    let mut lower = [0u8; MAX];
    for (l, b) in lower.iter_mut().zip(word) {
        *l = b.to_ascii_lowercase();
    }
    let lower = &lower[..n];
    let is_word = |w: &[u8]| {
        let f = words.flags(w);
        f & WORD != 0 && f & (FIRST | LAST) == 0
    };
    let mut buf = [0u8; MAX + 1];
    // Two letters swapped.
    for i in 0..n - 1 {
        if lower[i] == lower[i + 1] {
            continue;
        }
        buf[..n].copy_from_slice(lower);
        buf.swap(i, i + 1);
        if is_word(&buf[..n]) {
            return true;
        }
    }
    // A letter left out.
    for i in 1..n {
        buf[..i].copy_from_slice(&lower[..i]);
        buf[i + 1..=n].copy_from_slice(&lower[i..]);
        for c in b'a'..=b'z' {
            buf[i] = c;
            if is_word(&buf[..=n]) {
                return true;
            }
        }
    }
    false
}

/// English function words (and the verbs notes use like them): never part
/// of a name.
const FUNCTION_WORDS: &[&[u8]] = &[
    b"to", b"in", b"on", b"at", b"by", b"of", b"or", b"and", b"the", b"a", b"an", b"be", b"is", b"was", b"were",
    b"will", b"he", b"she", b"it", b"his", b"her", b"with", b"via", b"no", b"not", b"see", b"as", b"if", b"up", b"off",
    b"out", b"back", b"more", b"much", b"able", b"want", b"ready", b"keep", b"go", b"for", b"from", b"into", b"than",
    b"then", b"per", b"has", b"had", b"have", b"are", b"am", b"so", b"but",
];

/// Words that introduce a person's name.
const TRIGGERS: WordSet = WordSet::new(&[
    "named",
    "name",
    "patient",
    "pt",
    "dear",
    "hi",
    "hello",
    "thanks",
    "wife",
    "husband",
    "son",
    "daughter",
    "mother",
    "father",
    "brother",
    "sister",
    "spouse",
    "partner",
    "guardian",
    "friend",
    "said",
    "nurse",
    "doctor",
    "colleague",
    "boss",
    "kid",
    "child",
    "grandson",
    "granddaughter",
    "uncle",
    "aunt",
    "cousin",
    "nephew",
    "niece",
    "surname",
    "called",
    "says",
    "asked",
    "asks",
    "ask",
    "told",
    "tell",
    "thank",
    "contact",
    "caregiver",
    "daughters",
    "sons",
    "sisters",
    "brothers",
    // Clinical notes: `dtr Jane`, `NP Janice`, `HCP Ann`.
    "dtr",
    "np",
    "hcp",
    "proxy",
    "mr",
    "mrs",
    "ms",
    "dr",
]);

/// Words that introduce a name after a verb: `my name is X`, `her maiden
/// name was X`, `everyone calls me X`.
const LINKED_TRIGGERS: &[(&str, WordSet)] = &[
    ("is", WordSet::new(&["name", "surname", "called", "named"])),
    ("was", WordSet::new(&["name", "surname", "called", "named"])),
    ("me", WordSet::new(&["call", "calls", "called"])),
    ("him", WordSet::new(&["named", "called"])),
    ("her", WordSet::new(&["named", "called"])),
    // `seen by X`, `referred by X`, `directed by X`.
    (
        "by",
        WordSet::new(&[
            "seen",
            "referred",
            "examined",
            "evaluated",
            "signed",
            "dictated",
            "written",
            "directed",
            "performed",
            "reviewed",
            "accompanied",
            "authored",
            "transcribed",
            "interviewed",
            "visited",
            "raised",
            "brought",
            "cosigned",
        ]),
    ),
    // `follow up with X`, `spoke with X`.
    (
        "with",
        WordSet::new(&["up", "spoke", "spoken", "talked", "discussed", "met", "consulted", "lives", "living", "stays"]),
    ),
];

/// The first words of [`LINKED_TRIGGERS`], as a set: most words before a
/// capitalized word are none of them, and the set says so in two look-ups.
const LINKS: WordSet = WordSet::new(&LINK_WORDS);

/// The first words of [`LINKED_TRIGGERS`], taken from it at compile time.
const LINK_WORDS: [&str; LINKED_TRIGGERS.len()] = {
    let mut words = [""; LINKED_TRIGGERS.len()];
    let mut i = 0;
    while i < words.len() {
        words[i] = LINKED_TRIGGERS[i].0;
        i += 1;
    }
    words
};

/// An explicit naming ends right before `start`: `named X`, `call me X`,
/// `named her X`, `my name is X`.
fn naming_before(hay: &[u8], start: usize) -> bool {
    const NAMING: &[(&str, WordSet)] = &[
        ("me", WordSet::new(&["call", "calls", "called"])),
        ("him", WordSet::new(&["named", "called", "call", "calls"])),
        ("her", WordSet::new(&["named", "called", "call", "calls"])),
        ("is", WordSet::new(&["name", "named", "called"])),
        ("was", WordSet::new(&["name", "named", "called"])),
    ];
    let Some((word, word_start)) = word_before(hay, start, false) else { return false };
    if word.eq_ignore_ascii_case(b"named") {
        return true;
    }
    NAMING.iter().any(|(link, before)| {
        word.eq_ignore_ascii_case(link.as_bytes())
            && word_before(hay, word_start, false).is_some_and(|(w, _)| before.contains(w))
    })
}

/// `pt` or `patient` ends right before `start`.
fn patient_before(hay: &[u8], start: usize) -> bool {
    word_before(hay, start, true)
        .is_some_and(|(w, _)| w.eq_ignore_ascii_case(b"pt") || w.eq_ignore_ascii_case(b"patient"))
}

/// One of [`TRIGGERS`] ends right before `start` (`named X`, `Name: X`,
/// `last name? X`), or a linked pair (`name is X`).
fn trigger_before(hay: &[u8], start: usize) -> bool {
    let Some((word, word_start)) = word_before(hay, start, true) else { return false };
    if TRIGGERS.contains(word) {
        return true;
    }
    LINKS.contains(word)
        && LINKED_TRIGGERS.iter().any(|(link, before)| {
            word.eq_ignore_ascii_case(link.as_bytes())
                && word_before(hay, word_start, false).is_some_and(|(w, _)| before.contains(w))
        })
}

/// The ASCII word right before `start` (one space, optionally after one of
/// `:.,?` when `after_punct`), and where it starts.
fn word_before(hay: &[u8], start: usize, after_punct: bool) -> Option<(&[u8], usize)> {
    let mut i = start;
    if i == 0 || hay[i - 1] != b' ' {
        return None;
    }
    i -= 1;
    if after_punct && i > 0 && matches!(hay[i - 1], b':' | b'.' | b',' | b'?') {
        i -= 1;
    }
    let end = i;
    // At most 14 letters: a longer run is no word of interest.
    let len = letters_before(hay, end);
    if len == 0 || len > 14 {
        return None;
    }
    let i = end - len;
    // `$name: ident` is a variable, not a label.
    if i > 0 && (is_letter(hay[i - 1]) || hay[i - 1] == b'$') {
        return None;
    }
    Some((&hay[i..end], i))
}

/// How many ASCII letters come right before `end`, counted up to 16.
fn letters_before(hay: &[u8], end: usize) -> usize {
    // With 0x20 set, both cases of a letter fall in `a..=z`.
    swar::run_before(hay, end, |w| lower_letters(w | (ONES * 0x20)), |b| b.is_ascii_alphabetic())
}

/// How many lower-case ASCII letters come right before `end`, counted up to 16.
fn lower_letters_before(hay: &[u8], end: usize) -> usize {
    swar::run_before(hay, end, lower_letters, |b| b.is_ascii_lowercase())
}

/// The top bit of each byte of `w` that is in `a..=z`.
#[inline(always)]
fn lower_letters(w: u64) -> u64 {
    swar::in_range(w, b'a', b'z')
}

/// Nouns that, after `X's`, say X is a person: `Sumaya's kid`, `Arne's
/// address`.
const PERSON_NOUNS: WordSet = WordSet::new(&[
    "wife",
    "husband",
    "son",
    "sons",
    "daughter",
    "daughters",
    "mother",
    "father",
    "mom",
    "dad",
    "brother",
    "sister",
    "kid",
    "kids",
    "child",
    "children",
    "boyfriend",
    "girlfriend",
    "fiance",
    "fiancee",
    "parents",
    "grandmother",
    "grandfather",
    "grandson",
    "granddaughter",
    "aunt",
    "uncle",
    "niece",
    "nephew",
    "cousin",
    "widow",
    "address",
    "phone",
    "birthday",
]);

/// Titles that are also clinical abbreviations: a title only when a period
/// follows.
const PERIOD_TITLES: WordSet = WordSet::new(&["sr", "fr"]);

/// Credentials that follow a clinician's name and are no other word (not
/// `PA`, `DO` or `MD`, which are also a state, a verb and a state).
const CREDENTIALS: WordSet = WordSet::new(&[
    "rn", "rrt", "np", "crnp", "lpn", "cna", "msw", "lcsw", "licsw", "aprn", "fnp", "dnp", "pharmd", "crna", "cnm",
]);

/// One of [`CREDENTIALS`] follows `end`, after a space or a comma.
fn credential_after(hay: &[u8], end: usize) -> bool {
    let rest = &hay[end..];
    let skip = rest.iter().take(3).take_while(|&&b| b == b' ' || b == b',').count();
    if skip == 0 {
        return false;
    }
    let rest = &rest[skip..];
    let len = rest.iter().take(8).take_while(|b| b.is_ascii_alphabetic()).count();
    len >= 2 && rest.get(len).is_none_or(|b| !b.is_ascii_alphanumeric()) && CREDENTIALS.contains(&rest[..len])
}

/// `'s` and one of [`PERSON_NOUNS`] follow `end`.
fn person_possessive(hay: &[u8], end: usize) -> bool {
    let rest = &hay[end..];
    let Some(rest) = rest.strip_prefix(b"'s ").or_else(|| rest.strip_prefix("\u{2019}s ".as_bytes())) else {
        return false;
    };
    let word_end = rest.iter().position(|b| !b.is_ascii_alphabetic()).unwrap_or(rest.len());
    let word = &rest[..word_end];
    PERSON_NOUNS.contains(word)
}

/// Street suffixes that make a capitalized run a street name.
pub(crate) const STREET_WORDS: &[&str] = &[
    "street",
    "st",
    "avenue",
    "ave",
    "road",
    "rd",
    "boulevard",
    "blvd",
    "lane",
    "ln",
    "drive",
    "dr",
    "court",
    "ct",
    "place",
    "pl",
    "square",
    "terrace",
    "parkway",
    "circle",
    "way",
    "highway",
    "hwy",
    "trail",
    "plaza",
    "crescent",
    "close",
    "gardens",
    "islands",
    "island",
];

/// [`STREET_WORDS`] as a set.
const STREETS: WordSet = WordSet::new(STREET_WORDS);

/// The run ends in a street word, or one follows it.
fn street_follows(hay: &[u8], tokens: &[Token], last: usize) -> bool {
    let is_street = |t: &Token| {
        let word = &hay[t.start..t.end];
        STREETS.contains(word)
    };
    last > 0 && is_street(&tokens[last])
        || tokens.get(last + 1).is_some_and(|t| matches!(t.sep, Sep::Space | Sep::Period) && is_street(t))
}

/// Street-type words written before the street's name (`Via Roma`,
/// `Rue Aghlab`, `avenue Jules Ferry`, `ul. Posejdona`).
const STREET_PREFIXES: WordSet = WordSet::new(&[
    "via",
    "viale",
    "piazza",
    "corso",
    "largo",
    "vicolo",
    "rue",
    "avenue",
    "boulevard",
    "chemin",
    "quai",
    "calle",
    "avenida",
    "carrer",
    "rua",
    "travessa",
    "paseo",
    "camino",
    "carretera",
    "alameda",
    "ul",
    "trg",
]);

/// The run's first word is a street-type word, or one stands right before it.
fn street_prefix_opens(hay: &[u8], start: usize, first_end: usize) -> bool {
    if STREET_PREFIXES.contains(&hay[start..first_end]) {
        return true;
    }
    let mut end = start;
    while end > 0 && matches!(hay[end - 1], b' ' | b'.') && start - end < 2 {
        end -= 1;
    }
    let begin = hay[..end].iter().rposition(|b| !b.is_ascii_alphabetic()).map_or(0, |i| i + 1);
    end < start && end - begin <= 9 && STREET_PREFIXES.contains(&hay[begin..end])
}

/// Words that open place names (`San Francisco`, `Los Alamos`, `El Akarit`).
pub(crate) fn is_place_prefix(word: &[u8]) -> bool {
    const PREFIXES: WordSet = WordSet::new(&[
        "san", "santa", "santo", "sao", "los", "las", "fort", "port", "mount", "mt", "lake", "el", "new", "saint",
        "puerto", "rio", "villa", "bad", "sankt", "nueva", "nuevo", "ciudad", "cape", "glen", "north", "south", "east",
        "west", "upper", "lower",
    ]);
    PREFIXES.contains(word)
}

/// Month names and abbreviations that are also given names (Jan, April, June…).
fn is_month(word: &[u8]) -> bool {
    const MONTHS: WordSet = WordSet::new(&[
        "jan",
        "january",
        "feb",
        "february",
        "mar",
        "march",
        "apr",
        "april",
        "may",
        "jun",
        "june",
        "jul",
        "july",
        "aug",
        "august",
        "sep",
        "sept",
        "september",
        "oct",
        "october",
        "nov",
        "november",
        "dec",
        "december",
    ]);
    MONTHS.contains(word)
}

/// The word at `start..end` sits between date separators with a digit on
/// the other side: `15/Jan/2024`, `2024-Jan-15`.
fn date_separated(hay: &[u8], start: usize, end: usize) -> bool {
    let before = start >= 2 && matches!(hay[start - 1], b'/' | b'-') && hay[start - 2].is_ascii_digit();
    let after = matches!(hay.get(end), Some(b'/' | b'-')) && hay.get(end + 1).is_some_and(u8::is_ascii_digit);
    before || after
}

/// `end` is followed by a space or `-` and a digit.
fn digit_follows(hay: &[u8], end: usize) -> bool {
    matches!(hay.get(end), Some(b' ' | b'-' | b'.')) && hay.get(end + 1).is_some_and(u8::is_ascii_digit)
        || hay.get(end) == Some(&b'.')
            && hay.get(end + 1) == Some(&b' ')
            && hay.get(end + 2).is_some_and(u8::is_ascii_digit)
}

/// Clinical nouns an eponym names (`Murphy's sign`, `Bell palsy`).
const HEAD_NOUNS: WordSet = WordSet::new(&[
    "sign",
    "signs",
    "disease",
    "syndrome",
    "palsy",
    "test",
    "maneuver",
    "manoeuvre",
    "stage",
    "staging",
    "score",
    "scale",
    "criteria",
    "classification",
    "fracture",
    "reflex",
    "phenomenon",
    "triad",
    "law",
    "procedure",
    "operation",
    "incision",
    "catheter",
    "tube",
    "node",
    "nodes",
    "cyst",
    "ulcer",
    "tumor",
    "tumour",
    "disorder",
    "anomaly",
    "type",
    "grade",
    "position",
    "point",
    "space",
    "duct",
    "gland",
    "body",
    "bodies",
    "cells",
    "hernia",
    "neuroma",
    "contracture",
    "deformity",
    "esophagus",
    "repair",
    "method",
    "formula",
    "solution",
    "stain",
    "rule",
    "rules",
    "ratio",
    "index",
    "line",
    "lines",
    "area",
    "zone",
]);

/// After `end`: optional `'s`, then one of [`HEAD_NOUNS`].
fn head_noun_follows(hay: &[u8], end: usize) -> bool {
    let mut i = end;
    if hay[i..].starts_with(b"'s") {
        i += 2;
    }
    if i >= hay.len() || !matches!(hay[i], b' ' | b'-') {
        return false;
    }
    i += 1;
    let word_end = hay[i..].iter().position(|b| !b.is_ascii_alphabetic()).map_or(hay.len(), |p| i + p);
    let word = &hay[i..word_end];
    HEAD_NOUNS.contains(word)
}

/// A house number right before the run of `words` words (`1755 Nelson
/// Mandela Drive`). After a longer number, or one with separators, two
/// words or more are a name: the number is an identifier or a date (`SSN
/// 536-22-8726 John Smith`, `MRN 00482913 John Smith`, `DOB 03/14/1962
/// Jane Doe`). One word after a number stays out (`4242 MainProcess`).
fn number_precedes(hay: &[u8], start: usize, words: usize) -> bool {
    if !(start >= 2 && hay[start - 1] == b' ' && hay[start - 2].is_ascii_digit()) {
        return false;
    }
    let token_start = hay[..start - 1].iter().rposition(|b| b.is_ascii_whitespace()).map_or(0, |i| i + 1);
    let token = &hay[token_start..start - 1];
    let digits = token.iter().filter(|b| b.is_ascii_digit()).count();
    words < 2 || (digits <= 5 && token.iter().all(u8::is_ascii_alphanumeric))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `find` skips the trigger search for a lone word that is on a list
    /// but on no name list, because `run` trims such a word away whatever
    /// precedes it: even right after a trigger it is no name.
    #[test]
    fn a_lone_listed_non_name_is_no_name_even_after_a_trigger() {
        let mut checked = 0;
        let words = [
            "Since",
            "Denies",
            "Boston",
            "Monday",
            "Jr",
            "Van",
            "Doctor",
            "Hospital",
            "Exam",
            "Glasgow",
            "Review",
            "Allergies",
            "Symptoms",
            "Paris",
        ];
        for w in words {
            let hay = format!("patient {w}.");
            let hay = hay.as_bytes();
            let mut tokens = Vec::new();
            tokenize(WordLists::embedded(), hay, &mut tokens);
            let at = tokens.iter().position(|t| &hay[t.start..t.end] == w.as_bytes()).expect("the word is a token");
            let f = tokens[at].flags;
            if f & (FIRST | LAST) != 0 || f & (WORD | TITLE | EPONYM | PLACE | PARTICLE | SUFFIX) == 0 {
                continue;
            }
            checked += 1;
            assert!(trigger_before(hay, tokens[at].start), "{w}: `patient` is a trigger");
            let mut out = Vec::new();
            run(WordLists::embedded(), hay, &tokens, at, false, &mut out);
            assert!(out.is_empty(), "{w} became a name");
        }
        assert!(checked >= 5, "only {checked} of the words are listed non-names");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// The eight-bytes-at-a-time counts equal a byte loop, at every end.
        #[test]
        fn runs_before_equal_a_byte_loop(
            hay in proptest::collection::vec(proptest::sample::select(b"aZz`{@[ .\xc3\xa9\x80-'".to_vec()), 0..40)
        ) {
            for end in 0..=hay.len() {
                let count = |is: fn(&u8) -> bool| hay[..end].iter().rev().take_while(|b| is(b)).count().min(16);
                proptest::prop_assert_eq!(letters_before(&hay, end), count(u8::is_ascii_alphabetic));
                proptest::prop_assert_eq!(lower_letters_before(&hay, end), count(u8::is_ascii_lowercase));
            }
        }
    }

    fn names(text: &str) -> Vec<(String, f32)> {
        let mut tokens = Vec::new();
        let mut out = Vec::new();
        find(WordLists::embedded(), text.as_bytes(), &mut tokens, &mut out);
        out.iter().map(|h| (text[h.start..h.end].to_string(), h.score)).collect()
    }

    fn flagged(text: &str) -> Vec<String> {
        names(text).into_iter().filter(|(_, s)| *s >= 0.5).map(|(t, _)| t).collect()
    }

    #[test]
    fn skipping_finds_every_capital() {
        let text = b"abcdefghijklmnopqrstuvwxyz Zebra \xc3\xa9t\xc3\xa9 01234\n56789ABC\x0a\x0b\x09\x8a\x0a";
        let mut at = 0;
        let mut found = Vec::new();
        while at < text.len() {
            at = next_stop(text, at);
            if at < text.len() {
                found.push(at);
                at += 1;
            }
        }
        let expected: Vec<usize> =
            (0..text.len()).filter(|&i| text[i].is_ascii_uppercase() || text[i] >= 0x80 || text[i] == b'\n').collect();
        assert_eq!(found, expected);
        assert_eq!(title_before(b"with ms. Wijtze", 9), Some((5, 7)));
        assert_eq!(title_before(b"with Wijtze", 5), Some((0, 4)));
    }

    #[test]
    fn full_names_and_foreign_surnames() {
        assert_eq!(flagged("pt John Smith MRN 00123456"), ["John Smith"]);
        assert_eq!(flagged("Have you been to a Tracy Shcherbakov concert before?"), ["Tracy Shcherbakov"]);
        assert_eq!(flagged("Maybe it's under Heather Horvatinčić"), ["Heather Horvatinčić"]);
        assert_eq!(flagged("Hello, this is Dr. Kent Jaworski. Who are you?"), ["Kent Jaworski"]);
        assert_eq!(flagged("I'd like to join accounts with ms. Wijtze"), ["Wijtze"]);
        assert_eq!(flagged("PID|1||123||SMITH^JOHN^A||19620314"), ["SMITH^JOHN^A"]);
        assert_eq!(flagged("Smith, John presented with"), ["Smith, John"]);
        assert_eq!(flagged("her daughter Sumaya called"), ["Sumaya"]);
        assert_eq!(flagged("Name: Kristin Crnić"), ["Kristin Crnić"]);
        assert_eq!(flagged("My name is Nunzia"), ["Nunzia"]);
        assert_eq!(flagged("Her maiden name is Majewska"), ["Majewska"]);
        assert_eq!(flagged("but everyone calls me Sandro"), ["Sandro"]);
        assert!(flagged("The answer is Yes").is_empty());
        assert_eq!(flagged("our 3 founders: Turgeon, Mcclain and Ramirez."), ["Turgeon", "Mcclain", "Ramirez"]);
        assert!(flagged("offices in Boston, Denver and Chicago").is_empty());
        assert_eq!(flagged("from Elizabeth Mitchell's Cautionary Tales"), ["Elizabeth Mitchell"]);
        assert_eq!(
            flagged("They had 6: Malon, Mark, Kaylee, Brandi, Miguel and Jennifer."),
            ["Malon", "Mark", "Kaylee", "Brandi", "Miguel", "Jennifer"]
        );
    }

    #[test]
    fn words_and_eponyms_are_not_names() {
        assert!(flagged("Will you call me in May? I hope so.").is_empty());
        assert!(flagged("Foley catheter placed; history of Parkinson's disease.").is_empty());
        assert!(flagged("Glasgow Coma Scale 15").is_empty());
        assert!(flagged("INFO GET /api/patients 200 OK").is_empty());
        assert!(flagged("The restaurant is at 1755 Nelson Mandela Drive").is_empty());
        assert!(flagged("I now live in Whittaker Street").is_empty());
        assert!(flagged("Meet at Via Santa Teresa degli Scalzi 71").is_empty());
        assert!(flagged("57 avenue Jules Ferry").is_empty());
        assert!(flagged("Rua Katumi Kida 435").is_empty());
        assert!(flagged("address: Ottawa, Canada").is_empty());
        assert!(flagged("positive Murphy's sign, no Wilson disease").is_empty());
        assert!(flagged("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)").is_empty());
        assert_eq!(flagged("Mrs. Murphy called"), ["Murphy"]);
        assert!(flagged("Jan 15 00:41:13 web-01 cron[1]: ok").is_empty());
        assert!(flagged("94105, San Francisco").is_empty());
        assert!(flagged("Patient: Alert and oriented").is_empty());
        assert_eq!(flagged("Jan Kowalski 15"), ["Jan Kowalski"]);
        assert!(flagged("follow up with Cardiology in 2 weeks").is_empty());
        assert!(flagged("offices in Boston, Denver and Chicago").is_empty());
        assert!(flagged("Please mail it to Ivan and Českého odboje 1735").iter().all(|n| n != "Českého"));
    }

    #[test]
    fn code_is_not_names() {
        for code in [
            "the six main parts of the PyO3 codebase",
            "pub struct UnorderedSet<T, H = Sha256>",
            "__shm_atime_hi: Padding<c_ulong>,",
            "getsockopt(fd, c::IPPROTO_IP, IP_MTU)",
            "let v = Sp::new(); Val(3)",
            "returns None if the number is a NaN or +/-Infinity",
            "            assert_eq!(nan, nan);",
            "            pt: vec![0, 1, 2],",
            "    ($($ty: ty : $name: ident => $size: expr);+) => {",
            "avoid deadlocks with the GIL while locking",
        ] {
            assert!(flagged(code).is_empty(), "{code:?}: {:?}", flagged(code));
        }
        // The same names outside code.
        assert_eq!(flagged("Report_John_Smith.pdf"), ["John"]);
        assert_eq!(flagged("From: John Smith<jsmith@example.org>"), ["John Smith"]);
        assert_eq!(flagged("PATIENT: SMITH, JOHN"), ["SMITH, JOHN"]);
        assert_eq!(flagged("my name is john smith, call me"), ["john smith"]);
        assert_eq!(flagged("pt: mary jones (daughter) called"), ["mary jones"]);
        assert_eq!(flagged("PT JOHN MILLER SEEN"), ["JOHN MILLER"]);
    }

    #[test]
    fn lists_possessives_and_namings() {
        assert_eq!(flagged("our founders: Kovalev, Lee and Phillips."), ["Kovalev", "Lee", "Phillips"]);
        assert_eq!(flagged("It was between him and Sumaya's kid"), ["Sumaya"]);
        assert_eq!(flagged("Sometimes people call me Mark"), ["Mark"]);
        assert_eq!(flagged("She named him Will"), ["Will"]);
        assert_eq!(flagged("the account is under Penny Cavalcanti"), ["Penny Cavalcanti"]);
        assert_eq!(flagged("I'm glad to hear that, says Vedzizhev."), ["Vedzizhev"]);
        assert_eq!(flagged("seen by Oyelaran today"), ["Oyelaran"]);
        assert_eq!(flagged("Lunch with André Söderberg"), ["André Söderberg"]);
    }

    #[test]
    fn lines_in_capitals_read_as_caseless() {
        // Nursing notes in capitals: shorthand is no name, a surname after
        // a title or an initial and a credential is.
        assert!(flagged("PT CONT TO BE TRACHED ON VENT, NO CHG'S MADE OVERNIGHT.").is_empty());
        assert!(flagged("VQ SCAN- NEG FOR PE; SEE FLOW SHEET FOR CLINICAL INFORMATION").is_empty());
        assert_eq!(flagged("HR IRREGULAR 120-130'S. DR WOODRUM UP AT 1615 AND PUSHED"), ["WOODRUM"]);
        assert_eq!(flagged("CVP 13. DR. KNIGHT AWARE-ORDER FOR 5MG IV LOPRESSOR"), ["KNIGHT"]);
        assert_eq!(flagged("ALL IS WELL AT THIS TIME. S. ROBERTO RRT"), ["S. ROBERTO"]);
        // Short lines keep their capitals' meaning (a form's name field).
        assert_eq!(flagged("JOHN SMITH"), ["JOHN SMITH"]);
    }

    #[test]
    fn clinical_words_need_a_title_to_be_names() {
        assert!(flagged("Pt Sedated on propofol, Ectopy noted").is_empty());
        assert!(flagged("cont on mech vent, pacer on standby, co by fick").is_empty());
        assert_eq!(flagged("edema in arms, dr. pica aware"), ["pica"]);
        assert_eq!(flagged("PLAN DISCUSSED WITH DR. KOH FROM ANESTHESIA"), ["KOH"]);
    }

    #[test]
    fn misspelt_words_are_not_names() {
        let words = WordLists::embedded();
        for w in ["RECIEVED", "SLIGHLY", "INUTBATED", "statign", "Hemodynamicaly", "COVERTED"] {
            assert!(misspelt_word(words, w.as_bytes()), "{w}");
        }
        for w in ["Sallese", "Yanulis", "Cucchiara", "Nekrasov", "Wijtze", "Alterio", "Sandro", "Gregorina", "Danival"]
        {
            assert!(!misspelt_word(words, w.as_bytes()), "{w}");
        }
        assert!(flagged("pt recieved 2 units, PT INUTBATED AT 0400").is_empty());
        assert!(flagged("gu: pt anueric, crfailure. TALK TO PATIENT. PATIENT CALMER THIS EVENING").is_empty());
    }

    #[test]
    fn surnames_after_titles_and_initials_in_notes() {
        assert_eq!(flagged("PRBC's did not improve. Dr. griffin made aware"), ["griffin"]);
        assert_eq!(flagged("COMFORT MEASURES ONLY. A. DR RIDLON SPOKE WITH WIFE"), ["RIDLON"]);
        assert_eq!(flagged("FREQUENT PVC'S AND BIGEMINY. W. MAROTTA AWARE. PT GIVEN MG"), ["W. MAROTTA"]);
        assert!(flagged("back pain and 10mg Ms given once with good response").is_empty());
        assert!(flagged("O: Afeb. HR 79-84SR. no VEA. BP 100-120/50's.").is_empty());
        assert_eq!(flagged("AFT) AND NEO->BOTH OFF PER DR VOSOLO. TOL WELL AT PRESENT."), ["VOSOLO"]);
        assert_eq!(flagged("turning soon. his wife, Janet logan is here"), ["Janet logan"]);
    }

    #[test]
    fn sinus_rhythm_is_not_a_title() {
        assert!(flagged("HR 65 SR NO VEA NOTED. CV SR TO ST").is_empty());
        assert!(flagged("hr 60-80's sr no vea, 16 Fr Foley placed").is_empty());
        assert_eq!(flagged("Sr. Garcia called"), ["Garcia"]);
    }

    #[test]
    fn lines_without_capitals() {
        assert_eq!(flagged("follow up with tracy wiśniewska in 2 months."), ["tracy wiśniewska"]);
        assert_eq!(flagged("hello, this is dr. hurst"), ["hurst"]);
        assert_eq!(flagged("my name is marie"), ["marie"]);
        assert_eq!(
            flagged("they had 6: natalina, thomas, omar and zachary."),
            ["natalina", "thomas", "omar", "zachary"]
        );
        assert!(flagged("pt reports melena, uses venturi mask").is_empty());
        assert!(flagged("i'd like it to be sent to the corner of the song was").is_empty());
        assert!(flagged("michael is a very sympathetic person").is_empty());
        // A capital anywhere on the line restores the capitalization rules.
        assert!(flagged("Pt has tracy wiśniewska").is_empty());
    }
}
