//! Keys, keyed hashing and format-preserving tokenization: the cryptography
//! under the `hash` and `tokenize` operators.
//!
//! Nothing here is hand-rolled: FF1 comes from the `fpe` crate (checked
//! against the NIST SP 800-38G samples in this module's tests), AES from
//! `aes`, HMAC-SHA-256 from `hmac` + `sha2`, randomness from the OS through
//! `getrandom`, and wiping from `zeroize`. This module only decides how those
//! pieces are put together, and these are the trade-offs it makes. The one
//! piece of its own is arithmetic, not cryptography: `fpe` runs FF1 over any
//! numeral string type, and short strings use one (`numerals.rs`) that keeps
//! each half in a `u128` instead of `fpe`'s heap big integers, tested to
//! give `fpe`'s own output.
//!
//! # One key file, one sub-key per purpose
//!
//! A [`Key`] is at least 256 bits of secret. No operator uses it directly:
//! each derives its own 256-bit sub-key with [`Key::derive`] (the NIST SP
//! 800-108 counter-mode KDF over HMAC-SHA-256, one block, label
//! `phimask subkey v1`, context = the purpose). FF1 runs under
//! `derive(b"ff1")` as an AES-256 key, [`keyed_hash`] under `derive(b"hash")`;
//! date shifting and surrogates take their own purposes. So one key file
//! serves every operator, and no two operators ever use the same key for
//! different algorithms (an HMAC output can never be turned into an FF1
//! ciphertext or the other way round). [`Key::key_id`] is a 32-bit HMAC of a
//! fixed string: enough for a token or report to say which key made it
//! (rotation), useless for learning anything about the key.
//!
//! Key material lives in `Zeroizing` buffers and is wiped when the last clone
//! of a [`Key`] is dropped; the AES key schedules are wiped by `aes`'s
//! `zeroize` feature. `Debug` and `Display` print only the key id, and errors
//! name a file or variable, never bytes or values.
//!
//! # `hash`: keyed, never plain
//!
//! [`keyed_hash`] is HMAC-SHA-256 over the entity label and the value,
//! truncated to a few hex characters. A plain SHA-256 of an SSN is reversed
//! by hashing all 10⁹ SSNs; the keyed hash cannot be computed without the
//! key. It is one-way even for the key holder. Truncation trades join
//! reliability for shorter output: 10 hex characters (40 bits) make a
//! collision between two distinct values likely only past about a million
//! distinct values of one entity.
//!
//! # `tokenize`: why FF1, and how a value becomes numerals
//!
//! FF1 (NIST SP 800-38G) is a standard, reviewed format-preserving cipher:
//! a keyed permutation of the strings of a given length over a given
//! alphabet. That is exactly what "same shape, still joins, reversible with
//! the key" needs, and a standard cipher from a maintained crate is the only
//! acceptable way to get it. The entity label and optional field name form
//! the FF1 *tweak*, so the same value encrypts differently as an `SSN` and
//! as an `MRN`, but identically in every file and every run under one key.
//!
//! [`tokenize`] splits the value into data characters (ASCII letters and
//! digits) and separators (everything else, kept in place byte for byte).
//! Every data position keeps its class: a digit stays a digit, a letter stays
//! a letter with its original case. Letters are encrypted case-insensitively
//! and the case pattern is re-applied, so `John` and `JOHN` give tokens that
//! differ only in case, and `123-45-6789` and `123456789` give the same
//! digits. Because the token has the same class and case pattern as the
//! input, [`detokenize`] recovers the exact format from the token alone.
//!
//! - **Digits only** (and at least 6 of them): FF1 with radix 10 directly
//!   on the digits.
//! - **Letters only** (at least 5): FF1 with radix 26 on the lower-cased
//!   letters.
//! - **Mixed letters and digits, or too short for the above**:
//!   rank-then-encipher (Bellare, Ristenpart, Rogaway and Stegers,
//!   *Format-Preserving Encryption*, SAC 2009). The data characters are read
//!   as one mixed-radix number `x < N` (radix 10 at digit positions, 26 at
//!   letter positions), enciphered with FF1 over binary strings of
//!   `max(20, bits(N − 1))` bits, and the result is re-enciphered until it
//!   falls below `N` again (*cycle walking*, Black and Rogaway 2002), then
//!   written back in the same mixed radix. The tweak also carries the
//!   position pattern, so different formats never share a permutation.
//!
//! Keeping each position's class (rather than encrypting mixed values over
//! a radix-36 alphabet) is what makes case restoration reversible: with
//! radix 36 a letter position may come out as a digit, its case is then
//! lost, and a token could even turn out all digits and be decrypted as a
//! different format. The price is that the token reveals which positions
//! are digits and which are letters, which is the format itself.
//!
//! # Domain size: small values
//!
//! FF1 is only approved for domains of at least 1,000,000 values (NIST SP
//! 800-38G Rev. 1; below that, known attacks on the Feistel structure
//! apply), and `fpe` enforces it. Values with fewer possible values — 4 or 5
//! digits, 4 letters, short mixed values — go through the cycle-walking path
//! above: FF1 always runs on a domain of at least 2²⁰ strings, and the walk
//! maps it back into the small domain. A walk costs on average `2²⁰ / N`
//! FF1 calls, so this module refuses values with fewer than
//! [`MIN_TOKEN_DOMAIN`] (10,000) possible values — fewer than 4 digits,
//! fewer than 3 letters, fewer than 4 mixed letters and digits — with an
//! [`ErrorKind::Input`](crate::ErrorKind::Input) error. Such values have
//! no meaningful secrecy under any deterministic format-preserving scheme
//! (the whole code book has at most 9,999 entries); the caller should apply
//! a non-reversible operator (`hash`, `mask`, `redact`) instead. Even above
//! the floor, a deterministic token of a small domain leaks equality and is
//! only as strong as the secrecy of the key; the number of walk steps also
//! depends on the value, which a timing observer could in principle see.
//!
//! # What is and is not reversible
//!
//! - `tokenize` is reversible with the same key, entity and field:
//!   `detokenize(key, e, f, tokenize(key, e, f, v)?)? == v` for every value
//!   `tokenize` accepts.
//! - FF1 has no integrity check: detokenizing with the wrong key, entity or
//!   field returns a wrong value of the right shape, not an error. Callers
//!   that must report a wrong key record [`Key::key_id`] next to the tokens
//!   and compare it before unmasking.
//! - `keyed_hash` is one-way, even with the key.
//! - Non-ASCII letters and digits (`é`, `ß`, Arabic-Indic digits…) are
//!   refused by `tokenize` rather than treated as separators: leaving them
//!   in clear text would leak part of the value, and FF1 over all of Unicode
//!   has no useful format. Values longer than [`MAX_TOKEN_DATA_LEN`] data
//!   characters are refused as well (FF1 cost grows quadratically with
//!   length; identifiers are short).

mod hash;
mod key;
mod numerals;
mod text;
mod token;

pub use hash::{keyed_hash, DEFAULT_HASH_LEN, MAX_HASH_LEN};
pub use key::{DerivedKey, Key, MIN_KEY_LEN};
pub(crate) use token::permute_bits;
pub use token::{detokenize, tokenize, MAX_TOKEN_DATA_LEN, MIN_TOKEN_DOMAIN};

/// A fixed key for tests: 32 distinct bytes, a different key per `seed`
/// (repeated or counting bytes are weak keys, refused).
#[cfg(test)]
pub(crate) fn test_key(seed: u8) -> Vec<u8> {
    (0..32u8).map(|i| i.wrapping_mul(73).wrapping_add(seed) ^ 0x5c).collect()
}
