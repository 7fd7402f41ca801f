//! The PHI taxonomy: entity labels and the HIPAA Safe Harbor identifiers
//! (45 CFR 164.514(b)(2)(i), letters A–R) they fall under.
//!
//! Entities are a closed enum rather than strings so that policies, reports
//! and bindings can match on them exhaustively; user pattern files pick one
//! of these labels (an institution's MRN format is still an `MRN`), and
//! anything else goes under [`Entity::OtherId`].

use std::fmt;
use std::str::FromStr;

macro_rules! entities {
    ($( $(#[$doc:meta])* $variant:ident = $label:literal, $letter:ident; )*) => {
        /// An entity label: what kind of PHI a finding is.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Entity {
            $( $(#[$doc])* $variant, )*
        }

        impl Entity {
            /// Every entity, in taxonomy order.
            pub const ALL: &'static [Entity] = &[$(Entity::$variant,)*];

            /// The upper-case label used in pattern files, reports and bindings
            /// (`"SSN"`, `"NAME"`, …).
            pub fn as_str(self) -> &'static str {
                match self { $(Entity::$variant => $label,)* }
            }

            /// The HIPAA Safe Harbor identifier this entity falls under.
            pub fn safe_harbor(self) -> SafeHarbor {
                match self { $(Entity::$variant => SafeHarbor::$letter,)* }
            }
        }

        impl FromStr for Entity {
            type Err = UnknownEntity;
            fn from_str(s: &str) -> Result<Entity, UnknownEntity> {
                let upper = s.trim().to_ascii_uppercase();
                match upper.as_str() {
                    $($label => Ok(Entity::$variant),)*
                    _ => Err(UnknownEntity(())),
                }
            }
        }
    };
}

entities! {
    /// A person's name (A).
    Name = "NAME", A;
    /// A street address, PO box or other sub-state location (B).
    Address = "ADDRESS", B;
    /// A city or town name (B).
    City = "CITY", B;
    /// A ZIP code (B).
    Zip = "ZIP", B;
    /// A date related to a person, other than the year alone (C).
    Date = "DATE", C;
    /// An age over 89 (C).
    AgeOver89 = "AGE_OVER_89", C;
    /// A telephone number (D).
    Phone = "PHONE", D;
    /// A fax number (E).
    Fax = "FAX", E;
    /// An e-mail address (F).
    Email = "EMAIL", F;
    /// A social security number (G).
    Ssn = "SSN", G;
    /// A medical record number (H).
    Mrn = "MRN", H;
    /// A health plan beneficiary number, including the Medicare MBI (I).
    HealthPlanId = "HEALTH_PLAN_ID", I;
    /// An account number (J).
    AccountNumber = "ACCOUNT_NUMBER", J;
    /// A bank account or routing number (J).
    BankAccount = "BANK_ACCOUNT", J;
    /// A payment card number (J).
    CreditCard = "CREDIT_CARD", J;
    /// A certificate or license number (K).
    LicenseNumber = "LICENSE_NUMBER", K;
    /// A driver's license number (K).
    DriverLicense = "DRIVER_LICENSE", K;
    /// A DEA registration number (K).
    Dea = "DEA", K;
    /// A National Provider Identifier (K).
    Npi = "NPI", K;
    /// A vehicle identifier: VIN or licence plate (L).
    VehicleId = "VEHICLE_ID", L;
    /// A device identifier or serial number (M).
    DeviceId = "DEVICE_ID", M;
    /// A web URL (N).
    Url = "URL", N;
    /// An IPv4 or IPv6 address (O).
    Ip = "IP", O;
    /// A biometric identifier, flagged by file kind (P).
    Biometric = "BIOMETRIC", P;
    /// A full-face photograph or comparable image, flagged by file kind (Q).
    Photo = "PHOTO", Q;
    /// An individual taxpayer identification number (R).
    Itin = "ITIN", R;
    /// A passport number (R).
    Passport = "PASSPORT", R;
    /// Any other unique identifying number (R).
    OtherId = "OTHER_ID", R;
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error returned when a string names no [`Entity`].
///
/// It deliberately does not echo the input: entity names come from user
/// configuration, which is not PHI, but keeping every error free of input
/// text is the simpler rule to audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownEntity(());

impl fmt::Display for UnknownEntity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown entity label (expected one of NAME, SSN, MRN, DATE, …)")
    }
}

impl std::error::Error for UnknownEntity {}

/// A HIPAA Safe Harbor identifier, 45 CFR 164.514(b)(2)(i)(A)–(R).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SafeHarbor {
    /// Names.
    A,
    /// Geographic subdivisions smaller than a state.
    B,
    /// Dates (except year) related to an individual; ages over 89.
    C,
    /// Telephone numbers.
    D,
    /// Fax numbers.
    E,
    /// Electronic mail addresses.
    F,
    /// Social security numbers.
    G,
    /// Medical record numbers.
    H,
    /// Health plan beneficiary numbers.
    I,
    /// Account numbers.
    J,
    /// Certificate/license numbers.
    K,
    /// Vehicle identifiers and serial numbers, including license plates.
    L,
    /// Device identifiers and serial numbers.
    M,
    /// Web URLs.
    N,
    /// IP addresses.
    O,
    /// Biometric identifiers.
    P,
    /// Full-face photographs and comparable images.
    Q,
    /// Any other unique identifying number, characteristic or code.
    R,
}

impl SafeHarbor {
    /// The letter as a one-character string (`"G"`).
    pub fn as_str(self) -> &'static str {
        const LETTERS: [&str; 18] =
            ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R"];
        LETTERS[self as usize]
    }

    /// The identifier's name as the regulation words it (`"social security numbers"`).
    pub fn description(self) -> &'static str {
        match self {
            SafeHarbor::A => "names",
            SafeHarbor::B => "geographic subdivisions smaller than a state",
            SafeHarbor::C => "dates related to an individual (except year); ages over 89",
            SafeHarbor::D => "telephone numbers",
            SafeHarbor::E => "fax numbers",
            SafeHarbor::F => "electronic mail addresses",
            SafeHarbor::G => "social security numbers",
            SafeHarbor::H => "medical record numbers",
            SafeHarbor::I => "health plan beneficiary numbers",
            SafeHarbor::J => "account numbers",
            SafeHarbor::K => "certificate/license numbers",
            SafeHarbor::L => "vehicle identifiers and serial numbers",
            SafeHarbor::M => "device identifiers and serial numbers",
            SafeHarbor::N => "web URLs",
            SafeHarbor::O => "IP addresses",
            SafeHarbor::P => "biometric identifiers",
            SafeHarbor::Q => "full-face photographs and comparable images",
            SafeHarbor::R => "any other unique identifying number, characteristic or code",
        }
    }
}

impl fmt::Display for SafeHarbor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for &e in Entity::ALL {
            assert_eq!(e.as_str().parse::<Entity>().unwrap(), e);
            assert_eq!(e.as_str().to_lowercase().parse::<Entity>().unwrap(), e);
        }
        assert!("NOPE".parse::<Entity>().is_err());
    }

    #[test]
    fn letters_follow_the_regulation() {
        assert_eq!(Entity::Ssn.safe_harbor(), SafeHarbor::G);
        assert_eq!(Entity::Fax.safe_harbor().as_str(), "E");
        assert_eq!(Entity::Passport.safe_harbor(), SafeHarbor::R);
        assert_eq!(SafeHarbor::R.as_str(), "R");
    }
}
