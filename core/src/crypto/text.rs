//! Key text encodings: hex and base64 on one line.
//!
//! Decoding writes straight into a pre-sized `Zeroizing` buffer so no
//! reallocation leaves a copy of key bytes behind, and failures report only
//! *what* was wrong, never the offending text.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use zeroize::Zeroizing;

const PADDING_EITHER: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const BASE64_STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, PADDING_EITHER);
const BASE64_URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, PADDING_EITHER);

/// Whether `bytes` looks like one line of key text: printable ASCII with no
/// spaces.
pub(crate) fn is_key_text(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| (0x21..=0x7e).contains(&b))
}

/// Whether a key file's content is text (printable ASCII and ASCII
/// whitespace only) rather than raw key bytes. Text must then decode as hex
/// or base64, so a passphrase typed into a key file is refused instead of
/// silently becoming a weak raw key. 32 random bytes look like text with
/// probability about 2⁻⁴³, and [`Key::generate`](super::Key::generate)
/// never returns such a key.
pub(crate) fn looks_like_text(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| (0x20..=0x7e).contains(&b) || b.is_ascii_whitespace())
}

/// Strips surrounding ASCII whitespace (a trailing newline from `echo`, a
/// CRLF from an editor).
pub(crate) fn trim_ascii(mut bytes: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = bytes {
        if first.is_ascii_whitespace() {
            bytes = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = bytes {
        if last.is_ascii_whitespace() {
            bytes = rest;
        } else {
            break;
        }
    }
    bytes
}

/// Decodes key text: hex when every character is `0-9a-fA-F`, else base64
/// (standard or URL-safe alphabet, padded or not).
///
/// The error is a short reason that never quotes the input.
pub(crate) fn decode_key_text(text: &[u8]) -> Result<Zeroizing<Vec<u8>>, &'static str> {
    if text.is_empty() {
        return Err("is empty");
    }
    if !is_key_text(text) {
        return Err("is not one line of hex or base64 text");
    }
    if text.iter().all(u8::is_ascii_hexdigit) {
        // Base64 of a real key is all hex digits with probability ~2⁻⁶⁶, so
        // an odd count is a truncated hex key, not base64 to fall back to.
        if text.len() % 2 == 1 {
            return Err("looks like hex but has an odd number of digits");
        }
        let mut out = Zeroizing::new(Vec::with_capacity(text.len() / 2));
        for pair in text.chunks_exact(2) {
            out.push(hex_value(pair[0]) << 4 | hex_value(pair[1]));
        }
        return Ok(out);
    }
    for engine in [&BASE64_STANDARD, &BASE64_URL_SAFE] {
        let mut out = Zeroizing::new(Vec::with_capacity(text.len() / 4 * 3 + 3));
        if engine.decode_vec(text, &mut out).is_ok() {
            return Ok(out);
        }
    }
    Err("is neither hex nor base64")
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => unreachable!("checked by is_ascii_hexdigit"),
    }
}

/// Lower-case hex of `bytes` (for key ids and hashes, never for key bytes).
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_upper_and_lower() {
        assert_eq!(&**decode_key_text(b"00ff10Ab").unwrap(), &[0x00, 0xff, 0x10, 0xab]);
    }

    #[test]
    fn base64_standard_url_safe_padded_or_not() {
        // 0xfb 0xff 0xbf encodes to "+/+/" (standard) and "-_-_" (URL-safe).
        assert_eq!(&**decode_key_text(b"+/+/").unwrap(), &[0xfb, 0xff, 0xbf]);
        assert_eq!(&**decode_key_text(b"-_-_").unwrap(), &[0xfb, 0xff, 0xbf]);
        assert_eq!(&**decode_key_text(b"AQI=").unwrap(), &[1, 2]);
        assert_eq!(&**decode_key_text(b"AQI").unwrap(), &[1, 2]);
    }

    #[test]
    fn rejects_without_quoting() {
        assert_eq!(decode_key_text(b"not base64!").unwrap_err(), "is not one line of hex or base64 text");
        assert_eq!(decode_key_text(b"abc*").unwrap_err(), "is neither hex nor base64");
        assert_eq!(decode_key_text(b"").unwrap_err(), "is empty");
        assert_eq!(decode_key_text(b"abc").unwrap_err(), "looks like hex but has an odd number of digits");
    }

    #[test]
    fn trims_surrounding_whitespace_only() {
        assert_eq!(trim_ascii(b" \tab cd\r\n"), b"ab cd");
        assert_eq!(trim_ascii(b"\n\n"), b"");
    }
}
