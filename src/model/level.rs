//! NTM levels (Decision 318/QĐ-TTg): an ordered scale, so "at least đạt chuẩn" is `>=`.

use std::fmt;

/// The NTM level of a commune or district. Ordered: `ChuaDat < DatChuan < NangCao < KieuMau`.
///
/// For districts, `DatChuan` also covers "hoàn thành nhiệm vụ xây dựng NTM" (the title
/// given to towns and provincial cities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    ChuaDat,
    DatChuan,
    NangCao,
    KieuMau,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an NTM level (expected one of chua_dat, dat_chuan, nang_cao, kieu_mau, or the Vietnamese labels)")]
pub struct LevelError(pub String);

impl Level {
    pub const ALL: [Level; 4] = [Level::ChuaDat, Level::DatChuan, Level::NangCao, Level::KieuMau];

    /// Machine name used in CSV files, JSON and tile attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::ChuaDat => "chua_dat",
            Level::DatChuan => "dat_chuan",
            Level::NangCao => "nang_cao",
            Level::KieuMau => "kieu_mau",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Level::ChuaDat => "Chưa đạt chuẩn NTM",
            Level::DatChuan => "Đạt chuẩn NTM",
            Level::NangCao => "NTM nâng cao",
            Level::KieuMau => "NTM kiểu mẫu",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Level::ChuaDat => "Not yet NTM",
            Level::DatChuan => "NTM standard",
            Level::NangCao => "Advanced NTM",
            Level::KieuMau => "Model NTM",
        }
    }

    /// True from đạt chuẩn upwards: the commune counts as "NTM" in national totals.
    pub fn is_ntm(self) -> bool {
        self >= Level::DatChuan
    }

    /// Accepts the machine names and the Vietnamese labels, with or without
    /// diacritics and in any case ("Đạt chuẩn", "dat chuan", "NTM nâng cao", …).
    pub fn parse(text: &str) -> Result<Level, LevelError> {
        let folded = crate::text::fold(text);
        let key = folded.trim().trim_start_matches("ntm ").trim_start_matches("xa ");
        let key = key.replace(['_', '-'], " ");
        let level = match key.trim() {
            "chua dat" | "chua dat chuan" | "chua dat chuan ntm" => Level::ChuaDat,
            "dat chuan" | "dat chuan ntm" | "hoan thanh nhiem vu" | "hoan thanh" => Level::DatChuan,
            "nang cao" => Level::NangCao,
            "kieu mau" => Level::KieuMau,
            _ => return Err(LevelError(text.to_string())),
        };
        Ok(level)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A province's NTM status: "hoàn thành nhiệm vụ xây dựng NTM" in a given year, or not yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ProvinceStatus {
    pub completed_year: Option<u16>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered() {
        assert!(Level::ChuaDat < Level::DatChuan);
        assert!(Level::DatChuan < Level::NangCao);
        assert!(Level::NangCao < Level::KieuMau);
        assert!(!Level::ChuaDat.is_ntm() && Level::DatChuan.is_ntm());
    }

    #[test]
    fn machine_names_and_vietnamese_labels_parse() {
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()).unwrap(), l);
            assert_eq!(Level::parse(l.label_vi()).unwrap(), l);
        }
        assert_eq!(Level::parse("chưa đạt").unwrap(), Level::ChuaDat);
        assert_eq!(Level::parse("Đạt chuẩn").unwrap(), Level::DatChuan);
        assert_eq!(Level::parse("nâng cao").unwrap(), Level::NangCao);
        assert_eq!(Level::parse("KIỂU MẪU").unwrap(), Level::KieuMau);
        assert_eq!(Level::parse("hoàn thành nhiệm vụ").unwrap(), Level::DatChuan);
    }

    #[test]
    fn unknown_level_names_the_value() {
        let e = Level::parse("xuat sac").unwrap_err();
        assert!(e.to_string().contains("'xuat sac'"));
    }
}
