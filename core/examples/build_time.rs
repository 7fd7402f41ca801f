//! Engine build time: `cargo run --release -p phimask --example build_time`.
use std::time::Instant;
fn main() {
    let t = Instant::now();
    let e = phimask::Engine::builder().build().unwrap();
    let first = t.elapsed();
    let t = Instant::now();
    let e2 = phimask::Engine::builder().build().unwrap();
    let second = t.elapsed();
    let t = Instant::now();
    let n = e.scan("pt John Smith SSN 123-45-6789 DOB 03/14/1962").len() + e2.detectors().len();
    println!("first build {first:?} (includes word lists), second {second:?}, first scan {:?} ({n})", t.elapsed());
}
