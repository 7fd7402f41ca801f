//! Surrogates: realistic stand-ins, deterministic under the key.
//!
//! Every surrogate is drawn from a byte stream keyed by (key, entity, value)
//! — HMAC-SHA-256 under the key's `surrogate` sub-key, in counter mode — so
//! the same value gets the same surrogate in every file and run, and
//! different keys give unrelated surrogates. Surrogates are one-way (use
//! `tokenize` for reversibility).
//!
//! Each entity keeps its shape and, where it has one, its checksum: a card
//! keeps its length and first digit and passes Luhn; an NPI passes its
//! Luhn-with-80840 check; a VIN gets a correct check digit. Values are drawn
//! from ranges that cannot belong to a person where such ranges exist: SSNs
//! from the never-issued areas 900–999, phone numbers from the fictional
//! 555-0100–0199 block, e-mail and URLs at the reserved `example.*` domains
//! (RFC 2606), IP addresses from the documentation networks (RFC 5737 and
//! RFC 3849). Names come from the Census name lists.

use std::sync::OnceLock;

use crate::crypto::DerivedKey;
use crate::entity::Entity;
use crate::validate::{luhn_check_digit, vin_check_char};

/// A keyed stream of pseudo-random bytes for one value.
pub(crate) struct Stream<'k> {
    key: &'k DerivedKey,
    seed: [u8; 32],
    block: [u8; 32],
    used: usize,
    counter: u32,
}

impl<'k> Stream<'k> {
    pub(crate) fn new(key: &'k DerivedKey, entity: Entity, value: &[u8]) -> Stream<'k> {
        let seed = key.mac(&[entity.as_str().as_bytes(), value]);
        Stream { key, seed, block: [0; 32], used: 32, counter: 0 }
    }

    fn byte(&mut self) -> u8 {
        if self.used == 32 {
            self.block = self.key.mac(&[&self.seed, &self.counter.to_le_bytes()]);
            self.counter += 1;
            self.used = 0;
        }
        self.used += 1;
        self.block[self.used - 1]
    }

    /// A number in `0..n` (n ≤ 2^32), with negligible bias.
    fn below(&mut self, n: u32) -> u32 {
        let mut x = 0u64;
        for _ in 0..8 {
            x = (x << 8) | u64::from(self.byte());
        }
        (x % u64::from(n)) as u32
    }

    fn digit(&mut self) -> u8 {
        b'0' + self.below(10) as u8
    }
}

fn first_names() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| include_str!("../../../patterns/names/first.txt").lines().filter(|l| l.len() > 2).collect())
}

fn last_names() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    // The 5,000 most common surnames read as names to anyone.
    LIST.get_or_init(|| include_str!("../../../patterns/names/last.txt").lines().filter(|l| l.len() > 2).collect())
}

/// The surrogate for `value`.
pub(crate) fn surrogate(key: &DerivedKey, entity: Entity, value: &[u8]) -> String {
    let mut s = Stream::new(key, entity, value);
    let text = String::from_utf8_lossy(value);
    match entity {
        Entity::Name => name(&mut s, &text),
        Entity::Ssn => ssn(&mut s, &text),
        Entity::CreditCard => card(&mut s, &text),
        Entity::AgeOver89 => "90+".to_string(),
        Entity::Npi => npi(&mut s, &text),
        Entity::VehicleId if value.len() == 17 && value.iter().all(u8::is_ascii_alphanumeric) => vin(&mut s),
        Entity::Phone | Entity::Fax => phone(&mut s, &text),
        Entity::Email => email(&mut s),
        Entity::Ip if text.contains(':') => format!("2001:db8::{:x}:{:x}", s.below(0xffff), s.below(0xffff)),
        Entity::Ip => format!("{}.{}", ["192.0.2", "198.51.100", "203.0.113"][s.below(3) as usize], 1 + s.below(254)),
        Entity::Url => format!("https://www.example.org/{}", lower_word(&mut s, 8)),
        Entity::City => name(&mut s, &text),
        _ => same_shape(&mut s, &text),
    }
}

/// Keeps the case pattern of `like` on `word`.
fn cased(word: &str, like: &str) -> String {
    let letters: Vec<char> = like.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        word.to_uppercase()
    } else if letters.first().is_some_and(|c| c.is_lowercase()) {
        word.to_lowercase()
    } else {
        let mut out = word.to_lowercase();
        if let Some(first) = out.get(..1) {
            let upper = first.to_uppercase();
            out.replace_range(..1, &upper);
        }
        out
    }
}

/// A given name for the first word, surnames for the rest; separators and
/// initials (`J.`) keep their place.
fn name(s: &mut Stream<'_>, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let mut index = 0;
    let flush = |word: &mut String, out: &mut String, index: &mut usize, s: &mut Stream<'_>| {
        if word.is_empty() {
            return;
        }
        let pick = if word.chars().count() == 1 {
            ((b'A' + s.below(26) as u8) as char).to_string()
        } else if *index == 0 {
            first_names()[s.below(first_names().len() as u32) as usize].to_string()
        } else {
            last_names()[s.below(last_names().len() as u32) as usize].to_string()
        };
        out.push_str(&cased(&pick, word));
        *index += 1;
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphabetic() || c == '\'' {
            word.push(c);
        } else {
            flush(&mut word, &mut out, &mut index, s);
            out.push(c);
        }
    }
    flush(&mut word, &mut out, &mut index, s);
    out
}

/// Digits replaced by digits and letters by letters (case kept), the rest
/// unchanged.
fn same_shape(s: &mut Stream<'_>, text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                s.digit() as char
            } else if c.is_ascii_uppercase() {
                (b'A' + s.below(26) as u8) as char
            } else if c.is_ascii_lowercase() {
                (b'a' + s.below(26) as u8) as char
            } else {
                c
            }
        })
        .collect()
}

/// A card number of the same length and network (first digit), random
/// otherwise, with a correct Luhn check digit.
fn card(s: &mut Stream<'_>, text: &str) -> String {
    let n = text.bytes().filter(u8::is_ascii_digit).count();
    let first = text.bytes().find(u8::is_ascii_digit).unwrap_or(b'4') - b'0';
    let mut digits: Vec<u8> = std::iter::once(first).chain((1..n).map(|_| s.digit() - b'0')).collect();
    if n >= 2 {
        digits[n - 1] = luhn_check_digit(&digits[..n - 1]);
    }
    fill(text, &digits)
}

fn fill(text: &str, digits: &[u8]) -> String {
    let mut it = digits.iter();
    text.chars()
        .map(|c| if c.is_ascii_digit() { (b'0' + it.next().copied().unwrap_or(0)) as char } else { c })
        .collect()
}

/// Area 900–999 was never issued as an SSN; group and serial non-zero.
fn ssn(s: &mut Stream<'_>, text: &str) -> String {
    if text.bytes().filter(u8::is_ascii_digit).count() != 9 {
        return same_shape(s, text);
    }
    let area = 900 + s.below(100);
    let group = 1 + s.below(99);
    let serial = 1 + s.below(9999);
    let digits: Vec<u8> = format!("{area:03}{group:02}{serial:04}").bytes().map(|b| b - b'0').collect();
    fill(text, &digits)
}

fn npi(s: &mut Stream<'_>, text: &str) -> String {
    if text.bytes().filter(u8::is_ascii_digit).count() != 10 {
        return same_shape(s, text);
    }
    let mut digits = vec![1 + s.below(2) as u8];
    for _ in 0..8 {
        digits.push(s.digit() - b'0');
    }
    let mut full = vec![8, 0, 8, 4, 0];
    full.extend_from_slice(&digits);
    digits.push(luhn_check_digit(&full));
    fill(text, &digits)
}

fn vin(s: &mut Stream<'_>) -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    let mut v: Vec<u8> = (0..17).map(|_| CHARS[s.below(CHARS.len() as u32) as usize]).collect();
    v[8] = vin_check_char(&v).unwrap_or(b'X');
    String::from_utf8(v).unwrap_or_default()
}

/// A NANP number in the fictional 555-0100–0199 block, in the input's
/// layout (other layouts: same shape).
fn phone(s: &mut Stream<'_>, text: &str) -> String {
    let n = text.bytes().filter(u8::is_ascii_digit).count();
    let country = n == 11 && text.bytes().find(u8::is_ascii_digit) == Some(b'1');
    if n != 10 && !country {
        return same_shape(s, text);
    }
    let area = 200 + s.below(800);
    let line = 100 + s.below(100);
    let mut digits: Vec<u8> = Vec::new();
    if country {
        digits.push(1);
    }
    digits.extend(format!("{area:03}555{line:04}").bytes().map(|b| b - b'0'));
    fill(text, &digits)
}

fn lower_word(s: &mut Stream<'_>, len: usize) -> String {
    (0..len).map(|_| (b'a' + s.below(26) as u8) as char).collect()
}

fn email(s: &mut Stream<'_>) -> String {
    let first = first_names()[s.below(first_names().len() as u32) as usize];
    let last = last_names()[s.below(last_names().len() as u32) as usize];
    let domain = ["example.com", "example.org", "example.net"][s.below(3) as usize];
    format!("{first}.{last}{}@{domain}", s.below(100))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_key;
    use crate::crypto::Key;

    fn sub(entity: Entity, value: &str) -> String {
        surrogate(&Key::from_bytes(test_key(9)).unwrap().derive(b"surrogate"), entity, value.as_bytes())
    }

    fn luhn_ok(s: &str) -> bool {
        let d: Vec<u8> = s.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
        luhn_check_digit(&d[..d.len() - 1]) == d[d.len() - 1]
    }

    #[test]
    fn shapes_and_checksums_survive() {
        let card = sub(Entity::CreditCard, "4111 1111 1111 1111");
        assert!(card.starts_with('4') && card.len() == 19 && &card[4..5] == " " && luhn_ok(&card), "{card}");
        let ssn = sub(Entity::Ssn, "123-45-6789");
        assert!(ssn.starts_with('9') && &ssn[3..4] == "-" && ssn.len() == 11, "{ssn}");
        let npi = sub(Entity::Npi, "1234567893");
        assert!(crate::validate::Validator::Npi.check(npi.as_bytes()).is_some(), "{npi}");
        let vin = sub(Entity::VehicleId, "1HGCM82633A004352");
        assert_eq!(crate::validate::Validator::Vin.check(vin.as_bytes()), Some(0.25), "{vin}");
        let phone = sub(Entity::Phone, "(617) 555-0123");
        assert!(phone.starts_with('(') && phone[6..9] == *"555" && phone[10..12] == *"01", "{phone}");
        let email = sub(Entity::Email, "jdoe@gmail.com");
        assert!(email.contains("@example."), "{email}");
        assert!(sub(Entity::Ip, "10.1.2.3").starts_with("19") || sub(Entity::Ip, "10.1.2.3").starts_with("20"));
        let mrn = sub(Entity::Mrn, "AB-00123456");
        assert!(mrn.len() == 11 && mrn[..2].bytes().all(|b| b.is_ascii_uppercase()) && &mrn[2..3] == "-", "{mrn}");
    }

    #[test]
    fn names_are_names_in_the_same_case() {
        let n = sub(Entity::Name, "John Smith");
        let words: Vec<&str> = n.split(' ').collect();
        assert_eq!(words.len(), 2);
        assert!(words.iter().all(|w| w.chars().next().unwrap().is_uppercase()), "{n}");
        let hl7 = sub(Entity::Name, "DOE^JANE^A");
        assert!(hl7.split('^').count() == 3 && hl7 == hl7.to_uppercase(), "{hl7}");
    }

    #[test]
    fn deterministic_per_key_and_value() {
        assert_eq!(sub(Entity::Name, "John Smith"), sub(Entity::Name, "John Smith"));
        assert_ne!(sub(Entity::Ssn, "123-45-6789"), sub(Entity::Ssn, "123-45-6780"));
        let other = surrogate(&Key::from_bytes(test_key(8)).unwrap().derive(b"surrogate"), Entity::Ssn, b"123-45-6789");
        assert_ne!(other, sub(Entity::Ssn, "123-45-6789"));
    }
}
