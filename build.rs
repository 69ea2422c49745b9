//! Names this build: `BANDO_BUILD`, a hash of the files that make what bando answers
//! (`build/source_hash.rs`). ETags carry it, and so do the tile URLs TileJSON gives, so a
//! new version of bando serving the same data never has its new tiles mistaken for the old
//! ones by a browser or a CDN.
//!
//! Steps: 1. hash the inputs; 2. export the hash to the compiler; 3. ask cargo to run this
//! again when any input changes (a folder is watched with everything under it).

#[path = "build/source_hash.rs"]
mod source_hash;

fn main() {
    let root = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let hash = source_hash::source_hash(&root, &source_hash::INPUTS).expect("the sources can be read");
    println!("cargo:rustc-env=BANDO_BUILD={hash}");
    for input in source_hash::INPUTS {
        println!("cargo:rerun-if-changed={input}");
    }
    println!("cargo:rerun-if-changed=build/source_hash.rs");
}
