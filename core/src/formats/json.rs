//! JSON and NDJSON: keys as context, every other byte kept.
//!
//! Documents and lines are rewritten by a streaming, byte-preserving
//! rewriter (`jsonstream`): memory is one token, not the document, and
//! only the values that change are written anew. Each value is masked with
//! the nearest enclosing object key as its field name (array elements take
//! the key of their array):
//!
//! - A string under a key naming an entity (`ssn`, `mrn`, `dob`, …) is
//!   masked whole as that entity; any other string is scanned with the key
//!   as context. Object keys are scanned as text too (a key can hold PHI).
//! - A number is masked as its text the same way. The result stays a JSON
//!   number when it is still all digits without a leading zero (`tokenize`
//!   and `surrogate` keep digits: an MRN stored as a number stays a number)
//!   and becomes a JSON string otherwise (`mask`, `redact`, `label`,
//!   `hash`, a token with a leading zero).
//! - Booleans and null are kept; so are whitespace, escapes and the
//!   spelling of every value that does not change (`1.10`, `"\u0041"`,
//!   integers of any size).
//!
//! With a subject field, records are read one at a time — each element of
//! a top-level array, or the whole value (at most [`MAX_RECORD`]) — and
//! each gets two passes (see `jsonstream`). A malformed document under
//! [`OnError::Skip`] is masked as plain text from the token where it went
//! wrong; a malformed NDJSON line is masked as plain text whole.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};

use serde_json::{Map, Value};

use super::jsonstream::{number_or_string, Fault, Mode, Stream};
use super::{malformed, mask_named, too_large, write_err, FormatOptions, FormatReport, OnError, MAX_RECORD};
use crate::error::Error;
use crate::mask::Masker;
use crate::patterns::normalize_field;

pub(super) fn mask_json<R: Read, W: Write>(
    masker: &mut Masker,
    reader: R,
    writer: W,
    options: &FormatOptions,
) -> Result<FormatReport, Error> {
    let mut out = BufWriter::with_capacity(64 * 1024, writer);
    let reader = BufReader::with_capacity(64 * 1024, reader);
    let mut report = FormatReport::default();
    let subject = options.subject_field.as_deref().map(normalize_field);
    let result = match &subject {
        None => {
            let mut stream = Stream::new(reader, &mut out, Mode::Rewrite { masker: &mut *masker, subjects: None });
            let result = document(&mut stream);
            let (line, token) = (stream.line, std::mem::take(&mut stream.token));
            let (rest, _, _) = stream.into_parts();
            result.map_err(|fault| (fault, line, token, rest))
        }
        Some(field) => by_record(masker, reader, &mut out, field),
    };
    match result {
        Ok(()) => report.records = 1,
        Err((Fault::Io(e), ..)) => return Err(Error::io(&e)),
        Err((Fault::Malformed(what), line, token, rest)) => match options.on_error {
            OnError::Fail => return Err(malformed(line, &what)),
            OnError::Skip => {
                // Masked as text from the token that went wrong to the end.
                masker.set_subject("");
                out.write_all(&masker.mask_bytes(&token)).map_err(|e| write_err(&e))?;
                masker.mask_reader(rest, &mut out)?;
                report.skip(line);
            }
        },
    }
    out.flush().map_err(|e| write_err(&e))?;
    Ok(report)
}

/// One whole document: a value between optional whitespace.
fn document<R: BufRead, W: Write>(stream: &mut Stream<'_, R, W>) -> Result<(), Fault> {
    stream.whitespace()?;
    stream.value()?;
    stream.whitespace()?;
    if !stream.at_end()? {
        return Err(Fault::Malformed("is not valid JSON (more after the value)".into()));
    }
    Ok(())
}

type Failed<R> = (Fault, u64, Vec<u8>, R);

/// A document with a subject field: each element of a top-level array (or
/// the whole value) read into memory, then masked in two passes.
fn by_record<R: BufRead, W: Write>(masker: &mut Masker, reader: R, out: &mut W, field: &str) -> Result<(), Failed<R>> {
    let mut copy = Stream::new(reader, Vec::new(), Mode::Copy);
    let fail = |copy: Stream<'_, R, Vec<u8>>, fault: Fault| {
        let (line, token) = (copy.line, copy.token.clone());
        let (rest, _, _) = copy.into_parts();
        Err((fault, line, token, rest))
    };
    macro_rules! attempt {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(fault) => return fail(copy, fault),
            }
        };
    }
    attempt!(copy.whitespace());
    let array = attempt!(copy.peek_byte()) == Some(b'[');
    let head = copy.take_out();
    attempt!(out.write_all(&head).map_err(Fault::Io));
    if array {
        attempt!(copy.open_top_array());
        attempt!(copy.whitespace());
        if attempt!(copy.peek_byte()) == Some(b']') {
            attempt!(copy.close_top_array());
        } else {
            loop {
                // The whitespace and punctuation so far, then one element.
                let head = copy.take_out();
                attempt!(out.write_all(&head).map_err(Fault::Io));
                attempt!(copy.value_bounded());
                let element = copy.take_out();
                attempt!(rewrite(masker, &element, out, field));
                attempt!(copy.whitespace());
                match attempt!(copy.peek_byte()) {
                    Some(b',') => attempt!(copy.comma()),
                    Some(b']') => {
                        attempt!(copy.close_top_array());
                        break;
                    }
                    _ => return fail(copy, Fault::Malformed("is not valid JSON (',' or ']' expected)".into())),
                }
            }
        }
    } else {
        attempt!(copy.value_bounded());
        let whole = copy.take_out();
        attempt!(rewrite(masker, &whole, out, field));
    }
    attempt!(copy.whitespace());
    if !attempt!(copy.at_end()) {
        return fail(copy, Fault::Malformed("is not valid JSON (more after the value)".into()));
    }
    let tail = copy.take_out();
    attempt!(out.write_all(&tail).map_err(Fault::Io));
    Ok(())
}

/// Masks one record held in memory: a pass for its subjects, then one that
/// rewrites it.
fn rewrite<W: Write>(masker: &mut Masker, record: &[u8], out: &mut W, field: &str) -> Result<(), Fault> {
    let mut scan = Stream::new(record, std::io::sink(), Mode::Subjects { field, found: HashMap::new() });
    scan.value()?;
    let (_, _, mode) = scan.into_parts();
    let Mode::Subjects { found, .. } = mode else { unreachable!("the pass's own mode") };
    let mut pass = Stream::new(record, out, Mode::Rewrite { masker, subjects: Some(found) });
    pass.value()
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
    let mut masked = Vec::with_capacity(8 * 1024);
    let mut number = 0u64;
    loop {
        line.clear();
        let read = (&mut reader).take(MAX_RECORD as u64 + 1).read_until(b'\n', &mut line).map_err(|e| Error::io(&e))?;
        if read == 0 {
            break;
        }
        number += 1;
        if line.len() > MAX_RECORD {
            return Err(too_large(number, &format!("a line longer than {} MiB", MAX_RECORD >> 20)));
        }
        let body_len = line.len() - line.iter().rev().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        let (body, terminator) = line.split_at(body_len);
        if body.trim_ascii().is_empty() {
            out.write_all(&line).map_err(|e| write_err(&e))?;
            continue;
        }
        masked.clear();
        let result = match &subject {
            Some(field) => rewrite(masker, body, &mut masked, field),
            None => {
                let mut pass = Stream::new(body, &mut masked, Mode::Rewrite { masker: &mut *masker, subjects: None });
                document(&mut pass)
            }
        };
        match result {
            Ok(()) => {
                out.write_all(&masked).map_err(|e| write_err(&e))?;
                report.records += 1;
            }
            Err(Fault::Io(e)) => return Err(Error::io(&e)),
            Err(Fault::Malformed(what)) => match options.on_error {
                OnError::Fail => return Err(malformed(number, &what)),
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
