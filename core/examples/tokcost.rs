//! Where `tokenize` spends its time: masks FILE once with `mask` everywhere,
//! then once per entity with only that entity tokenized, and prints the
//! extra milliseconds each entity costs.
//! `cargo run --release -p phimask --example tokcost -- FILE`
use phimask::{Engine, Entity, Key, Masker, Policy};
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let text = std::fs::read(path).unwrap();
    let key = Key::from_bytes(test_key(5)).unwrap();
    let engine = Engine::default();
    let run = |policy: Policy| {
        // Best of three: the machine is shared.
        let mut best = (f64::MAX, Default::default());
        for _ in 0..3 {
            let mut m = Masker::new(engine.clone(), policy.clone(), Some(key.clone())).unwrap();
            let t = Instant::now();
            let _ = m.mask_bytes(&text);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if ms < best.0 {
                best = (ms, m.stats().clone());
            }
        }
        best
    };
    let _warm_up = run(Policy::preset("mask").unwrap());
    let (base, stats): (f64, phimask::MaskStats) = run(Policy::preset("mask").unwrap());
    println!("mask everywhere: {base:.1} ms");
    let mut entities: Vec<Entity> = stats.by_entity.keys().map(|(e, _)| *e).collect();
    entities.dedup();
    for e in entities {
        let mut p = Policy::preset("mask").unwrap();
        p.set(e, phimask::Operator::Tokenize);
        let (ms, stats) = run(p);
        let n: u64 = stats.by_entity.iter().filter(|((x, _), _)| *x == e).map(|(_, n)| n).sum();
        println!("{e:14} {n:6} values  +{:.1} ms  ({:.1} us/value)", ms - base, (ms - base) * 1e3 / n as f64);
    }
}

/// A fixed key for tests: 32 distinct bytes, a different key per `seed`.
fn test_key(seed: u8) -> Vec<u8> {
    (0..32u8).map(|i| i.wrapping_mul(73).wrapping_add(seed) ^ 0x5c).collect()
}
