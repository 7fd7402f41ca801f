//! The engine: wires the stages together.
//!
//! `patterns → matcher → validate → context → resolve → finding`: building
//! an [`Engine`] parses and checks every detector and compiles the automata
//! once; a built engine is immutable, `Send + Sync`, and cloning it is an
//! `Arc` increment. Scanning a block runs the shape automaton and the name
//! tokenizer once over the bytes, then spends per-candidate work only on
//! the few places that look like PHI.

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::context::{
    address_region, close_before_label, close_to_label, rule_allows, trails, Context, Hotwords, Keywords,
};
use crate::entity::Entity;
use crate::error::Error;
use crate::evidence::{self, Evidence, Item, TextKind};
use crate::finding::Finding;
use crate::keyed::{self, Keys};
use crate::matcher::{Hit, Labelled, Shapes, Words};
use crate::names::{self, NameHit};
use crate::patterns::{self, normalize_field, Detector, DetectorInfo, DetectorKind, Rule, WordLists};
use crate::resolve::{resolve, Candidate};
use crate::stream;

/// The minimum score a finding needs to be reported, unless configured.
pub const DEFAULT_MIN_SCORE: f32 = 0.5;

/// Bytes before a candidate searched for hotwords, unless configured.
pub const DEFAULT_CONTEXT_WINDOW: usize = 64;

/// A compiled PHI detector set. See the crate docs for an example.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
    /// What the text is, for the person-evidence rule.
    kind: TextKind,
}

struct Inner {
    detectors: Vec<Detector>,
    shapes: Shapes,
    labelled: Labelled,
    words: Words,
    context: Context,
    names: Option<u32>,
    /// Detectors searched only after street addresses ([`Rule::AfterAddress`]).
    after_address: Vec<u32>,
    /// Detectors searched only in blocks that read as clinical notes
    /// ([`Rule::ClinicalText`]): over the whole block, outside the shape
    /// lanes, so other text pays nothing for them.
    clinical: Vec<u32>,
    word_lists: &'static WordLists,
    min_score: f32,
    /// Report weak identifiers only with person evidence ([`evidence`]).
    person_evidence: bool,
    /// Field names whose values are found in text ([`keyed`]).
    keys: Keys,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("detectors", &self.inner.detectors.len())
            .field("min_score", &self.inner.min_score)
            .finish()
    }
}

/// Builds an [`Engine`]: choose detectors and options, then [`build`](EngineBuilder::build).
#[derive(Clone, Debug)]
pub struct EngineBuilder {
    default_patterns: bool,
    sources: Vec<(PathBuf, Source)>,
    entities: Option<Vec<Entity>>,
    exclude_entities: Vec<Entity>,
    disabled: Vec<String>,
    min_score: f32,
    context_window: usize,
    person_evidence: bool,
}

#[derive(Clone, Debug)]
enum Source {
    File,
    Text(String),
}

impl Default for EngineBuilder {
    fn default() -> Self {
        EngineBuilder {
            default_patterns: true,
            sources: Vec::new(),
            entities: None,
            exclude_entities: Vec::new(),
            disabled: Vec::new(),
            min_score: DEFAULT_MIN_SCORE,
            context_window: DEFAULT_CONTEXT_WINDOW,
            person_evidence: false,
        }
    }
}

impl EngineBuilder {
    /// A builder with the embedded default pack and default options.
    pub fn new() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// Whether to start from the embedded default detectors (default `true`).
    pub fn default_patterns(&mut self, yes: bool) -> &mut EngineBuilder {
        self.default_patterns = yes;
        self
    }

    /// Adds a pattern file (same schema as `patterns/*.toml`). A detector
    /// whose id matches an earlier one replaces it.
    pub fn patterns_file(&mut self, path: impl AsRef<Path>) -> &mut EngineBuilder {
        self.sources.push((path.as_ref().to_path_buf(), Source::File));
        self
    }

    /// Adds pattern definitions from a string; `name` is used in errors.
    pub fn patterns_str(&mut self, name: &str, toml: &str) -> &mut EngineBuilder {
        self.sources.push((PathBuf::from(name), Source::Text(toml.to_string())));
        self
    }

    /// Keeps only detectors of these entities.
    pub fn entities(&mut self, entities: impl IntoIterator<Item = Entity>) -> &mut EngineBuilder {
        self.entities = Some(entities.into_iter().collect());
        self
    }

    /// Drops detectors of these entities.
    pub fn exclude_entities(&mut self, entities: impl IntoIterator<Item = Entity>) -> &mut EngineBuilder {
        self.exclude_entities.extend(entities);
        self
    }

    /// Drops one detector by id. Building fails if no detector has that id.
    pub fn disable_detector(&mut self, id: &str) -> &mut EngineBuilder {
        self.disabled.push(id.to_string());
        self
    }

    /// Findings scoring below this are not reported (default
    /// [`DEFAULT_MIN_SCORE`]). Must be within `0.0..=1.0`.
    pub fn min_score(&mut self, score: f32) -> &mut EngineBuilder {
        self.min_score = score;
        self
    }

    /// Bytes before a candidate searched for hotwords (default
    /// [`DEFAULT_CONTEXT_WINDOW`]; half as many after it). At most 4096.
    pub fn context_window(&mut self, bytes: usize) -> &mut EngineBuilder {
        self.context_window = bytes;
        self
    }

    /// Whether weak identifiers (names, dates, phone numbers, e-mail
    /// addresses, URLs, IP addresses, street addresses…) are reported only
    /// in a record about a person: beside an identifier such as an SSN or
    /// an MRN, a patient label, or identifiers of several kinds (default
    /// `false`: everything is reported, as masking wants). Each finding then
    /// says why in [`Finding::evidence`]. See [`Evidence`] for the rules.
    ///
    /// A gate for commits and CI wants this; a scan of data known to hold
    /// PHI, or masking it, does not.
    pub fn person_evidence(&mut self, yes: bool) -> &mut EngineBuilder {
        self.person_evidence = yes;
        self
    }

    /// Parses, checks and compiles everything.
    ///
    /// # Errors
    /// [`ErrorKind::Pattern`](crate::ErrorKind::Pattern) for an unreadable
    /// or invalid pattern file (naming file, line, detector id and field);
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) for invalid options or
    /// an unknown detector id in [`disable_detector`](Self::disable_detector).
    pub fn build(&self) -> Result<Engine, Error> {
        if !(0.0..=1.0).contains(&self.min_score) {
            return Err(Error::config("min_score must be between 0.0 and 1.0"));
        }
        if self.context_window > 4096 {
            return Err(Error::config("context_window must be at most 4096 bytes"));
        }
        let mut all: Vec<Detector> = if self.default_patterns { patterns::default_detectors()? } else { Vec::new() };
        for (origin, source) in &self.sources {
            let text;
            let src = match source {
                Source::Text(t) => t.as_str(),
                Source::File => {
                    text = std::fs::read_to_string(origin)
                        .map_err(|e| Error::pattern(format!("cannot read pattern file: {e}")).with_path(origin))?;
                    text.as_str()
                }
            };
            let parsed = patterns::parse_file(src, origin)?;
            for (i, d) in parsed.iter().enumerate() {
                if parsed[..i].iter().any(|p| p.id == d.id) {
                    return Err(Error::pattern("duplicate detector id in one file")
                        .with_path(origin)
                        .with_detector(&*d.id)
                        .with_field("id"));
                }
            }
            for d in parsed {
                all.retain(|old| old.id != d.id);
                all.push(d);
            }
        }
        for id in &self.disabled {
            if !all.iter().any(|d| &*d.id == id) {
                return Err(Error::config(format!("no detector has the id '{id}'")).with_detector(id.as_str()));
            }
        }
        let detectors: Vec<Detector> = all
            .into_iter()
            .filter(|d| d.enabled)
            .filter(|d| !self.disabled.iter().any(|id| **id == *d.id))
            .filter(|d| self.entities.as_ref().is_none_or(|es| es.contains(&d.entity)))
            .filter(|d| !self.exclude_entities.contains(&d.entity))
            .collect();
        Engine::compile(detectors, self.min_score, self.context_window, self.person_evidence)
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Per-thread buffers reused across scans so a short scan allocates only
/// its result.
#[derive(Default)]
struct Scratch {
    hits: Vec<Hit>,
    cands: Vec<Candidate>,
    tokens: Vec<names::Token>,
    names: Vec<NameHit>,
    keywords: Keywords,
    /// (detector, value start) pairs already considered in this block: a
    /// set, since a block dense with labels has thousands.
    searched: rustc_hash::FxHashSet<(u32, usize)>,
    /// Overlap resolution's byte bitmap.
    claimed: Vec<u64>,
}

/// One block of a streamed scan, handed to the callback of
/// [`Engine::scan_blocks`].
#[derive(Debug)]
pub struct Block<'a> {
    /// Absolute byte offset of `bytes` in the whole input.
    pub offset: usize,
    /// The block's bytes.
    pub bytes: &'a [u8],
    /// Findings in this block, sorted by start, with absolute offsets.
    pub findings: &'a [Finding],
}

impl Engine {
    /// A builder starting from the embedded default pack.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::new()
    }

    fn compile(
        detectors: Vec<Detector>,
        min_score: f32,
        window: usize,
        person_evidence: bool,
    ) -> Result<Engine, Error> {
        let mut regexes = Vec::new();
        let mut labelled = Vec::new();
        let mut after_address = Vec::new();
        let mut clinical = Vec::new();
        let mut words = Vec::new();
        let mut names = None;
        for (i, d) in detectors.iter().enumerate() {
            match &d.kind {
                DetectorKind::Regex(re)
                    if d.requires_context
                        || d.rules.contains(&Rule::AfterAddress)
                        || d.rules.contains(&Rule::ClinicalText) =>
                {
                    labelled.push((i as u32, re));
                    if d.rules.contains(&Rule::AfterAddress) {
                        after_address.push(i as u32);
                    }
                    if d.rules.contains(&Rule::ClinicalText) && !d.requires_context {
                        clinical.push(i as u32);
                    }
                }
                DetectorKind::Regex(re) => regexes.push((i as u32, re)),
                DetectorKind::Words(ws) => words.extend(ws.iter().map(|w| (i as u32, w.as_str()))),
                DetectorKind::Names => {
                    if names.is_some() {
                        return Err(Error::pattern("only one detector may have kind 'names'")
                            .with_detector(&*d.id)
                            .with_field("kind"));
                    }
                    names = Some(i as u32);
                }
            }
        }
        let context = Context::new(&detectors, window)?;
        let keys = Keys::new(&detectors);
        let shapes = Shapes::new(&regexes, context.pattern())?;
        let labelled = Labelled::new(detectors.len(), &labelled, &clinical)?;
        let words = Words::new(&words)?;
        let word_lists = WordLists::embedded();
        Ok(Engine {
            kind: TextKind::Data,
            inner: Arc::new(Inner {
                detectors,
                shapes,
                labelled,
                words,
                context,
                names,
                after_address,
                clinical,
                word_lists,
                min_score,
                person_evidence,
                keys,
            }),
        })
    }

    /// This engine reading text of `kind`: the same detectors, sharing
    /// everything, with the person-evidence rule ([`Evidence`]) set for
    /// that kind. Cheap (a reference count).
    ///
    /// # Example
    /// ```
    /// use phimask::{Engine, TextKind};
    /// let engine = Engine::builder().person_evidence(true).build().unwrap();
    /// let line = "create_resource('Patient', birthDate='1901-05-25')";
    /// assert_eq!(engine.scan(line).len(), 1);
    /// assert_eq!(engine.for_text(TextKind::Code).scan(line).len(), 0);
    /// ```
    pub fn for_text(&self, kind: TextKind) -> Engine {
        Engine { inner: Arc::clone(&self.inner), kind }
    }

    /// Facts about every active detector, in definition order.
    pub fn detectors(&self) -> Vec<DetectorInfo> {
        self.inner.detectors.iter().map(DetectorInfo::from).collect()
    }

    /// The entity a field/column/key name stands for: the entity of the
    /// first active detector (in definition order) whose `fields` list holds
    /// the name exactly after [`normalize_field`](crate::normalize_field)
    /// (`Patient-Name` → `patient_name` → [`Entity::Name`]). Structured
    /// drivers treat a whole value under such a name as that entity.
    ///
    /// # Example
    /// ```
    /// use phimask::{Engine, Entity};
    /// let engine = Engine::default();
    /// assert_eq!(engine.entity_for_field("SSN"), Some(Entity::Ssn));
    /// assert_eq!(engine.entity_for_field("notes"), None);
    /// ```
    pub fn entity_for_field(&self, field: &str) -> Option<Entity> {
        let field = normalize_field(field);
        if field.is_empty() {
            return None;
        }
        self.inner.detectors.iter().find(|d| d.fields.contains(&field)).map(|d| d.entity)
    }

    /// The minimum score this engine reports.
    pub fn min_score(&self) -> f32 {
        self.inner.min_score
    }

    /// Scans UTF-8 text. Offsets are byte offsets into `text` and always lie
    /// on char boundaries.
    ///
    /// # Example
    /// ```
    /// let engine = phimask::Engine::default();
    /// let text = "pt John Smith, SSN 123-45-6789";
    /// let found: Vec<_> = engine.scan(text).iter().map(|f| (f.entity().as_str(), &text[f.span()])).collect();
    /// assert_eq!(found, [("NAME", "John Smith"), ("SSN", "123-45-6789")]);
    /// ```
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        self.scan_bytes(text.as_bytes())
    }

    /// Scans bytes that need not be valid UTF-8 (logs often are not).
    pub fn scan_bytes(&self, bytes: &[u8]) -> Vec<Finding> {
        self.scan_field_bytes(None, bytes)
    }

    /// Scans one field value whose field/column/key name is known: the name
    /// counts as context (a column `ssn` makes a bare 9-digit value an SSN;
    /// a key `timestamp` makes a date an event time).
    pub fn scan_field(&self, field: &str, value: &str) -> Vec<Finding> {
        self.scan_field_bytes(Some(field), value.as_bytes())
    }

    /// [`scan_field`](Self::scan_field) over bytes.
    pub fn scan_field_bytes(&self, field: Option<&str>, bytes: &[u8]) -> Vec<Finding> {
        let field = field.map(normalize_field);
        let mut out = Vec::new();
        let mut offset = 0;
        while offset < bytes.len() {
            let len = stream::block_end(&bytes[offset..], true).unwrap_or(bytes.len() - offset);
            self.scan_block(&bytes[offset..offset + len], offset, field.as_deref(), &mut out);
            offset += len;
        }
        out
    }

    /// Scans a reader of any size in bounded memory, calling `sink` with
    /// each finding (absolute byte offsets, in order). Returns the number of
    /// bytes read. `sink` may stop the scan early with `ControlFlow::Break`.
    ///
    /// Findings are identical to [`scan_bytes`](Self::scan_bytes) over the
    /// whole input, whatever sizes the reader returns.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) when reading fails.
    pub fn scan_reader<R: std::io::Read>(
        &self,
        reader: R,
        mut sink: impl FnMut(&Finding) -> ControlFlow<()>,
    ) -> Result<u64, Error> {
        self.scan_blocks(reader, |block| {
            for f in block.findings {
                sink(f)?;
            }
            ControlFlow::Continue(())
        })
    }

    /// Like [`scan_reader`](Self::scan_reader), but hands over each block
    /// with its bytes, so callers can compute line numbers, previews or
    /// masked output without holding the whole input.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) when reading fails.
    pub fn scan_blocks<R: std::io::Read>(
        &self,
        reader: R,
        mut sink: impl FnMut(Block<'_>) -> ControlFlow<()>,
    ) -> Result<u64, Error> {
        let mut findings = Vec::new();
        stream::for_each_block(reader, |offset, bytes| {
            findings.clear();
            self.scan_block(bytes, offset, None, &mut findings);
            sink(Block { offset, bytes, findings: &findings })
        })
    }

    /// [`scan_blocks`](Self::scan_blocks) with the blocks scanned on up to
    /// `threads` threads: blocks are independent, so the findings are the
    /// same, and `sink` still sees every block in input order. Reading stays
    /// on the calling thread; at most eight blocks, and about 512 KiB, per
    /// thread are held at a time (blocks are at most
    /// [`BLOCK_MAX`](crate::BLOCK_MAX) bytes, typically 256 KiB), so memory
    /// stays bounded. `threads <= 1` is [`scan_blocks`](Self::scan_blocks).
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) when reading fails.
    pub fn scan_blocks_parallel<R: std::io::Read>(
        &self,
        reader: R,
        threads: usize,
        mut sink: impl FnMut(Block<'_>) -> ControlFlow<()>,
    ) -> Result<u64, Error> {
        if threads <= 1 {
            return self.scan_blocks(reader, sink);
        }
        // A batch is cut at eight blocks per thread, or at two block
        // targets' worth of bytes per thread once every thread has a block,
        // whichever comes first: its findings are held until
        // the batch is handed on, and a dense line (a finding every 14 bytes)
        // has several times its own size in findings.
        let capacity = 8 * threads;
        let byte_budget = 2 * crate::stream::BLOCK_TARGET * threads;
        let mut held = 0usize;
        let mut batch: Vec<(usize, Vec<u8>)> = Vec::with_capacity(capacity);
        let mut stopped = false;
        let mut flush = |batch: &mut Vec<(usize, Vec<u8>)>| -> ControlFlow<()> {
            let per = batch.len().div_ceil(threads).max(1);
            let results: Vec<Vec<Finding>> = std::thread::scope(|scope| {
                let handles: Vec<_> = batch
                    .chunks(per)
                    .map(|chunk| {
                        scope.spawn(move || {
                            chunk
                                .iter()
                                .map(|(offset, bytes)| {
                                    let mut found = Vec::new();
                                    self.scan_block(bytes, *offset, None, &mut found);
                                    found
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                // A worker can only panic on a bug in the scanner, which the
                // sequential path would hit the same way.
                handles.into_iter().flat_map(|h| h.join().expect("scanner thread")).collect()
            });
            for ((offset, bytes), findings) in batch.iter().zip(&results) {
                sink(Block { offset: *offset, bytes, findings })?;
            }
            batch.clear();
            ControlFlow::Continue(())
        };
        let read = stream::for_each_block(reader, |offset, bytes| {
            batch.push((offset, bytes.to_vec()));
            held += bytes.len();
            if batch.len() == capacity || (held >= byte_budget && batch.len() >= threads) {
                held = 0;
                if flush(&mut batch).is_break() {
                    stopped = true;
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        })?;
        if !stopped && !batch.is_empty() {
            let _ = flush(&mut batch);
        }
        Ok(read)
    }

    /// Scans one block; appends findings with offsets shifted by `offset`.
    fn scan_block(&self, hay: &[u8], offset: usize, field: Option<&str>, out: &mut Vec<Finding>) {
        let inner = &*self.inner;
        let base = out.len();
        SCRATCH.with(|scratch| {
            let mut guard = scratch.borrow_mut();
            let Scratch { hits, cands, tokens, names: name_hits, keywords, searched, claimed } = &mut *guard;
            hits.clear();
            cands.clear();
            keywords.clear();
            inner.shapes.find(hay, hits, &mut |from, end| {
                let k = inner.context.keyword_ending_at(hay, from, end);
                debug_assert!(k.is_some(), "the hotword slot matches only hotwords");
                if let Some(k) = k {
                    keywords.push(k);
                }
            });
            keywords.finish(hay.len());
            let keywords = &*keywords;
            for h in hits.iter() {
                for &det in &inner.shapes.owners[h.slot as usize] {
                    self.consider(hay, det, h.start, h.end, 0.0, field, keywords, cands);
                }
            }
            self.labelled_candidates(hay, field, keywords, searched, cands);
            self.after_address_candidates(hay, field, keywords, cands);
            self.clinical_candidates(hay, field, keywords, cands);
            hits.clear();
            inner.words.find(hay, hits);
            for h in hits.iter() {
                self.consider(hay, inner.words.owners[h.slot as usize], h.start, h.end, 0.0, field, keywords, cands);
            }
            if let Some(det) = inner.names {
                name_hits.clear();
                names::find(inner.word_lists, hay, tokens, name_hits);
                let base = inner.detectors[det as usize].score;
                for h in name_hits.iter() {
                    // The model's score replaces the detector's base score.
                    self.consider(hay, det, h.start, h.end, h.score - base, field, keywords, cands);
                }
            }
            resolve(cands, claimed);
            out.reserve(cands.len());
            for c in cands.iter() {
                let (start, end) = snap_to_chars(hay, c.start, c.end);
                let d = &inner.detectors[c.det as usize];
                out.push(
                    Finding {
                        entity: d.entity,
                        detector: d.id.clone(),
                        start,
                        end,
                        score: round_score(c.score),
                        evidence: Evidence::Unchecked,
                        hotword: c.hotword,
                    }
                    .shifted(offset),
                );
            }
        });
        // A field's value is not a record: its caller knows what it is.
        if field.is_none() {
            self.keyed_values(hay, offset, base, out);
            if inner.person_evidence {
                judge(hay, offset, base, self.kind, out);
            }
        }
    }

    /// Values under keys and columns ([`keyed`]): each is scanned as a value
    /// of its field, and a name, a birth date in digits, a street or a city
    /// that the field vouches for is taken whole. A finding from a value
    /// replaces the findings it contains (`Chen` in `Liam Chen`); one that
    /// overlaps others only partly is dropped.
    fn keyed_values(&self, hay: &[u8], offset: usize, base: usize, out: &mut Vec<Finding>) {
        let inner = &*self.inner;
        let mut pairs = Vec::new();
        keyed::pairs(hay, &inner.keys, &mut pairs);
        if pairs.is_empty() {
            return;
        }
        let mut found = Vec::new();
        for pair in &pairs {
            let value = &hay[pair.start..pair.end];
            let before = found.len();
            if !matches!(pair.entity, Entity::Name | Entity::City) {
                self.scan_block(value, offset + pair.start, Some(&pair.key), &mut found);
            }
            if found.len() > before {
                continue;
            }
            let whole = match pair.entity {
                Entity::Name => keyed::looks_like_name(&pair.key, value),
                Entity::City => keyed::looks_like_city(value),
                Entity::Date => keyed::digit_date(value),
                Entity::Address => keyed::looks_like_street(value),
                _ => false,
            };
            if whole {
                let d = &inner.detectors[pair.det as usize];
                found.push(Finding {
                    entity: pair.entity,
                    detector: d.id.clone(),
                    start: offset + pair.start,
                    end: offset + pair.end,
                    score: round_score((d.score + d.context_boost.max(0.0)).clamp(0.5, 1.0)),
                    evidence: Evidence::Unchecked,
                    hotword: true,
                });
            }
        }
        if found.is_empty() {
            return;
        }
        for f in &mut found {
            f.hotword = true;
        }
        let mut merged: Vec<Finding> = Vec::with_capacity(out.len() - base + found.len());
        let old = out.split_off(base);
        let overlaps = |a: &Finding, b: &Finding| a.start < b.end && b.start < a.end;
        let contains = |a: &Finding, b: &Finding| a.start <= b.start && b.end <= a.end;
        for f in &old {
            if !found.iter().any(|n| contains(n, f) && n.span() != f.span()) {
                merged.push(f.clone());
            }
        }
        for n in found {
            if !merged.iter().any(|m| overlaps(m, &n)) {
                merged.push(n);
            }
        }
        merged.sort_by_key(|f| (f.start, f.end));
        out.extend(merged);
    }

    /// Candidates of keyword-driven detectors: their regex is searched only
    /// right after their hotwords, and over the whole value when the caller's
    /// field name is one of theirs.
    fn labelled_candidates(
        &self,
        hay: &[u8],
        field: Option<&str>,
        keywords: &Keywords,
        searched: &mut rustc_hash::FxHashSet<(u32, usize)>,
        cands: &mut Vec<Candidate>,
    ) {
        let inner = &*self.inner;
        searched.clear();
        for k in keywords.list() {
            for (det, negative) in inner.context.owners(k) {
                // Clinical-text detectors are searched over whole blocks.
                if negative || !inner.labelled.has(det) || inner.clinical.contains(&det) {
                    continue;
                }
                let regex = inner.labelled.regex_of[det as usize];
                if inner.detectors[det as usize].context_after && trails(hay, k.end) {
                    // A value the label follows: the last match before the
                    // label, right against it.
                    let (lo, hi) = inner.context.value_region_before(hay, k.start);
                    let mut at = lo;
                    let mut last = None;
                    while let Some((s, e)) = inner.labelled.find_in(regex, hay, at, hi) {
                        last = Some((s, e));
                        at = e.max(s + 1);
                    }
                    if let Some((s, e)) = last.filter(|&(_, e)| close_before_label(hay, e, k.start)) {
                        if searched.insert((det, s)) {
                            self.consider(hay, det, s, e, 0.0, field, keywords, cands);
                        }
                    }
                }
                let (lo, hi) = inner.context.value_region(hay, k.end);
                let Some((mut s, mut e)) = inner.labelled.find_in(regex, hay, lo, hi) else {
                    continue;
                };
                if !close_to_label(hay, k.end, s) {
                    continue;
                }
                // The value, and further values listed right after it
                // (`domains: a.com, b.org`), at most four.
                for _ in 0..4 {
                    if searched.insert((det, s)) {
                        self.consider(hay, det, s, e, 0.0, field, keywords, cands);
                    }
                    match inner.labelled.find_in(regex, hay, e, hi) {
                        Some((s2, e2)) if hay[e..s2].iter().all(|b| b" ,;/&|".contains(b)) => (s, e) = (s2, e2),
                        _ => break,
                    }
                }
            }
        }
        if let Some(f) = field {
            for (i, d) in inner.detectors.iter().enumerate() {
                let det = i as u32;
                if inner.labelled.has(det) && d.fields.iter().any(|name| field_matches(f, name)) {
                    let regex = inner.labelled.regex_of[i];
                    inner
                        .labelled
                        .for_each(regex, hay, |s, e| self.consider(hay, det, s, e, 0.0, Some(f), keywords, cands));
                }
            }
        }
    }

    /// Candidates of [`Rule::AfterAddress`] detectors: the first match in
    /// the lines after each street address found so far.
    fn after_address_candidates(
        &self,
        hay: &[u8],
        field: Option<&str>,
        keywords: &Keywords,
        cands: &mut Vec<Candidate>,
    ) {
        let inner = &*self.inner;
        if inner.after_address.is_empty() {
            return;
        }
        for i in 0..cands.len() {
            let c = cands[i];
            if inner.detectors[c.det as usize].entity != Entity::Address {
                continue;
            }
            let (lo, hi) = address_region(hay, c.end);
            for &det in &inner.after_address {
                let regex = inner.labelled.regex_of[det as usize];
                if let Some((s, e)) = inner.labelled.find_in(regex, hay, lo, hi) {
                    self.consider(hay, det, s, e, 0.0, field, keywords, cands);
                }
            }
        }
    }

    /// Candidates of [`Rule::ClinicalText`] detectors, in a block that reads
    /// as clinical notes: every match over the block.
    fn clinical_candidates(&self, hay: &[u8], field: Option<&str>, keywords: &Keywords, cands: &mut Vec<Candidate>) {
        let inner = &*self.inner;
        if inner.clinical.is_empty() || !crate::clinical::is_clinical(hay) {
            return;
        }
        for &det in &inner.clinical {
            let regex = inner.labelled.regex_of[det as usize];
            inner.labelled.for_each(regex, hay, |s, e| self.consider(hay, det, s, e, 0.0, field, keywords, cands));
        }
    }

    /// Validates and scores one candidate; pushes it when it clears the bar.
    #[allow(clippy::too_many_arguments)]
    fn consider(
        &self,
        hay: &[u8],
        det: u32,
        start: usize,
        end: usize,
        adjust: f32,
        field: Option<&str>,
        keywords: &Keywords,
        out: &mut Vec<Candidate>,
    ) {
        let inner = &*self.inner;
        let d = &inner.detectors[det as usize];
        // The part of the match the validator takes (a town's words).
        let end = match d.validator.map(|v| v.take(&hay[start..end])) {
            Some(Some(len)) => start + len,
            Some(None) => return,
            None => end,
        };
        // Structural rules first: they are cheap, and they reject most of
        // what the shapes find in logs (event timestamps, versions). An event
        // time survives only next to a patient-date hotword, checked below.
        let mut needs_hotword = false;
        for &rule in &d.rules {
            if !rule_allows(rule, hay, start, end, field) {
                if rule != Rule::LogTimestamp {
                    return;
                }
                needs_hotword = true;
            }
        }
        let evidence = || {
            let mut ev: Hotwords = inner.context.evidence(keywords, hay, start, end, det, d.context_after);
            if let Some(f) = field {
                ev.positive |= d.fields.iter().any(|name| field_matches(f, name));
            }
            ev
        };
        // A candidate that needs a hotword is checked for one before its
        // validator runs: in logs most candidates are event times, which
        // need one and have none. Others run the (usually cheaper, often
        // failing) validator first.
        let needs_positive = d.requires_context || needs_hotword;
        let early = needs_positive.then(evidence);
        if early.is_some_and(|ev| !ev.positive) {
            return;
        }
        let value = &hay[start..end];
        let bonus = match d.validator {
            Some(v) => match v.check(value) {
                Some(b) => b,
                None => return,
            },
            None => 0.0,
        };
        // Hotwords add at most the boost: a candidate below the bar even
        // with it needs no look at them (the same sum as below, so the
        // same float).
        let best = (d.score + adjust + bonus + d.context_boost.max(0.0)).clamp(0.0, 1.0);
        if !(best >= inner.min_score && best > 0.0) {
            return;
        }
        let ev = early.unwrap_or_else(evidence);
        if ev.negative && !ev.positive {
            return;
        }
        let boost = if ev.positive { d.context_boost } else { 0.0 };
        let score = (d.score + adjust + bonus + boost).clamp(0.0, 1.0);
        if score >= inner.min_score && score > 0.0 {
            out.push(Candidate { det, start, end, score, labelled: d.requires_context, hotword: ev.positive });
        }
    }

    /// The validator of the detector that produced `finding`, if it has one.
    pub(crate) fn validator_of(&self, finding: &Finding) -> Option<crate::validate::Validator> {
        self.inner.detectors.iter().find(|d| d.id == finding.detector).and_then(|d| d.validator)
    }

    /// Runs every detector's `match` / `no_match` examples through this
    /// engine: each `match` text must yield a finding of the detector's
    /// entity, each `no_match` text none.
    ///
    /// # Errors
    /// [`ErrorKind::Pattern`](crate::ErrorKind::Pattern) naming the detector
    /// and the failing example's field (`match[2]`), for the first failure.
    pub fn verify_examples(&self) -> Result<(), Error> {
        for d in &self.inner.detectors {
            let fail = |field: String, what: &str| {
                let mut e = Error::pattern(what.to_string()).with_detector(&*d.id).with_field(field);
                if let Some(origin) = &d.examples.origin {
                    e = e.with_path(origin);
                }
                e
            };
            for (i, text) in d.examples.matches.iter().enumerate() {
                if !self.scan(text).iter().any(|f| f.entity == d.entity) {
                    return Err(fail(format!("match[{i}]"), &format!("example is not found as {}", d.entity)));
                }
            }
            for (i, text) in d.examples.no_match.iter().enumerate() {
                if self.scan(text).iter().any(|f| f.entity == d.entity) {
                    return Err(fail(format!("no_match[{i}]"), &format!("example is wrongly found as {}", d.entity)));
                }
            }
        }
        Ok(())
    }
}

impl Default for Engine {
    /// The embedded default pack with default options, built once per
    /// process and shared.
    fn default() -> Engine {
        static DEFAULT: OnceLock<Engine> = OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                // The embedded pack is checked by the test suite; failing here
                // is a build defect, not a user error.
                Engine::builder().build().expect("the embedded default pattern pack is valid")
            })
            .clone()
    }
}

/// Applies the person-evidence rule ([`evidence`]) to the findings of one
/// block, `out[base..]`: drops those without evidence, says why for the rest.
fn judge(hay: &[u8], offset: usize, base: usize, kind: TextKind, out: &mut Vec<Finding>) {
    let items: Vec<Item> = out[base..]
        .iter()
        .map(|f| Item { entity: f.entity, start: f.start - offset, end: f.end - offset, hotword: f.hotword })
        .collect();
    let mut verdicts = evidence::judge(hay, &items, kind).into_iter();
    let mut k = 0;
    out.retain_mut(|f| {
        k += 1;
        if k <= base {
            return true;
        }
        match verdicts.next().flatten() {
            Some(evidence) => {
                f.evidence = evidence;
                true
            }
            None => false,
        }
    });
}

/// `patient_ssn` matches field name `ssn`; `ssn_last4`… also does.
fn field_matches(field: &str, name: &str) -> bool {
    if field == name {
        return true;
    }
    // `name` as a run of whole `_`-separated words of `field`, without
    // allocating: it starts at a word start and ends at a word end.
    field.match_indices(name).any(|(at, _)| {
        let end = at + name.len();
        (at == 0 || field.as_bytes()[at - 1] == b'_') && (end == field.len() || field.as_bytes()[end] == b'_')
    })
}

/// Scores are reported with two decimals so equal evidence prints equally.
fn round_score(s: f32) -> f32 {
    (s * 100.0).round() / 100.0
}

/// Widens a span so it starts and ends on UTF-8 char boundaries.
fn snap_to_chars(hay: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    let cont = |b: u8| (0x80..0xC0).contains(&b);
    while start > 0 && start < hay.len() && cont(hay[start]) {
        start -= 1;
    }
    while end < hay.len() && cont(hay[end]) {
        end += 1;
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Engine>();
        let a = Engine::default();
        let b = Engine::default();
        assert!(Arc::ptr_eq(&a.inner, &b.inner));
    }

    /// The hotwords `scan_block` gathers from `hay`, as spans.
    fn keyword_spans(engine: &Engine, hay: &[u8]) -> Vec<(usize, usize)> {
        let inner = &*engine.inner;
        let mut found = Vec::new();
        inner.shapes.find(hay, &mut Vec::new(), &mut |from, end| {
            found.push(inner.context.keyword_ending_at(hay, from, end).map(|k| (k.start, k.end)));
        });
        found.into_iter().map(|k| k.expect("every hotword match is a hotword")).collect()
    }

    /// The hotword spans of the shape matcher's own leftmost-first search.
    fn oracle_spans(engine: &Engine, hay: &[u8]) -> Vec<(usize, usize)> {
        let shapes = &engine.inner.shapes;
        let slot = shapes.keyword_slot.expect("the default pack has hotwords");
        shapes.matches(hay).into_iter().filter(|m| m.0 == slot).map(|m| (m.1, m.2)).collect()
    }

    /// Text made of hotwords, parts of hotwords and shapes.
    const PIECES: &[&str] = &[
        "#mrn",
        "id no.",
        "(pt)",
        "(",
        ")",
        "date of service",
        "Date",
        "date",
        " ",
        "of",
        "service",
        "mr#",
        "MR #",
        "MRN",
        "mrn:",
        "s/n",
        "S/N",
        "dob",
        "D.O.B",
        "d.o.b.",
        "patient id",
        "Patient",
        "pt",
        "12",
        "3/4",
        "7/22/1962",
        "john@x.org",
        "\n",
        ",",
        "#",
        "follow",
        "up",
        "seen by",
        "zip:",
        "02115",
        "on",
        "x",
        "_",
        "-",
        "account no",
        "no",
        "number",
        "\u{e9}",
        "f:",
        "id",
    ];

    #[test]
    fn hotword_spans_are_the_automaton_s_in_long_blocks() {
        // 64 KiB and more: the lanes' forward pass.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut hay = Vec::new();
        while hay.len() < 96 * 1024 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            hay.extend_from_slice(PIECES[(seed % PIECES.len() as u64) as usize].as_bytes());
        }
        for engine in [Engine::default(), with_odd_hotwords()] {
            let want = oracle_spans(&engine, &hay);
            assert!(want.len() > 1000);
            assert_eq!(keyword_spans(&engine, &hay), want);
        }
        // The user's hotwords that open with punctuation are among them.
        let odd = oracle_spans(&with_odd_hotwords(), &hay);
        assert!(odd.iter().any(|&(s, _)| hay[s] == b'#') && odd.iter().any(|&(s, _)| hay[s] == b'('));
    }

    /// The default pack plus user hotwords that start or end with a byte
    /// that is no word byte, or are a word of a longer hotword.
    fn with_odd_hotwords() -> Engine {
        static ODD: OnceLock<Engine> = OnceLock::new();
        ODD.get_or_init(|| {
            Engine::builder()
                .patterns_str(
                    "odd.toml",
                    "[[detector]]\nid = 'odd'\nentity = 'MRN'\nregex = '\\bQ\\d{6}\\b'\n\
                 context = ['#mrn', 'id no.', 'zip:', '(pt)', 'of service', 'no']\n",
                )
                .build()
                .expect("the odd hotwords build")
        })
        .clone()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn hotword_spans_are_the_automaton_s(parts in proptest::collection::vec(proptest::sample::select(PIECES), 0..80)) {
            let hay = parts.concat().into_bytes();
            for engine in [Engine::default(), with_odd_hotwords()] {
                proptest::prop_assert_eq!(keyword_spans(&engine, &hay), oracle_spans(&engine, &hay));
            }
        }
    }

    #[test]
    fn field_names_match_on_word_boundaries() {
        assert!(field_matches("patient_ssn", "ssn"));
        assert!(field_matches("ssn", "ssn"));
        assert!(!field_matches("lesson", "ssn"));
        assert!(field_matches("home_phone_number", "phone_number"));
    }

    #[test]
    fn options_are_checked() {
        assert_eq!(Engine::builder().min_score(2.0).build().unwrap_err().kind(), crate::ErrorKind::Config);
        let err = Engine::builder().disable_detector("no-such").build().unwrap_err();
        assert_eq!(err.detector_id(), Some("no-such"));
    }

    #[test]
    fn snapping_widens_to_char_boundaries() {
        let s = "aé b".as_bytes();
        assert_eq!(snap_to_chars(s, 2, 2), (1, 3));
    }
}
