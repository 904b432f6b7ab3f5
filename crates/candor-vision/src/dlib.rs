//! Safe wrappers over the C++ shim in `native/dlib_shim.cpp`. The shim
//! catches every C++ exception; here each error code becomes a
//! [`VisionError`].

use std::collections::HashMap;
use std::ffi::{c_char, CString};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::geometry::{BoxI, Point};
use crate::VisionError;

#[repr(C)]
struct RawShapePredictor {
    _private: [u8; 0],
}

#[repr(C)]
struct RawHog {
    _private: [u8; 0],
}

extern "C" {
    fn candor_shape_predictor_load(
        path: *const c_char,
        out: *mut *mut RawShapePredictor,
        err: *mut c_char,
        err_len: usize,
    ) -> i32;
    fn candor_shape_predictor_free(p: *mut RawShapePredictor);
    fn candor_shape_predictor_run(
        p: *const RawShapePredictor,
        grey: *const u8,
        width: i32,
        height: i32,
        rect: *const i32,
        out: *mut f32,
        err: *mut c_char,
        err_len: usize,
    ) -> i32;
    fn candor_hog_new(out: *mut *mut RawHog, err: *mut c_char, err_len: usize) -> i32;
    fn candor_hog_free(d: *mut RawHog);
    fn candor_hog_detect(
        d: *mut RawHog,
        grey: *const u8,
        width: i32,
        height: i32,
        boxes: *mut i32,
        max: i32,
        count: *mut i32,
        err: *mut c_char,
        err_len: usize,
    ) -> i32;
}

const ERR_LEN: usize = 512;

fn message(buf: &[c_char; ERR_LEN]) -> String {
    let bytes: Vec<u8> = buf
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The number of points of the iBUG 300-W landmark scheme.
pub const LANDMARKS: usize = 68;

/// dlib's 68-point shape predictor. Read-only once loaded, so one instance
/// is shared (through [`ShapePredictor::shared`]) by every tracker and
/// thread: the model is 34 MB in memory (the shim re-packs dlib's 70 MB).
pub struct ShapePredictor {
    raw: *mut RawShapePredictor,
}

// SAFETY: the shim's `predict` is const and keeps no scratch state, so
// concurrent calls from several threads are sound; the pointer is freed only
// in Drop.
unsafe impl Send for ShapePredictor {}
unsafe impl Sync for ShapePredictor {}

impl ShapePredictor {
    /// Loads the model at `path`, or returns the instance already loaded
    /// from that path by this process.
    pub fn shared(path: &Path) -> Result<Arc<ShapePredictor>, VisionError> {
        static LOADED: Mutex<Option<HashMap<PathBuf, Arc<ShapePredictor>>>> = Mutex::new(None);
        let mut loaded = LOADED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let map = loaded.get_or_insert_with(HashMap::new);
        if let Some(p) = map.get(path) {
            return Ok(Arc::clone(p));
        }
        let p = Arc::new(Self::load(path)?);
        map.insert(path.to_path_buf(), Arc::clone(&p));
        Ok(p)
    }

    fn load(path: &Path) -> Result<ShapePredictor, VisionError> {
        let model_error = |reason: String| VisionError::Model {
            path: path.display().to_string(),
            reason,
        };
        if !path.is_file() {
            return Err(model_error("no such file".into()));
        }
        let c_path = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| model_error("path contains a NUL byte".into()))?;
        let mut raw = std::ptr::null_mut();
        let mut err = [0 as c_char; ERR_LEN];
        // SAFETY: valid C string, out-pointer and error buffer of ERR_LEN.
        let rc = unsafe {
            candor_shape_predictor_load(c_path.as_ptr(), &mut raw, err.as_mut_ptr(), ERR_LEN)
        };
        if rc != 0 || raw.is_null() {
            return Err(model_error(message(&err)));
        }
        Ok(ShapePredictor { raw })
    }

    /// The 68 landmarks of the face inside `face` in a packed grey image.
    pub fn run(
        &self,
        grey: &[u8],
        width: usize,
        height: usize,
        face: BoxI,
    ) -> Result<[Point; LANDMARKS], VisionError> {
        if grey.len() != width * height || width == 0 || height == 0 {
            return Err(VisionError::Dlib("grey image size mismatch".into()));
        }
        let rect = [face.left, face.top, face.right, face.bottom];
        let mut out = [0f32; LANDMARKS * 2];
        let mut err = [0 as c_char; ERR_LEN];
        // SAFETY: the buffer holds width*height bytes; rect has 4 and out 136
        // elements as the shim expects.
        let rc = unsafe {
            candor_shape_predictor_run(
                self.raw,
                grey.as_ptr(),
                width as i32,
                height as i32,
                rect.as_ptr(),
                out.as_mut_ptr(),
                err.as_mut_ptr(),
                ERR_LEN,
            )
        };
        if rc != 0 {
            return Err(VisionError::Dlib(message(&err)));
        }
        Ok(std::array::from_fn(|i| {
            Point::new(out[2 * i], out[2 * i + 1])
        }))
    }
}

impl Drop for ShapePredictor {
    fn drop(&mut self) {
        // SAFETY: raw came from candor_shape_predictor_load and is freed once.
        unsafe { candor_shape_predictor_free(self.raw) }
    }
}

/// dlib's HOG + linear SVM frontal face detector. Keeps scratch state, so
/// one per tracker (Send, not Sync).
pub struct HogDetector {
    raw: *mut RawHog,
}

// SAFETY: the detector is used through &mut self only, from one thread at a
// time.
unsafe impl Send for HogDetector {}

impl HogDetector {
    pub fn new() -> Result<HogDetector, VisionError> {
        let mut raw = std::ptr::null_mut();
        let mut err = [0 as c_char; ERR_LEN];
        // SAFETY: out-pointer and error buffer of ERR_LEN.
        let rc = unsafe { candor_hog_new(&mut raw, err.as_mut_ptr(), ERR_LEN) };
        if rc != 0 || raw.is_null() {
            return Err(VisionError::Dlib(message(&err)));
        }
        Ok(HogDetector { raw })
    }

    /// Faces in a packed grey image, at most 16.
    pub fn detect(
        &mut self,
        grey: &[u8],
        width: usize,
        height: usize,
    ) -> Result<Vec<BoxI>, VisionError> {
        const MAX: usize = 16;
        if grey.len() != width * height || width == 0 || height == 0 {
            return Err(VisionError::Dlib("grey image size mismatch".into()));
        }
        let mut boxes = [0i32; MAX * 4];
        let mut count = 0i32;
        let mut err = [0 as c_char; ERR_LEN];
        // SAFETY: the buffer holds width*height bytes; boxes holds MAX*4.
        let rc = unsafe {
            candor_hog_detect(
                self.raw,
                grey.as_ptr(),
                width as i32,
                height as i32,
                boxes.as_mut_ptr(),
                MAX as i32,
                &mut count,
                err.as_mut_ptr(),
                ERR_LEN,
            )
        };
        if rc != 0 {
            return Err(VisionError::Dlib(message(&err)));
        }
        Ok((0..count as usize)
            .map(|i| BoxI {
                left: boxes[4 * i],
                top: boxes[4 * i + 1],
                right: boxes[4 * i + 2],
                bottom: boxes[4 * i + 3],
            })
            .collect())
    }
}

impl Drop for HogDetector {
    fn drop(&mut self) {
        // SAFETY: raw came from candor_hog_new and is freed once.
        unsafe { candor_hog_free(self.raw) }
    }
}
