//! Spatial index.
