//! Writes a publication: the data inputs the atlas was built from, the open-data exports,
//! the map's static site, then `manifest.json`, into a folder any static host can serve.
//!
//! Steps ([`write`]):
//!   1. stage everything in `OUT/.staging-<version>`: the data inputs under their embedded
//!      names (so that the folder reads as a `--geodata` folder), the exports, and the
//!      site when asked ([`super::site`]);
//!   2. move the staged folders to `OUT/data/<version>/` and `OUT/exports/<version>/`
//!      (named by the data version, so a file once published never changes: caches may
//!      keep it for ever; a version already there has the same content and is kept), and
//!      the site to `OUT/site/<version>-<digest>/` (its content depends on the options
//!      too, so the name carries a digest of every file in it);
//!   3. write `OUT/index.html`, the page that sends readers to the current site, by
//!      rename;
//!   4. write `OUT/manifest.json` by rename, last: a reader sees the previous publication
//!      or the whole new one.
//!
//! Older versions stay until removed by hand, for readers still on them.

use super::manifest::{file_digest, FileEntry, Manifest, FORMAT, FORMAT_VERSION, MANIFEST_FILE};
use super::site::{self, SiteOptions};
use crate::atlas::{DataSource, Inputs};
use crate::export::{ExportRequest, Format, Layer};
use crate::model::{AsOf, Edition};
use crate::snapshot::Snapshot;
use std::path::{Path, PathBuf};

/// The data inputs' names in a published data folder; also the embedded names the atlas
/// reads from a `--geodata` folder.
pub(super) const COMMUNE_RESULTS: &str = "results-communes.csv";
pub(super) const DISTRICT_RESULTS: &str = "results-districts.csv";
pub(super) const PROVINCE_RESULTS: &str = "results-provinces.csv";
pub(super) const PILOTS: &str = "pilots.csv";
pub(super) const TOURISM: &str = "tourism.csv";
pub(super) const CROSSWALK: &str = "crosswalk-2024-2025.csv";

/// A publication that could not be written, with the file concerned.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PublishError {
    pub path: String,
    pub message: String,
}

pub(super) fn fail(path: &Path, e: impl std::fmt::Display) -> PublishError {
    PublishError { path: path.display().to_string(), message: e.to_string() }
}

/// One data input to copy: its role, where it is, its name in the published folder.
struct DataFile {
    role: String,
    from: PathBuf,
    name: String,
    sample: bool,
}

/// The root page's name in the published folder.
pub const ROOT_INDEX: &str = "index.html";

/// Writes the publication of `snapshot` (built from `inputs`) into `out`, with the map's
/// site when `site` is given; see the module doc.
pub fn write(out: &Path, inputs: &Inputs, snapshot: &Snapshot, site: Option<&SiteOptions>) -> Result<Manifest, PublishError> {
    let version = snapshot.version.clone();
    // The options are checked before anything is written.
    let views = site.map(|opts| site::views(snapshot, opts)).transpose()?;
    std::fs::create_dir_all(out).map_err(|e| fail(out, e))?;
    let staging = out.join(format!(".staging-{version}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let result = stage_and_move(out, &staging, inputs, snapshot, &version).and_then(|mut files| {
        if let (Some(opts), Some(views)) = (site, &views) {
            files.extend(stage_and_move_site(out, &staging, snapshot, opts, views, &version)?);
        }
        Ok(files)
    });
    let _ = std::fs::remove_dir_all(&staging);
    let files = result?;
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        data_version: version,
        published_at: crate::store::format_utc(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)),
        sample: snapshot.has_sample_data(),
        files,
    };
    let path = out.join(MANIFEST_FILE);
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| fail(&path, e))?;
    crate::files::replace_with_bytes(&path, &text).map_err(|e| fail(&path, e))?;
    Ok(manifest)
}

/// Steps 1–2: returns the manifest's file entries.
fn stage_and_move(out: &Path, staging: &Path, inputs: &Inputs, snapshot: &Snapshot, version: &str) -> Result<Vec<FileEntry>, PublishError> {
    let mut entries = Vec::new();
    for (folder, staged) in [("data", stage_data(staging, inputs, snapshot)?), ("exports", stage_exports(staging, snapshot)?)] {
        let from = staging.join(folder);
        let to = out.join(folder).join(version);
        if !to.exists() {
            std::fs::create_dir_all(to.parent().expect("has a parent")).map_err(|e| fail(&to, e))?;
            std::fs::rename(&from, &to).map_err(|e| fail(&to, e))?;
        }
        for (role, name, sample) in staged {
            let path = to.join(&name);
            let (bytes, sha256) = file_digest(&path).map_err(|e| fail(&path, e))?;
            entries.push(FileEntry { path: format!("{folder}/{version}/{name}"), role, sample, bytes, sha256, view: None });
        }
    }
    Ok(entries)
}

/// Steps 1–3 for the site: stages it, moves it to `site/<version>-<digest>/` (kept when
/// already there: same name, same bytes), then points the root page at it. Returns the
/// manifest's entries of the site and of the root page.
fn stage_and_move_site(out: &Path, staging: &Path, snapshot: &Snapshot, opts: &SiteOptions, views: &[site::SiteView], version: &str) -> Result<Vec<FileEntry>, PublishError> {
    let from = staging.join("site");
    let staged = site::stage(&from, snapshot, opts, views)?;
    let mut digests = Vec::with_capacity(staged.len());
    for f in &staged {
        let path = from.join(&f.path);
        digests.push(file_digest(&path).map_err(|e| fail(&path, e))?);
    }
    // The folder's name: a digest of every (path, content) pair, in a fixed order.
    let mut pairs: Vec<String> = staged.iter().zip(&digests).map(|(f, (_, sha))| format!("{} {sha}\n", f.path)).collect();
    pairs.sort();
    let digest: String = {
        use sha2::Digest;
        sha2::Sha256::digest(pairs.concat().as_bytes()).iter().take(5).map(|b| format!("{b:02x}")).collect()
    };
    let name = format!("site/{version}-{digest}");
    let to = out.join(&name);
    if !to.exists() {
        std::fs::create_dir_all(to.parent().expect("has a parent")).map_err(|e| fail(&to, e))?;
        std::fs::rename(&from, &to).map_err(|e| fail(&to, e))?;
    }
    let mut entries: Vec<FileEntry> = staged
        .into_iter()
        .zip(digests)
        .map(|(f, (bytes, sha256))| FileEntry { path: format!("{name}/{}", f.path), role: f.role.into(), sample: false, bytes, sha256, view: f.view.map(|v| v.archive_view()) })
        .collect();
    let page = site::root_index(&name);
    let path = out.join(ROOT_INDEX);
    crate::files::replace_with_bytes(&path, page.as_bytes()).map_err(|e| fail(&path, e))?;
    let (bytes, sha256) = file_digest(&path).map_err(|e| fail(&path, e))?;
    entries.push(FileEntry { path: ROOT_INDEX.into(), role: "site_index".into(), sample: false, bytes, sha256, view: None });
    Ok(entries)
}

/// Copies the data inputs into `staging/data`; returns (role, name, sample) per file.
fn stage_data(staging: &Path, inputs: &Inputs, snapshot: &Snapshot) -> Result<Vec<(String, String, bool)>, PublishError> {
    let dir = staging.join("data");
    std::fs::create_dir_all(dir.join("criteria")).map_err(|e| fail(&dir, e))?;
    let mut files = Vec::new();
    let mut add = |role: &str, from: PathBuf, name: String, sample: bool| files.push(DataFile { role: role.into(), from, name, sample });
    for edition in Edition::ALL {
        // The embedded communes are the reference every boundary file is checked against.
        let name = format!("communes-{edition}.fgb");
        add(&format!("reference_{edition}"), inputs.geodata_dir.join(&name), name, true);
        let boundaries = &snapshot.edition(edition).boundaries;
        if !boundaries.sample {
            let extension = boundaries.path.extension().and_then(|e| e.to_str()).unwrap_or("fgb");
            add(&format!("boundaries_{edition}"), boundaries.path.clone(), format!("boundaries-{edition}.{extension}"), false);
        }
    }
    let s = &snapshot.sources;
    let tables: [(&str, &DataSource, &str); 5] = [
        ("commune_results", &s.results, COMMUNE_RESULTS),
        ("district_results", &s.district_results, DISTRICT_RESULTS),
        ("province_results", &s.province_results, PROVINCE_RESULTS),
        ("pilots", &s.pilots, PILOTS),
        ("tourism", &s.tourism, TOURISM),
    ];
    for (role, source, name) in tables {
        add(role, source.path.clone(), name.into(), source.sample);
    }
    if let Some(source) = &s.criteria {
        add("criteria", source.path.clone(), crate::atlas::CRITERIA_FILE.into(), source.sample);
    }
    add("crosswalk", inputs.geodata_dir.join(CROSSWALK), CROSSWALK.into(), true);
    let sets = inputs.criteria_sets_dir();
    add("criteria_sets", sets.join(crate::load::SETS_FILE), format!("criteria/{}", crate::load::SETS_FILE), false);
    for set in &snapshot.criteria.catalog.sets {
        add("criteria_sets", sets.join(format!("{}.csv", set.id)), format!("criteria/{}.csv", set.id), false);
    }
    if let Some(targets) = inputs.targets_file() {
        std::fs::create_dir_all(dir.join("targets")).map_err(|e| fail(&dir, e))?;
        add("targets", targets, crate::load::TARGETS_FILE.into(), false);
    }
    files
        .into_iter()
        .map(|f| {
            let to = dir.join(&f.name);
            std::fs::copy(&f.from, &to).map_err(|e| fail(&f.from, e))?;
            Ok((f.role, f.name, f.sample))
        })
        .collect()
}

/// When the exports with shapes (GeoJSON) are read: the end of the latest year.
pub(super) fn exports_as_of(snapshot: &Snapshot) -> AsOf {
    AsOf::Year(*snapshot.years().end())
}

/// The open-data exports a publication holds: every layer of both editions at the end of
/// the latest year as GeoJSON, CSV and an Excel workbook, and the yearly layers
/// (communes, districts, provinces) at the end of every earlier year as CSV and Excel, so
/// that a reader of any year downloads that year's levels. Shapes do not change with the
/// year: a GeoJSON file per year would repeat them (9 MB a year for the communes of
/// edition 2025 alone). Districts exist in edition 2024 only; pilots and tourism sites
/// are the same in both editions and every year, listed once.
fn export_requests(snapshot: &Snapshot) -> Vec<ExportRequest> {
    let latest = exports_as_of(snapshot);
    let mut requests = Vec::new();
    for as_of in snapshot.years().map(AsOf::Year) {
        let formats: &[Format] = if as_of == latest { &[Format::GeoJson, Format::Csv, Format::Xlsx] } else { &[Format::Csv, Format::Xlsx] };
        for layer in Layer::ALL {
            let once = matches!(layer, Layer::Pilots | Layer::Tourism);
            let editions: &[Edition] = match (once, as_of == latest) {
                (false, _) => &Edition::ALL,
                (true, true) => &[Edition::E2024],
                (true, false) => &[],
            };
            for &edition in editions {
                requests.extend(formats.iter().map(|&format| ExportRequest { layer, format, edition, as_of }).filter(|r| r.check().is_ok()));
            }
        }
    }
    requests
}

/// Writes the exports of [`export_requests`] into `staging/exports`.
fn stage_exports(staging: &Path, snapshot: &Snapshot) -> Result<Vec<(String, String, bool)>, PublishError> {
    let dir = staging.join("exports");
    std::fs::create_dir_all(&dir).map_err(|e| fail(&dir, e))?;
    let mut written = Vec::new();
    for req in export_requests(snapshot) {
        let name = req.file_name();
        let path = dir.join(&name);
        let file = std::fs::File::create(&path).map_err(|e| fail(&path, e))?;
        let mut w = std::io::BufWriter::new(file);
        crate::export::write(snapshot, snapshot.tiles(req.edition), &req, &mut w).map_err(|e| fail(&path, e))?;
        std::io::Write::flush(&mut w).map_err(|e| fail(&path, e))?;
        written.push(("export".to_string(), name, false));
    }
    Ok(written)
}
