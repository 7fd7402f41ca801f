//! Overlap resolution: every byte belongs to at most one finding.
//!
//! The rule, in order (documented in the README): the candidate with the
//! higher score wins; on equal scores a keyword-driven detector (one that
//! only reports next to its own label, like `fax`) beats a shape detector;
//! then the longer span wins; then the one that
//! starts first; then the detector defined first (default pack before user
//! files, file order within a pack). Candidates are accepted greedily in that
//! order and a candidate overlapping an accepted one is dropped whole —
//! spans are never trimmed, so a reported span is always a full match of its
//! detector.

/// A scored candidate span of one detector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Candidate {
    pub(crate) det: u32,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) score: f32,
    /// Found next to its own label by a keyword-driven detector.
    pub(crate) labelled: bool,
}

/// Resolves overlaps in place; the survivors end up sorted by start.
///
/// `claimed` is scratch space (one bit per byte of the block, reused across
/// calls): checking and marking a span costs its length in bits, so the
/// whole pass is linear in the total span length, however dense the PHI.
pub(crate) fn resolve(cands: &mut Vec<Candidate>, claimed: &mut Vec<u64>) {
    if cands.len() < 2 {
        return;
    }
    // The order is total (ties on every key are identical candidates) and
    // survivors never share a start, so unstable sorts give one answer.
    cands.sort_unstable_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.labelled.cmp(&a.labelled))
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
            .then(a.det.cmp(&b.det))
    });
    let lo = cands.iter().map(|c| c.start).min().unwrap_or(0);
    let hi = cands.iter().map(|c| c.end).max().unwrap_or(0);
    claimed.clear();
    claimed.resize((hi - lo).div_ceil(64), 0);
    cands.retain(|c| {
        let (s, e) = (c.start - lo, c.end - lo);
        if (s..e).any(|i| claimed[i / 64] & (1 << (i % 64)) != 0) {
            return false;
        }
        for i in s..e {
            claimed[i / 64] |= 1 << (i % 64);
        }
        true
    });
    cands.sort_unstable_by_key(|c| c.start);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(det: u32, start: usize, end: usize, score: f32) -> Candidate {
        Candidate { det, start, end, score, labelled: false }
    }

    #[test]
    fn higher_score_then_longer_then_earlier_then_first_detector() {
        let mut v = vec![
            c(0, 0, 10, 0.5),
            c(1, 2, 8, 0.9),
            c(2, 20, 30, 0.6),
            c(3, 20, 25, 0.6),
            c(4, 40, 45, 0.7),
            c(5, 40, 45, 0.7),
        ];
        resolve(&mut v, &mut Vec::new());
        assert_eq!(v, vec![c(1, 2, 8, 0.9), c(2, 20, 30, 0.6), c(4, 40, 45, 0.7)]);
    }

    #[test]
    fn adjacent_spans_both_survive() {
        let mut v = vec![c(0, 0, 5, 0.5), c(1, 5, 9, 0.5)];
        resolve(&mut v, &mut Vec::new());
        assert_eq!(v.len(), 2);
    }
}
