//! Experiment: keyword pass as Aho-Corasick DFA vs regex-automata.
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let hay = std::fs::read(&path).unwrap();
    let mut words: Vec<String> = Vec::new();
    for f in std::fs::read_dir("patterns").unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_some_and(|e| e == "toml") {
            let v: toml::Value = toml::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            for d in v.get("detector").and_then(|d| d.as_array()).into_iter().flatten() {
                for key in ["context", "negative_context"] {
                    for w in d.get(key).and_then(|c| c.as_array()).into_iter().flatten() {
                        words.push(w.as_str().unwrap().to_lowercase());
                    }
                }
            }
        }
    }
    words.sort();
    words.dedup();
    for kind in [aho_corasick::AhoCorasickKind::DFA, aho_corasick::AhoCorasickKind::ContiguousNFA] {
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .kind(Some(kind))
            .build(&words)
            .unwrap();
        let t = Instant::now();
        let n = ac.find_iter(&hay).count();
        println!("ac {kind:?}: {n} in {:.1} MB/s", hay.len() as f64 / t.elapsed().as_secs_f64() / 1e6);
    }
    let alt: Vec<String> = words.iter().map(|w| regex_syntax::escape(w)).collect();
    let pat = format!(r"(?i)\b(?:{})\b", alt.join("|"));
    let re = regex_automata::meta::Regex::builder()
        .syntax(regex_automata::util::syntax::Config::new().unicode(false).utf8(false))
        .build(&pat)
        .unwrap();
    let t = Instant::now();
    let n = re.find_iter(&hay[..]).count();
    println!("regex: {n} in {:.1} MB/s", hay.len() as f64 / t.elapsed().as_secs_f64() / 1e6);
    let dfa = regex_automata::dfa::dense::Builder::new()
        .syntax(regex_automata::util::syntax::Config::new().unicode(false).utf8(false))
        .configure(regex_automata::dfa::dense::Config::new().minimize(true))
        .build(&pat);
    match dfa {
        Ok(dfa) => {
            use regex_automata::dfa::Automaton;
            println!("dense dfa size {} KB", dfa.memory_usage() / 1024);
            let t = Instant::now();
            let mut n = 0;
            let mut at = 0;
            while let Some(m) = dfa.try_search_fwd(&regex_automata::Input::new(&hay[..]).range(at..)).unwrap() {
                n += 1;
                at = m.offset().max(at + 1);
                if at >= hay.len() { break; }
            }
            println!("dense fwd: {n} in {:.1} MB/s", hay.len() as f64 / t.elapsed().as_secs_f64() / 1e6);
        }
        Err(e) => println!("dense: {e}"),
    }
}
