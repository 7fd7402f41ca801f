//! CSV and TSV: header-aware, row by row.
//!
//! The `csv` crate splits records; the bytes it reads are also kept (only
//! those of the current record) so that output can stay close to input:
//!
//! - Only the bytes of a changed field change: every other field, the
//!   delimiters, quotes, blank lines, a BOM and every line terminator are
//!   copied byte for byte. A changed field keeps its quotes (inner quotes
//!   doubled); an unquoted one is quoted only when the new text needs it
//!   (a delimiter, quote, CR or LF). A value masked whole under an entity
//!   column keeps the spaces around it (`, Jane Doe ,` → `, [NAME_1] ,`).
//! - Header cells are column names (context for their column) and are
//!   scanned as text too: a header can hold PHI (`id,123-45-6789`).
//!
//! A data row is malformed when its field count differs from the header's,
//! it is not UTF-8, or it holds an odd number of `"` characters (an
//! unclosed quote, or a bare quote inside an unquoted field, which RFC 4180
//! does not allow and which re-writing would change).

use std::cell::RefCell;
use std::io::{self, BufWriter, Read, Write};
use std::rc::Rc;

use csv::{ByteRecord, ReaderBuilder};

use super::{malformed, mask_named, too_large, write_err, FormatOptions, FormatReport, OnError, MAX_RECORD};
use crate::entity::Entity;
use crate::error::{Error, ErrorKind};
use crate::mask::Masker;
use crate::patterns::normalize_field;

/// Input bytes read but not yet written, starting at absolute offset `base`.
#[derive(Default)]
struct Held {
    base: u64,
    bytes: Vec<u8>,
    overflow: bool,
}

impl Held {
    /// Takes the held bytes up to absolute offset `end`.
    fn take_to(&mut self, end: u64) -> Vec<u8> {
        let n = ((end - self.base) as usize).min(self.bytes.len());
        let taken: Vec<u8> = self.bytes.drain(..n).collect();
        self.base += n as u64;
        taken
    }
}

/// A reader that keeps a copy of what it reads in [`Held`].
struct Tee<R> {
    inner: R,
    held: Rc<RefCell<Held>>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut held = self.held.borrow_mut();
        if held.bytes.len() + n > MAX_RECORD + 256 * 1024 {
            held.overflow = true;
            return Err(io::Error::other("record too long"));
        }
        held.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

struct Column {
    name: String,
    entity: Option<Entity>,
}

pub(super) fn mask_csv<R: Read, W: Write>(
    masker: &mut Masker,
    reader: R,
    writer: W,
    delimiter: u8,
    options: &FormatOptions,
) -> Result<FormatReport, Error> {
    let held = Rc::new(RefCell::new(Held::default()));
    let mut rdr = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(Tee { inner: reader, held: Rc::clone(&held) });
    let mut out = BufWriter::with_capacity(64 * 1024, writer);
    let mut report = FormatReport::default();
    let mut record = ByteRecord::new();
    let mut columns: Option<Vec<Column>> = None;
    let mut subject: Option<usize> = None;
    let mut last_line = 0u64;
    let mut newlines = 0u64;
    let mut fields: Vec<String> = Vec::new();
    loop {
        let more = match rdr.read_byte_record(&mut record) {
            Ok(more) => more,
            Err(e) => return Err(read_error(e, &held, last_line + 1)),
        };
        if !more {
            break;
        }
        let start = record.position().expect("a record read has a position").byte();
        let end = rdr.position().byte();
        let (mut gap, mut raw) = {
            let mut held = held.borrow_mut();
            let gap = held.take_to(start);
            (gap, held.take_to(end))
        };
        // The reader's position is where it began looking for the record,
        // before the blank lines it skips: those belong to the gap.
        let lead = raw.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        gap.extend(raw.drain(..lead));
        out.write_all(&gap).map_err(|e| write_err(&e))?;
        // Lines are counted here, from the bytes, so CR LF and blank lines
        // cannot shift them.
        newlines += memchr::memchr_iter(b'\n', &gap).count() as u64;
        let line = newlines + 1;
        newlines += memchr::memchr_iter(b'\n', &raw).count() as u64;
        last_line = line;
        let body_len = raw.len() - raw.iter().rev().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        let (body, terminator) = raw.split_at(body_len);

        let Some(cols) = &columns else {
            let mut names = Vec::with_capacity(record.len());
            for field in record.iter() {
                let name = std::str::from_utf8(field)
                    .map_err(|_| malformed(line, "the header row is not valid UTF-8"))?
                    .to_string();
                let entity = masker.engine().entity_for_field(&name);
                names.push(Column { name, entity });
            }
            if let Some(wanted) = &options.subject_field {
                let wanted_norm = normalize_field(wanted);
                subject = names.iter().position(|c| normalize_field(&c.name) == wanted_norm);
                if subject.is_none() {
                    return Err(Error::new(
                        ErrorKind::Config,
                        format!("subject column '{wanted}' is not in the header (line {line})"),
                    ));
                }
            }
            let masked: Vec<String> = names.iter().map(|c| masker.mask_str(&c.name)).collect();
            columns = Some(names);
            let header: Vec<&[u8]> = record.iter().collect();
            write_changed(&mut out, body, &header, &masked, delimiter).map_err(|e| write_err(&e))?;
            out.write_all(terminator).map_err(|e| write_err(&e))?;
            continue;
        };

        let problem = if record.len() != cols.len() {
            Some(format!("has {} fields, the header has {}", record.len(), cols.len()))
        } else if record.iter().any(|f| std::str::from_utf8(f).is_err()) {
            Some("is not valid UTF-8".to_string())
        } else if memchr::memchr_iter(b'"', body).count() % 2 == 1 {
            Some("has unbalanced quotes".to_string())
        } else {
            None
        };
        if let Some(problem) = problem {
            match options.on_error {
                OnError::Fail => return Err(malformed(line, &format!("row {problem}"))),
                OnError::Skip => {
                    masker.set_subject("");
                    out.write_all(&masker.mask_bytes(body)).map_err(|e| write_err(&e))?;
                    out.write_all(terminator).map_err(|e| write_err(&e))?;
                    report.skip(line);
                    continue;
                }
            }
        }

        let value = |i: usize| std::str::from_utf8(&record[i]).expect("checked above");
        if let Some(i) = subject {
            masker.set_subject(value(i));
        }
        fields.clear();
        let mut changed = false;
        for (i, col) in cols.iter().enumerate() {
            let original = value(i);
            let masked = match col.entity {
                // A whole value keeps the spaces around it.
                Some(_) => {
                    let trimmed = original.trim_matches([' ', '\t']);
                    let lead = original.len() - original.trim_start_matches([' ', '\t']).len();
                    let masked = mask_named(masker, &col.name, col.entity, trimmed);
                    format!("{}{masked}{}", &original[..lead], &original[lead + trimmed.len()..])
                }
                None => mask_named(masker, &col.name, col.entity, original),
            };
            changed |= masked != original;
            fields.push(masked);
        }
        if changed {
            let values: Vec<&[u8]> = record.iter().collect();
            write_changed(&mut out, body, &values, &fields, delimiter).map_err(|e| write_err(&e))?;
            out.write_all(terminator).map_err(|e| write_err(&e))?;
        } else {
            out.write_all(&raw).map_err(|e| write_err(&e))?;
        }
        report.records += 1;
    }
    // Blank lines after the last record.
    let rest = std::mem::take(&mut held.borrow_mut().bytes);
    out.write_all(&rest).map_err(|e| write_err(&e))?;
    out.flush().map_err(|e| write_err(&e))?;
    Ok(report)
}

/// Writes a row's `body` with each field whose text changed (`fields[i]`
/// against the parsed `values[i]`) replaced in place and every other byte
/// kept. Falls back to [`write_row`] if the body does not split into the
/// same fields the parser read (it always should: rows with unbalanced
/// quotes are malformed before they get here).
fn write_changed(
    out: &mut impl Write,
    body: &[u8],
    values: &[&[u8]],
    fields: &[String],
    delimiter: u8,
) -> io::Result<()> {
    let spans = split_raw(body, delimiter);
    let same = spans.len() == values.len()
        && spans.iter().zip(values).all(|(&(s, e, quoted), v)| {
            let raw = &body[s..e];
            if quoted {
                raw.len() >= 2 && raw.ends_with(b"\"") && unquote(&raw[1..raw.len() - 1]) == *v
            } else {
                raw == *v
            }
        });
    if !same {
        return write_row(out, fields, delimiter);
    }
    let mut at = 0;
    for ((&(s, e, quoted), v), field) in spans.iter().zip(values).zip(fields) {
        if field.as_bytes() == *v {
            continue;
        }
        out.write_all(&body[at..s])?;
        write_field(out, field, delimiter, quoted)?;
        at = e;
    }
    out.write_all(&body[at..])
}

/// A quoted field's content with its doubled quotes undone.
fn unquote(inner: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        out.push(inner[i]);
        i += if inner[i] == b'"' && inner.get(i + 1) == Some(&b'"') { 2 } else { 1 };
    }
    out
}

/// The raw spans of a row's fields, and whether each is quoted (opens with
/// `"`, as the `csv` crate reads quotes only at a field's start).
fn split_raw(body: &[u8], delimiter: u8) -> Vec<(usize, usize, bool)> {
    let mut spans = Vec::new();
    let mut i = 0;
    loop {
        let start = i;
        let quoted = body.get(i) == Some(&b'"');
        if quoted {
            i += 1;
            while i < body.len() {
                if body[i] == b'"' {
                    if body.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        }
        while i < body.len() && body[i] != delimiter {
            i += 1;
        }
        spans.push((start, i, quoted));
        if i >= body.len() {
            return spans;
        }
        i += 1;
    }
}

/// Writes one row, quoting only the fields that need it.
fn write_row(out: &mut impl Write, fields: &[String], delimiter: u8) -> io::Result<()> {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(&[delimiter])?;
        }
        // A lone empty field is quoted, or the row would be a blank line.
        write_field(out, field, delimiter, fields.len() == 1 && field.is_empty())?;
    }
    Ok(())
}

/// Writes one field: in quotes (inner quotes doubled) when `quote` says so
/// or its text holds the delimiter, a quote, CR or LF; else as it is.
fn write_field(out: &mut impl Write, field: &str, delimiter: u8, quote: bool) -> io::Result<()> {
    if quote || field.bytes().any(|b| b == delimiter || matches!(b, b'"' | b'\r' | b'\n')) {
        out.write_all(b"\"")?;
        out.write_all(field.replace('"', "\"\"").as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(field.as_bytes())
    }
}

/// Maps a `csv` error without its content.
fn read_error(err: csv::Error, held: &Rc<RefCell<Held>>, line: u64) -> Error {
    if held.borrow().overflow {
        return too_large(line, &format!("a record longer than {} MiB starts here", MAX_RECORD >> 20));
    }
    match err.into_kind() {
        csv::ErrorKind::Io(e) => Error::io(&e),
        _ => malformed(line, "cannot be read as CSV"),
    }
}
