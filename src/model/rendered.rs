//! A piece of output kept beside the data it was written from: written on first use, then
//! copied on every later answer.
//!
//! Readers that write the same bytes for the same immutable data on every request (a
//! checklist line of a criterion, of an assessment row) keep them in a [`Rendered`] field
//! of that data. It is not data: two values that differ only in what they have rendered so
//! far are equal, and a clone starts with what the original had written.
//!
//! Steps for a reader: 1. `field.get_or_init(|| write(...))` where the bytes are needed;
//! 2. nothing else: the data is built once per atlas snapshot, so the kept bytes live as
//! long as the data they describe, and their memory is bounded by that data.

use std::sync::OnceLock;

/// Output written once from the value that holds it; see the module doc.
pub struct Rendered<T>(OnceLock<T>);

impl<T> Rendered<T> {
    pub const fn new() -> Self {
        Rendered(OnceLock::new())
    }

    /// The kept output, written by `write` on first use (once, whatever the number of
    /// threads asking at the same time).
    pub fn get_or_init(&self, write: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(write)
    }

    /// The kept output, if written already.
    pub fn get(&self) -> Option<&T> {
        self.0.get()
    }
}

impl<T> Default for Rendered<T> {
    fn default() -> Self {
        Rendered::new()
    }
}

impl<T: Clone> Clone for Rendered<T> {
    fn clone(&self) -> Self {
        Rendered(self.0.clone())
    }
}

/// Not data: never makes two values differ.
impl<T> PartialEq for Rendered<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> std::fmt::Debug for Rendered<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "Rendered(written)" } else { "Rendered(not yet)" })
    }
}
