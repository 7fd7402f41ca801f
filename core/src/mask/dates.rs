//! Date shifting that keeps each date's own format.
//!
//! A date value is split into its parts — numbers, words, separators — and
//! each number or month word is given a role (year, month, day) by the same
//! layout rules the `date` validator accepts: a four-digit first number is
//! `Y-M-D`; three numbers are `M/D/Y`, or `D/M/Y` when the first cannot be a
//! month; two numbers are `M/D` (or `M/YYYY`); with a month name, the
//! numbers are day and year. The shifted date is written back into the same
//! parts: same separators, same zero-padding, two-digit years stay two
//! digits, month names keep their length (`Mar` / `March`) and case, and an
//! ordinal suffix follows its new day (`1st` → `3rd`).
//!
//! Day arithmetic uses the proleptic Gregorian day count (Howard Hinnant's
//! `days_from_civil`). A date without a year is shifted within a leap year,
//! so `2/29` stays valid.

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Year,
    Month,
    Day,
    Other,
}

#[derive(Debug)]
struct Part<'a> {
    text: &'a str,
    number: Option<i64>,
    month_word: Option<u32>,
    role: Role,
}

/// Shifts the date in `value` by `days`, keeping its format. `None` when the
/// value is not a date this module can read (the caller falls back).
pub(crate) fn shift_date(value: &str, days: i64) -> Option<String> {
    let date = parse(value)?;
    Some(render(&date, days))
}

/// How a full date is written, as far as a token must keep it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Style {
    /// The year has two digits.
    pub(crate) two_digit_year: bool,
    /// The month is a word (`March`), so only the day shows padding.
    pub(crate) month_word: bool,
}

/// A full date's day number (days since 1970-01-01) and style; `None`
/// unless day, month and year are all present.
pub(crate) fn day_number(value: &str) -> Option<(i64, Style)> {
    let date = parse(value)?;
    let month_word = date.parts.iter().any(|p| p.role == Role::Month && p.month_word.is_some());
    (date.has_day && date.has_year).then_some((date.days, Style { two_digit_year: date.two_digit_year, month_word }))
}

/// Which layout details a date, written in `style`, lets a reader see. A
/// month or day below 10 is written `3` or `03`, which tells padded and
/// unpadded layouts apart, while a date whose numbers are all 10 or more
/// reads the same in both; the month `May` reads the same as a full name
/// and as an abbreviation. A token must stay in its value's class, or its
/// layout could not be read back from it.
pub(crate) fn layout_class(days: i64, style: Style) -> (bool, bool) {
    let (_, m, d) = civil_from_days(days);
    (d < 10 || (!style.month_word && m < 10), style.month_word && m == 5)
}

/// A date split into parts with roles, and its calendar value.
struct Parsed<'a> {
    parts: Vec<Part<'a>>,
    days: i64,
    has_day: bool,
    has_year: bool,
    two_digit_year: bool,
}

fn parse(value: &str) -> Option<Parsed<'_>> {
    let mut parts = split(value);
    assign_roles(&mut parts)?;
    let get = |role: Role| parts.iter().find(|p| p.role == role);
    let month = match get(Role::Month)? {
        Part { month_word: Some(m), .. } => *m as i64,
        Part { number: Some(n), .. } => *n,
        _ => return None,
    };
    let day = get(Role::Day).and_then(|p| p.number).unwrap_or(1);
    let year_part = get(Role::Year);
    let year = match year_part {
        Some(p) if p.text.len() <= 2 => {
            let y = p.number?;
            if y < 30 {
                2000 + y
            } else {
                1900 + y
            }
        }
        Some(p) => p.number?,
        None => 2000,
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let (has_day, has_year) = (get(Role::Day).is_some(), year_part.is_some());
    let two_digit_year = year_part.is_some_and(|p| p.text.len() <= 2);
    Some(Parsed { days: days_from_civil(year, month, day), has_day, has_year, two_digit_year, parts })
}

/// Writes `date` moved by `days` into its own parts.
fn render(date: &Parsed<'_>, days: i64) -> String {
    let parts = &date.parts;
    let (ny, nm, nd) = civil_from_days(date.days + days);
    // Zero-padded layout: a month or day written with a leading zero, or
    // both written with two digits (`12/31/1999`).
    let numeric = |role: Role| parts.iter().find(|p| p.role == role && p.month_word.is_none());
    let width = |p: Option<&Part<'_>>| p.map(|p| p.text.bytes().take_while(u8::is_ascii_digit).count());
    let leading_zero = |p: Option<&Part<'_>>| p.is_some_and(|p| p.text.starts_with('0'));
    let (m_part, d_part) = (numeric(Role::Month), numeric(Role::Day));
    let padded = leading_zero(m_part)
        || leading_zero(d_part)
        || (m_part.is_some() && width(m_part) == Some(2) && width(d_part).unwrap_or(2) == 2);
    let two = |n: i64| if padded { pad(n, 2) } else { n.to_string() };
    let mut out = String::with_capacity(parts.iter().map(|p| p.text.len()).sum::<usize>() + 4);
    for p in parts {
        match p.role {
            Role::Year if p.text.len() <= 2 => out.push_str(&format!("{:02}", ny.rem_euclid(100))),
            Role::Year => out.push_str(&ny.to_string()),
            Role::Month if p.month_word.is_some() => out.push_str(&month_word(nm, p.text, p.month_word.unwrap_or(1))),
            Role::Month => out.push_str(&two(nm)),
            Role::Day => {
                let digits = p.text.bytes().take_while(u8::is_ascii_digit).count();
                out.push_str(&two(nd));
                if digits < p.text.len() {
                    out.push_str(&ordinal_suffix(nd, &p.text[digits..]));
                }
            }
            Role::Other => out.push_str(p.text),
        }
    }
    out
}

/// Splits into runs of digits (with an ordinal suffix), runs of letters, and
/// everything else.
fn split(value: &str) -> Vec<Part<'_>> {
    let bytes = value.as_bytes();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let class = |b: u8| {
            if b.is_ascii_digit() {
                0
            } else if b.is_ascii_alphabetic() {
                1
            } else {
                2
            }
        };
        let c = class(bytes[i]);
        while i < bytes.len() && class(bytes[i]) == c {
            i += 1;
        }
        // `14th`: digits followed by an ordinal suffix form one part.
        if c == 0 && i + 2 <= bytes.len() {
            let suffix = &value[i..i + 2];
            if matches!(suffix.to_ascii_lowercase().as_str(), "st" | "nd" | "rd" | "th")
                && bytes.get(i + 2).is_none_or(|b| !b.is_ascii_alphabetic())
            {
                i += 2;
            }
        }
        let text = &value[start..i];
        let number =
            (c == 0).then(|| text.trim_end_matches(|ch: char| ch.is_ascii_alphabetic()).parse().ok()).flatten();
        let month_word = (c == 1).then(|| month_of(text)).flatten();
        parts.push(Part { text, number, month_word, role: Role::Other });
    }
    parts
}

fn month_of(word: &str) -> Option<u32> {
    let lower = word.to_ascii_lowercase();
    if lower.len() < 3 {
        return None;
    }
    MONTHS.iter().position(|m| m.starts_with(&lower) || (lower == "sept" && *m == "september")).map(|i| i as u32 + 1)
}

fn assign_roles(parts: &mut [Part<'_>]) -> Option<()> {
    let numbers: Vec<usize> = (0..parts.len()).filter(|&i| parts[i].number.is_some()).collect();
    let word = (0..parts.len()).find(|&i| parts[i].month_word.is_some());
    let widths: Vec<usize> = parts.iter().map(|p| p.text.bytes().take_while(u8::is_ascii_digit).count()).collect();
    let digits = |i: usize| widths[i];
    match (word, numbers.as_slice()) {
        (Some(w), [a, b]) => {
            parts[w].role = Role::Month;
            let (day, year) = if digits(*a) == 4 { (*b, *a) } else { (*a, *b) };
            parts[day].role = Role::Day;
            parts[year].role = Role::Year;
        }
        (Some(w), [a]) => {
            parts[w].role = Role::Month;
            parts[*a].role = if digits(*a) == 4 { Role::Year } else { Role::Day };
        }
        (None, [a, b, c]) => {
            if digits(*a) == 4 {
                parts[*a].role = Role::Year;
                parts[*b].role = Role::Month;
                parts[*c].role = Role::Day;
            } else {
                let first_is_month = parts[*a].number? <= 12;
                parts[*a].role = if first_is_month { Role::Month } else { Role::Day };
                parts[*b].role = if first_is_month { Role::Day } else { Role::Month };
                parts[*c].role = Role::Year;
            }
        }
        (None, [a, b]) => {
            parts[*a].role = Role::Month;
            parts[*b].role = if digits(*b) == 4 { Role::Year } else { Role::Day };
        }
        _ => return None,
    }
    Some(())
}

fn pad(n: i64, width: usize) -> String {
    format!("{n:0width$}")
}

/// The new month's name in the original word's style: full name if the
/// original was a full name, else the three-letter abbreviation (`Sept`
/// stays `Sept` for September); same case pattern.
fn month_word(month: i64, original: &str, original_month: u32) -> String {
    let full = MONTHS[(month - 1) as usize];
    let was_full = original.eq_ignore_ascii_case(MONTHS[(original_month - 1) as usize]);
    let name = if was_full {
        full
    } else if month == 9 && original.len() == 4 {
        "sept"
    } else {
        &full[..3]
    };
    if original.len() > 1 && original.bytes().all(|b| b.is_ascii_uppercase()) {
        name.to_ascii_uppercase()
    } else if original.as_bytes()[0].is_ascii_uppercase() {
        let mut s = name.to_string();
        s[..1].make_ascii_uppercase();
        s
    } else {
        name.to_string()
    }
}

fn ordinal_suffix(day: i64, original: &str) -> String {
    let suffix = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    if original.bytes().all(|b| b.is_ascii_uppercase()) {
        suffix.to_ascii_uppercase()
    } else {
        suffix.to_string()
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 (Howard Hinnant, "chrono-Compatible Low-Level Date
/// Algorithms").
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_keep_the_format() {
        assert_eq!(shift_date("03/14/1962", 49).as_deref(), Some("05/02/1962"));
        assert_eq!(shift_date("3/14/1962", 49).as_deref(), Some("5/2/1962"));
        assert_eq!(shift_date("3-14-62", 1).as_deref(), Some("3-15-62"));
        assert_eq!(shift_date("1962-03-14", -14).as_deref(), Some("1962-02-28"));
        assert_eq!(shift_date("March 14, 1962", 18).as_deref(), Some("April 1, 1962"));
        assert_eq!(shift_date("14 Mar 1962", 31).as_deref(), Some("14 Apr 1962"));
        assert_eq!(shift_date("MAR-14-1962", 365).as_deref(), Some("MAR-14-1963"));
        assert_eq!(shift_date("May 1st, 1977", 2).as_deref(), Some("May 3rd, 1977"));
        assert_eq!(shift_date("21/05/2021", 11).as_deref(), Some("01/06/2021"));
        assert_eq!(shift_date("7/22", 10).as_deref(), Some("8/1"));
        assert_eq!(shift_date("12/31/1999", 1).as_deref(), Some("01/01/2000"));
        assert_eq!(shift_date("2/29", 0).as_deref(), Some("2/29"));
        assert_eq!(shift_date("not a date", 3), None);
        assert_eq!(shift_date("02/30/2001", 3), None);
    }

    #[test]
    fn day_counts_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }
}
