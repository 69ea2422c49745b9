//! FNV-1a, 64 bits: a hash that is the same on every run and machine (unlike the standard
//! library's `DefaultHasher`, seeded per process) and cheap on short keys. Data versions,
//! the build's name, ETags of request text, sample-data randomness and the tile encoder's
//! interning maps all fold bytes with [`fold`].
//!
//! This file depends on nothing else in the crate: the build script includes it too.

/// The hash of no bytes.
pub const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// The FNV prime for 64 bits.
pub const PRIME: u64 = 0x0100_0000_01b3;

/// `h` with `bytes` folded in, one byte at a time.
#[inline]
pub fn fold(h: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// The hash of `bytes`.
pub fn hash(bytes: &[u8]) -> u64 {
    fold(OFFSET, bytes)
}

/// FNV-1a as a [`std::hash::Hasher`]: integers are hashed as their bytes.
#[derive(Clone, Copy)]
pub struct Fnv64(pub u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(OFFSET)
    }
}

impl std::hash::Hasher for Fnv64 {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = fold(self.0, bytes);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_published_test_vectors() {
        // From the FNV reference (draft-eastlake-fnv): "" and "a".
        assert_eq!(super::hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(super::hash(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
