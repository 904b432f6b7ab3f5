//! Recognizes a media container from the first bytes of an upload, so that
//! a file that is no recording is refused before anything is stored. The
//! full check (can it be decoded, how long is it) is the worker's probe;
//! this only keeps obvious non-media out of the bucket.

use serde::Serialize;

/// How many leading bytes [`sniff`] looks at (enough for a WebM DocType).
pub const SNIFF_LEN: usize = 64;

/// A recognized container: the extension its stored key gets and the
/// content type recorded with the interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MediaKind {
    pub extension: &'static str,
    pub content_type: &'static str,
}

const MP4: MediaKind = kind("mp4", "video/mp4");
const MOV: MediaKind = kind("mov", "video/quicktime");
const M4A: MediaKind = kind("m4a", "audio/mp4");
const WEBM: MediaKind = kind("webm", "video/webm");
const MKV: MediaKind = kind("mkv", "video/x-matroska");
const MP3: MediaKind = kind("mp3", "audio/mpeg");
const WAV: MediaKind = kind("wav", "audio/wav");
const OGG: MediaKind = kind("ogg", "audio/ogg");
const FLAC: MediaKind = kind("flac", "audio/flac");

const ALL: [MediaKind; 9] = [MP4, MOV, M4A, WEBM, MKV, MP3, WAV, OGG, FLAC];

const fn kind(extension: &'static str, content_type: &'static str) -> MediaKind {
    MediaKind {
        extension,
        content_type,
    }
}

impl MediaKind {
    /// The kind a key's extension names (case-insensitive), for media that
    /// was put in the store by the client and is not read here.
    pub fn from_key(key: &str) -> Option<MediaKind> {
        let (_, extension) = key.rsplit('/').next()?.rsplit_once('.')?;
        ALL.into_iter()
            .find(|kind| kind.extension.eq_ignore_ascii_case(extension))
    }
}

/// The container `head` (the first up to [`SNIFF_LEN`] bytes) starts, or
/// `None` when it is none of MP4/MOV/M4A, WebM/Matroska, MP3, WAV, Ogg,
/// FLAC.
pub fn sniff(head: &[u8]) -> Option<MediaKind> {
    let at = |range: std::ops::Range<usize>| head.get(range);
    // ISO base media: a box size, then the `ftyp` box and its major brand.
    if at(4..8) == Some(b"ftyp") {
        return Some(match at(8..12) {
            Some(b"M4A ") | Some(b"M4B ") => M4A,
            Some(b"qt  ") => MOV,
            _ => MP4,
        });
    }
    // EBML header; its DocType element says WebM or Matroska.
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        let is_webm = head.windows(4).any(|window| window == b"webm");
        return Some(if is_webm { WEBM } else { MKV });
    }
    if head.starts_with(b"ID3") || is_mpeg_audio_frame(head) {
        return Some(MP3);
    }
    if head.starts_with(b"RIFF") && at(8..12) == Some(b"WAVE") {
        return Some(WAV);
    }
    if head.starts_with(b"OggS") {
        return Some(OGG);
    }
    if head.starts_with(b"fLaC") {
        return Some(FLAC);
    }
    None
}

/// An MPEG audio frame header without ID3 tag: 11 sync bits, then version,
/// layer, bitrate and sample rate, none of them a reserved value (which
/// random bytes that happen to start with the sync bits usually have).
fn is_mpeg_audio_frame(head: &[u8]) -> bool {
    let [0xFF, b1, b2, ..] = *head else {
        return false;
    };
    let sync = b1 & 0xE0 == 0xE0;
    let version = (b1 >> 3) & 0b11; // 0b01 reserved
    let layer = (b1 >> 1) & 0b11; // 0b00 reserved (ADTS AAC uses it)
    let bitrate = b2 >> 4; // 0b1111 invalid, 0 "free format" (rare)
    let sample_rate = (b2 >> 2) & 0b11; // 0b11 reserved
    sync && version != 0b01
        && layer != 0b00
        && bitrate != 0
        && bitrate != 0b1111
        && sample_rate != 0b11
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_tail(head: &[u8]) -> Vec<u8> {
        let mut bytes = head.to_vec();
        bytes.resize(SNIFF_LEN, 0);
        bytes
    }

    #[test]
    fn every_supported_container_is_recognized() {
        let cases: [(&[u8], MediaKind); 11] = [
            (b"\0\0\0\x20ftypisom\0\0\x02\0", MP4),
            (b"\0\0\0\x18ftypmp42", MP4),
            (b"\0\0\0\x14ftypqt  ", MOV),
            (b"\0\0\0\x20ftypM4A \0\0\0\0", M4A),
            (
                b"\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm",
                WEBM,
            ),
            (
                b"\x1A\x45\xDF\xA3\xA3\x42\x86\x81\x01\x42\x82\x88matroska",
                MKV,
            ),
            (b"ID3\x04\0\0\0\0\0\x23", MP3),
            (b"\xFF\xFB\x90\x64", MP3),
            (b"RIFF\x24\x08\0\0WAVEfmt ", WAV),
            (b"OggS\0\x02\0\0", OGG),
            (b"fLaC\0\0\0\x22", FLAC),
        ];
        for (head, expected) in cases {
            assert_eq!(sniff(&with_tail(head)), Some(expected), "{head:?}");
        }
    }

    #[test]
    fn short_heads_are_judged_on_what_there_is() {
        assert_eq!(sniff(b"fLaC"), Some(FLAC));
        assert_eq!(sniff(b"\0\0\0\x18ftyp"), Some(MP4));
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"RIFF"), None);
    }

    #[test]
    fn other_files_are_not_media() {
        let cases: [&[u8]; 8] = [
            b"hello, this is a text file\n",
            b"%PDF-1.7\n",
            b"\x89PNG\r\n\x1a\n",
            b"PK\x03\x04",
            b"RIFF\x24\x08\0\0AVI LIST",
            b"\xFF\xF1\x50\x80", // ADTS AAC: layer bits 00
            b"\xFF\xFB\xF0\x64", // bitrate index 1111
            b"\xFF\xEB\x90\x64", // version bits 01 (reserved)
        ];
        for head in cases {
            assert_eq!(sniff(&with_tail(head)), None, "{head:?}");
        }
    }

    #[test]
    fn pseudo_random_bytes_are_not_media() {
        // xorshift: fixed, so the test cannot flake; 1,000 different heads.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..1000 {
            let head: Vec<u8> = (0..SNIFF_LEN)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            assert_eq!(sniff(&head), None, "{head:?}");
        }
    }

    #[test]
    fn kinds_follow_key_extensions() {
        assert_eq!(MediaKind::from_key("interviews/a/b.MP4"), Some(MP4));
        assert_eq!(MediaKind::from_key("x.webm"), Some(WEBM));
        assert_eq!(MediaKind::from_key("dir.mp4/file"), None);
        assert_eq!(MediaKind::from_key("notes.txt"), None);
    }
}
