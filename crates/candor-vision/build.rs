//! Builds the owned C++ shim around dlib (see `native/dlib_shim.cpp`) and
//! links Debian's shared `libdlib` (19.24). dlib's header templates the shim
//! instantiates call BLAS and LAPACK directly (dlib's `config.h` enables
//! them), so those are linked too — by their versioned names, because the
//! unversioned `libblas.so`/`liblapack.so` that `pkg-config dlib-1` names
//! exist only with the -dev packages of BLAS/LAPACK.
fn main() {
    println!("cargo:rerun-if-changed=native/dlib_shim.cpp");
    cc::Build::new()
        .cpp(true)
        .file("native/dlib_shim.cpp")
        .flag_if_supported("-std=c++14")
        .flag_if_supported("-Wno-deprecated-copy")
        .define("NDEBUG", None)
        .opt_level(3)
        .compile("candor_dlib_shim");
    println!("cargo:rustc-link-lib=dylib=dlib");
    println!("cargo:rustc-link-lib=dylib:+verbatim=libblas.so.3");
    println!("cargo:rustc-link-lib=dylib:+verbatim=liblapack.so.3");
}
