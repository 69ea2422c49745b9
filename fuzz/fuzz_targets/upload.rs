#![no_main]
//! An office's upload (a workbook described as text, a CSV file, or raw .xlsx bytes) read
//! against the embedded atlas, built once: see `bando_fuzz::checks::upload`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| bando_fuzz::checks::upload(data, bando_fuzz::embedded_atlas()));
