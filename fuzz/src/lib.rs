//! What each fuzz target checks, shared with the regression tests of the main suite
//! (`tests/fuzz_regressions.rs` includes `checks.rs` by path, so a committed crash input
//! is replayed through exactly the code the fuzzer ran).

pub mod checks;
