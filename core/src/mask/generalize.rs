//! The Safe Harbor transforms of the `generalize` operator.
//!
//! 45 CFR 164.514(b)(2)(i): dates keep only the year, and a year that
//! reveals an age over 89 is aggregated into one category; ages over 89
//! become a single category; ZIP codes keep their first three digits unless
//! the three-digit area holds 20,000 or fewer people, in which case `000`.
//! The restricted prefixes ship as data in `policies/zip3_restricted.txt`
//! with their source.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::entity::Entity;

const ZIP3_RESTRICTED: &str = include_str!("../../../policies/zip3_restricted.txt");

/// The current calendar year (UTC), for counting ages.
pub(crate) fn current_year() -> i32 {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    // Mean Gregorian year: exact to within a day, enough for an age cut-off.
    1970 + (secs / 31_556_952) as i32
}

/// The generalized form of a DATE, AGE_OVER_89 or ZIP value; `None` for
/// other entities (the policy check keeps them away).
pub(crate) fn generalize(entity: Entity, value: &[u8], reference_year: i32) -> Option<String> {
    Some(match entity {
        Entity::Date => match year_of_date(value) {
            Some(year) if reference_year - year > 89 => format!("<={}", reference_year - 90),
            Some(year) => year.to_string(),
            None => String::new(),
        },
        Entity::AgeOver89 => "90+".to_string(),
        Entity::Zip => {
            let digits: Vec<u8> = value.iter().copied().filter(u8::is_ascii_digit).take(3).collect();
            let prefix = String::from_utf8(digits).unwrap_or_default();
            if prefix.len() < 3 || is_restricted(&prefix) {
                "000".to_string()
            } else {
                prefix
            }
        }
        _ => return None,
    })
}

fn is_restricted(prefix: &str) -> bool {
    ZIP3_RESTRICTED.lines().map(str::trim).filter(|l| !l.starts_with('#')).any(|l| l == prefix)
}

/// The year a date value names: a four-digit number from 1800 to 2199, or
/// a two-digit year in third place (`3-14-62`) or after a month name and day
/// (`Mar-14-62`); two-digit years below 30 are 20xx.
fn year_of_date(value: &[u8]) -> Option<i32> {
    let numbers: Vec<&[u8]> = value.split(|b| !b.is_ascii_digit()).filter(|n| !n.is_empty()).collect();
    let parse = |n: &[u8]| std::str::from_utf8(n).ok()?.parse::<i32>().ok();
    if let Some(year) =
        numbers.iter().filter(|n| n.len() == 4).find_map(|n| parse(n).filter(|y| (1800..=2199).contains(y)))
    {
        return Some(year);
    }
    let has_month_name = value.iter().any(u8::is_ascii_alphabetic);
    let two_digit_year = match numbers.as_slice() {
        [_, _, y] if y.len() == 2 => parse(y),
        [_, y] if has_month_name && y.len() == 2 => parse(y),
        _ => None,
    }?;
    Some(if two_digit_year < 30 { 2000 + two_digit_year } else { 1900 + two_digit_year })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(entity: Entity, value: &str) -> String {
        generalize(entity, value.as_bytes(), 2026).unwrap()
    }

    #[test]
    fn dates_keep_the_year_unless_it_reveals_an_age_over_89() {
        assert_eq!(g(Entity::Date, "03/14/1962"), "1962");
        assert_eq!(g(Entity::Date, "March 14, 1962"), "1962");
        assert_eq!(g(Entity::Date, "3-14-62"), "1962");
        assert_eq!(g(Entity::Date, "Mar-14-05"), "2005");
        assert_eq!(g(Entity::Date, "1931-02-01"), "<=1936");
        assert_eq!(g(Entity::Date, "7/22"), "");
    }

    #[test]
    fn ages_and_zips() {
        assert_eq!(g(Entity::AgeOver89, "93"), "90+");
        assert_eq!(g(Entity::Zip, "02115"), "021");
        assert_eq!(g(Entity::Zip, "02115-1234"), "021");
        assert_eq!(g(Entity::Zip, "03601"), "000");
        assert_eq!(g(Entity::Zip, "89301"), "000");
        assert!(generalize(Entity::Ssn, b"123-45-6789", 2026).is_none());
        assert!((2025..2100).contains(&current_year()));
    }
}
