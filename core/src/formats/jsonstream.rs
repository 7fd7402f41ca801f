//! A byte-preserving, streaming JSON rewriter.
//!
//! The JSON drivers used to parse a document into a `serde_json::Value`,
//! mask it and write it out again: a whole document in memory (a 100 MB
//! array took 860 MB), and every byte re-serialized — whitespace, escapes
//! (`"\u0041"` → `"A"`), number spellings (`1.10` → `1.1`) and integers
//! beyond 64 bits (`12345678901234567890123` → `1.2345678901234568e+22`).
//! Here the input is read token by token with an explicit stack (no
//! recursion, a depth limit instead of a stack overflow) and copied byte
//! for byte; only a string or number whose masked text differs is written
//! anew. Memory is one token (at most [`MAX_RECORD`]) plus the stack.
//!
//! The rules are those of [`walk`](super::json): a scalar takes the key of
//! its nearest enclosing object member as its field name (array elements
//! take their array's), object keys are scanned as text (a key can be an
//! SSN), and with a subject field each object that holds it directly sets
//! the masker's subject for the values after it. Because that needs the
//! subject before the object's earlier members are masked, subject mode
//! reads one record at a time (each element of a top-level array, or the
//! whole value) and makes two passes over it: [`Mode::Subjects`] notes
//! which objects carry a subject, [`Mode::Rewrite`] masks.

use std::collections::HashMap;
use std::io::{BufRead, Write};

use serde_json::Value;

use super::{mask_named, MAX_RECORD};
use crate::mask::Masker;
use crate::patterns::normalize_field;

/// Containers nested deeper than this are an error (a file of 100 MB of
/// `[` would otherwise grow the stack without end).
pub(crate) const MAX_DEPTH: usize = 10_000;

/// Keys longer than this are kept as context only by their first bytes'
/// absence: no field name is that long, so they give no context.
const MAX_CONTEXT_KEY: usize = 1024;

/// Why reading stopped.
#[derive(Debug)]
pub(crate) enum Fault {
    Io(std::io::Error),
    /// The input is not JSON; the message holds none of its text.
    Malformed(String),
}

impl From<std::io::Error> for Fault {
    fn from(e: std::io::Error) -> Fault {
        Fault::Io(e)
    }
}

/// What a pass does with what it reads.
pub(crate) enum Mode<'m> {
    /// Copies every byte (finding where a value ends).
    Copy,
    /// Notes, by object ordinal, the subject value of each object that
    /// holds the subject field directly; writes nothing.
    Subjects { field: &'m str, found: HashMap<u64, String> },
    /// Masks; `subjects` (from a [`Mode::Subjects`] pass over the same
    /// bytes) sets the masker's subject on entering an object.
    Rewrite { masker: &'m mut Masker, subjects: Option<HashMap<u64, String>> },
}

enum Frame {
    /// An object; `key` is the member being read.
    Object { key: Option<String>, ordinal: u64 },
    /// An array; `ctx` is the key its elements take.
    Array { ctx: Option<String> },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Value,
    ValueOrEnd,
    KeyOrEnd,
    Key,
    Colon,
    CommaOrEnd,
}

/// One pass over JSON text from `input` into `out`.
pub(crate) struct Stream<'m, R, W> {
    input: R,
    out: W,
    mode: Mode<'m>,
    /// 1-based line of the next byte.
    pub(crate) line: u64,
    frames: Vec<Frame>,
    objects: u64,
    /// The bytes of the token being read (for error recovery).
    pub(crate) token: Vec<u8>,
    /// Bytes written so far, and the most a [`Mode::Copy`] pass may write
    /// before it fails (a record read into memory is bounded).
    written: usize,
    limit: usize,
}

impl<'m, R: BufRead, W: Write> Stream<'m, R, W> {
    pub(crate) fn new(input: R, out: W, mode: Mode<'m>) -> Self {
        Stream {
            input,
            out,
            mode,
            line: 1,
            frames: Vec::new(),
            objects: 0,
            token: Vec::new(),
            written: 0,
            limit: usize::MAX,
        }
    }

    /// The pass's mode, with what it collected.
    pub(crate) fn into_parts(self) -> (R, W, Mode<'m>) {
        (self.input, self.out, self.mode)
    }

    fn peek(&mut self) -> Result<Option<u8>, Fault> {
        Ok(self.input.fill_buf()?.first().copied())
    }

    fn bump(&mut self) -> Result<Option<u8>, Fault> {
        let b = self.peek()?;
        if let Some(b) = b {
            self.input.consume(1);
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(b)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Fault> {
        if !matches!(self.mode, Mode::Subjects { .. }) {
            self.written += bytes.len();
            if self.written > self.limit {
                return Err(Fault::Malformed(format!(
                    "holds a record longer than {} MiB (with a subject field each record is read whole; use NDJSON)",
                    MAX_RECORD >> 20
                )));
            }
            self.out.write_all(bytes)?;
        }
        Ok(())
    }

    /// The next byte, unread.
    pub(crate) fn peek_byte(&mut self) -> Result<Option<u8>, Fault> {
        self.peek()
    }

    /// Copies whitespace.
    pub(crate) fn whitespace(&mut self) -> Result<(), Fault> {
        loop {
            let buf = self.input.fill_buf()?;
            let n = buf.iter().take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')).count();
            if n == 0 {
                return Ok(());
            }
            let lines = buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            let chunk = buf[..n].to_vec();
            self.input.consume(n);
            self.line += lines;
            self.write(&chunk)?;
        }
    }

    /// Whether the input is at its end (after whitespace).
    pub(crate) fn at_end(&mut self) -> Result<bool, Fault> {
        Ok(self.peek()?.is_none())
    }

    /// Reads (and rewrites) one whole JSON value.
    pub(crate) fn value(&mut self) -> Result<(), Fault> {
        let base = self.frames.len();
        let mut expect = Expect::Value;
        loop {
            self.whitespace()?;
            // Nothing of a token is held between tokens (what a failure
            // leaves in `token` is what it consumed).
            self.token.clear();
            let Some(b) = self.peek()? else {
                return Err(Fault::Malformed("ends before the JSON value is complete".into()));
            };
            match expect {
                Expect::Value | Expect::ValueOrEnd => {
                    if expect == Expect::ValueOrEnd && b == b']' {
                        self.close(b']')?;
                    } else {
                        let ctx = self.context();
                        match b {
                            b'{' => {
                                self.open(b'{')?;
                                self.objects += 1;
                                let ordinal = self.objects;
                                self.frames.push(Frame::Object { key: None, ordinal });
                                self.entered_object(ordinal);
                                expect = Expect::KeyOrEnd;
                                continue;
                            }
                            b'[' => {
                                self.open(b'[')?;
                                self.frames.push(Frame::Array { ctx });
                                expect = Expect::ValueOrEnd;
                                continue;
                            }
                            b'"' => {
                                let text = self.string()?;
                                self.with_token(|s, raw| s.scalar(ctx.as_deref(), raw, &text, false))?;
                            }
                            b'-' | b'0'..=b'9' => {
                                self.number()?;
                                self.with_token(|s, raw| {
                                    s.scalar(ctx.as_deref(), raw, std::str::from_utf8(raw).expect("ASCII"), true)
                                })?;
                            }
                            b't' | b'f' | b'n' => {
                                self.literal()?;
                                self.with_token(|s, raw| s.write(raw))?;
                            }
                            _ => {
                                return Err(Fault::Malformed(format!("is not valid JSON (an unexpected {})", what(b))))
                            }
                        }
                    }
                }
                Expect::KeyOrEnd | Expect::Key => {
                    if expect == Expect::KeyOrEnd && b == b'}' {
                        self.close(b'}')?;
                    } else if b == b'"' {
                        let key = self.string()?;
                        self.with_token(|s, raw| s.key(raw, &key))?;
                        if let Some(Frame::Object { key: slot, .. }) = self.frames.last_mut() {
                            *slot = (key.len() <= MAX_CONTEXT_KEY).then_some(key);
                        }
                        expect = Expect::Colon;
                        continue;
                    } else {
                        return Err(Fault::Malformed(format!("is not valid JSON (a key expected, not {})", what(b))));
                    }
                }
                Expect::Colon => {
                    if b != b':' {
                        return Err(Fault::Malformed(format!("is not valid JSON (':' expected, not {})", what(b))));
                    }
                    self.bump()?;
                    self.write(b":")?;
                    expect = Expect::Value;
                    continue;
                }
                Expect::CommaOrEnd => {
                    let object = matches!(self.frames.last(), Some(Frame::Object { .. }));
                    match (b, object) {
                        (b',', true) => {
                            self.bump()?;
                            self.write(b",")?;
                            expect = Expect::Key;
                            continue;
                        }
                        (b',', false) => {
                            self.bump()?;
                            self.write(b",")?;
                            expect = Expect::Value;
                            continue;
                        }
                        (b'}', true) | (b']', false) => self.close(b)?,
                        _ => {
                            return Err(Fault::Malformed(format!(
                                "is not valid JSON ({} or {} expected, not {})",
                                "','",
                                if object { "'}'" } else { "']'" },
                                what(b)
                            )))
                        }
                    }
                }
            }
            // A value is complete.
            if self.frames.len() == base {
                return Ok(());
            }
            expect = Expect::CommaOrEnd;
        }
    }

    /// The field name a scalar here takes.
    fn context(&self) -> Option<String> {
        match self.frames.last() {
            Some(Frame::Object { key, .. }) => key.clone(),
            Some(Frame::Array { ctx }) => ctx.clone(),
            None => None,
        }
    }

    fn open(&mut self, b: u8) -> Result<(), Fault> {
        if self.frames.len() >= MAX_DEPTH {
            return Err(Fault::Malformed(format!("is nested deeper than {MAX_DEPTH} levels (phimask's limit)")));
        }
        self.bump()?;
        self.write(&[b])
    }

    fn close(&mut self, b: u8) -> Result<(), Fault> {
        self.bump()?;
        self.frames.pop();
        self.write(&[b])
    }

    fn entered_object(&mut self, ordinal: u64) {
        if let Mode::Rewrite { masker, subjects: Some(subjects) } = &mut self.mode {
            if let Some(subject) = subjects.get(&ordinal) {
                masker.set_subject(subject);
            }
        }
    }

    /// Runs `f` with the bytes of the token just read (borrowed out of
    /// `token` and put back, so no copy is made).
    fn with_token<T>(&mut self, f: impl FnOnce(&mut Self, &[u8]) -> Result<T, Fault>) -> Result<T, Fault> {
        let token = std::mem::take(&mut self.token);
        let result = f(self, &token);
        self.token = token;
        result
    }

    /// Reads a string token into `token` (quotes included) and returns its
    /// text.
    fn string(&mut self) -> Result<String, Fault> {
        self.token.clear();
        let quote = self.bump()?.expect("peeked");
        self.token.push(quote);
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                return Err(Fault::Malformed("ends inside a string".into()));
            }
            // Up to the next quote or backslash in the buffer.
            let found = memchr::memchr2(b'"', b'\\', buf);
            let n = found.unwrap_or(buf.len());
            self.line += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            self.token.extend_from_slice(&buf[..n]);
            self.input.consume(n);
            if self.token.len() > MAX_RECORD {
                return Err(Fault::Malformed(format!("holds a string longer than {} MiB", MAX_RECORD >> 20)));
            }
            if found.is_none() {
                continue;
            }
            match self.bump()? {
                Some(b'"') => {
                    self.token.push(b'"');
                    break;
                }
                Some(b'\\') => {
                    self.token.push(b'\\');
                    match self.bump()? {
                        Some(c) => self.token.push(c),
                        None => return Err(Fault::Malformed("ends inside a string".into())),
                    }
                }
                Some(_) => unreachable!("memchr2 stopped at a quote or backslash"),
                None => return Err(Fault::Malformed("ends inside a string".into())),
            }
            if self.token.len() > MAX_RECORD {
                return Err(Fault::Malformed(format!("holds a string longer than {} MiB", MAX_RECORD >> 20)));
            }
        }
        let text: String = serde_json::from_slice(&self.token).map_err(|_| {
            Fault::Malformed("is not valid JSON (a bad string: control character, escape or UTF-8)".into())
        })?;
        Ok(text)
    }

    /// Reads a number token into `token` (checked against JSON's number
    /// grammar).
    fn number(&mut self) -> Result<(), Fault> {
        self.token.clear();
        while let Some(b) = self.peek()? {
            if !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                break;
            }
            self.bump()?;
            self.token.push(b);
            if self.token.len() > MAX_RECORD {
                return Err(Fault::Malformed(format!("holds a number longer than {} MiB", MAX_RECORD >> 20)));
            }
        }
        if !json_number(&self.token) {
            return Err(Fault::Malformed("is not valid JSON (a bad number)".into()));
        }
        Ok(())
    }

    /// Reads `true`, `false` or `null` into `token`.
    fn literal(&mut self) -> Result<(), Fault> {
        self.token.clear();
        while let Some(b) = self.peek()? {
            if !b.is_ascii_alphabetic() || self.token.len() > 5 {
                break;
            }
            self.bump()?;
            self.token.push(b);
        }
        match &self.token[..] {
            b"true" | b"false" | b"null" => Ok(()),
            _ => Err(Fault::Malformed("is not valid JSON (an unknown word)".into())),
        }
    }

    /// Writes a string or number value, masked under `ctx`.
    fn scalar(&mut self, ctx: Option<&str>, raw: &[u8], text: &str, number: bool) -> Result<(), Fault> {
        if let Mode::Subjects { field, found } = &mut self.mode {
            if let (Some(ctx), Some(Frame::Object { ordinal, .. })) = (ctx, self.frames.last()) {
                if normalize_field(ctx) == *field {
                    found.entry(*ordinal).or_insert_with(|| text.to_string());
                }
            }
            return Ok(());
        }
        let Mode::Rewrite { masker, .. } = &mut self.mode else { return self.write(raw) };
        let masked = match ctx {
            Some(key) => {
                let entity = masker.engine().entity_for_field(key);
                mask_named(masker, key, entity, text)
            }
            None => masker.mask_str(text),
        };
        if masked == text {
            return self.write(raw);
        }
        let value = if number { number_or_string(masked) } else { Value::String(masked) };
        let encoded = serde_json::to_vec(&value).expect("a string or number serializes");
        self.write(&encoded)
    }

    /// Writes an object key, scanned as text (a key can hold PHI).
    fn key(&mut self, raw: &[u8], key: &str) -> Result<(), Fault> {
        let Mode::Rewrite { masker, .. } = &mut self.mode else { return self.write(raw) };
        let masked = masker.mask_str(key);
        if masked == key {
            return self.write(raw);
        }
        let encoded = serde_json::to_vec(&masked).expect("a string serializes");
        self.write(&encoded)
    }
}

impl<R: BufRead> Stream<'_, R, Vec<u8>> {
    /// Takes what the pass has written so far.
    pub(crate) fn take_out(&mut self) -> Vec<u8> {
        self.written = 0;
        std::mem::take(&mut self.out)
    }

    /// Reads one whole value, failing past [`MAX_RECORD`] bytes.
    pub(crate) fn value_bounded(&mut self) -> Result<(), Fault> {
        self.limit = MAX_RECORD;
        let result = self.value();
        self.limit = usize::MAX;
        result
    }

    /// Copies the `[` of a top-level array read element by element.
    pub(crate) fn open_top_array(&mut self) -> Result<(), Fault> {
        self.bump()?;
        self.write(b"[")
    }

    /// Copies its `]`.
    pub(crate) fn close_top_array(&mut self) -> Result<(), Fault> {
        self.bump()?;
        self.write(b"]")
    }

    /// Copies a `,` between its elements.
    pub(crate) fn comma(&mut self) -> Result<(), Fault> {
        self.bump()?;
        self.write(b",")
    }
}

/// A masked number's new value: a number when it is still a plain
/// non-negative integer, else a string.
pub(crate) fn number_or_string(masked: String) -> Value {
    let plain = !masked.is_empty()
        && masked.bytes().all(|b| b.is_ascii_digit())
        && (masked.len() == 1 || !masked.starts_with('0'));
    match masked.parse::<u64>() {
        Ok(n) if plain => Value::Number(n.into()),
        _ => Value::String(masked),
    }
}

/// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn json_number(t: &[u8]) -> bool {
    let mut i = usize::from(t.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < t.len() && t[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    let start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && t[start] == b'0') {
        return false;
    }
    if i < t.len() && t[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if i < t.len() && matches!(t[i], b'e' | b'E') {
        i += 1;
        if i < t.len() && matches!(t[i], b'+' | b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == t.len()
}

/// A byte named without quoting input text beyond one ASCII punctuation.
fn what(b: u8) -> String {
    if b.is_ascii_punctuation() {
        format!("'{}'", char::from(b))
    } else if b.is_ascii_alphanumeric() {
        "letter or digit".into()
    } else {
        format!("byte 0x{b:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_grammar() {
        for yes in ["0", "-0", "1.10", "1.0e0", "12345678901234567890123", "-2.5E+3"] {
            assert!(json_number(yes.as_bytes()), "{yes}");
        }
        for no in ["", "-", "01", "1.", ".5", "1e", "+1", "1.2.3", "--1"] {
            assert!(!json_number(no.as_bytes()), "{no}");
        }
    }

    fn copy(input: &str) -> Result<String, Fault> {
        let mut out = Vec::new();
        let mut s = Stream::new(input.as_bytes(), &mut out, Mode::Copy);
        s.whitespace()?;
        s.value()?;
        s.whitespace()?;
        assert!(s.at_end()?);
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn copy_keeps_every_byte() {
        let input = "{ \"a\" : [1.10, 1.0e0, \"\\u0041\", true,null ,{}, []],\n\t\"b\":-0 }\n";
        assert_eq!(copy(input).unwrap(), input);
    }

    #[test]
    fn malformed_input_is_named_without_its_text() {
        for bad in ["{\"a\" 1}", "[1,]", "{\"x\": tru}", "[\"abc", "{\"a\":1,}", "[01]", "{1:2}"] {
            match copy(bad) {
                Err(Fault::Malformed(msg)) => assert!(!msg.contains("abc") && !msg.contains("tru"), "{msg}"),
                other => panic!("{bad}: {:?}", other.map(|_| ())),
            }
        }
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert!(matches!(copy(&deep), Err(Fault::Malformed(m)) if m.contains("deeper")));
        let ok_deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
        assert_eq!(copy(&ok_deep).unwrap(), ok_deep);
    }
}
