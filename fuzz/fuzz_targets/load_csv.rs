#![no_main]
//! See `bando_fuzz::checks::load_csv`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| bando_fuzz::checks::load_csv(data));
