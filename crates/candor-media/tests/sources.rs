//! A reader source behaves exactly like a path; reader failures surface as
//! I/O errors, not hangs or panics.

mod common;

use std::io::{self, Cursor, Read, Seek, SeekFrom};

use candor_media::{probe, DecodeOptions, MediaError, MediaLimits, MediaSource};
use common::*;

fn decode(source: MediaSource) -> Result<Recorder, MediaError> {
    let mut rec = Recorder::default();
    probe(source, &MediaLimits::default())?.decode(&DecodeOptions::default(), &mut rec)?;
    Ok(rec)
}

#[test]
fn a_reader_gives_the_same_audio_and_frames_as_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = gray_video_with_tone(dir.path(), "v.mp4", &[H264, &["-c:a", "aac"]].concat());
    let from_path = decode(MediaSource::path(&path)).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let size = bytes.len() as u64;
    let known = decode(MediaSource::reader(
        Cursor::new(bytes.clone()),
        Some(size),
        "v.mp4",
    ))
    .unwrap();
    let unknown = decode(MediaSource::reader(Cursor::new(bytes), None, "v.mp4")).unwrap();
    for rec in [&known, &unknown] {
        assert_eq!(rec.audio, from_path.audio);
        assert_eq!(rec.frames, from_path.frames);
    }
}

/// Reads at most a few bytes at a time, as a slow network source might.
struct Trickle(Cursor<Vec<u8>>);

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(7);
        self.0.read(&mut buf[..n])
    }
}

impl Seek for Trickle {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.0.seek(pos)
    }
}

#[test]
fn short_reads_are_fine() {
    let dir = tempfile::tempdir().unwrap();
    let path = tone(dir.path(), "tone.ogg", &["-c:a", "libvorbis"]);
    let from_path = decode(MediaSource::path(&path)).unwrap();
    let reader = Trickle(Cursor::new(std::fs::read(&path).unwrap()));
    let trickled = decode(MediaSource::reader(reader, None, "tone.ogg")).unwrap();
    assert_eq!(trickled.audio, from_path.audio);
}

/// Fails every read after the first `ok` bytes.
struct Failing {
    inner: Cursor<Vec<u8>>,
    ok: u64,
}

impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.inner.position() >= self.ok {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset by peer",
            ));
        }
        let n = buf.len().min((self.ok - self.inner.position()) as usize);
        self.inner.read(&mut buf[..n])
    }
}

impl Seek for Failing {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn a_failing_reader_is_an_io_error_not_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = tone(dir.path(), "tone.wav", &["-c:a", "pcm_s16le"]);
    let bytes = std::fs::read(&path).unwrap();
    let size = bytes.len() as u64;
    for ok in [0, size / 2] {
        let reader = Failing {
            inner: Cursor::new(bytes.clone()),
            ok,
        };
        let err = decode(MediaSource::reader(reader, Some(size), "tone.wav")).unwrap_err();
        assert!(
            matches!(&err, MediaError::Io(e) if e.kind() == io::ErrorKind::ConnectionReset),
            "{ok}: {err}"
        );
        assert!(!err.is_bad_input());
    }
}

/// Claims a size but returns no bytes at all (end of data at once).
struct Nothing;

impl Read for Nothing {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Ok(0)
    }
}

impl Seek for Nothing {
    fn seek(&mut self, _: SeekFrom) -> io::Result<u64> {
        Ok(0)
    }
}

#[test]
fn a_reader_that_returns_nothing_ends_without_hanging() {
    let err = decode(MediaSource::reader(Nothing, Some(1_000_000), "nothing")).unwrap_err();
    assert!(err.is_bad_input(), "{err}");
}

#[test]
fn a_missing_file_is_an_io_error() {
    let err = decode(MediaSource::path("/nonexistent/answer.mp4")).unwrap_err();
    assert!(matches!(err, MediaError::Io(_)), "{err}");
}
