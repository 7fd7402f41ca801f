//! SQL dumps (`mysqldump`, `pg_dump --inserts`): `INSERT … VALUES` tuples
//! masked value by value, every other byte copied.
//!
//! The trade-off: a small hand-written lexer, not a SQL parser. It knows
//! just enough to never mistake the inside of a literal or a comment for
//! structure — single-quoted and dollar-quoted strings, `"…"` and `` `…` ``,
//! `-- …`, `# …` and `/* … */` comments, and `;` as the end of a
//! statement — and reads the input token by token, so a dump streams in
//! bounded memory: one tuple at a time is held (at most [`MAX_RECORD`]),
//! never a whole multi-row `INSERT`.
//!
//! - `INSERT [IGNORE] INTO t [(cols)] VALUES (…), (…);` (and MySQL
//!   `REPLACE INTO`): each value is named by the column list, or without
//!   one by position from the `CREATE TABLE t (…)` seen earlier in the
//!   dump. A value under a column naming an entity is masked whole as it
//!   ([`Masker::mask_value`]), any other string is scanned with the column
//!   as context ([`Masker::mask_field`]); with no column name known, it is
//!   scanned without one.
//! - Strings: `'…'`, optionally prefixed (`N'…'`, `E'…'`, `_utf8mb4'…'`)
//!   or followed by a cast (`'…'::date`). Both quoting conventions are
//!   read: `''` is a quote, and a backslash escapes the next character
//!   (MySQL: `\'`, `\\`, `\n`, `\r`, `\t`, `\0`, `\Z`, `\b`). A changed
//!   value is written back with the convention its literal used: with
//!   backslash escapes when the literal held a backslash (or had the `E`
//!   prefix), else with `''` only and any backslash written as is. The
//!   limit: a PostgreSQL literal ending in a backslash
//!   (`standard_conforming_strings`, e.g. `'C:\'`) is read as an escaped
//!   quote.
//! - `"…"` values (strings in MySQL's default mode), `` `…` `` and
//!   PostgreSQL dollar quotes (`$$…$$`, `$tag$…$tag$`) are strings like
//!   `'…'`, written back in their own quotes.
//! - Numbers are masked only under an entity column (an MRN stored as a
//!   number); the result stays unquoted when it is still a plain number
//!   (digits, no leading zero), else it is written as a string. `NULL`,
//!   `TRUE`, `FALSE`, `DEFAULT`, hex and bit literals (`X'…'`, `B'…'`) are
//!   kept; anything else — an expression or function call (`'a' || 'b'`,
//!   `CONCAT('…')`), an unquoted `123-45-6789` — is scanned as plain text
//!   with its column as context, so nothing in a tuple passes unread.
//! - A value that did not change keeps its bytes exactly; so do all
//!   whitespace, keywords, identifiers and punctuation.
//! - Outside `INSERT … VALUES` tuples — other statements (`UPDATE … SET`,
//!   `INSERT … SELECT`, an `ON DUPLICATE KEY UPDATE` tail), comments, and the
//!   data lines of a `COPY … FROM stdin` block (plain `pg_dump` output) —
//!   string literals, comments and data lines are masked as plain text, so
//!   no PHI passes unmasked; the statement structure is unchanged.
//!
//! A statement is malformed when a string, comment or quoted identifier
//! runs to the end of the input, a tuple does not close (end of input or
//! `;` inside it), a tuple has a different number of values than its
//! column list, a string is not UTF-8, or a tuple (or any one token, such
//! as a string in another statement) is longer than [`MAX_RECORD`]. The error names the line where the statement starts.
//! With [`OnError::Skip`] the rest of the statement (from the start of the
//! bad tuple) is masked as plain text and the line reported.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};

use super::{malformed, mask_named, write_err, FormatOptions, FormatReport, OnError, MAX_RECORD};
use crate::entity::Entity;
use crate::error::Error;
use crate::mask::Masker;
use crate::patterns::normalize_field;

/// Why reading stopped.
enum Fault {
    Io(Error),
    Malformed(String),
}

impl From<std::io::Error> for Fault {
    fn from(e: std::io::Error) -> Fault {
        Fault::Io(Error::io(&e))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Eof,
    Space,
    Comment,
    /// Identifier characters: a keyword, a name or a number's digits.
    Word,
    /// `"…"` or `` `…` ``; the content is unquoted.
    QuotedIdent,
    /// `'…'`; the content is unescaped. `true` when it held a backslash.
    Str(bool),
    /// A PostgreSQL dollar-quoted string, `$$…$$` or `$tag$…$tag$`; the
    /// content is what lies between the tags.
    Dollar,
    Punct(u8),
}

impl Tok {
    fn trivia(self) -> bool {
        matches!(self, Tok::Space | Tok::Comment)
    }
}

/// The input, read byte by byte, with the 1-based line number.
struct Lexer<R> {
    input: BufReader<R>,
    line: u64,
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

impl<R: Read> Lexer<R> {
    fn peek(&mut self) -> Result<Option<u8>, Fault> {
        Ok(self.input.fill_buf()?.first().copied())
    }

    /// Consumes the next byte into `raw`.
    fn bump(&mut self, raw: &mut Vec<u8>) -> Result<Option<u8>, Fault> {
        let b = self.peek()?;
        if let Some(b) = b {
            self.input.consume(1);
            if b == b'\n' {
                self.line += 1;
            }
            raw.push(b);
            if raw.len() > MAX_RECORD {
                return Err(Fault::Malformed(format!("a value longer than {} MiB", MAX_RECORD >> 20)));
            }
        }
        Ok(b)
    }

    /// Reads one token, appending its bytes to `raw` and its content
    /// (word, unquoted identifier, unescaped string) to a cleared `content`.
    fn token(&mut self, raw: &mut Vec<u8>, content: &mut Vec<u8>) -> Result<Tok, Fault> {
        content.clear();
        let Some(first) = self.bump(raw)? else { return Ok(Tok::Eof) };
        match first {
            b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' => {
                while matches!(self.peek()?, Some(b' ' | b'\t' | b'\r' | b'\n' | b'\x0c')) {
                    self.bump(raw)?;
                }
                Ok(Tok::Space)
            }
            b'-' if self.peek()? == Some(b'-') => self.line_comment(raw),
            b'#' => self.line_comment(raw),
            b'/' if self.peek()? == Some(b'*') => {
                self.bump(raw)?;
                let mut star = false;
                loop {
                    match self.bump(raw)? {
                        None => return Err(Fault::Malformed("a comment does not end".into())),
                        Some(b'/') if star => return Ok(Tok::Comment),
                        Some(b) => star = b == b'*',
                    }
                }
            }
            b'\'' => {
                let mut backslash = false;
                loop {
                    match self.bump(raw)? {
                        None => return Err(Fault::Malformed("a string does not end".into())),
                        Some(b'\'') => {
                            if self.peek()? == Some(b'\'') {
                                self.bump(raw)?;
                                content.push(b'\'');
                            } else {
                                return Ok(Tok::Str(backslash));
                            }
                        }
                        Some(b'\\') => {
                            backslash = true;
                            match self.bump(raw)? {
                                None => return Err(Fault::Malformed("a string does not end".into())),
                                Some(b'0') => content.push(0),
                                Some(b'b') => content.push(8),
                                Some(b'n') => content.push(b'\n'),
                                Some(b'r') => content.push(b'\r'),
                                Some(b't') => content.push(b'\t'),
                                Some(b'Z') => content.push(0x1a),
                                Some(b @ (b'%' | b'_')) => content.extend_from_slice(&[b'\\', b]),
                                Some(b) => content.push(b),
                            }
                        }
                        Some(b) => content.push(b),
                    }
                }
            }
            q @ (b'"' | b'`') => loop {
                match self.bump(raw)? {
                    None => return Err(Fault::Malformed("a quoted identifier does not end".into())),
                    Some(b) if b == q => {
                        if self.peek()? == Some(q) {
                            self.bump(raw)?;
                            content.push(q);
                        } else {
                            return Ok(Tok::QuotedIdent);
                        }
                    }
                    Some(b) => content.push(b),
                }
            },
            b'$' if self.dollar_tag()?.is_some() => {
                let tag = self.dollar_tag()?.expect("checked");
                for _ in 0..tag {
                    self.bump(raw)?;
                }
                // `raw` holds the opening `$tag$`; the string ends at its
                // next occurrence.
                let open = raw.len() - (tag + 1);
                let delimiter = raw[open..].to_vec();
                loop {
                    match self.bump(raw)? {
                        None => return Err(Fault::Malformed("a dollar-quoted string does not end".into())),
                        Some(b) => {
                            content.push(b);
                            if content.ends_with(&delimiter) {
                                content.truncate(content.len() - delimiter.len());
                                return Ok(Tok::Dollar);
                            }
                        }
                    }
                }
            }
            b if is_ident(b) => {
                content.push(b);
                while let Some(b) = self.peek()? {
                    if !is_ident(b) {
                        break;
                    }
                    self.bump(raw)?;
                    content.push(b);
                }
                Ok(Tok::Word)
            }
            b => Ok(Tok::Punct(b)),
        }
    }

    /// After a `$` that starts a token: the length of the rest of a dollar
    /// quote's opening tag (`$` for `$$`, `tag$` for `$tag$`), if the
    /// buffered input starts with one. A tag is an identifier that does not
    /// start with a digit (`$1` is a parameter).
    fn dollar_tag(&mut self) -> Result<Option<usize>, Fault> {
        let buf = self.input.fill_buf()?;
        let Some(end) = buf.iter().take(65).position(|&b| b == b'$') else { return Ok(None) };
        let tag = &buf[..end];
        let ok = tag.first().is_none_or(|b| b.is_ascii_alphabetic() || *b == b'_' || *b >= 0x80)
            && tag.iter().all(|&b| is_ident(b) && b != b'$');
        Ok(ok.then_some(end + 1))
    }

    /// The rest of a `--` or `#` comment, up to (not including) the newline.
    fn line_comment(&mut self, raw: &mut Vec<u8>) -> Result<Tok, Fault> {
        while !matches!(self.peek()?, None | Some(b'\n')) {
            self.bump(raw)?;
        }
        Ok(Tok::Comment)
    }
}

/// One token of a tuple: its kind and where its bytes and content lie.
struct Piece {
    tok: Tok,
    start: usize,
    end: usize,
    content: std::ops::Range<usize>,
}

/// The driver's state across statements.
struct Dump<'a, R, W: Write> {
    lex: Lexer<R>,
    out: BufWriter<W>,
    masker: &'a mut Masker,
    options: &'a FormatOptions,
    report: FormatReport,
    /// `CREATE TABLE` columns by table name (lower case, qualified and bare).
    tables: HashMap<String, Vec<String>>,
    raw: Vec<u8>,
    content: Vec<u8>,
}

pub(super) fn mask_sql<R: Read, W: Write>(
    masker: &mut Masker,
    reader: R,
    writer: W,
    options: &FormatOptions,
) -> Result<FormatReport, Error> {
    let mut dump = Dump {
        lex: Lexer { input: BufReader::with_capacity(64 * 1024, reader), line: 1 },
        out: BufWriter::with_capacity(64 * 1024, writer),
        masker,
        options,
        report: FormatReport::default(),
        tables: HashMap::new(),
        raw: Vec::new(),
        content: Vec::new(),
    };
    while dump.statement()? {}
    dump.out.flush().map_err(|e| write_err(&e))?;
    Ok(dump.report)
}

impl<R: Read, W: Write> Dump<'_, R, W> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out.write_all(bytes).map_err(|e| write_err(&e))
    }

    /// Writes the held raw bytes.
    fn flush_raw(&mut self) -> Result<(), Error> {
        self.out.write_all(&self.raw).map_err(|e| write_err(&e))?;
        self.raw.clear();
        Ok(())
    }

    /// Writes the held raw bytes of a token outside `INSERT … VALUES`: string
    /// literals and comments are masked as plain text (an `UPDATE … SET ssn =
    /// '…'` or a comment naming a patient must not pass through), everything
    /// else is copied.
    fn flush_outside(&mut self, tok: Tok) -> Result<(), Error> {
        if matches!(tok, Tok::Str(_) | Tok::Dollar | Tok::QuotedIdent | Tok::Comment) {
            let masked = self.masker.mask_bytes(&self.raw);
            self.raw.clear();
            return self.write(&masked);
        }
        self.flush_raw()
    }

    /// Reads a token; a fault in a statement that started at `line` is
    /// handled (error or skip) here. `Ok(None)`: skipped, statement over.
    fn token(&mut self, line: u64) -> Result<Option<Tok>, Error> {
        let mut raw = std::mem::take(&mut self.raw);
        let mut content = std::mem::take(&mut self.content);
        let result = self.lex.token(&mut raw, &mut content);
        self.raw = raw;
        self.content = content;
        match result {
            Ok(tok) => Ok(Some(tok)),
            Err(fault) => {
                self.fault(line, fault, false)?;
                Ok(None)
            }
        }
    }

    /// A malformed statement starting at `line` whose unwritten bytes are
    /// in `raw`: an error, or (skip) those and the rest of the statement
    /// masked as text. `ended`: the statement's `;` is already in `raw`.
    fn fault(&mut self, line: u64, fault: Fault, ended: bool) -> Result<(), Error> {
        let what = match fault {
            Fault::Io(e) => return Err(e),
            Fault::Malformed(what) => what,
        };
        if self.options.on_error == OnError::Fail {
            return Err(malformed(line, &format!("statement: {what}")));
        }
        self.masker.set_subject("");
        let mut held = std::mem::take(&mut self.raw);
        if !ended {
            // The rest of the statement, to `;` or the end of the input.
            loop {
                let mut content = Vec::new();
                match self.lex.token(&mut held, &mut content) {
                    Ok(Tok::Eof | Tok::Punct(b';')) => break,
                    Ok(_) => {
                        if held.len() >= MAX_RECORD / 2 && held.ends_with(b"\n") {
                            let masked = self.masker.mask_bytes(&held);
                            self.write(&masked)?;
                            held.clear();
                        }
                    }
                    Err(Fault::Io(e)) => return Err(e),
                    Err(Fault::Malformed(_)) => {
                        if self.lex.peek().ok().flatten().is_none() {
                            break;
                        }
                        // Over-long: mask what is held and go on.
                        let masked = self.masker.mask_bytes(&held);
                        self.write(&masked)?;
                        held.clear();
                    }
                }
            }
        }
        let masked = self.masker.mask_bytes(&held);
        self.write(&masked)?;
        self.report.skip(line);
        Ok(())
    }

    /// Copies the gap before a statement and handles the statement.
    /// Returns `false` at the end of the input.
    fn statement(&mut self) -> Result<bool, Error> {
        loop {
            let line = self.lex.line;
            let Some(tok) = self.token(line)? else { return Ok(true) };
            match tok {
                Tok::Eof => {
                    self.flush_raw()?;
                    return Ok(false);
                }
                t if t.trivia() => self.flush_outside(t)?,
                Tok::Word => {
                    self.flush_raw()?;
                    let word = self.content.to_ascii_uppercase();
                    match word.as_slice() {
                        b"INSERT" | b"REPLACE" => self.insert(line)?,
                        b"CREATE" => self.create(line)?,
                        b"COPY" => {
                            if self.rest(line, b"")? {
                                self.copy_data()?;
                            }
                        }
                        _ => {
                            self.rest(line, b"")?;
                        }
                    }
                    return Ok(true);
                }
                Tok::Punct(b';') => {
                    self.flush_raw()?;
                    return Ok(true);
                }
                _ => {
                    self.flush_raw()?;
                    self.rest(line, b"")?;
                    return Ok(true);
                }
            }
        }
    }

    /// Copies the rest of a statement to its `;`. Returns whether it read
    /// `FROM stdin` (a `COPY` with data lines after it). `prev` is the
    /// upper-case word read last.
    fn rest(&mut self, line: u64, prev: &[u8]) -> Result<bool, Error> {
        let mut prev = prev.to_vec();
        let mut from_stdin = false;
        loop {
            let Some(tok) = self.token(line)? else { return Ok(false) };
            self.flush_outside(tok)?;
            match tok {
                Tok::Eof | Tok::Punct(b';') => return Ok(from_stdin),
                Tok::Word => {
                    let word = self.content.to_ascii_uppercase();
                    from_stdin |= prev == b"FROM" && word == b"STDIN";
                    prev = word;
                }
                t if t.trivia() => {}
                _ => prev.clear(),
            }
        }
    }

    /// Copies the data lines of a `COPY … FROM stdin` up to and including
    /// the `\.` line, each masked as plain text (tab-separated values; the
    /// tabs and `\N` markers carry no PHI and stay as they are).
    fn copy_data(&mut self) -> Result<(), Error> {
        let mut line = Vec::new();
        loop {
            line.clear();
            let read = (&mut self.lex.input).take(64 * 1024).read_until(b'\n', &mut line).map_err(|e| Error::io(&e))?;
            if read == 0 {
                return Ok(());
            }
            let complete = line.ends_with(b"\n");
            if complete {
                self.lex.line += 1;
            }
            let masked = self.masker.mask_bytes(&line);
            self.write(&masked)?;
            let body = line.strip_suffix(b"\n").unwrap_or(&line);
            let body = body.strip_suffix(b"\r").unwrap_or(body);
            if body == b"\\." {
                return Ok(());
            }
            if !complete {
                // The rest of an over-long line.
                loop {
                    line.clear();
                    let read = (&mut self.lex.input)
                        .take(64 * 1024)
                        .read_until(b'\n', &mut line)
                        .map_err(|e| Error::io(&e))?;
                    let masked = self.masker.mask_bytes(&line);
                    self.write(&masked)?;
                    if read == 0 || line.ends_with(b"\n") {
                        self.lex.line += u64::from(line.ends_with(b"\n"));
                        break;
                    }
                }
            }
        }
    }

    /// Reads the next non-trivia token, copying trivia.
    fn significant(&mut self, line: u64) -> Result<Option<Tok>, Error> {
        loop {
            let Some(tok) = self.token(line)? else { return Ok(None) };
            if !tok.trivia() {
                return Ok(Some(tok));
            }
            self.flush_raw()?;
        }
    }

    /// A qualified name starting with the token just read (lower case,
    /// parts joined by `.`), copying its bytes. Returns the name and the
    /// next significant token.
    fn name(&mut self, line: u64, first: Tok) -> Result<Option<(String, Tok)>, Error> {
        let mut name = String::new();
        let mut tok = first;
        loop {
            if !matches!(tok, Tok::Word | Tok::QuotedIdent) {
                return Ok(Some((name, tok)));
            }
            name.push_str(&String::from_utf8_lossy(&self.content).to_lowercase());
            self.flush_raw()?;
            let Some(next) = self.significant(line)? else { return Ok(None) };
            if next != Tok::Punct(b'.') {
                return Ok(Some((name, next)));
            }
            name.push('.');
            self.flush_raw()?;
            let Some(next) = self.significant(line)? else { return Ok(None) };
            tok = next;
        }
    }

    /// After the token just read ended a statement or starts its tail:
    /// copies it and the rest of the statement.
    fn finish(&mut self, line: u64, tok: Tok) -> Result<(), Error> {
        self.flush_raw()?;
        if !matches!(tok, Tok::Eof | Tok::Punct(b';')) {
            self.rest(line, b"")?;
        }
        Ok(())
    }

    /// Copies words up to and including `keyword` (case-insensitive).
    /// `Ok(false)` when something else came first: the statement has then
    /// been finished (copied to its end) or the input ended.
    fn through_word(&mut self, line: u64, keyword: &[u8]) -> Result<bool, Error> {
        loop {
            let Some(tok) = self.significant(line)? else { return Ok(false) };
            if tok != Tok::Word {
                self.finish(line, tok)?;
                return Ok(false);
            }
            let found = self.content.eq_ignore_ascii_case(keyword);
            self.flush_raw()?;
            if found {
                return Ok(true);
            }
        }
    }

    /// `CREATE [TEMPORARY …] TABLE [IF NOT EXISTS] name (col type, …) …`:
    /// copied, and the column names remembered.
    fn create(&mut self, line: u64) -> Result<(), Error> {
        if !self.through_word(line, b"TABLE")? {
            return Ok(());
        }
        let Some(mut tok) = self.significant(line)? else { return Ok(()) };
        while tok == Tok::Word && matches!(self.content.to_ascii_uppercase().as_slice(), b"IF" | b"NOT" | b"EXISTS") {
            self.flush_raw()?;
            let Some(t) = self.significant(line)? else { return Ok(()) };
            tok = t;
        }
        let Some((table, tok)) = self.name(line, tok)? else { return Ok(()) };
        if table.is_empty() || tok != Tok::Punct(b'(') {
            return self.finish(line, tok);
        }
        self.flush_raw()?;
        let mut columns = Vec::new();
        let mut depth = 1usize;
        let mut item_start = true;
        while depth > 0 {
            let Some(tok) = self.token(line)? else { return Ok(()) };
            self.flush_raw()?;
            match tok {
                Tok::Eof | Tok::Punct(b';') => return Ok(()),
                t if t.trivia() => continue,
                Tok::Word | Tok::QuotedIdent if item_start && depth == 1 => {
                    let upper = self.content.to_ascii_uppercase();
                    let constraint = tok == Tok::Word
                        && matches!(
                            upper.as_slice(),
                            b"PRIMARY"
                                | b"KEY"
                                | b"UNIQUE"
                                | b"CONSTRAINT"
                                | b"INDEX"
                                | b"FOREIGN"
                                | b"CHECK"
                                | b"FULLTEXT"
                                | b"SPATIAL"
                                | b"EXCLUDE"
                                | b"LIKE"
                                | b"PERIOD"
                        );
                    if !constraint {
                        columns.push(String::from_utf8_lossy(&self.content).into_owned());
                    }
                }
                Tok::Punct(b'(') => depth += 1,
                Tok::Punct(b')') => depth -= 1,
                Tok::Punct(b',') if depth == 1 => {
                    item_start = true;
                    continue;
                }
                _ => {}
            }
            item_start = false;
        }
        self.remember(&table, columns);
        self.rest(line, b"")?;
        Ok(())
    }

    fn remember(&mut self, table: &str, columns: Vec<String>) {
        if let Some((_, bare)) = table.rsplit_once('.') {
            self.tables.insert(bare.to_string(), columns.clone());
        }
        self.tables.insert(table.to_string(), columns);
    }

    /// `INSERT [IGNORE] INTO name [(cols)] VALUES (…), …;`.
    fn insert(&mut self, line: u64) -> Result<(), Error> {
        // Up to INTO (MySQL modifiers such as IGNORE pass).
        if !self.through_word(line, b"INTO")? {
            return Ok(());
        }
        let Some(t) = self.significant(line)? else { return Ok(()) };
        let Some((table, mut tok)) = self.name(line, t)? else { return Ok(()) };
        let mut columns: Option<Vec<String>> = None;
        if tok == Tok::Punct(b'(') {
            self.flush_raw()?;
            let mut list = Vec::new();
            loop {
                let Some(t) = self.significant(line)? else { return Ok(()) };
                match t {
                    Tok::Word | Tok::QuotedIdent => list.push(String::from_utf8_lossy(&self.content).into_owned()),
                    Tok::Punct(b',') => {}
                    Tok::Punct(b')') => break,
                    other => return self.finish(line, other),
                }
                self.flush_raw()?;
            }
            self.flush_raw()?;
            columns = Some(list);
            let Some(t) = self.significant(line)? else { return Ok(()) };
            tok = t;
        }
        // Up to VALUES (PostgreSQL `OVERRIDING … VALUE` passes); anything
        // else (SELECT, SET, DEFAULT VALUES) is copied as it is.
        loop {
            if tok != Tok::Word {
                return self.finish(line, tok);
            }
            let values = self.content.eq_ignore_ascii_case(b"VALUES");
            let upper = self.content.to_ascii_uppercase();
            self.flush_raw()?;
            if values {
                break;
            }
            if !matches!(upper.as_slice(), b"OVERRIDING" | b"SYSTEM" | b"USER" | b"VALUE") {
                self.rest(line, &upper)?;
                return Ok(());
            }
            let Some(t) = self.significant(line)? else { return Ok(()) };
            tok = t;
        }
        let columns = columns.or_else(|| {
            self.tables.get(&table).or_else(|| table.rsplit_once('.').and_then(|(_, b)| self.tables.get(b))).cloned()
        });
        let named: Option<Vec<(String, Option<Entity>)>> = columns.map(|cols| {
            cols.into_iter()
                .map(|c| {
                    let entity = self.masker.engine().entity_for_field(&c);
                    (c, entity)
                })
                .collect()
        });
        let subject = match (&self.options.subject_field, &named) {
            (Some(wanted), Some(cols)) => {
                let wanted = normalize_field(wanted);
                cols.iter().position(|(c, _)| normalize_field(c) == wanted)
            }
            _ => None,
        };
        // Tuples.
        loop {
            let Some(tok) = self.significant(line)? else { return Ok(()) };
            match tok {
                Tok::Punct(b',') => self.flush_raw()?,
                Tok::Punct(b'(') => {
                    if !self.tuple(line, named.as_deref(), subject)? {
                        return Ok(());
                    }
                }
                other => return self.finish(line, other),
            }
        }
    }

    /// One tuple, its `(` already in `raw`. Returns `false` when a fault
    /// was skipped and the statement is over.
    fn tuple(
        &mut self,
        line: u64,
        columns: Option<&[(String, Option<Entity>)]>,
        subject: Option<usize>,
    ) -> Result<bool, Error> {
        let mut pieces: Vec<Piece> = Vec::new();
        let mut contents: Vec<u8> = Vec::new();
        // Piece index where each value starts.
        let mut values: Vec<usize> = vec![0];
        let mut depth = 1usize;
        loop {
            let start = self.raw.len();
            let mut raw = std::mem::take(&mut self.raw);
            let mut content = std::mem::take(&mut self.content);
            let result = self.lex.token(&mut raw, &mut content);
            self.raw = raw;
            self.content = content;
            let tok = match result {
                Ok(tok) => tok,
                Err(fault) => {
                    self.fault(line, fault, false)?;
                    return Ok(false);
                }
            };
            match tok {
                Tok::Eof => {
                    self.fault(line, Fault::Malformed("a tuple does not close".into()), true)?;
                    return Ok(false);
                }
                Tok::Punct(b';') => {
                    self.fault(line, Fault::Malformed("a tuple does not close before ';'".into()), true)?;
                    return Ok(false);
                }
                Tok::Punct(b',') if depth == 1 => {
                    values.push(pieces.len() + 1);
                }
                Tok::Punct(b'(') => depth += 1,
                Tok::Punct(b')') => {
                    depth -= 1;
                    if depth == 0 {
                        values.push(pieces.len() + 1);
                        pieces.push(Piece { tok, start, end: self.raw.len(), content: 0..0 });
                        break;
                    }
                }
                _ => {}
            }
            let c0 = contents.len();
            if matches!(tok, Tok::Str(_) | Tok::Dollar | Tok::QuotedIdent) {
                contents.extend_from_slice(&self.content);
                if contents.len() > MAX_RECORD {
                    self.fault(line, Fault::Malformed(format!("a tuple longer than {} MiB", MAX_RECORD >> 20)), false)?;
                    return Ok(false);
                }
            }
            pieces.push(Piece { tok, start, end: self.raw.len(), content: c0..contents.len() });
        }
        // values[i]..values[i+1]-1 are the pieces of value i (the
        // separator excluded).
        let ranges: Vec<(usize, usize)> = values.windows(2).map(|w| (w[0], w[1] - 1)).collect();
        let empty = ranges.len() == 1 && pieces[ranges[0].0..ranges[0].1].iter().all(|p| p.tok.trivia());
        let count = if empty { 0 } else { ranges.len() };
        if let Some(cols) = columns {
            if count != cols.len() {
                let what = format!("a tuple has {count} values, the column list has {}", cols.len());
                self.fault(line, Fault::Malformed(what), false)?;
                return Ok(false);
            }
        }
        let mut kinds = Vec::with_capacity(count);
        for &(a, b) in ranges.iter().take(count) {
            match classify(&pieces[a..b], &self.raw, &contents) {
                Ok(kind) => kinds.push(kind),
                Err(what) => {
                    self.fault(line, Fault::Malformed(what.into()), false)?;
                    return Ok(false);
                }
            }
        }
        if let Some(i) = subject {
            let value = match &kinds[i] {
                Value::Str { content, .. } => String::from_utf8_lossy(&contents[content.clone()]).into_owned(),
                Value::Number(span) => String::from_utf8_lossy(&self.raw[span.clone()]).into_owned(),
                Value::Keep | Value::Expr(_) => String::new(),
            };
            self.masker.set_subject(&value);
        } else if self.options.subject_field.is_some() {
            self.masker.set_subject("");
        }
        let mut out = Vec::with_capacity(self.raw.len());
        let mut at = 0;
        for (i, kind) in kinds.iter().enumerate() {
            let column = columns.map(|c| (c[i].0.as_str(), c[i].1));
            let (span, replacement) = match kind {
                Value::Keep => continue,
                Value::Expr(span) => {
                    let bytes = &self.raw[span.clone()];
                    let masked = match (column, std::str::from_utf8(bytes)) {
                        (Some((name, _)), Ok(text)) => self.masker.mask_field(name, text).into_bytes(),
                        _ => self.masker.mask_bytes(bytes),
                    };
                    if masked == bytes {
                        continue;
                    }
                    (span.clone(), masked)
                }
                Value::Number(span) => {
                    let Some((name, Some(entity))) = column else { continue };
                    let text = std::str::from_utf8(&self.raw[span.clone()]).expect("ASCII digits");
                    let masked = mask_named(self.masker, name, Some(entity), text);
                    if masked == text {
                        continue;
                    }
                    let plain = !masked.is_empty()
                        && masked.bytes().all(|b| b.is_ascii_digit())
                        && (masked.len() == 1 || !masked.starts_with('0'));
                    let replacement = if plain { masked.into_bytes() } else { quote(&masked, false) };
                    (span.clone(), replacement)
                }
                Value::Str { span, content, style } => {
                    let text = std::str::from_utf8(&contents[content.clone()]).expect("checked UTF-8");
                    let masked = match column {
                        Some((name, entity)) => mask_named(self.masker, name, entity, text),
                        None => self.masker.mask_str(text),
                    };
                    if masked == text {
                        continue;
                    }
                    (span.clone(), quote_as(&masked, style))
                }
            };
            out.extend_from_slice(&self.raw[at..span.start]);
            out.extend_from_slice(&replacement);
            at = span.end;
        }
        out.extend_from_slice(&self.raw[at..]);
        self.raw.clear();
        self.write(&out)?;
        self.report.records += 1;
        Ok(true)
    }
}

/// What a tuple value is, by its pieces.
enum Value {
    /// Anything else (`'a' || 'b'`, `CONCAT('…')`, an unquoted
    /// `123-45-6789`): its whole span, scanned as text (with the column as
    /// context) so PHI in it cannot pass.
    Expr(std::ops::Range<usize>),
    /// Kept as it is: NULL, DEFAULT, a boolean, a hex or bit literal.
    Keep,
    /// A number; the byte span in the tuple's raw bytes.
    Number(std::ops::Range<usize>),
    /// A string literal: the span of its quoted part, its content's span
    /// in the contents, and how it is quoted.
    Str { span: std::ops::Range<usize>, content: std::ops::Range<usize>, style: Style },
}

/// How a string value is quoted, so a changed one is written back alike.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Style {
    /// `'…'`; `true` when it uses backslash escapes.
    Single(bool),
    /// `"…"` (a string in MySQL's default mode) or `` `…` ``: the quote,
    /// doubled inside.
    Double(u8),
    /// `$tag$…$tag$`: the opening tag, `$` to `$`.
    Dollar(Vec<u8>),
}

/// Whether a value's only word is one that holds no data (`NULL`,
/// `DEFAULT`, a boolean).
fn keyword(word: &[u8]) -> bool {
    ["NULL", "DEFAULT", "TRUE", "FALSE"].iter().any(|k| word.eq_ignore_ascii_case(k.as_bytes()))
}

/// Classifies one value's pieces (leading and trailing trivia allowed).
///
/// Only what cannot hold data is kept as it is (`NULL`, `DEFAULT`,
/// booleans, hex and bit literals); every string, whatever its quotes,
/// is a string, and anything else (an unquoted `123-45-6789`, an
/// expression) is scanned as text: nothing in a tuple passes unread.
fn classify(pieces: &[Piece], raw: &[u8], contents: &[u8]) -> Result<Value, &'static str> {
    let sig: Vec<&Piece> = pieces.iter().filter(|p| !p.tok.trivia()).collect();
    let Some(first) = sig.first() else { return Ok(Value::Keep) };
    let is_str = |t: Tok| matches!(t, Tok::Str(_) | Tok::Dollar | Tok::QuotedIdent);
    // An optional prefix word right before the string: N, E, _charset.
    let (prefix, at) = match (first.tok, sig.get(1)) {
        (Tok::Word, Some(next)) if matches!(next.tok, Tok::Str(_)) && next.start == first.end => {
            let word = &raw[first.start..first.end];
            let ok = word.eq_ignore_ascii_case(b"N") || word.eq_ignore_ascii_case(b"E") || word.starts_with(b"_");
            if !ok {
                if sig.len() == 2 && (word.eq_ignore_ascii_case(b"X") || word.eq_ignore_ascii_case(b"B")) {
                    return Ok(Value::Keep); // X'…', B'…'
                }
                return Ok(Value::Expr(first.start..sig[sig.len() - 1].end));
            }
            (Some(word), 1)
        }
        _ => (None, 0),
    };
    if is_str(sig[at].tok) {
        let tail = &sig[at + 1..];
        let cast =
            tail.is_empty() || (tail.len() >= 2 && tail[0].tok == Tok::Punct(b':') && tail[1].tok == Tok::Punct(b':'));
        if !cast {
            return Ok(Value::Expr(first.start..sig[sig.len() - 1].end));
        }
        let piece = sig[at];
        if std::str::from_utf8(&contents[piece.content.clone()]).is_err() {
            return Err("a string is not valid UTF-8");
        }
        let style = match piece.tok {
            Tok::Str(backslash) => Style::Single(backslash || prefix.is_some_and(|w| w.eq_ignore_ascii_case(b"E"))),
            Tok::QuotedIdent => Style::Double(raw[piece.start]),
            _ => {
                let open = &raw[piece.start..piece.end];
                let tag = open[1..].iter().position(|&b| b == b'$').map_or(1, |i| i + 2);
                Style::Dollar(open[..tag].to_vec())
            }
        };
        return Ok(Value::Str { span: piece.start..piece.end, content: piece.content.clone(), style });
    }
    let span = first.start..sig[sig.len() - 1].end;
    if is_number(&raw[span.clone()]) {
        return Ok(Value::Number(span));
    }
    if sig.len() == 1 && first.tok == Tok::Word && keyword(&raw[span.clone()]) {
        return Ok(Value::Keep);
    }
    Ok(Value::Expr(span))
}

/// `[+-]digits[.digits][e[+-]digits]` (or `.digits`).
fn is_number(text: &[u8]) -> bool {
    let text = text.strip_prefix(b"-").or_else(|| text.strip_prefix(b"+")).unwrap_or(text);
    let mut i = 0;
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < text.len() && text[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    let mut n = digits(&mut i);
    if i < text.len() && text[i] == b'.' {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return false;
    }
    if i < text.len() && matches!(text[i], b'e' | b'E') {
        i += 1;
        if i < text.len() && matches!(text[i], b'+' | b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == text.len()
}

/// A literal for `text` quoted in `style`. A dollar quote whose tag the
/// new text holds falls back to single quotes.
fn quote_as(text: &str, style: &Style) -> Vec<u8> {
    match style {
        Style::Single(backslash) => quote(text, *backslash),
        Style::Double(q) => {
            let mut out = vec![*q];
            for b in text.bytes() {
                out.push(b);
                if b == *q {
                    out.push(b);
                }
            }
            out.push(*q);
            out
        }
        Style::Dollar(tag) if !text.as_bytes().windows(tag.len()).any(|w| w == &tag[..]) => {
            [&tag[..], text.as_bytes(), &tag[..]].concat()
        }
        Style::Dollar(_) => quote(text, false),
    }
}

/// A single-quoted literal for `text`: with backslash escapes, or with
/// quotes doubled and every other byte as is.
fn quote(text: &str, backslash: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(b'\'');
    for b in text.bytes() {
        match (backslash, b) {
            (true, b'\\') => out.extend_from_slice(b"\\\\"),
            (true, b'\'') => out.extend_from_slice(b"\\'"),
            (true, 0) => out.extend_from_slice(b"\\0"),
            (true, b'\n') => out.extend_from_slice(b"\\n"),
            (true, b'\r') => out.extend_from_slice(b"\\r"),
            (true, 0x1a) => out.extend_from_slice(b"\\Z"),
            (false, b'\'') => out.extend_from_slice(b"''"),
            _ => out.push(b),
        }
    }
    out.push(b'\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        for yes in ["1", "-1", "+2.5", ".5", "1e10", "1.5E-3", "0"] {
            assert!(is_number(yes.as_bytes()), "{yes}");
        }
        for no in ["", "-", "1e", "abc", "1.2.3", "0x1F", "."] {
            assert!(!is_number(no.as_bytes()), "{no}");
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("it's a\\b", false), b"'it''s a\\b'");
        assert_eq!(quote("it's a\\b\n", true), b"'it\\'s a\\\\b\\n'");
    }
}
