#![no_main]
//! An office's upload (a workbook described as text, a CSV file, or raw .xlsx bytes) read
//! against the embedded atlas, built once: see `bando_fuzz::checks::upload`.
use std::sync::OnceLock;

static ATLAS: OnceLock<bando::atlas::Atlas> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let atlas = ATLAS.get_or_init(|| {
        let inputs = bando::atlas::Inputs::embedded(bando::config::EMBEDDED_GEODATA);
        bando::atlas::build(&inputs).expect("the embedded data loads").0
    });
    bando_fuzz::checks::upload(data, atlas)
});
