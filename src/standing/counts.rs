//! Units counted by the level they stand at: one typed structure for the point answer's
//! former communes, statistics, tiles and exports.

use super::level::{commune_level, LevelKey};
use crate::atlas::Atlas;
use crate::model::{AsOf, Edition, Level};
use std::collections::BTreeMap;

/// How many units stand at each level key.
#[derive(Debug, Default, Clone, Copy, serde::Serialize, PartialEq, Eq)]
pub struct LevelCounts {
    pub total: usize,
    pub not_applicable: usize,
    pub no_data: usize,
    pub chua_dat: usize,
    pub dat_chuan: usize,
    pub nang_cao: usize,
    pub kieu_mau: usize,
}

impl LevelCounts {
    /// The edition-2024 communes at `positions`, counted by their level at `as_of`.
    pub fn of_communes(atlas: &Atlas, positions: impl Iterator<Item = usize>, as_of: AsOf) -> LevelCounts {
        let old = atlas.edition(Edition::E2024);
        let mut counts = LevelCounts::default();
        for p in positions {
            counts.add(commune_level(atlas, &old.communes[p], as_of).key());
        }
        counts
    }

    pub fn add(&mut self, key: LevelKey) {
        self.total += 1;
        *self.slot(key) += 1;
    }

    pub fn get(&self, key: LevelKey) -> usize {
        match key {
            LevelKey::NotApplicable => self.not_applicable,
            LevelKey::NoData => self.no_data,
            LevelKey::Level(l) => self.of(l),
        }
    }

    /// Units exactly at `level`.
    pub fn of(&self, level: Level) -> usize {
        match level {
            Level::ChuaDat => self.chua_dat,
            Level::DatChuan => self.dat_chuan,
            Level::NangCao => self.nang_cao,
            Level::KieuMau => self.kieu_mau,
        }
    }

    /// Units at `level` or above.
    pub fn at_least(&self, level: Level) -> usize {
        Level::ALL.into_iter().filter(|&l| l >= level).map(|l| self.of(l)).sum()
    }

    /// Units NTM applies to.
    pub fn eligible(&self) -> usize {
        self.total - self.not_applicable
    }

    /// Units recognised đạt chuẩn or above.
    pub fn ntm(&self) -> usize {
        self.at_least(Level::DatChuan)
    }

    /// The counts under their keys, every key present.
    pub fn by_key(&self) -> BTreeMap<&'static str, usize> {
        LevelKey::ALL.into_iter().map(|k| (k.as_str(), self.get(k))).collect()
    }

    fn slot(&mut self, key: LevelKey) -> &mut usize {
        match key {
            LevelKey::NotApplicable => &mut self.not_applicable,
            LevelKey::NoData => &mut self.no_data,
            LevelKey::Level(Level::ChuaDat) => &mut self.chua_dat,
            LevelKey::Level(Level::DatChuan) => &mut self.dat_chuan,
            LevelKey::Level(Level::NangCao) => &mut self.nang_cao,
            LevelKey::Level(Level::KieuMau) => &mut self.kieu_mau,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_lands_in_its_own_slot() {
        let mut c = LevelCounts::default();
        for (n, k) in LevelKey::ALL.into_iter().enumerate() {
            for _ in 0..=n {
                c.add(k);
            }
        }
        for (n, k) in LevelKey::ALL.into_iter().enumerate() {
            assert_eq!(c.get(k), n + 1, "{}", k.as_str());
        }
        assert_eq!(c.total, 21);
        assert_eq!(c.eligible(), 20);
        assert_eq!(c.ntm(), 4 + 5 + 6);
        assert_eq!(c.at_least(Level::NangCao), 11);
        assert_eq!(c.by_key().len(), 6);
        assert_eq!(c.by_key()["kieu_mau"], 6);
    }
}
