//! Streaming: cutting input into blocks the same way however it is read.
//!
//! Every scan works block by block, and where a block ends depends only on
//! the bytes, never on how a reader happened to deliver them: a block is at
//! least [`BLOCK_TARGET`] bytes and ends after the first newline past that,
//! or — for a line longer than [`BLOCK_MAX`] — after the last space or tab
//! in the final 64 KiB before the limit (hard cut at the limit if there is
//! none). So `scan_bytes`, `scan_reader` with any chunk size, and a scan of a
//! 1 GB single-line file all see the same blocks and report the same
//! findings, exactly once, in memory bounded by two `BLOCK_MAX` plus one read (the reader is
//! read ahead until two full `BLOCK_MAX` are buffered, or to its end).
//! Context does not cross a block boundary; with blocks of 256 KiB or more
//! that touches one line in tens of thousands. (Longer blocks also scan
//! faster: the shape automaton's states and the name table, each larger
//! than the L2 cache, take turns in it less often. 64 KiB blocks ran notes
//! ~6% slower for the same instructions.)

use std::io::{ErrorKind as IoKind, Read};
use std::ops::ControlFlow;

use crate::error::Error;

/// Blocks are at least this long (unless the input ends first).
pub const BLOCK_TARGET: usize = 256 * 1024;
/// No block is longer than this.
pub const BLOCK_MAX: usize = 1024 * 1024;
const READ_SIZE: usize = 64 * 1024;

/// Length of the block at the start of `buf`, or `None` if more input is
/// needed to decide. `eof` says `buf` holds all remaining input.
pub(crate) fn block_end(buf: &[u8], eof: bool) -> Option<usize> {
    if buf.len() < BLOCK_TARGET {
        return if eof { Some(buf.len()) } else { None };
    }
    let limit = buf.len().min(BLOCK_MAX);
    if let Some(i) = memchr::memchr(b'\n', &buf[BLOCK_TARGET - 1..limit]) {
        return Some(BLOCK_TARGET + i);
    }
    if buf.len() >= BLOCK_MAX {
        let tail = &buf[BLOCK_MAX - 64 * 1024..BLOCK_MAX];
        return Some(match memchr::memrchr2(b' ', b'\t', tail) {
            Some(i) => BLOCK_MAX - 64 * 1024 + i + 1,
            None => BLOCK_MAX,
        });
    }
    if eof {
        Some(buf.len())
    } else {
        None
    }
}

/// Reads `reader` to the end, calling `f(offset, block)` for each block.
pub(crate) fn for_each_block<R: Read>(
    mut reader: R,
    mut f: impl FnMut(usize, &[u8]) -> ControlFlow<()>,
) -> Result<u64, Error> {
    // `buf[..filled]` holds unscanned input; the buffer never grows. It holds
    // two maximal blocks, so one compaction (a copy of at most BLOCK_MAX
    // bytes) serves at least BLOCK_MAX bytes of scanned blocks.
    let mut buf = vec![0u8; 2 * BLOCK_MAX + READ_SIZE];
    let mut filled = 0;
    let mut offset = 0usize;
    let mut total = 0u64;
    let mut eof = false;
    loop {
        // Decide block ends only once the buffer holds a whole block's worth
        // (or the rest of the input): each decision then looks at every byte
        // once, however small the reads are.
        if eof || filled >= 2 * BLOCK_MAX {
            let mut used = 0;
            while let Some(len) = block_end(&buf[used..filled], eof) {
                if len == 0 {
                    break;
                }
                if f(offset, &buf[used..used + len]).is_break() {
                    return Ok(total);
                }
                used += len;
                offset += len;
                if !eof && filled - used < BLOCK_MAX {
                    break;
                }
            }
            buf.copy_within(used..filled, 0);
            filled -= used;
            if eof {
                return Ok(total);
            }
        }
        let n = loop {
            match reader.read(&mut buf[filled..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == IoKind::Interrupted => continue,
                Err(e) => return Err(Error::io(&e)),
            }
        };
        filled += n;
        total += n as u64;
        eof = n == 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_do_not_depend_on_read_sizes() {
        let mut data = Vec::new();
        for i in 0..40_000 {
            data.extend_from_slice(format!("line {i} with some words\n").as_bytes());
        }
        data.extend(std::iter::repeat_n(b'x', BLOCK_MAX + 10));
        let whole = {
            let mut v = Vec::new();
            for_each_block(&data[..], |o, b| {
                v.push((o, b.len()));
                ControlFlow::Continue(())
            })
            .unwrap();
            v
        };
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = self.1.min(out.len()).min(self.0.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        for chunk in [1usize, 7, 4096, 100_000] {
            let mut v = Vec::new();
            for_each_block(Trickle(&data, chunk), |o, b| {
                v.push((o, b.len()));
                ControlFlow::Continue(())
            })
            .unwrap();
            assert_eq!(v, whole, "chunk {chunk}");
        }
        assert!(whole.iter().all(|&(_, len)| len <= BLOCK_MAX));
        assert_eq!(whole.iter().map(|b| b.1).sum::<usize>(), data.len());
    }
}
