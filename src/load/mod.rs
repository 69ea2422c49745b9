//! Loading and validating input files.
mod error;
pub use error::{LoadError, Location, Problem};
