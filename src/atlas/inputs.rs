//! Which files an atlas is built from.

use std::path::{Path, PathBuf};

/// The files to build an atlas from. `None` means the embedded sample file of
/// `geodata_dir`.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The embedded default data (`geodata/`): reference communes of both editions and
    /// the sample results, pilots, tourism sites and crosswalk.
    pub geodata_dir: PathBuf,
    /// User boundary files (FlatGeobuf or GeoJSON); each replaces the embedded
    /// boundaries of the edition its codes belong to.
    pub boundaries: Vec<PathBuf>,
    /// The property holding the commune code in user boundary files.
    pub code_property: String,
    pub commune_results: Option<PathBuf>,
    pub district_results: Option<PathBuf>,
    pub province_results: Option<PathBuf>,
    pub pilots: Option<PathBuf>,
    pub tourism: Option<PathBuf>,
    /// Criteria assessments (long-format CSV); none when not given and the embedded data
    /// has none.
    pub criteria: Option<PathBuf>,
    /// The criteria catalog's folder; `criteria/` of `geodata_dir` when not given.
    pub criteria_sets: Option<PathBuf>,
    /// The targets table; `targets/targets.csv` of `geodata_dir` when not given.
    pub targets: Option<PathBuf>,
}

impl Inputs {
    /// The embedded defaults alone.
    pub fn embedded(geodata_dir: impl Into<PathBuf>) -> Self {
        Inputs {
            geodata_dir: geodata_dir.into(),
            boundaries: Vec::new(),
            code_property: "code".into(),
            commune_results: None,
            district_results: None,
            province_results: None,
            pilots: None,
            tourism: None,
            criteria: None,
            criteria_sets: None,
            targets: None,
        }
    }

    pub(super) fn embedded_file(&self, name: &str) -> PathBuf {
        self.geodata_dir.join(name)
    }

    /// The criteria catalog's folder.
    pub fn criteria_sets_dir(&self) -> PathBuf {
        self.criteria_sets.clone().unwrap_or_else(|| self.embedded_file("criteria"))
    }

    /// The assessments: the user's file, else the embedded sample when there is one.
    pub(super) fn criteria_source(&self) -> Option<DataSource> {
        let embedded = self.embedded_file(CRITERIA_FILE);
        match &self.criteria {
            Some(path) => Some(DataSource::user(path)),
            None => embedded.exists().then(|| DataSource::sample(&embedded)),
        }
    }

    /// The targets table: the user's file, else the embedded one when there is one (a
    /// `--geodata` folder of its own may have none).
    pub fn targets_file(&self) -> Option<PathBuf> {
        let embedded = self.embedded_file(crate::load::TARGETS_FILE);
        self.targets.clone().or_else(|| embedded.exists().then_some(embedded))
    }

    /// The user's file when given, else the embedded sample.
    pub(super) fn pick(&self, user: &Option<PathBuf>, embedded: &str) -> DataSource {
        match user {
            Some(path) => DataSource::user(path),
            None => DataSource::sample(&self.embedded_file(embedded)),
        }
    }
}

/// The embedded sample assessments in `geodata/`.
pub const CRITERIA_FILE: &str = "criteria.csv";

/// One input file and whether it is the embedded sample.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DataSource {
    #[serde(serialize_with = "serialize_file_name")]
    pub path: PathBuf,
    pub sample: bool,
}

impl DataSource {
    pub fn sample(path: &Path) -> Self {
        DataSource { path: path.to_path_buf(), sample: true }
    }

    pub fn user(path: &Path) -> Self {
        DataSource { path: path.to_path_buf(), sample: false }
    }
}

/// Answers name the file, not the server's directory layout.
fn serialize_file_name<S: serde::Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned()))
}
