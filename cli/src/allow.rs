//! Handling false positives, in the order people reach for them.
//!
//! 1. **Inline**: `phimask:allow` anywhere on a line (in a comment, say)
//!    suppresses that line's findings; `phimask:allow SSN` or
//!    `phimask:allow SSN,PHONE` (upper-case entity labels right after the
//!    marker) only those entities'. An unknown upper-case label suppresses
//!    nothing, so a typo fails closed instead of allowing everything.
//! 2. **`.phimask.toml`**: `[paths] exclude` globs, `[allow] values` (exact)
//!    and `[allow] regexes` (each must match the whole value), plus the
//!    engine options (`disable_detectors`, `exclude_entities`, `min_score`).
//! 3. **Baseline**: findings accepted by `phimask baseline create`, matched
//!    by keyed fingerprint (see `baseline`).
//!
//! Every suppression is counted, and the summary says how many findings
//! were allowed, so a suppression never hides silently.

use phimask::Entity;
use regex_automata::meta::Regex;
use regex_automata::Input;

use crate::baseline::Accepted;

/// The marker that allows a line.
pub(crate) const MARKER: &[u8] = b"phimask:allow";

/// What an inline marker on a line allows.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Inline {
    /// No marker.
    Nothing,
    /// A bare marker: every entity.
    All,
    /// `phimask:allow SSN,PHONE`: these entities.
    Only(Vec<Entity>),
}

impl Inline {
    /// Whether a finding of `entity` is allowed.
    pub(crate) fn allows(&self, entity: Entity) -> bool {
        match self {
            Inline::Nothing => false,
            Inline::All => true,
            Inline::Only(list) => list.contains(&entity),
        }
    }
}

/// Parses the markers on one line (several markers add up).
///
/// After the marker (and an optional `=` or `:`), a word that names entity
/// labels in any case (`SSN`, `ssn`, `SSN,PHONE`) allows those entities
/// only. A word that is *almost* a label (`SNN`, `phnoe`, an unknown
/// upper-case label) is a mistyped list and allows nothing, so a typo
/// fails closed. Anything else — nothing, or a reason in words
/// (`phimask:allow synthetic`) — is a bare marker: every entity.
pub(crate) fn inline(line: &[u8]) -> Inline {
    let mut result = Inline::Nothing;
    for at in memchr::memmem::find_iter(line, MARKER) {
        let rest = &line[at + MARKER.len()..];
        // `phimask:allowed` is not the marker.
        if rest.first().is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
            continue;
        }
        let rest = rest.strip_prefix(b"=").or_else(|| rest.strip_prefix(b":")).unwrap_or(rest);
        let skip = rest.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
        let token: Vec<u8> = rest[skip..]
            .iter()
            .copied()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b','))
            .collect();
        let text = String::from_utf8_lossy(&token).into_owned();
        let parts: Vec<&str> = text.split(',').filter(|p| !p.is_empty()).collect();
        let labels: Vec<Option<Entity>> = parts.iter().map(|p| p.to_ascii_uppercase().parse::<Entity>().ok()).collect();
        let upper = token.iter().any(u8::is_ascii_uppercase)
            && token.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'_' | b','));
        let is_list = !parts.is_empty()
            && (upper || labels.iter().any(Option::is_some) || parts.iter().any(|p| almost_a_label(p)));
        if !is_list {
            return Inline::All;
        }
        let entities = labels.into_iter().flatten();
        match &mut result {
            Inline::Only(list) => list.extend(entities),
            _ => result = Inline::Only(entities.collect()),
        }
    }
    result
}

/// Whether `word` is one edit (a letter added, dropped, changed, or two
/// swapped) from an entity label, ignoring case: a mistyped label.
fn almost_a_label(word: &str) -> bool {
    let word = word.to_ascii_uppercase();
    word.len() >= 2
        && Entity::ALL.iter().any(|e| {
            let label = e.as_str();
            label != word && one_edit(word.as_bytes(), label.as_bytes())
        })
}

/// Damerau-Levenshtein distance of at most one.
fn one_edit(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
            diffs.len() <= 1
                || (diffs.len() == 2
                    && diffs[1] == diffs[0] + 1
                    && a[diffs[0]] == b[diffs[1]]
                    && a[diffs[1]] == b[diffs[0]])
        }
        1 => {
            let p = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            short[p..] == long[p + 1..]
        }
        _ => false,
    }
}

/// The span of the line of `bytes` holding byte `at` (without its line
/// ending).
fn line_bounds(bytes: &[u8], at: usize) -> (usize, usize) {
    let at = at.min(bytes.len());
    let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    (start, end)
}

/// The inline markers of the line a finding lies on, read once per line:
/// findings come in order, and a long line can hold thousands of them
/// (cutting the line out and searching it for a marker per finding made a
/// single line of addresses quadratic).
#[derive(Debug)]
pub(crate) struct LineMarkers {
    /// The current line's span in the current block, and what it allows.
    line: Option<(usize, usize, Inline)>,
}

impl LineMarkers {
    pub(crate) fn new() -> LineMarkers {
        LineMarkers { line: None }
    }

    /// What the markers on the line of `bytes` holding byte `at` allow.
    pub(crate) fn at(&mut self, bytes: &[u8], at: usize) -> &Inline {
        let known = matches!(&self.line, Some((start, end, _)) if (*start..=*end).contains(&at));
        if !known {
            let (start, end) = line_bounds(bytes, at);
            self.line = Some((start, end, inline(&bytes[start..end])));
        }
        &self.line.as_ref().expect("just set").2
    }

    /// Forgets the line: the next block holds other bytes.
    pub(crate) fn finish_block(&mut self) {
        self.line = None;
    }
}

/// `[allow] values` and `[allow] regexes` from `.phimask.toml`.
#[derive(Debug, Default)]
pub(crate) struct ValueAllow {
    /// Exact values, as bytes.
    pub(crate) values: Vec<Vec<u8>>,
    /// All regexes as one anchored multi-pattern regex.
    pub(crate) regexes: Option<Regex>,
}

impl ValueAllow {
    /// Compiles `regexes` (each anchored to the whole value).
    ///
    /// # Errors
    /// The index and the regex error of the first invalid pattern.
    pub(crate) fn new(values: Vec<String>, regexes: &[String]) -> Result<ValueAllow, String> {
        let values = values.into_iter().map(String::into_bytes).collect();
        if regexes.is_empty() {
            return Ok(ValueAllow { values, regexes: None });
        }
        let anchored: Vec<String> = regexes.iter().map(|r| format!("^(?:{r})$")).collect();
        for (i, pattern) in anchored.iter().enumerate() {
            Regex::new(pattern).map_err(|e| format!("entry {i}: {e}"))?;
        }
        let regex = Regex::new_many(&anchored).map_err(|e| e.to_string())?;
        Ok(ValueAllow { values, regexes: Some(regex) })
    }

    /// Whether `value` is allowed.
    pub(crate) fn allows(&self, value: &[u8]) -> bool {
        self.values.iter().any(|v| v == value) || self.regexes.as_ref().is_some_and(|r| r.is_match(Input::new(value)))
    }
}

/// Everything that can allow a finding after the engine reported it.
#[derive(Debug, Default)]
pub(crate) struct Filters<'a> {
    pub(crate) values: Option<&'a ValueAllow>,
    pub(crate) baseline: Option<Accepted>,
}

/// One finding as the filters see it.
pub(crate) struct Candidate<'a> {
    /// The path fingerprints use (relative to the repository top).
    pub(crate) path: &'a str,
    pub(crate) detector: &'a str,
    pub(crate) entity: Entity,
    pub(crate) value: &'a [u8],
    /// What the markers on the line holding the start of the value allow.
    pub(crate) markers: &'a Inline,
}

impl Filters<'_> {
    /// Whether `candidate` is allowed by a marker, the config or the baseline.
    pub(crate) fn allows(&self, candidate: &Candidate<'_>) -> bool {
        candidate.markers.allows(candidate.entity)
            || self.values.is_some_and(|v| v.allows(candidate.value))
            || self.baseline.as_ref().is_some_and(|b| b.contains(candidate.path, candidate.detector, candidate.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_allow_all_or_listed_entities() {
        assert_eq!(inline(b"ssn = '123' # no marker"), Inline::Nothing);
        assert_eq!(inline(b"x  # phimask:allow"), Inline::All);
        assert_eq!(inline(b"x  // phimask:allow test fixture"), Inline::All);
        assert_eq!(inline(b"x  # phimask:allow SSN"), Inline::Only(vec![Entity::Ssn]));
        assert_eq!(inline(b"x  # phimask:allow SSN,PHONE"), Inline::Only(vec![Entity::Ssn, Entity::Phone]));
        assert_eq!(inline(b"x  # phimask:allow=EMAIL"), Inline::Only(vec![Entity::Email]));
        // A typo allows nothing rather than everything.
        assert_eq!(inline(b"x  # phimask:allow SNN"), Inline::Only(vec![]));
        // Labels in any case, after `:` too; a mistyped lower-case label
        // fails closed; a reason in words is a bare marker.
        assert_eq!(inline(b"x  # phimask:allow ssn"), Inline::Only(vec![Entity::Ssn]));
        assert_eq!(inline(b"x  # phimask:allow: SSN"), Inline::Only(vec![Entity::Ssn]));
        assert_eq!(inline(b"x  # phimask:allow snn"), Inline::Only(vec![]));
        assert_eq!(inline(b"x  # phimask:allow phnoe"), Inline::Only(vec![]));
        assert_eq!(inline(b"x  # phimask:allow synthetic fixture"), Inline::All);
        assert_eq!(inline(b"x  # phimask:allow email,ssn"), Inline::Only(vec![Entity::Email, Entity::Ssn]));
        assert_eq!(inline(b"x  # phimask:allowed"), Inline::Nothing);
        assert!(!inline(b"# phimask:allow NAME").allows(Entity::Ssn));
    }

    #[test]
    fn lines_are_cut_around_an_offset() {
        let text = b"one\ntwo three\nfour";
        let line_at = |at| {
            let (start, end) = line_bounds(text, at);
            &text[start..end]
        };
        assert_eq!(line_at(6), b"two three");
        assert_eq!(line_at(0), b"one");
        assert_eq!(line_at(16), b"four");
    }

    #[test]
    fn value_allowlists_match_whole_values() {
        let allow = ValueAllow::new(vec!["555-0100".into()], &[r".*@example\.(com|org)".into()]).unwrap();
        assert!(allow.allows(b"555-0100"));
        assert!(!allow.allows(b"555-01000"));
        assert!(allow.allows(b"jdoe@example.org"));
        assert!(!allow.allows(b"jdoe@example.org.evil.net"));
        assert!(ValueAllow::new(vec![], &["(".into()]).unwrap_err().starts_with("entry 0: "));
    }
}
