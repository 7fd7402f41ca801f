//! Person evidence: a weak identifier is reported only in a record about a
//! person.
//!
//! PHI is information about a person. A URL, an e-mail address, a date or
//! two capitalized words say nothing about anyone by themselves; in a
//! patient's record they do. With person evidence asked for
//! ([`EngineBuilder::person_evidence`](crate::EngineBuilder::person_evidence)),
//! each finding falls in one of three classes:
//!
//! - **identifiers**: an SSN, an ITIN, an MRN, a health plan, account,
//!   licence or passport number, an age over 89; and a checksum-valid card,
//!   NPI, DEA or IBAN next to its own label. They point at a person alone
//!   and are always reported.
//! - **personal** identifiers: names, dates, phone and fax numbers, e-mail
//!   addresses, street addresses, cities and ZIP codes.
//! - **incidental** identifiers: URLs, IP addresses, device and vehicle
//!   numbers (about a thing: a certificate fingerprint looks like a MAC
//!   address, and has a `Serial Number`), and the checksum shapes above
//!   without their label (a random 16-digit id passes Luhn one time in ten).
//!
//! The record of a finding is its line and up to [`WINDOW`] lines on either
//! side, within its paragraph (a blank line ends one): a log line, a CSV
//! row, a JSON object or a sentence with its neighbours. A personal
//! identifier is reported when its record holds an identifier, a patient
//! label (`patient`, `DOB`, `MRN`, an HL7 `PID` segment, a FHIR
//! `Patient` resource…) or personal identifiers of at least [`KINDS`]
//! kinds (a name, a date and a phone number). An incidental identifier
//! needs more: an identifier, a label with a personal identifier beside it,
//! or the [`KINDS`] kinds.
//!
//! Three refinements keep ordinary text quiet without hiding a record:
//! known-benign values (e-mail at the RFC 2606 domains, 555-01xx numbers)
//! never count as a kind, though they are reported in a record that
//! qualifies; an address right after an organisation's name (`Free
//! Software Foundation, Inc., 51 Franklin Street`) is an office and counts
//! as no kind; and a name right before an e-mail address (`Ann Lee
//! <ann@x.org>`, how authors sign) is one identifier, not two. Column names
//! label more than their line: a line of labels between delimiters with no
//! finding on it (a CSV header, an SQL column list) labels the rest of its
//! paragraph.
//!
//! A line of more than 1,000 bytes (minified code, a source map, a dump on
//! one line) is not a record: there a finding's record is the 200 bytes on
//! either side of it.
//!
//! Records are found within a scan block (at least 256 KiB, cut at a line
//! end), so a window never reaches across two blocks.

use std::fmt;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::entity::Entity;
use crate::matcher::{is_word_byte, word_list_automaton};

/// Lines on either side of a finding's line that belong to its record.
pub const WINDOW: usize = 5;

/// A line longer than this is not one record (see [`near`]).
const LONG_LINE: usize = 1000;

/// On a long line, the bytes on either side of a finding that are its record.
const NEAR: usize = 200;

/// Kinds of personal identifiers that make a record about a person.
pub const KINDS: u32 = 3;

/// What kind of text a scan reads, which decides how far a patient label
/// vouches ([`Engine::for_text`](crate::Engine::for_text)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TextKind {
    /// Data, documents, logs, notes: a patient label in a record vouches for
    /// every weak identifier in it.
    #[default]
    Data,
    /// Source code: `patient` names variables and types, and tests of
    /// healthcare code make patients of one field (`birthDate='1901-05-25'`).
    /// A label vouches only for a record with two kinds of weak identifiers
    /// at least (a name and a birth date); identifiers and three kinds count
    /// as in data.
    Code,
}

impl TextKind {
    /// The kind of a file by its name: source code by its extension
    /// (`.py`, `.js`, `.ts`, `.java`, `.go`, `.rs`, `.c`, …), else data.
    ///
    /// ```
    /// use phimask::TextKind;
    /// assert_eq!(TextKind::from_path("tests/test_lib.py"), TextKind::Code);
    /// assert_eq!(TextKind::from_path("fixtures/patients.json"), TextKind::Data);
    /// ```
    pub fn from_path(path: &str) -> TextKind {
        const CODE: &[&str] = &[
            "py", "pyi", "js", "mjs", "cjs", "jsx", "ts", "tsx", "java", "kt", "kts", "scala", "groovy", "go", "rs",
            "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "cs", "fs", "vb", "rb", "php", "swift", "m", "mm", "dart",
            "lua", "pl", "pm", "r", "jl", "ex", "exs", "erl", "hs", "clj", "cljs", "elm", "vue", "svelte", "sh",
            "bash", "zsh", "ps1", "coffee",
        ];
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => {
                let ext = ext.to_ascii_lowercase();
                if CODE.contains(&ext.as_str()) {
                    TextKind::Code
                } else {
                    TextKind::Data
                }
            }
            _ => TextKind::Data,
        }
    }
}

/// Why a finding was reported: the person evidence its record holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Evidence {
    /// The engine reports every finding (no person evidence was asked for).
    Unchecked,
    /// An identifier that points at a person alone.
    Identifier,
    /// An identifier in the same record.
    BesideIdentifier,
    /// A patient label in the record (`patient`, `dob`, `pid|`…, lower case).
    Label(&'static str),
    /// Personal identifiers of at least [`KINDS`] kinds in the record.
    Kinds(Kinds),
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::Unchecked => f.write_str("reported without evidence rules"),
            Evidence::Identifier => f.write_str("an identifier by itself"),
            Evidence::BesideIdentifier => f.write_str("an identifier in the same record"),
            Evidence::Label(label) => write!(f, "patient label '{label}' in the record"),
            Evidence::Kinds(kinds) => write!(f, "{} kinds of identifiers in the record ({kinds})", kinds.len()),
        }
    }
}

/// A set of personal identifier kinds.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Kinds(u8);

const KIND_NAMES: [&str; 5] = ["NAME", "DATE", "PHONE", "EMAIL", "LOCATION"];

impl Kinds {
    /// How many kinds.
    pub fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// Whether there are none.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The kinds' names: `NAME`, `DATE`, `PHONE` (phone and fax), `EMAIL`,
    /// `LOCATION` (street address, city, ZIP code).
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        KIND_NAMES.iter().enumerate().filter(move |(i, _)| self.0 & (1 << i) != 0).map(|(_, n)| *n)
    }
}

impl fmt::Display for Kinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.names().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Kinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kinds({self})")
    }
}

/// How a label must appear to count.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    /// As a word anywhere: prose, a key, a column name.
    Word,
    /// Only as a key or column name (`"family": …`, `given=`, a header
    /// cell): as a word it is ordinary English (`font-family`).
    Key,
    /// As a clinical abbreviation in prose (`Pt is`, `pt's`, `Pt:`), not a
    /// cell (`rg,pt,`) or a command (`pt -w`): `pt` is also a unit, a
    /// locale and a tool.
    Abbreviation,
    /// An HL7 v2 segment name at the start of a segment (`PID|`).
    Segment,
    /// A FHIR `resourceType` (JSON) or element (XML) naming a person.
    Resource,
}

/// Patient labels: words that make a record about a patient, and how each
/// must appear. Matched case-insensitively as whole words, where `_`, `-`
/// and a lower-to-upper case change also end a word (`birthDate`,
/// `patient_id`), but not inside a path or a URL (`/api/patients/`) or a
/// member access (`client.patient`).
const LABELS: &[(&str, Use)] = &[
    ("patient", Use::Word),
    ("patients", Use::Word),
    ("pt", Use::Abbreviation),
    ("pts", Use::Abbreviation),
    ("dob", Use::Word),
    ("d.o.b", Use::Word),
    ("birth", Use::Word),
    ("birthdate", Use::Word),
    ("birthday", Use::Word),
    ("born", Use::Word),
    ("mrn", Use::Word),
    ("ssn", Use::Word),
    ("social security", Use::Word),
    ("medical record", Use::Word),
    ("deceased", Use::Word),
    ("next of kin", Use::Word),
    ("nok", Use::Word),
    ("emergency contact", Use::Word),
    ("guarantor", Use::Word),
    ("beneficiary", Use::Word),
    ("diagnosis", Use::Word),
    ("diagnosed", Use::Word),
    ("admitted", Use::Word),
    ("discharged", Use::Word),
    ("firstname", Use::Word),
    ("lastname", Use::Word),
    ("fname", Use::Word),
    ("lname", Use::Word),
    ("surname", Use::Word),
    ("maiden", Use::Word),
    ("first name", Use::Word),
    ("last name", Use::Word),
    ("given", Use::Key),
    ("family", Use::Key),
    ("first_name", Use::Key),
    ("last_name", Use::Key),
    ("given_name", Use::Key),
    ("family_name", Use::Key),
    ("pid|", Use::Segment),
    ("nk1|", Use::Segment),
    ("gt1|", Use::Segment),
    ("in1|", Use::Segment),
    ("pv1|", Use::Segment),
    ("resourcetype", Use::Resource),
    ("<patient", Use::Resource),
    ("<relatedperson", Use::Resource),
];

/// FHIR resource types about a person (the value of `resourceType`).
const PERSON_RESOURCES: &[&str] = &["Patient", "RelatedPerson", "Person"];

fn labels() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| word_list_automaton(LABELS.iter().map(|(label, _)| label)))
}

/// The class of a finding.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Identifier,
    /// A personal identifier, with its kind bit (0 for a benign value).
    Personal(u8),
    Incidental,
}

/// Entities whose shape is a checksum a random number passes now and then:
/// identifiers only next to their own label.
fn checksum_shaped(entity: Entity) -> bool {
    use Entity as E;
    matches!(entity, E::CreditCard | E::Npi | E::Dea | E::BankAccount)
}

fn class(entity: Entity, hotword: bool, value: &[u8]) -> Class {
    use Entity as E;
    let kind = |bit: u8| Class::Personal(bit);
    match entity {
        // A device or vehicle number is about a thing; with its label too
        // (a certificate's `Serial Number`).
        E::Url | E::Ip | E::DeviceId | E::VehicleId => Class::Incidental,
        e if checksum_shaped(e) => match hotword {
            true => Class::Identifier,
            false => Class::Incidental,
        },
        E::Name => kind(1),
        E::Date => kind(2),
        E::Phone | E::Fax => kind(if benign_phone(value) { 0 } else { 4 }),
        E::Email => kind(if benign_email(value) { 0 } else { 8 }),
        E::Address | E::City | E::Zip => kind(LOCATION),
        // A UUID is a system's key for a row, not a number a person is
        // known by (`"patient": "eb3271e1-…"`, `Encounter/518a522a-…`).
        E::OtherId if uuid_like(value) => Class::Incidental,
        _ => Class::Identifier,
    }
}

/// The kind bit of street addresses, cities and ZIP codes.
const LOCATION: u8 = 16;

/// Words that end an organisation's name.
const ORGANISATIONS: &[&[u8]] = &[
    b"inc",
    b"inc.",
    b"llc",
    b"ltd",
    b"ltd.",
    b"corp",
    b"corp.",
    b"corporation",
    b"foundation",
    b"gmbh",
    b"university",
    b"institute",
    b"company",
    b"co.",
    b"plc",
    b"s.a.",
    b"ag",
    b"association",
    b"society",
];

/// Whether an organisation's name ends within the 80 bytes before `start`
/// (across at most one line break): the address that follows is its office.
fn organisation_before(hay: &[u8], start: usize) -> bool {
    let lo = start.saturating_sub(80);
    let before = &hay[lo..start];
    // From the start of the previous line at the earliest.
    let breaks: Vec<usize> = memchr::memrchr_iter(b'\n', before).take(2).collect();
    let before = match breaks.get(1) {
        Some(&second) => &before[second + 1..],
        None => before,
    };
    before
        .split(|b| b.is_ascii_whitespace() || *b == b',' || *b == b'*' || *b == b'#')
        .filter(|w| !w.is_empty())
        .any(|w| ORGANISATIONS.iter().any(|o| w.eq_ignore_ascii_case(o)))
}

/// Hexadecimal groups of 8-4-4-… (a UUID, possibly cut short).
fn uuid_like(value: &[u8]) -> bool {
    let groups: Vec<&[u8]> = value.split(|&b| b == b'-').collect();
    groups.len() >= 3
        && groups[0].len() == 8
        && groups[1].len() == 4
        && groups.iter().all(|g| g.iter().all(u8::is_ascii_hexdigit))
}

/// 555-0100 to 555-0199: the numbers reserved for fiction.
fn benign_phone(value: &[u8]) -> bool {
    let digits: Vec<u8> = value.iter().copied().filter(u8::is_ascii_digit).collect();
    let local = match digits.len() {
        10 => &digits[3..],
        11 if digits[0] == b'1' => &digits[4..],
        7 => &digits[..],
        _ => return false,
    };
    local.starts_with(b"55501")
}

/// An address at a domain reserved for examples (RFC 2606, RFC 6761).
fn benign_email(value: &[u8]) -> bool {
    let Some(at) = value.iter().rposition(|&b| b == b'@') else { return false };
    let domain = value[at + 1..].to_ascii_lowercase();
    let domain = domain.strip_suffix(b".").unwrap_or(&domain);
    let reserved_tld = [&b".test"[..], b".example", b".invalid", b".localhost"];
    let reserved = [&b"example.com"[..], b"example.org", b"example.net"];
    reserved.iter().any(|r| domain == *r || domain.ends_with(&[b".", *r].concat()))
        || reserved_tld.iter().any(|t| domain.ends_with(t))
        || domain == b"localhost"
}

/// One finding as the evidence rule sees it.
pub(crate) struct Item {
    pub(crate) entity: Entity,
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// A hotword of its detector was near.
    pub(crate) hotword: bool,
}

/// What one line holds.
#[derive(Clone, Copy, Default)]
struct Line {
    /// 1 + index of the first patient label on it, 0 for none.
    label: u16,
    /// 1 + index of the label a header above gives it, 0 for none.
    header: u16,
    identifier: bool,
    kinds: u8,
    blank: bool,
    /// Some finding lies on it.
    found: bool,
    /// 1 + index of a FHIR person resource label on it, 0 for none.
    resource: u16,
    /// A heading: its section is its record.
    heading: bool,
    /// Inside a Markdown code fence.
    code: bool,
}

/// Decides, for each item of one block (sorted by start), whether it is
/// reported and why. `None` drops it.
pub(crate) fn judge(hay: &[u8], items: &[Item], text: TextKind) -> Vec<Option<Evidence>> {
    // How many kinds a record with a label needs: in code, two.
    let with_label = if text == TextKind::Code { 2 } else { 0 };
    let classes: Vec<Class> = items.iter().map(|i| class(i.entity, i.hotword, &hay[i.start..i.end])).collect();
    if classes.iter().all(|c| *c == Class::Identifier) {
        return vec![Some(Evidence::Identifier); items.len()];
    }
    let starts = line_starts(hay);
    let line_of = |pos: usize| starts.partition_point(|&s| s <= pos) - 1;
    let mut lines: Vec<Line> = starts
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let end = starts.get(i + 1).copied().unwrap_or(hay.len());
            Line { blank: hay[s..end].iter().all(u8::is_ascii_whitespace), ..Line::default() }
        })
        .collect();
    let item_lines: Vec<usize> = items.iter().map(|i| line_of(i.start)).collect();
    // Each item's kind: `Name <e-mail>`, an author's signature, is one
    // identifier.
    let mut office_until = 0;
    let bits: Vec<u8> = (0..items.len())
        .map(|k| match classes[k] {
            Class::Personal(bit) => {
                let signed = items[k].entity == Entity::Email
                    && k > 0
                    && items[k - 1].entity == Entity::Name
                    && items[k - 1].end <= items[k].start
                    && items[k].start - items[k - 1].end <= 3
                    && hay[items[k - 1].end..items[k].start].iter().all(|b| b" <(\"'".contains(b));
                // An address after an organisation's name (`Free Software
                // Foundation, Inc., 51 Franklin Street`) is its office.
                // Its city and ZIP code follow it.
                let office =
                    bit == LOCATION && (items[k].start <= office_until || organisation_before(hay, items[k].start));
                if office {
                    office_until = items[k].end + 40;
                }
                if signed || office {
                    0
                } else {
                    bit
                }
            }
            _ => 0,
        })
        .collect();
    for (k, &at) in item_lines.iter().enumerate() {
        let line = &mut lines[at];
        line.found = true;
        line.identifier |= classes[k] == Class::Identifier;
        line.kinds |= bits[k];
    }
    let mut found_labels: Vec<(usize, u16)> = Vec::new();
    for m in labels().find_iter(hay) {
        let index = m.pattern().as_usize();
        if counts(hay, m.start(), m.end(), LABELS[index].1) {
            found_labels.push((m.start(), index as u16 + 1));
            let line = &mut lines[line_of(m.start())];
            if line.label == 0 {
                line.label = index as u16 + 1;
            }
            if LABELS[index].1 == Use::Resource {
                line.resource = index as u16 + 1;
            }
        }
    }
    // A header (labels between delimiters, no value) labels the rest of
    // its paragraph, and so does a FHIR resource about a person. Lines
    // inside a Markdown code fence are code.
    let mut header = 0u16;
    let mut fence = false;
    for (i, line) in lines.iter_mut().enumerate() {
        let text = line_text(hay, &starts, i);
        let trimmed = text.trim_ascii_start();
        if trimmed.starts_with(b"```") || trimmed.starts_with(b"~~~") {
            fence = !fence;
        }
        line.code = fence;
        if line.blank {
            header = 0;
            continue;
        }
        line.header = header;
        if line.resource != 0 {
            header = line.resource;
        } else if line.label != 0 && !line.found && is_header(text) {
            header = line.label;
        }
        line.heading = is_heading(text);
        // A long line (minified code, a source map, a one-line dump) is no
        // record: its findings look only near themselves, and its facts
        // reach no neighbour.
        if text.len() > LONG_LINE {
            *line = Line { found: true, ..Line::default() };
            header = 0;
        }
    }
    items
        .iter()
        .enumerate()
        .map(|(k, _)| {
            let class = classes[k];
            if class == Class::Identifier {
                return Some(Evidence::Identifier);
            }
            let at = item_lines[k];
            let long = line_text(hay, &starts, at).len() > LONG_LINE;
            let record = match long {
                true => near(items, &classes, &bits, &found_labels, k),
                false => record(&lines, at),
            };
            if record.identifier {
                return Some(Evidence::BesideIdentifier);
            }
            let kinds = Kinds(record.kinds);
            let label = (record.label != 0).then(|| LABELS[record.label as usize - 1].0);
            let with_label = if lines[at].code { 2 } else { with_label };
            match (class, label) {
                (Class::Personal(_), Some(label)) if kinds.len() >= with_label => Some(Evidence::Label(label)),
                (Class::Incidental, Some(label)) if kinds.len() >= with_label.max(1) => Some(Evidence::Label(label)),
                _ if kinds.len() >= KINDS => Some(Evidence::Kinds(kinds)),
                _ => None,
            }
        })
        .collect()
}

/// What lies within [`NEAR`] bytes of item `k` (on a long line).
fn near(items: &[Item], classes: &[Class], bits: &[u8], labels: &[(usize, u16)], k: usize) -> Line {
    let lo = items[k].start.saturating_sub(NEAR);
    let hi = items[k].end + NEAR;
    let mut out = Line::default();
    let mut add = |j: usize| {
        out.identifier |= classes[j] == Class::Identifier;
        out.kinds |= bits[j];
    };
    add(k);
    for j in (0..k).rev().take_while(|&j| items[j].end > lo) {
        add(j);
    }
    for j in (k + 1..items.len()).take_while(|&j| items[j].start < hi) {
        add(j);
    }
    let first = labels.partition_point(|&(pos, _)| pos < lo);
    out.label = labels[first..].iter().take_while(|&&(pos, _)| pos < hi).map(|&(_, l)| l).next().unwrap_or(0);
    out
}

/// What the record around line `at` holds.
fn record(lines: &[Line], at: usize) -> Line {
    let mut out = lines[at];
    if out.label == 0 {
        out.label = out.header;
    }
    let mut merge = |line: &Line| {
        out.identifier |= line.identifier;
        out.kinds |= line.kinds;
        if out.label == 0 {
            out.label = if line.label != 0 { line.label } else { line.header };
        }
    };
    for i in (at.saturating_sub(WINDOW)..at).rev() {
        if lines[i].blank {
            break;
        }
        merge(&lines[i]);
    }
    // A heading's record goes on past the blank lines under it.
    let mut heading = lines[at].heading;
    for line in lines.iter().skip(at + 1).take(WINDOW) {
        if line.blank && !heading {
            break;
        }
        heading &= line.blank;
        merge(line);
    }
    // A line under a heading reaches back to it across blank lines.
    let mut i = at;
    while i > 0 && at - i < WINDOW && !lines[i - 1].blank {
        i -= 1;
    }
    let mut j = i;
    while j > 0 && at - j < WINDOW && lines[j - 1].blank {
        j -= 1;
    }
    if j < i && j > 0 && lines[j - 1].heading {
        merge(&lines[j - 1]);
    }
    out
}

/// A Markdown or reStructuredText-style heading: `# …`, or a short line
/// ending in a colon.
fn is_heading(line: &[u8]) -> bool {
    let line = line.trim_ascii();
    line.first() == Some(&b'#') || (line.len() <= 60 && line.last() == Some(&b':'))
}

/// The offsets where lines start.
fn line_starts(hay: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(memchr::memchr_iter(b'\n', hay).map(|i| i + 1).filter(|&i| i < hay.len()));
    starts
}

fn line_text<'a>(hay: &'a [u8], starts: &[usize], i: usize) -> &'a [u8] {
    &hay[starts[i]..starts.get(i + 1).copied().unwrap_or(hay.len())]
}

/// A line of column names: at least two delimiters of one kind.
fn is_header(line: &[u8]) -> bool {
    [b',', b'\t', b'|', b';'].iter().any(|&d| line.iter().filter(|&&b| b == d).count() >= 2)
}

/// Whether a label match at `start..end` counts as one.
fn counts(hay: &[u8], start: usize, end: usize, usage: Use) -> bool {
    let before = start.checked_sub(1).map(|i| hay[i]);
    let after = hay.get(end).copied();
    match usage {
        Use::Segment => matches!(before, None | Some(b'\n' | b'\r')),
        Use::Resource if hay[start] == b'<' => hay.get(end).is_some_and(|b| !is_word_byte(*b)),
        Use::Resource => {
            // `"resourceType": "Patient"`
            let rest = &hay[end..hay.len().min(end + 24)];
            let rest = rest.strip_prefix(b"\"").unwrap_or(rest);
            let value = rest.iter().position(|&b| b == b':').map(|c| &rest[c + 1..]);
            value.is_some_and(|v| {
                let v = v.trim_ascii_start();
                let v = v.strip_prefix(b"\"").unwrap_or(v);
                PERSON_RESOURCES
                    .iter()
                    .any(|r| v.starts_with(r.as_bytes()) && v.get(r.len()).is_none_or(|b| !is_word_byte(*b)))
            })
        }
        Use::Word | Use::Key | Use::Abbreviation => {
            let first = hay[start];
            let last = hay[end - 1];
            let starts_word = match before {
                None => true,
                Some(b'/') => false,
                Some(b'.') => start < 2 || !is_word_byte(hay[start - 2]),
                Some(b) => !is_word_byte(b) || b == b'_' || (b.is_ascii_lowercase() && first.is_ascii_uppercase()),
            };
            let ends_word = match after {
                None => true,
                Some(b'/') => false,
                Some(b'.') => hay.get(end + 1).is_none_or(|b| !is_word_byte(*b)),
                Some(b) => !is_word_byte(b) || b == b'_' || (last.is_ascii_lowercase() && b.is_ascii_uppercase()),
            };
            // A key starts its key: `font-family:` is not a `family` key.
            let starts_key = || before.is_none_or(|b| b.is_ascii_whitespace() || b"\"'{[(,;|".contains(&b));
            let prose = || {
                let cell = |b: Option<u8>| b.is_some_and(|b| b",|\t;".contains(&b));
                let next = hay.get(end + 1).copied();
                // `12 pt`: a point size.
                let size = before == Some(b' ') && start >= 2 && hay[start - 2].is_ascii_digit();
                !cell(before)
                    && !size
                    && match after {
                        Some(b' ') => next.is_some_and(|b| b.is_ascii_alphabetic()),
                        Some(b':' | b'.' | b'\'' | b'#') => true,
                        _ => false,
                    }
            };
            starts_word
                && ends_word
                && match usage {
                    Use::Key => starts_key() && is_key(&hay[end..]),
                    Use::Abbreviation => prose(),
                    _ => true,
                }
        }
    }
}

/// Whether the text after a word makes it a key or a column name: a quote,
/// then `:` or `=`, or a delimiter, or the end of the line.
fn is_key(rest: &[u8]) -> bool {
    let rest = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'")).unwrap_or(rest);
    let rest = rest.trim_ascii_start();
    match rest.first() {
        None => true,
        Some(b) => b":=,\t|;\n\r".contains(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_lower_case_and_segments_end_in_a_bar() {
        for (label, usage) in LABELS {
            assert_eq!(*label, label.to_ascii_lowercase());
            if *usage == Use::Segment {
                assert!(label.ends_with('|'));
            }
        }
    }

    fn label_at(text: &str) -> Vec<&'static str> {
        let hay = text.as_bytes();
        labels()
            .find_iter(hay)
            .filter(|m| counts(hay, m.start(), m.end(), LABELS[m.pattern().as_usize()].1))
            .map(|m| LABELS[m.pattern().as_usize()].0)
            .collect()
    }

    #[test]
    fn labels_are_words_keys_segments_and_resources() {
        assert_eq!(label_at("Patient seen today"), ["patient"]);
        assert_eq!(label_at("\"birthDate\": \"1974-12-25\""), ["birthdate"]);
        assert_eq!(label_at("birth_date"), ["birth"]);
        assert_eq!(label_at("patient_id,first_name"), ["patient", "first_name"]);
        assert_eq!(label_at("GET /api/patients/12 200"), Vec::<&str>::new());
        assert_eq!(label_at("client.patient.read()"), Vec::<&str>::new());
        assert_eq!(label_at("font-family: Arial"), Vec::<&str>::new());
        assert_eq!(label_at("\"family\": \"Chalmers\""), ["family"]);
        assert_eq!(label_at("MSH|^~\\&|\rPID|1||123"), ["pid|"]);
        assert_eq!(label_at("XPID|1"), Vec::<&str>::new());
        assert_eq!(label_at("{\"resourceType\": \"Patient\", \"id\": \"x\"}"), ["resourcetype", "patient"]);
        assert_eq!(label_at("{\"resourceType\": \"Observation\"}"), Vec::<&str>::new());
        assert_eq!(label_at("<Patient xmlns=\"http://hl7.org/fhir\">"), ["<patient"]);
        assert_eq!(label_at("outpatient care"), Vec::<&str>::new());
        assert_eq!(label_at("Pt is alert. pt's wife. Pt: stable"), ["pt", "pt", "pt"]);
        assert_eq!(label_at("ag,pt,rg and pt -w and 12 pt font"), Vec::<&str>::new());
    }

    #[test]
    fn benign_values() {
        assert!(benign_phone(b"(617) 555-0142"));
        assert!(benign_phone(b"555-0100"));
        assert!(!benign_phone(b"617-555-1234"));
        assert!(benign_email(b"ann@example.com"));
        assert!(benign_email(b"ann@mail.example.org"));
        assert!(benign_email(b"bob@host.test"));
        assert!(!benign_email(b"ann@examples.com"));
        assert!(!benign_email(b"ann@gmail.com"));
    }

    fn item(entity: Entity, hay: &str, value: &str, hotword: bool) -> Item {
        let start = hay.find(value).expect("value in text");
        Item { entity, start, end: start + value.len(), hotword }
    }

    #[test]
    fn weak_identifiers_need_a_record_about_a_person() {
        let hay = "John Smith <john.smith@gmail.com>\n";
        let items =
            [item(Entity::Name, hay, "John Smith", false), item(Entity::Email, hay, "john.smith@gmail.com", false)];
        assert_eq!(judge(hay.as_bytes(), &items, TextKind::Data), [None, None]);

        let hay = "John Smith, 1962-03-14, 617-867-5309\n";
        let items = [
            item(Entity::Name, hay, "John Smith", false),
            item(Entity::Date, hay, "1962-03-14", false),
            item(Entity::Phone, hay, "617-867-5309", false),
        ];
        let kinds = Kinds(1 | 2 | 4);
        assert_eq!(judge(hay.as_bytes(), &items, TextKind::Data), [Some(Evidence::Kinds(kinds)); 3]);
        assert_eq!(kinds.to_string(), "NAME, DATE, PHONE");

        let hay = "see https://example.org/docs\nDOB: 1962-03-14\n";
        let items =
            [item(Entity::Url, hay, "https://example.org/docs", false), item(Entity::Date, hay, "1962-03-14", false)];
        assert_eq!(
            judge(hay.as_bytes(), &items, TextKind::Data),
            [Some(Evidence::Label("dob")), Some(Evidence::Label("dob"))]
        );

        let hay = "card 4111111111111111 and https://x.org\n\nJane Roe";
        let items = [
            item(Entity::CreditCard, hay, "4111111111111111", true),
            item(Entity::Url, hay, "https://x.org", false),
            item(Entity::Name, hay, "Jane Roe", false),
        ];
        assert_eq!(
            judge(hay.as_bytes(), &items, TextKind::Data),
            [Some(Evidence::Identifier), Some(Evidence::BesideIdentifier), None]
        );
    }

    #[test]
    fn a_header_labels_its_paragraph() {
        let hay = "id,first_name,dob\n1,Ann,1980-02-03\n2,Bob,1975-11-30\n\n3,Cy,1990-01-01\n";
        let items = [
            item(Entity::Date, hay, "1980-02-03", false),
            item(Entity::Date, hay, "1975-11-30", false),
            item(Entity::Date, hay, "1990-01-01", false),
        ];
        let found = judge(hay.as_bytes(), &items, TextKind::Data);
        assert_eq!(found[..2], [Some(Evidence::Label("first_name")); 2]);
        assert_eq!(found[2], None);
    }

    #[test]
    fn unlabelled_checksum_shapes_are_incidental() {
        let hay = "blk_4111111111111111 replicated\n";
        let items = [item(Entity::CreditCard, hay, "4111111111111111", false)];
        assert_eq!(judge(hay.as_bytes(), &items, TextKind::Data), [None]);
    }
}
