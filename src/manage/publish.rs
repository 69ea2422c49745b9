//! Opening a managed data folder, approvals that publish a new atlas, and the reload of
//! a managed folder (the atlas rebuilt from the store's published records).

use super::{folder, seed, ManageError, SEED_USER};
use crate::atlas::{self, Atlas, BuildSummary, Inputs};
use crate::snapshot::{SharedSnapshot, Snapshot};
use crate::model::RecordKind;
use crate::store::{Approval, Publication, RecordSet, Store, SubmissionId};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A data folder opened at start: its store, the inputs the atlas is built from (the
/// configured ones with every record file in `published/`) and that atlas.
pub struct Opened {
    pub store: Arc<Store>,
    pub inputs: Inputs,
    pub atlas: Atlas,
    pub summary: BuildSummary,
    /// True when this start seeded the store (publication 1).
    pub seeded: bool,
}

/// Opens (and on first use seeds) the store of `data_dir`, writes the published folder
/// from it and builds the atlas; `configured` names the boundaries, the catalog and the
/// targets, and the files to seed from.
pub fn open(data_dir: &Path, configured: &Inputs) -> Result<Opened, ManageError> {
    let store = Store::open(data_dir)?;
    let published_inputs = folder::inputs(configured, &folder::published_dir(data_dir));
    let seeded = !store.is_seeded()?;
    let (atlas, summary) = if seeded {
        let records = seed::read(configured)?;
        let sample = seed::sample_kinds(configured);
        let (publication, built) = store.seed_checked(records, SEED_USER, &sample, |set| build_staged(data_dir, configured, set))?;
        folder::promote(data_dir)?;
        tracing::info!(publication = publication.id, records = ?publication.counts, "store seeded from the data files");
        built
    } else {
        if seed::configured_files(configured) {
            tracing::warn!("the data folder is seeded already: the database is published, --results/--criteria/… files are not read");
        }
        // The database is the truth: the folder is written again at every start, which
        // also heals a crash between an approval's commit and its folder swap.
        let set = store.published_all()?;
        let built = build_staged(data_dir, configured, &set).map_err(ManageError::Load)?;
        folder::promote(data_dir)?;
        built
    };
    let mut atlas = atlas;
    mark_sample(&mut atlas, &store.sample_kinds()?);
    store.set_unit_provinces(unit_provinces(&atlas))?;
    Ok(Opened { store: Arc::new(store), inputs: published_inputs, atlas, summary, seeded })
}

/// Writes `set` into the staging folder and builds an atlas from it (the loaders'
/// validation); the error lists every problem.
fn build_staged(data_dir: &Path, configured: &Inputs, set: &RecordSet) -> Result<(Atlas, BuildSummary), String> {
    let staging = folder::stage(data_dir, set).map_err(|e| e.to_string())?;
    atlas::build(&folder::inputs(configured, &staging)).map_err(|e| e.to_string())
}

/// Marks the layers seeded from the embedded sample files as sample data: the files in
/// `published/` are the store's, but their content is still the sample's, and answers
/// must keep saying so.
fn mark_sample(atlas: &mut Atlas, kinds: &[RecordKind]) {
    let s = &mut atlas.sources;
    for kind in kinds {
        match kind {
            RecordKind::CommuneResult => s.results.sample = true,
            RecordKind::DistrictResult => s.district_results.sample = true,
            RecordKind::ProvinceResult => s.province_results.sample = true,
            RecordKind::Pilot => s.pilots.sample = true,
            RecordKind::Tourism => s.tourism.sample = true,
            RecordKind::Criteria => {
                if let Some(c) = s.criteria.as_mut() {
                    c.sample = true;
                }
            }
        }
    }
}

/// Every unit code of edition 2024 (communes, districts, provinces) with its province,
/// then the 2025 communes whose codes are not 2024 ones.
fn unit_provinces(atlas: &Atlas) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for edition in atlas.editions.iter().rev() {
        pairs.extend(edition.communes.iter().map(|c| (c.code.to_string(), c.province.to_string())));
        pairs.extend(edition.districts.values().map(|d| (d.code.to_string(), d.province.to_string())));
        pairs.extend(edition.provinces.values().map(|p| (p.code.to_string(), p.code.to_string())));
    }
    pairs
}

/// How long [`Publisher::free_retired`] waits for the requests still holding a replaced
/// snapshot.
const RETIRE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Frees `old` once the requests in flight that hold it are done (they take
/// milliseconds); past [`RETIRE_WAIT`] the last holder frees it.
fn retire(mut old: Arc<Snapshot>) {
    let deadline = std::time::Instant::now() + RETIRE_WAIT;
    loop {
        match Arc::try_unwrap(old) {
            Ok(snapshot) => return drop(snapshot),
            Err(shared) if std::time::Instant::now() < deadline => {
                old = shared;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(_) => return,
        }
    }
}

/// Called while an approval's atlas is being built (see [`Publisher::with_build_hook`]).
type BuildHook = Box<dyn Fn() + Send + Sync>;

/// Approves submissions and publishes the result; shared by the server's routes.
pub struct Publisher {
    store: Arc<Store>,
    /// The configured inputs (boundaries, catalog, targets); record files come from the store.
    configured: Inputs,
    snapshot: SharedSnapshot,
    /// One approval or reload at a time: each builds an atlas in the one staging folder
    /// and swaps the one published folder. The store itself is not locked meanwhile.
    one_at_a_time: Mutex<()>,
    building: Option<BuildHook>,
    /// The last drafts previewed.
    previews: super::preview::Previews,
    /// Snapshots replaced by publications, to be freed by [`Publisher::free_retired`].
    retired: Mutex<Vec<Arc<Snapshot>>>,
}

impl Publisher {
    /// `inputs` may be the configured inputs or [`Opened::inputs`]: only the boundaries,
    /// catalog and targets of it are used.
    pub fn new(store: Arc<Store>, inputs: Inputs, snapshot: SharedSnapshot) -> Publisher {
        Publisher { store, configured: inputs, snapshot, one_at_a_time: Mutex::new(()), building: None, previews: Default::default(), retired: Mutex::default() }
    }

    /// Runs `hook` at the start of every approval's atlas build, on the approving thread,
    /// with no store lock held: lets a test act while a build is in progress.
    pub fn with_build_hook(mut self, hook: impl Fn() + Send + Sync + 'static) -> Publisher {
        self.building = Some(Box::new(hook));
        self
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The snapshot in force.
    pub fn snapshot(&self) -> &SharedSnapshot {
        &self.snapshot
    }

    /// The folder of the published CSV files.
    pub fn published_dir(&self) -> PathBuf {
        folder::published_dir(self.store.dir())
    }

    /// Approves a submission and publishes it: the merged records are built into an
    /// atlas before the commit (a merge the loaders refuse publishes nothing and lists
    /// the problems), then the folder is swapped and the new snapshot published. The
    /// build runs between the store's short read and short commit, so the store serves
    /// everyone else meanwhile (see [`Store::approve_checked`]).
    pub fn approve(&self, approval: &Approval) -> Result<Publication, ManageError> {
        let _one = self.one_at_a_time.lock().unwrap_or_else(|e| e.into_inner());
        let dir = self.store.dir().to_path_buf();
        let (publication, (atlas, _summary)) = self.store.approve_checked(approval, |set| {
            if let Some(hook) = &self.building {
                hook();
            }
            build_staged(&dir, &self.configured, set)
        })?;
        // Committed: from here on the database holds the new publication. Should the swap
        // fail, the atlas in memory is still the committed one, and the next start
        // rewrites the folder.
        if let Err(e) = folder::promote(&dir) {
            tracing::error!("publication {} is committed but its CSV folder was not swapped ({e}); the next start rewrites it", publication.id);
        }
        // After the snapshot in force: the tiles this approval leaves as they were keep
        // their cache entries and ETags.
        let version = self.publish(atlas, true)?;
        tracing::info!(publication = publication.id, submission = approval.submission, %version, changed = publication.changed, "published");
        Ok(publication)
    }

    /// Rebuilds the atlas from the store's published records and the configured
    /// boundaries, catalog and targets (re-read), rewrites the published folder and
    /// publishes the atlas; returns its data version. This is the reload of a managed
    /// folder: the records come from the database, as at start, and the sample notice of
    /// seeded sample layers stays.
    pub fn reload(&self) -> Result<String, ManageError> {
        let _one = self.one_at_a_time.lock().unwrap_or_else(|e| e.into_inner());
        let dir = self.store.dir().to_path_buf();
        let set = self.store.published_all()?;
        let (atlas, _summary) = build_staged(&dir, &self.configured, &set).map_err(ManageError::Load)?;
        folder::promote(&dir)?;
        // The boundaries, catalog and targets were read again: a new lineage.
        let version = self.publish(atlas, false)?;
        self.free_retired();
        Ok(version)
    }

    /// Marks the sample layers and publishes `atlas` (as a successor of the snapshot in
    /// force when `after`, see [`Snapshot::after`]); returns its data version. The
    /// replaced snapshot waits for [`Publisher::free_retired`].
    fn publish(&self, mut atlas: Atlas, after: bool) -> Result<String, ManageError> {
        mark_sample(&mut atlas, &self.store.sample_kinds()?);
        let version = atlas.version.clone();
        let snapshot = if after { Snapshot::after(atlas, &self.snapshot.current()) } else { Snapshot::new(atlas) };
        let old = self.snapshot.publish(snapshot);
        self.retired.lock().unwrap_or_else(|e| e.into_inner()).push(old);
        Ok(version)
    }

    /// Frees the snapshots replaced by publications, each once the requests still holding
    /// it are done. Freeing an atlas takes tens of milliseconds and takes the allocator's
    /// locks for the memory it came from — that of the request threads that made its
    /// criteria tables and label placements among them — so it is done here, by a caller
    /// at normal priority off the request path (the approval route calls it on the
    /// blocking pool), not by the approving thread of low priority nor by whichever
    /// request let go of the snapshot last.
    pub fn free_retired(&self) {
        let retired = std::mem::take(&mut *self.retired.lock().unwrap_or_else(|e| e.into_inner()));
        if retired.is_empty() {
            return;
        }
        retired.into_iter().for_each(retire);
    }

    /// [`Publisher::preview`] of `submission`, from the cache of the last few previewed
    /// ([`super::preview`]). Blocks for the build.
    pub fn preview_cached(&self, submission: &crate::store::Submission) -> Result<super::preview::Preview, ManageError> {
        self.previews.get(self, submission)
    }

    /// The map with draft `id` applied to the published records, built as an approval
    /// would build it, and published nowhere.
    pub fn preview(&self, id: SubmissionId) -> Result<Snapshot, ManageError> {
        let set = self.store.merged_with(id)?;
        let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = self.store.dir().join("previews").join(format!("{id}-{stamp}"));
        folder::write(&dir, &set)?;
        let built = atlas::build(&folder::inputs(&self.configured, &dir));
        let _ = std::fs::remove_dir_all(&dir);
        let (mut atlas, _) = built.map_err(|e| ManageError::Load(e.to_string()))?;
        mark_sample(&mut atlas, &self.store.sample_kinds()?);
        Ok(Snapshot::new(atlas))
    }
}
