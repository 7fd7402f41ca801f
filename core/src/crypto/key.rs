//! The secret key and the per-purpose sub-keys derived from it.
//!
//! A [`Key`] is read once (file, environment variable, or freshly
//! generated), immediately derives what every operator needs (the FF1 AES
//! key schedules, the hash sub-key, the key id) and is then shared: cloning
//! is an `Arc` bump and the secret is wiped when the last clone drops.
//! Reading is deliberately strict: anything that is not clearly raw bytes
//! or clearly hex/base64 text is an error rather than a guess, because a
//! wrong guess silently produces tokens under a different key.

use std::collections::HashMap;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use aes::cipher::{
    generic_array::GenericArray, BlockCipher, BlockClosure, BlockEncrypt, BlockSizeUser, KeyInit, KeySizeUser,
};
use aes::{Aes256, Aes256Enc};
use fpe::ff1::FF1;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use super::text::{decode_key_text, looks_like_text, to_hex, trim_ascii};
use crate::Error;

/// The shortest accepted key, in bytes (256 bits).
pub const MIN_KEY_LEN: usize = 32;

/// The longest accepted key, in bytes. Longer keys add nothing (HMAC hashes
/// them down to 256 bits) and usually mean the wrong file was given.
const MAX_KEY_LEN: usize = 1024;

/// The largest key file read: room for [`MAX_KEY_LEN`] bytes as hex plus a
/// line ending. Bigger files are refused unread.
const MAX_KEY_FILE_LEN: usize = 2 * MAX_KEY_LEN + 2;

/// Why `secret` cannot be a key although its length is right: keys that
/// are guessed first (all zeros, a repeated byte or short pattern, bytes
/// counting up or down). Random keys have about 30 distinct values in
/// their first 32 bytes; fewer than 8 is not chance.
fn weakness(secret: &[u8]) -> Option<&'static str> {
    let mut seen = [false; 256];
    for &b in secret {
        seen[usize::from(b)] = true;
    }
    if seen.iter().filter(|&&s| s).count() < 8 {
        return Some("it has fewer than 8 distinct byte values (zeros, a repeated byte or a short repeated pattern)");
    }
    let step = secret[1].wrapping_sub(secret[0]);
    if matches!(step, 1 | 255) && secret.windows(2).all(|w| w[1].wrapping_sub(w[0]) == step) {
        return Some("its bytes count up or down one by one");
    }
    None
}

/// The length of keys made by [`Key::generate`].
const GENERATED_KEY_LEN: usize = 32;

/// Purpose strings of the sub-keys this module uses itself.
pub(crate) const PURPOSE_FF1: &[u8] = b"ff1";
pub(crate) const PURPOSE_HASH: &[u8] = b"hash";

type HmacSha256 = Hmac<Sha256>;

/// Secret key material for the `hash` and `tokenize` operators (and every
/// other keyed operator, through [`Key::derive`]).
///
/// At least 256 bits. Cheap to clone and `Send + Sync`; the bytes are
/// zeroized when the last clone is dropped. `Debug` and `Display` show only
/// the [key id](Key::key_id).
///
/// # Example
///
/// ```
/// use phimask::Key;
///
/// let key = Key::generate().unwrap();
/// assert_eq!(key.key_id().len(), 8);
/// assert_eq!(format!("{key:?}"), format!("Key {{ id: {:?} }}", key.key_id()));
/// ```
#[derive(Clone)]
pub struct Key {
    inner: Arc<Inner>,
}

struct Inner {
    secret: Zeroizing<Vec<u8>>,
    id: String,
    ff1: Ff1Ciphers,
    hash: DerivedKey,
    /// Keyed permutations of small ranges, built on first use per purpose
    /// (see [`Key::permutation`]).
    permutations: Mutex<HashMap<(String, usize), Arc<Permutation>>>,
}

/// A keyed permutation of `0..n` and its inverse (see [`Key::permutation`]).
pub(crate) struct Permutation {
    forward: Vec<u32>,
    inverse: Vec<u32>,
}

impl Permutation {
    /// The image of `i` (`forward`) or its preimage.
    pub(crate) fn apply(&self, i: usize, forward: bool) -> usize {
        (if forward { &self.forward } else { &self.inverse })[i] as usize
    }
}

/// FF1 under the `ff1` sub-key, one instance per radix `tokenize` uses. The
/// AES key schedules inside are wiped on drop (`aes`'s `zeroize` feature).
pub(crate) struct Ff1Ciphers {
    /// Radix 10: digit-only values.
    pub(crate) decimal: FF1<SharedAes>,
    /// Radix 26: letter-only values.
    pub(crate) letters: FF1<SharedAes>,
    /// Radix 2: rank-then-encipher for mixed and short values.
    pub(crate) binary: FF1<SharedAes>,
}

/// AES-256 (encryption only, which is all FF1 uses) behind an `Arc`, as the
/// block cipher `fpe`'s FF1 runs on. `fpe` clones its cipher once per call
/// and once per round (its CBC-MAC state owns one); a clone of `Aes256` is
/// a copy of both key schedules and, with `zeroize`, a wipe of both on
/// drop — about a thousand instructions, eleven times a value. Cloning
/// this is a reference count; the one key schedule is wiped when the
/// [`Key`] holding it drops. Encryption is `aes`'s, unchanged.
#[derive(Clone)]
pub(crate) struct SharedAes(Arc<Aes256Enc>);

impl KeySizeUser for SharedAes {
    type KeySize = <Aes256Enc as KeySizeUser>::KeySize;
}

impl KeyInit for SharedAes {
    fn new(key: &aes::cipher::Key<Self>) -> Self {
        SharedAes(Arc::new(Aes256Enc::new(key)))
    }
}

impl BlockSizeUser for SharedAes {
    type BlockSize = <Aes256Enc as BlockSizeUser>::BlockSize;
}

impl BlockCipher for SharedAes {}

impl BlockEncrypt for SharedAes {
    fn encrypt_with_backend(&self, f: impl BlockClosure<BlockSize = Self::BlockSize>) {
        self.0.encrypt_with_backend(f);
    }
}

impl Key {
    /// Takes raw key bytes: at least [`MIN_KEY_LEN`] (32) and at most 1024.
    ///
    /// The vector is wiped whether or not the key is accepted.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Key`](crate::ErrorKind::Key) when the length is out of
    /// range.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Key, Error> {
        Key::from_secret(Zeroizing::new(bytes))
    }

    /// Reads a key file: either raw key bytes (what [`Key::write_new`]
    /// writes), or the key as hex or base64 text on one line (surrounding
    /// whitespace and a trailing newline are ignored, so
    /// `openssl rand -hex 32 > key.txt` works).
    ///
    /// A file made only of printable ASCII and whitespace is taken as text
    /// and must decode as hex (when every character is a hex digit) or
    /// base64 (standard or URL-safe, padding optional); a passphrase in a
    /// key file is an error, not a weak key. Anything else is raw bytes. A
    /// raw random key of 32 bytes looks like text with probability about
    /// 2⁻⁴³, and keys from [`Key::generate`] never do.
    ///
    /// Files larger than 2050 bytes are refused without being read.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Key`](crate::ErrorKind::Key), with [`Error::path`] set,
    /// when the file cannot be read, is too large, is text that is neither
    /// hex nor base64, or holds a key of the wrong length. The message never
    /// quotes the file's content.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Key, Error> {
        let path = path.as_ref();
        let fail = |message: String| Error::key(message).with_path(path);
        let file = File::open(path).map_err(|e| fail(format!("cannot read key file: {e}")))?;
        let metadata = file.metadata().map_err(|e| fail(format!("cannot read key file: {e}")))?;
        if metadata.is_dir() {
            return Err(fail("key file is a directory".to_string()));
        }
        let too_large = || fail(format!("key file is larger than {MAX_KEY_FILE_LEN} bytes; is this the right file?"));
        if metadata.len() > MAX_KEY_FILE_LEN as u64 {
            return Err(too_large());
        }
        // Sized up front so reading never reallocates and leaves a copy.
        let mut content = Zeroizing::new(Vec::with_capacity(MAX_KEY_FILE_LEN + 2));
        file.take(MAX_KEY_FILE_LEN as u64 + 1)
            .read_to_end(&mut content)
            .map_err(|e| fail(format!("cannot read key file: {e}")))?;
        if content.len() > MAX_KEY_FILE_LEN {
            return Err(too_large());
        }
        if content.is_empty() {
            return Err(fail("key file is empty".to_string()));
        }
        let secret = if looks_like_text(&content) {
            decode_key_text(trim_ascii(&content)).map_err(|reason| fail(format!("key file text {reason}")))?
        } else {
            content
        };
        Key::from_secret(secret).map_err(|e| e.with_path(path))
    }

    /// Reads a key from an environment variable holding it as hex or base64
    /// text (surrounding whitespace ignored).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Key`](crate::ErrorKind::Key) when the variable is unset,
    /// not valid Unicode, neither hex nor base64, or holds a key of the
    /// wrong length. Messages name the variable, never its value.
    pub fn from_env(var: &str) -> Result<Key, Error> {
        let value = match std::env::var_os(var) {
            None => return Err(Error::key(format!("environment variable {var} is not set"))),
            Some(value) => value
                .into_string()
                .map_err(|_| Error::key(format!("environment variable {var} is not valid Unicode")))?,
        };
        let value = Zeroizing::new(value);
        let secret = decode_key_text(trim_ascii(value.as_bytes()))
            .map_err(|reason| Error::key(format!("environment variable {var} {reason}")))?;
        Key::from_secret(secret).map_err(|e| Error::key(format!("environment variable {var}: {}", e.message())))
    }

    /// Makes a new random 256-bit key from the operating system's random
    /// number generator.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Key`](crate::ErrorKind::Key) if the OS generator fails.
    pub fn generate() -> Result<Key, Error> {
        let mut bytes = Zeroizing::new(vec![0u8; GENERATED_KEY_LEN]);
        loop {
            getrandom::fill(&mut bytes)
                .map_err(|e| Error::key(format!("the operating system's random number generator failed: {e}")))?;
            // Redraw the ~2⁻⁴³ of keys that would read back as text (see
            // `from_file`); this costs nothing measurable in strength.
            if !looks_like_text(&bytes) {
                return Key::from_secret(bytes);
            }
        }
    }

    /// Generates a new key ([`Key::generate`]) and writes it raw to a new
    /// file at `path` — what `phimask keygen -o PATH` does. Returns the key
    /// so the caller can report its id.
    ///
    /// The file is never overwritten and never seen half-written: the key
    /// goes to a temporary file in the same directory, created with mode
    /// `0600` on Unix and synced, which is then hard-linked to `path` (this
    /// fails if `path` exists, atomically) and removed. On file systems
    /// without hard links it falls back to checking that `path` does not
    /// exist and renaming, which leaves a small race window. On non-Unix
    /// systems the file gets the directory's default permissions.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Key`](crate::ErrorKind::Key), with [`Error::path`] set,
    /// when `path` already exists or the file cannot be written; no
    /// temporary file is left behind.
    pub fn write_new(path: impl AsRef<Path>) -> Result<Key, Error> {
        let path = path.as_ref();
        let fail = |message: String| Error::key(message).with_path(path);
        let exists = || fail("refusing to overwrite an existing file".to_string());
        if fs::symlink_metadata(path).is_ok() {
            return Err(exists());
        }
        let name = path.file_name().ok_or_else(|| fail("key file path has no file name".to_string()))?;
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let key = Key::generate()?;

        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce)
            .map_err(|e| fail(format!("the operating system's random number generator failed: {e}")))?;
        let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), to_hex(&nonce)));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp).map_err(|e| fail(format!("cannot create key file: {e}")))?;
        let written = (|| {
            // The mode above is filtered by the umask; make it exactly 0600.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                file.set_permissions(fs::Permissions::from_mode(0o600))?;
            }
            file.write_all(&key.inner.secret)?;
            file.sync_all()
        })();
        drop(file);
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(fail(format!("cannot write key file: {e}")));
        }

        let published = match fs::hard_link(&tmp, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
            Err(_) if fs::symlink_metadata(path).is_ok() => Err(exists()),
            Err(_) => {
                // No hard links here (some network and FAT file systems).
                match fs::rename(&tmp, path) {
                    Ok(()) => Ok(()),
                    Err(e) => Err(fail(format!("cannot create key file: {e}"))),
                }
            }
        };
        let _ = fs::remove_file(&tmp);
        published?;
        #[cfg(unix)]
        {
            // Make the new directory entry durable; best effort.
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(key)
    }

    /// A short, stable identifier of this key: the first 8 hex characters
    /// (32 bits) of HMAC-SHA-256(key, `"phimask key id v1"`).
    ///
    /// Safe to print and store beside tokens to record which key made them.
    /// It reveals nothing usable about the key (HMAC is a PRF; 32 bits of
    /// its output do not help guess 256 bits of key), but it does let anyone
    /// holding two keys tell whether they are the same.
    pub fn key_id(&self) -> &str {
        &self.inner.id
    }

    /// Derives the 256-bit sub-key for one purpose, so one key file serves
    /// every keyed operator without two of them ever sharing a key.
    ///
    /// This is the NIST SP 800-108 KDF in counter mode with HMAC-SHA-256 as
    /// the PRF and a single block: `HMAC(key, [1]₃₂ ‖ "phimask subkey v1" ‖
    /// 0x00 ‖ purpose ‖ [256]₃₂)`. Different purposes give independent
    /// keys. `b"ff1"` (tokenize) and `b"hash"` (keyed hash) are taken; other
    /// operators pick their own, such as `b"date-shift"` or `b"surrogate"`.
    ///
    /// # Example
    ///
    /// ```
    /// use phimask::Key;
    ///
    /// let key = Key::generate().unwrap();
    /// let shift = key.derive(b"date-shift");
    /// assert_ne!(shift.as_bytes(), key.derive(b"surrogate").as_bytes());
    /// assert_eq!(shift.as_bytes(), key.derive(b"date-shift").as_bytes());
    /// ```
    pub fn derive(&self, purpose: &[u8]) -> DerivedKey {
        derive(&self.inner.secret, purpose)
    }

    pub(crate) fn ff1(&self) -> &Ff1Ciphers {
        &self.inner.ff1
    }

    /// A keyed pseudo-random permutation of `0..n` for `purpose` that is a
    /// single cycle through all `n` values: Sattolo's shuffle driven by
    /// AES-256 in counter mode under the `permutation` sub-key (counter
    /// blocks carry the purpose's digest). One cycle means no value maps to
    /// itself (a token must never equal its value), and cycle-walking it
    /// within any subset of two or more values (a date's layout class)
    /// reaches another member of the subset before coming back.
    /// For small lists (the name lists behind dictionary
    /// tokens) where FF1, approved only from 10⁶ values up, would need
    /// hundreds of cycle-walking steps per value. Built once per key, purpose
    /// and size (about a nanosecond per index), then shared by every clone.
    pub(crate) fn permutation(&self, purpose: &str, n: usize) -> Arc<Permutation> {
        let mut cache = self.inner.permutations.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache
            .entry((purpose.to_string(), n))
            .or_insert_with(|| {
                // Sattolo's shuffle of 0..n (Fisher-Yates with the swap
                // partner drawn below `i`, never `i` itself, which yields
                // each n-cycle with equal chance) driven by AES-256 in
                // counter mode under the `permutation` sub-key (the block
                // holds the purpose's digest and a counter): O(n), about a
                // nanosecond per index. Each step draws 64 bits and scales
                // them to 0..i (Lemire); the bias is below n / 2^64.
                let sub = derive(&self.inner.secret, b"permutation");
                let aes = Aes256::new(GenericArray::from_slice(sub.as_bytes()));
                let digest = Sha256::digest(purpose.as_bytes());
                let mut counter = 0u32;
                let mut pool: Vec<u64> = Vec::new();
                let mut draw = || -> u64 {
                    if pool.is_empty() {
                        let mut block = [0u8; 16];
                        block[..12].copy_from_slice(&digest[..12]);
                        block[12..].copy_from_slice(&counter.to_be_bytes());
                        counter += 1;
                        let mut b = GenericArray::from(block);
                        aes.encrypt_block(&mut b);
                        let bytes: [u8; 16] = b.into();
                        pool.push(u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")));
                        pool.push(u64::from_le_bytes(bytes[8..].try_into().expect("8 bytes")));
                    }
                    pool.pop().expect("refilled")
                };
                let mut forward: Vec<u32> = (0..n as u32).collect();
                for i in (1..n).rev() {
                    let j = ((u128::from(draw()) * i as u128) >> 64) as usize;
                    forward.swap(i, j);
                }
                let mut inverse = vec![0u32; n];
                for (i, &f) in forward.iter().enumerate() {
                    inverse[f as usize] = i as u32;
                }
                Arc::new(Permutation { forward, inverse })
            })
            .clone()
    }

    pub(crate) fn hash_key(&self) -> &DerivedKey {
        &self.inner.hash
    }

    /// A key from bytes without the weak-key check: the known-answer
    /// tests pin tokens and hashes under the published test key
    /// `0x00..=0x1f`, which users may not choose.
    #[cfg(test)]
    pub(crate) fn from_bytes_unchecked(bytes: Vec<u8>) -> Key {
        Key::build(Zeroizing::new(bytes))
    }

    fn from_secret(secret: Zeroizing<Vec<u8>>) -> Result<Key, Error> {
        if secret.len() < MIN_KEY_LEN {
            return Err(Error::key(format!(
                "key is {} bytes; at least {MIN_KEY_LEN} bytes (256 bits) are required",
                secret.len()
            )));
        }
        if secret.len() > MAX_KEY_LEN {
            return Err(Error::key(format!("key is {} bytes; at most {MAX_KEY_LEN} bytes are accepted", secret.len())));
        }
        if let Some(why) = weakness(&secret) {
            return Err(Error::key(format!(
                "key is too weak: {why}; such a key is guessed at once, and with it every token, hash and \
                 baseline fingerprint is reversed by trying values (make a random one with `phimask keygen`)"
            )));
        }
        Ok(Key::build(secret))
    }

    /// Derives everything from an accepted secret.
    fn build(secret: Zeroizing<Vec<u8>>) -> Key {
        let mut mac = hmac(&secret);
        mac.update(b"phimask key id v1");
        let mut digest = mac.finalize().into_bytes();
        let id = to_hex(&digest[..4]);
        digest.as_mut_slice().zeroize();

        let ff1_key = derive(&secret, PURPOSE_FF1);
        let ff1 = Ff1Ciphers { decimal: ff1(&ff1_key, 10), letters: ff1(&ff1_key, 26), binary: ff1(&ff1_key, 2) };
        let hash = derive(&secret, PURPOSE_HASH);
        Key { inner: Arc::new(Inner { secret, id, ff1, hash, permutations: Mutex::new(HashMap::new()) }) }
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key").field("id", &self.key_id()).finish()
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key_id())
    }
}

/// A 256-bit sub-key from [`Key::derive`], wiped on drop. `Debug` prints
/// no bytes.
#[derive(Clone)]
pub struct DerivedKey {
    bytes: Zeroizing<[u8; 32]>,
}

impl DerivedKey {
    /// The raw sub-key, for handing to another primitive. Do not print or
    /// store it.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// HMAC-SHA-256 under this sub-key of `parts`, each prefixed with its
    /// length as 8 bytes big-endian so that no two different part lists
    /// give the same input (`["ab", "c"]` vs `["a", "bc"]`).
    ///
    /// # Example
    ///
    /// ```
    /// use phimask::Key;
    ///
    /// let key = Key::generate().unwrap().derive(b"date-shift");
    /// assert_ne!(key.mac(&[b"ab", b"c"]), key.mac(&[b"a", b"bc"]));
    /// ```
    pub fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = hmac(&self.bytes[..]);
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DerivedKey(..)")
    }
}

fn hmac(key: &[u8]) -> HmacSha256 {
    <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

fn derive(secret: &[u8], purpose: &[u8]) -> DerivedKey {
    let mut mac = hmac(secret);
    mac.update(&1u32.to_be_bytes());
    mac.update(b"phimask subkey v1");
    mac.update(&[0]);
    mac.update(purpose);
    mac.update(&256u32.to_be_bytes());
    let mut digest = mac.finalize().into_bytes();
    let mut bytes = Zeroizing::new([0u8; 32]);
    bytes.copy_from_slice(&digest);
    digest.as_mut_slice().zeroize();
    DerivedKey { bytes }
}

fn ff1(key: &DerivedKey, radix: u32) -> FF1<SharedAes> {
    FF1::new(key.as_bytes(), radix).expect("radix 2, 10 and 26 are in FF1's range")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_key;
    use crate::ErrorKind;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn permutations_are_one_cycle_and_invert() {
        let key = Key::from_bytes(test_key(9)).unwrap();
        for n in [2, 3, 10, 1000, 73_048] {
            let p = key.permutation("test/cycle", n);
            let (mut at, mut steps) = (0, 0);
            loop {
                at = p.apply(at, true);
                steps += 1;
                if at == 0 {
                    break;
                }
            }
            assert_eq!(steps, n, "one cycle through all {n} values");
            for i in (0..n).step_by(n.div_ceil(100)) {
                assert_eq!(p.apply(p.apply(i, true), false), i);
            }
        }
        assert_eq!(key.permutation("test/cycle", 1).apply(0, true), 0);
    }

    /// A fresh directory under the system temp dir, removed on drop.
    pub(crate) struct TempDir(PathBuf);

    impl TempDir {
        pub(crate) fn new() -> TempDir {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let mut nonce = [0u8; 4];
            getrandom::fill(&mut nonce).unwrap();
            let dir = std::env::temp_dir().join(format!(
                "phimask-crypto-{}-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed),
                to_hex(&nonce)
            ));
            fs::create_dir(&dir).unwrap();
            TempDir(dir)
        }

        pub(crate) fn path(&self, name: &str) -> PathBuf {
            self.0.join(name)
        }

        fn entries(&self) -> Vec<String> {
            let mut names: Vec<String> =
                fs::read_dir(&self.0).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
            names.sort();
            names
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    /// A random key (`os.urandom(32)`), with its hex and base64 forms.
    const BYTES: [u8; 32] = [
        0x3b, 0xe1, 0xa7, 0xc4, 0x5f, 0x90, 0xd2, 0xe8, 0x17, 0x6c, 0x0b, 0x9a, 0x4d, 0xf3, 0x25, 0x8e, 0x61, 0xc7,
        0xf0, 0xab, 0x93, 0xd4, 0xe5, 0x12, 0x6a, 0x8b, 0x7c, 0x0f, 0x14, 0xe9, 0x2d, 0x57,
    ];
    const HEX: &str = "3be1a7c45f90d2e8176c0b9a4df3258e61c7f0ab93d4e5126a8b7c0f14e92d57";
    const BASE64: &str = "O+GnxF+Q0ugXbAuaTfMljmHH8KuT1OUSaot8DxTpLVc=";

    fn key() -> Key {
        Key::from_bytes(BYTES.to_vec()).unwrap()
    }

    #[test]
    fn d7_weak_keys_are_refused_however_they_come() {
        let weak: [Vec<u8>; 5] =
            [vec![0; 32], vec![0xab; 64], b"abab".repeat(8), (0u8..32).collect(), (0u8..32).map(|i| 200 - i).collect()];
        for bytes in weak {
            let err = Key::from_bytes(bytes).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Key);
            assert!(err.to_string().contains("too weak"), "{err}");
        }
        let var = format!("PHIMASK_TEST_WEAK_{}", std::process::id());
        std::env::set_var(&var, "0".repeat(64));
        let err = Key::from_env(&var).unwrap_err();
        assert!(err.to_string().contains("too weak") && !err.to_string().contains("0000"), "{err}");
        std::env::remove_var(&var);
        let dir = TempDir::new();
        fs::write(dir.path("zeros.hex"), "00".repeat(32)).unwrap();
        assert!(Key::from_file(dir.path("zeros.hex")).unwrap_err().to_string().contains("too weak"));
        // Generated keys always pass.
        for _ in 0..100 {
            Key::generate().unwrap();
        }
    }

    #[test]
    fn key_id_is_truncated_hmac_of_fixed_string() {
        // Computed independently with Python:
        // hmac.new(bytes.fromhex(HEX), b"phimask key id v1", "sha256").hexdigest()[:8]
        assert_eq!(key().key_id(), "ccf18625");
        assert_ne!(Key::from_bytes(test_key(1)).unwrap().key_id(), key().key_id());
    }

    #[test]
    fn derive_is_sp800_108_counter_mode() {
        // Python: hmac.new(bytes.fromhex(HEX), b"\0\0\0\1" + b"phimask subkey v1" + b"\0" + b"ff1"
        //                  + b"\0\0\1\0", "sha256").hexdigest()
        assert_eq!(
            to_hex(key().derive(b"ff1").as_bytes()),
            "1f041b692241b7fb2c732a46a924780adf8559d201eea0a219eb26db2244cb82"
        );
        let k = key();
        assert_ne!(k.derive(b"ff1").as_bytes(), k.derive(b"hash").as_bytes());
        assert_ne!(k.derive(b"date-shift").as_bytes(), k.derive(b"hash").as_bytes());
    }

    #[test]
    fn debug_and_display_show_only_the_id() {
        let k = key();
        let debug = format!("{k:?}");
        assert_eq!(debug, format!("Key {{ id: \"{}\" }}", k.key_id()));
        assert_eq!(k.to_string(), k.key_id());
        assert_eq!(format!("{:?}", k.derive(b"x")), "DerivedKey(..)");
        for shown in [debug, k.to_string(), format!("{:#?}", k)] {
            assert!(!shown.contains(HEX) && !shown.contains(&HEX[..16]) && !shown.contains(BASE64));
        }
    }

    #[test]
    fn wrong_lengths_are_rejected() {
        for len in [0, 1, 16, 31] {
            let err = Key::from_bytes(test_key(0xab).into_iter().cycle().take(len).collect()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Key);
            assert_eq!(err.message(), format!("key is {len} bytes; at least 32 bytes (256 bits) are required"));
        }
        assert!(Key::from_bytes(test_key(0xab)).is_ok());
        assert!(Key::from_bytes([test_key(1), test_key(2)].concat()).is_ok());
        assert_eq!(
            Key::from_bytes(test_key(3).into_iter().cycle().take(1025).collect()).unwrap_err().kind(),
            ErrorKind::Key
        );
    }

    #[test]
    fn from_file_raw_hex_and_base64() {
        let dir = TempDir::new();
        let cases: [(&str, &[u8]); 6] = [
            ("raw", &BYTES),
            ("hex", HEX.as_bytes()),
            ("hex-newline", format!("{}\n", HEX.to_uppercase()).leak().as_bytes()),
            ("base64", BASE64.as_bytes()),
            ("base64-crlf", format!("{BASE64}\r\n").leak().as_bytes()),
            ("base64-nopad", BASE64.trim_end_matches('=').as_bytes()),
        ];
        for (name, content) in cases {
            let path = dir.path(name);
            fs::write(&path, content).unwrap();
            let loaded = Key::from_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(loaded.key_id(), key().key_id(), "{name}");
        }
        // A raw key that happens to end in a newline byte is kept whole.
        let mut raw = BYTES.to_vec();
        raw.push(b'\n');
        fs::write(dir.path("raw-nl"), &raw).unwrap();
        assert_eq!(Key::from_file(dir.path("raw-nl")).unwrap().key_id(), Key::from_bytes(raw).unwrap().key_id());
    }

    #[test]
    fn from_file_errors_name_the_path_not_the_content() {
        let dir = TempDir::new();
        let missing = dir.path("missing.bin");
        let err = Key::from_file(&missing).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Key);
        assert_eq!(err.path(), Some(missing.as_path()));
        assert!(err.to_string().starts_with(&format!("{}: cannot read key file", missing.display())));

        let passphrase = "correct horse battery staple and more words";
        fs::write(dir.path("pass"), passphrase).unwrap();
        let err = Key::from_file(dir.path("pass")).unwrap_err();
        assert_eq!(err.message(), "key file text is not one line of hex or base64 text");
        assert!(!format!("{err} {err:?}").contains("horse"));

        fs::write(dir.path("short-hex"), &HEX[..62]).unwrap();
        let err = Key::from_file(dir.path("short-hex")).unwrap_err();
        assert_eq!(err.message(), "key is 31 bytes; at least 32 bytes (256 bits) are required");
        assert!(!format!("{err} {err:?}").contains(&HEX[..16]));

        fs::write(dir.path("empty"), b"").unwrap();
        assert_eq!(Key::from_file(dir.path("empty")).unwrap_err().message(), "key file is empty");

        fs::write(dir.path("big"), vec![0x80; 4096]).unwrap();
        assert!(Key::from_file(dir.path("big")).unwrap_err().message().starts_with("key file is larger than"));

        assert_eq!(Key::from_file(&dir.0).unwrap_err().kind(), ErrorKind::Key);
    }

    #[test]
    fn from_env_hex_and_base64() {
        let hex_var = format!("PHIMASK_TEST_KEY_HEX_{}", std::process::id());
        let b64_var = format!("PHIMASK_TEST_KEY_B64_{}", std::process::id());
        std::env::set_var(&hex_var, format!(" {HEX}\n"));
        std::env::set_var(&b64_var, BASE64);
        assert_eq!(Key::from_env(&hex_var).unwrap().key_id(), key().key_id());
        assert_eq!(Key::from_env(&b64_var).unwrap().key_id(), key().key_id());
        std::env::remove_var(&hex_var);
        std::env::remove_var(&b64_var);
    }

    #[test]
    fn from_env_errors_name_the_variable_not_the_value() {
        let var = format!("PHIMASK_TEST_KEY_BAD_{}", std::process::id());
        std::env::remove_var(&var);
        let err = Key::from_env(&var).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Key);
        assert_eq!(err.message(), format!("environment variable {var} is not set"));

        let secretish = "s3cr3t-passphrase!";
        std::env::set_var(&var, secretish);
        let err = Key::from_env(&var).unwrap_err();
        assert_eq!(err.message(), format!("environment variable {var} is neither hex nor base64"));
        assert!(!format!("{err} {err:?}").contains(secretish));

        std::env::set_var(&var, &HEX[..40]);
        let err = Key::from_env(&var).unwrap_err();
        assert_eq!(
            err.message(),
            format!("environment variable {var}: key is 20 bytes; at least 32 bytes (256 bits) are required")
        );
        assert!(!format!("{err} {err:?}").contains(&HEX[..40]));
        std::env::remove_var(&var);
    }

    #[test]
    fn generate_gives_distinct_raw_looking_keys() {
        let a = Key::generate().unwrap();
        let b = Key::generate().unwrap();
        assert_ne!(a.key_id(), b.key_id());
        assert_eq!(a.inner.secret.len(), 32);
        assert!(!looks_like_text(&a.inner.secret));
    }

    #[test]
    fn write_new_makes_a_0600_file_that_reads_back() {
        let dir = TempDir::new();
        let path = dir.path("key.bin");
        let key = Key::write_new(&path).unwrap();
        assert_eq!(fs::read(&path).unwrap().len(), 32);
        assert_eq!(Key::from_file(&path).unwrap().key_id(), key.key_id());
        assert_eq!(dir.entries(), ["key.bin"], "no temporary file left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn write_new_never_overwrites() {
        let dir = TempDir::new();
        let path = dir.path("key.bin");
        fs::write(&path, b"precious").unwrap();
        let err = Key::write_new(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Key);
        assert_eq!(err.path(), Some(path.as_path()));
        assert_eq!(err.message(), "refusing to overwrite an existing file");
        assert_eq!(fs::read(&path).unwrap(), b"precious");
        assert_eq!(dir.entries(), ["key.bin"]);

        // A second keygen to the same path fails too; the first key stays.
        let path = dir.path("k2.bin");
        let first = Key::write_new(&path).unwrap();
        assert!(Key::write_new(&path).is_err());
        assert_eq!(Key::from_file(&path).unwrap().key_id(), first.key_id());
    }

    #[test]
    fn write_new_into_missing_directory_fails_cleanly() {
        let dir = TempDir::new();
        let err = Key::write_new(dir.path("nope/key.bin")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Key);
        assert!(err.message().starts_with("cannot create key file"));
    }

    #[test]
    fn derived_mac_is_length_prefixed() {
        let k = key().derive(b"test");
        assert_ne!(k.mac(&[b"ab", b"c"]), k.mac(&[b"a", b"bc"]));
        assert_ne!(k.mac(&[b"abc"]), k.mac(&[b"abc", b""]));
        assert_eq!(k.mac(&[b"abc"]), k.mac(&[b"abc"]));
    }

    #[test]
    fn key_is_send_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Key>();
    }
}
