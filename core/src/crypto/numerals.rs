//! A numeral string for `fpe`'s FF1 that does its arithmetic in `u128`.
//!
//! `fpe` runs FF1 (rounds, PRF, AES) over any type implementing its
//! [`NumeralString`] trait; the trait's part is only the integer arithmetic
//! of the standard — `NUM_radix` of a half, `(a ± y) mod radix^m` and
//! `STR_radix` back. `fpe`'s own [`FlexibleNumeralString`] does that with
//! heap-allocated big integers, twice per round, which made up most of
//! `tokenize`'s cost (tens of thousands of instructions a value where the
//! AES work is about a thousand). Identifiers are short: when each half of
//! the string is below 2⁹⁶ (so FF1's `b` is at most 12 bytes and `y`, of
//! `d ≤ 16` bytes, fits one `u128`), [`Halves`] keeps each half as one
//! `u128` and the FF1 output is the same numeral for numeral — FF1 defines
//! it, and the tests compare the two on random strings. Longer strings go
//! through [`FlexibleNumeralString`] as before.
//!
//! [`FlexibleNumeralString`]: fpe::ff1::FlexibleNumeralString

use fpe::ff1::{NumeralString, Operations};

/// The bits a half may take for the `u128` path: FF1's `b` (bytes of a
/// half) is then at most 12 and `d = 4⌈b/4⌉ + 4` at most 16.
const MAX_HALF_BITS: f64 = 96.0;

/// A numeral string as its two FF1 halves (`A`: the first `⌊n/2⌋`
/// numerals, `B`: the rest), each as its value in `radix`.
pub(crate) struct Halves {
    a: Half,
    b: Half,
}

/// One half: `NUM_radix` of its `count` numerals.
#[derive(Clone, Copy)]
pub(crate) struct Half {
    value: u128,
    count: usize,
    radix: u32,
}

/// A half's value as `b` big-endian bytes (`b ≤ 16`).
pub(crate) struct BeBytes {
    bytes: [u8; 16],
    len: usize,
}

impl AsRef<[u8]> for BeBytes {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[16 - self.len..]
    }
}

impl Halves {
    /// `numerals` (each below `radix`) as halves; `None` when a half would
    /// not fit the `u128` path (the caller uses `FlexibleNumeralString`).
    pub(crate) fn new(numerals: &[u16], radix: u32) -> Option<Halves> {
        let v = numerals.len() - numerals.len() / 2;
        if v as f64 * f64::from(radix).log2() > MAX_HALF_BITS || numerals.iter().any(|&d| u32::from(d) >= radix) {
            return None;
        }
        let (a, b) = numerals.split_at(numerals.len() / 2);
        let num = |part: &[u16]| Half {
            value: part.iter().fold(0u128, |x, &d| x * u128::from(radix) + u128::from(d)),
            count: part.len(),
            radix,
        };
        Some(Halves { a: num(a), b: num(b) })
    }

    /// The numerals, most significant first (`STR_radix` of each half).
    pub(crate) fn numerals(&self) -> Vec<u16> {
        let mut out = vec![0u16; self.a.count + self.b.count];
        let (a, b) = out.split_at_mut(self.a.count);
        self.a.write(a);
        self.b.write(b);
        out
    }
}

impl Half {
    fn write(&self, out: &mut [u16]) {
        let radix = u128::from(self.radix);
        let mut x = self.value;
        for d in out.iter_mut().rev() {
            *d = (x % radix) as u16;
            x /= radix;
        }
    }

    /// `radix^m`, and `y` (FF1's `NUM(S)`, at most 16 bytes) reduced by it.
    fn modulus_and_y(radix: u32, m: usize, y: impl Iterator<Item = u8>) -> (u128, u128) {
        let modulus = u128::from(radix).pow(u32::try_from(m).expect("a short half"));
        let mut bytes = 0usize;
        let y = y.fold(0u128, |acc, byte| {
            bytes += 1;
            (acc << 8) | u128::from(byte)
        });
        assert!(bytes <= 16, "d is at most 16 bytes on the u128 path");
        (modulus, y % modulus)
    }
}

impl NumeralString for Halves {
    type Ops = Half;

    fn is_valid(&self, radix: u32) -> bool {
        self.a.radix == radix && self.b.radix == radix
    }

    fn numeral_count(&self) -> usize {
        self.a.count + self.b.count
    }

    fn split(&self) -> (Half, Half) {
        (self.a, self.b)
    }

    fn concat(a: Half, b: Half) -> Halves {
        Halves { a, b }
    }
}

impl Operations for Half {
    type Bytes = BeBytes;

    fn numeral_count(&self) -> usize {
        self.count
    }

    fn to_be_bytes(&self, radix: u32, b: usize) -> BeBytes {
        debug_assert_eq!(radix, self.radix);
        assert!(b <= 16 && (b == 16 || self.value >> (8 * b) == 0), "the half fits b bytes");
        BeBytes { bytes: self.value.to_be_bytes(), len: b }
    }

    fn add_mod_exp(self, other: impl Iterator<Item = u8>, radix: u32, m: usize) -> Half {
        // FF1 adds to `A`, whose length is `m`: `value < radix^m`, and both
        // terms are below 2⁹⁶, so the sum cannot overflow.
        debug_assert_eq!(self.count, m);
        let (modulus, y) = Half::modulus_and_y(radix, m, other);
        Half { value: (self.value + y) % modulus, count: m, radix }
    }

    fn sub_mod_exp(self, other: impl Iterator<Item = u8>, radix: u32, m: usize) -> Half {
        debug_assert_eq!(self.count, m);
        let (modulus, y) = Half::modulus_and_y(radix, m, other);
        Half { value: (self.value + modulus - y) % modulus, count: m, radix }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::Aes256;
    use fpe::ff1::{BinaryNumeralString, FlexibleNumeralString, FF1};
    use proptest::prelude::*;

    fn ff1(radix: u32) -> FF1<Aes256> {
        FF1::new(&[0x2B; 32], radix).unwrap()
    }

    fn both_ways(radix: u32, tweak: &[u8], numerals: Vec<u16>) {
        let ff1 = ff1(radix);
        let flexible: Vec<u16> = ff1.encrypt(tweak, &FlexibleNumeralString::from(numerals.clone())).unwrap().into();
        let halves = ff1.encrypt(tweak, &Halves::new(&numerals, radix).unwrap()).unwrap();
        assert_eq!(halves.numerals(), flexible, "encrypt, radix {radix}");
        let back = ff1.decrypt(tweak, &halves).unwrap().numerals();
        assert_eq!(back, numerals, "decrypt, radix {radix}");
        let flexible_back: Vec<u16> = ff1.decrypt(tweak, &FlexibleNumeralString::from(flexible)).unwrap().into();
        assert_eq!(flexible_back, numerals);
    }

    #[test]
    fn the_u128_path_covers_short_identifiers_only() {
        assert!(Halves::new(&[1; 40], 26).is_some(), "20 letters a half: 94 bits");
        assert!(Halves::new(&[1; 42], 26).is_none(), "21 letters a half: 98.7 bits");
        assert!(Halves::new(&[1; 56], 10).is_some() && Halves::new(&[1; 58], 10).is_none());
        assert!(Halves::new(&[1; 192], 2).is_some() && Halves::new(&[1; 194], 2).is_none());
        assert!(Halves::new(&[10, 1, 2, 3, 4, 5], 10).is_none(), "a numeral above the radix");
    }

    #[test]
    fn edge_values_match_fpe() {
        for (radix, n) in [(10, 6), (10, 9), (10, 56), (26, 5), (26, 40), (2, 20), (2, 32), (2, 192), (2, 21)] {
            for fill in [0, radix - 1] {
                both_ways(radix, b"edge", vec![fill as u16; n]);
            }
        }
    }

    /// Every length FF1 accepts up to the `u128` path's limit, per radix.
    fn numeral_string() -> impl Strategy<Value = (u32, Vec<u16>)> {
        prop_oneof![
            (6usize..=56).prop_flat_map(|n| prop::collection::vec(0u16..10, n)).prop_map(|v| (10, v)),
            (5usize..=40).prop_flat_map(|n| prop::collection::vec(0u16..26, n)).prop_map(|v| (26, v)),
            (20usize..=192).prop_flat_map(|n| prop::collection::vec(0u16..2, n)).prop_map(|v| (2, v)),
        ]
    }

    proptest! {
        #[test]
        fn matches_fpe_flexible((radix, numerals) in numeral_string(), tweak in prop::collection::vec(any::<u8>(), 0..40)) {
            both_ways(radix, &tweak, numerals);
        }

        #[test]
        fn matches_fpe_binary(bytes in prop::collection::vec(any::<u8>(), 3..=24), tweak in prop::collection::vec(any::<u8>(), 0..20)) {
            let ff1 = ff1(2);
            let bits: Vec<u16> = bytes.iter().flat_map(|&b| (0..8).map(move |i| u16::from((b >> i) & 1))).collect();
            let binary = ff1.encrypt(&tweak, &BinaryNumeralString::from_bytes_le(&bytes)).unwrap().to_bytes_le();
            let binary: Vec<u16> = binary.iter().flat_map(|&b| (0..8).map(move |i| u16::from((b >> i) & 1))).collect();
            let halves = ff1.encrypt(&tweak, &Halves::new(&bits, 2).unwrap()).unwrap();
            prop_assert_eq!(halves.numerals(), binary);
        }
    }
}
