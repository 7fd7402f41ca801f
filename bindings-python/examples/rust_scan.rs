//! The Rust side of the Python parity tests: reads one JSON string per line
//! on stdin, scans it with `Engine::default()` and writes one JSON array of
//! `[entity, detector, start, end, score]` (byte offsets) per line.
//!
//! `cargo run -p phimask-python --example rust_scan < texts.jsonl`
use std::io::{BufRead, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = phimask::Engine::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in std::io::stdin().lock().lines() {
        let text: String = serde_json::from_str(&line?)?;
        let found: Vec<serde_json::Value> = engine
            .scan(&text)
            .iter()
            .map(|f| serde_json::json!([f.entity().as_str(), f.detector(), f.start(), f.end(), f.score()]))
            .collect();
        serde_json::to_writer(&mut out, &found)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
