//! The build's name (`BANDO_BUILD`, `build.rs`): a hash of the files that make what bando
//! answers, carried by every ETag, by the tile URLs TileJSON gives and by `--version`.

mod common;

#[path = "../build/source_hash.rs"]
mod source_hash;

use common::{repo, Server, TempDir};
use source_hash::{source_hash, INPUTS};

#[test]
fn the_served_build_is_named_after_the_sources_it_was_built_from() {
    assert_eq!(source_hash(&repo(), &INPUTS).expect("the sources read"), bando::BUILD);
    assert_eq!(bando::BUILD.len(), 16);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bando")).arg("--version").output().expect("bando --version");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("(build {})", bando::BUILD)), "{text}");
    let server = Server::shared();
    let r = server.get_raw("/tiles/ntm/8/203/112.mvt", &[]);
    let etag = r.header("etag").expect("a tile has an ETag");
    assert!(etag.starts_with(&format!("\"{}-", bando::BUILD)), "{etag}");
}

#[test]
fn any_change_to_a_file_its_name_or_the_set_of_files_renames_the_build() {
    let dir = TempDir::new("build-id");
    std::fs::create_dir_all(dir.path("src/tile")).unwrap();
    dir.write("src/lib.rs", "pub mod tile;\n");
    dir.write("src/tile/mvt.rs", "pub const EXTENT: u32 = 4096;\n");
    dir.write("Cargo.lock", "# locked\n");
    let inputs = ["src", "styles", "Cargo.lock"];
    let hash = || source_hash(&dir, &inputs).expect("hash");
    let first = hash();
    assert_eq!(hash(), first, "the same files, the same name");

    dir.write("src/tile/mvt.rs", "pub const EXTENT: u32 = 8192;\n");
    let edited = hash();
    assert_ne!(edited, first, "an edited file");
    std::fs::rename(dir.path("src/tile/mvt.rs"), dir.path("src/tile/encode.rs")).unwrap();
    let renamed = hash();
    assert_ne!(renamed, edited, "a renamed file");
    std::fs::create_dir_all(dir.path("styles")).unwrap();
    dir.write("styles/ntm.json", "{}");
    assert_ne!(hash(), renamed, "a new file in a folder that was missing");

    // Where a file's name ends and its contents begin is part of what is hashed.
    let (a, b) = (TempDir::new("build-id-a"), TempDir::new("build-id-b"));
    a.write("ab", "c");
    b.write("a", "bc");
    assert_ne!(source_hash(&a, &["ab"]).unwrap(), source_hash(&b, &["a"]).unwrap());
}

#[test]
fn the_order_files_were_written_in_does_not_matter() {
    let (one, two) = (TempDir::new("build-order-1"), TempDir::new("build-order-2"));
    for (dir, order) in [(&one, ["a.rs", "b.rs", "c.rs"]), (&two, ["c.rs", "a.rs", "b.rs"])] {
        std::fs::create_dir_all(dir.path("src")).unwrap();
        for name in order {
            dir.write(&format!("src/{name}"), name);
        }
    }
    assert_eq!(source_hash(&one, &["src"]).unwrap(), source_hash(&two, &["src"]).unwrap());
}
