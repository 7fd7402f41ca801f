//! Byte-parallel tests on eight bytes at a time ("SIMD within a
//! register"): the name tokenizer and the hotword windows classify a `u64`
//! of text per step instead of branching on every byte. A test returns a
//! mask holding the top bit of every byte that passes; a byte at or above
//! 0x80 passes none.

/// 0x01 in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// The top bit of every byte.
pub(crate) const TOP: u64 = 0x8080_8080_8080_8080;

/// The top bit of each byte of `w` in `lo..=hi` (`hi` below 0x7f).
#[inline(always)]
pub(crate) fn in_range(w: u64, lo: u8, hi: u8) -> u64 {
    // For a byte b < 0x80 the top bit of b + (0x80 - k) is set iff b >= k,
    // and no carry crosses into the next byte.
    let low7 = w & !TOP;
    let at_least = |k: u8| low7.wrapping_add(ONES * u64::from(0x80 - k)) & TOP;
    at_least(lo) & !at_least(hi + 1) & !(w & TOP)
}

/// The top bit of each byte of `w` equal to `b` (an ASCII byte).
#[inline(always)]
pub(crate) fn equal(w: u64, b: u8) -> u64 {
    // The top bit of (x & 0x7f) + 0x7f is set iff x's byte is non-zero.
    let x = w ^ (ONES * u64::from(b));
    !((x & !TOP).wrapping_add(!TOP) | x) & TOP
}

/// The top bit of each byte of `w` equal to `b`, exact up to the lowest
/// such byte (a byte above it may be flagged too): one operation fewer
/// than [`equal`], for "is there one" and "where is the first".
#[inline(always)]
pub(crate) fn first_equal(w: u64, b: u8) -> u64 {
    // A zero byte of `x` is a match; the borrow of a true one can flag the
    // byte above it, never one below.
    let x = w ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & TOP
}

/// A mask of top bits as one bit per byte: bit `i` for byte `i`.
#[inline(always)]
pub(crate) fn gather(mask: u64) -> u64 {
    // Bit 8i + 7 goes to bit 56 + i (no two products share a bit), then down.
    ((mask >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// The top bit of each ASCII word byte of `w` (letter, digit or `_`, the
/// bytes of `\b`).
#[inline(always)]
pub(crate) fn word_bytes(w: u64) -> u64 {
    // With 0x20 set, both cases of a letter fall in `a..=z`.
    in_range(w | (ONES * 0x20), b'a', b'z') | in_range(w, b'0', b'9') | equal(w, b'_')
}

/// How many bytes right before `end` are in a class, counted up to 16,
/// eight bytes at a time (this runs for most capitalized tokens and
/// hotwords):
/// `in_class` gives the top bit of each byte of a chunk that is, `is` says
/// it of one byte.
#[inline(always)]
pub(crate) fn run_before(hay: &[u8], end: usize, in_class: impl Fn(u64) -> u64, is: impl Fn(&u8) -> bool) -> usize {
    if end < 16 {
        return hay[..end].iter().rev().take_while(|b| is(b)).count();
    }
    // The last byte before `end` is the chunk's top byte.
    let chunk = |at: usize| u64::from_le_bytes(hay[at - 8..at].try_into().expect("eight bytes"));
    let near = !in_class(chunk(end)) & TOP;
    if near != 0 {
        return (near.leading_zeros() / 8) as usize;
    }
    let far = !in_class(chunk(end - 8)) & TOP;
    8 + if far != 0 { (far.leading_zeros() / 8) as usize } else { 8 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_agree_with_byte_tests() {
        let bytes: Vec<u8> = (0..=255).collect();
        for chunk in bytes.chunks(8) {
            let w = u64::from_le_bytes(chunk.try_into().unwrap());
            let want =
                |f: &dyn Fn(u8) -> bool| chunk.iter().enumerate().fold(0u64, |m, (i, &b)| m | (u64::from(f(b)) << i));
            assert_eq!(gather(in_range(w, b'a', b'z')), want(&|b| b.is_ascii_lowercase()));
            assert_eq!(gather(in_range(w, b'0', b'9')), want(&|b| b.is_ascii_digit()));
            assert_eq!(gather(equal(w, b'_')), want(&|b| b == b'_'));
            assert_eq!(gather(word_bytes(w)), want(&|b| b.is_ascii_alphanumeric() || b == b'_'));
            assert_eq!(gather(equal(w, 0)), want(&|b| b == 0));
            // Exact up to the lowest match.
            let first = |m: u64| if m == 0 { 0 } else { m & m.wrapping_neg() };
            assert_eq!(first(gather(first_equal(w, b'\n'))), first(want(&|b| b == b'\n')));
            assert_eq!(first(gather(first_equal(w, b'-'))), first(want(&|b| b == b'-')));
        }
    }
}
