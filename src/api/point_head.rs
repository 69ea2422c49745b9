//! The JSON of point answers' heads, written once per commune and year.
//!
//! A point answer is its head ([`query::PointHead`]: commune, district, province, the
//! levels, the checklist) followed by the nearby places and `meta`. The head depends only
//! on the data (the snapshot), the edition, the commune and the moment, never on where in
//! the commune the point lies or on the radius; thousands of GPS fixes a second fall in the
//! same few thousand communes, so its JSON (levels counted, strings escaped) is kept:
//!   1. per snapshot, a table of slots, one per (edition, year of the data, commune), read
//!      without a lock ([`PerSnapshot`]); a reload publishes a new snapshot, which gets a
//!      new, empty table;
//!   2. a year-end question reads its slot, filling it on first use; a question about a
//!      day is written afresh (days are many, and rarer);
//!   3. the table holds at most [`MAX_BYTES`] of JSON: past that, heads are written
//!      afresh each time, so memory stays bounded whatever the data.
//!
//! The bytes are exactly what serialising the head would give: the answer is the same
//! with or without the table (a test compares them).

use crate::model::{AsOf, Edition};
use crate::query::{self, PointQuery};
use crate::snapshot::per_snapshot::{Kept, PerSnapshot};
use crate::snapshot::Snapshot;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// The most JSON the table of one snapshot keeps (heads with a checklist are 1–3 KB).
pub const MAX_BYTES: usize = 32 << 20;

/// The table of the snapshot in force (step 1).
#[derive(Default)]
pub struct HeadCache(PerSnapshot<Table>);

/// One snapshot's slots.
struct Table {
    first_year: u16,
    years: usize,
    /// Per edition (2024, 2025): `years` slots per commune, commune-major.
    slots: [Vec<OnceLock<Box<[u8]>>>; 2],
    bytes: AtomicUsize,
}

impl HeadCache {
    /// Appends to `out` the head of the answer for commune `i` of `q.edition` at `q.as_of`,
    /// as a JSON object without its closing brace (the nearby places follow).
    pub fn write(&self, atlas: &Arc<Snapshot>, i: usize, q: PointQuery, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let AsOf::Year(year) = q.as_of else { return write_head(atlas, i, q, out) };
        let table = self.table(atlas);
        let Some(slot) = table.slot(q.edition, year, i) else { return write_head(atlas, i, q, out) };
        if let Some(json) = slot.get() {
            out.extend_from_slice(json);
            return Ok(());
        }
        let start = out.len();
        write_head(atlas, i, q, out)?;
        let json = &out[start..];
        // Two requests may write the same head at once: the first to set it wins, and the
        // bytes are counted once.
        if table.bytes.load(Ordering::Relaxed) + json.len() <= MAX_BYTES && slot.set(json.into()).is_ok() {
            table.bytes.fetch_add(json.len(), Ordering::Relaxed);
        }
        Ok(())
    }

    /// The bytes of JSON kept for `atlas`.
    pub fn kept_bytes(&self, atlas: &Arc<Snapshot>) -> usize {
        self.table(atlas).bytes.load(Ordering::Relaxed)
    }

    fn table(&self, atlas: &Arc<Snapshot>) -> Kept<Table> {
        self.0.get(atlas, |atlas| Table::new(atlas))
    }
}

impl Table {
    fn new(atlas: &Snapshot) -> Table {
        let span = atlas.years();
        let years = usize::from(span.end().saturating_sub(*span.start())) + 1;
        let slots = [Edition::E2024, Edition::E2025].map(|e| (0..atlas.edition(e).communes.len() * years).map(|_| OnceLock::new()).collect());
        Table { first_year: *span.start(), years, slots, bytes: AtomicUsize::new(0) }
    }

    fn slot(&self, edition: Edition, year: u16, i: usize) -> Option<&OnceLock<Box<[u8]>>> {
        let y = usize::from(year.checked_sub(self.first_year)?);
        (y < self.years).then(|| self.slots[edition.index()].get(i * self.years + y)).flatten()
    }
}

/// The head's JSON object without its closing brace.
fn write_head(atlas: &Snapshot, i: usize, q: PointQuery, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let head = query::head(atlas, atlas.edition(q.edition), i, q.as_of);
    serde_json::to_writer(&mut *out, &head)?;
    // The head always has members (`commune` first), so the object ends in `}` after them.
    debug_assert_eq!(out.last(), Some(&b'}'));
    out.pop();
    Ok(())
}
