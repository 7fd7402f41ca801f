//! Structured-format drivers: CSV/TSV, JSON, NDJSON and SQL dumps.
//!
//! A driver feeds a [`Masker`] one value at a time with the value's column
//! or key name as context, instead of masking the file as text. The
//! trade-off: the name of a column or key is the strongest evidence there
//! is (a column `ssn` holds SSNs, whatever they look like), so a value
//! under a name that some detector lists in its `fields`
//! ([`Engine::entity_for_field`](crate::Engine::entity_for_field)) is
//! masked whole as that entity with no detection at all
//! ([`Masker::mask_value`]; ages excepted, as only an age over 89 is PHI);
//! every other string is scanned with the name
//! as context ([`Masker::mask_field`]). The price is that a driver must
//! parse, and re-writing parsed data could normalize syntax (each driver
//! documents what it keeps; JSON keeps every byte but the changed values).
//!
//! CSV and NDJSON stream record by record in bounded memory (a record
//! longer than [`MAX_RECORD`] is an error), SQL dumps token by token with
//! one `INSERT` tuple held at a time (at most [`MAX_RECORD`]), JSON
//! documents token by token (with a subject field, one record at a time:
//! each element of a top-level array, at most [`MAX_RECORD`]).
//!
//! SQL dumps: a small lexer (strings, quoted identifiers, comments, `;`)
//! finds `INSERT … VALUES` tuples; each value is named by the statement's
//! column list or the remembered `CREATE TABLE`, and everything else is
//! copied byte for byte. See `formats/sql.rs` for the escaping and
//! number rules.
//!
//! A malformed record is an [`ErrorKind::Input`](crate::ErrorKind::Input)
//! error naming its 1-based line ([`Error::line`]) and never its content.
//! With [`OnError::Skip`] it is instead masked as plain text
//! ([`Masker::mask_bytes`]), written in its place and listed in the
//! [`FormatReport`] — never silently dropped.

mod csv;
mod json;
mod jsonstream;
pub use json::{mask_json_value, unmask_json_value};
mod sql;

use std::io::{Read, Write};

use crate::entity::Entity;
use crate::error::{Error, ErrorKind};
use crate::mask::Masker;

/// The longest CSV record, NDJSON line or SQL tuple a driver holds (16 MiB).
pub const MAX_RECORD: usize = 16 * 1024 * 1024;

/// How many skipped line numbers a [`FormatReport`] lists (all are counted).
pub const MAX_LISTED_LINES: usize = 1000;

/// A structured input format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// One JSON document.
    Json,
    /// Newline-delimited JSON (JSON Lines): one value per line.
    Ndjson,
    /// A SQL dump (`mysqldump`, `pg_dump --inserts`): `INSERT … VALUES`
    /// tuples masked value by value.
    Sql,
}

impl Format {
    /// The format a file extension names (`csv`, `tsv`, `json`, `ndjson`,
    /// `jsonl`, `sql`; any case), if any.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "tsv" | "tab" => Some(Format::Tsv),
            "json" => Some(Format::Json),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "sql" => Some(Format::Sql),
            _ => None,
        }
    }

    /// The lower-case name (`"csv"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Sql => "sql",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to do with a malformed record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnError {
    /// Stop with an error naming the line (the default).
    #[default]
    Fail,
    /// Mask the record as plain text, write it in place, report its line.
    Skip,
}

/// Options of the structured drivers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FormatOptions {
    /// What to do with a malformed record.
    pub on_error: OnError,
    /// The column (CSV, SQL) or key (JSON) naming the subject of a record,
    /// such as `patient_id`: its raw value is passed to
    /// [`Masker::set_subject`] before the record is masked, so `date-shift`
    /// moves one subject's dates together. Compared after
    /// [`normalize_field`](crate::normalize_field). In a SQL dump, tuples
    /// of a table without that column share one run-wide subject.
    pub subject_field: Option<String>,
}

impl FormatOptions {
    /// The defaults: fail on a malformed record, no subject field.
    pub fn new() -> FormatOptions {
        FormatOptions::default()
    }

    /// Sets [`on_error`](Self::on_error).
    pub fn on_error(mut self, on_error: OnError) -> FormatOptions {
        self.on_error = on_error;
        self
    }

    /// Sets [`subject_field`](Self::subject_field).
    pub fn subject_field(mut self, name: Option<impl Into<String>>) -> FormatOptions {
        self.subject_field = name.map(Into::into);
        self
    }
}

/// What a driver did: counts and line numbers, never content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FormatReport {
    /// Records masked as structured data (CSV rows after the header, JSON
    /// lines, 1 for a JSON document, or SQL `INSERT` tuples).
    pub records: u64,
    /// Malformed records masked as plain text instead ([`OnError::Skip`]).
    pub skipped: u64,
    /// The 1-based lines where those records (for SQL: their statements)
    /// start, the first [`MAX_LISTED_LINES`] of them.
    pub skipped_lines: Vec<u64>,
}

impl FormatReport {
    fn skip(&mut self, line: u64) {
        self.skipped += 1;
        if self.skipped_lines.len() < MAX_LISTED_LINES {
            self.skipped_lines.push(line);
        }
    }
}

/// How many leading bytes [`mask_stream`] sniffs (as ripgrep does).
pub const SNIFF_LEN: usize = 8 * 1024;

/// Masks a whole input as a file job does (the CLI's `mask`, the bindings'
/// file functions): the first [`SNIFF_LEN`] bytes are sniffed
/// ([`encoding::sniff`](crate::encoding::sniff)); UTF-16 and UTF-32 are
/// decoded, masked (in `format`, or as text when `None`) and written back
/// in their own encoding and byte-order mark; other input with a NUL byte
/// is refused unless `force_text` (masking a binary as text corrupts it).
///
/// # Errors
/// As [`mask_format`]; [`ErrorKind::Input`] for binary input without
/// `force_text`, and for wide text that is not valid (it could not be
/// written back unchanged); [`ErrorKind::Io`] when reading or writing
/// fails.
pub fn mask_stream<R: Read, W: Write>(
    masker: &mut Masker,
    format: Option<Format>,
    mut reader: R,
    mut writer: W,
    options: &FormatOptions,
    force_text: bool,
) -> Result<FormatReport, Error> {
    use crate::encoding::{self, DecodeReader, EncodeWriter, Sniffed};
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut reader).take(SNIFF_LEN as u64).read_to_end(&mut head).map_err(|e| Error::io(&e))?;
    let sniffed = encoding::sniff(&head);
    if sniffed == Sniffed::Binary && !force_text {
        return Err(Error::new(
            ErrorKind::Input,
            "looks like a binary file (a NUL byte in the first 8 KiB, and not UTF-16 or UTF-32 text)",
        ));
    }
    let whole = std::io::Cursor::new(head).chain(reader);
    let run = |masker: &mut Masker, reader: &mut dyn Read, writer: &mut dyn Write| match format {
        Some(format) => mask_format(masker, format, reader, writer, options),
        None => masker.mask_reader(reader, writer).map(|_| FormatReport::default()),
    };
    match sniffed {
        Sniffed::Wide { encoding, bom } => {
            let mut decoded = DecodeReader::new(whole, encoding, false);
            let mut encoded = EncodeWriter::new(&mut writer, encoding, bom).map_err(|e| Error::io(&e))?;
            let report = run(masker, &mut decoded, &mut encoded)?;
            encoded.finish().map_err(|e| Error::io(&e))?;
            Ok(report)
        }
        _ => run(masker, &mut { whole }, &mut writer),
    }
}

/// Masks `reader` in `format` into `writer`.
///
/// # Errors
/// [`ErrorKind::Input`] for a malformed record under [`OnError::Fail`]
/// ([`Error::line`] names it), a record over [`MAX_RECORD`] or a document
/// nested deeper than 10,000 levels; [`ErrorKind::Config`] when
/// [`FormatOptions::subject_field`] names no CSV column;
/// [`ErrorKind::Io`] when reading or writing fails. Output written before
/// an error is incomplete: write to a temporary file and keep it only on
/// success.
///
/// # Example
/// ```
/// use phimask::{mask_format, Engine, Format, FormatOptions, Masker, Policy};
/// let mut masker = Masker::new(Engine::default(), Policy::preset("mask")?, None)?;
/// let mut out = Vec::new();
/// let input = "patient_name,ssn,notes\nJane Roe,123-45-6789,call 617-555-0123\n";
/// mask_format(&mut masker, Format::Csv, input.as_bytes(), &mut out, &FormatOptions::new())?;
/// let out = String::from_utf8(out).unwrap();
/// assert!(!out.contains("Roe") && !out.contains("123-45") && !out.contains("555-0123"), "{out}");
/// # Ok::<(), phimask::Error>(())
/// ```
pub fn mask_format<R: Read, W: Write>(
    masker: &mut Masker,
    format: Format,
    reader: R,
    writer: W,
    options: &FormatOptions,
) -> Result<FormatReport, Error> {
    match format {
        Format::Csv => csv::mask_csv(masker, reader, writer, b',', options),
        Format::Tsv => csv::mask_csv(masker, reader, writer, b'\t', options),
        Format::Json => json::mask_json(masker, reader, writer, options),
        Format::Ndjson => json::mask_ndjson(masker, reader, writer, options),
        Format::Sql => sql::mask_sql(masker, reader, writer, options),
    }
}

/// Masks a SQL dump statement by statement; see [`mask_format`].
///
/// Only `INSERT … VALUES` tuples change: each value is named by the
/// statement's column list or the `CREATE TABLE` seen earlier, a value
/// under an entity column is masked whole, any other string scanned.
/// Strings are read with both `''` and backslash escapes and written back
/// in the convention their literal used; a number under an entity column
/// stays unquoted only while its replacement is a plain number; `NULL`,
/// keywords and hex literals are kept, and expressions with strings are
/// masked as text. Outside the tuples — other statements, comments, `COPY`
/// data — string literals, comments and data lines are masked as plain
/// text; keywords, identifiers and punctuation are copied byte for byte.
///
/// # Errors
/// As [`mask_format`]; [`Error::line`] names the line where the malformed
/// statement starts.
pub fn mask_sql<R: Read, W: Write>(
    masker: &mut Masker,
    reader: R,
    writer: W,
    options: &FormatOptions,
) -> Result<FormatReport, Error> {
    sql::mask_sql(masker, reader, writer, options)
}

/// Masks CSV (`delimiter` `b','`) or TSV (`b'\t'`) with a header row; see
/// [`mask_format`].
///
/// # Errors
/// As [`mask_format`].
pub fn mask_csv<R: Read, W: Write>(
    masker: &mut Masker,
    reader: R,
    writer: W,
    delimiter: u8,
    options: &FormatOptions,
) -> Result<FormatReport, Error> {
    csv::mask_csv(masker, reader, writer, delimiter, options)
}

/// Masks one JSON document; see [`mask_format`].
///
/// # Errors
/// As [`mask_format`].
pub fn mask_json<R: Read, W: Write>(
    masker: &mut Masker,
    reader: R,
    writer: W,
    options: &FormatOptions,
) -> Result<FormatReport, Error> {
    json::mask_json(masker, reader, writer, options)
}

/// Masks NDJSON line by line; see [`mask_format`].
///
/// # Errors
/// As [`mask_format`].
pub fn mask_ndjson<R: Read, W: Write>(
    masker: &mut Masker,
    reader: R,
    writer: W,
    options: &FormatOptions,
) -> Result<FormatReport, Error> {
    json::mask_ndjson(masker, reader, writer, options)
}

/// Masks one value under the column or key `field`: whole as the entity
/// the name stands for, else scanned with the name as context. Ages are
/// the exception: only an age over 89 is PHI, so a whole number under 90
/// is kept, one over 89 masked whole, and any other `age` value scanned.
fn mask_named(masker: &mut Masker, field: &str, entity: Option<Entity>, value: &str) -> String {
    match entity {
        Some(Entity::AgeOver89) => match value.trim().parse::<u32>() {
            Ok(age) if age < 90 => value.to_string(),
            Ok(_) => masker.mask_value(Entity::AgeOver89, Some(field), value),
            Err(_) => masker.mask_field(field, value),
        },
        Some(entity) => masker.mask_value(entity, Some(field), value),
        None => masker.mask_field(field, value),
    }
}

/// A malformed record at `line`: the message says what is wrong, never
/// what the record holds.
fn malformed(line: u64, what: &str) -> Error {
    Error::new(ErrorKind::Input, format!("line {line}: {what}")).with_line(line)
}

/// A record at `line` too large to hold: named in the message, but not as
/// a malformed record's [`Error::line`] — `OnError::Skip` cannot mask what
/// cannot be held, and front ends offer skipping for malformed records.
fn too_large(line: u64, what: &str) -> Error {
    Error::new(ErrorKind::Input, format!("line {line}: {what}"))
}

fn write_err(err: &std::io::Error) -> Error {
    Error::io(err)
}
