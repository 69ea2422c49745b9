#![no_main]
//! FlatGeobuf boundary files: see `bando_fuzz::checks::load_boundaries`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bando_fuzz::checks::load_boundaries(bando::load::BoundaryFormat::FlatGeobuf, data)
});
