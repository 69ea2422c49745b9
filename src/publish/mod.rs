//! Static publication: a folder that any static host serves (object storage behind a CDN,
//! nginx), holding one publication's data inputs, open-data exports, the map's static
//! site (tile archives, styles, glyphs, search index and the viewer: [`site`]) and
//! `manifest.json`; and the read replicas that serve the query API from such a folder.
//!
//! - [`folder::write`] (`bando publish OUT_DIR`) writes it from the atlas in force;
//! - [`tiles::PublishedTiles`] (`bando serve --tiles DIR`) serves its tile archives at
//!   the usual tile URLs;
//! - [`replica::load`] (`bando serve --publication DIR`) builds the atlas from it, after
//!   checking every file against the manifest; a replica that follows the folder loads
//!   it again when the manifest's data version is not the one it serves.
//!
//! The one server with the management database stays the only writer; more readers are
//! more replicas behind any load balancer.

pub mod folder;
pub mod manifest;
pub mod replica;
pub mod site;
pub mod stats;
pub mod tiles;

pub use folder::{write, PublishError};
pub use manifest::{ArchiveView, FileEntry, Manifest, ManifestError, MANIFEST_FILE};
pub use site::SiteOptions;
pub use tiles::PublishedTiles;
pub use replica::{load, ReplicaError};
