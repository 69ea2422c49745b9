#![no_main]
//! Batch bodies (JSON array, GeoJSON, CSV) answered against the embedded atlas, built
//! once: see `bando_fuzz::checks::batch_body`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| bando_fuzz::checks::batch_body(data, bando_fuzz::embedded_atlas()));
