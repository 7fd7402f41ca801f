//! Helpers shared by the integration tests.

use std::io::Read;

/// A reader that hands out at most `chunk` bytes per call, to test that
/// streaming gives the same result whatever the read sizes.
pub struct Chunked<'a> {
    /// What is left to read.
    pub data: &'a [u8],
    /// The most bytes one `read` returns.
    pub chunk: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.chunk.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}
