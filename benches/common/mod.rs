//! Data the benches share: the embedded atlas (as a served snapshot), and the real 2025 communes when
//! ../shared/geodata holds them.

use bando::atlas::{self, Inputs};
use bando::snapshot::Snapshot;
use bando::config::EMBEDDED_GEODATA;

pub fn embedded_atlas() -> Snapshot {
    Snapshot::new(atlas::build(&Inputs::embedded(EMBEDDED_GEODATA)).expect("embedded data").0)
}

/// The atlas with ../shared/geodata/communes-2025.fgb as edition 2025, or `None`
/// (with a printed reason) when the file is absent.
pub fn real_atlas() -> Option<Snapshot> {
    let real = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/geodata/communes-2025.fgb");
    if !real.exists() {
        eprintln!("SKIPPED real_communes_2025: {} is absent", real.display());
        return None;
    }
    let mut inputs = Inputs::embedded(EMBEDDED_GEODATA);
    inputs.boundaries.push(real);
    Some(Snapshot::new(atlas::build(&inputs).expect("real boundaries").0))
}
