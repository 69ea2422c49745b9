//! What each fuzz target checks, shared with the regression tests of the main suite
//! (`tests/fuzz_regressions.rs` includes `checks.rs` by path, so a committed crash input
//! is replayed through exactly the code the fuzzer ran).

pub mod checks;

/// The atlas of the embedded data, built once per fuzzing process, for the targets that
/// read against it (batch bodies, criteria, uploads).
pub fn embedded_atlas() -> &'static bando::atlas::Atlas {
    static ATLAS: std::sync::OnceLock<bando::atlas::Atlas> = std::sync::OnceLock::new();
    ATLAS.get_or_init(|| {
        let inputs = bando::atlas::Inputs::embedded(bando::config::EMBEDDED_GEODATA);
        bando::atlas::build(&inputs).expect("the embedded data loads").0
    })
}
