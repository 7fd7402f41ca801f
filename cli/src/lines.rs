//! Line and column numbers, computed while the input streams past.
//!
//! The core reports byte offsets; people and SARIF viewers want lines and
//! columns. Re-reading a file to count lines would double the I/O, and
//! keeping it would break the bounded-memory promise (a 1 GB single-line
//! file must work), so [`LineCounter`] walks forward through each block once:
//! it counts newlines up to each finding and carries the running column of
//! the current line across blocks. Columns count Unicode code points (SARIF
//! `columnKind: unicodeCodePoints`), 1-based; in invalid UTF-8 every byte
//! that is not a continuation byte counts as one character.

use phimask::Block;

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Position {
    pub(crate) line: u64,
    pub(crate) column: u64,
}

/// Tracks the line and column of an advancing byte offset.
#[derive(Debug)]
pub(crate) struct LineCounter {
    /// Absolute offset up to which bytes have been counted.
    offset: usize,
    /// 1-based line at `offset`.
    line: u64,
    /// Characters between the start of the line and `offset`.
    chars: u64,
}

impl Default for LineCounter {
    fn default() -> Self {
        LineCounter { offset: 0, line: 1, chars: 0 }
    }
}

impl LineCounter {
    /// The position of absolute offset `at`, which must lie in `block` at or
    /// after every offset asked about before.
    pub(crate) fn position(&mut self, block: &Block<'_>, at: usize) -> Position {
        self.position_in(block.offset, block.bytes, at)
    }

    /// Counts the rest of `block`, ready for the next one.
    pub(crate) fn finish_block(&mut self, block: &Block<'_>) {
        self.position_in(block.offset, block.bytes, block.offset + block.bytes.len());
    }

    /// [`position`](Self::position) for a block of `bytes` starting at `base`.
    fn position_in(&mut self, base: usize, bytes: &[u8], at: usize) -> Position {
        let from = self.offset.saturating_sub(base).min(bytes.len());
        let to = at.saturating_sub(base).clamp(from, bytes.len());
        self.advance(&bytes[from..to]);
        Position { line: self.line, column: self.chars + 1 }
    }

    fn advance(&mut self, bytes: &[u8]) {
        match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', bytes).count() as u64;
                self.chars = count_chars(&bytes[last + 1..]);
            }
            None => self.chars += count_chars(bytes),
        }
        self.offset += bytes.len();
    }
}

/// The position just past `value`, which starts at `start`: SARIF's
/// exclusive `endLine`/`endColumn`.
pub(crate) fn end_of(start: Position, value: &[u8]) -> Position {
    match memchr::memrchr(b'\n', value) {
        Some(last) => Position {
            line: start.line + memchr::memchr_iter(b'\n', value).count() as u64,
            column: count_chars(&value[last + 1..]) + 1,
        },
        None => Position { line: start.line, column: start.column + count_chars(value) },
    }
}

/// Code points in UTF-8 `bytes`: the bytes that are not continuation bytes.
fn count_chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_code_points_across_blocks() {
        let text = "ab\ncé d\nxyz";
        let (first, second) = text.as_bytes().split_at(5); // inside line 2
        let mut counter = LineCounter::default();
        assert_eq!(counter.position_in(0, first, 1), Position { line: 1, column: 2 });
        counter.position_in(0, first, first.len());
        // 'd' is at byte 7: line 2, after "cé " (3 code points).
        assert_eq!(counter.position_in(5, second, 7), Position { line: 2, column: 4 });
        assert_eq!(counter.position_in(5, second, 11), Position { line: 3, column: 3 });
    }

    #[test]
    fn end_positions_are_exclusive() {
        let start = Position { line: 4, column: 7 };
        assert_eq!(end_of(start, "123-45-6789".as_bytes()), Position { line: 4, column: 18 });
        assert_eq!(end_of(start, "12 Main St\nBoston".as_bytes()), Position { line: 5, column: 7 });
    }
}
