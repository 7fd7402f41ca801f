//! Regression tests of the core, each named after the defect it pins.
//!
//! The linear-time tests compare two input sizes in one run (four times
//! the bytes may take at most eight times as long: a quadratic scan takes
//! sixteen); no test asserts an absolute time.

use std::time::{Duration, Instant};

use phimask::Engine;

/// The best of three timings of `run` on `input`.
fn best_of_three(input: &[u8], run: &impl Fn(&[u8])) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            run(input);
            start.elapsed()
        })
        .min()
        .expect("three runs")
}

/// Asserts that `run` takes at most ~linear time on `unit` repeated to
/// about `small` bytes and to four times that (both under one block, so
/// the block bound cannot hide a quadratic search).
fn assert_linear(name: &str, unit: &str, small: usize, run: impl Fn(&[u8])) {
    let make = |len: usize| unit.repeat(len / unit.len() + 1).into_bytes();
    let (a, b) = (make(small), make(4 * small));
    run(&a); // warm up: caches, lazy DFA states
    let (ta, tb) = (best_of_three(&a, &run), best_of_three(&b, &run));
    let ratio = tb.as_secs_f64() / ta.as_secs_f64().max(1e-6);
    assert!(
        ratio < 8.0,
        "{name}: {} bytes took {ta:?}, {} bytes {tb:?} ({ratio:.1}x for 4x the input)",
        a.len(),
        b.len()
    );
}

/// Runs of digits with dots or hyphens: one shape (an IPv4 address, a
/// card number) matches a short piece while another (a domain name, an
/// e-mail) could go on to the end of the run, and every short match used
/// to search the rest of the run again.
#[test]
fn d1_digits_and_dots_scan_in_linear_time() {
    let engine = Engine::default();
    for unit in ["1.", "1-", "12.", "9.9.", ".1", "99-", "-1", "1a-", "1.1.1.1@", "4111-1111-"] {
        assert_linear(unit, unit, 48 * 1024, |hay| {
            engine.scan_bytes(hay);
        });
    }
}

/// One long line dense with findings: IPv4 addresses, capitalized words,
/// dates, e-mail addresses.
#[test]
fn d15_dense_single_lines_scan_in_linear_time() {
    let engine = Engine::default();
    for unit in [
        "10.1.2.3 192.168.4.5 ",
        "Alpha Bravo John Smith Mary Jones Baker Street ",
        "01/02/2020 03/04/2021 ",
        "a1@x.com b2@y.org ",
    ] {
        assert_linear(unit, unit, 48 * 1024, |hay| {
            engine.scan_bytes(hay);
        });
    }
}

/// The quadratic inputs still give the findings a bounded search should:
/// every IPv4 address in a run of `1.` is one the run holds.
#[test]
fn d1_bounded_search_still_finds_what_the_run_holds() {
    let engine = Engine::default();
    let text = "host 10.0.0.7 and 1.".repeat(2) + &"1.".repeat(20_000) + " then 34.201.17.8 ok";
    let found = engine.scan(&text);
    for f in &found {
        assert!(text[f.span()].bytes().all(|b| b.is_ascii_digit() || b == b'.'), "{:?}", f.entity());
    }
    let tail = text.rfind("34.201.17.8").expect("planted");
    assert!(found.iter().any(|f| f.start() == tail), "the address after the run is found");
}

/// Type errors in pattern and policy files named the offending value.
#[test]
fn d10_config_errors_do_not_quote_values() {
    let toml = "[[detector]]\nid = \"x\"\nentity = \"SSN\"\nregex = '\\d{3}'\nmatch = \"123-45-6789\"\n";
    let err = Engine::builder().patterns_str("mine.toml", toml).build().unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("123-45-6789"), "{shown}");
    assert!(shown.contains("mine.toml"), "the file is named: {shown}");
    let err = phimask::Policy::from_toml("[entity.SSN]\noperator = \"John Smith\"\n", "p.toml".as_ref()).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("John Smith"), "{shown}");
}

/// `tokenize` on one long line dense with values compared every token
/// with every finding of its line (0.24 MB/s).
#[test]
fn d15_tokenize_on_a_dense_line_is_linear() {
    use phimask::{Key, Masker, Policy};
    let key = Key::from_bytes((0..32u8).map(|i| i.wrapping_mul(73) ^ 0x5c).collect()).unwrap();
    let engine = Engine::default();
    let unit = "pt John Smith DOB 03/14/1962 MRN 00482913 call 617-555-0142; host 10.1.2.3 ";
    assert_linear("tokenize", unit, 12 * 1024, |hay| {
        let mut m = Masker::new(engine.clone(), Policy::preset("tokenize").unwrap(), Some(key.clone())).unwrap();
        m.mask_bytes(hay);
    });
}

/// What a 10,000-patient dump's free-text notes kept in clear after
/// masking: a first name alone after `Patient` or a relation word (also
/// one that is a word or a place), a bare ten-digit phone number after
/// `called from`, an address in the Freely Associated States.
#[test]
fn residue_names_after_person_words_phones_after_called_and_territory_addresses() {
    let engine = Engine::default();
    let found = |text: &str| -> Vec<(String, String)> {
        engine.scan(text).iter().map(|f| (f.entity().as_str().to_string(), text[f.span()].to_string())).collect()
    };
    let has = |text: &str, entity: &str, value: &str| {
        let all = found(text);
        assert!(all.iter().any(|(e, v)| e == entity && v == value), "{text}: {all:?}");
    };
    has("Patient Carol reports mild pain.", "NAME", "Carol");
    has("Wife Carol present at bedside.", "NAME", "Carol");
    has("Patient Sydney reports mild pain.", "NAME", "Sydney");
    has("Son Dmitri will call back.", "NAME", "Dmitri");
    has("Called from 6445551234 about results.", "PHONE", "6445551234");
    has("Lives at 12 Lagoon Road, Koror, PW 96940.", "ZIP", "96940");
    has("Lives at 12 Lagoon Road, Majuro, MH 96960.", "CITY", "Majuro");
    // The person word itself is not part of the name.
    assert!(found("Patient Emily Johnson, DOB 03/15/1980").contains(&("NAME".into(), "Emily Johnson".into())));
    // ALL-CAPS shorthand after a person word stays quiet.
    for quiet in ["FOUND BY HUSBAND ON FLOOR", "PT IN S/F POSITION", "PT MAY BE W/U BY GBMC"] {
        assert!(found(quiet).iter().all(|(e, _)| e != "NAME"), "{quiet}: {:?}", found(quiet));
    }
}

/// Month and weekday names in log timestamps (`15/Jan/2024:10:22:01`,
/// `Thu Jun 2 10:22:01`, `Sun Dec`) were names: 1,003 of the 1,016 NAME
/// findings on the real logs in `../shared/realworld/logs/`.
#[test]
fn log_timestamp_month_and_weekday_names_are_not_names() {
    let engine = Engine::default();
    for line in [
        "127.0.0.1 - - [15/Jan/2024:10:22:01 +0000] \"GET / HTTP/1.1\" 200",
        "[Thu Jun 09 06:07:04 2005] [notice] LDAP: Built with OpenLDAP LDAP SDK",
        "Sun Dec 04 04:47:44 2005 [error] mod_jk child workerEnv in error state 6",
        "2024-Jan-15 10:22:01 started",
    ] {
        let names = values_of(&engine, line, phimask::Entity::Name);
        assert!(names.is_empty(), "{line}: {names:?}");
    }
    // A machine timestamp anywhere on a line is an event time, not a
    // patient date; a date next to a patient-date label, or in prose, is.
    for line in [
        "Wed May 19 08:00:01 EST 2021 line 1",
        r#"{"headers":{"Last-Modified":["Tue, 21 Oct 2025 04:01:45 GMT"]}}"#,
        "web-1  | 2024-04-25T05:32:35.584725130Z  * Debug mode: on",
    ] {
        let dates = values_of(&engine, line, phimask::Entity::Date);
        assert!(dates.is_empty(), "{line}: {dates:?}");
    }
    for line in ["When: 1998-06-28 14:48:14 Where: clinic", "patient DOB 1962-03-14T00:00:00"] {
        assert!(!values_of(&engine, line, phimask::Entity::Date).is_empty(), "{line}");
    }
    // A person is still a person.
    let found = engine.scan("seen by Dr. April Jones on Jan 15");
    assert!(found.iter().any(|f| f.entity() == phimask::Entity::Name), "{found:?}");
    // A ratchet on the real logs, every finding reported: at most 35 NAME
    // findings where there were 1,016 (32 today: names in changelog lines
    // and thread names after process ids).
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/realworld/logs"));
    let mut names = 0;
    for entry in walk(dir) {
        let bytes = std::fs::read(&entry).unwrap();
        names += engine.scan_bytes(&bytes).iter().filter(|f| f.entity() == phimask::Entity::Name).count();
    }
    assert!(names <= 35, "{names} NAME findings on the real logs");
}

/// The hook's bar on real logs: with person evidence (what `phimask scan`
/// reports by default) at most 5 non-network findings per MB (IP, URL and
/// e-mail addresses are network identifiers and may stay).
#[test]
fn real_logs_stay_quiet_with_person_evidence() {
    let engine = Engine::builder().person_evidence(true).build().unwrap();
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/realworld/logs"));
    let (mut bytes, mut other) = (0usize, 0usize);
    for entry in walk(dir) {
        let text = std::fs::read(&entry).unwrap();
        bytes += text.len();
        other += engine
            .scan_bytes(&text)
            .iter()
            .filter(|f| !matches!(f.entity(), phimask::Entity::Ip | phimask::Entity::Url | phimask::Entity::Email))
            .count();
    }
    let per_mb = other as f64 / (bytes as f64 / 1e6);
    assert!(bytes > 500_000, "the real logs are there: {bytes} bytes");
    assert!(per_mb <= 5.0, "{other} non-network findings in {bytes} bytes = {per_mb:.1} per MB");
}

/// The values of `text` found as `entity`.
fn values_of<'t>(engine: &Engine, text: &'t str, entity: phimask::Entity) -> Vec<&'t str> {
    engine.scan(text).iter().filter(|f| f.entity() == entity).map(|f| &text[f.span()]).collect()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Regression: in a line without capitals, `mrn` after `patient` was read
/// as a lower-case name (`patient mrn=00328213`), and masked as one.
#[test]
fn a_key_glued_to_equals_is_not_a_name() {
    let engine = Engine::default();
    for line in ["patient mrn=00328213", "pt dob=1962-03-14 name=x", "Patient User=admin"] {
        let names = values_of(&engine, line, phimask::Entity::Name);
        assert!(names.is_empty(), "{line}: {names:?}");
    }
    assert_eq!(values_of(&engine, "patient is John Smith", phimask::Entity::Name), ["John Smith"]);
}
