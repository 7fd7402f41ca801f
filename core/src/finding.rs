//! What a scan reports: [`Finding`].
//!
//! A finding is a span and a label, never the text itself. Holding no copy of
//! the matched bytes means `Debug`, `Display`, logs and panics cannot leak PHI
//! by accident; code that needs the value slices the haystack it scanned, and
//! code that needs to show something uses [`Finding::preview`], which masks it.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use crate::entity::{Entity, SafeHarbor};
use crate::evidence::Evidence;

/// One detected PHI value.
#[derive(Clone, PartialEq)]
pub struct Finding {
    pub(crate) entity: Entity,
    pub(crate) detector: Arc<str>,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) score: f32,
    pub(crate) evidence: Evidence,
    /// A hotword of its detector, or its key, was near.
    pub(crate) hotword: bool,
}

impl Finding {
    /// The entity label (`SSN`, `NAME`, …).
    pub fn entity(&self) -> Entity {
        self.entity
    }

    /// The HIPAA Safe Harbor identifier (A–R) the entity falls under.
    pub fn safe_harbor(&self) -> SafeHarbor {
        self.entity.safe_harbor()
    }

    /// The id of the detector that produced the finding (`ssn-formatted`).
    pub fn detector(&self) -> &str {
        &self.detector
    }

    /// Byte offset where the value starts in the scanned input.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Byte offset one past the value's end in the scanned input.
    pub fn end(&self) -> usize {
        self.end
    }

    /// The byte span `start..end`.
    pub fn span(&self) -> Range<usize> {
        self.start..self.end
    }

    /// Confidence in `0.0..=1.0`; see the README's "Scoring" section for how
    /// it is computed.
    pub fn score(&self) -> f32 {
        self.score
    }

    /// Why it was reported: [`Evidence::Unchecked`] unless the engine asks
    /// for person evidence ([`EngineBuilder::person_evidence`](crate::EngineBuilder::person_evidence)).
    pub fn evidence(&self) -> Evidence {
        self.evidence
    }

    /// Returns a copy whose span is moved `by` bytes to the right (used to turn
    /// offsets relative to a block into absolute offsets).
    pub(crate) fn shifted(mut self, by: usize) -> Finding {
        self.start += by;
        self.end += by;
        self
    }

    /// The finding with its offsets moved back by `by` bytes.
    pub(crate) fn shifted_back(mut self, by: usize) -> Finding {
        self.start -= by;
        self.end -= by;
        self
    }

    /// A masked rendering of the value, safe to print in reports: letters and
    /// digits become `*` and separators stay. Long numeric identifiers keep
    /// their last four digits (`***-**-6789`); names keep each word's initial
    /// (`J*** S****`). Anything up to four characters is fully masked.
    ///
    /// `haystack` must be the input the finding was reported against (or the
    /// value itself when `start` is 0 and `end` its length); out-of-range spans
    /// give an empty preview rather than a panic.
    pub fn preview(&self, haystack: &[u8]) -> String {
        let value = haystack.get(self.start..self.end).unwrap_or(&[]);
        preview(self.entity, value)
    }
}

/// Masks `value` the way [`Finding::preview`] does.
pub fn preview(entity: Entity, value: &[u8]) -> String {
    mask_text(entity, value, '*', 0, None, entity == Entity::Name)
}

/// How many trailing letters and digits a masked value keeps by default:
/// four for long identifiers (`***-**-6789`), none for names, places,
/// dates, contact and network addresses and short values. (The tail of an
/// IPv6 address is an address of its own: `2001:db8::7334` kept as
/// `****:***::7334` would be found again as `::7334`, and unmasking would
/// take it for a token.)
pub(crate) fn default_keep_last(entity: Entity, alnum: usize) -> usize {
    match entity {
        Entity::Name | Entity::Address | Entity::City | Entity::Email | Entity::Url | Entity::Ip => 0,
        Entity::Date | Entity::AgeOver89 | Entity::Zip => 0,
        _ if alnum >= 8 => 4,
        _ => 0,
    }
}

/// Writes `mask` over the letters and digits of `value`, keeping
/// separators, the first `keep_first` and the last `keep_last` (default:
/// [`default_keep_last`]) letters and digits, and each word's initial when
/// `initials` (report previews of names only: the `mask` operator never
/// keeps them). Control characters become spaces; invalid UTF-8 becomes
/// U+FFFD.
pub(crate) fn mask_text(
    entity: Entity,
    value: &[u8],
    mask: char,
    keep_first: usize,
    keep_last: Option<usize>,
    initials: bool,
) -> String {
    let text = String::from_utf8_lossy(value);
    let alnum = text.chars().filter(|c| c.is_alphanumeric()).count();
    if alnum == 0 {
        // Nothing to keep the shape of (`::`, the unspecified address):
        // left as it is, the value would be found again in the output.
        return text.chars().map(|c| if c.is_whitespace() || c.is_control() { ' ' } else { mask }).collect();
    }
    let keep_last = keep_last.unwrap_or_else(|| default_keep_last(entity, alnum)).min(alnum);
    let mut out = String::with_capacity(text.len());
    let mut seen = 0;
    let mut word_start = true;
    for c in text.chars() {
        if c.is_alphanumeric() {
            seen += 1;
            let keep = (initials && word_start) || seen <= keep_first || seen > alnum - keep_last;
            out.push(if keep { c } else { mask });
            word_start = false;
        } else {
            out.push(if c.is_control() { ' ' } else { c });
            word_start = true;
        }
    }
    out
}

impl fmt::Debug for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Finding")
            .field("entity", &self.entity)
            .field("safe_harbor", &self.entity.safe_harbor())
            .field("detector", &&*self.detector)
            .field("span", &self.span())
            .field("score", &self.score)
            .finish()
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) {} {}..{} score {:.2}",
            self.entity,
            self.entity.safe_harbor(),
            self.detector,
            self.start,
            self.end,
            self.score
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(entity: Entity, start: usize, end: usize) -> Finding {
        Finding {
            entity,
            detector: Arc::from("t"),
            start,
            end,
            score: 0.9,
            evidence: Evidence::Unchecked,
            hotword: false,
        }
    }

    #[test]
    fn preview_masks_but_keeps_shape() {
        let text = b"SSN 123-45-6789 for John Smith";
        assert_eq!(finding(Entity::Ssn, 4, 15).preview(text), "***-**-6789");
        assert_eq!(finding(Entity::Name, 20, 30).preview(text), "J*** S****");
        assert_eq!(finding(Entity::Date, 0, 3).preview(b"7/22"), "*/*");
        assert_eq!(finding(Entity::Ssn, 40, 50).preview(text), "");
        assert_eq!(finding(Entity::Ip, 0, 14).preview(b"2001:db8::7334"), "****:***::****");
    }

    #[test]
    fn debug_and_display_hold_no_text() {
        let f = finding(Entity::Ssn, 4, 15);
        let shown = format!("{f:?} {f}");
        assert!(shown.contains("Ssn") && shown.contains("4..15"), "{shown}");
        assert!(!shown.contains("6789"));
    }
}
