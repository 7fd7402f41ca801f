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
    /// A hotword of its detector is near (or its field is one of the
    /// detector's): what [`evidence`](crate::evidence) asks of checksum shapes.
    pub(crate) hotword: bool,
}

/// Resolves overlaps in place; the survivors end up sorted by start.
///
/// Only candidates that overlap, directly or through others, can decide
/// each other's fate, so the candidates are sorted by start and cut into
/// such clusters; a lone candidate (most of them) survives as it is, and
/// the rule runs within each cluster. The outcome is that of running it
/// over all candidates at once, without sorting all of them by priority.
///
/// `claimed` is scratch space (one bit per byte of a cluster, reused
/// across calls): checking and marking a span costs its length in bits, so
/// the whole pass is linear in the total span length, however dense the PHI.
pub(crate) fn resolve(cands: &mut Vec<Candidate>, claimed: &mut Vec<u64>) {
    if cands.len() < 2 {
        return;
    }
    // A few sorted runs (shapes, labelled values, words, names), which a
    // merging sort finds and merges: cheaper than sorting from scratch.
    cands.sort_by_key(|c| c.start);
    let mut kept = 0;
    let mut i = 0;
    while i < cands.len() {
        let mut j = i + 1;
        let mut reach = cands[i].end;
        while j < cands.len() && cands[j].start < reach {
            reach = reach.max(cands[j].end);
            j += 1;
        }
        let survivors = if j == i + 1 { 1 } else { resolve_cluster(&mut cands[i..j], claimed) };
        cands.copy_within(i..i + survivors, kept);
        kept += survivors;
        i = j;
    }
    cands.truncate(kept);
}

/// Applies the rule to one cluster: moves its survivors, sorted by start,
/// to its front and returns how many there are.
fn resolve_cluster(cluster: &mut [Candidate], claimed: &mut Vec<u64>) -> usize {
    // The order is total (ties on every key are identical candidates) and
    // survivors never share a start, so unstable sorts give one answer.
    cluster.sort_unstable_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.labelled.cmp(&a.labelled))
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
            .then(a.det.cmp(&b.det))
    });
    let lo = cluster.iter().map(|c| c.start).min().unwrap_or(0);
    let hi = cluster.iter().map(|c| c.end).max().unwrap_or(0);
    claimed.clear();
    claimed.resize((hi - lo).div_ceil(64), 0);
    let mut kept = 0;
    for k in 0..cluster.len() {
        let c = cluster[k];
        let (s, e) = (c.start - lo, c.end - lo);
        if (s..e).any(|i| claimed[i / 64] & (1 << (i % 64)) != 0) {
            continue;
        }
        for i in s..e {
            claimed[i / 64] |= 1 << (i % 64);
        }
        cluster[kept] = c;
        kept += 1;
    }
    cluster[..kept].sort_unstable_by_key(|c| c.start);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(det: u32, start: usize, end: usize, score: f32) -> Candidate {
        Candidate { det, start, end, score, labelled: false, hotword: false }
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

    /// The rule applied to all candidates at once, as the docs state it.
    fn global(cands: &[Candidate]) -> Vec<Candidate> {
        let mut v = cands.to_vec();
        let n = v.len();
        let kept = resolve_cluster(&mut v, &mut Vec::new());
        v.truncate(kept.min(n));
        v
    }

    #[test]
    fn clusters_give_the_global_answer() {
        // A small deterministic generator: dense, overlapping spans.
        let mut seed = 0x9e37_79b9_u64;
        let mut next = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        for _ in 0..500 {
            let n = 1 + next(12) as usize;
            let cands: Vec<Candidate> = (0..n)
                .map(|k| {
                    let start = next(40) as usize;
                    let end = start + 1 + next(8) as usize;
                    Candidate {
                        det: k as u32,
                        start,
                        end,
                        score: next(4) as f32 / 4.0,
                        labelled: next(3) == 0,
                        hotword: false,
                    }
                })
                .collect();
            let mut clustered = cands.clone();
            resolve(&mut clustered, &mut Vec::new());
            assert_eq!(clustered, global(&cands), "{cands:?}");
        }
    }

    #[test]
    fn adjacent_spans_both_survive() {
        let mut v = vec![c(0, 0, 5, 0.5), c(1, 5, 9, 0.5)];
        resolve(&mut v, &mut Vec::new());
        assert_eq!(v.len(), 2);
    }
}
