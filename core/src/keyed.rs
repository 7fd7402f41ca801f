//! Values under keys and columns in running text: `"first_name": "Ann"`,
//! `dob=19620314`, `given: ["Ann"]`, a CSV row under its header, an SQL
//! tuple under its column list, the fields of an HL7 v2 `PID` segment.
//!
//! A structured driver (the CSV, JSON and SQL masks) knows each value's
//! field; a scan of a source file, a log or a fixture does not, and a
//! single first name or an eight-digit record number says nothing without
//! it. This module finds the pairs a plain text scan can trust — a key or
//! column name that is one of the detectors' `fields`, and the value right
//! after it or under it — so the engine can scan each value as a field.
//!
//! Only keys of the entities whose values text detection cannot see alone
//! are looked for ([`Keys`]): names, dates of birth, record and account
//! numbers, SSNs, street addresses, cities and ZIP codes.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::entity::Entity;
use crate::patterns::words::COMMON;
use crate::patterns::{normalize_field, Detector, WordLists};

/// Entities whose values are found through their keys.
const KEYED: &[Entity] = &[
    Entity::Name,
    Entity::Date,
    Entity::Ssn,
    Entity::Mrn,
    Entity::OtherId,
    Entity::HealthPlanId,
    Entity::AccountNumber,
    Entity::Address,
    Entity::City,
    Entity::Zip,
];

/// Words before a field name that keep it about a person
/// (`patient_first_name`, `guarantor_dob`); any other prefix does not
/// (`file_name`, `host_name`).
const PERSON_PREFIXES: &[&str] = &[
    "patient",
    "pt",
    "person",
    "guarantor",
    "contact",
    "emergency",
    "mother",
    "father",
    "spouse",
    "parent",
    "guardian",
    "subscriber",
    "insured",
    "member",
    "nok",
    "kin",
    "home",
    "mailing",
    "primary",
    "billing",
    "legal",
    "preferred",
    "maiden",
];

/// The longest key looked at, in bytes.
const MAX_KEY: usize = 48;
/// The longest value taken, in bytes.
const MAX_VALUE: usize = 120;

/// Field names of the keyed entities.
#[derive(Debug, Default)]
pub(crate) struct Keys {
    fields: FxHashMap<String, (Entity, u32)>,
    /// A bit for each pair of last two bytes (lower case) of a field name:
    /// most keys in logs and JSON (`ts`, `level`, `latency_ms`) end in no
    /// field's last two letters and are ruled out without a look-up.
    endings: Vec<u64>,
}

impl Keys {
    pub(crate) fn new(detectors: &[Detector]) -> Keys {
        let mut fields = FxHashMap::default();
        let mut endings = vec![0u64; 65536 / 64];
        for (i, d) in detectors.iter().enumerate() {
            if KEYED.contains(&d.entity) {
                for f in &d.fields {
                    fields.entry(f.clone()).or_insert((d.entity, i as u32));
                    if let Some(e) = ending(f.as_bytes()) {
                        endings[e / 64] |= 1 << (e % 64);
                    }
                }
            }
        }
        Keys { fields, endings }
    }

    /// Whether a raw key may be a field name, by its last two bytes.
    fn may_be(&self, raw: &[u8]) -> bool {
        ending(raw).is_some_and(|e| self.endings[e / 64] & (1 << (e % 64)) != 0)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The entity and detector of a normalized key: the key itself, or
    /// what follows a person prefix (`patient_first_name` → `first_name`).
    pub(crate) fn lookup(&self, key: &str) -> Option<(Entity, u32)> {
        if let Some(&hit) = self.fields.get(key) {
            return Some(hit);
        }
        let (prefix, rest) = key.split_once('_')?;
        PERSON_PREFIXES.contains(&prefix).then(|| self.fields.get(rest).copied()).flatten()
    }
}

/// The last two bytes of a key, lower case, as one number.
fn ending(key: &[u8]) -> Option<usize> {
    match key {
        [.., a, b] => Some(usize::from(a.to_ascii_lowercase()) << 8 | usize::from(b.to_ascii_lowercase())),
        _ => None,
    }
}

/// One value and the key it is under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pair {
    /// The normalized key (`first_name`).
    pub(crate) key: String,
    pub(crate) entity: Entity,
    /// The detector whose `fields` name the key.
    pub(crate) det: u32,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Every pair in `hay`: inline keys, delimited rows under a header, SQL
/// tuples under a column list, HL7 `PID` and `NK1` fields.
pub(crate) fn pairs(hay: &[u8], keys: &Keys, out: &mut Vec<Pair>) {
    if keys.is_empty() {
        return;
    }
    inline(hay, keys, out);
    rows(hay, keys, out);
    hl7(hay, keys, out);
    out.sort_by_key(|p| (p.start, p.end));
    out.dedup_by(|a, b| a.start == b.start && a.end == b.end);
}

fn key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// `key: value`, `"key": "value"`, `key='value'`, `key=value`,
/// `"key": ["a", "b"]`.
fn inline(hay: &[u8], keys: &Keys, out: &mut Vec<Pair>) {
    for p in memchr::memchr2_iter(b':', b'=', hay) {
        // First the cheapest test, on the two bytes before the separator
        // (or its quote): most separators in logs and JSON follow no key
        // of a field.
        let tail = match p.checked_sub(1).map(|i| hay[i]) {
            Some(b'"' | b'\'') => p - 1,
            _ => p,
        };
        let spaced = tail >= 1 && hay[tail - 1] == b' ';
        if (tail < 2 || !keys.may_be(&hay[tail - 2..tail])) && !spaced {
            continue;
        }
        let sep = hay[p];
        let next = hay.get(p + 1).copied();
        let prev = p.checked_sub(1).map(|i| hay[i]);
        // `::`, `==`, `:=`, `!=`, `<=`, `=>`: code, not a pair.
        if next.is_some_and(|b| b == b':' || b == b'=' || b == b'>') || prev.is_some_and(|b| b"=!<>:".contains(&b)) {
            continue;
        }
        let Some((key_start, key_end)) = key_before(hay, p) else { continue };
        if !keys.may_be(&hay[key_start..key_end]) {
            continue;
        }
        let mut buf = [0u8; MAX_KEY];
        let Some(key) = normalize_ascii(&hay[key_start..key_end], &mut buf) else { continue };
        let Some((entity, det)) = keys.lookup(key) else { continue };
        let key = key.to_string();
        let mut at = p + 1;
        while at < hay.len() && (hay[at] == b' ' || hay[at] == b'\t') {
            at += 1;
        }
        let mut push = |start: usize, end: usize| {
            let (start, end) = trim(hay, start, end);
            if start < end && end - start <= MAX_VALUE {
                out.push(Pair { key: key.clone(), entity, det, start, end });
            }
        };
        match hay.get(at) {
            Some(&q @ (b'"' | b'\'')) => {
                if let Some(end) = quoted_end(hay, at + 1, q) {
                    push(at + 1, end);
                }
            }
            Some(b'[') => {
                // An array of strings, possibly over a few lines.
                let stop = memchr::memchr(b']', &hay[at..hay.len().min(at + 4 * MAX_VALUE)]).map(|i| at + i);
                let Some(stop) = stop else { continue };
                let mut i = at + 1;
                while i < stop {
                    match hay[i] {
                        q @ (b'"' | b'\'') => match quoted_end(hay, i + 1, q) {
                            Some(end) if end < stop => {
                                push(i + 1, end);
                                i = end + 1;
                            }
                            _ => break,
                        },
                        b',' | b' ' | b'\t' | b'\r' | b'\n' => i += 1,
                        _ => break,
                    }
                }
            }
            Some(b'{' | b'\r' | b'\n') | None => {}
            Some(_) => {
                // Unquoted: to a delimiter. A name, a city or a street after
                // `:` (YAML, a form) may have spaces inside; anything else
                // ends at the first space.
                let words = sep == b':' && matches!(entity, Entity::Name | Entity::City | Entity::Address);
                let stops: &[u8] = if words { b"\r\n,;)}]|\"" } else { b" \t\r\n,;&)}]|\"" };
                let len = hay[at..].iter().take(MAX_VALUE + 1).position(|b| stops.contains(b));
                let end = at + len.unwrap_or_else(|| (hay.len() - at).min(MAX_VALUE + 1));
                push(at, end);
            }
        }
    }
}

/// [`normalize_field`] for an ASCII key, into `buf` without allocating:
/// lower case, each run of other characters one `_`, none at the ends.
fn normalize_ascii<'b>(key: &[u8], buf: &'b mut [u8; MAX_KEY]) -> Option<&'b str> {
    let mut n = 0;
    for &b in key {
        if b.is_ascii_alphanumeric() {
            *buf.get_mut(n)? = b.to_ascii_lowercase();
            n += 1;
        } else if n > 0 && buf[n - 1] != b'_' {
            *buf.get_mut(n)? = b'_';
            n += 1;
        }
    }
    while n > 0 && buf[n - 1] == b'_' {
        n -= 1;
    }
    std::str::from_utf8(&buf[..n]).ok()
}

/// The key that ends right before the separator at `sep`: optional
/// spaces, an optional closing quote, then key characters starting with a
/// letter (or `@`, `$`).
fn key_before(hay: &[u8], sep: usize) -> Option<(usize, usize)> {
    let mut end = sep;
    while end > 0 && hay[end - 1] == b' ' {
        end -= 1;
    }
    let quote = match end.checked_sub(1).map(|i| hay[i]) {
        Some(q @ (b'"' | b'\'')) => {
            end -= 1;
            Some(q)
        }
        _ => None,
    };
    let mut start = end;
    while start > 0 && end - start < MAX_KEY && key_char(hay[start - 1]) {
        start -= 1;
    }
    if start == end || !hay[start].is_ascii_alphabetic() {
        return None;
    }
    let before = start.checked_sub(1).map(|i| hay[i]);
    match quote {
        Some(q) => (before == Some(q)).then_some((start, end)),
        // A key starts a word: not `x.first_name=` in a URL query (still
        // a key) — but not the tail of a longer token either.
        None => before.is_none_or(|b| !key_char(b) && b != b'/').then_some((start, end)),
    }
}

/// The offset of the closing quote of a string starting at `from`, on the
/// same line and within [`MAX_VALUE`].
fn quoted_end(hay: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    while i < hay.len() && i - from <= MAX_VALUE {
        match hay[i] {
            b'\\' => i += 2,
            b'\n' | b'\r' => return None,
            b if b == quote => {
                // `''` inside an SQL string is one quote.
                if quote == b'\'' && hay.get(i + 1) == Some(&b'\'') && i > from {
                    i += 2;
                    continue;
                }
                return Some(i);
            }
            _ => i += 1,
        }
    }
    None
}

fn trim(hay: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && hay[start].is_ascii_whitespace() {
        start += 1;
    }
    while end > start && hay[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    (start, end)
}

/// Lines of `hay`: (start, end without the line break).
fn lines(hay: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= hay.len() {
            return None;
        }
        let start = at;
        let end = memchr::memchr(b'\n', &hay[at..]).map_or(hay.len(), |i| at + i);
        at = end + 1;
        let end = if end > start && hay[end - 1] == b'\r' { end - 1 } else { end };
        Some((start, end))
    })
}

/// Cells of one delimited line, as spans without their quotes.
fn cells(hay: &[u8], start: usize, end: usize, delim: u8) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = start;
    loop {
        let (mut s, mut e);
        while i < end && hay[i] == b' ' {
            i += 1;
        }
        if i < end && (hay[i] == b'"' || hay[i] == b'\'') {
            let q = hay[i];
            s = i + 1;
            e = s;
            while e < end && !(hay[e] == q && hay.get(e + 1) != Some(&q)) {
                e += if hay[e] == q { 2 } else { 1 };
            }
            i = (e + 1).min(end);
            while i < end && hay[i] != delim {
                i += 1;
            }
        } else {
            s = i;
            while i < end && hay[i] != delim {
                i += 1;
            }
            e = i;
        }
        (s, e) = trim(hay, s, e.min(end));
        out.push((s, e));
        if i >= end {
            break;
        }
        i += 1;
    }
    out
}

/// The delimiter of a header line: the most frequent of `,` `\t` `|` `;`,
/// at least once.
fn delimiter(line: &[u8]) -> Option<u8> {
    [b',', b'\t', b'|', b';']
        .into_iter()
        .map(|d| (line.iter().filter(|&&b| b == d).count(), d))
        .filter(|&(n, _)| n >= 1)
        .max_by_key(|&(n, _)| n)
        .map(|(_, d)| d)
}

/// A column name: letters, digits, `_`, `-`, `.` and spaces, starting with
/// a letter.
fn column_name(cell: &[u8]) -> bool {
    cell.first().is_some_and(u8::is_ascii_alphabetic)
        && cell.len() <= MAX_KEY
        && cell.iter().all(|&b| key_char(b) || b == b' ')
}

/// A header cell: its normalized key, entity and detector when it is keyed.
type Column = Option<(String, Entity, u32)>;
type Columns = Vec<Column>;

/// Rows under a header: the first line of a paragraph whose cells are all
/// column names, one at least a keyed field, labels the cells of the lines
/// after it that have as many cells. SQL `INSERT … (columns) VALUES` labels
/// the tuples that follow it the same way.
fn rows(hay: &[u8], keys: &Keys, out: &mut Vec<Pair>) {
    let mut header: Option<(u8, Columns)> = None;
    let mut sql = false;
    let mut first = true;
    // Where `insert into` occurs (SQL writes it in one case or the other),
    // found by a vectorised search over the block.
    let mut at: Vec<usize> = insert_into().iter().flat_map(|f| f.find_iter(hay)).collect();
    at.sort_unstable();
    let mut inserts = at.into_iter().peekable();
    for (start, end) in lines(hay) {
        let line = &hay[start..end];
        if line.iter().all(u8::is_ascii_whitespace) {
            header = None;
            first = true;
            continue;
        }
        let was_first = std::mem::replace(&mut first, false);
        while inserts.next_if(|&at| at < start).is_some() {}
        let insert = inserts.next_if(|&at| at < end).is_some();
        if let Some(columns) = insert.then(|| sql_columns(line)).flatten() {
            header = columnize(hay, start + columns.0, start + columns.1, b',', keys).map(|c| (b',', c));
            sql = true;
            // Tuples may follow on the same line.
            if let Some((_, cols)) = &header {
                tuples(hay, start + columns.1, end, cols, out);
            }
            continue;
        }
        match &header {
            Some((_, cols)) if sql => tuples(hay, start, end, cols, out),
            Some((delim, cols)) => {
                let found = cells(hay, start, end, *delim);
                if found.len() == cols.len() {
                    for (&(s, e), col) in found.iter().zip(cols) {
                        if let Some((key, entity, det)) = col {
                            if s < e && e - s <= MAX_VALUE {
                                out.push(Pair { key: key.clone(), entity: *entity, det: *det, start: s, end: e });
                            }
                        }
                    }
                }
            }
            None if was_first => {
                sql = false;
                header = delimiter(line).and_then(|d| columnize(hay, start, end, d, keys).map(|c| (d, c)));
            }
            None => {}
        }
    }
}

/// The keyed columns of a header line, when every cell is a column name and
/// one at least is keyed.
fn columnize(hay: &[u8], start: usize, end: usize, delim: u8, keys: &Keys) -> Option<Columns> {
    let found = cells(hay, start, end, delim);
    if found.len() < 2 || !found.iter().all(|&(s, e)| column_name(&hay[s..e])) {
        return None;
    }
    let cols: Vec<_> = found
        .iter()
        .map(|&(s, e)| {
            let key = normalize_field(&String::from_utf8_lossy(&hay[s..e]));
            keys.lookup(&key).map(|(entity, det)| (key, entity, det))
        })
        .collect();
    cols.iter().any(Option::is_some).then_some(cols)
}

/// `INSERT INTO` and `insert into`.
fn insert_into() -> &'static [memchr::memmem::Finder<'static>; 2] {
    static FINDERS: OnceLock<[memchr::memmem::Finder<'static>; 2]> = OnceLock::new();
    FINDERS.get_or_init(|| [memchr::memmem::Finder::new(b"INSERT INTO"), memchr::memmem::Finder::new(b"insert into")])
}

/// The span of the column list in `INSERT INTO t (a, b) VALUES`, relative
/// to the line.
fn sql_columns(line: &[u8]) -> Option<(usize, usize)> {
    let lower = line.to_ascii_lowercase();
    let insert = memchr::memmem::find(&lower, b"insert into")?;
    let values = memchr::memmem::find(&lower[insert..], b"values").map(|i| insert + i)?;
    let open = memchr::memchr(b'(', &line[insert..values]).map(|i| insert + i)?;
    let close = memchr::memrchr(b')', &line[open..values]).map(|i| open + i)?;
    Some((open + 1, close))
}

/// `('a', 'b'), ('c', 'd');` between `start` and `end`: each tuple with as
/// many cells as columns.
fn tuples(hay: &[u8], start: usize, end: usize, cols: &[Column], out: &mut Vec<Pair>) {
    let mut i = start;
    while let Some(open) = memchr::memchr(b'(', &hay[i..end]).map(|k| i + k) {
        // The closing parenthesis outside quotes.
        let mut j = open + 1;
        let mut quote = None;
        while j < end {
            match (hay[j], quote) {
                (b'\'', None) => quote = Some(b'\''),
                (b'\'', Some(_)) if hay.get(j + 1) == Some(&b'\'') => j += 1,
                (b'\'', Some(_)) => quote = None,
                (b')', None) => break,
                _ => {}
            }
            j += 1;
        }
        if j >= end {
            return;
        }
        let found = cells(hay, open + 1, j, b',');
        if found.len() == cols.len() {
            for (&(s, e), col) in found.iter().zip(cols) {
                if let Some((key, entity, det)) = col {
                    if s < e && e - s <= MAX_VALUE && !hay[s..e].eq_ignore_ascii_case(b"null") {
                        out.push(Pair { key: key.clone(), entity: *entity, det: *det, start: s, end: e });
                    }
                }
            }
        }
        i = j + 1;
    }
}

/// HL7 v2 fields by position: `PID` 3 (identifier), 5 (name), 7 (birth
/// date), 11 (address), 18 (account), 19 (SSN); `NK1` 2 (name), 4
/// (address). Components (`^`) are values of their own.
fn hl7(hay: &[u8], keys: &Keys, out: &mut Vec<Pair>) {
    const PID: &[(usize, &[(usize, &str)])] = &[
        (3, &[(0, "mrn")]),
        (5, &[(0, "last_name"), (1, "first_name"), (2, "middle_name")]),
        (6, &[(0, "last_name"), (1, "first_name")]),
        (7, &[(0, "dob")]),
        (11, &[(0, "street"), (2, "city"), (4, "zip")]),
        (18, &[(0, "account_number")]),
        (19, &[(0, "ssn")]),
    ];
    const NK1: &[(usize, &[(usize, &str)])] =
        &[(2, &[(0, "last_name"), (1, "first_name")]), (4, &[(0, "street"), (2, "city"), (4, "zip")])];
    for seg in memchr::memmem::find_iter(hay, b"PID|").chain(memchr::memmem::find_iter(hay, b"NK1|")) {
        if seg > 0 && !matches!(hay[seg - 1], b'\r' | b'\n') {
            continue;
        }
        let layout = if hay[seg] == b'P' { PID } else { NK1 };
        let end = hay[seg..].iter().position(|&b| b == b'\r' || b == b'\n').map_or(hay.len(), |i| seg + i);
        // Field n starts after the n-th bar (the segment name is field 0).
        let bars: Vec<usize> = memchr::memchr_iter(b'|', &hay[seg..end]).map(|i| seg + i).collect();
        for &(field, components) in layout {
            let Some(&bar) = bars.get(field - 1) else { continue };
            let stop = bars.get(field).copied().unwrap_or(end);
            // The first repetition only (`~`).
            let stop = memchr::memchr(b'~', &hay[bar + 1..stop]).map_or(stop, |i| bar + 1 + i);
            let mut comps = vec![bar + 1];
            comps.extend(memchr::memchr_iter(b'^', &hay[bar + 1..stop]).map(|i| bar + 2 + i));
            for &(index, key) in components {
                let Some(&s) = comps.get(index) else { continue };
                let e = comps.get(index + 1).map_or(stop, |&next| next - 1);
                let Some((entity, det)) = keys.lookup(key) else { continue };
                if s < e && e - s <= MAX_VALUE {
                    out.push(Pair { key: key.to_string(), entity, det, start: s, end: e });
                }
            }
        }
    }
}

/// A value the name field `key` vouches for: one to four words of letters
/// (apostrophes, hyphens and periods inside), each capitalized or in
/// capitals, one of two letters at least, none in camel case past a
/// surname prefix (`NoSuchId` is code; `McDonald` is a name). A single word
/// that is a common English word (`Patient`, `Identifier`) is a name only
/// under a key that says given name or surname (`first_name`, `given`,
/// `family`), where the key leaves no doubt.
pub(crate) fn looks_like_name(key: &str, value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else { return false };
    let words: Vec<&str> = text.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let shaped = (1..=4).contains(&words.len())
        && words.iter().any(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().all(|c| c.is_alphabetic() || matches!(c, '\'' | '-' | '.' | '\u{2019}'))
                && !camel(w)
        })
        && !NOT_NAMES.iter().any(|n| text.eq_ignore_ascii_case(n));
    if !shaped || words.len() > 1 {
        return shaped;
    }
    let flags = WordLists::embedded().flags(text.to_lowercase().as_bytes());
    const PART_KEYS: &[&str] = &[
        "first_name",
        "firstname",
        "fname",
        "given",
        "given_name",
        "middle_name",
        "last_name",
        "lastname",
        "lname",
        "family",
        "family_name",
        "surname",
        "maiden_name",
    ];
    flags & COMMON == 0 || PART_KEYS.iter().any(|k| key.ends_with(k))
}

/// A capital after a lower-case letter, other than after a surname prefix
/// (`Mc`, `Mac`, `De`, `Di`, `La`, `Le`, `Van`, `Von`).
fn camel(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    (1..chars.len()).any(|i| {
        chars[i].is_uppercase() && chars[i - 1].is_lowercase() && {
            let prefix: String = chars[..i].iter().collect();
            !["Mc", "Mac", "De", "Di", "La", "Le", "Van", "Von"].contains(&prefix.as_str())
        }
    })
}

/// Values of name fields that are no one's name.
const NOT_NAMES: &[&str] = &["None", "Null", "Nil", "Unknown", "True", "False", "Test", "Redacted", "Anonymous"];

/// A value a city field vouches for: like a name, up to four words.
pub(crate) fn looks_like_city(value: &[u8]) -> bool {
    looks_like_name("city", value)
}

/// A value a street field vouches for: a house number, then a word.
pub(crate) fn looks_like_street(value: &[u8]) -> bool {
    let digits = value.iter().take_while(|b| b.is_ascii_digit()).count();
    (1..=6).contains(&digits)
        && value.get(digits).is_some_and(|&b| b == b' ')
        && value.get(digits + 1).is_some_and(u8::is_ascii_alphabetic)
}

/// A date in digits only under a date field: `YYYYMMDD`, optionally with
/// the time (`YYYYMMDDhhmm[ss]`), year 1900–2099.
pub(crate) fn digit_date(value: &[u8]) -> bool {
    if !matches!(value.len(), 8 | 12 | 14) || !value.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| value[r].iter().fold(0u32, |n, &b| n * 10 + u32::from(b - b'0'));
    let (year, month, day) = (num(0..4), num(4..6), num(6..8));
    (1900..=2099).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::new(&crate::patterns::default_detectors().expect("default pack"))
    }

    fn found(text: &str) -> Vec<(String, &str)> {
        let mut out = Vec::new();
        pairs(text.as_bytes(), &keys(), &mut out);
        out.iter().map(|p| (p.key.clone(), &text[p.start..p.end])).collect()
    }

    fn pair(key: &str, value: &'static str) -> (String, &'static str) {
        (key.to_string(), value)
    }

    #[test]
    fn inline_keys_in_code_json_and_logs() {
        assert_eq!(
            found(r#"{"first_name": "Hiroshi", "dob": "1962-03-14"}"#),
            [pair("first_name", "Hiroshi"), pair("dob", "1962-03-14")]
        );
        assert_eq!(
            found("{ name: 'Liam Chen', mrn: '51175891' }"),
            [pair("name", "Liam Chen"), pair("mrn", "51175891")]
        );
        assert_eq!(
            found("INFO patient_name=\"Ann Lee\" dob=19620314 host=web1"),
            [pair("patient_name", "Ann Lee"), pair("dob", "19620314")]
        );
        assert_eq!(found("\"given\": [\n  \"Priya\",\n  \"Ann\"\n]"), [pair("given", "Priya"), pair("given", "Ann")]);
        assert_eq!(found("file_name = \"Report.pdf\"; if a == b: name := x"), Vec::<(String, &str)>::new());
        assert_eq!(found("last_name: O'Brien\n"), [pair("last_name", "O'Brien")]);
    }

    #[test]
    fn rows_under_a_header_and_sql_tuples() {
        let csv = "id,first_name,dob\n1,Ann,1980-02-03\n2,\"Bob\",1975-11-30\n\n3,Cy,1990-01-01\n";
        assert_eq!(
            found(csv),
            [
                pair("first_name", "Ann"),
                pair("dob", "1980-02-03"),
                pair("first_name", "Bob"),
                pair("dob", "1975-11-30"),
            ]
        );
        let sql = "INSERT INTO patients (mrn, last_name, notes) VALUES\n  ('123', 'O''Brien', 'x, y'),\n  ('456', NULL, 'z');\n";
        assert_eq!(found(sql), [pair("mrn", "123"), pair("last_name", "O''Brien"), pair("mrn", "456")]);
    }

    #[test]
    fn hl7_fields_by_position() {
        let msg = "MSH|^~\\&|A|B\rPID|1||12345^^^H^MR||DOE^JANE^Q||19620314|F|||1 MAIN ST^^BOSTON^MA^02118||555|||||ACC9|123-45-6789\r";
        assert_eq!(
            found(msg),
            [
                pair("mrn", "12345"),
                pair("last_name", "DOE"),
                pair("first_name", "JANE"),
                pair("middle_name", "Q"),
                pair("dob", "19620314"),
                pair("street", "1 MAIN ST"),
                pair("city", "BOSTON"),
                pair("zip", "02118"),
                pair("account_number", "ACC9"),
                pair("ssn", "123-45-6789"),
            ]
        );
    }
}
