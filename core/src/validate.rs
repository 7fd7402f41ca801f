//! Validators: checksum and range rules that a shape match must pass.
//!
//! The automata find things that *look like* PHI; these functions check that
//! they *could be* PHI: the SSA never issues area 666, a card number must pass
//! Luhn, March has no 32nd. A validator sees only the matched value and
//! answers [`Verdict`]: reject, accept, or accept with a score bonus (a VIN
//! whose check digit is right is much more likely to be a VIN).
//!
//! Validators are pure functions of the value: cheap, allocation-free, and
//! run only on the few candidates the automata report.

/// What a validator says about a candidate value.
pub(crate) type Verdict = Option<f32>;

const ACCEPT: Verdict = Some(0.0);
const REJECT: Verdict = None;

macro_rules! validators {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal => $func:path; )*) => {
        /// A named validator, referenced from pattern files by name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum Validator { $( $(#[$doc])* $variant, )* }

        impl Validator {
            /// Every validator name a pattern file may use.
            pub(crate) const NAMES: &'static [&'static str] = &[$($name,)*];

            pub(crate) fn parse(name: &str) -> Option<Validator> {
                match name { $($name => Some(Validator::$variant),)* _ => None }
            }

            /// Runs the validator over a matched value.
            pub(crate) fn check(self, value: &[u8]) -> Verdict {
                match self { $(Validator::$variant => $func(value),)* }
            }

            /// How much of a matched value the validator takes: all of it,
            /// except for [`Validator::Town`], whose regex takes up to three
            /// words and whose value is the longest town name they start
            /// with (`Bel Air` in `Bel Air and`). `None` rejects the match.
            pub(crate) fn take(self, value: &[u8]) -> Option<usize> {
                match self {
                    Validator::Town => crate::patterns::places::town_prefix(value),
                    _ => Some(value.len()),
                }
            }
        }
    };
}

validators! {
    /// Luhn checksum over the digits.
    Luhn = "luhn" => luhn_verdict;
    /// Payment card: 13–19 digits, Luhn, known issuer prefix (Visa, Mastercard,
    /// Amex, Discover, JCB, Diners, UnionPay, Maestro, UATP).
    CreditCard = "credit_card" => credit_card;
    /// US SSN area/group/serial rules and known sample numbers.
    Ssn = "ssn" => ssn;
    /// US ITIN: area 9xx with the IRS group ranges.
    Itin = "itin" => itin;
    /// NPI: 10 digits, Luhn with the 80840 prefix.
    Npi = "npi" => npi;
    /// DEA registration number check digit.
    Dea = "dea" => dea;
    /// ABA routing number checksum and Federal Reserve prefix.
    Aba = "aba" => aba;
    /// VIN: 17 characters without I, O, Q; a correct check digit adds score.
    Vin = "vin" => vin;
    /// Medicare Beneficiary Identifier character rules.
    Mbi = "mbi" => mbi;
    /// A real calendar date in any supported layout.
    Date = "date" => date;
    /// IPv4 with four octets of 0–255.
    Ipv4 = "ipv4" => ipv4;
    /// IPv6 as parsed by the standard library.
    Ipv6 = "ipv6" => ipv6;
    /// A URL that names a host: a dotted host name, an IP literal, or a
    /// scheme with a port or path after the host.
    Url = "url" => url;
    /// IMEI: 15 digits passing Luhn.
    Imei = "imei" => imei;
    /// NANP phone number: valid area code and exchange.
    Nanp = "nanp" => nanp;
    /// An age above 89 and below 130.
    AgeOver89 = "age_over_89" => age_over_89;
    /// A ZIP code that is not all zeros.
    Zip = "zip" => zip;
    /// A phone number of 7 to 15 digits that is not one repeated digit.
    E164 = "e164" => e164;
    /// IBAN: country code, check digits and mod-97 remainder 1.
    Iban = "iban" => iban;
    /// A bank account number: not trivial, and not a payment card number
    /// (a Luhn-valid number with a card issuer prefix is reported as a card).
    BankAccount = "bank_account" => bank_account;
    /// Digits that are not one repeated digit or a plain ascending run.
    NotTrivial = "not_trivial" => not_trivial;
    /// A month and a two-digit year that cannot be a day (`8/87`, `12/82`).
    MonthYear = "month_year" => month_year;
    /// A facility's name before its kind (`Calvert Hospital`, `Sacred Heart
    /// Memorial`): no article, pronoun or preposition in the name.
    Facility = "facility" => facility;
    /// A hospital or ward by name after a move to or from it (`transferred
    /// to Quartermain`, `sent to GH`): a word on no word list, or a short
    /// code that is not a common word, and not a hospital unit (`CCU`).
    Destination = "destination" => destination;
    /// A ward by name before its floor (`on Quartermain 6`): a word on no
    /// word list and no hospital unit; codes are not taken (`on ASA 81`).
    Ward = "ward" => ward;
    /// A US city or town (the Postal Service's names: `Catonsville`, `Bel
    /// Air`), not a common, clinical or unit word when one word.
    Town = "town" => town;
    /// A surname right after a title (`dr. lindquist`): on a name list, or
    /// on no word list at all; not a common or clinical word alone (`dr
    /// aware`).
    SurnameAfterTitle = "surname_after_title" => surname_after_title;
    /// A surname right after a role (`md wyman`, `np Saeed`): no common or
    /// clinical word at all (`md aware`, `np grace`).
    Surname = "surname" => surname;
}

fn facility(value: &[u8]) -> Verdict {
    const NOT_NAMES: &[&[u8]] = &[
        b"the",
        b"a",
        b"an",
        b"his",
        b"her",
        b"their",
        b"our",
        b"this",
        b"that",
        b"same",
        b"outside",
        b"local",
        b"other",
        b"another",
        b"to",
        b"at",
        b"from",
        b"in",
        b"of",
        b"for",
        b"and",
        b"with",
        b"by",
        b"on",
        b"back",
        b"home",
        b"state",
        b"county",
        b"city",
        b"nearest",
        b"previous",
        b"prior",
        b"new",
        b"old",
        b"private",
        b"general",
        b"area",
        b"community",
        b"psych",
        b"acute",
        b"was",
        b"is",
        b"be",
        b"go",
        b"went",
        b"via",
        b"per",
        b"pt",
        b"patient",
        b"into",
        b"cardiac",
        b"pulmonary",
        b"inpatient",
        b"outpatient",
    ];
    let mut words = value.split(|&b| b == b' ').filter(|w| !w.is_empty()).collect::<Vec<_>>();
    words.pop(); // the kind (`hospital`, `rehab`…)
                 // A word before the kind names the place when it is capitalized as a
                 // name (`Calvert Hospital`, `Sacred Heart Memorial`) or, written in one
                 // case, is no common or clinical word (`CALVERT HOSPITAL`, not
                 // `AWAITING REHAB` or `poss rehab`).
    let name_word = |w: &[u8], lower: &[u8]| {
        use crate::patterns::words::{CLINICAL, COMMON};
        let capitalized = w[0].is_ascii_uppercase() && w[1..].iter().any(u8::is_ascii_lowercase);
        capitalized || crate::patterns::words::WordLists::embedded().flags(lower) & (COMMON | CLINICAL) == 0
    };
    let named = !words.is_empty()
        && words.iter().all(|w| {
            let lower = w.to_ascii_lowercase();
            let lower = lower.strip_suffix(b".").unwrap_or(&lower);
            !NOT_NAMES.contains(&lower)
        })
        && words.last().is_some_and(|w| {
            let lower = w.to_ascii_lowercase();
            name_word(w, lower.strip_suffix(b".").unwrap_or(&lower))
        });
    if named {
        Some(0.0)
    } else {
        REJECT
    }
}

fn month_year(value: &[u8]) -> Verdict {
    let mut parts = value.split(|&b| b == b'/' || b == b'-');
    let (Some(m), Some(y), None) = (parts.next(), parts.next(), parts.next()) else { return REJECT };
    let num = |d: &[u8]| {
        (!d.is_empty() && d.len() <= 2 && d.iter().all(u8::is_ascii_digit))
            .then(|| d.iter().fold(0u32, |a, &b| a * 10 + u32::from(b - b'0')))
    };
    match (num(m), num(y)) {
        (Some(month), Some(year)) if (1..=12).contains(&month) && y.len() == 2 && year > 31 => Some(0.0),
        _ => REJECT,
    }
}

fn digits(value: &[u8], out: &mut [u8; 32]) -> usize {
    let mut n = 0;
    for &b in value {
        if b.is_ascii_digit() {
            if n == out.len() {
                return usize::MAX;
            }
            out[n] = b - b'0';
            n += 1;
        }
    }
    n
}

fn luhn_ok(d: &[u8]) -> bool {
    d.len() >= 2 && luhn_check_digit(&d[..d.len() - 1]) == d[d.len() - 1]
}

/// The digit (0–9) that, appended to `payload` (digit values, not ASCII),
/// makes it pass Luhn. Shared with the surrogate operator, which must
/// produce numbers these validators accept.
pub(crate) fn luhn_check_digit(payload: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, &d) in payload.iter().rev().enumerate() {
        let mut v = u32::from(d);
        if i % 2 == 0 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    ((10 - sum % 10) % 10) as u8
}

fn luhn_verdict(value: &[u8]) -> Verdict {
    let mut buf = [0; 32];
    let n = digits(value, &mut buf);
    if n == usize::MAX || n < 2 {
        return REJECT;
    }
    luhn_ok(&buf[..n]).then_some(0.0)
}

fn all_same(d: &[u8]) -> bool {
    d.windows(2).all(|w| w[0] == w[1])
}

fn num(d: &[u8]) -> u32 {
    d.iter().fold(0, |acc, &x| acc * 10 + u32::from(x))
}

fn credit_card(value: &[u8]) -> Verdict {
    let mut buf = [0; 32];
    let n = digits(value, &mut buf);
    if !(13..=19).contains(&n) {
        return REJECT;
    }
    let d = &buf[..n];
    if all_same(d) || !luhn_ok(d) {
        return REJECT;
    }
    let p2 = num(&d[..2]);
    let p3 = num(&d[..3]);
    let p4 = num(&d[..4]);
    let p6 = num(&d[..6]);
    let known = d[0] == 4
        || (51..=55).contains(&p2)
        || (2221..=2720).contains(&p4)
        || p2 == 34
        || p2 == 37
        || p4 == 6011
        || p2 == 65
        || (644..=649).contains(&p3)
        || (622126..=622925).contains(&p6)
        || (3528..=3589).contains(&p4)
        || (300..=305).contains(&p3)
        || p2 == 36
        || p2 == 38
        || p2 == 62
        || p2 == 50
        || (56..=58).contains(&p2)
        || p2 == 63
        || p2 == 67
        || (d[0] == 1 && n == 15);
    known.then_some(0.0)
}

/// Known sample/advertising SSNs that belong to nobody (grouped as
/// AAA_GG_SSSS).
#[allow(clippy::inconsistent_digit_grouping)]
const SAMPLE_SSNS: &[u32] = &[78_05_1120, 219_09_9999, 457_55_5462];

fn ssn_parts(value: &[u8]) -> Option<(u32, u32, u32)> {
    let mut buf = [0; 32];
    let n = digits(value, &mut buf);
    if n != 9 {
        return None;
    }
    let d = &buf[..9];
    if all_same(d) {
        return None;
    }
    Some((num(&d[..3]), num(&d[3..5]), num(&d[5..])))
}

fn ssn(value: &[u8]) -> Verdict {
    let (area, group, serial) = ssn_parts(value)?;
    if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
        return REJECT;
    }
    if SAMPLE_SSNS.contains(&(area * 1_000_000 + group * 10_000 + serial)) {
        return REJECT;
    }
    ACCEPT
}

fn itin(value: &[u8]) -> Verdict {
    let (area, group, _) = ssn_parts(value)?;
    let group_ok = matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99);
    (area >= 900 && group_ok).then_some(0.0)
}

fn npi(value: &[u8]) -> Verdict {
    let mut buf = [0; 32];
    let n = digits(value, &mut buf);
    if n != 10 || !(buf[0] == 1 || buf[0] == 2) {
        return REJECT;
    }
    let mut full = [8, 0, 8, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    full[5..].copy_from_slice(&buf[..10]);
    luhn_ok(&full).then_some(0.0)
}

fn dea(value: &[u8]) -> Verdict {
    let v: Vec<u8> = value.iter().copied().filter(|b| b.is_ascii_alphanumeric()).collect();
    if v.len() != 9 {
        return REJECT;
    }
    let first = v[0].to_ascii_uppercase();
    if !b"ABCDEFGHJKLMPRSTUX".contains(&first) || !v[1].is_ascii_alphabetic() && v[1] != b'9' {
        return REJECT;
    }
    if !v[2..].iter().all(u8::is_ascii_digit) {
        return REJECT;
    }
    let d: Vec<u32> = v[2..].iter().map(|&b| u32::from(b - b'0')).collect();
    let check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10;
    (check == d[6]).then_some(0.0)
}

fn aba(value: &[u8]) -> Verdict {
    let mut buf = [0; 32];
    let n = digits(value, &mut buf);
    if n != 9 {
        return REJECT;
    }
    let d: Vec<u32> = buf[..9].iter().map(|&x| u32::from(x)).collect();
    let prefix = d[0] * 10 + d[1];
    if !matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80) || all_same(&buf[..9]) {
        return REJECT;
    }
    let sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8]);
    (sum % 10 == 0).then_some(0.0)
}

fn vin_value(c: u8) -> Option<u32> {
    Some(match c.to_ascii_uppercase() {
        c @ b'0'..=b'9' => u32::from(c - b'0'),
        b'A' | b'J' => 1,
        b'B' | b'K' | b'S' => 2,
        b'C' | b'L' | b'T' => 3,
        b'D' | b'M' | b'U' => 4,
        b'E' | b'N' | b'V' => 5,
        b'F' | b'W' => 6,
        b'G' | b'P' | b'X' => 7,
        b'H' | b'Y' => 8,
        b'R' | b'Z' => 9,
        _ => return None,
    })
}

/// The check character (position 9) a 17-character VIN should carry, or
/// `None` when a character is not allowed in a VIN.
pub(crate) fn vin_check_char(vin: &[u8]) -> Option<u8> {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let mut sum = 0;
    for (&c, w) in vin.iter().zip(WEIGHTS) {
        sum += vin_value(c)? * w;
    }
    Some(match sum % 11 {
        10 => b'X',
        r => b'0' + r as u8,
    })
}

fn vin(value: &[u8]) -> Verdict {
    if value.len() != 17 {
        return REJECT;
    }
    let letters = value.iter().filter(|b| b.is_ascii_alphabetic()).count();
    let digits = value.iter().filter(|b| b.is_ascii_digit()).count();
    if letters == 0 || digits < 3 {
        return REJECT;
    }
    Some(if value[8].to_ascii_uppercase() == vin_check_char(value)? { 0.25 } else { 0.0 })
}

fn mbi(value: &[u8]) -> Verdict {
    let v: Vec<u8> = value.iter().filter(|&&b| b != b'-' && b != b' ').map(u8::to_ascii_uppercase).collect();
    if v.len() != 11 {
        return REJECT;
    }
    let letter = |c: u8| c.is_ascii_uppercase() && !b"SLOIBZ".contains(&c);
    let alnum = |c: u8| c.is_ascii_digit() || letter(c);
    let ok = matches!(v[0], b'1'..=b'9')
        && letter(v[1])
        && alnum(v[2])
        && v[3].is_ascii_digit()
        && letter(v[4])
        && alnum(v[5])
        && v[6].is_ascii_digit()
        && letter(v[7])
        && letter(v[8])
        && v[9].is_ascii_digit()
        && v[10].is_ascii_digit();
    ok.then_some(0.0)
}

const MONTHS: [&[u8]; 12] =
    [b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec"];

fn month_of(word: &[u8]) -> Option<u32> {
    if word.len() < 3 {
        return None;
    }
    let lower: Vec<u8> = word.iter().map(u8::to_ascii_lowercase).collect();
    MONTHS.iter().position(|m| lower.starts_with(m)).map(|i| i as u32 + 1)
}

fn days_in(month: u32, year: Option<u32>) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => match year {
            Some(y) if !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) => 28,
            _ => 29,
        },
        _ => 0,
    }
}

/// Validates a date in the layouts the default detectors produce: numeric
/// `M/D/Y`, `D/M/Y` (when the first part cannot be a month), `Y-M-D`, partial
/// `M/D`, and forms with month names (`March 14, 1962`, `14 Mar 1962`,
/// `Mar-14-1962`) and month-year forms (`March 1962`, `05/2021`).
fn date(value: &[u8]) -> Verdict {
    let mut nums: [(u32, usize); 4] = [(0, 0); 4];
    let mut n_nums = 0;
    let mut month_name = None;
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        if b.is_ascii_digit() {
            let start = i;
            while i < value.len() && value[i].is_ascii_digit() {
                i += 1;
            }
            if n_nums == 4 || i - start > 4 {
                return REJECT;
            }
            let text = &value[start..i];
            nums[n_nums] = (text.iter().fold(0, |a, &d| a * 10 + u32::from(d - b'0')), i - start);
            n_nums += 1;
        } else if b.is_ascii_alphabetic() {
            let start = i;
            while i < value.len() && value[i].is_ascii_alphabetic() {
                i += 1;
            }
            if let Some(m) = month_of(&value[start..i]) {
                month_name = Some(m);
            }
        } else {
            i += 1;
        }
    }
    let year_of = |(v, len): (u32, usize)| -> Option<u32> {
        match len {
            4 if (1800..=2199).contains(&v) => Some(v),
            2 => Some(if v < 30 { 2000 + v } else { 1900 + v }),
            _ => None,
        }
    };
    let valid = |m: u32, d: u32, y: Option<u32>| (1..=12).contains(&m) && d >= 1 && d <= days_in(m, y);
    let nums = &nums[..n_nums];
    let ok = match (month_name, nums) {
        (Some(m), [(d, dl), y]) if *dl <= 2 => {
            let y = year_of(*y);
            y.is_some() && valid(m, *d, y)
        }
        (Some(m), [y, (d, dl)]) if y.1 == 4 && *dl <= 2 => valid(m, *d, year_of(*y)),
        (Some(m), [(d, dl)]) if *dl <= 2 => valid(m, *d, None),
        (Some(m), [y]) if y.1 == 4 => year_of(*y).is_some() && (1..=12).contains(&m),
        (None, [(m, ml), y]) if *ml <= 2 && y.1 == 4 => year_of(*y).is_some() && (1..=12).contains(m),
        (None, [a, b, c]) if a.1 == 4 => {
            let y = year_of(*a);
            y.is_some() && b.1 <= 2 && c.1 <= 2 && valid(b.0, c.0, y)
        }
        (None, [a, b, c]) if a.1 <= 2 && b.1 <= 2 => {
            let y = year_of(*c);
            y.is_some() && (valid(a.0, b.0, y) || valid(b.0, a.0, y))
        }
        (None, [a, b]) if a.1 <= 2 && b.1 <= 2 => valid(a.0, b.0, None),
        _ => false,
    };
    ok.then_some(0.0)
}

fn ipv4(value: &[u8]) -> Verdict {
    let value = match value.iter().position(|&b| b == b'/') {
        Some(slash) if value.len() - slash <= 3 && num_of(&value[slash + 1..]).is_some_and(|p| p <= 32) => {
            &value[..slash]
        }
        Some(_) => return REJECT,
        None => value,
    };
    let mut parts = 0;
    for part in value.split(|&b| b == b'.') {
        parts += 1;
        if part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return REJECT;
        }
        if part.len() > 1 && part[0] == b'0' {
            return REJECT;
        }
        if num(&part.iter().map(|b| b - b'0').collect::<Vec<_>>()) > 255 {
            return REJECT;
        }
    }
    (parts == 4).then_some(0.0)
}

fn num_of(digits: &[u8]) -> Option<u32> {
    (!digits.is_empty() && digits.len() <= 9 && digits.iter().all(u8::is_ascii_digit))
        .then(|| digits.iter().fold(0, |a, &d| a * 10 + u32::from(d - b'0')))
}

fn ipv6(value: &[u8]) -> Verdict {
    let (value, prefixed) = match value.iter().position(|&b| b == b'/') {
        Some(slash) if num_of(&value[slash + 1..]).is_some_and(|p| p <= 128) => (&value[..slash], true),
        Some(_) => return REJECT,
        None => (value, false),
    };
    // A short compressed address (at most three groups) is more often a
    // code path: `dfa::DFA`, `Add::add`, `c::B0`, `E::A`. Such addresses
    // are written in one case and hold a decimal digit (`fe80::1`).
    let groups = value.split(|&b| b == b':').filter(|g| !g.is_empty()).count();
    if groups <= 3 {
        let upper = value.iter().any(|b| matches!(b, b'A'..=b'F'));
        let lower = value.iter().any(|b| matches!(b, b'a'..=b'f'));
        if upper && lower || !(prefixed || value.iter().any(u8::is_ascii_digit)) {
            return REJECT;
        }
    }
    let text = std::str::from_utf8(value).ok()?;
    let addr: std::net::Ipv6Addr = text.parse().ok()?;
    // A bare "::" is as often Haskell's or BNF's `::` as the unspecified
    // address: it needs an address label (detector `ipv6-unspecified`).
    // With a prefix length (`::/0`, the default route) it is a route.
    ((prefixed || !addr.is_unspecified()) && text.matches(':').count() >= 2).then_some(0.0)
}

/// `www.microsoft` and `http://microsoft` name no host on the web: the
/// host part (after the scheme and a leading `www.`) must hold a dot
/// (`microsoft.com`) or be a bracketed IP literal, unless a scheme is
/// followed by a port or path (`http://localhost:8080`,
/// `http://intranet/chart/123`: a single-label intranet host).
fn url(value: &[u8]) -> Verdict {
    let (rest, scheme) = match value.windows(3).position(|w| w == b"://") {
        Some(i) => (&value[i + 3..], true),
        None => (value, false),
    };
    let host_end = rest.iter().position(|b| matches!(b, b'/' | b'?' | b'#' | b':')).unwrap_or(rest.len());
    let host = &rest[..host_end];
    let host = match host.get(..4) {
        Some(www) if www.eq_ignore_ascii_case(b"www.") => &host[4..],
        _ => host,
    };
    let named = host.first() == Some(&b'[') || host.contains(&b'.');
    let located = scheme && host_end < rest.len() && !host.is_empty();
    (named || located).then_some(0.0)
}

fn imei(value: &[u8]) -> Verdict {
    let mut buf = [0; 32];
    let n = digits(value, &mut buf);
    (n == 15 && !all_same(&buf[..n]) && luhn_ok(&buf[..n])).then_some(0.0)
}

fn nanp(value: &[u8]) -> Verdict {
    // An extension (`x123`, `ext. 123`) is not part of the number.
    let number = value.iter().position(u8::is_ascii_alphabetic).map_or(value, |x| &value[..x]);
    let mut buf = [0; 32];
    let n = digits(number, &mut buf);
    let d = match n {
        10 => &buf[..10],
        11 if buf[0] == 1 => &buf[1..11],
        // `001`: the international call prefix dialled from outside NANP.
        13 if buf[..3] == [0, 0, 1] => &buf[3..13],
        _ => return REJECT,
    };
    // Only the area code is checked: test data and fiction use 555-0xxx.
    if d[0] < 2 || all_same(d) {
        return REJECT;
    }
    ACCEPT
}

fn age_over_89(value: &[u8]) -> Verdict {
    let mut buf = [0; 32];
    let n = digits(value, &mut buf);
    if n == 0 || n > 3 {
        return REJECT;
    }
    let age = num(&buf[..n]);
    (90..=125).contains(&age).then_some(0.0)
}

fn zip(value: &[u8]) -> Verdict {
    let mut buf = [0; 32];
    let n = digits(value, &mut buf);
    (n >= 5 && num(&buf[..5]) != 0).then_some(0.0)
}

fn e164(value: &[u8]) -> Verdict {
    // An extension (`x123`) is not part of the number.
    let number = value.iter().position(u8::is_ascii_alphabetic).map_or(value, |x| &value[..x]);
    let mut buf = [0; 32];
    let n = digits(number, &mut buf);
    ((7..=15).contains(&n) && !all_same(&buf[..n])).then_some(0.0)
}

fn iban(value: &[u8]) -> Verdict {
    let v: Vec<u8> = value.iter().copied().filter(|b| *b != b' ').collect();
    if !(15..=34).contains(&v.len())
        || !v[..2].iter().all(u8::is_ascii_uppercase)
        || !v[2..4].iter().all(u8::is_ascii_digit)
    {
        return REJECT;
    }
    let mut rem: u32 = 0;
    for &c in v[4..].iter().chain(&v[..4]) {
        let d = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return REJECT,
        };
        rem = if d >= 10 { (rem * 100 + d) % 97 } else { (rem * 10 + d) % 97 };
    }
    (rem == 1).then_some(0.0)
}

fn bank_account(value: &[u8]) -> Verdict {
    if credit_card(value).is_some() {
        return REJECT;
    }
    not_trivial(value)
}

fn not_trivial(value: &[u8]) -> Verdict {
    let mut buf = [0; 32];
    let n = digits(value, &mut buf);
    if n == usize::MAX {
        return ACCEPT;
    }
    let d = &buf[..n];
    let ascending = d.windows(2).all(|w| w[1] == (w[0] + 1) % 10);
    (n == 0 || !(all_same(d) || ascending && n >= 6)).then_some(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(v: Validator, s: &str) -> bool {
        v.check(s.as_bytes()).is_some()
    }

    #[test]
    fn ssn_rules() {
        assert!(ok(Validator::Ssn, "123-45-6789"));
        assert!(ok(Validator::Ssn, "536 22 8726"));
        for bad in
            ["000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000", "078-05-1120", "111-11-1111"]
        {
            assert!(!ok(Validator::Ssn, bad), "{bad}");
        }
        assert!(ok(Validator::Itin, "912-70-1234"));
        assert!(!ok(Validator::Itin, "912-40-1234"));
    }

    #[test]
    fn checksums() {
        assert!(ok(Validator::CreditCard, "4111 1111 1111 1111"));
        assert!(ok(Validator::CreditCard, "5555555555554444"));
        assert!(ok(Validator::CreditCard, "378282246310005"));
        assert!(!ok(Validator::CreditCard, "4111 1111 1111 1112"));
        assert!(ok(Validator::Npi, "1234567893"));
        assert!(!ok(Validator::Npi, "1234567890"));
        assert!(ok(Validator::Dea, "AB1234563"));
        assert!(!ok(Validator::Dea, "AB1234567"));
        assert!(ok(Validator::Aba, "011000015"));
        assert!(!ok(Validator::Aba, "011000016"));
        assert_eq!(Validator::Vin.check(b"1HGCM82633A004352"), Some(0.25));
        assert_eq!(Validator::Vin.check(b"1HGCM82635A004352"), Some(0.0));
        assert!(!ok(Validator::Vin, "INTRODUCTORYWORDS"));
        assert!(ok(Validator::Mbi, "1EG4-TE5-MK73"));
        assert!(!ok(Validator::Mbi, "1SG4-TE5-MK73"));
        assert!(ok(Validator::Imei, "490154203237518"));
        assert!(ok(Validator::Iban, "GB82 WEST 1234 5698 7654 32"));
        assert!(!ok(Validator::Iban, "GB82 WEST 1234 5698 7654 33"));
        assert!(ok(Validator::E164, "+44 20 7946 0958"));
        assert!(!ok(Validator::E164, "+1 2"));
    }

    #[test]
    fn dates() {
        for good in [
            "03/14/1962",
            "3-14-62",
            "1962-03-14",
            "March 14, 1962",
            "14 Mar 1962",
            "Mar-14-1962",
            "7/22",
            "29/02/2000",
            "2024 March 3",
            "March 1962",
            "05/2021",
        ] {
            assert!(ok(Validator::Date, good), "{good}");
        }
        for bad in ["13/32/1962", "02/30/2001", "2/29/2001", "0/12/2000", "13/2021", "March 12345"] {
            assert!(!ok(Validator::Date, bad), "{bad}");
        }
    }

    #[test]
    fn networks_and_phones() {
        assert!(ok(Validator::Ipv4, "192.168.1.20"));
        assert!(!ok(Validator::Ipv4, "256.1.1.1"));
        assert!(!ok(Validator::Ipv4, "1.2.3"));
        assert!(ok(Validator::Ipv6, "2001:db8::8a2e:370:7334"));
        assert!(!ok(Validator::Ipv6, "12:30"));
        assert!(ok(Validator::Ipv6, "::/0"));
        assert!(ok(Validator::Ipv6, "::/128"));
        assert!(!ok(Validator::Ipv6, "::"));
        assert!(!ok(Validator::Ipv6, "::/129"));
        assert!(ok(Validator::Ipv6, "FE80::1FF:FE23:4567:890A"));
        assert!(ok(Validator::Ipv6, "2345:0425:2CA1::0567:5673:23b5"));
        assert!(ok(Validator::Ipv6, "dead:beef:cafe::babe"));
        for code in ["dfa::DFA", "Add::add", "c::B0", "E::A", "a::b"] {
            assert!(!ok(Validator::Ipv6, code), "{code}");
        }
        for good in [
            "https://www.microsoft.com/",
            "http://microsoft.vlaanderen",
            "www.bit.ly/aser",
            "http://[2001:db8::1]/path",
            "http://localhost:8080",
            "http://intranet/chart/123",
            "HTTPS://WWW.EXAMPLE.ORG",
        ] {
            assert!(ok(Validator::Url, good), "{good}");
        }
        for bad in ["www.microsoft", "http://microsoft", "https://www.microsoft", "WWW.EXAMPLE", "www.x/y"] {
            assert!(!ok(Validator::Url, bad), "{bad}");
        }
        assert!(ok(Validator::Nanp, "(617) 555-0123"));
        assert!(ok(Validator::Nanp, "+1 617 555 0123"));
        assert!(!ok(Validator::Nanp, "(117) 555-0123"));
        assert!(ok(Validator::Nanp, "555-000-1111"));
        assert!(ok(Validator::Nanp, "986.291.2294x751"));
        assert!(ok(Validator::Nanp, "(978)645-9740 ext. 11144"));
        assert!(ok(Validator::Nanp, "001-846-853-9089"));
        assert!(!ok(Validator::Nanp, "002-846-853-9089"));
        assert!(!ok(Validator::Nanp, "086.291.2294x751"));
        assert!(ok(Validator::AgeOver89, "92"));
        assert!(!ok(Validator::AgeOver89, "89"));
        assert!(!ok(Validator::NotTrivial, "123456789"));
        assert!(ok(Validator::NotTrivial, "004815162"));
    }
}

/// The word-list flags of `value` (a word of `min_len` to 32 bytes; `'`
/// and `-` dropped, as the lists spell names), or `None` when it is out of
/// those bounds or has one of the `excluded` flags.
fn listed_flags(value: &[u8], min_len: usize, excluded: u16) -> Option<u16> {
    const LONGEST: usize = 32;
    if value.len() < min_len || value.len() > LONGEST {
        return None;
    }
    let mut lower = [0u8; LONGEST];
    let mut n = 0;
    for &b in value.iter().filter(|&&b| b != b'\'' && b != b'-') {
        lower[n] = b.to_ascii_lowercase();
        n += 1;
    }
    let flags = crate::patterns::words::WordLists::embedded().flags(&lower[..n]);
    (flags & excluded == 0).then_some(flags)
}

/// The flags of a place's name, or `None` when it cannot be one (a unit,
/// a title, a weekday or country, or not a word).
fn place_flags(value: &[u8]) -> Option<u16> {
    use crate::patterns::words::{PLACE, TITLE, UNIT};
    listed_flags(value, 2, UNIT | TITLE | PLACE)
}

fn destination(value: &[u8]) -> Verdict {
    use crate::patterns::words::COMMON;
    let flags = place_flags(value)?;
    let code = value.len() <= 5 && value.iter().all(u8::is_ascii_alphabetic);
    if flags & COMMON == 0 && code {
        return Some(0.0);
    }
    ward_named(value, flags)
}

fn ward(value: &[u8]) -> Verdict {
    ward_named(value, place_flags(value)?)
}

/// [`ward`] for a value whose [`place_flags`] are `flags`.
fn ward_named(value: &[u8], flags: u16) -> Verdict {
    use crate::patterns::words::{CLINICAL, COMMON};
    // One plain word in one case or capitalized, no misspelt one
    // (`recieved 3 units`, `A-paced 70`, `combiventQ4`).
    let cased = value[1..].iter().all(u8::is_ascii_lowercase) || value.iter().all(u8::is_ascii_uppercase);
    let plain =
        value.len() > 5 && flags & (COMMON | CLINICAL) == 0 && cased && value.iter().all(u8::is_ascii_alphabetic);
    (plain && !crate::names::misspelt_word(crate::patterns::words::WordLists::embedded(), value)).then_some(0.0)
}

fn town(value: &[u8]) -> Verdict {
    (crate::patterns::places::town_prefix(value) == Some(value.len())).then_some(0.0)
}

/// The flags of a lower-cased name candidate, or `None` when it cannot be
/// a surname (a title, unit, place or eponym, or under three letters).
fn surname_flags(value: &[u8]) -> Option<u16> {
    use crate::patterns::words::{EPONYM, PLACE, TITLE, UNIT};
    listed_flags(value, 3, TITLE | UNIT | PLACE | EPONYM)
}

fn surname_after_title(value: &[u8]) -> Verdict {
    use crate::patterns::words::{CLINICAL, COMMON, FIRST, LAST};
    let flags = surname_flags(value)?;
    (flags & (FIRST | LAST) != 0 || flags & (COMMON | CLINICAL) == 0).then_some(0.0)
}

fn surname(value: &[u8]) -> Verdict {
    use crate::patterns::words::{CLINICAL, COMMON};
    let flags = surname_flags(value)?;
    (flags & (COMMON | CLINICAL) == 0).then_some(0.0)
}
