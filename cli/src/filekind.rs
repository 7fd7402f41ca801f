//! Files that hold PHI by what they are, not by text inside them.
//!
//! No regex finds a face in a JPEG, so Safe Harbor's letter Q (full-face
//! photographs and comparable images) is enforced by file kind: an image
//! committed to a repository is reported as a finding unless its path is
//! allowed (`[paths] exclude` in `.phimask.toml`) or it is in the baseline.
//!
//! DICOM files (the `DICM` magic at byte 128) are reported the same way,
//! as `PHOTO` (Q): a DICOM object is a medical image whose header carries
//! the patient's name, ID and birth date, and whose pixels are often a
//! "comparable image" (a head CT or MRI renders a recognisable face). Q is
//! the letter that stays true whatever the header holds; the text
//! detectors cannot read the binary header, so the file kind is the signal.
//!
//! Kinds are told by magic bytes, never by extension: a `.png` that is
//! really text is scanned as text, and a photo renamed `.dat` is still a
//! photo.

use phimask::{DetectorInfo, Entity};

use crate::engine::FileKinds;

/// A file kind that is reported as a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A DICOM Part 10 file.
    Dicom,
    /// A raster image, with its format name.
    Image(&'static str),
}

impl Kind {
    /// The entity reported: `PHOTO` (Safe Harbor Q) for both kinds.
    pub(crate) fn entity(self) -> Entity {
        Entity::Photo
    }

    /// The pseudo-detector id reported (`file-dicom`, `file-image`).
    pub(crate) fn detector(self) -> &'static str {
        match self {
            Kind::Dicom => "file-dicom",
            Kind::Image(_) => "file-image",
        }
    }

    /// What the report shows in place of a masked value.
    pub(crate) fn preview(self) -> String {
        match self {
            Kind::Dicom => "<DICOM file>".to_string(),
            Kind::Image(format) => format!("<{format} image>"),
        }
    }
}

/// SARIF rules (and `phimask detectors` rows) for the kinds reported.
pub(crate) fn detector_infos(kinds: FileKinds) -> Vec<DetectorInfo> {
    let info = |id: &str, description: &str| DetectorInfo {
        id: id.to_string(),
        entity: Entity::Photo,
        safe_harbor: Entity::Photo.safe_harbor(),
        description: description.to_string(),
        matches: Vec::new(),
        no_match: Vec::new(),
    };
    let mut out = Vec::new();
    if kinds.image {
        out.push(info("file-image", "Image file (PNG, JPEG, GIF, TIFF, WebP, BMP, HEIF, JPEG 2000), by magic bytes"));
    }
    if kinds.dicom {
        out.push(info("file-dicom", "DICOM medical image file ('DICM' at byte 128)"));
    }
    out
}

/// The kind of a file starting with `head` (at least its first 132 bytes,
/// when it has them), or `None` for anything else.
pub(crate) fn detect(head: &[u8]) -> Option<Kind> {
    if head.get(128..132) == Some(b"DICM") {
        return Some(Kind::Dicom);
    }
    let image = |format| Some(Kind::Image(format));
    match head {
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => image("PNG"),
        [0xFF, 0xD8, 0xFF, ..] => image("JPEG"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => image("GIF"),
        [b'I', b'I', 0x2A, 0x00, ..] | [b'M', b'M', 0x00, 0x2A, ..] => image("TIFF"),
        [b'I', b'I', 0x2B, 0x00, ..] | [b'M', b'M', 0x00, 0x2B, ..] => image("TIFF"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => image("WebP"),
        [b'B', b'M', _, _, _, _, 0, 0, 0, 0, ..] => image("BMP"),
        [0x00, 0x00, 0x00, 0x0C, b'j', b'P', b' ', b' ', ..] | [0xFF, 0x4F, 0xFF, 0x51, ..] => image("JPEG 2000"),
        [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..] if is_heif(brand) => image("HEIF"),
        _ => None,
    }
}

/// HEIF/HEIC/AVIF brands in an ISO-BMFF `ftyp` box.
fn is_heif(brand: &[u8]) -> bool {
    let brand = brand.get(..4).unwrap_or_default();
    [b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"].iter().any(|b| brand == *b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide() {
        let mut dicom = vec![0u8; 140];
        dicom[128..132].copy_from_slice(b"DICM");
        assert_eq!(detect(&dicom), Some(Kind::Dicom));
        assert_eq!(detect(b"\x89PNG\r\n\x1a\nrest"), Some(Kind::Image("PNG")));
        assert_eq!(detect(b"\xff\xd8\xff\xe0\x00\x10JFIF"), Some(Kind::Image("JPEG")));
        assert_eq!(detect(b"GIF89a...."), Some(Kind::Image("GIF")));
        assert_eq!(detect(b"\x00\x00\x00\x18ftypheic\x00\x00"), Some(Kind::Image("HEIF")));
        assert_eq!(detect(b"\x00\x00\x00\x18ftypisom\x00\x00"), None);
        assert_eq!(detect(b"PNG is a format"), None);
        assert_eq!(detect(b""), None);
        assert_eq!(Kind::Dicom.entity().safe_harbor().as_str(), "Q");
    }
}
