#![no_main]
//! Criteria assessments and targets tables, read against the embedded atlas's catalog of
//! criteria sets (the atlas is built once): see `bando_fuzz::checks::load_criteria`.
use std::sync::OnceLock;

static ATLAS: OnceLock<bando::atlas::Atlas> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let atlas = ATLAS.get_or_init(|| {
        let inputs = bando::atlas::Inputs::embedded(bando::config::EMBEDDED_GEODATA);
        bando::atlas::build(&inputs).expect("the embedded data loads").0
    });
    bando_fuzz::checks::load_criteria(data, atlas)
});
