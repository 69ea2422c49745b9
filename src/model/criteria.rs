//! NTM criteria sets as data: which criteria and indicators a commune or district is
//! assessed on, in which years, under which decision.
//!
//! A [`CriteriaCatalog`] holds every set read from `geodata/criteria/` (or another folder);
//! nothing here lists criteria in code, so the 2026–2030 phase is added by adding rows.
//! Steps for a caller: 1. find the set that applies to a unit, a level and a year
//! ([`CriteriaCatalog::applicable`]); 2. look up an item by its number
//! ([`CriteriaSet::item`]); 3. show its name, or its number where no name is sourced
//! ([`CriteriaItem::label_vi`]).

use super::{Level, Rendered};
use std::fmt;
use std::ops::RangeInclusive;

/// The unit a criteria set assesses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitScope {
    Commune,
    District,
}

impl UnitScope {
    pub fn parse(text: &str) -> Option<UnitScope> {
        match text.trim() {
            "commune" => Some(UnitScope::Commune),
            "district" => Some(UnitScope::District),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UnitScope::Commune => "commune",
            UnitScope::District => "district",
        }
    }
}

/// The number of a criterion (`8`) or of one of its indicators (`8.4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemNumber {
    pub criterion: u8,
    pub indicator: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a criterion or indicator number (expected e.g. 8 or 8.4)")]
pub struct ItemNumberError(pub String);

impl ItemNumber {
    pub fn criterion(criterion: u8) -> Self {
        ItemNumber { criterion, indicator: None }
    }

    pub fn indicator(criterion: u8, indicator: u8) -> Self {
        ItemNumber { criterion, indicator: Some(indicator) }
    }

    pub fn is_indicator(self) -> bool {
        self.indicator.is_some()
    }

    /// The name of its column in flat answers and exports: `c8` for criterion 8, `c8_4` for
    /// indicator 8.4 (no dot, so that SQL, shapefile-like tools and map expressions take it).
    pub fn column(self) -> String {
        match self.indicator {
            Some(i) => format!("c{}_{i}", self.criterion),
            None => format!("c{}", self.criterion),
        }
    }

    /// Reads `8` or `8.4` (numbers from 1 to 99).
    pub fn parse(text: &str) -> Result<ItemNumber, ItemNumberError> {
        let fail = || ItemNumberError(text.to_string());
        let number = |t: &str| t.parse::<u8>().ok().filter(|n| (1..=99).contains(n)).ok_or_else(fail);
        match text.trim().split_once('.') {
            Some((c, i)) => Ok(ItemNumber::indicator(number(c)?, number(i)?)),
            None => Ok(ItemNumber::criterion(number(text.trim())?)),
        }
    }
}

impl fmt::Display for ItemNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.write_to(&mut [0; 7]))
    }
}

impl ItemNumber {
    /// `8` or `8.4` written into a stack buffer: checklists serialise a number per item, and
    /// going through `fmt` costs several times more than the digits.
    fn write_to(self, buf: &mut [u8; 7]) -> &str {
        fn push(buf: &mut [u8; 7], at: &mut usize, n: u8) {
            if n >= 100 {
                buf[*at] = b'0' + n / 100;
                *at += 1;
            }
            if n >= 10 {
                buf[*at] = b'0' + n / 10 % 10;
                *at += 1;
            }
            buf[*at] = b'0' + n % 10;
            *at += 1;
        }
        let mut at = 0;
        push(buf, &mut at, self.criterion);
        if let Some(i) = self.indicator {
            buf[at] = b'.';
            at += 1;
            push(buf, &mut at, i);
        }
        std::str::from_utf8(&buf[..at]).expect("ASCII digits")
    }
}

impl serde::Serialize for ItemNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.write_to(&mut [0; 7]))
    }
}

/// One criterion or indicator of a set.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CriteriaItem {
    pub number: ItemNumber,
    /// The name as the defining decision writes it; `None` where no source is on hand.
    pub name_vi: Option<String>,
    pub name_en: Option<String>,
    /// The names to show, resolved once ([`CriteriaItem::label_vi`]): every checklist
    /// answer writes them. Derived from the names, so equal when they are.
    #[serde(skip)]
    labels: [String; 2],
    /// What readers write of the item on every answer, kept on first use (the checklist
    /// keeps the JSON of its rowless lines here); not data.
    #[serde(skip)]
    pub rendered: Rendered<[Box<serde_json::value::RawValue>; 2]>,
}

impl CriteriaItem {
    pub fn new(number: ItemNumber, name_vi: Option<String>, name_en: Option<String>) -> CriteriaItem {
        let label = |name: &Option<String>, criterion: &str, indicator: &str| match name {
            Some(name) => name.clone(),
            None => format!("{} {number}", if number.is_indicator() { indicator } else { criterion }),
        };
        let labels = [label(&name_vi, "Tiêu chí", "Chỉ tiêu"), label(&name_en, "Criterion", "Indicator")];
        CriteriaItem { number, name_vi, name_en, labels, rendered: Rendered::new() }
    }

    /// The Vietnamese name, or "Tiêu chí 12" / "Chỉ tiêu 15.2" where none is sourced.
    pub fn label_vi(&self) -> &str {
        &self.labels[0]
    }

    /// The English name, or "Criterion 12" / "Indicator 15.2".
    pub fn label_en(&self) -> &str {
        &self.labels[1]
    }
}

/// A national criteria set: its unit, the level it certifies, its years and decision.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CriteriaSet {
    /// Machine name, e.g. `xa_ntm_2021`.
    pub id: String,
    pub unit: UnitScope,
    /// The level a unit reaches by meeting every criterion (`dat_chuan`, `nang_cao`).
    pub level: Level,
    pub first_year: u16,
    pub last_year: u16,
    pub decision: String,
    /// ISO date of the decision.
    pub decision_date: String,
    pub name_vi: String,
    pub name_en: String,
    /// Criteria in number order, each followed by its indicators.
    pub items: Vec<CriteriaItem>,
}

impl CriteriaSet {
    pub fn years(&self) -> RangeInclusive<u16> {
        self.first_year..=self.last_year
    }

    pub fn item(&self, number: ItemNumber) -> Option<&CriteriaItem> {
        self.items.iter().find(|i| i.number == number)
    }

    /// The criteria (not the indicators), in number order.
    pub fn criteria(&self) -> impl Iterator<Item = &CriteriaItem> {
        self.items.iter().filter(|i| !i.number.is_indicator())
    }

    pub fn criteria_count(&self) -> usize {
        self.criteria().count()
    }
}

/// Every criteria set on hand.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct CriteriaCatalog {
    pub sets: Vec<CriteriaSet>,
}

impl CriteriaCatalog {
    pub fn get(&self, id: &str) -> Option<&CriteriaSet> {
        self.sets.iter().find(|s| s.id == id)
    }

    /// The set that assesses `unit` for `level` in `year`, if any.
    pub fn applicable(&self, unit: UnitScope, level: Level, year: u16) -> Option<&CriteriaSet> {
        self.sets.iter().find(|s| s.unit == unit && s.level == level && s.years().contains(&year))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_numbers_read_and_print_alike() {
        assert_eq!(ItemNumber::parse("8").unwrap(), ItemNumber::criterion(8));
        assert_eq!(ItemNumber::parse(" 8.4 ").unwrap(), ItemNumber::indicator(8, 4));
        assert_eq!(ItemNumber::indicator(15, 2).to_string(), "15.2");
        for c in 1..=99 {
            for number in [ItemNumber::criterion(c), ItemNumber::indicator(c, 1), ItemNumber::indicator(c, 99)] {
                let text = number.to_string();
                assert_eq!(ItemNumber::parse(&text).unwrap(), number, "{text} reads back");
                assert_eq!(serde_json::to_string(&number).unwrap(), format!("\"{text}\""));
            }
        }
        for bad in ["", "0", "8.", ".4", "8.4.1", "x", "100", "-1"] {
            assert!(ItemNumber::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(ItemNumber::criterion(8) < ItemNumber::indicator(8, 1));
        assert!(ItemNumber::indicator(8, 4) < ItemNumber::criterion(9));
    }

    #[test]
    fn unsourced_names_show_the_number() {
        let named = CriteriaItem::new(ItemNumber::criterion(8), Some("Thông tin và Truyền thông".into()), None);
        assert_eq!(named.label_vi(), "Thông tin và Truyền thông");
        assert_eq!(named.label_en(), "Criterion 8");
        let bare = CriteriaItem::new(ItemNumber::indicator(15, 2), None, None);
        assert_eq!(bare.label_vi(), "Chỉ tiêu 15.2");
        assert_eq!(bare.label_en(), "Indicator 15.2");
    }
}
