//! Interleaved lazy-DFA search: the shape matcher's forward pass over
//! several stretches of a block at once.
//!
//! A table-driven DFA is bound by memory latency, not by arithmetic: each
//! byte's transition is a load whose address depends on the previous load,
//! so one search runs at one byte per load latency however wide the CPU is.
//! Searching [`LANES`] stretches of the block in one loop gives the CPU
//! independent chains to overlap (measured on the bench corpora: 1.7× with
//! two lanes, 2.1× with four, for the forward pass alone).
//!
//! The result is exactly that of one leftmost-first search loop over the
//! whole block (restart at each match's end), which is what the caller
//! would otherwise run:
//!
//! 1. Each lane `k ≥ 1` starts an unanchored search at its stretch's start
//!    `b_k` (a line start near `k/LANES` of the block) and records, for each
//!    of its first [`TRACE`] bytes, the DFA state before the byte and how
//!    many matches it had found by then (or that a match was pending).
//! 2. All lanes advance together, each to the end of its stretch.
//! 3. Lane `k - 1` then runs on past `b_k` alone. The first time, at some
//!    position `p` in the traced window, neither lane had a match pending
//!    there and lane `k - 1` is in the state lane `k` was in at `p`, the two
//!    searches are the same from there on: lane `k - 1`'s matches so far
//!    are kept, then lane `k`'s found after `p`, except that the first of
//!    those takes lane `k - 1`'s search start (the reverse search that
//!    finds a match's start must look back as far as the one-loop search
//!    would). If lane `k - 1` leaves the window without converging (a
//!    match straddling `b_k` that is longer than the window), lane `k` is
//!    dropped and lane `k - 1` carries on through its stretch. (Lanes used
//!    to trace only up to their first match: in clinical notes, dense with
//!    labels, a tenth of the bytes were then searched twice.)
//!
//! Linear time: a leftmost-first search that has seen a match runs on as
//! long as some pattern could still extend it, and the next search restarts
//! at that match's end, so a run that one pattern can extend without end
//! while another matches short pieces of it (`1.1.1.1.…` is an IPv4 address
//! every eight bytes and a domain name that never ends) is searched again
//! from every short match: quadratic. Every search here stops [`RUN_ON`]
//! bytes past the last match it has seen and reports that match. No
//! identifier runs that far past a shorter match of another shape (a domain
//! name is at most 253 bytes), and it bounds the bytes searched twice at
//! `RUN_ON` per match. [`search_forward`] is the one-loop search with the
//! same bound; the lanes reproduce it exactly.
//!
//! A lazy DFA builds its states as it goes and may clear its cache when
//! full, which would invalidate the other lanes' states. The cache is large
//! and a clear is checked for after every step that can build a state; if
//! one happens, or the DFA gives up, [`find_all`] returns
//! `false` and the caller runs its ordinary one-lane search instead.

use regex_automata::hybrid::dfa::{Cache as DfaCache, DFA};
use regex_automata::hybrid::regex::{Cache, Regex};
use regex_automata::hybrid::LazyStateID;
use regex_automata::{Anchored, Input, PatternID};

/// Stretches searched at once.
pub(crate) const LANES: usize = 4;
/// States recorded at the start of each stretch (see the module docs).
const TRACE: usize = 64;
/// A block shorter than `LANES` times this is searched in one lane.
const MIN_STRETCH: usize = 8 * 1024;
/// How far past a stretch's nominal start the line start is looked for.
const LINE_SEEK: usize = 2048;
/// How far a search runs past the last match it has seen before it
/// reports that match (see the module docs).
pub(crate) const RUN_ON: usize = 256;

/// One leftmost-first match: its pattern and span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Match {
    pub(crate) pattern: PatternID,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The lazy DFA stopped being usable for this block (cache cleared, or it
/// gave up); the caller searches the block another way.
#[derive(Debug)]
struct GaveUp;

/// A match the forward pass found: the search that found it began at
/// `from`; its start is found afterwards, by a reverse search back to
/// `from`.
#[derive(Clone, Copy, Debug)]
struct End {
    pattern: PatternID,
    from: usize,
    end: usize,
}

/// One search loop over part of the block.
#[derive(Debug)]
struct Lane {
    /// The next byte to consume.
    at: usize,
    /// Where the lane stops in the joint pass (its stretch's end).
    stop: usize,
    sid: LazyStateID,
    /// Where the current search began.
    from: usize,
    /// The last match end the current search has seen.
    pending: Option<(PatternID, usize)>,
    /// No match at or after `from`: the loop is over.
    finished: bool,
    found: Vec<End>,
    /// For each of the first [`TRACE`] bytes from the lane's start (lanes
    /// after the first): the state before the byte and how many matches the
    /// lane had found by then, as of the last time the lane passed it;
    /// `None` if a match was pending then.
    trace: Vec<Option<(LazyStateID, usize)>>,
    /// Where the lane began.
    begin: usize,
}

/// Whether [`find_all`] would split `hay` into lanes (shorter blocks are
/// better served by one ordinary search).
pub(crate) fn worth_it(hay: &[u8]) -> bool {
    hay.len() >= LANES * MIN_STRETCH
}

/// Appends every match of the one-loop leftmost-first search of `regex`
/// over `hay` to `out`, in order. Returns `false` (with `out` as it was)
/// when the lazy DFA could not finish; the caller then searches another
/// way.
///
/// The start of a match of pattern `literal` is left to the caller, who
/// can find it for less than the reverse automaton costs: such a match
/// comes with `start` set to where the search that found it began, the
/// lower bound of its start.
pub(crate) fn find_all(
    regex: &Regex,
    cache: &mut Cache,
    hay: &[u8],
    literal: Option<PatternID>,
    out: &mut Vec<Match>,
) -> bool {
    let (fwd, rev) = cache.as_parts_mut();
    let dfa = regex.forward();
    let clears = fwd.clear_count();
    let ends = match forward_pass(dfa, fwd, hay, clears) {
        Ok(ends) => ends,
        Err(GaveUp) => return false,
    };
    let mark = out.len();
    for e in ends {
        if Some(e.pattern) == literal {
            out.push(Match { pattern: e.pattern, start: e.from, end: e.end });
            continue;
        }
        let input = Input::new(hay).range(e.from..e.end).anchored(Anchored::Yes);
        match regex.reverse().try_search_rev(rev, &input) {
            Ok(Some(start)) => out.push(Match { pattern: e.pattern, start: start.offset(), end: e.end }),
            _ => {
                out.truncate(mark);
                return false;
            }
        }
    }
    true
}

/// The forward half of the search: every match end, in order, with the
/// start of the search that found it.
#[inline(never)]
fn forward_pass(dfa: &DFA, cache: &mut DfaCache, hay: &[u8], clears: usize) -> Result<Vec<End>, GaveUp> {
    let bounds = stretch_bounds(hay);
    let mut lanes: Vec<Lane> = Vec::with_capacity(LANES);
    for (k, &begin) in bounds.iter().enumerate() {
        let stop = bounds.get(k + 1).copied().unwrap_or(hay.len());
        let sid = start_state(dfa, cache, hay, begin, clears)?;
        lanes.push(Lane {
            at: begin,
            stop,
            sid,
            from: begin,
            pending: None,
            finished: false,
            found: Vec::new(),
            trace: Vec::new(),
            begin,
        });
    }
    // 1. Trace the start of every lane but the first. A lane passes a
    // byte again only after a match that was pending there is reported and
    // the search restarts at its end, so the last record of a byte is the
    // search that goes on from it.
    for lane in lanes.iter_mut().skip(1) {
        let window = TRACE.min(lane.stop - lane.begin);
        lane.trace = vec![None; window];
        while lane.at < lane.begin + window && !lane.finished {
            lane.trace[lane.at - lane.begin] = lane.pending.is_none().then_some((lane.sid, lane.found.len()));
            lane.step(dfa, cache, hay, clears)?;
        }
    }
    // 2. All lanes together, each to the end of its stretch.
    joint_pass(dfa, cache, hay, clears, &mut lanes)?;
    // 3. Stitch: each carried lane runs on until it converges with the next.
    let mut lanes = lanes.into_iter();
    let mut cur = lanes.next().expect("at least one lane");
    let mut ends = Vec::new();
    for mut next in lanes {
        let window = next.begin..next.begin + next.trace.len();
        let converged = loop {
            if cur.finished {
                break None;
            }
            if cur.pending.is_none() && window.contains(&cur.at) {
                if let Some((sid, found)) = next.trace[cur.at - next.begin] {
                    if sid == cur.sid {
                        break Some(found);
                    }
                }
            }
            if cur.at >= window.end && cur.at >= next.begin {
                // Past the window without converging: `next` is of no use;
                // `cur` searches its stretch itself.
                break None;
            }
            cur.step(dfa, cache, hay, clears)?;
        };
        if let Some(found) = converged {
            // `next`'s matches before the meeting point are `cur`'s to find
            // (it has); those after it are the same for both.
            next.found.drain(..found);
            if let Some(first) = next.found.first_mut() {
                first.from = cur.from;
            } else if !next.finished {
                next.from = cur.from;
            } else {
                // `next` found nothing to the end of the block, and neither
                // would `cur`: the same search from here on.
            }
            ends.append(&mut cur.found);
            cur = next;
        } else {
            cur.stop = next.stop;
            // Catch up to `next`'s stop so the following boundary is checked
            // from the same footing as a lane that ran the joint pass.
            while !cur.finished && cur.at < cur.stop {
                cur.step(dfa, cache, hay, clears)?;
            }
        }
    }
    while !cur.finished {
        cur.step(dfa, cache, hay, clears)?;
    }
    ends.append(&mut cur.found);
    Ok(ends)
}

/// Advances every lane to its stop. While all lanes are in plain states,
/// one transition each per iteration; a lane in a special state goes
/// through [`Lane::step`] until it is plain again, while the others wait.
#[inline(never)]
fn joint_pass(dfa: &DFA, cache: &mut DfaCache, hay: &[u8], clears: usize, lanes: &mut [Lane]) -> Result<(), GaveUp> {
    let last = lanes.len() - 1;
    let running = |l: &Lane, k: usize| if k == last { !l.finished } else { l.at < l.stop };
    loop {
        // A match seen, the dead state, a state not built yet, or (for the
        // last lane) the end of the input: the slow step, byte by byte.
        let mut live = 0;
        for (k, lane) in lanes.iter_mut().enumerate() {
            while running(lane, k) && (lane.sid.is_tagged() || lane.at >= lane.stop || lane.run_on_spent()) {
                lane.step(dfa, cache, hay, clears)?;
            }
            live += usize::from(running(lane, k));
        }
        if live == 0 {
            return Ok(());
        }
        if live < LANES {
            // Some lane is done: step the rest one at a time.
            for (k, lane) in lanes.iter_mut().enumerate() {
                if running(lane, k) {
                    lane.step(dfa, cache, hay, clears)?;
                }
            }
            continue;
        }
        let lanes: &mut [Lane; LANES] = lanes.try_into().expect("all lanes run");
        // Every lane is in a plain state here. The lanes advance together
        // `room` bytes, with their states in locals (nothing in the loop
        // writes memory, so the table and haystack pointers stay in
        // registers and the slices need no bounds checks). The first time a
        // transition leads to a special state (a match, the dead state, or
        // one not built yet), every lane is written back as it was before
        // that byte and the lanes that hit it take the slow `step`; the
        // others redo the byte in the next round. `step` may rewind a lane
        // after a match, never past its stop, so `room` is recomputed (it
        // also ends where a lane's run-on does).
        let room = lanes.iter().map(Lane::room).min().expect("LANES > 0");
        let bytes: [&[u8]; LANES] = std::array::from_fn(|k| &hay[lanes[k].at..lanes[k].at + room]);
        let mut sids: [LazyStateID; LANES] = std::array::from_fn(|k| lanes[k].sid);
        let mut i = 0;
        let special = loop {
            if i == room {
                break None;
            }
            let next: [LazyStateID; LANES] =
                std::array::from_fn(|k| dfa.next_state_untagged(cache, sids[k], bytes[k][i]));
            if next.iter().fold(false, |any, s| any | s.is_tagged()) {
                break Some(next);
            }
            sids = next;
            i += 1;
        };
        for (lane, sid) in lanes.iter_mut().zip(sids) {
            lane.sid = sid;
            lane.at += i;
        }
        if let Some(next) = special {
            for (lane, sid) in lanes.iter_mut().zip(next) {
                if sid.is_tagged() {
                    lane.step(dfa, cache, hay, clears)?;
                }
            }
        }
    }
}

impl Lane {
    /// One transition (or the end-of-input transition), with what it
    /// implies: a match seen, a match reported and the search restarted at
    /// its end, or the loop finished.
    fn step(&mut self, dfa: &DFA, cache: &mut DfaCache, hay: &[u8], clears: usize) -> Result<(), GaveUp> {
        if self.run_on_spent() {
            return self.report(dfa, cache, hay, clears);
        }
        if self.at >= hay.len() {
            let sid = dfa.next_eoi_state(cache, self.sid).map_err(|_| GaveUp)?;
            check(cache, clears)?;
            if sid.is_match() {
                self.pending = Some((dfa.match_pattern(cache, sid, 0), hay.len()));
            }
            return self.report(dfa, cache, hay, clears);
        }
        let byte = hay[self.at];
        // A special current state (a match) has no plain transition row.
        let mut sid = if self.sid.is_tagged() { self.sid } else { dfa.next_state_untagged(cache, self.sid, byte) };
        if sid.is_unknown() || self.sid.is_tagged() {
            sid = dfa.next_state(cache, self.sid, byte).map_err(|_| GaveUp)?;
            check(cache, clears)?;
        }
        self.sid = sid;
        if sid.is_tagged() {
            if sid.is_match() {
                self.pending = Some((dfa.match_pattern(cache, sid, 0), self.at));
            } else if sid.is_dead() {
                return self.report(dfa, cache, hay, clears);
            } else if sid.is_quit() {
                return Err(GaveUp);
            }
        }
        self.at += 1;
        Ok(())
    }

    /// Whether the current search has run [`RUN_ON`] bytes past its last
    /// match and must report it.
    fn run_on_spent(&self) -> bool {
        matches!(self.pending, Some((_, end)) if self.at >= end + RUN_ON)
    }

    /// How many bytes the lane may advance before it must take the slow
    /// [`Lane::step`]: to its stop, or to the end of its run-on.
    fn room(&self) -> usize {
        let run_on = self.pending.map_or(usize::MAX, |(_, end)| end + RUN_ON - self.at);
        (self.stop - self.at).min(run_on)
    }

    /// The current search is over: record its match and search again from
    /// the match's end, or finish when it found none.
    fn report(&mut self, dfa: &DFA, cache: &mut DfaCache, hay: &[u8], clears: usize) -> Result<(), GaveUp> {
        match self.pending.take() {
            // An empty match (patterns are checked not to have them) would
            // restart the search where it began: leave it to the caller.
            Some((_, end)) if end == self.from => return Err(GaveUp),
            Some((pattern, end)) => {
                self.found.push(End { pattern, from: self.from, end });
                self.from = end;
                self.at = end;
                self.sid = start_state(dfa, cache, hay, end, clears)?;
            }
            None => self.finished = true,
        }
        Ok(())
    }
}

/// One leftmost-first forward search from `at`, bounded like the lanes'
/// (see the module docs): the pattern and end of the match it reports, or
/// `None` when no match starts at or after `at`. The one-loop search the
/// lanes reproduce, for blocks too short to split. It cannot fail: the
/// lazy DFA has no quit bytes and clears a full cache instead of giving up
/// (a clear invalidates only the state this loop is about to replace).
pub(crate) fn search_forward(dfa: &DFA, cache: &mut DfaCache, hay: &[u8], at: usize) -> Option<(PatternID, usize)> {
    let mut sid = dfa.start_state_forward(cache, &Input::new(hay).range(at..)).ok()?;
    let mut pending: Option<(PatternID, usize)> = None;
    let mut pos = at;
    loop {
        let stop = pending.map_or(hay.len(), |(_, end)| hay.len().min(end + RUN_ON));
        // Plain states: one load per byte until something special happens.
        if !sid.is_tagged() {
            while pos < stop {
                let next = dfa.next_state_untagged(cache, sid, hay[pos]);
                if next.is_tagged() {
                    break;
                }
                sid = next;
                pos += 1;
            }
        }
        if matches!(pending, Some((_, end)) if pos >= end + RUN_ON) {
            return pending;
        }
        if pos >= hay.len() {
            let eoi = dfa.next_eoi_state(cache, sid).ok()?;
            if eoi.is_match() {
                pending = Some((dfa.match_pattern(cache, eoi, 0), hay.len()));
            }
            return pending;
        }
        sid = dfa.next_state(cache, sid, hay[pos]).ok()?;
        if sid.is_tagged() {
            if sid.is_match() {
                pending = Some((dfa.match_pattern(cache, sid, 0), pos));
            } else if sid.is_dead() || sid.is_quit() {
                debug_assert!(!sid.is_quit(), "lazy DFAs without quit bytes do not fail");
                return pending;
            }
        }
        pos += 1;
    }
}

/// The unanchored start state for a search beginning at `at` (it depends on
/// the byte before, for `\b`).
fn start_state(dfa: &DFA, cache: &mut DfaCache, hay: &[u8], at: usize, clears: usize) -> Result<LazyStateID, GaveUp> {
    let sid = dfa.start_state_forward(cache, &Input::new(hay).range(at..)).map_err(|_| GaveUp)?;
    check(cache, clears)?;
    Ok(sid)
}

/// A cache clear invalidates every lane's state: give up the block.
fn check(cache: &DfaCache, clears: usize) -> Result<(), GaveUp> {
    if cache.clear_count() == clears {
        Ok(())
    } else {
        Err(GaveUp)
    }
}

/// Where each lane begins: 0, then a line start just after each
/// `k/LANES` of the block (or that point itself on a line with no end in
/// sight). One lane for short blocks.
fn stretch_bounds(hay: &[u8]) -> Vec<usize> {
    let mut bounds = vec![0];
    if !worth_it(hay) {
        return bounds;
    }
    for k in 1..LANES {
        let nominal = hay.len() * k / LANES;
        let seek = &hay[nominal..(nominal + LINE_SEEK).min(hay.len())];
        let at = memchr::memchr(b'\n', seek).map_or(nominal, |i| nominal + i + 1);
        if at > *bounds.last().expect("not empty") && at < hay.len() {
            bounds.push(at);
        }
    }
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::util::syntax;
    use regex_automata::{meta, MatchKind};

    /// The patterns as the shape matcher compiles them (leftmost-first,
    /// byte-oriented), with a `capacity`-byte state cache.
    fn compile(patterns: &[&str], capacity: usize) -> Regex {
        Regex::builder()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .dfa(
                DFA::config()
                    .match_kind(MatchKind::LeftmostFirst)
                    .cache_capacity(capacity)
                    .skip_cache_capacity_check(true),
            )
            .build_many(patterns)
            .unwrap()
    }

    /// The one-loop search the lanes must reproduce.
    fn one_loop(patterns: &[&str], hay: &[u8]) -> Vec<Match> {
        let re = meta::Regex::builder()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .build_many(patterns)
            .unwrap();
        re.find_iter(hay).map(|m| Match { pattern: m.pattern(), start: m.start(), end: m.end() }).collect()
    }

    /// The one-loop search with the run-on bound, as the shape matcher
    /// runs it on short blocks: [`search_forward`], then a reverse search
    /// for each match's start.
    fn bounded_one_loop(patterns: &[&str], hay: &[u8]) -> Vec<Match> {
        let regex = compile(patterns, 16 << 20);
        let mut cache = regex.create_cache();
        let mut out = Vec::new();
        let mut at = 0;
        while at <= hay.len() {
            let (fwd, rev) = cache.as_parts_mut();
            let Some((pattern, end)) = search_forward(regex.forward(), fwd, hay, at) else { break };
            let input = Input::new(hay).range(at..end).anchored(Anchored::Yes);
            let start = regex.reverse().try_search_rev(rev, &input).unwrap().unwrap().offset();
            out.push(Match { pattern, start, end });
            at = end.max(at + 1);
        }
        out
    }

    fn lanes(patterns: &[&str], hay: &[u8]) -> Vec<Match> {
        let regex = compile(patterns, 16 << 20);
        let mut out = Vec::new();
        assert!(find_all(&regex, &mut regex.create_cache(), hay, None, &mut out));
        out
    }

    const PATTERNS: &[&str] = &[
        r"\b\d{3}-\d{2}-\d{4}\b",
        r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
        r"(?i)\b(?:mrn|dob|patient)\b",
        r"\d+x",
        r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue)\b",
    ];

    #[test]
    fn lanes_equal_one_loop_at_every_boundary() {
        // Lines with matches everywhere, including across the lane
        // boundaries (which fall at line starts, or anywhere in a long
        // line).
        let line = "id 123-45-6789 mrn a.b@c.org 1234567x 12 Oak\nLeaf Street patient dob\n";
        let mut hay = line.repeat(2000).into_bytes();
        assert_eq!(lanes(PATTERNS, &hay), one_loop(PATTERNS, &hay));
        hay.retain(|&b| b != b'\n');
        assert_eq!(lanes(PATTERNS, &hay), one_loop(PATTERNS, &hay));
    }

    #[test]
    fn the_bound_changes_nothing_without_long_run_ons() {
        let line = "id 123-45-6789 mrn a.b@c.org 1234567x 12 Oak\nLeaf Street patient dob\n";
        let hay = line.repeat(50).into_bytes();
        assert_eq!(bounded_one_loop(PATTERNS, &hay), one_loop(PATTERNS, &hay));
        let hay = b"7".repeat(3 * RUN_ON);
        assert_eq!(bounded_one_loop(&[r"\d+x", r"\d+"], &hay), one_loop(&[r"\d+x", r"\d+"], &hay));
    }

    #[test]
    fn a_search_stops_run_on_bytes_past_its_last_match() {
        // `\d+x` can extend every run of digits; `\d{3}` matches its first
        // three. Unbounded, each search would read the run to its end.
        let patterns = &[r"\d+x", r"\d{3}"];
        let hay = b"1".repeat(4 * RUN_ON);
        let found = bounded_one_loop(patterns, &hay);
        assert_eq!(found.len(), hay.len() / 3);
        assert!(found.iter().all(|m| m.pattern.as_usize() == 1 && m.end - m.start == 3));
        // A longer match within the bound is still preferred.
        let mut hay = b"1".repeat(RUN_ON - 8);
        hay.push(b'x');
        assert_eq!(bounded_one_loop(patterns, &hay), one_loop(patterns, &hay));
        // Lanes reproduce the bounded search, long runs straddling their
        // boundaries included.
        let hay = [&b"ab 12x "[..], &b"1".repeat(LANES * MIN_STRETCH + 77), b" 9x"].concat();
        assert_eq!(lanes(patterns, &hay), bounded_one_loop(patterns, &hay));
    }

    #[test]
    fn literal_matches_come_with_the_search_start() {
        let line = "id 123-45-6789 mrn a.b@c.org 1234567x 12 Oak\nLeaf Street patient dob\n";
        let hay = line.repeat(2000).into_bytes();
        let literal = PatternID::must(2);
        let regex = compile(PATTERNS, 16 << 20);
        let mut out = Vec::new();
        assert!(find_all(&regex, &mut regex.create_cache(), &hay, Some(literal), &mut out));
        let expect = one_loop(PATTERNS, &hay);
        assert_eq!(out.len(), expect.len());
        let mut prev_end = 0;
        for (got, want) in out.iter().zip(&expect) {
            if want.pattern == literal {
                assert_eq!((got.pattern, got.end), (want.pattern, want.end));
                assert!(got.start <= want.start && got.start >= prev_end, "the bound of the start");
            } else {
                assert_eq!(got, want);
            }
            prev_end = want.end;
        }
    }

    #[test]
    fn a_match_longer_than_the_trace_straddles_a_boundary() {
        // One run of digits through the whole block, then `x`: a single
        // match that every lane boundary cuts.
        let mut hay = vec![b'7'; LANES * MIN_STRETCH * 2];
        hay.push(b'x');
        let expect = one_loop(PATTERNS, &hay);
        assert_eq!(expect.len(), 1);
        assert_eq!(lanes(PATTERNS, &hay), expect);
    }

    #[test]
    fn no_matches_and_matches_only_at_the_end() {
        let mut hay = b"nothing to see here, move along. ".repeat(2000);
        assert_eq!(lanes(PATTERNS, &hay), Vec::new());
        hay.extend_from_slice(b"dob");
        assert_eq!(lanes(PATTERNS, &hay), one_loop(PATTERNS, &hay));
    }

    #[test]
    fn a_full_cache_gives_up_instead_of_guessing() {
        // A cache that cannot hold these states clears mid-search, which
        // would invalidate the other lanes' states: the search gives up.
        let regex = compile(PATTERNS, 1);
        let hay = "x 123-45-6789 a@b.cc 12 Oak Leaf Street ".repeat(4000);
        let mut out = vec![Match { pattern: PatternID::ZERO, start: 0, end: 1 }];
        assert!(!find_all(&regex, &mut regex.create_cache(), hay.as_bytes(), None, &mut out));
        assert_eq!(out.len(), 1, "what was in `out` stays, nothing is added");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn lanes_equal_one_loop_on_any_mix(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "123-45-6789", " ", "\n", "a.b@c.org", "mrn", "7777", "x", "12 ", "Oak ", "Street",
                "-", "@", "patient", "\u{e9}", "dob.", "99", "\t",
            ]), 0..12000)
        ) {
            let hay: Vec<u8> = parts.concat().into_bytes();
            let regex = compile(PATTERNS, 16 << 20);
            let mut out = Vec::new();
            proptest::prop_assert!(find_all(&regex, &mut regex.create_cache(), &hay, None, &mut out));
            proptest::prop_assert_eq!(out, bounded_one_loop(PATTERNS, &hay));
        }

        #[test]
        fn lanes_equal_the_bounded_one_loop_on_long_runs(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "1.", "1-", "12.", "a@", " ", "\n", "9x", "1.1.1.1", ".org", "patient",
            ]), 0..20000)
        ) {
            let patterns = &[PATTERNS[0], PATTERNS[1], PATTERNS[2], PATTERNS[3], r"\b\d{1,3}(?:\.\d{1,3}){3}\b"];
            let hay: Vec<u8> = parts.concat().into_bytes();
            let regex = compile(patterns, 16 << 20);
            let mut out = Vec::new();
            proptest::prop_assert!(find_all(&regex, &mut regex.create_cache(), &hay, None, &mut out));
            proptest::prop_assert_eq!(out, bounded_one_loop(patterns, &hay));
        }
    }
}
