//! bando: map tiles and queries for Vietnam's New Rural Development (NTM) programme.
//!
//! Data flows one way: files or uploads → [`load`] (validate) → [`store`] (when managed, through the workflow of [`manage`]) → [`atlas`] (joined, indexed data) →
//! [`standing`] (the level and criteria in force) → [`query`], [`search`], [`stats`],
//! [`export`], [`tile`], [`style`] and [`raster`] read it → [`snapshot`] (the atlas with its
//! tile topology and search index, published whole) → [`pyramid`] (a tile's served bytes,
//! whole pyramids as PMTiles or MBTiles archives) → [`api`] answers requests, and
//! [`server`] serves the API's router on TCP connections. Nothing below `api` knows about
//! HTTP; nothing in [`model`] knows about files.

/// This build's name: a hash of the sources, styles, fonts and locked dependencies
/// (`build.rs`). Every ETag carries it, and so do versioned tile URLs, so that a new
/// version of bando is never served from caches filled by the old one.
pub const BUILD: &str = env!("BANDO_BUILD");

pub mod api;
pub mod atlas;
pub mod config;
pub mod export;
pub mod files;
pub mod fnv;
pub mod geodata;
pub mod glyphs;
pub mod index;
pub mod line_ends;
pub mod load;
pub mod logging;
pub mod model;
pub mod publish;
pub mod pyramid;
pub mod query;
pub mod raster;
pub mod style;
pub mod search;
pub mod standing;
pub mod server;
pub mod snapshot;
pub mod stats;
pub mod store;
pub mod manage;
pub mod text;
pub mod tile;
