//! One measured run for `valgrind --tool=callgrind`: warms the engine and
//! the key (its lazily built permutations) with a `tokenize` run over FILE,
//! as the bench's earlier iterations do, then runs MODE (`scan`, `mask` or
//! `tokenize`) once inside `measured`, so
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=tokprof::measured \
//!   target/release/examples/tokprof MODE FILE`
//! counts only that run; `tokenize - scan` is tokenize's own overhead.
//! `tokprof POLICY FILE OUT` writes the masked FILE to OUT instead (to
//! compare outputs across changes byte for byte).
use phimask::{Engine, Key, Masker, Policy};

#[inline(never)]
fn measured(engine: &Engine, key: &Key, mode: &str, text: &[u8]) -> usize {
    run(engine, key, mode, text)
}

#[inline(never)]
fn run(engine: &Engine, key: &Key, mode: &str, text: &[u8]) -> usize {
    match mode {
        "scan" => engine.scan_bytes(text).len(),
        policy => {
            let key = key.clone();
            let p = Policy::preset(policy).unwrap();
            let key = p.needs_key().then_some(key);
            let mut m = Masker::new(engine.clone(), p, key).unwrap();
            let out = m.mask_bytes(text);
            out.len() + m.stats().total() as usize
        }
    }
}

fn main() {
    let mode = std::env::args().nth(1).expect("MODE: scan, mask or tokenize");
    let path = std::env::args().nth(2).expect("FILE");
    let text = std::fs::read(path).unwrap();
    if let Some(out) = std::env::args().nth(3) {
        let key = Key::from_bytes(test_key(0)).unwrap();
        let p = Policy::preset(&mode).unwrap();
        let key = p.needs_key().then_some(key);
        let mut m = Masker::new(Engine::default(), p, key).unwrap();
        std::fs::write(out, m.mask_bytes(&text)).unwrap();
        println!("{:?}", m.stats());
        return;
    }
    let engine = Engine::default();
    let key = Key::from_bytes(test_key(0)).unwrap();
    let warm = run(&engine, &key, "tokenize", &text);
    let n = measured(&engine, &key, &mode, &text);
    println!("{mode}: {n} (warm-up: {warm})");
}

/// A fixed key for tests: 32 distinct bytes, a different key per `seed`.
fn test_key(seed: u8) -> Vec<u8> {
    (0..32u8).map(|i| i.wrapping_mul(73).wrapping_add(seed) ^ 0x5c).collect()
}
