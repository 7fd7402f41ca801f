//! Property tests of masking: masked output holds none of the detected
//! values, bytes outside findings are unchanged, streaming equals whole-input
//! masking, and tokens round-trip to the original values with the key.

use phimask::{detokenize_value, Engine, Entity, Key, Masker, Policy};
use proptest::prelude::*;

mod common;
use common::Chunked;

/// Text fragments that mix PHI shapes, near misses and filler.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("SSN 123-45-6789".to_string()),
        Just("pt John Smith".to_string()),
        Just("Dr. Maria Gonzalez saw her at 1200 Maple Street, Apt 4".to_string()),
        Just("13/01/2020".to_string()),
        Just("from 10.20.30.40 and 2001:db8::7334 mac 00:1a:2b:3c:4d:5e".to_string()),
        Just("DOB: 03/14/1962".to_string()),
        Just("call (617) 555-0123".to_string()),
        Just("MRN: 00123456".to_string()),
        Just("jdoe@example.org".to_string()),
        Just("card 4111 1111 1111 1111".to_string()),
        Just("2024-01-15T10:22:01Z INFO ok".to_string()),
        Just("\n".to_string()),
        (100u32..999, 10u32..99, 1000u32..9999).prop_map(|(a, b, c)| format!("SSN {a}-{b}-{c}")),
        (200u32..999, 200u32..999, 1000u32..9999).prop_map(|(a, b, c)| format!("tel ({a}) {b}-{c}")),
        "[a-z0-9 .,:/-]{0,30}",
    ]
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..30).prop_map(|v| v.join(" "))
}

/// One key for the whole file: its keyed permutations (dates, names) are
/// built once per key.
fn key() -> Key {
    static KEY: std::sync::OnceLock<Key> = std::sync::OnceLock::new();
    KEY.get_or_init(|| Key::from_bytes(test_key(0)).unwrap()).clone()
}

fn masker(policy: &str) -> Masker {
    let key = Policy::preset(policy).unwrap().needs_key().then(key);
    Masker::new(Engine::default(), Policy::preset(policy).unwrap(), key).unwrap()
}

#[test]
fn masked_network_addresses_are_not_found_again() {
    // The tail of an IPv6 address is an address of its own: kept, it would
    // be found in the masked text, and unmasking would decrypt it as if it
    // were a token (found by `tokens_round_trip_with_the_key`).
    let text = "from 10.20.30.40 and 2001:db8::7334 mac 00:1a:2b:3c:4d:5e; ip fe80::1, route ::/0, bind address ::";
    let out = masker("mask").mask_str(text);
    assert_eq!(Engine::default().scan(&out), Vec::new(), "{out}");
    let mut back = masker("tokenize");
    assert_eq!(back.unmask_str(&out).unwrap(), out);
    assert!(back.stats().by_entity.is_empty(), "nothing to unmask in {out}");
    // Tokens of the same values do come back, except `::/0` and `::`: a
    // prefix length alone has too few values for FF1, and `::` has no
    // letter or digit at all; both are masked one-way (and counted so).
    let mut tokenizer = masker("tokenize");
    let tokens = tokenizer.mask_str(text);
    assert_eq!(tokenizer.stats().fallbacks(), 2);
    let expected = text.replace("::/0", "::/*").replace("address ::", "address **");
    assert_eq!(masker("tokenize").unmask_str(&tokens).unwrap(), expected);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn masked_output_holds_no_detected_value(text in document()) {
        let findings = Engine::default().scan(&text);
        for policy in ["mask", "redact", "label", "hash", "tokenize", "surrogate", "safe-harbor"] {
            let out = masker(policy).mask_str(&text);
            for f in &findings {
                let value = &text[f.span()];
                // The same string may also stand where it is not PHI (a log
                // timestamp leading its line); only detected places count.
                let elsewhere = text
                    .match_indices(value)
                    .any(|(i, _)| !findings.iter().any(|g| g.start() <= i && i < g.end()));
                if value.chars().filter(|c| c.is_alphanumeric()).count() >= 6 && !elsewhere {
                    prop_assert!(!out.contains(value), "{policy}: {value:?} survives in {out:?}");
                }
            }
        }
    }

    #[test]
    fn bytes_outside_findings_are_unchanged(text in document()) {
        let findings = Engine::default().scan(&text);
        // redact: the output is exactly the text between findings.
        let mut expected = String::new();
        let mut at = 0;
        for f in &findings {
            expected.push_str(&text[at..f.start()]);
            at = f.end();
        }
        expected.push_str(&text[at..]);
        prop_assert_eq!(masker("redact").mask_str(&text), expected);
        // mask: same characters everywhere outside findings.
        let masked = masker("mask").mask_str(&text);
        prop_assert_eq!(masked.chars().count(), text.chars().count());
        let mut at = 0;
        for f in &findings {
            prop_assert_eq!(&masked[at..f.start()], &text[at..f.start()]);
            at = f.end();
        }
    }

    #[test]
    fn streaming_equals_whole_input(text in document(), chunk in 1usize..200) {
        let whole = masker("label").mask_bytes(text.as_bytes());
        let mut streamed = Vec::new();
        masker("label").mask_reader(Chunked { data: text.as_bytes(), chunk }, &mut streamed).unwrap();
        prop_assert_eq!(streamed, whole);
    }

    #[test]
    fn tokens_round_trip_with_the_key(text in document()) {
        let mut m = masker("tokenize");
        let out = m.mask_str(&text);
        let count = |m: &Masker, op: &str| -> u64 {
            m.stats().by_entity.iter().filter(|((_, o), _)| *o == op).map(|(_, n)| n).sum()
        };
        let tokens = count(&m, "tokenize");
        let mut back_masker = masker("tokenize");
        let back = back_masker.unmask_str(&out).unwrap();
        // Every token comes back, and nothing else is touched: the only
        // differences left are values that fell back to (irreversible)
        // mask — too small a domain for FF1, or a token that would not be
        // found again.
        prop_assert_eq!(count(&back_masker, "unmask"), tokens);
        prop_assert_eq!(back.chars().count(), text.chars().count(), "{:?}", back);
        for (b, t) in back.chars().zip(text.chars()) {
            prop_assert!(b == t || b == '*', "{:?} vs {:?}", back, text);
        }
        if m.stats().fallbacks() == 0 {
            prop_assert_eq!(back, text);
        }
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A tokenized date is another valid date in the same layout, and the key
    /// turns it back into the exact original text.
    #[test]
    fn date_tokens_are_dates_and_round_trip(y in 1900i32..2100, m in 1u32..=12, d in 1u32..=28, layout in 0usize..6) {
        let text = match layout {
            0 => format!("{m:02}/{d:02}/{y}"),
            1 => format!("{m}/{d}/{y}"),
            2 => format!("{y}-{m:02}-{d:02}"),
            3 => format!("{} {d}, {y}", MONTHS[m as usize - 1]),
            4 => format!("{d} {} {y}", &MONTHS[m as usize - 1][..3]),
            _ => format!("{m}-{d}-{:02}", y % 100),
        };
        prop_assume!(layout != 5 || (1930..2030).contains(&y));
        let doc = format!("DOB {text}");
        let out = masker("tokenize").mask_str(&doc);
        let token = &out[4..];
        prop_assert_ne!(token, text.as_str());
        prop_assert!(Engine::default().scan(token).iter().any(|f| f.entity() == Entity::Date), "{token} is not a date");
        prop_assert_eq!(detokenize_value(&key(), Entity::Date, None, token).unwrap(), text);
    }
}

/// `Masker::unmasker` runs the format drivers backwards: a tokenized CSV,
/// NDJSON file and SQL dump come back byte for byte.
#[test]
fn structured_files_round_trip_through_the_drivers() {
    use phimask::{mask_format, Format, FormatOptions};
    let csv = std::fs::read("../examples/patients.csv").unwrap();
    let sql = std::fs::read("../examples/dump.sql").unwrap();
    let ndjson = b"{\"patient\":{\"name\":\"John Smith\",\"ssn\":\"536-22-8140\",\"mrn\":48213377},\"note\":\"call 617-555-0188\"}\n".to_vec();
    for (format, input) in [(Format::Csv, csv), (Format::Sql, sql), (Format::Ndjson, ndjson)] {
        let policy = Policy::preset("tokenize").unwrap();
        let mut masker = Masker::new(Engine::default(), policy.clone(), Some(key())).unwrap();
        let mut masked = Vec::new();
        mask_format(&mut masker, format, &input[..], &mut masked, &FormatOptions::new()).unwrap();
        assert_ne!(masked, input, "{format}");
        let mut unmasker = Masker::unmasker(Engine::default(), policy, Some(key())).unwrap();
        let mut back = Vec::new();
        mask_format(&mut unmasker, format, &masked[..], &mut back, &FormatOptions::new()).unwrap();
        // Values with too small a domain for FF1 (a partial date like
        // `7/22`) fall back to mask and stay masked; all else is restored.
        let (back, input) = (String::from_utf8(back).unwrap(), String::from_utf8(input).unwrap());
        assert_eq!(back.len(), input.len(), "{format}: {back}");
        let fallbacks = masker.stats().fallbacks();
        let differing =
            back.bytes().zip(input.bytes()).filter(|(b, i)| b != i).inspect(|(b, _)| assert_eq!(*b, b'*')).count();
        assert!(differing == 0 || fallbacks > 0, "{format}: {back}");
    }
}

#[test]
fn unmask_without_a_key_is_a_key_error() {
    let policy = Policy::preset("tokenize").unwrap();
    let err = Masker::unmasker(Engine::default(), policy, None).unwrap_err();
    assert_eq!(err.kind(), phimask::ErrorKind::Key);
    let mut m = Masker::new(Engine::default(), Policy::preset("mask").unwrap(), None).unwrap();
    assert_eq!(m.unmask_str("x").unwrap_err().kind(), phimask::ErrorKind::Key);
}

/// Luhn check digit of `payload` digits (the card rule, for the test's
/// own cards).
fn luhn_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

fn luhn_ok(digits: &[u8]) -> bool {
    luhn_digit(&digits[..digits.len() - 1]) == digits[digits.len() - 1]
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn day_number(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tokens_are_deterministic_per_key_and_differ_across_keys(
        area in 100u32..666, group in 10u32..99, serial in 1000u32..9999, a in any::<[u8; 32]>(), b in any::<[u8; 32]>()
    ) {
        prop_assume!(a != b);
        let text = format!("SSN {area}-{group}-{serial}");
        let with = |k: [u8; 32]| {
            let key = Key::from_bytes(k.to_vec()).unwrap();
            Masker::new(Engine::default(), Policy::preset("tokenize").unwrap(), Some(key)).unwrap().mask_str(&text)
        };
        let first = with(a);
        prop_assume!(first != text); // a sample or invalid SSN is not detected
        prop_assert_eq!(&first, &with(a));
        prop_assert_ne!(&first, &with(b));
    }

    #[test]
    fn surrogate_cards_keep_their_layout_and_pass_luhn(payload in prop::collection::vec(0u8..10, 15), k in any::<[u8; 32]>()) {
        let mut digits = vec![4u8];
        digits.extend_from_slice(&payload[1..]);
        digits.push(luhn_digit(&digits));
        let card: String = digits
            .chunks(4)
            .map(|c| c.iter().map(|d| char::from(b'0' + d)).collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        let text = format!("card {card} on file");
        let key = Key::from_bytes(k.to_vec()).unwrap();
        let out = Masker::new(Engine::default(), Policy::preset("surrogate").unwrap(), Some(key)).unwrap().mask_str(&text);
        prop_assert_eq!(out.len(), text.len());
        let token = &out[5..5 + card.len()];
        prop_assert_ne!(token, card.as_str());
        let same_layout = token.bytes().zip(card.bytes()).all(|(t, c)| (t == b' ') == (c == b' '));
        prop_assert!(same_layout, "{}", token);
        let token_digits: Vec<u8> = token.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
        prop_assert!(luhn_ok(&token_digits), "{} fails Luhn", token);
    }

    #[test]
    fn date_shift_keeps_intervals_within_a_subject(
        start in 0i64..30_000, gaps in prop::collection::vec(0i64..2_000, 1..5), subject in "[A-Z]-[0-9]{4}", k in any::<[u8; 32]>()
    ) {
        let policy = Policy::from_toml(
            "[default]\noperator = 'mask'\n[entity.DATE]\noperator = 'date-shift'\n",
            std::path::Path::new("p.toml"),
        ).unwrap();
        let key = Key::from_bytes(k.to_vec()).unwrap();
        let mut masker = Masker::new(Engine::default(), policy, Some(key)).unwrap();
        masker.set_subject(&subject);
        let mut days = vec![day_number(1940, 1, 1) + start];
        for g in &gaps {
            days.push(days.last().unwrap() + g);
        }
        for pair in days.windows(2) {
            let fmt = |d: i64| { let (y, m, dd) = civil(d); format!("{m:02}/{dd:02}/{y}") };
            let text = format!("admitted {} discharged {}", fmt(pair[0]), fmt(pair[1]));
            let out = masker.mask_str(&text);
            prop_assert_eq!(out.len(), text.len());
            let parse = |s: &str| { let v: Vec<i64> = s.split('/').map(|x| x.parse().unwrap()).collect(); day_number(v[2], v[0], v[1]) };
            let (a, b) = (parse(&out[9..19]), parse(&out[31..41]));
            prop_assert_eq!(b - a, pair[1] - pair[0], "{}", out);
            prop_assert_ne!(a, pair[0]);
        }
    }
}

/// A fixed key for tests: 32 distinct bytes, a different key per `seed`.
fn test_key(seed: u8) -> Vec<u8> {
    (0..32u8).map(|i| i.wrapping_mul(73).wrapping_add(seed) ^ 0x5c).collect()
}
