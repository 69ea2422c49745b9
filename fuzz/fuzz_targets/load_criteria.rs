#![no_main]
//! Criteria assessments and targets tables, read against the embedded atlas's catalog of
//! criteria sets (the atlas is built once): see `bando_fuzz::checks::load_criteria`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| bando_fuzz::checks::load_criteria(data, bando_fuzz::embedded_atlas()));
