//! Quick throughput check on a synthetic log: `cargo run --release --example throughput`.
use std::time::Instant;
fn main() {
    let mut text = String::new();
    let mut i = 0u64;
    while text.len() < 32 << 20 {
        i += 1;
        text.push_str(&format!(
            "2024-01-15T10:22:{:02}.{:03}Z INFO  api.request method=GET path=/v1/items/{} status=200 duration_ms={} client=10.2.{}.{} req=9f8e{:08x}\n",
            i % 60, i % 1000, i % 5000, i % 997, i % 250, i % 200, i * 2654435761 % 0xffffffff
        ));
        if i % 50 == 0 {
            text.push_str("2024-01-15T10:22:01.000Z WARN  api.patients slow lookup patient=\"John Smith\" ssn=536-22-8726 dob=03/14/1962\n");
        }
    }
    use phimask::Entity;
    for (label, engine) in [
        ("names only", phimask::Engine::builder().entities([Entity::Name]).build().unwrap()),
        ("no names", phimask::Engine::builder().exclude_entities([Entity::Name]).build().unwrap()),
        ("ssn only", phimask::Engine::builder().entities([Entity::Ssn]).build().unwrap()),
        ("dates only", phimask::Engine::builder().entities([Entity::Date]).build().unwrap()),
        ("ip only", phimask::Engine::builder().entities([Entity::Ip]).build().unwrap()),
    ] {
        let t = Instant::now();
        let n = engine.scan(&text).len();
        let secs = t.elapsed().as_secs_f64();
        println!("{label}: {:.1} MB/s, {n} findings", text.len() as f64 / secs / 1e6);
    }
    let engine = phimask::Engine::default();
    let t = Instant::now();
    let n = engine.scan(&text).len();
    let secs = t.elapsed().as_secs_f64();
    let mut by: std::collections::BTreeMap<String, usize> = Default::default();
    for f in engine.scan(&text) {
        *by.entry(f.detector().to_string()).or_default() += 1;
    }
    println!("{by:?}");
    println!("{} MB in {:.3}s = {:.1} MB/s, {} findings", text.len() >> 20, secs, text.len() as f64 / secs / 1e6, n);
}
