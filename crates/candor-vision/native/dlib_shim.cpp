// The whole of our C++ boundary with dlib: a HOG face detector and the
// 68-point shape predictor behind `extern "C"` functions. Every function
// catches every exception and returns an error code plus a message, so no C++
// exception ever unwinds into Rust.
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>

#include <cmath>
#include <cstdint>
#include <fstream>
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

// dlib's shape predictor, re-packed into half its memory. dlib keeps every
// leaf of its 7,500 regression trees as a heap-allocated float vector of 136
// offsets: ~70 MB for the 68-point model, a fifth of the whole analysis's
// memory. Here each leaf is 136 int16 values plus one float scale, and the
// trees are flattened into a few contiguous arrays per cascade level.
// Evaluation follows `dlib::shape_predictor::operator()` step for step.
// Why not int8: the cascade is chaotic (a shifted point samples other pixels,
// which flips later splits), and int8 leaves moved landmarks of the
// astronaut portrait's 88-px face by up to 1.8 px against dlib; with int16
// they stay within dlib's own rounding to whole pixels (0.7 px).
struct candor_shape_predictor {
    struct Split {
        uint32_t idx1;
        uint32_t idx2;
        float thresh;
    };
    struct Level {
        std::vector<unsigned long> anchor_idx;
        std::vector<dlib::vector<float, 2>> deltas;
        std::vector<Split> splits;       // trees x splits_per_tree
        std::vector<float> leaf_scale;   // trees x leaves_per_tree
        std::vector<int16_t> leaf_values; // trees x leaves_per_tree x shape_len
    };
    dlib::matrix<float, 0, 1> initial_shape;
    std::vector<Level> levels;
    size_t splits_per_tree = 0;
    size_t leaves_per_tree = 0;

    unsigned long num_parts() const { return initial_shape.size() / 2; }

    // Sizes `level` for `trees` trees shaped like `first`, so the arrays
    // hold no growth slack.
    void reserve(Level& level, unsigned long trees, const dlib::impl::regression_tree& first) const {
        const size_t leaves = trees * first.leaf_values.size();
        level.splits.reserve(trees * first.splits.size());
        level.leaf_scale.reserve(leaves);
        level.leaf_values.reserve(leaves * static_cast<size_t>(initial_shape.size()));
    }

    // Appends one of dlib's trees to `level`; all trees must share one shape.
    void add_tree(Level& level, const dlib::impl::regression_tree& tree) {
        if (splits_per_tree == 0 && leaves_per_tree == 0) {
            splits_per_tree = tree.splits.size();
            leaves_per_tree = tree.leaf_values.size();
        }
        if (tree.splits.size() != splits_per_tree || tree.leaf_values.size() != leaves_per_tree ||
            leaves_per_tree != splits_per_tree + 1) {
            throw dlib::serialization_error("shape predictor trees are not all complete trees of one depth");
        }
        for (const auto& s : tree.splits) {
            level.splits.push_back({static_cast<uint32_t>(s.idx1), static_cast<uint32_t>(s.idx2), s.thresh});
        }
        const long len = initial_shape.size();
        for (const auto& leaf : tree.leaf_values) {
            if (leaf.size() != len) throw dlib::serialization_error("leaf size differs from the shape size");
            const float peak = dlib::max(dlib::abs(leaf));
            const float scale = peak > 0 ? peak / 32767.0f : 1.0f;
            level.leaf_scale.push_back(scale);
            for (long k = 0; k < len; ++k) {
                level.leaf_values.push_back(static_cast<int16_t>(std::lround(leaf(k) / scale)));
            }
        }
    }

    // Reads dlib's serialisation of `shape_predictor` (version 1: initial
    // shape, forests, anchor indices, deltas) one tree at a time, so loading
    // never holds dlib's full-size copy.
    void load(std::istream& in) {
        int version = 0;
        dlib::deserialize(version, in);
        if (version != 1) throw dlib::serialization_error("unsupported shape predictor version");
        dlib::deserialize(initial_shape, in);
        unsigned long level_count = 0;
        dlib::deserialize(level_count, in);
        levels.resize(level_count);
        for (auto& level : levels) {
            unsigned long tree_count = 0;
            dlib::deserialize(tree_count, in);
            for (unsigned long t = 0; t < tree_count; ++t) {
                dlib::impl::regression_tree tree;
                deserialize(tree, in);  // a hidden friend: found by ADL only
                if (t == 0) reserve(level, tree_count, tree);
                add_tree(level, tree);
            }
        }
        unsigned long anchor_levels = 0;
        dlib::deserialize(anchor_levels, in);
        if (anchor_levels != level_count) throw dlib::serialization_error("anchor levels differ from forests");
        for (auto& level : levels) dlib::deserialize(level.anchor_idx, in);
        unsigned long delta_levels = 0;
        dlib::deserialize(delta_levels, in);
        if (delta_levels != level_count) throw dlib::serialization_error("delta levels differ from forests");
        for (auto& level : levels) {
            dlib::deserialize(level.deltas, in);
            if (level.deltas.size() != level.anchor_idx.size()) {
                throw dlib::serialization_error("anchor and delta counts differ");
            }
            for (const auto& s : level.splits) {
                if (s.idx1 >= level.deltas.size() || s.idx2 >= level.deltas.size()) {
                    throw dlib::serialization_error("split feature index out of range");
                }
            }
            for (auto a : level.anchor_idx) {
                if (a >= num_parts()) throw dlib::serialization_error("anchor index out of range");
            }
        }
    }

    dlib::matrix<float, 0, 1> predict(const dlib::array2d<unsigned char>& img, const dlib::rectangle& rect) const {
        dlib::matrix<float, 0, 1> shape = initial_shape;
        std::vector<float> pixels;
        const long len = shape.size();
        for (const auto& level : levels) {
            dlib::impl::extract_feature_pixel_values(img, rect, shape, initial_shape, level.anchor_idx, level.deltas,
                                                     pixels);
            const size_t trees = level.leaf_scale.size() / leaves_per_tree;
            for (size_t t = 0; t < trees; ++t) {
                const Split* splits = &level.splits[t * splits_per_tree];
                size_t node = 0;
                while (node < splits_per_tree) {
                    const Split& s = splits[node];
                    node = pixels[s.idx1] - pixels[s.idx2] > s.thresh ? 2 * node + 1 : 2 * node + 2;
                }
                const size_t leaf = t * leaves_per_tree + (node - splits_per_tree);
                const float scale = level.leaf_scale[leaf];
                const int16_t* values = &level.leaf_values[leaf * static_cast<size_t>(len)];
                for (long k = 0; k < len; ++k) shape(k) += scale * values[k];
            }
        }
        return shape;
    }
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
        std::ifstream file(path, std::ios::binary);
        if (!file) {
            set_error(err, err_len, "cannot open the shape predictor file");
            return ERR_INVALID;
        }
        auto p = std::make_unique<candor_shape_predictor>();
        p->load(file);
        if (p->num_parts() != 68) {
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
        const dlib::matrix<float, 0, 1> shape = p->predict(img, rect);
        // dlib rounds the points to whole pixels; we keep the fractions.
        const dlib::point_transform_affine to_image = dlib::impl::unnormalizing_tform(rect);
        for (unsigned long i = 0; i < 68; ++i) {
            const dlib::vector<double, 2> pt = to_image(dlib::impl::location(shape, i));
            out[2 * i] = static_cast<float>(pt.x());
            out[2 * i + 1] = static_cast<float>(pt.y());
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
