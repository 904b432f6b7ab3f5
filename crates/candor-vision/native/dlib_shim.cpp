// The whole of our C++ boundary with dlib: a HOG face detector and the
// 68-point shape predictor behind `extern "C"` functions. Every function
// catches every exception and returns an error code plus a message, so no C++
// exception ever unwinds into Rust.
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

namespace {

constexpr int OK = 0;
constexpr int ERR_INVALID = 1;
constexpr int ERR_EXCEPTION = 2;

void set_error(char* err, size_t len, const char* msg) {
    if (err == nullptr || len == 0) return;
    std::strncpy(err, msg, len - 1);
    err[len - 1] = '\0';
}

// Copies a packed 8-bit grey image into dlib's own image type.
void to_dlib(const uint8_t* grey, int32_t width, int32_t height, dlib::array2d<unsigned char>& img) {
    img.set_size(height, width);
    for (int32_t y = 0; y < height; ++y) {
        std::memcpy(&img[y][0], grey + static_cast<size_t>(y) * width, static_cast<size_t>(width));
    }
}

bool valid_image(const uint8_t* grey, int32_t width, int32_t height) {
    return grey != nullptr && width > 0 && height > 0;
}

// Runs `body` (which returns an error code) and turns any exception it
// throws into ERR_EXCEPTION plus its message: the one place the boundary
// catches.
template <typename Body>
int guarded(char* err, size_t err_len, Body body) {
    try {
        return body();
    } catch (const std::exception& e) {
        set_error(err, err_len, e.what());
    } catch (...) {
        set_error(err, err_len, "unknown C++ exception");
    }
    return ERR_EXCEPTION;
}

}  // namespace

struct candor_shape_predictor {
    dlib::shape_predictor model;
};

struct candor_hog_detector {
    dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
};

extern "C" {

int candor_shape_predictor_load(const char* path, candor_shape_predictor** out, char* err, size_t err_len) {
    if (path == nullptr || out == nullptr) {
        set_error(err, err_len, "null argument");
        return ERR_INVALID;
    }
    return guarded(err, err_len, [&] {
        auto p = std::make_unique<candor_shape_predictor>();
        dlib::deserialize(path) >> p->model;
        if (p->model.num_parts() != 68) {
            set_error(err, err_len, "the shape predictor does not have 68 parts");
            return ERR_INVALID;
        }
        *out = p.release();
        return OK;
    });
}

void candor_shape_predictor_free(candor_shape_predictor* p) { delete p; }

// Writes 68 (x, y) pairs into `out` (136 floats) for the face in `box`
// (left, top, right, bottom, inclusive pixel coordinates).
int candor_shape_predictor_run(const candor_shape_predictor* p, const uint8_t* grey, int32_t width,
                               int32_t height, const int32_t box[4], float* out, char* err, size_t err_len) {
    if (p == nullptr || box == nullptr || out == nullptr || !valid_image(grey, width, height)) {
        set_error(err, err_len, "null argument or empty image");
        return ERR_INVALID;
    }
    return guarded(err, err_len, [&] {
        dlib::array2d<unsigned char> img;
        to_dlib(grey, width, height, img);
        const dlib::rectangle rect(box[0], box[1], box[2], box[3]);
        const dlib::full_object_detection shape = p->model(img, rect);
        for (unsigned long i = 0; i < 68; ++i) {
            out[2 * i] = static_cast<float>(shape.part(i).x());
            out[2 * i + 1] = static_cast<float>(shape.part(i).y());
        }
        return OK;
    });
}

int candor_hog_new(candor_hog_detector** out, char* err, size_t err_len) {
    if (out == nullptr) {
        set_error(err, err_len, "null argument");
        return ERR_INVALID;
    }
    return guarded(err, err_len, [&] {
        *out = new candor_hog_detector();
        return OK;
    });
}

void candor_hog_free(candor_hog_detector* d) { delete d; }

// Detects faces; writes up to `max` boxes (left, top, right, bottom) into
// `boxes` and their count into `count`. Not thread-safe per detector (dlib's
// detector keeps scratch state), hence one detector per tracker.
int candor_hog_detect(candor_hog_detector* d, const uint8_t* grey, int32_t width, int32_t height,
                      int32_t* boxes, int32_t max, int32_t* count, char* err, size_t err_len) {
    if (d == nullptr || boxes == nullptr || count == nullptr || max < 0 || !valid_image(grey, width, height)) {
        set_error(err, err_len, "null argument or empty image");
        return ERR_INVALID;
    }
    return guarded(err, err_len, [&] {
        dlib::array2d<unsigned char> img;
        to_dlib(grey, width, height, img);
        const std::vector<dlib::rectangle> found = d->detector(img);
        int32_t n = 0;
        for (const auto& r : found) {
            if (n >= max) break;
            boxes[4 * n] = static_cast<int32_t>(r.left());
            boxes[4 * n + 1] = static_cast<int32_t>(r.top());
            boxes[4 * n + 2] = static_cast<int32_t>(r.right());
            boxes[4 * n + 3] = static_cast<int32_t>(r.bottom());
            ++n;
        }
        *count = n;
        return OK;
    });
}

}  // extern "C"
