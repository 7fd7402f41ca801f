//! The candidate finders: one multi-pattern regex over every shape detector,
//! and one Aho-Corasick automaton over every word-list detector.
//!
//! Trade-off: a single leftmost-first multi-pattern search reports one match
//! per position, but two detectors can match at the same place (a 10-digit
//! run is a phone number to one detector and an NPI to another). Detectors
//! that share an identical regex share one pattern slot, so the common case
//! costs nothing extra; for the rest, every reported match start is probed
//! once more with an anchored [`MatchKind::All`] search that names every
//! pattern matching there. That probe runs only at match starts, which are
//! rare compared with input bytes, so the scan stays one pass over the input.
//! Matches that begin *inside* another match are not reported; shape
//! patterns are written as bare shapes (context lives in `context.rs`), which
//! keeps such partial overlaps rare.

use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind as AcMatchKind};
use regex_automata::meta::Regex;
use regex_automata::nfa::thompson::backtrack::{self, BoundedBacktracker};
use regex_automata::nfa::thompson::{self, NFA};
use regex_automata::util::captures::Captures;
use regex_automata::util::pool::Pool;
use regex_automata::util::syntax;
use regex_automata::{hybrid, Anchored, Input, MatchKind, PatternID};
use regex_syntax::hir::{Class, Hir, HirKind};

use crate::error::Error;
use crate::lanes;
use crate::swar;

/// One raw automaton hit: which detectors own it and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    /// Index into [`Shapes::owners`] / [`Words::owners`].
    pub(crate) slot: u32,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

fn syntax_config() -> syntax::Config {
    // Bytes, not chars: logs contain invalid UTF-8, and ASCII classes are
    // what identifiers are made of. `\b` is an ASCII word boundary, which the
    // lazy DFA supports (a Unicode one would force the slow PikeVM).
    syntax::Config::new().unicode(false).utf8(false)
}

/// One detector regex, parsed once: when its pattern file is read (to
/// report errors against its detector) and then compiled from the same
/// syntax tree into the shape matcher or the keyword-labelled regexes.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    source: Arc<str>,
    hir: Arc<Hir>,
}

impl Pattern {
    /// Parses `pattern` and checks that it cannot match the empty string
    /// and uses no Unicode word boundary.
    ///
    /// Parsing is enough to name the detector in an error; the full compile
    /// happens once, for all patterns together, when the engine is built (a
    /// failure there is rare — size limits — and is reported without an id).
    pub(crate) fn new(pattern: &str) -> Result<Pattern, String> {
        let hir = parse(pattern)?;
        if hir.properties().look_set().contains_word_unicode() {
            return Err(
                "regex uses a Unicode word boundary; patterns are byte-oriented, use `\\b` outside `(?u)`".into()
            );
        }
        if hir.properties().minimum_len() == Some(0) {
            return Err("regex can match the empty string".into());
        }
        Ok(Pattern { source: pattern.into(), hir: Arc::new(hir) })
    }

    /// The regex as written.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }
}

fn first_line(s: &str) -> String {
    s.lines().rfind(|l| !l.trim().is_empty()).unwrap_or(s).trim().to_string()
}

/// The multi-pattern shape matcher.
#[derive(Debug)]
pub(crate) struct Shapes {
    compiled: Option<Compiled>,
    /// For each pattern slot, the detectors that use it.
    pub(crate) owners: Vec<Vec<u32>>,
    /// The slot of the hotword pattern, if any (it has no owners).
    pub(crate) keyword_slot: Option<u32>,
    /// For each slot with `value…` groups: the indexes of those groups
    /// (the first that took part in the match is the reported span). The
    /// slot's pattern alone is compiled for their extraction (see
    /// [`Caches::values`]).
    value_groups: Vec<Option<Vec<usize>>>,
}

/// Every slot compiled together, once: the slots are parsed once and
/// compiled into one forward and one reverse NFA, and every automaton is a
/// lazy DFA over one of them. (Three `meta` regexes, as before, parsed the
/// patterns three times and compiled six NFAs: most of the engine's build
/// time.)
struct Compiled {
    /// Leftmost-first search: forward and reverse lazy DFAs. Its forward
    /// pass over large blocks runs in lanes (see [`crate::lanes`]).
    regex: Arc<hybrid::regex::Regex>,
    /// The forward NFA again with [`MatchKind::All`], for the probes that
    /// name every pattern matching at a start.
    all: Arc<hybrid::dfa::DFA>,
    caches: Pool<Caches, CacheFn>,
}

/// One thread's lazy DFA caches.
struct Caches {
    regex: hybrid::regex::Cache,
    all: hybrid::dfa::Cache,
    /// For each slot with value groups: a bounded backtracker over that
    /// pattern alone, its cache and a capture buffer. The span is known
    /// by then, so only the groups are left to find: a backtracker over
    /// the match alone, not a `meta` regex (which searched for the match
    /// again with its DFAs before extracting groups, and took a cache from
    /// its pool every time). Extracting groups with the combined patterns
    /// would clear a visited set the size of every pattern's NFA per match.
    values: Vec<Option<ValueGroups>>,
}

/// One thread's means of finding a slot's value group (see
/// [`Caches::values`]).
struct ValueGroups {
    backtracker: BoundedBacktracker,
    cache: backtrack::Cache,
    captures: Captures,
    /// Spans found so far, by match: the bytes around and in it (see
    /// [`ValueGroups::key`]) → the value span relative to the match start,
    /// if any. The same shapes recur (`72-year-old`), and a look-up costs a
    /// tenth of a backtracking search.
    memo: rustc_hash::FxHashMap<Vec<u8>, Option<(u32, u32)>>,
    key: Vec<u8>,
}

/// Spans kept per slot and thread before the memo starts over.
const VALUE_MEMO: usize = 4096;

/// Longer matches are not memoized, which bounds a memo at about
/// `VALUE_MEMO * (VALUE_MEMO_MATCH + 4)` bytes (value-group shapes are
/// short; a long match is rare and would rarely recur).
const VALUE_MEMO_MATCH: usize = 64;

impl ValueGroups {
    /// The memo key of the match `start..end`: the match's bytes and the
    /// byte on either side (all that a look-around at its edges can see),
    /// each with whether it exists.
    fn key(&mut self, hay: &[u8], start: usize, end: usize) {
        self.key.clear();
        let before = start.checked_sub(1).map(|i| hay[i]);
        let after = hay.get(end).copied();
        for b in [before, after] {
            self.key.extend_from_slice(&[u8::from(b.is_some()), b.unwrap_or(0)]);
        }
        self.key.extend_from_slice(&hay[start..end]);
    }

    /// The first non-empty group of `groups` in the match `start..end`, as a
    /// span relative to `start`, found by the bounded backtracker.
    fn search(&mut self, groups: &[usize], hay: &[u8], start: usize, end: usize) -> Option<(u32, u32)> {
        let input = Input::new(hay).range(start..end).anchored(Anchored::Yes);
        // Fails only for a match longer than the backtracker's budget
        // (thousands of bytes; value-group shapes are short): dropped.
        self.backtracker.try_search(&mut self.cache, &input, &mut self.captures).ok()?;
        groups
            .iter()
            .find_map(|&g| self.captures.get_group(g))
            .filter(|span| !span.is_empty())
            .map(|span| ((span.start - start) as u32, (span.end - start) as u32))
    }
}

type CacheFn = Box<dyn Fn() -> Caches + Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>;

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled").field("patterns", &self.regex.pattern_len()).finish()
    }
}

/// State cache of each lazy DFA, per thread. A search never fails for
/// want of room: a full cache is cleared and refilled (and the lanes then
/// hand the block to the one-loop search).
const CACHE_CAPACITY: usize = 4 << 20;

impl Compiled {
    /// `values` are the backtrackers of the slots with value groups.
    fn new(hirs: &[&Hir], values: Vec<Option<BoundedBacktracker>>) -> Result<Compiled, String> {
        let err = |e: &dyn std::fmt::Display| e.to_string();
        let forward = thompson::Compiler::new()
            .configure(thompson::Config::new().nfa_size_limit(Some(64 << 20)))
            .build_many_from_hir(hirs)
            .map_err(|e| err(&e))?;
        let reverse = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .nfa_size_limit(Some(64 << 20))
                    .reverse(true)
                    .which_captures(thompson::WhichCaptures::None),
            )
            .build_many_from_hir(hirs)
            .map_err(|e| err(&e))?;
        let config = || {
            hybrid::dfa::Config::new()
                .cache_capacity(CACHE_CAPACITY)
                .skip_cache_capacity_check(true)
                .minimum_cache_clear_count(None)
        };
        let dfa = |config: hybrid::dfa::Config, nfa: &NFA| {
            hybrid::dfa::Builder::new().configure(config).build_from_nfa(nfa.clone()).map_err(|e| err(&e))
        };
        let leftmost = dfa(config().match_kind(MatchKind::LeftmostFirst).starts_for_each_pattern(true), &forward)?;
        // As `hybrid::regex::Builder` configures a reverse DFA.
        let backward =
            dfa(config().match_kind(MatchKind::All).prefilter(None).specialize_start_states(false), &reverse)?;
        let all = Arc::new(dfa(config().match_kind(MatchKind::All), &forward)?);
        let regex = Arc::new(hybrid::regex::Builder::new().build_from_dfas(leftmost, backward));
        let (for_regex, for_all) = (Arc::clone(&regex), Arc::clone(&all));
        let create: CacheFn = Box::new(move || Caches {
            regex: for_regex.create_cache(),
            all: for_all.create_cache(),
            values: values
                .iter()
                .map(|bt| {
                    bt.as_ref().map(|bt| ValueGroups {
                        backtracker: bt.clone(),
                        cache: bt.create_cache(),
                        captures: bt.create_captures(),
                        memo: Default::default(),
                        key: Vec::new(),
                    })
                })
                .collect(),
        });
        Ok(Compiled { regex, all, caches: Pool::new(create) })
    }
}

impl Shapes {
    /// Compiles `patterns` (detector index, regex) into one matcher, plus
    /// the hotword pattern as the last (lowest-priority) slot.
    pub(crate) fn new(patterns: &[(u32, &Pattern)], keywords: Option<&Hir>) -> Result<Shapes, Error> {
        let mut slots: Vec<&Pattern> = Vec::new();
        let mut owners: Vec<Vec<u32>> = Vec::new();
        for &(det, re) in patterns {
            match slots.iter().position(|s| s.source() == re.source()) {
                Some(i) => owners[i].push(det),
                None => {
                    slots.push(re);
                    owners.push(vec![det]);
                }
            }
        }
        let keyword_slot = keywords.map(|_| {
            owners.push(Vec::new());
            (owners.len() - 1) as u32
        });
        if owners.is_empty() {
            return Ok(Shapes { compiled: None, owners, keyword_slot, value_groups: Vec::new() });
        }
        let together = |e: String| Error::pattern(format!("the shape patterns do not compile together: {e}"));
        let mut hirs: Vec<&Hir> = slots.iter().map(|re| &*re.hir).collect();
        hirs.extend(keywords);
        let mut value_groups = Vec::with_capacity(hirs.len());
        let mut values = Vec::with_capacity(hirs.len());
        for &hir in &hirs {
            let names = capture_names(hir);
            let groups: Vec<usize> = names
                .iter()
                .enumerate()
                .filter(|(_, n)| n.as_deref().is_some_and(is_value_group))
                .map(|(g, _)| g)
                .collect();
            if groups.is_empty() {
                value_groups.push(None);
                values.push(None);
            } else {
                let nfa = thompson::Compiler::new()
                    .build_from_hir(hir)
                    .map_err(|e| Error::pattern(format!("regex does not compile: {e}")))?;
                let bt = BoundedBacktracker::new_from_nfa(nfa)
                    .map_err(|e| Error::pattern(format!("regex does not compile: {e}")))?;
                value_groups.push(Some(groups));
                values.push(Some(bt));
            }
        }
        let compiled = Compiled::new(&hirs, values).map_err(together)?;
        Ok(Shapes { compiled: Some(compiled), owners, keyword_slot, value_groups })
    }

    /// Appends every hit in `hay` to `out`, including hits of other patterns
    /// that start where a reported hit starts.
    ///
    /// Hotword matches are not pushed: `keyword(from, end)` gets each one's
    /// end and the start of the search that found it (its own start lies
    /// in between). A hotword is a literal word, so the caller finds its
    /// start by looking back from its end (see `Context::keyword_ending_at`)
    /// for less than the reverse automaton's search costs: in clinical
    /// notes most matches are hotwords.
    pub(crate) fn find(&self, hay: &[u8], out: &mut Vec<Hit>, keyword: &mut impl FnMut(usize, usize)) {
        let Some(c) = &self.compiled else { return };
        let mut caches = c.caches.get();
        let caches = &mut *caches;
        let mut others = Vec::new();
        let keyword_pid = self.keyword_slot.map(|k| PatternID::must(k as usize));
        if lanes::worth_it(hay) {
            let mut matches = Vec::new();
            if lanes::find_all(&c.regex, &mut caches.regex, hay, keyword_pid, &mut matches) {
                for m in matches {
                    if Some(m.pattern) == keyword_pid {
                        keyword(m.start, m.end);
                    } else {
                        self.hit(hay, c, caches, &mut others, m.pattern, m.start, m.end, out);
                    }
                }
                return;
            }
        }
        // The one-loop search as `hybrid::regex::Regex::try_search` runs it
        // (a forward search for a match's end, then a reverse search back
        // to where it began for its start), restarted at each match's end,
        // with the lanes' bound on how far a search runs on past a match
        // (see `lanes::search_forward`).
        let mut at = 0;
        while at <= hay.len() {
            let (fwd, rev) = caches.regex.as_parts_mut();
            let Some((pid, end)) = lanes::search_forward(c.regex.forward(), fwd, hay, at) else { break };
            if Some(pid) == keyword_pid {
                keyword(at, end);
            } else {
                let back = Input::new(hay).range(at..end).anchored(Anchored::Yes);
                let start = match c.regex.reverse().try_search_rev(rev, &back) {
                    Ok(Some(start)) => start.offset(),
                    _ => {
                        debug_assert!(false, "a forward match has a start");
                        break;
                    }
                };
                self.hit(hay, c, caches, &mut others, pid, start, end, out);
            }
            // Patterns cannot match the empty string (checked on load).
            at = end.max(at + 1);
        }
    }

    /// Records one leftmost-first match and the matches of other patterns
    /// that start where it starts.
    #[allow(clippy::too_many_arguments)]
    fn hit(
        &self,
        hay: &[u8],
        c: &Compiled,
        caches: &mut Caches,
        others: &mut Vec<(PatternID, usize)>,
        pid: PatternID,
        start: usize,
        end: usize,
        out: &mut Vec<Hit>,
    ) {
        self.push(hay, caches, pid, start, end, out);
        // Hotwords, which have the lowest priority, never come here: when
        // one is reported no shape matched at its start.
        if self.owners.len() > 1 {
            others.clear();
            probe(&c.all, &mut caches.all, hay, start, end, pid, others);
            for &(other, reach) in others.iter() {
                // No match of `other` here ends past `reach`: the search
                // need not look further (a pattern that runs on without
                // matching would take it to the end of the run).
                let alt = Input::new(hay).range(start..reach).anchored(Anchored::Pattern(other));
                if let Some(m2) = search(&c.regex, &mut caches.regex, &alt) {
                    self.push(hay, caches, other, m2.start(), m2.end(), out);
                }
            }
        }
    }

    /// Records one match of slot `pid`, narrowed to its value group if it
    /// has one (a match where no value group took part is dropped).
    fn push(&self, hay: &[u8], caches: &mut Caches, pid: PatternID, start: usize, end: usize, out: &mut Vec<Hit>) {
        let slot = pid.as_usize();
        let (mut s, mut e) = (start, end);
        if let Some(groups) = &self.value_groups[slot] {
            let Some(v) = &mut caches.values[slot] else { return };
            let memoized = end - start <= VALUE_MEMO_MATCH;
            let known = if memoized {
                v.key(hay, start, end);
                v.memo.get(&v.key[..]).copied()
            } else {
                None
            };
            let span = match known {
                Some(span) => span,
                None => {
                    let span = v.search(groups, hay, start, end);
                    if memoized {
                        if v.memo.len() >= VALUE_MEMO {
                            v.memo.clear();
                        }
                        v.memo.insert(v.key.clone(), span);
                    }
                    span
                }
            };
            let Some((vs, ve)) = span else { return };
            (s, e) = (start + vs as usize, start + ve as usize);
        }
        out.push(Hit { slot: slot as u32, start: s, end: e });
    }
}

#[cfg(test)]
impl Shapes {
    /// Every match of the leftmost-first search, as (slot, start, end),
    /// found by the hybrid regex's own search (a forward, then a reverse
    /// search per match): the oracle of [`Shapes::find`]'s hotword spans.
    pub(crate) fn matches(&self, hay: &[u8]) -> Vec<(u32, usize, usize)> {
        let Some(c) = &self.compiled else { return Vec::new() };
        let mut caches = c.caches.get();
        let mut input = Input::new(hay);
        let mut out = Vec::new();
        while let Some(m) = search(&c.regex, &mut caches.regex, &input) {
            out.push((m.pattern().as_u32(), m.start(), m.end()));
            if m.end() >= hay.len() {
                break;
            }
            input.set_start(m.end().max(m.start() + 1));
        }
        out
    }
}

/// Puts in `others`, in pattern order, every pattern of `all` (a
/// [`MatchKind::All`] lazy DFA) but `pid` that matches some span starting
/// at `start`, with the end of its longest such span.
///
/// The same answer as `try_which_overlapping_matches` with an anchored
/// input, by a plain walk of the automaton: that search keeps resumable
/// state for reporting one match at a time, which costs more than the
/// walk itself on the short spans probed here (a tenth of a log scan).
/// The walk goes at least to `end` (where `pid`'s match ends) and stops
/// [`lanes::RUN_ON`] bytes past the last match it saw, as the leftmost
/// search does (without that bound, probing every short match of a run
/// that another pattern extends without end is quadratic).
/// It cannot fail: no quit bytes, and a full cache is cleared, not given
/// up on (see `Compiled::new`).
fn probe(
    all: &hybrid::dfa::DFA,
    cache: &mut hybrid::dfa::Cache,
    hay: &[u8],
    start: usize,
    end: usize,
    pid: PatternID,
    others: &mut Vec<(PatternID, usize)>,
) {
    let mut record = |cache: &hybrid::dfa::Cache, sid: hybrid::LazyStateID, at: usize| {
        for i in 0..all.match_len(cache, sid) {
            let p = all.match_pattern(cache, sid, i);
            if p == pid {
                continue;
            }
            match others.iter_mut().find(|(q, _)| *q == p) {
                Some((_, reach)) => *reach = (*reach).max(at),
                None => others.push((p, at)),
            }
        }
    };
    walk(all, cache, hay, start, end, &mut record);
    others.sort_unstable();
}

/// Runs `all` anchored at `start` until it dies, the input ends, or it is
/// [`lanes::RUN_ON`] bytes past both `end` and the last match it passed,
/// calling `record` with every match state it passes and where that
/// match ends.
fn walk(
    all: &hybrid::dfa::DFA,
    cache: &mut hybrid::dfa::Cache,
    hay: &[u8],
    start: usize,
    end: usize,
    record: &mut impl FnMut(&hybrid::dfa::Cache, hybrid::LazyStateID, usize),
) {
    let input = Input::new(hay).range(start..).anchored(Anchored::Yes);
    let Ok(mut sid) = all.start_state_forward(cache, &input) else {
        debug_assert!(false, "lazy DFAs without quit bytes do not fail");
        return;
    };
    let mut last = end.max(start);
    for (at, &byte) in hay.iter().enumerate().skip(start) {
        // Matches are reported one byte late: a match state after a byte
        // means a match that ends before it (here, at `at - 1`).
        if sid.is_tagged() {
            if sid.is_match() {
                record(cache, sid, at.saturating_sub(1));
                last = last.max(at.saturating_sub(1));
            } else if sid.is_dead() || sid.is_quit() {
                debug_assert!(!sid.is_quit(), "lazy DFAs without quit bytes do not fail");
                return;
            }
        }
        if at >= last + lanes::RUN_ON {
            return;
        }
        match all.next_state(cache, sid, byte) {
            Ok(next) => sid = next,
            Err(_) => {
                debug_assert!(false, "lazy DFAs without quit bytes do not fail");
                return;
            }
        }
    }
    if sid.is_match() {
        record(cache, sid, hay.len().saturating_sub(1));
    }
    if !sid.is_dead() {
        if let Ok(eoi) = all.next_eoi_state(cache, sid) {
            if eoi.is_match() {
                record(cache, eoi, hay.len());
            }
        }
    }
}

/// One leftmost-first search. It cannot fail: the lazy DFAs have no quit
/// bytes (patterns are byte-oriented, `\b` is ASCII) and clear a full
/// cache instead of giving up.
fn search(
    regex: &hybrid::regex::Regex,
    cache: &mut hybrid::regex::Cache,
    input: &Input<'_>,
) -> Option<regex_automata::Match> {
    let found = regex.try_search(cache, input);
    debug_assert!(found.is_ok(), "lazy DFAs without quit bytes do not fail");
    found.ok().flatten()
}

/// Parses one pattern as the shape matcher reads patterns.
fn parse(pattern: &str) -> Result<Hir, String> {
    syntax::parse_with(pattern, &syntax_config())
        .map_err(|e| format!("regex does not parse: {}", first_line(&e.to_string())))
}

/// The names of `hir`'s capture groups by index (group 0, the whole
/// match, has none), as the compiled pattern numbers them.
fn capture_names(hir: &Hir) -> Vec<Option<String>> {
    fn walk(hir: &Hir, out: &mut Vec<Option<String>>) {
        match hir.kind() {
            HirKind::Capture(cap) => {
                let index = cap.index as usize;
                if out.len() <= index {
                    out.resize(index + 1, None);
                }
                out[index] = cap.name.as_deref().map(str::to_string);
                walk(&cap.sub, out);
            }
            HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().for_each(|h| walk(h, out)),
            HirKind::Repetition(rep) => walk(&rep.sub, out),
            HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {}
        }
    }
    let mut out = vec![None];
    walk(hir, &mut out);
    out
}

/// The value shapes of keyword-driven detectors: detectors that report
/// only next to a label (`requires_context`) are not run over the whole
/// input; their regex is searched only in the short region after one of
/// their hotwords. Identical regexes are compiled once.
#[derive(Debug)]
pub(crate) struct Labelled {
    regexes: Vec<Regex>,
    /// For each regex, whether every match of it holds a digit (see
    /// [`has_digit_always`]).
    need_digit: Vec<bool>,
    /// For each regex, its groups named `value…`, which name the part of a
    /// match to report (`transferred to (?P<value>…)`); empty for none.
    value_groups: Vec<Vec<usize>>,
    /// Detector index → index into `regexes` (or `u32::MAX`).
    pub(crate) regex_of: Vec<u32>,
}

impl Labelled {
    /// `whole` lists the detectors whose regex searches whole blocks (the
    /// clinical-notes detectors) rather than the region after a hotword.
    pub(crate) fn new(detectors: usize, patterns: &[(u32, &Pattern)], whole: &[u32]) -> Result<Labelled, Error> {
        let mut sources: Vec<&Pattern> = Vec::new();
        let mut whole_block: Vec<bool> = Vec::new();
        let mut regex_of = vec![u32::MAX; detectors];
        for &(det, re) in patterns {
            let at = match sources.iter().position(|s| s.source() == re.source()) {
                Some(i) => i,
                None => {
                    sources.push(re);
                    whole_block.push(false);
                    sources.len() - 1
                }
            };
            whole_block[at] |= whole.contains(&det);
            regex_of[det as usize] = at as u32;
        }
        let regexes: Vec<Regex> = sources
            .iter()
            .zip(&whole_block)
            .map(|(re, &whole)| {
                // No literal prefilter for a regex searched a few dozen
                // bytes after a hotword, where a prefilter cannot pay for
                // itself, and extracting one (literal sets, Teddy) was a
                // tenth of the default engine's build. A regex searched
                // over whole blocks (`dr. lindquist`) gets one.
                Regex::builder()
                    .configure(Regex::config().auto_prefilter(whole))
                    .build_from_hir(&re.hir)
                    .map_err(|e| Error::pattern(format!("regex does not compile: {e}")))
            })
            .collect::<Result<_, _>>()?;
        let need_digit = sources.iter().map(|re| has_digit_always(&re.hir)).collect();
        // As in the shape lanes, the first group named `value…` that takes
        // part in a match is the part reported.
        let value_groups = regexes
            .iter()
            .map(|re| {
                let names = re.group_info().pattern_names(PatternID::ZERO);
                names.enumerate().filter(|(_, n)| n.is_some_and(is_value_group)).map(|(g, _)| g).collect()
            })
            .collect();
        Ok(Labelled { regexes, need_digit, value_groups, regex_of })
    }

    /// Whether detector `det` is keyword-driven.
    pub(crate) fn has(&self, det: u32) -> bool {
        self.regex_of.get(det as usize).is_some_and(|&r| r != u32::MAX)
    }

    /// Every match of regex `index` over all of `hay`, in one search.
    pub(crate) fn for_each(&self, index: u32, hay: &[u8], mut found: impl FnMut(usize, usize)) {
        let re = &self.regexes[index as usize];
        let groups = &self.value_groups[index as usize];
        if groups.is_empty() {
            for m in re.find_iter(Input::new(hay)) {
                found(m.start(), m.end());
            }
            return;
        }
        for caps in re.captures_iter(Input::new(hay)) {
            if let Some(span) = groups.iter().find_map(|&g| caps.get_group(g)) {
                found(span.start, span.end);
            }
        }
    }

    /// The first match of regex `index` within `hay[start..end]`.
    ///
    /// Most value shapes hold a digit, and the region after a label in
    /// prose often holds none (`on exam`, `date of the visit`): then the
    /// regex is not run (a third of the searches in clinical notes, each
    /// costing more than the test).
    pub(crate) fn find_in(&self, index: u32, hay: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
        if self.need_digit[index as usize] && !holds_digit(&hay[start..end]) {
            return None;
        }
        let re = &self.regexes[index as usize];
        let input = Input::new(hay).range(start..end);
        let groups = &self.value_groups[index as usize];
        if groups.is_empty() {
            return re.search(&input).map(|m| (m.start(), m.end()));
        }
        let mut caps = re.create_captures();
        re.search_captures(&input, &mut caps);
        groups.iter().find_map(|&g| caps.get_group(g)).map(|span| (span.start, span.end))
    }
}

/// Whether every match of `hir` holds an ASCII digit: a conservative
/// answer (`false` when unsure), so a region without a digit surely holds
/// no match when it is `true`.
fn has_digit_always(hir: &Hir) -> bool {
    let digits = |lo: u32, hi: u32| (u32::from(b'0')..=u32::from(b'9')).contains(&lo) && hi <= u32::from(b'9');
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(lit) => lit.0.iter().any(u8::is_ascii_digit),
        HirKind::Class(Class::Bytes(class)) => {
            class.ranges().iter().all(|r| digits(u32::from(r.start()), u32::from(r.end())))
        }
        HirKind::Class(Class::Unicode(class)) => {
            class.ranges().iter().all(|r| digits(r.start().into(), r.end().into()))
        }
        HirKind::Repetition(rep) => rep.min > 0 && has_digit_always(&rep.sub),
        HirKind::Capture(cap) => has_digit_always(&cap.sub),
        HirKind::Concat(subs) => subs.iter().any(has_digit_always),
        HirKind::Alternation(subs) => subs.iter().all(has_digit_always),
    }
}

/// Whether `bytes` hold an ASCII digit, eight at a time.
fn holds_digit(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(8);
    let found = (&mut chunks)
        .fold(0, |any, c| any | swar::in_range(u64::from_le_bytes(c.try_into().expect("eight bytes")), b'0', b'9'));
    found != 0 || chunks.remainder().iter().any(u8::is_ascii_digit)
}

/// The word-list matcher (user `words` detectors; also used for phrases).
#[derive(Debug)]
pub(crate) struct Words {
    ac: Option<AhoCorasick>,
    /// For each word, the detector that owns it.
    pub(crate) owners: Vec<u32>,
}

impl Words {
    pub(crate) fn new(words: &[(u32, &str)]) -> Result<Words, Error> {
        if words.is_empty() {
            return Ok(Words { ac: None, owners: Vec::new() });
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(AcMatchKind::LeftmostLongest)
            .build(words.iter().map(|(_, w)| w.as_bytes()))
            .map_err(|e| Error::pattern(format!("word lists do not compile: {e}")))?;
        Ok(Words { ac: Some(ac), owners: words.iter().map(|(d, _)| *d).collect() })
    }

    /// Appends every whole-word hit in `hay`.
    pub(crate) fn find(&self, hay: &[u8], out: &mut Vec<Hit>) {
        let Some(ac) = &self.ac else { return };
        for m in ac.find_iter(hay) {
            if is_word_bounded(hay, m.start(), m.end()) {
                out.push(Hit { slot: m.pattern().as_u32(), start: m.start(), end: m.end() });
            }
        }
    }
}

/// A word byte as an ASCII `\b` sees it: letter, digit or `_`.
pub(crate) fn is_word_byte(b: u8) -> bool {
    WORD_BYTES[b as usize]
}

/// Whether a capture group named `name` holds the part of a match to
/// report (`(?P<value>…)`, `(?P<value2>…)`), in the shape lanes and in the
/// labelled regexes alike.
fn is_value_group(name: &str) -> bool {
    name.starts_with("value")
}

/// A fixed list of words as one automaton: any ASCII case, longest match
/// first, as a DFA (the lists are small; their automata are searched over
/// whole blocks). The caller checks word boundaries.
pub(crate) fn word_list_automaton<W: AsRef<[u8]>>(words: impl IntoIterator<Item = W>) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .ascii_case_insensitive(true)
        .match_kind(AcMatchKind::LeftmostLongest)
        .build(words)
        .expect("a word list is a valid automaton")
}

/// [`is_word_byte`] as a table: one load instead of four range tests, on
/// paths that walk every byte of a window.
static WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    table
};

/// True when the bytes just outside `start..end` are not ASCII word bytes
/// (or the span touches the edge of `hay`).
pub(crate) fn is_word_bounded(hay: &[u8], start: usize, end: usize) -> bool {
    let word = is_word_byte;
    (start == 0 || !word(hay[start - 1]) || !word(hay[start]))
        && (end >= hay.len() || !word(hay[end]) || end == 0 || !word(hay[end - 1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape matcher over `(detector, regex)` pairs, no hotwords.
    fn shapes(patterns: &[(u32, &str)]) -> Shapes {
        let parsed: Vec<(u32, Pattern)> = patterns.iter().map(|&(d, re)| (d, Pattern::new(re).unwrap())).collect();
        let refs: Vec<(u32, &Pattern)> = parsed.iter().map(|(d, p)| (*d, p)).collect();
        Shapes::new(&refs, None).unwrap()
    }

    #[test]
    fn same_start_alternatives_are_reported() {
        let shapes = shapes(&[(0, r"\b\d{3}-\d{3}-\d{4}\b"), (1, r"\b\d{3}-\d{3}\b"), (2, r"\b\d{3}-\d{3}-\d{4}\b")]);
        let mut hits = Vec::new();
        shapes.find(b"call 617-555-0123 now", &mut hits, &mut |_, _| {});
        hits.sort_by_key(|h| (h.start, h.end));
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert_eq!(shapes.owners[hits[1].slot as usize], vec![0, 2]);
        assert_eq!((hits[0].start, hits[0].end), (5, 12));
    }

    #[test]
    fn value_group_narrows_the_span() {
        let shapes = shapes(&[(0, r"(?i)mrn[:#\s]*(?P<value>\d{6,})")]);
        let mut hits = Vec::new();
        shapes.find(b"MRN: 00123456.", &mut hits, &mut |_, _| {});
        assert_eq!((hits[0].start, hits[0].end), (5, 13));
    }

    #[test]
    fn bad_patterns_are_reported() {
        assert!(Pattern::new("(unclosed").is_err());
        assert!(Pattern::new("a*").unwrap_err().contains("empty"));
        assert!(Pattern::new(r"\b\d{9}\b").is_ok());
        assert!(Pattern::new(r"(?u:\b)\d{9}").unwrap_err().contains("Unicode word boundary"));
    }

    #[test]
    fn value_groups_are_found_by_name_after_other_groups() {
        let shapes = shapes(&[(0, r"(?i)(mrn|mr#)[:#\s]*(x)?(?P<value2>\d{6,})"), (1, r"\b\d{3}-\d{4}\b")]);
        let mut hits = Vec::new();
        shapes.find(b"MR# 00123456 or 555-0123", &mut hits, &mut |_, _| {});
        hits.sort_by_key(|h| h.start);
        assert_eq!(hits.iter().map(|h| (h.start, h.end)).collect::<Vec<_>>(), vec![(4, 12), (16, 24)]);
    }

    #[test]
    fn large_blocks_find_what_small_ones_do() {
        // Blocks of 32 KiB and more take the lanes; a block that is one
        // line at a time does not. Both must find the same hits.
        let shapes = shapes(&[(0, r"\b\d{3}-\d{2}-\d{4}\b"), (1, r"\b\d{3}-\d{2}\b"), (2, r"(?i)\bssn\b")]);
        let line = b"pt SSN 123-45-6789 ref 555-12 and more text to fill the line\n";
        let block = line.repeat(1000);
        let mut whole = Vec::new();
        shapes.find(&block, &mut whole, &mut |_, _| {});
        let mut by_line = Vec::new();
        for (i, l) in block.chunks(line.len()).enumerate() {
            let mut hits = Vec::new();
            shapes.find(l, &mut hits, &mut |_, _| {});
            by_line.extend(hits.into_iter().map(|h| Hit {
                start: h.start + i * line.len(),
                end: h.end + i * line.len(),
                ..h
            }));
        }
        assert_eq!(whole.len(), 4000, "SSN, its 123-45 alternative, the hotword and 555-12 per line");
        assert_eq!(whole, by_line);
    }

    #[test]
    fn value_shapes_that_always_hold_a_digit() {
        let always = |re: &str| has_digit_always(&parse(re).unwrap());
        assert!(always(r"\b\d{1,2}/\d{1,2}\b"));
        assert!(always(r"\b[A-Za-z]{0,6}[-#]?\d[A-Za-z0-9-]{3,24}\b"));
        assert!(always(r"(?:\(\d{2,4}\)[ ]?|\b\d{2,5}[-. ])\d{2,8}|\b\d{10,12}\b"));
        assert!(always(r"(?i)no\.?\s*(?P<value>7)"));
        assert!(!always(r"\b[A-Za-z0-9]{1,4}[- ]?[A-Za-z0-9]{2,5}\b"), "a plate may be letters only");
        assert!(!always(r"\d*x"));
        assert!(!always(r"\d|x"));
        assert!(!always(r"\d{0,3}y"));
    }

    #[test]
    fn a_region_without_a_digit_is_not_searched_in_vain() {
        let parsed = Pattern::new(r"\b\d{1,2}/\d{1,2}\b").unwrap();
        let labelled = Labelled::new(1, &[(0, &parsed)], &[]).unwrap();
        let hay = b"seen on exam, then on 7/22 and again on 12/1";
        let all: Vec<_> = (0..hay.len()).filter_map(|s| labelled.find_in(0, hay, s, hay.len())).collect();
        assert!(all.contains(&(22, 26)) && all.contains(&(40, 44)));
        assert_eq!(labelled.find_in(0, hay, 0, 20), None);
        for n in 0..hay.len() {
            assert_eq!(holds_digit(&hay[..n]), hay[..n].iter().any(u8::is_ascii_digit), "{n}");
        }
    }

    #[test]
    fn words_are_whole_words() {
        let words = Words::new(&[(0, "st. mary's"), (1, "acme")]).unwrap();
        let mut hits = Vec::new();
        words.find(b"ACME at St. Mary's; acmes", &mut hits);
        assert_eq!(hits.len(), 2);
    }
}
