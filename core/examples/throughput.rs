//! Quick throughput check of the default engine on a file (for example a
//! corpus written by `PHIMASK_BENCH_DUMP=... cargo bench -p phimask --bench scan`):
//! `cargo run --release -p phimask --example throughput -- FILE [ROUNDS]`.
//! The timed scans run in `timed_scan`, after one untimed warm-up scan, so
//! a profiler can count only them: `valgrind --tool=callgrind
//! --toggle-collect=throughput::timed_scan target/release/examples/throughput FILE 2`.
//! Prints MB/s and findings by detector. The criterion benches in
//! `benches/` are the measurement of record; this is for profiling.
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: throughput FILE [ROUNDS]");
    let rounds: usize = args.next().map_or(3, |r| r.parse().expect("ROUNDS is a number"));
    let data = std::fs::read(&path).expect("readable file");
    let engine = phimask::Engine::default();
    let mut by: std::collections::BTreeMap<String, usize> = Default::default();
    for f in engine.scan_bytes(&data) {
        *by.entry(f.detector().to_string()).or_default() += 1;
    }
    println!("{by:?}");
    for _ in 0..rounds {
        let t = Instant::now();
        let n = timed_scan(&engine, &data);
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{:.1} MB in {secs:.3}s = {:.1} MB/s, {n} findings",
            data.len() as f64 / 1e6,
            data.len() as f64 / secs / 1e6
        );
    }
}

/// One timed scan (not inlined, so profilers can single it out).
#[inline(never)]
fn timed_scan(engine: &phimask::Engine, data: &[u8]) -> usize {
    engine.scan_bytes(data).len()
}
