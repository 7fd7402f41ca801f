//! Property tests of the scan invariants: offsets lie on char boundaries of
//! valid UTF-8, arbitrary bytes never panic, and streaming with any chunk
//! size reports exactly what a whole-input scan reports.

use std::ops::ControlFlow;

use phimask::{Engine, Finding};
use proptest::prelude::*;

mod common;
use common::Chunked;

fn streamed(engine: &Engine, data: &[u8], chunk: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    let read = engine
        .scan_reader(Chunked { data, chunk }, |f| {
            out.push(f.clone());
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(read, data.len() as u64);
    out
}

/// Text fragments that mix PHI shapes, near misses and filler.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("SSN 123-45-6789".to_string()),
        Just("pt John Smith".to_string()),
        Just("DOB: 03/14/1962".to_string()),
        Just("call (617) 555-0123".to_string()),
        Just("MRN: 00123456".to_string()),
        Just("jdoe@example.org".to_string()),
        Just("2024-01-15T10:22:01Z INFO ok".to_string()),
        Just("Foley catheter".to_string()),
        Just("naïve café 😀 日本".to_string()),
        Just("\n".to_string()),
        "[a-zA-Z0-9 .,:/@-]{0,40}",
        "\\PC{0,20}",
    ]
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..40).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn offsets_are_char_boundaries(text in document()) {
        for f in Engine::default().scan(&text) {
            prop_assert!(f.start() < f.end());
            prop_assert!(text.is_char_boundary(f.start()) && text.is_char_boundary(f.end()), "{f:?}");
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let findings = Engine::default().scan_bytes(&bytes);
        for f in findings {
            prop_assert!(f.end() <= bytes.len() && f.start() < f.end());
        }
    }

    #[test]
    fn findings_do_not_overlap(text in document()) {
        let findings = Engine::default().scan(&text);
        for pair in findings.windows(2) {
            prop_assert!(pair[0].end() <= pair[1].start(), "{pair:?}");
        }
    }

    #[test]
    fn streaming_equals_whole_input(text in document(), chunk in 1usize..300) {
        let engine = Engine::default();
        let whole = engine.scan(&text);
        prop_assert_eq!(streamed(&engine, text.as_bytes(), chunk), whole);
    }
}

/// Inputs larger than a block, with PHI planted right across the read
/// boundaries and near block ends: every chunk size finds each value once.
#[test]
fn large_inputs_stream_identically_for_every_chunk_size() {
    let mut text = String::new();
    let mut i = 0u64;
    while text.len() < 3 * phimask::BLOCK_TARGET + 1000 {
        i += 1;
        text.push_str(&format!("2024-01-15T10:22:{:02}Z INFO request {i} served in {}ms\n", i % 60, i % 997));
        if i % 53 == 0 {
            text.push_str("patient SSN 536-22-8726 called (617) 555-0123\n");
        }
    }
    let engine = Engine::default();
    let whole = engine.scan(&text);
    let planted = text.matches("536-22-8726").count();
    assert_eq!(whole.iter().filter(|f| &text[f.span()] == "536-22-8726").count(), planted);
    for chunk in [1, 13, 4096, 65_536, 65_537, 1 << 20] {
        assert_eq!(streamed(&engine, text.as_bytes(), chunk), whole, "chunk {chunk}");
    }
}

/// Scanning blocks on several threads reports what one thread reports, in
/// the same order, for inputs of many blocks.
#[test]
fn parallel_blocks_equal_sequential_blocks() {
    let mut text = String::new();
    let mut i = 0u64;
    while text.len() < 40 * phimask::BLOCK_TARGET {
        i += 1;
        text.push_str(&format!("2024-01-15T10:22:{:02}Z INFO request {i} took {}ms\n", i % 60, i % 997));
        if i % 41 == 0 {
            text.push_str("pt John Smith SSN 536-22-8726 DOB 03/14/1962 call (617) 555-0123\n");
        }
    }
    let engine = Engine::default();
    let collect = |threads: usize, chunk: usize| {
        let mut blocks = Vec::new();
        let read = engine
            .scan_blocks_parallel(Chunked { data: text.as_bytes(), chunk }, threads, |b| {
                blocks.push((b.offset, b.bytes.len(), b.findings.to_vec()));
                ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!(read, text.len() as u64);
        blocks
    };
    let sequential = collect(1, 1 << 16);
    assert!(sequential.len() >= 40);
    let whole: Vec<Finding> = sequential.iter().flat_map(|b| b.2.clone()).collect();
    assert_eq!(whole, engine.scan(&text));
    for (threads, chunk) in [(2, 1 << 16), (3, 4096), (8, 1 << 20)] {
        assert_eq!(collect(threads, chunk), sequential, "{threads} threads, chunk {chunk}");
    }
    // Stopping early stops the parallel scan too.
    let mut seen = 0;
    engine
        .scan_blocks_parallel(text.as_bytes(), 2, |_| {
            seen += 1;
            if seen == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!(seen, 3);
}

/// A single line far longer than the block limit streams in bounded pieces
/// and still finds values inside it.
#[test]
fn huge_line_without_newline() {
    let mut line = "word ".repeat(phimask::BLOCK_MAX / 5 * 2);
    line.push_str("SSN 536-22-8726 ");
    line.push_str(&"word ".repeat(1000));
    let engine = Engine::default();
    let found = streamed(&engine, line.as_bytes(), 65_536);
    assert_eq!(found.len(), 1);
    assert_eq!(&line[found[0].span()], "536-22-8726");
    assert_eq!(found, engine.scan(&line));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// `Debug` and `Display` of findings, and the masked preview, never
    /// contain the detected value (values of four characters or more, so
    /// that a coincidental short digit run in an offset does not count).
    #[test]
    fn findings_never_print_their_value(text in document()) {
        for f in Engine::default().scan(&text) {
            let value = &text[f.span()];
            if value.chars().filter(|c| c.is_alphanumeric()).count() < 4 {
                continue;
            }
            let shown = format!("{f:?} {f} {}", f.preview(text.as_bytes()));
            prop_assert!(!shown.contains(value), "{shown} leaks {value:?}");
        }
    }
}

/// Pattern errors name the file, detector and field, never a scanned text.
#[test]
fn pattern_errors_carry_no_input_text() {
    let err = Engine::builder()
        .patterns_str(
            "site.toml",
            "[[detector]]\nid = \"acme-mrn\"\nentity = \"MRN\"\nregex = '(AC-'\nmatch = [\"MRN AC-00123456\"]\n",
        )
        .build()
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("site.toml") && shown.contains("acme-mrn") && shown.contains("regex"), "{shown}");
    assert!(!shown.contains("00123456"), "{shown}");
}
