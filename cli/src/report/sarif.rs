//! SARIF 2.1.0 output for code-scanning dashboards.
//!
//! One run; one rule per active detector (with its entity and Safe Harbor
//! letter as properties); one result per finding at level `error`, whose
//! message holds the entity and the masked preview only, never the value
//! (not even with `--show-values`: SARIF files get uploaded). Columns are
//! code points, declared with `columnKind: unicodeCodePoints`.
//!
//! Fingerprints are where scanners usually leak: GitHub's
//! `primaryLocationLineHash` hashes the line's text, and an unkeyed hash of
//! a 9-digit SSN is reversed by trying all 10^9. So the only fingerprint
//! here is derived from the rule and the finding's ordinal among that rule's
//! findings in the file — stable while the file's other findings stay put,
//! and free of anything derived from the value.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use phimask::DetectorInfo;
use serde_json::{json, Value};

use super::{Hit, Printer, Problem, Source, Summary};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF printer. The log is written as results arrive: the header with
/// the rules, one compact result per line, then the invocation, which needs
/// the problems known only at the end.
pub(super) struct Sarif {
    detectors: Vec<DetectorInfo>,
    rule_index: HashMap<String, usize>,
    cwd: PathBuf,
    /// Results written so far (decides the separator).
    written: usize,
    /// The input whose results are being written, its URI, and how many
    /// results each rule has had in it.
    current: Option<(String, Option<String>)>,
    ordinals: HashMap<String, usize>,
    /// The commit of the current input (`--history`).
    commit: Option<String>,
}

impl Sarif {
    pub(super) fn new(detectors: Vec<DetectorInfo>, cwd: PathBuf) -> Sarif {
        let rule_index = detectors.iter().enumerate().map(|(i, d)| (d.id.clone(), i)).collect();
        Sarif { detectors, rule_index, cwd, written: 0, current: None, ordinals: HashMap::new(), commit: None }
    }

    fn tool(&self) -> Value {
        let rules: Vec<Value> = self.detectors.iter().map(rule).collect();
        json!({
            "driver": {
                "name": "phimask",
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }
        })
    }
}

impl Printer for Sarif {
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        write!(
            out,
            "{{\n  \"$schema\": \"{SCHEMA}\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \"tool\": {},\n      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": [",
            self.tool()
        )
    }

    fn hit(&mut self, source: &Source, hit: &Hit, out: &mut dyn Write) -> io::Result<()> {
        if self.current.as_ref().is_none_or(|(display, _)| *display != source.display) || source.commit != self.commit {
            let uri = if source.stdin { None } else { Some(uri(&source.display, &self.cwd)) };
            self.current = Some((source.display.clone(), uri));
            self.commit.clone_from(&source.commit);
            self.ordinals.clear();
        }
        let ordinal = self.ordinals.entry(hit.detector.clone()).or_default();
        *ordinal += 1;
        let (display, uri) = self.current.as_ref().expect("set above");
        let mut value = result(display, hit, uri.as_deref(), self.rule_index.get(&hit.detector).copied(), *ordinal);
        if let Some(commit) = &source.commit {
            value["properties"]["commit"] = json!(commit);
        }
        if let Some(why) = &hit.why {
            value["properties"]["why"] = json!(why);
        }
        out.write_all(if self.written == 0 { b"\n        " } else { b",\n        " })?;
        serde_json::to_writer(&mut *out, &value)?;
        self.written += 1;
        Ok(())
    }

    fn end(&mut self, _summary: &Summary, problems: &[Problem], out: &mut dyn Write) -> io::Result<()> {
        let notifications: Vec<Value> = problems.iter().map(notification).collect();
        let invocation = json!({
            "executionSuccessful": notifications.is_empty(),
            "toolExecutionNotifications": notifications,
        });
        let close = if self.written == 0 { "]" } else { "\n      ]" };
        writeln!(out, "{close},\n      \"invocations\": [{invocation}]\n    }}\n  ]\n}}")
    }
}

/// The rule of one detector.
fn rule(d: &DetectorInfo) -> Value {
    let letter = d.safe_harbor.as_str();
    let short = if d.description.is_empty() {
        format!("{} ({})", d.entity, d.safe_harbor.description())
    } else {
        d.description.clone()
    };
    json!({
        "id": d.id,
        "shortDescription": { "text": short },
        "fullDescription": {
            "text": format!("{} — HIPAA Safe Harbor identifier {letter}: {}.", d.entity, d.safe_harbor.description())
        },
        "defaultConfiguration": { "level": "error" },
        "help": {
            "text": format!(
                "{} is PHI when it is about a person. Remove it, or replace it with `phimask mask` (masked, tokenized or synthetic values). If it is not PHI, add `phimask:allow {}` in a comment on its line, list the value under [allow] in .phimask.toml, or accept the current findings with `phimask baseline create`. `phimask scan --explain` says why it was reported.",
                d.entity, d.entity
            ),
            "markdown": format!(
                "**{}** is PHI when it is about a person. Remove it, or replace it with `phimask mask` (masked, tokenized or synthetic values).\n\nIf it is not PHI: add `phimask:allow {}` in a comment on its line, list the value under `[allow]` in `.phimask.toml`, or accept the current findings with `phimask baseline create`. `phimask scan --explain` says why it was reported.",
                d.entity, d.entity
            ),
        },
        "properties": {
            "entity": d.entity.as_str(),
            "safe_harbor": letter,
            "tags": ["phi", format!("safe-harbor-{letter}")],
        },
    })
}

fn result(display: &str, hit: &Hit, uri: Option<&str>, rule_index: Option<usize>, ordinal: usize) -> Value {
    let artifact = match uri {
        Some(uri) => json!({ "uri": uri }),
        None => json!({ "description": { "text": display } }),
    };
    let mut result = json!({
        "ruleId": hit.detector,
        "level": "error",
        "message": {
            "text": format!(
                "{} (HIPAA Safe Harbor {}) found: {}",
                hit.entity,
                hit.entity.safe_harbor(),
                hit.preview
            )
        },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact,
                "region": {
                    "startLine": hit.from.line,
                    "startColumn": hit.from.column,
                    "endLine": hit.to.line,
                    "endColumn": hit.to.column,
                    "byteOffset": hit.start,
                    "byteLength": hit.end - hit.start,
                }
            }
        }],
        "partialFingerprints": {
            "phimaskOccurrence/v1": format!("{}:{ordinal}", hit.detector),
        },
        "properties": {
            "entity": hit.entity.as_str(),
            "safe_harbor": hit.entity.safe_harbor().as_str(),
            // Two decimals as f64: an f32 widened prints as 0.6499999761581421.
            "score": (f64::from(hit.score) * 100.0).round() / 100.0,
        },
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    result
}

fn notification(problem: &Problem) -> Value {
    let text = match problem.path.is_empty() {
        true => problem.message.clone(),
        false => format!("{}: {}", problem.path, problem.message),
    };
    json!({ "level": "error", "message": { "text": text } })
}

/// A URI reference for a displayed path: relative paths stay relative with
/// forward slashes; absolute ones are made relative to `cwd` when inside it,
/// else become `file://` URIs. Bytes outside the unreserved set are
/// percent-encoded.
fn uri(display: &str, cwd: &Path) -> String {
    let path = Path::new(display);
    if path.is_absolute() {
        if let Ok(relative) = path.strip_prefix(cwd) {
            return encode(&slashes(&relative.to_string_lossy()));
        }
        let text = slashes(display);
        let text = if text.starts_with('/') { text } else { format!("/{text}") };
        return format!("file://{}", encode(&text));
    }
    let text = slashes(display);
    encode(text.strip_prefix("./").unwrap_or(&text))
}

/// Forward slashes on Windows; elsewhere a backslash is part of a name.
fn slashes(path: &str) -> String {
    if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_string()
    }
}

fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_with_forward_slashes() {
        let cwd = Path::new("/repo");
        assert_eq!(uri("src/a b.txt", cwd), "src/a%20b.txt");
        assert_eq!(uri("./x.log", cwd), "x.log");
        assert_eq!(uri("/repo/notes/é.txt", cwd), "notes/%C3%A9.txt");
        assert_eq!(uri("/elsewhere/x.txt", cwd), "file:///elsewhere/x.txt");
    }
}
