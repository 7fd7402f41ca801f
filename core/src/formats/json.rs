//! JSON and NDJSON: keys as context, walked recursively.
//!
//! Values are parsed with `serde_json` (key order preserved) and each is
//! masked with the nearest enclosing object key as its field name (array
//! elements take the key of their array):
//!
//! - A string under a key naming an entity (`ssn`, `mrn`, `dob`, …) is
//!   masked whole as that entity; any other string is scanned with the key
//!   as context. Keys themselves are kept as they are.
//! - A number is masked as its decimal text the same way. The result stays
//!   a JSON number when it is still all digits without a leading zero
//!   (`tokenize` and `surrogate` keep digits: an MRN stored as a number
//!   stays a number) and becomes a JSON string otherwise (`mask`,
//!   `redact`, `label`, `hash`, a token with a leading zero).
//! - Booleans and null are kept.
//!
//! Re-writing normalizes whitespace: NDJSON lines are written compact (the
//! line terminators and blank lines are kept); a JSON document is written
//! compact, or pretty-printed with two-space indents when the input spans
//! several lines, ending with a newline when the input did. String escapes
//! are normalized the way `serde_json` writes them.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};

use serde_json::{Map, Number, Value};

use super::{malformed, mask_named, write_err, FormatOptions, FormatReport, OnError, MAX_JSON_DOCUMENT, MAX_RECORD};
use crate::error::{Error, ErrorKind};
use crate::mask::Masker;
use crate::patterns::normalize_field;

pub(super) fn mask_json<R: Read, W: Write>(
    masker: &mut Masker,
    reader: R,
    writer: W,
    options: &FormatOptions,
) -> Result<FormatReport, Error> {
    let mut input = Vec::new();
    reader.take(MAX_JSON_DOCUMENT as u64 + 1).read_to_end(&mut input).map_err(|e| Error::io(&e))?;
    if input.len() > MAX_JSON_DOCUMENT {
        return Err(Error::new(
            ErrorKind::Input,
            format!("a JSON document larger than {} MiB; use NDJSON for larger data", MAX_JSON_DOCUMENT >> 20),
        ));
    }
    let mut out = BufWriter::with_capacity(64 * 1024, writer);
    let mut report = FormatReport::default();
    match serde_json::from_slice::<Value>(&input) {
        Ok(mut value) => {
            let subject = options.subject_field.as_deref().map(normalize_field);
            walk(masker, None, &mut value, subject.as_deref());
            let body = input.trim_ascii_end();
            let multi_line = memchr::memchr(b'\n', body).is_some();
            let written = if multi_line {
                serde_json::to_writer_pretty(&mut out, &value)
            } else {
                serde_json::to_writer(&mut out, &value)
            };
            written.map_err(|e| Error::io(&io::Error::from(e)))?;
            if input.ends_with(b"\n") {
                out.write_all(b"\n").map_err(|e| write_err(&e))?;
            }
            report.records = 1;
        }
        Err(e) => {
            let line = e.line().max(1) as u64;
            match options.on_error {
                OnError::Fail => return Err(malformed(line, &describe(&e))),
                OnError::Skip => {
                    out.write_all(&masker.mask_bytes(&input)).map_err(|e| write_err(&e))?;
                    report.skip(line);
                }
            }
        }
    }
    out.flush().map_err(|e| write_err(&e))?;
    Ok(report)
}

pub(super) fn mask_ndjson<R: Read, W: Write>(
    masker: &mut Masker,
    reader: R,
    writer: W,
    options: &FormatOptions,
) -> Result<FormatReport, Error> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut out = BufWriter::with_capacity(64 * 1024, writer);
    let mut report = FormatReport::default();
    let subject = options.subject_field.as_deref().map(normalize_field);
    let mut line = Vec::with_capacity(8 * 1024);
    let mut number = 0u64;
    loop {
        line.clear();
        let read = (&mut reader).take(MAX_RECORD as u64 + 1).read_until(b'\n', &mut line).map_err(|e| Error::io(&e))?;
        if read == 0 {
            break;
        }
        number += 1;
        if line.len() > MAX_RECORD {
            return Err(malformed(number, &format!("a line longer than {} MiB", MAX_RECORD >> 20)));
        }
        let body_len = line.len() - line.iter().rev().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        let (body, terminator) = line.split_at(body_len);
        if body.trim_ascii().is_empty() {
            out.write_all(&line).map_err(|e| write_err(&e))?;
            continue;
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(mut value) => {
                walk(masker, None, &mut value, subject.as_deref());
                serde_json::to_writer(&mut out, &value).map_err(|e| Error::io(&io::Error::from(e)))?;
                report.records += 1;
            }
            Err(e) => match options.on_error {
                OnError::Fail => return Err(malformed(number, &describe(&e))),
                OnError::Skip => {
                    masker.set_subject("");
                    out.write_all(&masker.mask_bytes(body)).map_err(|e| write_err(&e))?;
                    report.skip(number);
                }
            },
        }
        out.write_all(terminator).map_err(|e| write_err(&e))?;
    }
    out.flush().map_err(|e| write_err(&e))?;
    Ok(report)
}

/// What is wrong with the JSON, without any of its text.
fn describe(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match err.classify() {
        Category::Eof => "ends before the JSON value is complete",
        Category::Syntax => "is not valid JSON",
        Category::Data | Category::Io => "cannot be read as JSON",
    };
    format!("{what} (column {})", err.column())
}

/// Masks a parsed JSON value in place, the way [`mask_json`](crate::mask_json)
/// masks a document: object keys are context (a key naming an entity masks
/// its value whole), nested objects and arrays are walked, numbers stay
/// numbers where the masked text allows. With `options.subject_field` set,
/// each object carrying that key sets the masker's subject for date-shift.
/// This is the record API of the bindings (`mask_record`).
///
/// # Example
/// ```
/// use phimask::{mask_json_value, Engine, FormatOptions, Masker, Policy};
/// let mut masker = Masker::new(Engine::default(), Policy::preset("mask")?, None)?;
/// let mut record = serde_json::json!({"ssn": "123-45-6789", "note": "call 617-555-0123", "n": 3});
/// mask_json_value(&mut masker, &mut record, &FormatOptions::new());
/// assert_eq!(record, serde_json::json!({"ssn": "***-**-6789", "note": "call ***-***-0123", "n": 3}));
/// # Ok::<(), phimask::Error>(())
/// ```
pub fn mask_json_value(masker: &mut Masker, value: &mut Value, options: &FormatOptions) {
    let subject = options.subject_field.as_deref().map(normalize_field);
    walk(masker, None, value, subject.as_deref());
}

/// Reverses `tokenize` in a JSON value masked by [`mask_json_value`] (or
/// [`mask_json`](crate::mask_json)) under the same policy and key; values
/// other operators replaced are left as they are.
///
/// # Errors
/// [`ErrorKind::Key`] when the masker has no key.
pub fn unmask_json_value(masker: &mut Masker, value: &mut Value) -> Result<(), Error> {
    masker.backwards(|m| walk(m, None, value, None))
}

/// Masks `value` in place; `key` is the nearest enclosing object key.
fn walk(masker: &mut Masker, key: Option<&str>, value: &mut Value, subject: Option<&str>) {
    match value {
        Value::String(s) => {
            let masked = mask_text(masker, key, s);
            *s = masked;
        }
        Value::Number(n) => {
            let text = n.to_string();
            let masked = mask_text(masker, key, &text);
            if masked != text {
                *value = number_or_string(masked);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(masker, key, item, subject);
            }
        }
        Value::Object(map) => {
            if let Some(subject) = subject {
                set_subject(masker, map, subject);
            }
            for (k, v) in map.iter_mut() {
                walk(masker, Some(k), v, subject);
            }
        }
        Value::Bool(_) | Value::Null => {}
    }
}

fn mask_text(masker: &mut Masker, key: Option<&str>, text: &str) -> String {
    match key {
        Some(key) => {
            let entity = masker.engine().entity_for_field(key);
            mask_named(masker, key, entity, text)
        }
        None => masker.mask_str(text),
    }
}

/// A masked number's new value: a number when it is still a plain
/// non-negative integer, else a string.
fn number_or_string(masked: String) -> Value {
    let plain = !masked.is_empty()
        && masked.bytes().all(|b| b.is_ascii_digit())
        && (masked.len() == 1 || !masked.starts_with('0'));
    match masked.parse::<u64>() {
        Ok(n) if plain => Value::Number(Number::from(n)),
        _ => Value::String(masked),
    }
}

/// Sets the masker's subject from the object's subject key, if it has one.
fn set_subject(masker: &mut Masker, map: &Map<String, Value>, subject: &str) {
    for (k, v) in map {
        if normalize_field(k) == subject {
            match v {
                Value::String(s) => masker.set_subject(s),
                Value::Number(n) => masker.set_subject(&n.to_string()),
                _ => {}
            }
            return;
        }
    }
}
