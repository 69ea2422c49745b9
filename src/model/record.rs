//! The kinds of record an office keeps current, and the one flat shape they travel in
//! between an upload, the store and the atlas's input files.
//!
//! A record is one row of today's CSV formats (`results-communes.csv`, `criteria.csv`,
//! …): its columns are exactly that file's header, in that order, as text. Keeping that
//! shape everywhere means the loaders in `load/` stay the one place that validates a
//! value, whether it came from a file on disk, a workbook sheet or the database.
//!
//! Each kind names its natural key (the columns that identify a record, so an upload
//! replaces the published row with the same key) and the column of the unit it is about,
//! which ties it to a province (for an editor's scope).

use super::{CommuneCode, CriteriaCatalog, DistrictCode, ProvinceCode, UnitScope};
use serde::Serialize;

/// One kind of record, stored as the rows of one CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    CommuneResult,
    DistrictResult,
    ProvinceResult,
    Criteria,
    Pilot,
    Tourism,
}

/// The unit a record is about, with its level: what places it in a province.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitCode {
    Commune(CommuneCode),
    District(DistrictCode),
    Province(ProvinceCode),
}

impl std::fmt::Display for UnitCode {
    /// The code's digits, zero-padded to its level's width.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnitCode::Commune(c) => c.fmt(f),
            UnitCode::District(d) => d.fmt(f),
            UnitCode::Province(p) => p.fmt(f),
        }
    }
}

impl RecordKind {
    pub const ALL: [RecordKind; 6] = [
        RecordKind::CommuneResult,
        RecordKind::DistrictResult,
        RecordKind::ProvinceResult,
        RecordKind::Criteria,
        RecordKind::Pilot,
        RecordKind::Tourism,
    ];

    /// The name used in URLs, the database and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::CommuneResult => "commune_result",
            RecordKind::DistrictResult => "district_result",
            RecordKind::ProvinceResult => "province_result",
            RecordKind::Criteria => "criteria",
            RecordKind::Pilot => "pilot",
            RecordKind::Tourism => "tourism",
        }
    }

    pub fn parse(text: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The CSV file of `geodata/` (and of a published folder) holding this kind.
    pub fn file_name(self) -> &'static str {
        match self {
            RecordKind::CommuneResult => "results-communes.csv",
            RecordKind::DistrictResult => "results-districts.csv",
            RecordKind::ProvinceResult => "results-provinces.csv",
            RecordKind::Criteria => "criteria.csv",
            RecordKind::Pilot => "pilots.csv",
            RecordKind::Tourism => "tourism.csv",
        }
    }

    /// The file's header, in order: every record of this kind has exactly these fields.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            RecordKind::CommuneResult => &["code", "year", "level", "criteria_met", "recognized_on", "decision"],
            RecordKind::DistrictResult => &["code", "year", "level", "recognized_on", "decision"],
            RecordKind::ProvinceResult => &["code", "year", "level", "recognized_on", "decision"],
            RecordKind::Criteria => {
                &["unit_code", "year", "set", "criterion", "indicator", "met", "value", "assessed_on", "note"]
            }
            RecordKind::Pilot => &[
                "id",
                "name",
                "kind",
                "field",
                "commune_code",
                "lon",
                "lat",
                "approved_year",
                "decision",
                "approved_on",
                "directing_level",
                "stage",
                "url",
            ],
            RecordKind::Tourism => &["id", "name", "category", "ocop_stars", "commune_code", "lon", "lat", "url"],
        }
    }

    /// Whether `column` holds a number (a year, a count, a measured value, a coordinate, a
    /// rating): two texts of the same number (`50` from a spreadsheet cell, `50.0` in a CSV
    /// file) are the same value.
    pub fn is_number_column(column: &str) -> bool {
        matches!(column, "year" | "criteria_met" | "value" | "lon" | "lat" | "ocop_stars" | "approved_year")
    }

    /// The columns that identify a record: a later record with the same key replaces it.
    pub fn key_columns(self) -> &'static [&'static str] {
        match self {
            RecordKind::CommuneResult | RecordKind::DistrictResult | RecordKind::ProvinceResult => &["code", "year"],
            RecordKind::Criteria => &["unit_code", "year", "set", "criterion", "indicator"],
            RecordKind::Pilot | RecordKind::Tourism => &["id"],
        }
    }

    /// The column holding the code of the unit a record is about: the commune of a
    /// result, pilot or tourism site, the district or province of theirs, the unit of a
    /// criteria row.
    pub fn unit_column(self) -> &'static str {
        match self {
            RecordKind::CommuneResult | RecordKind::DistrictResult | RecordKind::ProvinceResult => "code",
            RecordKind::Criteria => "unit_code",
            RecordKind::Pilot | RecordKind::Tourism => "commune_code",
        }
    }

    /// The unit a record of this kind is about, read from its unit column (`get` gives a
    /// column's text). The kind says the unit's level, except for a criteria row, whose
    /// set says whether it assesses a commune or a district: a code's digits alone do not
    /// (district 436 and commune 00436 both exist). `None` when the cell is not a code of
    /// that level or the set is unknown.
    pub fn unit<'a>(self, get: impl Fn(&str) -> &'a str, catalog: &CriteriaCatalog) -> Option<UnitCode> {
        let text = get(self.unit_column());
        let scope = match self {
            RecordKind::CommuneResult | RecordKind::Pilot | RecordKind::Tourism => UnitScope::Commune,
            RecordKind::DistrictResult => UnitScope::District,
            RecordKind::ProvinceResult => return ProvinceCode::parse(text).ok().map(UnitCode::Province),
            RecordKind::Criteria => catalog.get(get("set").trim())?.unit,
        };
        match scope {
            UnitScope::Commune => CommuneCode::parse(text).ok().map(UnitCode::Commune),
            UnitScope::District => DistrictCode::parse(text).ok().map(UnitCode::District),
        }
    }

    /// Where `column` sits in [`Self::columns`].
    pub fn column_index(self, column: &str) -> Option<usize> {
        self.columns().iter().position(|c| *c == column)
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One record: its kind and its fields, one per column of [`RecordKind::columns`]
/// (empty text for an empty cell).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Record {
    pub kind: RecordKind,
    pub fields: Vec<String>,
}

impl Record {
    /// A record from its fields; `None` unless there is exactly one per column.
    pub fn new(kind: RecordKind, fields: Vec<String>) -> Option<Record> {
        (fields.len() == kind.columns().len()).then_some(Record { kind, fields })
    }

    /// The value of `column` (empty when the kind has no such column).
    pub fn get(&self, column: &str) -> &str {
        self.kind.column_index(column).map_or("", |i| self.fields[i].as_str())
    }

    /// The record's key: its key columns' values joined by `|` (codes and numbers never
    /// hold one), stable across uploads and the database.
    pub fn key(&self) -> String {
        self.kind.key_columns().iter().map(|c| self.get(c)).collect::<Vec<_>>().join("|")
    }
}

/// Writes records of one kind as the CSV file the loaders read (header, then one line per
/// record, quoted where needed), so the atlas is built from the store with the same
/// validation as from files.
pub fn write_csv<'r>(kind: RecordKind, records: impl IntoIterator<Item = &'r Record>) -> String {
    let mut out = String::new();
    push_line(&mut out, kind.columns().iter().copied());
    for record in records {
        debug_assert_eq!(record.kind, kind);
        push_line(&mut out, record.fields.iter().map(String::as_str));
    }
    out
}

fn push_line<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_matches_its_embedded_file_header() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata");
        for kind in RecordKind::ALL {
            let text = std::fs::read_to_string(dir.join(kind.file_name())).unwrap();
            let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
            assert_eq!(header, kind.columns(), "{kind}");
            for key in kind.key_columns() {
                assert!(kind.column_index(key).is_some(), "{kind}: key column {key}");
            }
            assert_eq!(RecordKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn csv_round_trips_quoted_fields_through_the_csv_reader() {
        let names = ["Làng gốm, Bát Tràng", "say \"hi\"", "plain"];
        let records: Vec<Record> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let mut fields = vec![String::new(); RecordKind::Tourism.columns().len()];
                fields[0] = format!("T-{i}");
                fields[1] = name.to_string();
                Record::new(RecordKind::Tourism, fields).unwrap()
            })
            .collect();
        let text = write_csv(RecordKind::Tourism, &records);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let read: Vec<String> = reader.records().map(|r| r.unwrap()[1].to_string()).collect();
        assert_eq!(read, names);
        assert_eq!(records[1].key(), "T-1");
    }
}
