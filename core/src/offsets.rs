//! Byte offsets to code-point (Python) and UTF-16 (JavaScript) offsets.
//!
//! The core always works in byte offsets. The bindings ask for the unit their
//! language indexes strings by; converting a sorted batch of positions in one
//! forward walk keeps that linear in the text length instead of quadratic in
//! the number of findings.

/// The unit an offset counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OffsetUnit {
    /// UTF-8 bytes (Rust string indices).
    #[default]
    Byte,
    /// Unicode scalar values (Python `str` indices).
    CodePoint,
    /// UTF-16 code units (JavaScript string indices).
    Utf16,
}

/// Converts byte offsets into `text` to `unit`, in place.
///
/// Offsets may come in any order and may repeat. An offset that is not on a
/// char boundary is rounded down to the start of the char it falls in; one
/// past the end of `text` is clamped to the end.
///
/// # Example
/// ```
/// use phimask::{convert_offsets, OffsetUnit};
/// let text = "é😀 SSN";
/// let mut offsets = [7, 10];
/// convert_offsets(text, &mut offsets, OffsetUnit::Utf16);
/// assert_eq!(offsets, [4, 7]);
/// ```
pub fn convert_offsets(text: &str, offsets: &mut [usize], unit: OffsetUnit) {
    if unit == OffsetUnit::Byte || offsets.is_empty() {
        return;
    }
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_unstable_by_key(|&i| offsets[i]);
    let bytes = text.as_bytes();
    let (mut byte, mut units) = (0usize, 0usize);
    for i in order {
        let target = offsets[i].min(bytes.len());
        while byte < target {
            let b = bytes[byte];
            let width = utf8_width(b);
            if byte + width > target {
                break;
            }
            units += match unit {
                OffsetUnit::Utf16 if width == 4 => 2,
                _ => 1,
            };
            byte += width;
        }
        offsets[i] = units;
    }
}

fn utf8_width(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_to_each_unit() {
        let text = "aé😀b";
        let bytes = [0, 1, 3, 7, 8];
        let mut cps = bytes;
        convert_offsets(text, &mut cps, OffsetUnit::CodePoint);
        assert_eq!(cps, [0, 1, 2, 3, 4]);
        let mut u16s = bytes;
        convert_offsets(text, &mut u16s, OffsetUnit::Utf16);
        assert_eq!(u16s, [0, 1, 2, 4, 5]);
        let mut unordered = [8, 0, 3];
        convert_offsets(text, &mut unordered, OffsetUnit::CodePoint);
        assert_eq!(unordered, [4, 0, 2]);
    }

    #[test]
    fn agrees_with_std_on_char_boundaries() {
        let text = "naïve café 😀 日本語 x";
        let mut offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let expected: Vec<usize> = (0..offsets.len()).collect();
        convert_offsets(text, &mut offsets, OffsetUnit::CodePoint);
        assert_eq!(offsets, expected);
    }
}
