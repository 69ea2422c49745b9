//! Loading and validating input files.
mod error;
mod stub;
pub use error::{LoadError, Location, Problem};
pub use stub::*;
pub mod validate;
