//! Frames with a known face: scikit-image's astronaut photo (public domain)
//! decoded and scaled by ffmpeg, placed on a canvas at a known position.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Where the astronaut's features are in the 512x512 original (measured by
/// eye on the photo): pupil centres and the face (jaw width, brows to chin).
pub const EYE_IMAGE_LEFT: (f32, f32) = (203.0, 103.0);
pub const EYE_IMAGE_RIGHT: (f32, f32) = (244.0, 103.0);
pub const FACE_CENTRE: (f32, f32) = (224.0, 128.0);
pub const PHOTO_SIZE: u32 = 512;

/// The photo, cached: `~/.cache/candor/astronaut.png` (shared with
/// scripts/make-interview.py) or fetched from the scikit-image wheel into
/// the target directory.
pub fn astronaut_png() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Some(home) = std::env::var_os("HOME") {
            let shared = Path::new(&home).join(".cache/candor/astronaut.png");
            if shared.is_file() {
                return shared;
            }
        }
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("astronaut");
        let png = dir.join("astronaut.png");
        if !png.is_file() {
            std::fs::create_dir_all(&dir).unwrap();
            let ok = Command::new("python3")
                .args(["-m", "pip", "download", "--no-deps", "scikit-image", "-d"])
                .arg(&dir)
                .status()
                .unwrap()
                .success();
            assert!(ok, "pip download scikit-image failed");
            let wheel = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.extension().is_some_and(|e| e == "whl"))
                .expect("a scikit-image wheel");
            let out = Command::new("unzip")
                .arg("-p")
                .arg(&wheel)
                .arg("skimage/data/astronaut.png")
                .output()
                .unwrap();
            assert!(out.status.success());
            let partial = dir.join("astronaut.png.partial");
            std::fs::write(&partial, out.stdout).unwrap();
            std::fs::rename(partial, &png).unwrap();
        }
        png
    })
    .clone()
}

/// An image in packed BGR24.
#[derive(Clone)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub bgr: Vec<u8>,
}

impl Image {
    pub fn filled(width: u32, height: u32, bgr: [u8; 3]) -> Image {
        Image {
            width,
            height,
            bgr: bgr.repeat((width * height) as usize),
        }
    }

    /// Copies `src` with its top-left corner at (x, y); parts outside are cut.
    pub fn paste(&mut self, src: &Image, x: i32, y: i32) {
        for sy in 0..src.height as i32 {
            let ty = y + sy;
            if ty < 0 || ty >= self.height as i32 {
                continue;
            }
            for sx in 0..src.width as i32 {
                let tx = x + sx;
                if tx < 0 || tx >= self.width as i32 {
                    continue;
                }
                let s = ((sy as u32 * src.width + sx as u32) * 3) as usize;
                let t = ((ty as u32 * self.width + tx as u32) * 3) as usize;
                self.bgr[t..t + 3].copy_from_slice(&src.bgr[s..s + 3]);
            }
        }
    }
}

/// The astronaut photo at `size` x `size` pixels, through an ffmpeg filter
/// chain `extra` (e.g. "hflip", "rotate=0.2") applied before scaling.
pub fn astronaut(size: u32, extra: &str) -> Image {
    photo(&astronaut_png(), size, extra)
}

/// A square crop of the photo at `path` (its shorter side, centred) at
/// `size` x `size` pixels, through the ffmpeg filter chain `extra`.
pub fn photo(path: &Path, size: u32, extra: &str) -> Image {
    let mut filters = String::new();
    if !extra.is_empty() {
        filters.push_str(extra);
        filters.push(',');
    }
    filters.push_str(&format!(
        "crop='min(iw,ih)':'min(iw,ih)',scale={size}:{size}:flags=area"
    ));
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-vf",
            &filters,
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "bgr24",
            "-",
        ])
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "ffmpeg: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout.len(), (size * size * 3) as usize);
    Image {
        width: size,
        height: size,
        bgr: out.stdout,
    }
}

/// A 640x360 grey canvas (the sampled-frame size) with the photo scaled to
/// `size` at (x, y).
pub fn scene(size: u32, x: i32, y: i32) -> Image {
    let mut canvas = Image::filled(640, 360, [110, 120, 125]);
    canvas.paste(&astronaut(size, ""), x, y);
    canvas
}

/// Where a point of the original photo lands in a scene made by [`scene`].
pub fn placed(p: (f32, f32), size: u32, x: i32, y: i32) -> (f32, f32) {
    let s = size as f32 / PHOTO_SIZE as f32;
    (x as f32 + p.0 * s, y as f32 + p.1 * s)
}

/// An image file decoded by ffmpeg at its own size.
pub fn decode(path: &Path) -> Image {
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["stream=width,height", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    let size = String::from_utf8(probe.stdout).unwrap();
    let (width, height) = size.trim().split_once(',').expect("an image");
    let (width, height): (u32, u32) = (width.parse().unwrap(), height.parse().unwrap());
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "bgr24", "-"])
        .output()
        .expect("ffmpeg runs");
    assert_eq!(out.stdout.len(), (width * height * 3) as usize);
    Image {
        width,
        height,
        bgr: out.stdout,
    }
}
