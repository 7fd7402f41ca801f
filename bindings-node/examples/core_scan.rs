//! The Rust side of `bench/bench.js`: times the core on the same lines the
//! Node benchmark uses, in one process with no JavaScript in the loop, so
//! the Node figures can be read as "core time + binding overhead".
//!
//! `cargo run --release -p phimask-node --example core_scan -- LINES_FILE ROUNDS`
//! prints one JSON object: nanoseconds per line for `Engine::scan` and for
//! `Masker::mask_str` (preset `mask`), and the finding count per round (the
//! Node side checks it gets the same count).

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: core_scan LINES_FILE ROUNDS");
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(20);
    let text = std::fs::read_to_string(&path).expect("readable lines file");
    let lines: Vec<&str> = text.lines().collect();
    let engine = phimask::Engine::default();
    let mut masker = phimask::Masker::new(engine.clone(), phimask::Policy::preset("mask").unwrap(), None).unwrap();

    // Warm-up: the lazy DFA builds its states on first contact.
    let findings: usize = lines.iter().map(|l| engine.scan(l).len()).sum();
    for l in &lines {
        std::hint::black_box(masker.mask_str(l));
    }

    let start = Instant::now();
    let mut seen = 0usize;
    for _ in 0..rounds {
        for l in &lines {
            seen += std::hint::black_box(engine.scan(l)).len();
        }
    }
    let scan_ns = start.elapsed().as_nanos() as f64 / (rounds * lines.len()) as f64;
    assert_eq!(seen, findings * rounds);

    let start = Instant::now();
    for _ in 0..rounds {
        for l in &lines {
            std::hint::black_box(masker.mask_str(l));
        }
    }
    let mask_ns = start.elapsed().as_nanos() as f64 / (rounds * lines.len()) as f64;
    println!(
        "{{\"lines\":{},\"rounds\":{rounds},\"findings_per_round\":{findings},\"scan_ns_per_line\":{scan_ns:.1},\"mask_ns_per_line\":{mask_ns:.1}}}",
        lines.len()
    );
}
