//! The checklist's JSON, written once per line and copied after, is byte for byte what
//! serde_json writes for the same values, for every xã and district of the embedded data
//! and every year the data covers, on first writing and on every copy after.
//!
//! The reference is written here from the checklist's plain values (number, labels, status
//! and the assessment row) through structs that derive `Serialize`: the format the API
//! documents, with nothing kept between answers.

use bando::atlas::criteria::Assessment;
use bando::atlas::{self, Atlas, Inputs};
use bando::config::EMBEDDED_GEODATA;
use bando::model::{AsOf, Edition, ItemNumber};
use bando::standing::{self, Checklist, ItemStatus};
use serde::Serialize;

#[derive(Serialize)]
struct ReferenceLine<'a> {
    number: ItemNumber,
    label_vi: &'a str,
    label_en: &'a str,
    status: ItemStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    assessment: Option<&'a Assessment>,
}

#[derive(Serialize)]
struct ReferenceChecklist<'a> {
    set: &'a str,
    decision: &'a str,
    criteria_met: usize,
    criteria_total: usize,
    missing: &'a [ItemNumber],
    items: Vec<ReferenceLine<'a>>,
}

fn reference(c: &Checklist<'_>) -> String {
    let items = c
        .items
        .iter()
        .map(|i| ReferenceLine { number: i.item.number, label_vi: i.item.label_vi(), label_en: i.item.label_en(), status: i.status, assessment: i.assessment })
        .collect();
    let plain = ReferenceChecklist { set: c.set, decision: c.decision, criteria_met: c.criteria_met, criteria_total: c.criteria_total, missing: &c.missing, items };
    serde_json::to_string(&plain).unwrap()
}

/// Counts of the lines compared, by kind, so the test shows it covered every kind.
#[derive(Default, Debug)]
struct Seen {
    checklists: usize,
    with_row: usize,
    rowless: usize,
    /// The bytes of every checklist compared: what a cache of whole checklists per unit
    /// and year would hold.
    checklist_bytes: usize,
}

fn compare(c: &Checklist<'_>, what: &str, seen: &mut Seen) {
    let expected = reference(c);
    // The first answer writes the lines it has not met yet, the second copies them all.
    for pass in ["first", "second"] {
        let got = serde_json::to_string(c).unwrap();
        assert!(got == expected, "{what}, {pass} answer:\n got      {got}\n expected {expected}");
    }
    seen.checklists += 1;
    seen.checklist_bytes += expected.len();
    seen.with_row += c.items.iter().filter(|i| i.assessment.is_some()).count();
    seen.rowless += c.items.iter().filter(|i| i.assessment.is_none()).count();
}

fn embedded() -> Atlas {
    atlas::build(&Inputs::embedded(EMBEDDED_GEODATA)).expect("embedded data").0
}

#[test]
fn every_checklist_of_the_embedded_data_is_written_as_serde_writes_it() {
    let atlas = embedded();
    let e2024 = atlas.edition(Edition::E2024);
    let mut seen = Seen::default();
    for year in atlas.years() {
        for commune in &e2024.communes {
            if let Some(c) = standing::commune_checklist(&atlas, commune, AsOf::Year(year)) {
                compare(&c, &format!("xã {} in {year}", commune.code), &mut seen);
            }
        }
        for &district in e2024.districts.keys() {
            if let Some(c) = standing::district_checklist(&atlas, district, AsOf::Year(year)) {
                compare(&c, &format!("district {district} in {year}"), &mut seen);
            }
        }
    }
    // What the lines kept with the rows weigh once every checklist has been written: the
    // memory this way of writing costs, against whole checklists kept per unit and year.
    let rows = atlas.criteria.communes.values().chain(atlas.criteria.districts.values()).flatten();
    let (rows_total, kept, kept_bytes) = rows.fold((0, 0, 0), |(n, k, b), a| match a.line.get() {
        Some(line) => (n + 1, k + 1, b + line.get().len()),
        None => (n + 1, k, b),
    });
    eprintln!(
        "compared {seen:?}; {kept} of {rows_total} assessment rows keep a line, {kept_bytes} bytes \
         (+{} bytes of slots); whole checklists per unit and year would be {} bytes",
        rows_total * std::mem::size_of::<bando::model::Rendered<Box<serde_json::value::RawValue>>>(),
        seen.checklist_bytes
    );
    let xa = e2024.communes.iter().filter(|c| c.kind.ntm_eligible()).count();
    assert!(seen.checklists >= xa * atlas.years().count(), "{seen:?}: every xã has a checklist every year");
    assert!(seen.with_row > 10_000 && seen.rowless > 10_000, "{seen:?}: both kinds of line were compared");
}

/// The same lines copied into answers about a day (a row's line does not depend on the
/// moment asked about, only on the row).
#[test]
fn checklists_on_a_day_are_written_as_serde_writes_them() {
    let atlas = embedded();
    let e2024 = atlas.edition(Edition::E2024);
    let mut seen = Seen::default();
    for year in atlas.years() {
        let day = AsOf::Day(bando::model::Day::parse(&format!("{year}-06-30")).unwrap());
        for commune in e2024.communes.iter().step_by(7) {
            if let Some(c) = standing::commune_checklist(&atlas, commune, day) {
                compare(&c, &format!("xã {} on {year}-06-30", commune.code), &mut seen);
            }
        }
    }
    assert!(seen.with_row > 1_000, "{seen:?}");
}
