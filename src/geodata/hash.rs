//! Deterministic pseudo-randomness for sample data: the same code always gives the
//! same number, on every machine (no OS seed, no `HashMap` order).

/// SplitMix64 of a string's FNV-1a hash and a salt: a well-mixed 64-bit value.
pub fn hash(text: &str, salt: u64) -> u64 {
    let h = crate::fnv::fold(crate::fnv::OFFSET ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15), text.as_bytes());
    let mut z = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A value in [0, 1) from a string and a salt.
pub fn unit(text: &str, salt: u64) -> f64 {
    (hash(text, salt) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    #[test]
    fn stable_and_spread() {
        assert_eq!(super::hash("00571", 1), super::hash("00571", 1));
        assert_ne!(super::hash("00571", 1), super::hash("00571", 2));
        let mean: f64 = (0..1000).map(|i| super::unit(&i.to_string(), 3)).sum::<f64>() / 1000.0;
        assert!((mean - 0.5).abs() < 0.05);
    }
}
