//! Text that is not UTF-8: telling UTF-16 and UTF-32 from binary, and
//! reading and writing them as UTF-8.
//!
//! The engine reads bytes, and its detectors are written for ASCII-range
//! shapes, so UTF-16 text (what Windows tools and SQL Server exports write)
//! looks to it like a NUL between every letter: no finding at all. A file
//! with a NUL byte in its head was therefore called binary and skipped,
//! which let UTF-16 PHI through a hook with a clean exit. Here the head is
//! sniffed once: a head with NUL bytes and a byte-order mark, or NULs at
//! the positions ASCII-range text in a wide encoding puts them, names the
//! encoding; the input is then
//! decoded to UTF-8 as it streams ([`DecodeReader`]) and masked output is
//! encoded back the same way ([`EncodeWriter`]), so non-PHI bytes come out
//! as they went in. Anything else with a NUL is [`Sniffed::Binary`]; what
//! the caller does with it (scan its bytes, refuse to mask it) is the
//! caller's rule, never a silent pass.
//!
//! Trade-off: the BOM-less heuristic only recognizes wide text that is
//! mostly ASCII-range (each unit's high bytes zero). Wide text in other
//! scripts without a BOM is called binary, and scanned as bytes.

use std::io::{self, Read, Write};

/// A text encoding phimask reads besides UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WideEncoding {
    /// UTF-16, little-endian.
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
    /// UTF-32, little-endian.
    Utf32Le,
    /// UTF-32, big-endian.
    Utf32Be,
}

impl WideEncoding {
    /// Bytes per code unit.
    fn unit(self) -> usize {
        match self {
            WideEncoding::Utf16Le | WideEncoding::Utf16Be => 2,
            WideEncoding::Utf32Le | WideEncoding::Utf32Be => 4,
        }
    }

    /// The encoding's name, as reports show it.
    pub fn as_str(self) -> &'static str {
        match self {
            WideEncoding::Utf16Le => "UTF-16LE",
            WideEncoding::Utf16Be => "UTF-16BE",
            WideEncoding::Utf32Le => "UTF-32LE",
            WideEncoding::Utf32Be => "UTF-32BE",
        }
    }

    /// The byte-order mark of this encoding.
    pub fn bom(self) -> &'static [u8] {
        match self {
            WideEncoding::Utf16Le => b"\xFF\xFE",
            WideEncoding::Utf16Be => b"\xFE\xFF",
            WideEncoding::Utf32Le => b"\xFF\xFE\x00\x00",
            WideEncoding::Utf32Be => b"\x00\x00\xFE\xFF",
        }
    }

    /// Appends `c` in this encoding.
    fn encode(self, c: char, out: &mut Vec<u8>) {
        let mut put = |v: u32| match self {
            WideEncoding::Utf16Le => out.extend_from_slice(&(v as u16).to_le_bytes()),
            WideEncoding::Utf16Be => out.extend_from_slice(&(v as u16).to_be_bytes()),
            WideEncoding::Utf32Le => out.extend_from_slice(&v.to_le_bytes()),
            WideEncoding::Utf32Be => out.extend_from_slice(&v.to_be_bytes()),
        };
        if self.unit() == 2 {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                put(u32::from(*u));
            }
        } else {
            put(c as u32);
        }
    }

    fn unit_at(self, b: &[u8]) -> u32 {
        match self {
            WideEncoding::Utf16Le => u32::from(u16::from_le_bytes([b[0], b[1]])),
            WideEncoding::Utf16Be => u32::from(u16::from_be_bytes([b[0], b[1]])),
            WideEncoding::Utf32Le => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            WideEncoding::Utf32Be => u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        }
    }
}

/// What the head of an input says it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// No NUL byte: read as bytes (UTF-8 or something close to it).
    Text,
    /// Wide text; `bom` says whether it opens with a byte-order mark.
    Wide {
        /// The encoding.
        encoding: WideEncoding,
        /// Whether the input opens with the encoding's byte-order mark.
        bom: bool,
    },
    /// A NUL byte, and no sign of wide text.
    Binary,
}

/// Sniffs the head of an input (its first few KiB; the CLI reads 8 KiB).
///
/// # Example
/// ```
/// use phimask::encoding::{sniff, Sniffed, WideEncoding};
/// let utf16: Vec<u8> = "SSN 123-45-6789".encode_utf16().flat_map(u16::to_le_bytes).collect();
/// assert_eq!(sniff(&utf16), Sniffed::Wide { encoding: WideEncoding::Utf16Le, bom: false });
/// assert_eq!(sniff(b"plain text"), Sniffed::Text);
/// assert_eq!(sniff(b"\x7fELF\x02\x01\x01\x00\x00\x00"), Sniffed::Binary);
/// ```
pub fn sniff(head: &[u8]) -> Sniffed {
    // Wide text of anything a detector reads (digits, spaces, line ends,
    // Latin letters) has NUL bytes; without one, `\xFF\xFE` is more likely
    // the start of bytes that are not UTF-8 than a mark before a page of
    // CJK text, and reading it as bytes loses no ASCII-range PHI.
    if memchr::memchr(0, head).is_none() {
        return Sniffed::Text;
    }
    // UTF-32LE's mark starts with UTF-16LE's: test the longer first.
    for encoding in [WideEncoding::Utf32Le, WideEncoding::Utf32Be, WideEncoding::Utf16Le, WideEncoding::Utf16Be] {
        if head.starts_with(encoding.bom()) {
            return Sniffed::Wide { encoding, bom: true };
        }
    }
    match wide_without_bom(head) {
        Some(encoding) => Sniffed::Wide { encoding, bom: false },
        None => Sniffed::Binary,
    }
}

/// The wide encoding whose zero high bytes the head shows: in at least 90%
/// of its whole units, the bytes that hold an ASCII-range character's high
/// bits are zero and the low byte is not (and at least four units).
fn wide_without_bom(head: &[u8]) -> Option<WideEncoding> {
    let looks = |encoding: WideEncoding| {
        let unit = encoding.unit();
        let units = head.len() / unit;
        if units < 4 {
            return false;
        }
        let ascii = head
            .chunks_exact(unit)
            .filter(|u| {
                let v = encoding.unit_at(u);
                (1..0x80).contains(&v) || (0xA0..0x3000).contains(&v)
            })
            .count();
        ascii * 10 >= units * 9
    };
    [WideEncoding::Utf32Le, WideEncoding::Utf32Be, WideEncoding::Utf16Le, WideEncoding::Utf16Be]
        .into_iter()
        .find(|&e| looks(e))
}

/// Reads wide text as UTF-8.
///
/// `lossy` decoding replaces unpaired surrogates and values that are not
/// characters with U+FFFD (right for a scan); strict decoding fails with
/// [`io::ErrorKind::InvalidData`] at the first one (right for masking,
/// where the output is encoded back and must equal the input but for PHI).
/// A leading byte-order mark is not passed on.
pub struct DecodeReader<R> {
    inner: R,
    encoding: WideEncoding,
    lossy: bool,
    /// Bytes read but not yet decoded (less than one code unit or an
    /// unfinished surrogate pair).
    raw: Vec<u8>,
    /// Decoded bytes not yet handed out, from `done`.
    out: Vec<u8>,
    done: usize,
    /// Wide-text bytes consumed so far (for error positions).
    consumed: u64,
    eof: bool,
    first: bool,
}

/// Shows the encoding only: the buffers hold the text being read.
impl<R> std::fmt::Debug for DecodeReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodeReader").field("encoding", &self.encoding).field("lossy", &self.lossy).finish()
    }
}

impl<R: Read> DecodeReader<R> {
    /// Decodes `inner`, text in `encoding`.
    pub fn new(inner: R, encoding: WideEncoding, lossy: bool) -> DecodeReader<R> {
        DecodeReader {
            inner,
            encoding,
            lossy,
            raw: Vec::new(),
            out: Vec::new(),
            done: 0,
            consumed: 0,
            eof: false,
            first: true,
        }
    }

    /// Reads and decodes the next piece into `out`; `false` at the end.
    fn fill(&mut self) -> io::Result<bool> {
        self.out.clear();
        self.done = 0;
        while self.out.is_empty() {
            if self.eof {
                if self.raw.is_empty() {
                    return Ok(false);
                }
                if !self.lossy {
                    return Err(self.invalid(self.consumed));
                }
                self.raw.clear();
                self.out.extend_from_slice("\u{FFFD}".as_bytes());
                return Ok(true);
            }
            let mut buf = [0u8; 64 * 1024];
            let n = loop {
                match self.inner.read(&mut buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if n == 0 {
                self.eof = true;
            }
            self.raw.extend_from_slice(&buf[..n]);
            if self.first && (self.raw.len() >= 4 || self.eof) {
                self.first = false;
                if self.raw.starts_with(self.encoding.bom()) {
                    let bom = self.encoding.bom().len();
                    self.raw.drain(..bom);
                    self.consumed += bom as u64;
                }
            }
            if !self.first {
                self.decode()?;
            }
        }
        Ok(true)
    }

    /// Decodes every whole character of `raw` into `out`.
    fn decode(&mut self) -> io::Result<()> {
        let unit = self.encoding.unit();
        let mut at = 0;
        while at + unit <= self.raw.len() {
            let v = self.encoding.unit_at(&self.raw[at..]);
            let (ch, used) = if unit == 2 && (0xD800..0xDC00).contains(&v) {
                // A high surrogate: its pair may not have arrived yet.
                if at + 4 > self.raw.len() {
                    if self.eof {
                        (None, 2)
                    } else {
                        break;
                    }
                } else {
                    let low = self.encoding.unit_at(&self.raw[at + 2..]);
                    if (0xDC00..0xE000).contains(&low) {
                        (char::from_u32(0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)), 4)
                    } else {
                        (None, 2)
                    }
                }
            } else {
                (char::from_u32(v), unit)
            };
            match ch {
                Some(c) => {
                    let mut b = [0u8; 4];
                    self.out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
                }
                None if self.lossy => self.out.extend_from_slice("\u{FFFD}".as_bytes()),
                None => return Err(self.invalid(self.consumed + at as u64)),
            }
            at += used;
        }
        self.raw.drain(..at);
        self.consumed += at as u64;
        Ok(())
    }

    fn invalid(&self, at: u64) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "not valid {} at byte {at}: it cannot be masked and written back unchanged",
                self.encoding.as_str()
            ),
        )
    }
}

impl<R: Read> Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done == self.out.len() && !self.fill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.out.len() - self.done);
        buf[..n].copy_from_slice(&self.out[self.done..self.done + n]);
        self.done += n;
        Ok(n)
    }
}

/// Writes UTF-8 as wide text (the inverse of a strict [`DecodeReader`]).
///
/// A character split across writes is held until its last byte arrives;
/// [`EncodeWriter::finish`] fails if one is left over, and so does a write
/// that is not UTF-8.
pub struct EncodeWriter<W: Write> {
    inner: W,
    encoding: WideEncoding,
    /// The bytes of an unfinished character.
    partial: Vec<u8>,
    buf: Vec<u8>,
}

/// Shows the encoding only: the buffers hold the text being written.
impl<W: Write> std::fmt::Debug for EncodeWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncodeWriter").field("encoding", &self.encoding).finish()
    }
}

impl<W: Write> EncodeWriter<W> {
    /// Encodes into `inner`, writing the byte-order mark first when `bom`.
    ///
    /// # Errors
    /// Writing the mark fails.
    pub fn new(mut inner: W, encoding: WideEncoding, bom: bool) -> io::Result<EncodeWriter<W>> {
        if bom {
            inner.write_all(encoding.bom())?;
        }
        Ok(EncodeWriter { inner, encoding, partial: Vec::new(), buf: Vec::new() })
    }

    /// Flushes and returns the inner writer.
    ///
    /// # Errors
    /// An unfinished character is left, or flushing fails.
    pub fn finish(mut self) -> io::Result<W> {
        if !self.partial.is_empty() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "output ends inside a character"));
        }
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for EncodeWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.partial.extend_from_slice(data);
        let text = match std::str::from_utf8(&self.partial) {
            Ok(text) => text,
            // A character cut by the end of this write: held for the next.
            Err(e) if e.error_len().is_none() => {
                std::str::from_utf8(&self.partial[..e.valid_up_to()]).expect("valid up to here")
            }
            Err(_) => return Err(io::Error::new(io::ErrorKind::InvalidData, "output is not UTF-8")),
        };
        self.buf.clear();
        for c in text.chars() {
            self.encoding.encode(c, &mut self.buf);
        }
        let valid = text.len();
        self.partial.drain(..valid);
        self.inner.write_all(&self.buf)?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &str, encoding: WideEncoding, bom: bool) -> Vec<u8> {
        let mut w = EncodeWriter::new(Vec::new(), encoding, bom).unwrap();
        w.write_all(text.as_bytes()).unwrap();
        w.finish().unwrap()
    }

    fn decode(bytes: &[u8], encoding: WideEncoding, lossy: bool) -> io::Result<String> {
        let mut out = String::new();
        // One byte per read: every split of a unit and a pair is crossed.
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(1).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        DecodeReader::new(OneByte(bytes), encoding, lossy).read_to_string(&mut out)?;
        Ok(out)
    }

    const ALL: [WideEncoding; 4] =
        [WideEncoding::Utf16Le, WideEncoding::Utf16Be, WideEncoding::Utf32Le, WideEncoding::Utf32Be];

    #[test]
    fn wide_text_is_told_from_binary_with_or_without_a_mark() {
        let text = "Patient John Smith, SSN 123-45-6789, naïve 😀\r\n";
        for e in ALL {
            assert_eq!(sniff(&encode(text, e, true)), Sniffed::Wide { encoding: e, bom: true });
            assert_eq!(sniff(&encode(text, e, false)), Sniffed::Wide { encoding: e, bom: false });
        }
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"), Sniffed::Binary);
        assert_eq!(sniff(b"a\x00"), Sniffed::Binary, "too short to tell");
        assert_eq!(sniff("naïve".as_bytes()), Sniffed::Text);
        assert_eq!(sniff(b"\xFF\xFE broken \xC3\x28 bytes"), Sniffed::Text, "a mark needs NULs after it");
    }

    #[test]
    fn decoding_and_encoding_round_trip_exactly() {
        let text = "MRN 00482913 — Zoë 😀 end";
        for e in ALL {
            for bom in [true, false] {
                let bytes = encode(text, e, bom);
                assert_eq!(decode(&bytes, e, false).unwrap(), text, "{e:?} bom={bom}");
            }
        }
    }

    #[test]
    fn invalid_wide_text_fails_strict_decoding_and_is_replaced_when_lossy() {
        // A lone high surrogate, then 'A'.
        let bytes = [0x00, 0xD8, b'A', 0x00];
        assert_eq!(decode(&bytes, WideEncoding::Utf16Le, true).unwrap(), "\u{FFFD}A");
        let err = decode(&bytes, WideEncoding::Utf16Le, false).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        // An odd trailing byte.
        assert!(decode(b"A\x00B", WideEncoding::Utf16Le, false).is_err());
        assert_eq!(decode(b"A\x00B", WideEncoding::Utf16Le, true).unwrap(), "A\u{FFFD}");
    }

    #[test]
    fn debug_shows_no_text() {
        let text = "SSN 123-45-6789";
        let mut w = EncodeWriter::new(Vec::new(), WideEncoding::Utf16Le, false).unwrap();
        w.write_all(&text.as_bytes()[..5]).unwrap();
        let bytes = encode(text, WideEncoding::Utf16Le, false);
        let mut r = DecodeReader::new(&bytes[..], WideEncoding::Utf16Le, false);
        let mut first = [0u8; 4];
        r.read_exact(&mut first).unwrap();
        for shown in [format!("{w:?}"), format!("{r:?}")] {
            assert!(!shown.contains("83") && !shown.contains("123") && !shown.contains("SSN"), "{shown}");
        }
    }

    #[test]
    fn a_character_split_across_writes_is_held() {
        let mut w = EncodeWriter::new(Vec::new(), WideEncoding::Utf16Be, false).unwrap();
        let bytes = "é😀".as_bytes();
        for b in bytes {
            w.write_all(std::slice::from_ref(b)).unwrap();
        }
        assert_eq!(w.finish().unwrap(), encode("é😀", WideEncoding::Utf16Be, false));
        let mut w = EncodeWriter::new(Vec::new(), WideEncoding::Utf16Be, false).unwrap();
        w.write_all(&bytes[..1]).unwrap();
        assert!(w.finish().is_err());
    }
}
