//! Measures how often `tokenize` → `unmask` restores each finding exactly,
//! leaves it masked (values `tokenize` cannot make findable again fall
//! back to `mask`), or gets it wrong:
//! `cargo run --release -p phimask --example roundtrip -- FILE...`
//! (`SHOW=NAME` prints the failures of one entity: synthetic corpora only).
use phimask::{Engine, Key, Masker, Policy};
use std::collections::BTreeMap;

fn main() {
    let key = Key::from_bytes(test_key(9)).unwrap();
    let engine = Engine::default();
    let mut masker = Masker::new(engine.clone(), Policy::preset("tokenize").unwrap(), Some(key)).unwrap();
    // entity -> (findings, restored exactly, left masked, wrong)
    let mut by_entity: BTreeMap<String, (u32, u32, u32, u32)> = BTreeMap::new();
    let show = std::env::var("SHOW").ok();
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let masked = masker.mask_str(line);
            let back = masker.unmask_str(&masked).unwrap();
            let ok_line = back == line;
            for f in engine.scan(line) {
                let e = by_entity.entry(f.entity().to_string()).or_default();
                e.0 += 1;
                // A finding survives when its text is back in place.
                // Masks keep the character count, so compare by characters.
                let (a, b) = (line[..f.start()].chars().count(), line[..f.end()].chars().count());
                let chars: Vec<char> = back.chars().collect();
                let got: Option<String> = (chars.len() == line.chars().count()).then(|| chars[a..b].iter().collect());
                let got = got.as_deref();
                if ok_line || got == Some(&line[f.span()]) {
                    e.1 += 1;
                } else if got.is_some_and(|g| g.contains('*')) {
                    e.2 += 1;
                } else {
                    e.3 += 1;
                }
                if !ok_line && got != Some(&line[f.span()]) && show.as_deref() == Some(f.entity().as_str()) {
                    // Synthetic test data only: this tool is for corpora, never for real PHI.
                    println!("{:?}\n  -> {:?}\n  -> {:?}", &line[f.span()], masked, back);
                }
            }
        }
    }
    println!("{:14} {:>6} {:>8} {:>7} {:>6}", "entity", "found", "restored", "masked", "wrong");
    for (entity, (n, ok, masked, wrong)) in by_entity {
        println!("{entity:14} {n:6} {ok:8} {masked:7} {wrong:6}");
    }
}

/// A fixed key for tests: 32 distinct bytes, a different key per `seed`.
fn test_key(seed: u8) -> Vec<u8> {
    (0..32u8).map(|i| i.wrapping_mul(73).wrapping_add(seed) ^ 0x5c).collect()
}
