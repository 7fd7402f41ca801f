//! Masking: turning findings into safe output.
//!
//! A [`Masker`] runs the engine and replaces each finding's bytes with what
//! the [`Policy`] says for its entity; every byte outside a finding is copied
//! unchanged. It works on text, bytes and streams (block by block, so a
//! stream of any size masks in bounded memory and gives the same output as
//! masking it whole).
//!
//! State across calls — label numbers, statistics — lives in the masker, so
//! one masker per run gives `[NAME_1]` to the same person in every record.
//! The label table is keyed by an HMAC of each value under a random per-run
//! key, not by the value: a masker holds no PHI between calls.
//!
//! Operators that need a key (`hash`, `tokenize`) refuse to build without
//! one. `tokenize` falls back to `mask` for values FF1 cannot take soundly
//! (fewer than 10,000 possible values, non-ASCII letters); the statistics
//! count such values under `mask`.

mod dates;
mod generalize;
mod policy;
mod surrogate;
mod tokens;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::ops::ControlFlow;

pub use policy::{Operator, Policy};

use crate::crypto::{keyed_hash, DerivedKey, Key};
use crate::engine::Engine;
use crate::entity::Entity;
use crate::error::Error;
use crate::finding::{mask_text, Finding};
use crate::validate::Validator;

/// Counts of masked values by entity and operator.
///
/// Under `tokenize`, a value that could not be tokenized is masked one-way
/// and counted under an operator name that says why, never as `tokenize`:
/// [`UNTOKENIZABLE`] (too few letters or digits for a reversible token, or
/// no token of the value's kind exists) and [`NOT_REDETECTED`] (its token
/// would not be found again by a scan, so `unmask` could not restore it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MaskStats {
    /// `(entity, operator name) → values masked`.
    pub by_entity: BTreeMap<(Entity, &'static str), u64>,
    /// Input bytes processed.
    pub bytes: u64,
}

impl MaskStats {
    /// Values masked in all.
    pub fn total(&self) -> u64 {
        self.by_entity.values().sum()
    }

    /// Values masked one-way because they could not be tokenized (see
    /// [`UNTOKENIZABLE`] and [`NOT_REDETECTED`]).
    pub fn fallbacks(&self) -> u64 {
        self.by_entity.iter().filter(|((_, op), _)| [UNTOKENIZABLE, NOT_REDETECTED].contains(op)).map(|(_, n)| n).sum()
    }
}

/// Checks an `unmask` before it runs, so a wrong key or policy is an
/// error rather than wrong values (FF1 tokens carry no checksum):
/// `expected_key_id` is the [`Key::key_id`] recorded when the data was
/// tokenized (a mask report's `key_id`). `None` is an error unless
/// `unverified` says the caller accepts an unchecked restore. A policy that
/// tokenizes nothing cannot be unmasked.
///
/// # Errors
/// [`ErrorKind::Key`](crate::ErrorKind::Key) for a missing expected id or
/// a key whose id differs; [`ErrorKind::Config`](crate::ErrorKind::Config)
/// for a policy that tokenizes no entity.
///
/// # Example
/// ```
/// use phimask::{check_unmask, Key, Policy};
/// let key = Key::generate()?;
/// let policy = Policy::preset("tokenize")?;
/// assert!(check_unmask(&policy, &key, Some(key.key_id()), false).is_ok());
/// assert!(check_unmask(&policy, &key, Some("00000000"), false).is_err());
/// assert!(check_unmask(&policy, &key, None, false).is_err());
/// assert!(check_unmask(&Policy::preset("safe-harbor")?, &key, Some(key.key_id()), false).is_err());
/// # Ok::<(), phimask::Error>(())
/// ```
pub fn check_unmask(policy: &Policy, key: &Key, expected_key_id: Option<&str>, unverified: bool) -> Result<(), Error> {
    if policy.tokenized().is_empty() {
        return Err(Error::config(
            "the policy tokenizes nothing, so its output cannot be unmasked \
             (mask, redact, label, hash, generalize, surrogate and date-shift are one-way)",
        ));
    }
    match expected_key_id {
        Some(expected) if expected != key.key_id() => Err(Error::key(format!(
            "wrong key: the data was tokenized with key {expected}, this key is {}",
            key.key_id()
        ))),
        Some(_) => Ok(()),
        None if unverified => Ok(()),
        None => Err(Error::key(
            "unmask needs the key id recorded when the data was tokenized (a mask report's key_id), \
             or an explicitly unverified restore: tokens carry no checksum, so a wrong key would \
             restore wrong values without an error",
        )),
    }
}

/// The operator name of a value `tokenize` masked one-way because no
/// reversible token of it exists (too few letters or digits, a name of one
/// short word, no valid value of its kind within the walk).
pub const UNTOKENIZABLE: &str = "mask (untokenizable)";

/// The operator name of a value `tokenize` masked one-way because a scan
/// of the output would not find its token again (so `unmask` could not
/// restore it).
pub const NOT_REDETECTED: &str = "mask (token not re-detected)";

/// A token written into the output: where, for what, and where its value
/// was in the input (for the fallback to `mask`).
struct Placed {
    start: usize,
    end: usize,
    entity: Entity,
    check: Option<Validator>,
    value: std::ops::Range<usize>,
}

/// Masks text with one engine, one policy and (optionally) one key.
pub struct Masker {
    engine: Engine,
    policy: Policy,
    key: Option<Key>,
    /// Keys label numbers; drawn only when the policy numbers labels.
    run_key: Option<DerivedKey>,
    labels: HashMap<(Entity, [u8; 16]), usize>,
    next_label: BTreeMap<Entity, usize>,
    stats: MaskStats,
    this_year: i32,
    date_key: Option<DerivedKey>,
    surrogate_key: Option<DerivedKey>,
    subject: Vec<u8>,
    /// Restore tokens instead of masking (see [`Masker::unmasker`]).
    reverse: bool,
    /// This run's tokens (`None`: the value falls back to mask), by
    /// [`token_id`](Masker::token_id), so the cache holds no PHI. FF1 costs
    /// a few thousand instructions a call, and cycle walks take several
    /// calls; logs and dumps repeat values.
    tokens: HashMap<u128, Option<String>>,
    /// Two SipHash keys drawn at random for this masker (see `token_id`).
    token_hashers: [std::collections::hash_map::RandomState; 2],
}

/// The most tokens a masker remembers; the cache starts over when full.
const TOKEN_CACHE: usize = 1 << 16;

impl std::fmt::Debug for Masker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Masker")
            .field("policy", &self.policy)
            .field("key", &self.key)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl Masker {
    /// A masker applying `policy` to what `engine` finds.
    ///
    /// # Errors
    /// [`ErrorKind::Key`](crate::ErrorKind::Key) when the policy has a
    /// `hash` or `tokenize` operator and no key is given, or when the OS
    /// cannot supply randomness for the per-run label key.
    ///
    /// # Example
    /// ```
    /// use phimask::{Engine, Masker, Policy};
    /// let mut masker = Masker::new(Engine::default(), Policy::preset("mask")?, None)?;
    /// assert_eq!(masker.mask_str("SSN 123-45-6789"), "SSN ***-**-6789");
    /// # Ok::<(), phimask::Error>(())
    /// ```
    pub fn new(engine: Engine, policy: Policy, key: Option<Key>) -> Result<Masker, Error> {
        if policy.needs_key() && key.is_none() {
            return Err(Error::key("this policy uses an operator that needs a key (hash, tokenize, surrogate or date-shift), and no key was given"));
        }
        // Only what the policy uses is derived: a masker per call (as the
        // bindings' one-shot `mask` makes) stays cheap.
        let numbered = policy.uses(|op| matches!(op, Operator::Label { numbered: true }));
        let run_key = if numbered { Some(Key::generate()?.derive(b"label run")) } else { None };
        let dates = policy.uses(|op| matches!(op, Operator::DateShift { .. } | Operator::Surrogate));
        let surrogates = policy.uses(|op| matches!(op, Operator::Surrogate));
        Ok(Masker {
            date_key: key.as_ref().filter(|_| dates).map(|k| k.derive(b"date-shift")),
            surrogate_key: key.as_ref().filter(|_| surrogates).map(|k| k.derive(b"surrogate")),
            engine,
            policy,
            key,
            run_key,
            labels: HashMap::new(),
            next_label: BTreeMap::new(),
            stats: MaskStats::default(),
            this_year: generalize::current_year(),
            subject: Vec::new(),
            reverse: false,
            tokens: HashMap::new(),
            token_hashers: Default::default(),
        })
    }

    /// Sets the subject whose dates `date-shift` moves next: every date of
    /// one subject (a `patient_id`) moves by the same keyed offset, so
    /// intervals within a subject survive. Until set, one run-wide subject.
    pub fn set_subject(&mut self, subject: &str) {
        self.subject = subject.as_bytes().to_vec();
    }

    /// What has been masked so far.
    pub fn stats(&self) -> &MaskStats {
        &self.stats
    }

    /// Masks UTF-8 text.
    pub fn mask_str(&mut self, text: &str) -> String {
        self.mask_text_with(text, None)
    }

    /// Masks bytes that need not be valid UTF-8.
    pub fn mask_bytes(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.mask_with(bytes, None)
    }

    /// Masks one field value whose field/column/key name is known: the name
    /// is context for detection and part of the `tokenize` tweak.
    pub fn mask_field(&mut self, field: &str, value: &str) -> String {
        self.mask_text_with(value, Some(field))
    }

    fn mask_text_with(&mut self, text: &str, field: Option<&str>) -> String {
        let out = self.mask_with(text.as_bytes(), field);
        // Replacements are UTF-8 and cut only whole findings, whose spans lie
        // on char boundaries of valid input.
        String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Masks one whole value known to be `entity` (a CSV column or JSON
    /// key named `ssn`, `mrn`, …): no detection runs, the policy's operator
    /// for `entity` replaces the entire value. `field` is the column or key
    /// name, part of the `tokenize` tweak as in [`mask_field`](Self::mask_field).
    /// An empty value stays empty and is not counted.
    ///
    /// # Example
    /// ```
    /// use phimask::{Engine, Entity, Masker, Policy};
    /// let mut masker = Masker::new(Engine::default(), Policy::preset("mask")?, None)?;
    /// assert_eq!(masker.mask_value(Entity::Ssn, Some("ssn"), "123-45-6789"), "***-**-6789");
    /// assert_eq!(masker.mask_value(Entity::Ssn, Some("ssn"), ""), "");
    /// # Ok::<(), phimask::Error>(())
    /// ```
    pub fn mask_value(&mut self, entity: Entity, field: Option<&str>, value: &str) -> String {
        self.stats.bytes += value.len() as u64;
        if value.is_empty() {
            return String::new();
        }
        match self.replacement(entity, value.as_bytes(), field, None) {
            Some((_, text)) => text,
            None => value.to_owned(),
        }
    }

    /// The engine this masker detects with.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Masks a stream into `writer`, block by block in bounded memory.
    /// Returns the number of bytes read.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) when reading or writing fails.
    pub fn mask_reader<R: std::io::Read, W: Write>(&mut self, reader: R, mut writer: W) -> Result<u64, Error> {
        let mut failure = None;
        let engine = self.engine.clone();
        let read = engine.scan_blocks(reader, |block| {
            let mut out = Vec::with_capacity(block.bytes.len());
            self.apply(block.bytes, block.offset, block.findings, None, &mut out);
            match writer.write_all(&out) {
                Ok(()) => ControlFlow::Continue(()),
                Err(e) => {
                    failure = Some(Error::io(&e));
                    ControlFlow::Break(())
                }
            }
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        writer.flush().map_err(|e| Error::io(&e))?;
        Ok(read)
    }

    /// A masker that runs backwards: every `mask_*` method, and the format
    /// drivers ([`mask_format`](crate::mask_format) and the rest) given it,
    /// restore what `policy`'s `tokenize` operator made under `key` and copy
    /// everything else. It is how `phimask unmask` reverses a CSV, a JSON
    /// file or a SQL dump through the same code that masked it.
    ///
    /// # Errors
    /// [`ErrorKind::Key`](crate::ErrorKind::Key) without a key.
    pub fn unmasker(engine: Engine, policy: Policy, key: Option<Key>) -> Result<Masker, Error> {
        if key.is_none() {
            return Err(Error::key(UNMASK_NEEDS_KEY));
        }
        let mut masker = Masker::new(engine, policy, key)?;
        masker.reverse = true;
        Ok(masker)
    }

    /// Reverses the `tokenize` operator in text this masker's policy and
    /// key masked: every value of an entity the policy tokenizes is
    /// detected again and decrypted; everything else (including values
    /// other operators replaced, which cannot be reversed) is copied.
    ///
    /// # Errors
    /// [`ErrorKind::Key`](crate::ErrorKind::Key) when the masker has no key.
    ///
    /// # Example
    /// ```
    /// use phimask::{Engine, Key, Masker, Policy};
    /// let key = Key::generate()?;
    /// let mut masker = Masker::new(Engine::default(), Policy::preset("tokenize")?, Some(key))?;
    /// let masked = masker.mask_str("SSN 123-45-6789, pt John Smith");
    /// assert_ne!(masked, "SSN 123-45-6789, pt John Smith");
    /// assert_eq!(masker.unmask_str(&masked)?, "SSN 123-45-6789, pt John Smith");
    /// # Ok::<(), phimask::Error>(())
    /// ```
    pub fn unmask_str(&mut self, text: &str) -> Result<String, Error> {
        self.backwards(|m| m.mask_str(text))
    }

    /// [`unmask_str`](Self::unmask_str) for one field value masked with
    /// [`mask_field`](Self::mask_field) under the same field name.
    ///
    /// # Errors
    /// As [`unmask_str`](Self::unmask_str).
    pub fn unmask_field(&mut self, field: &str, value: &str) -> Result<String, Error> {
        self.backwards(|m| m.mask_field(field, value))
    }

    /// Reverses [`mask_value`](Self::mask_value) for a value the policy
    /// tokenizes; values of other operators, and values that cannot be
    /// tokens of `entity`, are returned unchanged.
    ///
    /// # Errors
    /// [`ErrorKind::Key`](crate::ErrorKind::Key) without a key.
    pub fn unmask_value(&mut self, entity: Entity, field: Option<&str>, token: &str) -> Result<String, Error> {
        self.backwards(|m| m.mask_value(entity, field, token))
    }

    /// Unmasks a stream into `writer`, block by block in bounded memory.
    /// Returns the number of bytes read.
    ///
    /// # Errors
    /// [`ErrorKind::Key`](crate::ErrorKind::Key) without a key,
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) when reading or writing fails.
    pub fn unmask_reader<R: std::io::Read, W: Write>(&mut self, reader: R, writer: W) -> Result<u64, Error> {
        self.backwards(|m| m.mask_reader(reader, writer))?
    }

    /// Runs `f` with the masker reversed (see [`unmasker`](Self::unmasker)).
    pub(crate) fn backwards<T>(&mut self, f: impl FnOnce(&mut Masker) -> T) -> Result<T, Error> {
        if self.key.is_none() {
            return Err(Error::key(UNMASK_NEEDS_KEY));
        }
        let was = std::mem::replace(&mut self.reverse, true);
        let out = f(self);
        self.reverse = was;
        Ok(out)
    }

    fn mask_with(&mut self, bytes: &[u8], field: Option<&str>) -> Vec<u8> {
        let findings = self.engine.scan_field_bytes(field, bytes);
        let mut out = Vec::with_capacity(bytes.len());
        self.apply(bytes, 0, &findings, field, &mut out);
        out
    }

    /// Copies `bytes` (which start at absolute `offset`) into `out` with
    /// each finding replaced.
    fn apply(&mut self, bytes: &[u8], offset: usize, findings: &[Finding], field: Option<&str>, out: &mut Vec<u8>) {
        let base = out.len();
        let mut placed = Vec::new();
        let mut at = 0;
        for f in findings {
            let (start, end) = (f.start() - offset, f.end() - offset);
            out.extend_from_slice(&bytes[at..start]);
            let check = self.engine.validator_of(f);
            match self.replacement(f.entity(), &bytes[start..end], field, check) {
                Some((operator, text)) => {
                    let from = out.len();
                    out.extend_from_slice(text.as_bytes());
                    if operator == "tokenize" {
                        placed.push(Placed {
                            start: from,
                            end: out.len(),
                            entity: f.entity(),
                            check,
                            value: start..end,
                        });
                    }
                }
                None => out.extend_from_slice(&bytes[start..end]),
            }
            at = end;
        }
        out.extend_from_slice(&bytes[at..]);
        self.stats.bytes += bytes.len() as u64;
        if !placed.is_empty() {
            self.verify_tokens(bytes, base, out, placed, field);
        }
    }

    /// Checks one line's tokens against what a scan of the line found
    /// (`found`, offsets relative to `line_start`): `None` when the scan
    /// finds exactly the tokens (same span, entity and validator; dates and
    /// names also decrypt back to their value) and nothing else of a
    /// tokenized entity; else which tokens failed, and whether there was
    /// an extra finding.
    fn tokens_hold(
        &self,
        bytes: &[u8],
        out: &[u8],
        tokens: &[Placed],
        found: &[Finding],
        line_start: usize,
        field: Option<&str>,
    ) -> Option<(Vec<bool>, bool)> {
        let tokenized: Vec<&Finding> =
            found.iter().filter(|f| matches!(self.policy.operator(f.entity()), Operator::Tokenize)).collect();
        let key = self.key.as_ref().expect("tokens need a key");
        // By span: a look-up per token, not a pass over the line's findings
        // (a long line holds tens of thousands of each).
        let mut by_span: rustc_hash::FxHashMap<(usize, usize), Vec<&Finding>> = rustc_hash::FxHashMap::default();
        for f in &tokenized {
            by_span.entry((f.start() + line_start, f.end() + line_start)).or_default().push(f);
        }
        let kept = |t: &Placed| {
            let found = by_span.get(&(t.start, t.end)).is_some_and(|fs| {
                fs.iter().any(|f| {
                    f.entity() == t.entity && (t.entity == Entity::Date || self.engine.validator_of(f) == t.check)
                })
            });
            // Dates and names can read back another way (`13/01` is
            // day-first, its token may not be): decrypt them to be sure
            // (both are mostly table look-ups, so this is cheap).
            found
                && (!matches!(t.entity, Entity::Date | Entity::Name)
                    || std::str::from_utf8(&out[t.start..t.end])
                        .ok()
                        .and_then(|token| untokenize(key, t.entity, field, token, t.check))
                        .as_deref()
                        .map(str::as_bytes)
                        == Some(&bytes[t.value.clone()]))
        };
        let failed: Vec<bool> = tokens.iter().map(|t| !kept(t)).collect();
        let extra = tokenized.len() > failed.iter().filter(|&&f| !f).count();
        (extra || failed.contains(&true)).then_some((failed, extra))
    }

    /// Makes `unmask` exact: rescans each output line that holds tokens
    /// and keeps a token only when the scan finds exactly the tokens there
    /// (same span, entity and validator, nothing else of a tokenized
    /// entity). A token that would not be found again (a name token the
    /// model does not read as a name), or that makes a neighbour look like
    /// PHI, is replaced by `mask` instead — first the tokens that failed,
    /// then every token of the line. Only lines with tokens are rescanned.
    fn verify_tokens(
        &mut self,
        bytes: &[u8],
        base: usize,
        out: &mut Vec<u8>,
        mut placed: Vec<Placed>,
        field: Option<&str>,
    ) {
        let line_end = |out: &[u8], from: usize| memchr::memchr(b'\n', &out[from..]).map_or(out.len(), |p| from + p);
        let line_start = |out: &[u8], to: usize| memchr::memrchr(b'\n', &out[base..to]).map_or(base, |p| base + p + 1);
        // Every line holding tokens in one scan (lines joined with a gap
        // wider than the context window, so no line lends another context).
        let mut lines = Vec::new(); // (start, end, first token, end of tokens)
        let mut i = 0;
        while i < placed.len() {
            let (start, end) = (line_start(out, placed[i].start), line_end(out, placed[i].end));
            let j = i + placed[i..].iter().take_while(|t| t.start < end).count();
            lines.push((start, end, i, j));
            i = j;
        }
        const GAP: &[u8] = &[b' '; 256];
        let mut joined = Vec::new();
        let mut at = Vec::with_capacity(lines.len());
        for &(start, end, _, _) in &lines {
            at.push(joined.len());
            joined.extend_from_slice(&out[start..end]);
            joined.push(b'\n');
            joined.extend_from_slice(GAP);
            joined.push(b'\n');
        }
        let all_found = self.engine.scan_field_bytes(field, &joined);
        // Each finding to the line it lies in (one binary search each, not
        // a pass over all findings per line), in scan order.
        let mut by_line: Vec<Vec<Finding>> = vec![Vec::new(); lines.len()];
        for f in &all_found {
            let line = at.partition_point(|&off| off <= f.start()) - 1;
            let (start, end, _, _) = lines[line];
            if f.end() <= at[line] + (end - start) {
                by_line[line].push(f.clone().shifted_back(at[line]));
            }
        }
        let verdicts: Vec<Option<(Vec<bool>, bool)>> = lines
            .iter()
            .zip(&by_line)
            .map(|(&(start, _, i, j), found)| self.tokens_hold(bytes, out, &placed[i..j], found, start, field))
            .collect();

        // Lines that failed: mask the failed tokens (every token of the line
        // when the scan found something extra), rescan, and if it still does
        // not hold, mask the rest of the line's tokens. Masking changes
        // lengths: `removed` and `shift` carry that to the later lines.
        let (mut removed, mut shift) = (0usize, 0isize);
        for (&(start, end, i, j), verdict) in lines.iter().zip(verdicts) {
            let Some(mut verdict) = verdict else { continue };
            let (i, mut j) = (i - removed, j - removed);
            let start = start.wrapping_add_signed(shift);
            let mut end = end.wrapping_add_signed(shift);
            for round in 0..2 {
                let (failed, extra) = verdict;
                let mut k = j;
                while k > i {
                    k -= 1;
                    if !(extra || round > 0 || failed[k - i]) {
                        continue;
                    }
                    let t = placed.remove(k);
                    // Masked whole: a kept tail (`****3456`) would be found
                    // again, and `unmask` would decrypt it as a token.
                    let masked = mask_text(t.entity, &bytes[t.value.clone()], '*', 0, Some(0), false);
                    let delta = masked.len() as isize - (t.end - t.start) as isize;
                    out.splice(t.start..t.end, masked.bytes());
                    for later in &mut placed[k..] {
                        later.start = later.start.wrapping_add_signed(delta);
                        later.end = later.end.wrapping_add_signed(delta);
                    }
                    end = end.wrapping_add_signed(delta);
                    shift += delta;
                    j -= 1;
                    removed += 1;
                    if let Some(n) = self.stats.by_entity.get_mut(&(t.entity, "tokenize")) {
                        *n -= 1;
                    }
                    *self.stats.by_entity.entry((t.entity, NOT_REDETECTED)).or_default() += 1;
                }
                self.stats.by_entity.retain(|_, n| *n > 0);
                if i == j {
                    break;
                }
                let found = self.engine.scan_field_bytes(field, &out[start..end]);
                match self.tokens_hold(bytes, out, &placed[i..j], &found, start, field) {
                    Some(again) => verdict = again,
                    None => break,
                }
            }
        }
        if removed > 0 {
            self.mask_exposed(base, out, &mut placed, field);
        }
    }

    /// Masks what the output exposes once tokens fell back to `mask`: a
    /// value that reads as PHI in its new context (a label's context moves
    /// on to the next candidate, also across lines) would be taken for a
    /// token by `unmask`, which scans whole blocks, and "restored" although
    /// it never was one. Masking one can expose the next, so it repeats; a
    /// label lends context only within its window, so a cascade is short,
    /// and the bound keeps a pathological block linear.
    fn mask_exposed(&mut self, base: usize, out: &mut Vec<u8>, placed: &mut [Placed], field: Option<&str>) {
        for _ in 0..32 {
            let found = self.engine.scan_field_bytes(field, &out[base..]);
            let tokens: rustc_hash::FxHashSet<(usize, usize)> = placed.iter().map(|t| (t.start, t.end)).collect();
            let exposed: Vec<(usize, usize, Entity)> = found
                .iter()
                .filter(|f| matches!(self.policy.operator(f.entity()), Operator::Tokenize))
                .map(|f| (f.start() + base, f.end() + base, f.entity()))
                .filter(|&(s, e, _)| !tokens.contains(&(s, e)))
                .collect();
            if exposed.is_empty() {
                return;
            }
            for (s, e, entity) in exposed.into_iter().rev() {
                let masked = mask_text(entity, &out[s..e], '*', 0, Some(0), false);
                let delta = masked.len() as isize - (e - s) as isize;
                out.splice(s..e, masked.bytes());
                if delta != 0 {
                    for later in placed.iter_mut().filter(|t| t.start >= e) {
                        later.start = later.start.wrapping_add_signed(delta);
                        later.end = later.end.wrapping_add_signed(delta);
                    }
                }
                *self.stats.by_entity.entry((entity, "mask")).or_default() += 1;
            }
        }
    }

    /// The text that replaces one value.
    /// What replaces one value, with the name of the operator that made it
    /// (as counted in the statistics); `None` when the value stays as it is
    /// byte for byte (unmasking anything but a token).
    fn replacement(
        &mut self,
        entity: Entity,
        value: &[u8],
        field: Option<&str>,
        check: Option<Validator>,
    ) -> Option<(&'static str, String)> {
        if self.reverse {
            return self.restore(entity, value, field, check);
        }
        let operator = self.policy.operator(entity).clone();
        let (name, text): (&'static str, String) = match operator {
            Operator::Redact => ("redact", String::new()),
            Operator::Label { numbered: false } => ("label", format!("[{entity}]")),
            Operator::Label { numbered: true } => ("label", format!("[{entity}_{}]", self.label_number(entity, value))),
            Operator::Mask { mask_char, keep_first, keep_last } => {
                ("mask", mask_text(entity, value, mask_char, keep_first, keep_last, false))
            }
            Operator::Hash { length } => {
                let key = self.key.as_ref().expect("checked in Masker::new");
                ("hash", format!("{entity}_{}", keyed_hash(key, entity.as_str(), value, length)))
            }
            Operator::Generalize { reference_year } => {
                let year = reference_year.unwrap_or(self.this_year);
                match generalize::generalize(entity, value, year) {
                    Some(text) => ("generalize", text),
                    // Policies allow generalize only where it applies.
                    None => ("redact", String::new()),
                }
            }
            Operator::DateShift { max_days } => self.shift(entity, value, max_days, "date-shift"),
            Operator::Surrogate if entity == Entity::Date => self.shift(entity, value, 365, "surrogate"),
            Operator::Surrogate => {
                let key = self.surrogate_key.as_ref().expect("checked in Masker::new");
                ("surrogate", surrogate::surrogate(key, entity, value))
            }
            Operator::Tokenize => {
                let id = self.token_id(entity, field, check, value);
                let token = match self.tokens.get(&id) {
                    Some(token) => token.clone(),
                    None => {
                        let key = self.key.as_ref().expect("checked in Masker::new");
                        let token = std::str::from_utf8(value).ok().and_then(|v| match entity {
                            Entity::Date => tokenize_date(key, field, v),
                            _ => tokens::encrypt(key, entity, field, v, check),
                        });
                        if self.tokens.len() >= TOKEN_CACHE {
                            self.tokens.clear();
                        }
                        self.tokens.insert(id, token.clone());
                        token
                    }
                };
                match token {
                    Some(token) => ("tokenize", token),
                    // Masked whole, as above.
                    None => (UNTOKENIZABLE, mask_text(entity, value, '*', 0, Some(0), false)),
                }
            }
        };
        *self.stats.by_entity.entry((entity, name)).or_default() += 1;
        Some((name, text))
    }

    /// The token cache's id for a value: two SipHash-1-3 values under keys
    /// drawn at random for this masker (a keyed PRF, so the id reveals
    /// nothing of the value without the in-memory keys, and costs tens of
    /// nanoseconds where an HMAC costs a microsecond), 128 bits so that two
    /// values of one run never share an id in practice.
    fn token_id(&self, entity: Entity, field: Option<&str>, check: Option<Validator>, value: &[u8]) -> u128 {
        use std::hash::BuildHasher;
        let [a, b] = self.token_hashers.each_ref().map(|state| state.hash_one((entity, field, check, value)));
        (u128::from(a) << 64) | u128::from(b)
    }

    /// The original of one token when the policy tokenizes `entity` and
    /// the value decrypts; else `None` (the value stays as it is).
    fn restore(
        &mut self,
        entity: Entity,
        value: &[u8],
        field: Option<&str>,
        check: Option<Validator>,
    ) -> Option<(&'static str, String)> {
        if !matches!(self.policy.operator(entity), Operator::Tokenize) {
            return None;
        }
        let key = self.key.as_ref().expect("checked by backwards and unmasker");
        let original = untokenize(key, entity, field, std::str::from_utf8(value).ok()?, check)?;
        *self.stats.by_entity.entry((entity, "unmask")).or_default() += 1;
        Some(("unmask", original))
    }

    /// Moves a date by the current subject's keyed offset (1 to `max_days`
    /// days, either way); dates it cannot read are masked.
    fn shift(&self, entity: Entity, value: &[u8], max_days: u32, name: &'static str) -> (&'static str, String) {
        let date_key = self.date_key.as_ref().expect("checked in Masker::new");
        let mac = date_key.mac(&[&self.subject]);
        let n = u64::from_le_bytes(mac[..8].try_into().expect("eight bytes"));
        let magnitude = (n % u64::from(max_days)) as i64 + 1;
        let days = if mac[8] & 1 == 0 { magnitude } else { -magnitude };
        match std::str::from_utf8(value).ok().and_then(|v| dates::shift_date(v, days)) {
            Some(text) => (name, text),
            None => ("mask", mask_text(entity, value, '*', 0, None, false)),
        }
    }

    /// The instance number of `value` among this run's values of `entity`.
    fn label_number(&mut self, entity: Entity, value: &[u8]) -> usize {
        let run_key = self.run_key.as_ref().expect("drawn in Masker::new for numbering policies");
        let mac = run_key.mac(&[entity.as_str().as_bytes(), value]);
        let mut id = [0u8; 16];
        id.copy_from_slice(&mac[..16]);
        let next = self.next_label.entry(entity).or_insert(0);
        *self.labels.entry((entity, id)).or_insert_with(|| {
            *next += 1;
            *next
        })
    }
}

const UNMASK_NEEDS_KEY: &str = "unmask needs the key the values were tokenized with, and no key was given";

/// Years a full date may have to be tokenized: four-digit years 1900–2099;
/// two-digit years 1930–2029 (the window the detectors read them in).
fn date_window(two_digit_year: bool) -> (i64, i64) {
    if two_digit_year {
        (dates::days_from_civil(1930, 1, 1), dates::days_from_civil(2029, 12, 31))
    } else {
        (dates::days_from_civil(1900, 1, 1), dates::days_from_civil(2099, 12, 31))
    }
}

/// Tokenizes a full date as another valid date in the same format: a keyed
/// permutation ([`Key::permutation`]) of the day numbers in the year
/// window, cycle-walking until the
/// result is inside the window and in the value's layout class
/// ([`dates::layout_class`]). That is a permutation of each class, so
/// [`detokenize_value`] walks back, and the token's layout reads back as the
/// value's. Partial dates and years outside the window give `None` (the
/// caller masks them).
fn tokenize_date(key: &Key, field: Option<&str>, value: &str) -> Option<String> {
    let (day, style) = dates::day_number(value)?;
    let x = walk_date(key, field, day, style, true)?;
    dates::shift_date(value, x - day)
}

/// Cycle-walks `day` through the window's keyed permutation (forward or
/// back) until the result is in the same layout class; `None` when `day`
/// is outside the window.
fn walk_date(key: &Key, field: Option<&str>, day: i64, style: dates::Style, encrypt: bool) -> Option<i64> {
    let (lo, hi) = date_window(style.two_digit_year);
    if day < lo || day > hi {
        return None;
    }
    let class = dates::layout_class(day, style);
    // The tweak: window and field, length-prefixed.
    let field = field.unwrap_or("");
    let purpose = format!("DATE/day/{}/{}:{field}", u8::from(style.two_digit_year), field.len());
    let days = key.permutation(&purpose, (hi - lo + 1) as usize);
    let mut x = (day - lo) as usize;
    loop {
        x = days.apply(x, encrypt);
        if dates::layout_class(lo + x as i64, style) == class {
            return Some(lo + x as i64);
        }
    }
}

/// Reverses the `tokenize` operator for one value of `entity`: dates are
/// walked back through the day-number permutation, everything else goes
/// through [`detokenize`](crate::detokenize).
///
/// # Errors
/// [`ErrorKind::Input`](crate::ErrorKind::Input) when the token cannot have
/// come from `tokenize` under this entity and field (the message never
/// contains the token).
pub fn detokenize_value(key: &Key, entity: Entity, field: Option<&str>, token: &str) -> Result<String, Error> {
    untokenize(key, entity, field, token, None)
        .ok_or_else(|| Error::new(crate::ErrorKind::Input, format!("not a {entity} token of this key and field")))
}

/// Reverses one token; `check` is the validator of the detector that found
/// it (see [`tokens`]).
fn untokenize(key: &Key, entity: Entity, field: Option<&str>, token: &str, check: Option<Validator>) -> Option<String> {
    if entity != Entity::Date {
        return tokens::decrypt(key, entity, field, token, check);
    }
    let (day, style) = dates::day_number(token)?;
    let original = walk_date(key, field, day, style, false)?;
    dates::shift_date(token, original - day)
}

impl Engine {
    /// A [`Masker`] over this engine.
    ///
    /// # Errors
    /// See [`Masker::new`].
    pub fn masker(&self, policy: Policy, key: Option<Key>) -> Result<Masker, Error> {
        Masker::new(self.clone(), policy, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_key;

    fn key(byte: u8) -> Key {
        Key::from_bytes(test_key(byte)).unwrap()
    }

    fn masker(policy: &str, key: Option<Key>) -> Masker {
        Masker::new(Engine::default(), Policy::preset(policy).unwrap(), key).unwrap()
    }

    #[test]
    fn operators_do_what_the_table_says() {
        assert_eq!(masker("mask", None).mask_str("SSN 123-45-6789"), "SSN ***-**-6789");
        assert_eq!(masker("redact", None).mask_str("SSN 123-45-6789"), "SSN ");
        assert_eq!(masker("label", None).mask_str("SSN 123-45-6789"), "SSN [SSN_1]");
        let hashed = masker("hash", Some(key(1))).mask_str("SSN 123-45-6789");
        assert!(hashed.starts_with("SSN SSN_") && hashed.len() == "SSN SSN_".len() + 10, "{hashed}");
        let token = masker("tokenize", Some(key(1))).mask_str("SSN 123-45-6789");
        assert_ne!(token, "SSN 123-45-6789");
        assert_eq!(token.len(), "SSN 123-45-6789".len());
        assert_eq!(&token[7..8], "-");
    }

    #[test]
    fn safe_harbor_generalizes_and_labels() {
        let mut m = masker("safe-harbor", None);
        let out = m.mask_str("pt John Smith, DOB 03/14/1962, 93 yo, Boston, MA 02115, SSN 123-45-6789");
        assert_eq!(out, "pt [NAME_1], DOB 1962, 90+ yo, [CITY_1], MA 021, SSN [SSN_1]");
    }

    #[test]
    fn date_shift_keeps_intervals_within_a_subject() {
        let policy = Policy::from_toml(
            "[default]\noperator = 'mask'\n[entity.DATE]\noperator = 'date-shift'\n",
            std::path::Path::new("p.toml"),
        )
        .unwrap();
        let mut m = Masker::new(Engine::default(), policy.clone(), Some(key(7))).unwrap();
        m.set_subject("P-0001");
        let a = m.mask_str("admitted 03/01/2020, discharged 03/11/2020");
        assert_ne!(a, "admitted 03/01/2020, discharged 03/11/2020");
        // Same format (MM/DD/YYYY at the same places), and the ten-day
        // interval survives.
        assert_eq!(a.len(), "admitted 03/01/2020, discharged 03/11/2020".len());
        let day_number = |s: &str| {
            let v: Vec<i64> = s.split('/').map(|x| x.parse().unwrap()).collect();
            dates::days_from_civil(v[2], v[0], v[1])
        };
        assert_eq!(day_number(&a[32..42]) - day_number(&a[9..19]), 10, "{a}");
        let mut again = Masker::new(Engine::default(), policy.clone(), Some(key(7))).unwrap();
        again.set_subject("P-0001");
        assert_eq!(
            again.mask_str("admitted 03/01/2020, discharged 03/11/2020"),
            a,
            "deterministic per key and subject"
        );
        let mut other = Masker::new(Engine::default(), policy, Some(key(7))).unwrap();
        other.set_subject("P-0002");
        assert_ne!(other.mask_str("admitted 03/01/2020, discharged 03/11/2020"), a);
    }

    #[test]
    fn labels_number_values_across_calls() {
        let mut m = masker("label", None);
        assert_eq!(m.mask_str("pt John Smith and Mary Jones"), "pt [NAME_1] and [NAME_2]");
        assert_eq!(m.mask_str("Mary Jones called; pt John Smith"), "[NAME_2] called; pt [NAME_1]");
        assert_eq!(m.stats().by_entity[&(Entity::Name, "label")], 4);
    }

    #[test]
    fn keyed_operators_need_a_key_and_depend_on_it() {
        let err = Masker::new(Engine::default(), Policy::preset("tokenize").unwrap(), None).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Key);
        let text = "SSN 123-45-6789, MRN: 00123456";
        let a = masker("tokenize", Some(key(1))).mask_str(text);
        assert_eq!(a, masker("tokenize", Some(key(1))).mask_str(text), "deterministic per key");
        assert_ne!(a, masker("tokenize", Some(key(2))).mask_str(text), "differs across keys");
        let h1 = masker("hash", Some(key(1))).mask_str(text);
        assert_ne!(h1, masker("hash", Some(key(2))).mask_str(text));
    }

    #[test]
    fn dates_tokenize_to_valid_dates_and_back() {
        let k = key(5);
        for date in [
            "03/14/1962",
            "1962-03-14",
            "March 14, 1962",
            "14 Mar 1962",
            "3-14-62",
            "12/31/1999",
            "3/14/1962",
            "10/12/1962",
            "March 4, 1962",
            "Dec 25, 2001",
            "2001-12-25",
        ] {
            let token = tokenize_date(&k, None, date).unwrap();
            assert_ne!(token, date);
            assert!(dates::day_number(&token).is_some(), "{date} -> {token} is not a date");
            assert_eq!(detokenize_value(&k, Entity::Date, None, &token).unwrap(), date, "{token}");
        }
        assert!(tokenize_date(&k, None, "7/22").is_none(), "no year: not tokenizable");
        let mut m = masker("tokenize", Some(k));
        let out = m.mask_str("DOB 03/14/1962");
        assert!(dates::day_number(&out[4..]).is_some(), "{out}");
    }

    #[test]
    fn tokenize_falls_back_to_mask_for_tiny_values() {
        let mut m = masker("tokenize", Some(key(1)));
        let out = m.mask_str("a 92 year old");
        assert_eq!(out, "a ** year old");
        assert_eq!(m.stats().by_entity[&(Entity::AgeOver89, UNTOKENIZABLE)], 1);
        assert_eq!(m.stats().fallbacks(), 1);
    }

    #[test]
    fn debug_shows_no_values() {
        let mut m = masker("label", Some(key(3)));
        m.mask_str("pt John Smith SSN 123-45-6789");
        let shown = format!("{m:?}");
        assert!(!shown.contains("Smith") && !shown.contains("6789"), "{shown}");
    }
}
