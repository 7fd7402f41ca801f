//! The layout of the name model's word table, shared by the build script
//! (`core/build.rs` fills the table of the embedded lists at compile time,
//! so an engine's first build does not hash 75,000 words) and by
//! `patterns::words`, which probes it.
//!
//! The table is an open-addressing array of packed `u64` slots, each a
//! 47-bit fingerprint of a word and its 16 flag bits, at most half full;
//! the build script writes it out as a `static` array.

/// The token is a known given name.
pub const FIRST: u16 = 1;
/// The token is a known surname.
pub const LAST: u16 = 2;
/// The token is a common English word (needs stronger evidence to be a name).
pub const COMMON: u16 = 4;
/// The token is a medical eponym (Foley, Parkinson…).
pub const EPONYM: u16 = 8;
/// The token is an honorific that precedes a name (Mr, Dr…).
pub const TITLE: u16 = 16;
/// The token is a suffix that may follow a name (Jr, MD…).
pub const SUFFIX: u16 = 32;
/// The token is a surname particle (van, de…).
pub const PARTICLE: u16 = 64;
/// The token is a place, weekday or holiday (France, Monday, Christmas).
pub const PLACE: u16 = 128;
/// A common surname that is also an eponym (Murphy, Wilson, Bell): dropped as a name when a clinical head noun or `'s` + head noun follows.
pub const EPONYM_COMMON: u16 = 256;

/// The token is a word of the clinical vocabulary (Philter's safe list:
/// `pacer`, `sedated`, `ectopy`), on no given-name list and at most a rare
/// surname: a word like a common one, except right after a title (`Dr.
/// Pica`).
pub const CLINICAL: u16 = 512;

/// The token names a hospital's unit, department or service (`ICU`,
/// `CCU`, `OR`, `rehab`), not a hospital: `transferred to CCU` names no
/// place that identifies anyone.
pub const UNIT: u16 = 1024;

/// The embedded lists: flag and file under `patterns/names/`.
pub const LIST_FILES: &[(u16, &str)] = &[
    (FIRST, "first.txt"),
    (LAST, "last.txt"),
    (COMMON, "common_words.txt"),
    (EPONYM, "eponyms.txt"),
    (TITLE, "titles.txt"),
    (SUFFIX, "suffixes.txt"),
    (PARTICLE, "particles.txt"),
    (PLACE, "places.txt"),
    // Software names and lab abbreviations that are also on a name list
    // (`Intel Mac OS X`, `Na 138`): never a name on their own.
    (COMMON, "not_names.txt"),
    // The clinical vocabulary of Philter's safe list, given names and
    // common surnames removed (`pacer`, `sedated`, `ectopy`): a word, not
    // a name, even after a person word (`pt sedated`).
    (CLINICAL, "clinical_words.txt"),
    (UNIT, "units.txt"),
    // Eponyms whose surname is too common to exclude everywhere: an eponym
    // only when a clinical head noun or `'s` follows (`Murphy's sign`).
    (EPONYM_COMMON, "eponyms_common_surnames.txt"),
];

/// Bits of a slot that hold the fingerprint; the low 16 hold the flags.
pub const FLAG_BITS: u32 = 16;

/// The words of one list file: its lines, trimmed, without blank lines and
/// `#` comments.
///
/// Lines are found by a plain byte loop: the lists hold ~75,000 lines of
/// eight bytes on average, too short for `str::split` (a `memchr` call per
/// line) to pay for itself.
pub fn words_of(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        while !rest.is_empty() {
            let end = rest.bytes().position(|b| b == b'\n').unwrap_or(rest.len());
            let line = rest[..end].trim_ascii();
            rest = &rest[(end + 1).min(rest.len())..];
            if !line.is_empty() && !line.starts_with('#') {
                return Some(line);
            }
        }
        None
    })
}

/// The tables of `lists` (flag, text): every word with the OR of its
/// lists' flags, and the small table of the title, particle and place
/// words with all their flags.
pub fn build(lists: &[(u16, &str)]) -> (Vec<u64>, Vec<u64>) {
    // Sized by the lines of the lists, an upper bound.
    let lines: usize = lists.iter().map(|(_, text)| text.bytes().filter(|&b| b == b'\n').count() + 1).sum();
    let mut all = with_room(lines);
    for &(flag, text) in lists {
        for word in words_of(text) {
            add(&mut all, word.as_bytes(), flag);
        }
    }
    let spot_words: Vec<&str> = lists
        .iter()
        .filter(|(flag, _)| flag & (TITLE | PARTICLE | PLACE) != 0)
        .flat_map(|&(_, text)| words_of(text))
        .collect();
    let mut spots = with_room(spot_words.len());
    for word in spot_words {
        let flags = probe(|at| all[at], all.len(), hash(word.as_bytes()));
        add(&mut spots, word.as_bytes(), flags);
    }
    (all, spots)
}

/// An empty table for up to `words` words, at most half full: probes for
/// absent words (most look-ups) stay short.
fn with_room(words: usize) -> Vec<u64> {
    vec![0u64; (words * 2).next_power_of_two().max(16)]
}

/// ORs `flags` into the slot of `word`.
fn add(slots: &mut [u64], word: &[u8], flags: u16) {
    let len = slots.len();
    let (mut at, fp) = place(hash(word), len);
    while slots[at] != 0 && slots[at] >> FLAG_BITS != fp {
        at = (at + 1) & (len - 1);
    }
    slots[at] |= fp << FLAG_BITS | u64::from(flags);
}

/// The flags stored for hash `h` in a table of `len` slots read by `slot`
/// (0 when the word is on no list). Always inlined: it is on the name
/// model's hot path, one call per token.
#[inline(always)]
pub fn probe(slot: impl Fn(usize) -> u64, len: usize, h: u64) -> u16 {
    if len == 0 {
        return 0;
    }
    let (mut at, fp) = place(h, len);
    loop {
        let s = slot(at);
        if s == 0 {
            return 0;
        }
        if s >> FLAG_BITS == fp {
            return s as u16;
        }
        at = (at + 1) & (len - 1);
    }
}

/// A word's first slot in a table of `len` (a power of two) slots, given
/// its [`hash`], and its fingerprint (47 bits, never zero, so an empty slot
/// is 0).
#[inline]
pub fn place(h: u64, len: usize) -> (usize, u64) {
    ((h as usize) & (len - 1), (h >> (FLAG_BITS + 1)) | 1 << (63 - FLAG_BITS - 1))
}

/// A 64-bit hash of a short word: eight bytes at a time, each folded in
/// with a full 64×64→128-bit multiply (the mixing step of wyhash/foldhash),
/// then the length.
#[inline]
pub fn hash(word: &[u8]) -> u64 {
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
pub fn hash_chunks(len: usize, chunks: impl Iterator<Item = u64>) -> u64 {
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
