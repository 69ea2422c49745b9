//! Embedded default geodata generator.
