//! Node bindings for phimask, built with napi-rs.
//!
//! The binding is thin on purpose: a method converts its arguments, makes one
//! core call and converts the result, so Node, Python, the CLI and Rust
//! cannot drift apart. What it adds is only what JavaScript needs:
//!
//! - **Offsets in UTF-16 code units.** JavaScript strings index by UTF-16
//!   units, so the core converts every finding's byte span with
//!   `convert_offsets(…, OffsetUnit::Utf16)` in one forward walk per text;
//!   `text.slice(f.start, f.end)` is the value even after emoji.
//! - **Error codes.** Every core error becomes an `Error` whose `code` is
//!   stable per core error kind (`PHIMASK_PATTERN`, `PHIMASK_CONFIG`,
//!   `PHIMASK_IO`, `PHIMASK_INPUT`, `PHIMASK_KEY`), with the core error's
//!   `detectorId`, `field`, `path` and `line` as properties. Core messages
//!   are built from configuration only (paths, detector ids), never from
//!   scanned text or key bytes; the few messages the binding makes itself
//!   name paths and option values, nothing else.
//! - **Work off the main thread.** `scanAsync` and `maskFileAsync` are
//!   `AsyncTask`s on the libuv pool. An `AbortSignal` cancels a task that
//!   has not started (napi cancels the work) and stops a running file mask
//!   at its next read (a flag the reader checks), leaving the output file
//!   untouched.
//!
//! The trade-off: a finding is a plain object (entity, detector, offsets,
//! score, masked preview) and never holds the value, so logging or
//! inspecting findings cannot leak PHI; callers slice the text they scanned.
#![deny(missing_docs)]

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::{
    AbortSignal, AsyncTask, Buffer, ClassInstance, FromNapiValue, JsObjectValue, JsValue, Object, Status,
};
use napi::{Env, Result, Task};
use napi_derive::napi;
use phimask::{Entity, ErrorKind, OffsetUnit};

/// The stable `code` of a core error kind.
fn code_of(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Pattern => "PHIMASK_PATTERN",
        ErrorKind::Config => "PHIMASK_CONFIG",
        ErrorKind::Io => "PHIMASK_IO",
        ErrorKind::Input => "PHIMASK_INPUT",
        ErrorKind::Key => "PHIMASK_KEY",
        _ => "PHIMASK_ERROR",
    }
}

/// A failure with its code and, for core errors, where it is about; made
/// on either thread, turned into a JavaScript `Error` on the main thread.
struct Failure {
    code: &'static str,
    message: String,
    detector_id: Option<String>,
    field: Option<String>,
    path: Option<String>,
    line: Option<u64>,
}

impl Failure {
    fn new(code: &'static str, message: impl Into<String>) -> Failure {
        Failure { code, message: message.into(), detector_id: None, field: None, path: None, line: None }
    }

    /// A JavaScript `Error` with `code` and, when known, `detectorId`,
    /// `field`, `path` and `line` properties.
    fn into_js(self, env: &Env) -> napi::Error {
        let made = env.create_error(napi::Error::new(Status::GenericFailure, self.message)).and_then(|mut error| {
            error.set_named_property("code", self.code)?;
            if self.code == ABORT_CODE {
                error.set_named_property("name", "AbortError")?;
            }
            if let Some(id) = self.detector_id {
                error.set_named_property("detectorId", id)?;
            }
            if let Some(field) = self.field {
                error.set_named_property("field", field)?;
            }
            if let Some(path) = self.path {
                error.set_named_property("path", path)?;
            }
            if let Some(line) = self.line {
                error.set_named_property("line", line as f64)?;
            }
            Ok(napi::Error::from(error.to_unknown()))
        });
        made.unwrap_or_else(|e| e)
    }
}

impl From<phimask::Error> for Failure {
    fn from(e: phimask::Error) -> Failure {
        Failure {
            code: code_of(e.kind()),
            message: e.to_string(),
            detector_id: e.detector_id().map(str::to_string),
            field: e.field().map(str::to_string),
            path: e.path().map(|p| p.display().to_string()),
            line: e.line(),
        }
    }
}

/// `code` of the error an aborted task rejects with (Node's own).
const ABORT_CODE: &str = "ABORT_ERR";

/// A core error as a JavaScript error.
fn core(env: &Env) -> impl Fn(phimask::Error) -> napi::Error + '_ {
    move |e| Failure::from(e).into_js(env)
}

/// A binding failure as a JavaScript error.
fn js(env: &Env) -> impl Fn(Failure) -> napi::Error + '_ {
    move |f| f.into_js(env)
}

fn config(message: impl Into<String>) -> Failure {
    Failure::new("PHIMASK_CONFIG", message)
}

fn entities(names: &[String]) -> std::result::Result<Vec<Entity>, Failure> {
    names.iter().map(|n| n.parse::<Entity>().map_err(|e| config(format!("{e}: '{n}'")))).collect()
}

/// The phimask version.
#[napi]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Options of `new Engine(options)`. Omitted options keep the core defaults.
#[napi(object)]
#[derive(Default)]
pub struct EngineOptions {
    /// Keep only detectors of these entities (`["SSN", "MRN"]`).
    pub entities: Option<Vec<String>>,
    /// Drop detectors of these entities.
    pub exclude_entities: Option<Vec<String>>,
    /// Drop detectors by id (`["zip-bare"]`); an unknown id is an error.
    pub disable_detectors: Option<Vec<String>>,
    /// Pattern files to add (same schema as `patterns/*.toml`); a detector
    /// with an existing id replaces it.
    pub patterns: Option<Vec<String>>,
    /// Pattern definitions as TOML text, added after `patterns`.
    pub pattern_toml: Option<String>,
    /// Start from the embedded default detectors (default `true`).
    pub default_patterns: Option<bool>,
    /// Findings scoring below this are not reported (default 0.5).
    pub min_score: Option<f64>,
    /// Bytes before a candidate searched for hotwords (default 64; at most 4096).
    pub context_window: Option<u32>,
}

/// One detected PHI value. It holds no copy of the value:
/// `text.slice(start, end)` of the scanned text is the value.
#[napi(object)]
pub struct Finding {
    /// The entity label (`SSN`, `NAME`, …).
    pub entity: String,
    /// The HIPAA Safe Harbor identifier letter (A–R).
    pub safe_harbor: String,
    /// The id of the detector that found it (`ssn-formatted`).
    pub detector: String,
    /// Start of the value in the scanned string, in UTF-16 code units (a
    /// JavaScript string index).
    pub start: u32,
    /// One past the end of the value, in UTF-16 code units.
    pub end: u32,
    /// Confidence in `0..1`.
    pub score: f64,
    /// A masked rendering safe to print (`***-**-6789`, `J*** S****`).
    pub preview: String,
}

/// Converts core findings (byte spans into `text`) to JavaScript findings.
fn findings(text: &str, found: Vec<phimask::Finding>) -> Vec<Finding> {
    let mut offsets: Vec<usize> = found.iter().flat_map(|f| [f.start(), f.end()]).collect();
    phimask::convert_offsets(text, &mut offsets, OffsetUnit::Utf16);
    found
        .iter()
        .zip(offsets.chunks_exact(2))
        .map(|(f, utf16)| Finding {
            entity: f.entity().as_str().to_string(),
            safe_harbor: f.safe_harbor().as_str().to_string(),
            detector: f.detector().to_string(),
            start: utf16[0] as u32,
            end: utf16[1] as u32,
            // f32 -> f64 without the binary tail (0.9, not 0.8999999762).
            score: (f64::from(f.score()) * 1e6).round() / 1e6,
            preview: f.preview(text.as_bytes()),
        })
        .collect()
}

/// Secret key material for the keyed operators (`tokenize`, `hash`,
/// `surrogate`, `date-shift`). At least 256 bits. The key bytes never
/// leave the native side: inspecting or printing a `Key` shows nothing
/// but its id.
#[napi]
pub struct Key {
    inner: phimask::Key,
}

#[napi]
impl Key {
    /// Reads a key file: raw bytes (what `phimask keygen` writes) or one
    /// line of hex or base64.
    ///
    /// @throws {Error} `code` `PHIMASK_KEY` when the file cannot be read or
    /// holds no valid key; the message never quotes the file.
    #[napi(factory)]
    pub fn from_file(env: Env, path: String) -> Result<Key> {
        phimask::Key::from_file(path).map(|inner| Key { inner }).map_err(core(&env))
    }

    /// Reads a key from an environment variable holding it as hex or base64.
    ///
    /// @throws {Error} `code` `PHIMASK_KEY` when the variable is unset or
    /// malformed; the message names the variable, never its value.
    #[napi(factory)]
    pub fn from_env(env: Env, name: String) -> Result<Key> {
        phimask::Key::from_env(&name).map(|inner| Key { inner }).map_err(core(&env))
    }

    /// A new random 256-bit key from the operating system.
    #[napi(factory)]
    pub fn generate(env: Env) -> Result<Key> {
        phimask::Key::generate().map(|inner| Key { inner }).map_err(core(&env))
    }

    /// A key from raw bytes (32 to 1024). The native copy is wiped when the
    /// key is garbage-collected; the `Buffer` passed in is the caller's.
    #[napi(factory)]
    pub fn from_bytes(env: Env, bytes: Buffer) -> Result<Key> {
        phimask::Key::from_bytes(bytes.to_vec()).map(|inner| Key { inner }).map_err(core(&env))
    }

    /// A short stable identifier of the key (8 hex characters), safe to
    /// print and store beside masked data.
    #[napi(getter)]
    pub fn key_id(&self) -> String {
        self.inner.key_id().to_string()
    }

    /// `Key(<id>)`: the id only.
    #[napi]
    #[allow(clippy::inherent_to_string)]
    pub fn to_string(&self) -> String {
        format!("Key({})", self.inner.key_id())
    }

    /// `{ keyId }`: what `JSON.stringify` shows.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> KeyJson {
        KeyJson { key_id: self.inner.key_id().to_string() }
    }
}

/// What `JSON.stringify(key)` gives.
#[napi(object)]
pub struct KeyJson {
    /// The key id.
    pub key_id: String,
}

/// How to mask: a policy and, for keyed operators, a key.
#[napi(object)]
pub struct MaskOptions<'a> {
    /// A preset name (`mask`, `redact`, `label`, `hash`, `tokenize`,
    /// `surrogate`, `safe-harbor`) or the path of a policy file ending in
    /// `.toml`. Default `mask` (`tokenize` for unmasking).
    pub policy: Option<String>,
    /// A policy as TOML text (instead of `policy`).
    pub policy_toml: Option<String>,
    /// The key for `hash`, `tokenize`, `surrogate` and `date-shift`.
    pub key: Option<ClassInstance<'a, Key>>,
    /// The subject (a patient id) whose dates `date-shift` moves together.
    pub subject: Option<String>,
    /// The field/column/key name of the text: context for detection and
    /// part of the `tokenize` tweak (unmask with the same field).
    pub field: Option<String>,
    /// `maskRecord`: the key whose value names each record's subject
    /// (`patient_id`).
    pub subject_field: Option<String>,
    /// `unmask`, `unmaskRecord`: the key id recorded when the data was
    /// tokenized (`key.keyId`, a mask report's `key_id`); another key is a
    /// `PHIMASK_KEY` error instead of wrong values.
    pub key_id: Option<String>,
    /// `unmask`, `unmaskRecord`: restore without `keyId`, unchecked.
    pub unverified: Option<bool>,
}

/// What an `unmask` checks before it runs ([`phimask::check_unmask`]).
struct Check {
    key_id: Option<String>,
    unverified: bool,
}

impl Check {
    fn of(options: &Option<MaskOptions<'_>>) -> Check {
        Check {
            key_id: options.as_ref().and_then(|o| o.key_id.clone()),
            unverified: options.as_ref().and_then(|o| o.unverified).unwrap_or(false),
        }
    }

    fn run(&self, env: &Env, policy: &phimask::Policy, key: &phimask::Key) -> Result<()> {
        phimask::check_unmask(policy, key, self.key_id.as_deref(), self.unverified).map_err(core(env))
    }
}

/// The masking inputs of [`MaskOptions`] taken off the JavaScript objects,
/// so they can move to a worker thread.
struct MaskSpec {
    policy: phimask::Policy,
    key: Option<phimask::Key>,
    subject: Option<String>,
    field: Option<String>,
    subject_field: Option<String>,
}

impl MaskSpec {
    fn new(options: Option<MaskOptions<'_>>, default_policy: &str) -> std::result::Result<MaskSpec, Failure> {
        let o = options.unwrap_or(MaskOptions {
            policy: None,
            policy_toml: None,
            key: None,
            subject: None,
            field: None,
            subject_field: None,
            key_id: None,
            unverified: None,
        });
        let policy = match (o.policy.as_deref(), o.policy_toml.as_deref()) {
            (Some(_), Some(_)) => return Err(config("give either policy or policyToml, not both")),
            (None, Some(toml)) => phimask::Policy::from_toml(toml, Path::new("policyToml"))?,
            (Some(path), None) if path.ends_with(".toml") => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| config(format!("{path}: cannot read policy file: {e}")))?;
                phimask::Policy::from_toml(&text, Path::new(path))?
            }
            (name, None) => phimask::Policy::preset(name.unwrap_or(default_policy))?,
        };
        Ok(MaskSpec {
            policy,
            key: o.key.map(|k| k.inner.clone()),
            subject: o.subject,
            field: o.field,
            subject_field: o.subject_field,
        })
    }

    fn masker(self, engine: &phimask::Engine) -> std::result::Result<Masker, Failure> {
        let mut inner = phimask::Masker::new(engine.clone(), self.policy, self.key)?;
        if let Some(subject) = &self.subject {
            inner.set_subject(subject);
        }
        Ok(Masker { inner, field: self.field, subject_field: self.subject_field })
    }
}

/// A compiled PHI detector set. Build it once (all compiling happens in the
/// constructor) and share it; scanning never mutates it.
///
/// @example
/// ```js
/// const { Engine } = require('phimask')
/// const engine = new Engine()
/// const text = 'pt John Smith SSN 123-45-6789'
/// for (const f of engine.scan(text)) console.log(f.entity, text.slice(f.start, f.end))
/// ```
#[napi]
pub struct Engine {
    inner: phimask::Engine,
}

#[napi]
impl Engine {
    /// The embedded default detectors, or a configured set.
    ///
    /// @throws {Error} `code` `PHIMASK_PATTERN` for an invalid pattern file
    /// (the message names file, line, detector and field), `PHIMASK_CONFIG`
    /// for invalid options.
    #[napi(constructor)]
    pub fn new(env: Env, options: Option<EngineOptions>) -> Result<Engine> {
        let Some(o) = options else {
            return Ok(Engine { inner: phimask::Engine::default() });
        };
        let mut b = phimask::Engine::builder();
        if let Some(es) = &o.entities {
            b.entities(entities(es).map_err(js(&env))?);
        }
        if let Some(es) = &o.exclude_entities {
            b.exclude_entities(entities(es).map_err(js(&env))?);
        }
        for id in o.disable_detectors.iter().flatten() {
            b.disable_detector(id);
        }
        if let Some(yes) = o.default_patterns {
            b.default_patterns(yes);
        }
        for path in o.patterns.iter().flatten() {
            b.patterns_file(path);
        }
        if let Some(toml) = &o.pattern_toml {
            b.patterns_str("patternToml", toml);
        }
        if let Some(score) = o.min_score {
            b.min_score(score as f32);
        }
        if let Some(window) = o.context_window {
            b.context_window(window as usize);
        }
        b.build().map(|inner| Engine { inner }).map_err(core(&env))
    }

    /// Finds PHI in `text`. Offsets are JavaScript string indices.
    #[napi]
    pub fn scan(&self, text: String) -> Vec<Finding> {
        findings(&text, self.inner.scan(&text))
    }

    /// Finds PHI in one field value whose field/column/key name is known:
    /// the name counts as context (a key `ssn` makes a bare 9-digit value
    /// an SSN).
    #[napi]
    pub fn scan_field(&self, field: String, value: String) -> Vec<Finding> {
        findings(&value, self.inner.scan_field(&field, &value))
    }

    /// Scans many texts in one call (one crossing into native code).
    #[napi]
    pub fn scan_batch(&self, texts: Vec<String>) -> Vec<Vec<Finding>> {
        texts.iter().map(|t| findings(t, self.inner.scan(t))).collect()
    }

    /// `scan` on the libuv thread pool. With `signal`, aborting rejects the
    /// promise with an `AbortError` (`code` `ABORT_ERR`).
    #[napi(
        ts_args_type = "text: string, signal?: AbortSignal | undefined | null",
        ts_return_type = "Promise<Array<Finding>>"
    )]
    pub fn scan_async(&self, env: Env, text: String, signal: Option<Object<'_>>) -> Result<AsyncTask<ScanTask>> {
        let (aborted, signal) = abort_signal(&env, signal)?;
        let task = ScanTask { engine: self.inner.clone(), text, aborted, found: Vec::new() };
        Ok(AsyncTask::with_optional_signal(task, signal))
    }

    /// Masks `text` under `options.policy` (default `mask`). Builds a masker
    /// per call; for many calls use {@link Engine.masker}.
    ///
    /// @throws {Error} `code` `PHIMASK_KEY` when the policy needs a key and
    /// none is given, `PHIMASK_CONFIG` for an unknown or invalid policy.
    #[napi(ts_args_type = "text: string, options?: MaskOptions | undefined | null")]
    pub fn mask(&self, env: Env, text: String, options: Option<MaskOptions<'_>>) -> Result<String> {
        let mut masker = self.masker(env, options)?;
        Ok(masker.mask(text))
    }

    /// Masks many texts with one masker (label numbers shared across them)
    /// in one call.
    ///
    /// @throws {Error} as {@link Engine.mask}.
    #[napi(ts_args_type = "texts: Array<string>, options?: MaskOptions | undefined | null")]
    pub fn mask_batch(&self, env: Env, texts: Vec<String>, options: Option<MaskOptions<'_>>) -> Result<Vec<String>> {
        let mut masker = self.masker(env, options)?;
        Ok(texts.into_iter().map(|t| masker.mask(t)).collect())
    }

    /// Reverses `tokenize` in text masked with this engine's detectors and
    /// `key` (and the same `options.policy`, default `tokenize`, and
    /// `options.field`). Values other operators replaced stay as they are.
    #[napi(ts_args_type = "text: string, key: Key, options?: MaskOptions | undefined | null")]
    pub fn unmask(&self, env: Env, text: String, key: &Key, options: Option<MaskOptions<'_>>) -> Result<String> {
        let check = Check::of(&options);
        let mut spec = MaskSpec::new(options, "tokenize").map_err(js(&env))?;
        check.run(&env, &spec.policy, &key.inner)?;
        spec.key = Some(key.inner.clone());
        let mut masker = spec.masker(&self.inner).map_err(js(&env))?;
        masker.unmask(env, text)
    }

    /// Masks a JSON-like object (nested objects and arrays): a value under a
    /// key that names an entity (`ssn`, `dob`, `patient_name`, `mrn`…) is
    /// masked whole as that entity, other strings are scanned with their key
    /// as context. Returns a new object; key order is kept.
    #[napi(ts_args_type = "record: unknown, options?: MaskOptions | undefined | null", ts_return_type = "any")]
    pub fn mask_record(
        &self,
        env: Env,
        record: serde_json::Value,
        options: Option<MaskOptions<'_>>,
    ) -> Result<serde_json::Value> {
        let mut masker = self.masker(env, options)?;
        Ok(masker.mask_record(record))
    }

    /// Reverses `tokenize` in an object masked by `maskRecord` with `key`.
    #[napi(
        ts_args_type = "record: unknown, key: Key, options?: MaskOptions | undefined | null",
        ts_return_type = "any"
    )]
    pub fn unmask_record(
        &self,
        env: Env,
        record: serde_json::Value,
        key: &Key,
        options: Option<MaskOptions<'_>>,
    ) -> Result<serde_json::Value> {
        let check = Check::of(&options);
        let mut spec = MaskSpec::new(options, "tokenize").map_err(js(&env))?;
        check.run(&env, &spec.policy, &key.inner)?;
        spec.key = Some(key.inner.clone());
        let mut masker = spec.masker(&self.inner).map_err(js(&env))?;
        masker.unmask_record(env, record)
    }

    /// A reusable masker: policy, key and label numbering kept across calls
    /// (the same person gets the same `[NAME_1]` in every record). Use one
    /// per run or per log stream.
    #[napi(ts_args_type = "options?: MaskOptions | undefined | null")]
    pub fn masker(&self, env: Env, options: Option<MaskOptions<'_>>) -> Result<Masker> {
        MaskSpec::new(options, "mask").and_then(|spec| spec.masker(&self.inner)).map_err(js(&env))
    }

    /// Masks the file `src` into `dst` on the libuv thread pool, streaming in
    /// bounded memory. CSV/TSV, JSON/NDJSON and SQL (by `options.format` or
    /// the extension of `src`) are masked value by value with column and
    /// key names as context; anything else as text. `dst` is written
    /// through a temporary file beside it and renamed into place only on
    /// success: on an error or abort it is left as it was.
    ///
    /// @throws {Error} (rejects) `PHIMASK_IO`, `PHIMASK_INPUT` (a malformed
    /// record; the message names the line, never its content), or an
    /// `AbortError` when `signal` aborts.
    #[napi(
        ts_args_type = "src: string, dst: string, options?: MaskFileOptions | undefined | null, signal?: AbortSignal | undefined | null",
        ts_return_type = "Promise<MaskFileReport>"
    )]
    pub fn mask_file_async(
        &self,
        env: Env,
        src: String,
        dst: String,
        options: Option<MaskFileOptions<'_>>,
        signal: Option<Object<'_>>,
    ) -> Result<AsyncTask<MaskFileTask>> {
        let (aborted, signal) = abort_signal(&env, signal)?;
        let (mask, format, on_error) = match options {
            Some(o) => {
                let mask = MaskOptions {
                    policy: o.policy,
                    policy_toml: o.policy_toml,
                    key: o.key,
                    subject: None,
                    field: None,
                    subject_field: o.subject_field,
                    key_id: None,
                    unverified: None,
                };
                (Some(mask), o.format, o.on_error)
            }
            None => (None, None, None),
        };
        let job = (|| {
            let format = format.as_deref().map(FileFormat::parse).transpose()?;
            let skip = match on_error.as_deref() {
                None | Some("fail") => false,
                Some("skip") => true,
                Some(other) => return Err(config(format!("unknown onError '{other}' (fail, skip)"))),
            };
            let masker = MaskSpec::new(mask, "mask")?.masker(&self.inner)?;
            Ok(FileJob { masker, src, dst, format, skip })
        })();
        Ok(AsyncTask::with_optional_signal(MaskFileTask { job: Some(job), aborted, failure: None }, signal))
    }
}

/// Reads `signal.aborted` now and converts the signal for napi, which
/// cancels work that has not started; the returned flag is also set on
/// abort so running work can stop.
fn abort_signal(env: &Env, signal: Option<Object<'_>>) -> Result<(Arc<AtomicBool>, Option<AbortSignal>)> {
    let flag = Arc::new(AtomicBool::new(false));
    let Some(signal) = signal else {
        return Ok((flag, None));
    };
    let not_signal = |_| Failure::new("PHIMASK_CONFIG", "signal must be an AbortSignal").into_js(env);
    let aborted: Option<bool> = signal.get_named_property("aborted").map_err(not_signal)?;
    flag.store(aborted.unwrap_or(false), Ordering::Relaxed);
    let napi_signal = AbortSignal::from_unknown(signal.to_unknown()).map_err(not_signal)?;
    let set = flag.clone();
    napi_signal.on_abort(move || set.store(true, Ordering::Relaxed));
    Ok((flag, Some(napi_signal)))
}

fn abort_error() -> Failure {
    Failure::new(ABORT_CODE, "The operation was aborted")
}

/// The work of [`Engine::scan_async`].
pub struct ScanTask {
    engine: phimask::Engine,
    text: String,
    aborted: Arc<AtomicBool>,
    found: Vec<phimask::Finding>,
}

impl Task for ScanTask {
    type Output = bool;
    type JsValue = Vec<Finding>;

    fn compute(&mut self) -> napi::Result<bool> {
        if self.aborted.load(Ordering::Relaxed) {
            return Ok(false);
        }
        self.found = self.engine.scan(&self.text);
        Ok(true)
    }

    fn resolve(&mut self, env: Env, done: bool) -> napi::Result<Vec<Finding>> {
        if !done || self.aborted.load(Ordering::Relaxed) {
            return Err(abort_error().into_js(&env));
        }
        Ok(findings(&self.text, std::mem::take(&mut self.found)))
    }
}

/// Input formats of `maskFileAsync`.
#[derive(Clone, Copy)]
enum FileFormat {
    /// Plain text, masked block by block.
    Text,
    /// CSV with a header row.
    Csv,
    /// TSV with a header row.
    Tsv,
    /// One JSON document.
    Json,
    /// One JSON value per line.
    Ndjson,
    /// A SQL dump (`INSERT … VALUES` tuples).
    Sql,
}

impl FileFormat {
    fn parse(name: &str) -> std::result::Result<FileFormat, Failure> {
        Ok(match name {
            "text" => FileFormat::Text,
            "csv" => FileFormat::Csv,
            "tsv" => FileFormat::Tsv,
            "json" => FileFormat::Json,
            "ndjson" | "jsonl" => FileFormat::Ndjson,
            "sql" => FileFormat::Sql,
            _ => return Err(config(format!("unknown format '{name}' (text, csv, tsv, json, ndjson, sql)"))),
        })
    }
}

/// Options of `maskFileAsync`.
#[napi(object)]
pub struct MaskFileOptions<'a> {
    /// As in {@link MaskOptions}: a preset name or `.toml` policy file.
    pub policy: Option<String>,
    /// A policy as TOML text.
    pub policy_toml: Option<String>,
    /// The key for keyed operators.
    pub key: Option<ClassInstance<'a, Key>>,
    /// The input format; default from the extension of `src`, else text.
    #[napi(ts_type = "'text' | 'csv' | 'tsv' | 'json' | 'ndjson' | 'sql'")]
    pub format: Option<String>,
    /// The column (CSV, SQL) or key (JSON) naming each record's subject.
    pub subject_field: Option<String>,
    /// Malformed records: `fail` (default, rejects naming the line) or
    /// `skip` (masks the record as plain text and lists its line).
    #[napi(ts_type = "'fail' | 'skip'")]
    pub on_error: Option<String>,
}

/// What `maskFileAsync` did: counts only, never content.
#[napi(object)]
pub struct MaskFileReport {
    /// Input bytes read.
    pub bytes: f64,
    /// The format the file was masked as.
    pub format: String,
    /// Structured records masked (CSV rows, JSON lines, SQL tuples); 0 for text.
    pub records: f64,
    /// Malformed records masked as plain text (`onError: 'skip'`).
    pub skipped: f64,
    /// The 1-based lines of those records (the first 1000).
    pub skipped_lines: Vec<f64>,
    /// What was masked, by entity and operator.
    pub stats: MaskStats,
}

struct FileJob {
    masker: Masker,
    src: String,
    dst: String,
    format: Option<FileFormat>,
    skip: bool,
}

/// The work of [`Engine::mask_file_async`].
pub struct MaskFileTask {
    job: Option<std::result::Result<FileJob, Failure>>,
    aborted: Arc<AtomicBool>,
    failure: Option<Failure>,
}

/// Reads through, failing once the abort flag is set.
struct Abortable<R> {
    inner: R,
    aborted: Arc<AtomicBool>,
}

impl<R: Read> Read for Abortable<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.aborted.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("aborted"));
        }
        self.inner.read(buf)
    }
}

impl FileJob {
    fn run(&mut self, aborted: &Arc<AtomicBool>) -> std::result::Result<MaskFileReport, Failure> {
        let (src, dst) = (Path::new(&self.src), Path::new(&self.dst));
        let io = |path: &Path, what: &str, e: std::io::Error| {
            Failure::new("PHIMASK_IO", format!("{}: cannot {what}: {e}", path.display()))
        };
        let format = match self.format {
            Some(f) => f,
            None => match src.extension().and_then(|e| e.to_str()).and_then(phimask::Format::from_extension) {
                Some(phimask::Format::Csv) => FileFormat::Csv,
                Some(phimask::Format::Tsv) => FileFormat::Tsv,
                Some(phimask::Format::Json) => FileFormat::Json,
                Some(phimask::Format::Ndjson) => FileFormat::Ndjson,
                Some(phimask::Format::Sql) => FileFormat::Sql,
                _ => FileFormat::Text,
            },
        };
        let input = File::open(src).map_err(|e| io(src, "open", e))?;
        if let (Ok(a), Ok(b)) = (src.canonicalize(), dst.canonicalize()) {
            if a == b {
                return Err(Failure::new("PHIMASK_INPUT", "the output path is the input; give another dst"));
            }
        }
        let dir = match dst.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".phimask-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| io(dst, "create a temporary file beside", e))?;
        let reader = Abortable { inner: input, aborted: aborted.clone() };
        let mut writer = BufWriter::with_capacity(64 * 1024, tmp.as_file());
        let masker = &mut self.masker.inner;
        let core_format = match format {
            FileFormat::Text => None,
            FileFormat::Csv => Some(phimask::Format::Csv),
            FileFormat::Tsv => Some(phimask::Format::Tsv),
            FileFormat::Json => Some(phimask::Format::Json),
            FileFormat::Ndjson => Some(phimask::Format::Ndjson),
            FileFormat::Sql => Some(phimask::Format::Sql),
        };
        let on_error = if self.skip { phimask::OnError::Skip } else { phimask::OnError::Fail };
        let options = phimask::FormatOptions::new().on_error(on_error).subject_field(self.masker.subject_field.clone());
        // The core's file job: UTF-16/32 decoded and written back in its
        // encoding, binary input refused unless the format was given.
        let force_text = self.format.is_some();
        let result = phimask::mask_stream(masker, core_format, reader, &mut writer, &options, force_text);
        if aborted.load(Ordering::Relaxed) {
            return Err(abort_error());
        }
        let report = result?;
        writer.flush().map_err(|e| io(dst, "write", e))?;
        drop(writer);
        tmp.as_file().sync_all().map_err(|e| io(dst, "write", e))?;
        tmp.persist(dst).map_err(|e| io(dst, "replace", e.error))?;
        Ok(MaskFileReport {
            bytes: self.masker.inner.stats().bytes as f64,
            format: core_format.map_or("text", phimask::Format::as_str).to_string(),
            records: report.records as f64,
            skipped: report.skipped as f64,
            skipped_lines: report.skipped_lines.iter().map(|&l| l as f64).collect(),
            stats: stats(self.masker.inner.stats()),
        })
    }
}

impl Task for MaskFileTask {
    type Output = MaskFileReport;
    type JsValue = MaskFileReport;

    fn compute(&mut self) -> napi::Result<MaskFileReport> {
        let outcome = match self.job.take() {
            Some(Ok(_)) if self.aborted.load(Ordering::Relaxed) => Err(abort_error()),
            Some(Ok(mut job)) => job.run(&self.aborted),
            Some(Err(failure)) => Err(failure),
            None => Err(abort_error()),
        };
        outcome.map_err(|failure| {
            // Kept for `reject`, which runs on the main thread and can build
            // the JavaScript error with its code.
            self.failure = Some(failure);
            napi::Error::new(Status::GenericFailure, String::new())
        })
    }

    fn resolve(&mut self, _env: Env, report: MaskFileReport) -> napi::Result<MaskFileReport> {
        Ok(report)
    }

    fn reject(&mut self, env: Env, _err: napi::Error) -> napi::Result<MaskFileReport> {
        let failure = self.failure.take().unwrap_or_else(|| Failure::new("PHIMASK_ERROR", "masking the file failed"));
        Err(failure.into_js(&env))
    }
}

/// Counts of masked values.
#[napi(object)]
pub struct MaskStats {
    /// Values masked in all.
    pub total: f64,
    /// Input bytes processed.
    pub bytes: f64,
    /// Counts by entity and operator.
    pub by_entity: Vec<EntityCount>,
}

/// How many values of one entity one operator masked.
#[napi(object)]
pub struct EntityCount {
    /// The entity label.
    pub entity: String,
    /// The operator name (`mask`, `tokenize`, …).
    pub operator: String,
    /// Values masked.
    pub count: f64,
}

fn stats(s: &phimask::MaskStats) -> MaskStats {
    MaskStats {
        total: s.total() as f64,
        bytes: s.bytes as f64,
        by_entity: s
            .by_entity
            .iter()
            .map(|((entity, operator), &count)| EntityCount {
                entity: entity.as_str().to_string(),
                operator: operator.to_string(),
                count: count as f64,
            })
            .collect(),
    }
}

/// Masks text with one engine, one policy and (optionally) one key; label
/// numbers and statistics carry across calls. Made by {@link Engine.masker}.
#[napi]
pub struct Masker {
    inner: phimask::Masker,
    field: Option<String>,
    subject_field: Option<String>,
}

#[napi]
impl Masker {
    /// Masks text (with the masker's `field` as context, if it was given one).
    #[napi]
    pub fn mask(&mut self, text: String) -> String {
        match &self.field {
            Some(field) => self.inner.mask_field(field, &text),
            None => self.inner.mask_str(&text),
        }
    }

    /// Masks one value of a named field: the name is context for detection
    /// and part of the `tokenize` tweak.
    #[napi]
    pub fn mask_field(&mut self, field: String, value: String) -> String {
        self.inner.mask_field(&field, &value)
    }

    /// Masks a whole value known to be `entity` (no detection runs).
    ///
    /// @throws {Error} `code` `PHIMASK_CONFIG` for an unknown entity label.
    #[napi]
    pub fn mask_value(&mut self, env: Env, entity: String, value: String, field: Option<String>) -> Result<String> {
        let entity: Entity = entity.parse().map_err(|e| config(format!("{e}: '{entity}'")).into_js(&env))?;
        Ok(self.inner.mask_value(entity, field.as_deref(), &value))
    }

    /// Reverses `tokenize` in text this masker's policy and key masked.
    ///
    /// @throws {Error} `code` `PHIMASK_KEY` when the masker has no key.
    #[napi]
    pub fn unmask(&mut self, env: Env, text: String) -> Result<String> {
        match &self.field {
            Some(field) => self.inner.unmask_field(field, &text),
            None => self.inner.unmask_str(&text),
        }
        .map_err(core(&env))
    }

    /// Reverses `maskField` for the same field name.
    ///
    /// @throws {Error} `code` `PHIMASK_KEY` when the masker has no key.
    #[napi]
    pub fn unmask_field(&mut self, env: Env, field: String, value: String) -> Result<String> {
        self.inner.unmask_field(&field, &value).map_err(core(&env))
    }

    /// Reverses `maskValue` for a tokenized entity.
    ///
    /// @throws {Error} `code` `PHIMASK_KEY` without a key, `PHIMASK_INPUT`
    /// when `token` cannot be a token of this entity (the message never
    /// contains it).
    #[napi]
    pub fn unmask_value(&mut self, env: Env, entity: String, token: String, field: Option<String>) -> Result<String> {
        let entity: Entity = entity.parse().map_err(|e| config(format!("{e}: '{entity}'")).into_js(&env))?;
        self.inner.unmask_value(entity, field.as_deref(), &token).map_err(core(&env))
    }

    /// Masks a JSON-like object; see {@link Engine.maskRecord}.
    #[napi(ts_args_type = "record: unknown", ts_return_type = "any")]
    pub fn mask_record(&mut self, record: serde_json::Value) -> serde_json::Value {
        let mut record = record;
        let options = phimask::FormatOptions::new().subject_field(self.subject_field.clone());
        phimask::mask_json_value(&mut self.inner, &mut record, &options);
        record
    }

    /// Reverses `tokenize` in an object `maskRecord` masked.
    ///
    /// @throws {Error} `code` `PHIMASK_KEY` when the masker has no key.
    #[napi(ts_args_type = "record: unknown", ts_return_type = "any")]
    pub fn unmask_record(&mut self, env: Env, record: serde_json::Value) -> Result<serde_json::Value> {
        let mut record = record;
        phimask::unmask_json_value(&mut self.inner, &mut record).map_err(core(&env))?;
        Ok(record)
    }

    /// Sets the subject (a patient id) whose dates `date-shift` moves next.
    #[napi]
    pub fn set_subject(&mut self, subject: String) {
        self.inner.set_subject(&subject);
    }

    /// What has been masked so far (counts, never values).
    #[napi]
    pub fn stats(&self) -> MaskStats {
        stats(self.inner.stats())
    }
}
