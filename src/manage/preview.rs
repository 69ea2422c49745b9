//! Draft previews: the map with a draft applied, kept for the last few drafts looked at,
//! and what a draft touches (its units, their provinces, the box that shows them).
//!
//! Steps of [`Previews::get`]: 1. the key is the submission (its number, creation time and
//! record count: a draft's records never change once stored) and the data version in
//! force, so an approval of anything makes every preview stale; 2. a cached snapshot for
//! the key answers at once; 3. otherwise one build at a time ([`Publisher::preview`] is
//! a whole atlas build, seconds and hundreds of MB): a second request for the same draft
//! waits and then finds it cached; 4. the newest [`CAPACITY`] snapshots are kept.
//!
//! [`touched`] reads a draft's diff against an atlas: the unit each changed record
//! belongs to (edition 2024 codes, as the records have them), its name and province,
//! and the bounding box of those provinces' communes.

use super::{ManageError, Publisher};
use crate::atlas::Atlas;
use crate::model::{Edition, ProvinceCode, Record, RecordKind};
use crate::snapshot::Snapshot;
use crate::store::{RecordDiff, Submission};
use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};

/// Preview snapshots kept: the page and its image, and one other draft being compared.
pub const CAPACITY: usize = 2;

/// What a preview was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    submission: i64,
    created_at: i64,
    records: u64,
    published: String,
}

/// The cache of the module doc.
#[derive(Default)]
pub struct Previews {
    entries: Mutex<VecDeque<(Key, Arc<Snapshot>)>>,
    building: Mutex<()>,
}

/// A preview and whether it came from the cache.
pub struct Preview {
    pub snapshot: Arc<Snapshot>,
    pub cached: bool,
}

impl Previews {
    fn find(&self, key: &Key) -> Option<Arc<Snapshot>> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let at = entries.iter().position(|(k, _)| k == key)?;
        // Most recently used first.
        let entry = entries.remove(at)?;
        let snapshot = entry.1.clone();
        entries.push_front(entry);
        Some(snapshot)
    }

    fn keep(&self, key: Key, snapshot: Arc<Snapshot>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|(k, _)| k.submission != key.submission);
        entries.push_front((key, snapshot));
        entries.truncate(CAPACITY);
    }

    /// Steps 1–4 of the module doc. Blocks for the build: call it off the async threads.
    pub fn get(&self, publisher: &Publisher, submission: &Submission) -> Result<Preview, ManageError> {
        let key = Key {
            submission: submission.id,
            created_at: submission.created_at,
            records: submission.records,
            published: publisher.snapshot().current().version.clone(),
        };
        if let Some(snapshot) = self.find(&key) {
            return Ok(Preview { snapshot, cached: true });
        }
        let _one = self.building.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(snapshot) = self.find(&key) {
            return Ok(Preview { snapshot, cached: true });
        }
        let snapshot = Arc::new(publisher.preview(submission.id)?);
        self.keep(key, snapshot.clone());
        Ok(Preview { snapshot, cached: false })
    }
}

/// A unit a draft changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TouchedUnit {
    pub kind: RecordKind,
    pub key: String,
    /// The commune, district or province code (edition 2024).
    pub code: String,
    /// Its name, when the atlas knows it.
    pub name: Option<String>,
    pub province: Option<ProvinceCode>,
    /// The record's year, for kinds that have one.
    pub year: Option<u16>,
}

/// What a draft touches.
#[derive(Debug, Clone, Default)]
pub struct Touched {
    /// One per changed record, in diff order.
    pub units: Vec<TouchedUnit>,
    /// Their provinces (edition 2024), sorted.
    pub provinces: Vec<ProvinceCode>,
    /// `[min_lon, min_lat, max_lon, max_lat]` of those provinces' communes.
    pub bbox: Option<[f64; 4]>,
}

impl Touched {
    /// The latest year of a changed record (the year its map shows the change), if any.
    pub fn year(&self) -> Option<u16> {
        self.units.iter().filter_map(|u| u.year).max()
    }
}

/// The unit of each changed record of `diff` (records that change nothing are left out).
pub fn touched(diff: &[RecordDiff], atlas: &Atlas) -> Touched {
    let e2024 = atlas.edition(Edition::E2024);
    let mut units = Vec::new();
    let mut provinces = BTreeSet::new();
    for d in diff.iter().filter(|d| !d.changed.is_empty()) {
        let Some(record) = Record::new(d.kind, d.new.clone()) else { continue };
        let code = record.get(d.kind.unit_column()).to_string();
        let named = d.kind.unit(|column| record.get(column), &atlas.criteria.catalog).and_then(|unit| e2024.unit(unit));
        let (name, province) = named.map(|(name, province)| (name.to_string(), province)).unzip();
        provinces.extend(province);
        let year = record.get("year").parse::<u16>().ok();
        units.push(TouchedUnit { kind: d.kind, key: d.key.clone(), code, name, province, year });
    }
    let bbox = e2024
        .communes
        .iter()
        .enumerate()
        .filter(|(_, c)| provinces.contains(&c.province))
        .map(|(i, _)| e2024.index.area(i))
        .filter(|a| !a.is_empty())
        .map(|a| a.bbox())
        .reduce(|a, b| [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])]);
    Touched { units, provinces: provinces.into_iter().collect(), bbox }
}
