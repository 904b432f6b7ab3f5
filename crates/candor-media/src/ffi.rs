//! Every `unsafe` line of this crate lives here: the custom AVIO context that
//! lets FFmpeg read from any Rust `Read + Seek`, opening a demuxer on it, and
//! the two calls ffmpeg-next does not wrap (stream discard, raw resampling).
//!
//! Ownership, in one place: FFmpeg does not free an AVIO context the caller
//! supplied (`AVFMT_FLAG_CUSTOM_IO`), so [`CustomIo`] frees it, and the reader
//! behind it, after the demuxer that uses it is closed — [`Demuxer`] declares
//! its fields in that drop order.

use std::io::{self, SeekFrom};
use std::os::raw::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::Once;

use ffmpeg::ffi;
use ffmpeg::format::context::Input;
use ffmpeg_next as ffmpeg;

use crate::error::MediaError;
use crate::source::{OpenSource, ReadSeek};

/// Size of the buffer FFmpeg reads through; 64 KiB keeps ranged GETs on an
/// object store reasonably large while staying small in memory.
const IO_BUFFER_SIZE: usize = 64 * 1024;

/// A reader that reports `Interrupted` forever must not hang the decoder.
const MAX_INTERRUPTED_RETRIES: usize = 64;

/// One-time, process-wide FFmpeg set-up: error strings for ffmpeg-next's
/// `Display`, and a quiet log — corrupt input would otherwise print a line per
/// bad packet over the CLI's progress bar; our errors carry the detail.
pub(crate) fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        ffmpeg::util::error::register_all();
        ffmpeg::util::log::set_level(ffmpeg::util::log::Level::Fatal);
    });
}

/// What the AVIO callbacks reach through their `opaque` pointer.
struct IoState {
    reader: Box<dyn ReadSeek + Send>,
    size: u64,
    /// The last I/O error, kept so that it reaches the caller as
    /// [`MediaError::Io`] rather than as FFmpeg's generic `EIO`.
    error: Option<io::Error>,
}

/// An `AVIOContext` reading from an [`IoState`].
struct CustomIo {
    ctx: *mut ffi::AVIOContext,
    state: *mut IoState,
}

// SAFETY: the reader is `Send`, and the context and state are only ever used
// through `&mut Demuxer`, i.e. from one thread at a time.
unsafe impl Send for CustomIo {}

impl CustomIo {
    fn new(reader: Box<dyn ReadSeek + Send>, size: u64) -> Result<Self, MediaError> {
        let state = Box::into_raw(Box::new(IoState {
            reader,
            size,
            error: None,
        }));
        // SAFETY: the buffer comes from av_malloc as avio requires (it may
        // reallocate it); on failure both allocations are released here.
        unsafe {
            let buffer = ffi::av_malloc(IO_BUFFER_SIZE) as *mut u8;
            let ctx = if buffer.is_null() {
                ptr::null_mut()
            } else {
                ffi::avio_alloc_context(
                    buffer,
                    IO_BUFFER_SIZE as c_int,
                    0,
                    state as *mut c_void,
                    Some(read_packet),
                    None,
                    Some(seek),
                )
            };
            if ctx.is_null() {
                ffi::av_free(buffer as *mut c_void);
                drop(Box::from_raw(state));
                return Err(MediaError::Internal(
                    "could not allocate the I/O context".into(),
                ));
            }
            Ok(CustomIo { ctx, state })
        }
    }

    fn take_error(&mut self) -> Option<io::Error> {
        // SAFETY: `state` is valid for the life of `self`; no callback runs now.
        unsafe { (*self.state).error.take() }
    }

    fn rewind(&mut self) -> Result<(), MediaError> {
        // SAFETY: `ctx` is a live AVIO context; avio_seek also clears its EOF flag.
        let pos = unsafe { ffi::avio_seek(self.ctx, 0, libc::SEEK_SET) };
        if pos < 0 {
            return Err(
                self.io_error_or(|| MediaError::Internal("could not rewind the input".into()))
            );
        }
        Ok(())
    }

    fn io_error_or(&mut self, other: impl FnOnce() -> MediaError) -> MediaError {
        self.take_error().map(MediaError::Io).unwrap_or_else(other)
    }
}

impl Drop for CustomIo {
    fn drop(&mut self) {
        // SAFETY: the demuxer using `ctx` is closed already (see `Demuxer`);
        // the context's current buffer (possibly reallocated by FFmpeg) is
        // freed before the context itself, then the reader.
        unsafe {
            ffi::av_freep(&mut (*self.ctx).buffer as *mut *mut u8 as *mut c_void);
            ffi::avio_context_free(&mut self.ctx);
            drop(Box::from_raw(self.state));
        }
    }
}

/// AVIO read callback: fill `buf` from the reader; end of data is
/// `AVERROR_EOF` (a reader returning 0 means EOF, so it cannot spin).
unsafe extern "C" fn read_packet(opaque: *mut c_void, buf: *mut u8, buf_size: c_int) -> c_int {
    // SAFETY: `opaque` is the `IoState` this context was created with, and
    // `buf` holds `buf_size` writable bytes.
    let state = &mut *(opaque as *mut IoState);
    if buf_size <= 0 {
        return ffi::AVERROR_EOF;
    }
    let out = std::slice::from_raw_parts_mut(buf, buf_size as usize);
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut retries = 0;
        loop {
            match state.reader.read(out) {
                Err(e)
                    if e.kind() == io::ErrorKind::Interrupted
                        && retries < MAX_INTERRUPTED_RETRIES =>
                {
                    retries += 1;
                }
                other => return other,
            }
        }
    }));
    match result {
        Ok(Ok(0)) => ffi::AVERROR_EOF,
        Ok(Ok(n)) => n as c_int,
        Ok(Err(e)) => fail(state, e),
        Err(_) => fail(state, io::Error::other("the reader panicked")),
    }
}

/// AVIO seek callback, including `AVSEEK_SIZE` (the total size, known since open).
unsafe extern "C" fn seek(opaque: *mut c_void, offset: i64, whence: c_int) -> i64 {
    // SAFETY: as in `read_packet`.
    let state = &mut *(opaque as *mut IoState);
    let whence = whence & !ffi::AVSEEK_FORCE;
    let target = match whence {
        ffi::AVSEEK_SIZE => return state.size as i64,
        libc::SEEK_SET if offset >= 0 => SeekFrom::Start(offset as u64),
        libc::SEEK_CUR => SeekFrom::Current(offset),
        libc::SEEK_END => SeekFrom::End(offset),
        _ => return ffi::AVERROR(libc::EINVAL) as i64,
    };
    match catch_unwind(AssertUnwindSafe(|| state.reader.seek(target))) {
        Ok(Ok(pos)) => pos as i64,
        Ok(Err(e)) => fail(state, e) as i64,
        Err(_) => fail(state, io::Error::other("the reader panicked")) as i64,
    }
}

fn fail(state: &mut IoState, error: io::Error) -> c_int {
    state.error = Some(error);
    ffi::AVERROR(libc::EIO)
}

/// An open demuxer over a custom AVIO context.
pub(crate) struct Demuxer {
    // Field order is drop order: the format context must close before the
    // AVIO context it reads from is freed.
    input: Input,
    io: CustomIo,
    name: String,
}

impl Demuxer {
    /// Detects the format, opens the demuxer and reads stream information.
    pub(crate) fn open(source: OpenSource) -> Result<Self, MediaError> {
        init();
        if source.size == 0 {
            return Err(MediaError::Empty);
        }
        let io = CustomIo::new(source.reader, source.size)?;
        Self::open_on(io, source.name)
    }

    /// Closes and re-opens the demuxer at the start of the input, e.g. after
    /// a pass that only scanned packets. Works for every format, unlike
    /// seeking (Matroska without cues cannot seek back reliably).
    pub(crate) fn reopen(self) -> Result<Self, MediaError> {
        let Demuxer {
            input,
            mut io,
            name,
        } = self;
        drop(input);
        io.rewind()?;
        Self::open_on(io, name)
    }

    fn open_on(mut io: CustomIo, name: String) -> Result<Self, MediaError> {
        // The format is detected from the content alone: passing the name
        // would let its extension decide (random bytes named `.mp4` would be
        // reported as a corrupt MP4) and would give demuxers a base URL.
        let no_url = c"";
        // SAFETY: standard avformat open sequence on our AVIO context; on any
        // failure FFmpeg frees the format context it allocated, and `io`
        // (still owned here) is freed by its Drop.
        unsafe {
            let mut format: *const ffi::AVInputFormat = ptr::null();
            if ffi::av_probe_input_buffer2(
                io.ctx,
                &mut format,
                no_url.as_ptr(),
                ptr::null_mut(),
                0,
                0,
            ) < 0
                || format.is_null()
            {
                return Err(
                    io.io_error_or(|| MediaError::UnrecognisedFormat { name: name.clone() })
                );
            }
            let format_name = std::ffi::CStr::from_ptr((*format).name)
                .to_string_lossy()
                .into_owned();
            let corrupt = |code: c_int| MediaError::Corrupt {
                format: format_name.clone(),
                detail: ffmpeg::Error::from(code).to_string(),
            };

            let mut ctx = ffi::avformat_alloc_context();
            if ctx.is_null() {
                return Err(MediaError::Internal(
                    "could not allocate the format context".into(),
                ));
            }
            (*ctx).pb = io.ctx;
            // A demuxer that opens further URLs (HLS playlists, concat lists)
            // could reach files or hosts; no protocol is allowed, so it cannot.
            let mut options: *mut ffi::AVDictionary = ptr::null_mut();
            ffi::av_dict_set(
                &mut options,
                c"protocol_whitelist".as_ptr(),
                c"none".as_ptr(),
                0,
            );
            let opened = ffi::avformat_open_input(&mut ctx, no_url.as_ptr(), format, &mut options);
            ffi::av_dict_free(&mut options);
            if opened < 0 {
                return Err(io.io_error_or(|| corrupt(opened)));
            }
            let found = ffi::avformat_find_stream_info(ctx, ptr::null_mut());
            if found < 0 {
                ffi::avformat_close_input(&mut ctx);
                return Err(io.io_error_or(|| corrupt(found)));
            }
            Ok(Demuxer {
                input: Input::wrap(ctx),
                io,
                name,
            })
        }
    }

    pub(crate) fn input(&self) -> &Input {
        &self.input
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Reads the next packet. Each read gets a fresh `Packet`: ffmpeg-next's
    /// `Packet::read` does not unref the packet it is given, so reusing one
    /// leaked every packet's buffer (measured: peak memory grew with file size).
    pub(crate) fn read_packet(&mut self) -> Result<PacketRead, MediaError> {
        let mut packet = ffmpeg::Packet::empty();
        match packet.read(&mut self.input) {
            Ok(()) => Ok(PacketRead::Packet(packet)),
            Err(ffmpeg::Error::Eof) => Ok(PacketRead::End),
            Err(e) => match self.io.take_error() {
                Some(io) => Err(MediaError::Io(io)),
                None => Ok(PacketRead::Damaged(e)),
            },
        }
    }

    /// Tells the demuxer to drop every packet of the stream, so that unused
    /// streams (subtitles, data, a video the caller does not want) cost nothing.
    pub(crate) fn discard_stream(&mut self, index: usize) {
        // SAFETY: `index` is checked against nb_streams; `streams` holds that many.
        unsafe {
            let ctx = self.input.as_mut_ptr();
            if index < (*ctx).nb_streams as usize {
                (**(*ctx).streams.add(index)).discard = ffi::AVDiscard::AVDISCARD_ALL;
            }
        }
    }
}

/// Clockwise quarter turns (0–3) that show `stream` upright, from its
/// display matrix (phones store portrait video sideways and set one). Same
/// rule as the ffmpeg CLI's autorotate: the negated rotation, rounded.
pub(crate) fn quarter_turns(stream: &ffmpeg::Stream) -> u8 {
    let Some(matrix) = stream
        .side_data()
        .find(|d| d.kind() == ffmpeg::codec::packet::side_data::Type::DisplayMatrix)
    else {
        return 0;
    };
    let data = matrix.data();
    if data.len() < 9 * std::mem::size_of::<i32>() {
        return 0;
    }
    // SAFETY: the display matrix is nine i32 values (length checked above),
    // in side data allocated with av_malloc, hence aligned.
    let degrees = unsafe { ffi::av_display_rotation_get(data.as_ptr() as *const i32) };
    if !degrees.is_finite() {
        return 0;
    }
    ((-degrees / 90.0).round() as i64).rem_euclid(4) as u8
}

/// What reading the next packet gave.
pub(crate) enum PacketRead {
    Packet(ffmpeg::Packet),
    End,
    /// The demuxer could not read a packet; later ones may still be fine.
    Damaged(ffmpeg::Error),
}

/// Resamples one decoded frame (or, with `None`, the resampler's buffered
/// tail) and appends the result to `out`. The resampler must output packed
/// f32 mono; the raw call is used because `swr_convert_frame` rejects frames
/// whose channel layout metadata differs from the context's (e.g. unspecified).
pub(crate) fn resample(
    swr: &mut ffmpeg::software::resampling::Context,
    input: Option<&ffmpeg::frame::Audio>,
    out: &mut Vec<f32>,
) -> Result<(), ffmpeg::Error> {
    // SAFETY: the input frame's `extended_data` holds one pointer per plane
    // with `nb_samples` samples each, in the format the context was built
    // for; the output has room for `capacity` mono f32 samples.
    unsafe {
        let (in_data, in_samples) = match input {
            Some(frame) => {
                let raw = frame.as_ptr();
                ((*raw).extended_data as *mut *const u8, (*raw).nb_samples)
            }
            None => (ptr::null_mut(), 0),
        };
        let capacity = ffi::swr_get_out_samples(swr.as_mut_ptr(), in_samples);
        if capacity < 0 {
            return Err(ffmpeg::Error::from(capacity));
        }
        out.reserve(capacity as usize);
        let mut out_ptr = out.as_mut_ptr().add(out.len()) as *mut u8;
        let written = ffi::swr_convert(
            swr.as_mut_ptr(),
            &mut out_ptr,
            capacity,
            in_data,
            in_samples,
        );
        if written < 0 {
            return Err(ffmpeg::Error::from(written));
        }
        out.set_len(out.len() + written as usize);
    }
    Ok(())
}
