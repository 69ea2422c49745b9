#![no_main]
//! See `bando_fuzz::checks::style`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| bando_fuzz::checks::style(data));
