//! The `hash` operator's primitive: a keyed, truncated HMAC-SHA-256.

use super::key::Key;
use super::text::to_hex;

/// The default number of hex characters [`keyed_hash`] keeps (40 bits).
pub const DEFAULT_HASH_LEN: usize = 10;

/// The most hex characters [`keyed_hash`] can return (all 256 bits).
pub const MAX_HASH_LEN: usize = 64;

/// A keyed hash of `value` under the entity label `domain`, as the first
/// `len` lower-case hex characters of HMAC-SHA-256.
///
/// The HMAC key is the key's `hash` sub-key ([`Key::derive`]`(b"hash")`)
/// and the message is the domain and the value, each prefixed with its
/// length, so the same value hashes differently per entity and no
/// domain/value split collides with another. `len` is capped at
/// [`MAX_HASH_LEN`]; [`DEFAULT_HASH_LEN`] is the operator default.
///
/// One-way even for the key holder. Deterministic per key, so hashed
/// columns still join; with `len` = 10, expect a collision between distinct
/// values somewhere past a million distinct values of one entity. The value
/// is hashed byte for byte: normalize it first (strip separators, fold
/// case) if `123-45-6789` and `123456789` should hash alike.
///
/// # Example
///
/// ```
/// use phimask::{keyed_hash, Key, DEFAULT_HASH_LEN};
///
/// let key = Key::generate().unwrap();
/// let h = keyed_hash(&key, "SSN", b"123-45-6789", DEFAULT_HASH_LEN);
/// assert_eq!(h.len(), 10);
/// assert_ne!(h, keyed_hash(&key, "MRN", b"123-45-6789", DEFAULT_HASH_LEN));
/// ```
pub fn keyed_hash(key: &Key, domain: &str, value: &[u8], len: usize) -> String {
    let digest = key.hash_key().mac(&[domain.as_bytes(), value]);
    let mut hex = to_hex(&digest);
    hex.truncate(len.min(MAX_HASH_LEN));
    hex
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_key;

    /// The published test key `0x00..=0x1f` the pinned values were
    /// computed under.
    fn key() -> Key {
        Key::from_bytes_unchecked((0u8..32).collect())
    }

    #[test]
    fn matches_an_independent_hmac() {
        // Python: hk = hmac.new(bytes(range(32)), b"\0\0\0\1phimask subkey v1\0hash\0\0\1\0", "sha256").digest()
        //         lp = lambda b: struct.pack(">Q", len(b)) + b
        //         hmac.new(hk, lp(b"SSN") + lp(b"123-45-6789"), "sha256").hexdigest()
        let full = "61c7b5b67180a84bb94984420e4802642dd737ed7e1d7d63a6b3d93a7d89ac58";
        assert_eq!(keyed_hash(&key(), "SSN", b"123-45-6789", MAX_HASH_LEN), full);
        assert_eq!(keyed_hash(&key(), "SSN", b"123-45-6789", DEFAULT_HASH_LEN), &full[..10]);
        assert_eq!(keyed_hash(&key(), "SSN", b"123-45-6789", 1000), full);
        assert_eq!(keyed_hash(&key(), "SSN", b"123-45-6789", 0), "");
        assert_eq!(keyed_hash(&key(), "MRN", b"123-45-6789", 10), "7a6f7c11e7");
    }

    #[test]
    fn deterministic_per_key_and_differs_across_keys_and_domains() {
        let a = keyed_hash(&key(), "SSN", b"123456789", 10);
        assert_eq!(a, keyed_hash(&key(), "SSN", b"123456789", 10));
        let other = Key::from_bytes(test_key(0x55)).unwrap();
        assert_ne!(a, keyed_hash(&other, "SSN", b"123456789", 10));
        assert_ne!(a, keyed_hash(&key(), "SSN", b"123456780", 10));
        // Length prefixes keep domain and value apart.
        assert_ne!(keyed_hash(&key(), "SS", b"N1", 64), keyed_hash(&key(), "SSN", b"1", 64));
    }

    #[test]
    fn is_not_an_unkeyed_sha256() {
        // sha256(b"123-45-6789") starts with 01a54629; the keyed hash must not.
        assert!(!keyed_hash(&key(), "SSN", b"123-45-6789", 64).starts_with("01a54629"));
    }
}
