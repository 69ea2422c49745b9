//! The map of a publication, as files any static host serves: the viewer in its static
//! mode, reading PMTiles archives over HTTP range requests, with no bando process.
//!
//! Steps ([`stage`], into a staging folder that [`super::folder`] then moves to
//! `site/<data version>-<content digest>/`, a name no other content can take, so a CDN
//! may cache every file under it for ever):
//!   1. the views ([`views`]): each map asked (`--maps`) × each edition (`--editions`) ×
//!      each year of the data (`--years`); every problem of the filters in one message;
//!   2. one PMTiles archive per view, `tiles/{map}-{edition}-{year}.pmtiles`
//!      ([`crate::pyramid::export`]: the server's own tiles, zooms `--minzoom`–`--maxzoom`);
//!   3. one MapLibre style per view at the level theme, `styles/{map}-{edition}-{year}.json`,
//!      its source `pmtiles://tiles/….pmtiles`, its glyphs `fonts/{fontstack}/{range}.pbf`
//!      (both relative to the version folder; the viewer makes them absolute). The criterion
//!      themes differ from the level style by their fill and legend only, and by edition
//!      (edition 2025 has no district layers), never by year: each is written once per
//!      edition, `styles/themes/{map}-{edition}/{theme}.json`, and the viewer points it at
//!      the view's archive (a few dozen files per edition instead of one per view and theme);
//!   4. every glyph range of the embedded font, `fonts/{fontstack}/{start}-{end}.pbf`
//!      (256 small files: a style may ask for any range its names touch);
//!   5. the documents the viewer reads instead of the API: `meta.json` and
//!      `criteria.json` (the API's own builders, [`crate::atlas::documents`]), one
//!      compact search index per edition, `search/{edition}.json`
//!      ([`crate::search::SearchIndex::compact`]), the statistics of the nation and of each
//!      province for each edition and year, `stats/{edition}-{year}/{scope}.json`
//!      ([`super::stats`]), and `static.json`: the views, each with its archive, its style
//!      and the theme styles it offers, and where the statistics are;
//!   6. the viewer (`index.html` marked as static, `web/app.js`, `web/style.css`, its icon) and the
//!      vendored MapLibre GL JS and `pmtiles` browser builds from `web/node_modules`.

use super::folder::{fail, PublishError};
use super::manifest::ArchiveView;
use crate::model::{AsOf, Edition};
use crate::pyramid::{self, ArchiveFormat, PyramidRequest};
use crate::snapshot::Snapshot;
use crate::style::maplibre::maplibre_style;
use crate::style::{Styles, Theme, Themed};
use crate::tile::{MapKind, TileView, MAX_ZOOM};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The default deepest zoom of the archives: z12 shows commune names and borders at
/// the detail the server serves; deeper zooms are drawn from z12 by the browser. On the
/// embedded data a z0–z12 archive is ~12 MB and takes 2–3 s to write.
pub const DEFAULT_MAXZOOM: u8 = 12;

/// The file the viewer reads to know it runs from a publication.
pub const STATIC_FILE: &str = "static.json";

/// Where the viewer's vendored libraries come from, under `web/node_modules`, and where
/// they go in the site.
const VENDORED: [(&str, &str); 3] = [
    ("maplibre-gl/dist/maplibre-gl.js", "vendor/maplibre-gl/maplibre-gl.js"),
    ("maplibre-gl/dist/maplibre-gl.css", "vendor/maplibre-gl/maplibre-gl.css"),
    ("pmtiles/dist/pmtiles.js", "vendor/pmtiles/pmtiles.js"),
];

/// What the site holds.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    pub maps: Vec<MapKind>,
    pub editions: Vec<Edition>,
    /// None: every year of the data.
    pub years: Option<Vec<u16>>,
    pub minzoom: u8,
    pub maxzoom: u8,
    /// The viewer's folder (`web/`, with `node_modules` installed by `npm ci`).
    pub web_dir: PathBuf,
    pub styles: Styles,
}

/// One view of the site: a map, an edition and a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteView {
    pub map: MapKind,
    pub edition: Edition,
    pub year: u16,
}

impl SiteView {
    /// As the manifest writes it.
    pub fn archive_view(self) -> ArchiveView {
        ArchiveView { map: self.map.as_str().into(), edition: self.edition.to_string().parse().unwrap_or(0), year: self.year }
    }

    fn name(self) -> String {
        format!("{}-{}-{}", self.map.as_str(), self.edition, self.year)
    }

    pub fn tile_view(self) -> TileView {
        TileView { map: self.map, edition: self.edition, as_of: AsOf::Year(self.year) }
    }
}

/// A staged file: its role in the manifest, its path under the site folder and, for an
/// archive, its view.
pub struct Staged {
    pub role: &'static str,
    pub path: String,
    pub view: Option<SiteView>,
}

/// Step 1: the views, or every problem of the options in one message.
pub fn views(snapshot: &Snapshot, opts: &SiteOptions) -> Result<Vec<SiteView>, PublishError> {
    let data_years: Vec<u16> = snapshot.years().collect();
    let mut problems = Vec::new();
    let years = match &opts.years {
        Some(years) => {
            for y in years.iter().filter(|y| !data_years.contains(y)) {
                problems.push(format!("--years: {y} is not a year of the data ({}–{})", data_years[0], data_years[data_years.len() - 1]));
            }
            years.clone()
        }
        None => data_years,
    };
    for (name, z) in [("--minzoom", opts.minzoom), ("--maxzoom", opts.maxzoom)] {
        if z > MAX_ZOOM {
            problems.push(format!("{name} {z} is beyond the maximum zoom {MAX_ZOOM}"));
        }
    }
    if opts.minzoom > opts.maxzoom {
        problems.push(format!("--minzoom {} is above --maxzoom {}", opts.minzoom, opts.maxzoom));
    }
    for (name, empty) in [("--maps", opts.maps.is_empty()), ("--editions", opts.editions.is_empty()), ("--years", years.is_empty())] {
        if empty {
            problems.push(format!("{name} names nothing to publish"));
        }
    }
    for (from, _) in VENDORED {
        let path = opts.web_dir.join("node_modules").join(from);
        if !path.is_file() {
            problems.push(format!("{} is missing: run `npm ci --prefix web` in the bando source folder (or give --web)", path.display()));
        }
    }
    if !problems.is_empty() {
        return Err(PublishError { path: "bando publish".into(), message: problems.join("; ") });
    }
    let mut out = Vec::new();
    for &map in &opts.maps {
        for &edition in &opts.editions {
            for &year in &years {
                out.push(SiteView { map, edition, year });
            }
        }
    }
    out.dedup();
    Ok(out)
}

/// Steps 2–6 into `dir`; returns the staged files.
pub fn stage(dir: &Path, snapshot: &Snapshot, opts: &SiteOptions, views: &[SiteView]) -> Result<Vec<Staged>, PublishError> {
    let mut staged = Vec::new();
    let mut archives = Vec::new();
    let mut put = |role: &'static str, path: String, bytes: &[u8]| -> Result<(), PublishError> {
        write(&dir.join(&path), bytes)?;
        staged.push(Staged { role, path, view: None });
        Ok(())
    };
    let glyphs = "fonts/{fontstack}/{range}.pbf".to_string();
    let mut theme_files: BTreeMap<String, String> = BTreeMap::new();
    let mut view_docs = Vec::new();
    for &view in views {
        // Step 2.
        let archive = format!("tiles/{}.pmtiles", view.name());
        let req = PyramidRequest { view: view.tile_view(), format: ArchiveFormat::Pmtiles, minzoom: opts.minzoom, maxzoom: opts.maxzoom };
        let path = dir.join(&archive);
        create_parent(&path)?;
        pyramid::export(snapshot, &req, &path, &mut |_| {}).map_err(|e| fail(&path, e))?;
        archives.push(Staged { role: "site_archive", path: archive.clone(), view: Some(view) });
        // Step 3.
        let source = format!("pmtiles://{archive}");
        let style = opts.styles.get(view.map);
        let level = format!("styles/{}.json", view.name());
        put("site_style", level.clone(), &to_json(&maplibre_style(&Themed::level(style), view.edition, &source, &glyphs))?)?;
        let mut themes = BTreeMap::new();
        for option in theme_options(snapshot, view.map) {
            let catalog = &snapshot.criteria.catalog;
            let Ok(theme) = Theme::parse(Some(&option), catalog, view.tile_view()) else { continue };
            let Ok(themed) = Themed::new(style, theme, catalog) else { continue };
            let key = format!("{}-{}:{}", view.map.as_str(), view.edition, themed.key);
            let file = match theme_files.get(&key) {
                Some(file) => file.clone(),
                None => {
                    let file = format!("styles/themes/{}-{}/{}.json", view.map.as_str(), view.edition, themed.key.replace(':', "-"));
                    put("site_style", file.clone(), &to_json(&maplibre_style(&themed, view.edition, &source, &glyphs))?)?;
                    theme_files.insert(key, file.clone());
                    file
                }
            };
            themes.insert(option, file);
        }
        view_docs.push(json!({"map": view.map.as_str(), "edition": view.edition, "year": view.year, "archive": archive, "style": level, "themes": themes}));
    }
    // Step 4.
    for index in 0..crate::glyphs::RANGES {
        let start = index * 256;
        put("site_glyphs", format!("fonts/{}/{start}-{}.pbf", crate::glyphs::FONTSTACK, start + 255), crate::glyphs::range(index))?;
    }
    // Step 5.
    let meta = json!({"meta": crate::atlas::documents::Meta::of(snapshot), "counts": crate::atlas::documents::counts(snapshot)});
    put("site_document", "meta.json".into(), &to_json(&meta)?)?;
    let criteria = json!({"sets": crate::atlas::documents::criteria_sets(snapshot), "meta": crate::atlas::documents::Meta::of(snapshot)});
    put("site_document", "criteria.json".into(), &to_json(&criteria)?)?;
    let mut search = BTreeMap::new();
    let editions: Vec<Edition> = Edition::ALL.into_iter().filter(|e| views.iter().any(|v| v.edition == *e)).collect();
    for edition in editions {
        let file = format!("search/{edition}.json");
        put("site_search", file.clone(), &to_json(&snapshot.search_index().compact(edition))?)?;
        search.insert(edition.to_string(), file);
    }
    let stats_pairs = super::stats::pairs(views);
    for file in super::stats::documents(snapshot, &stats_pairs)? {
        put("site_stats", file.path, &file.bytes)?;
    }
    let stats_views: Vec<String> = stats_pairs.iter().map(|(e, y)| format!("{e}-{y}")).collect();
    // The communes' exports of the publication (`exports/<version>/`, two folders up from
    // `site/<name>/`), which the statistics panel links for the view's year: CSV and Excel
    // for every year of the data, GeoJSON for `year` only (see `folder::stage_exports`).
    let exports = json!({
        "year": super::folder::exports_as_of(snapshot).year(),
        "years": snapshot.years().collect::<Vec<u16>>(),
        "files": format!("../../exports/{}/communes-{{edition}}-{{year}}.{{format}}", snapshot.version),
    });
    let doc = json!({
        "format": "bando-static", "data_version": snapshot.version, "minzoom": opts.minzoom, "maxzoom": opts.maxzoom,
        "meta": "meta.json", "criteria": "criteria.json", "search": search, "views": view_docs,
        "stats": {"files": super::stats::PATTERN, "views": stats_views}, "exports": exports,
    });
    put("site_document", STATIC_FILE.into(), &to_json(&doc)?)?;
    // Step 6.
    let index_path = opts.web_dir.join("index.html");
    let page = std::fs::read_to_string(&index_path).map_err(|e| fail(&index_path, e))?;
    put("site_viewer", "index.html".into(), static_page(&page).as_bytes())?;
    for name in ["app.js", "style.css", "favicon.svg"] {
        let from = opts.web_dir.join(name);
        put("site_viewer", format!("web/{name}"), &std::fs::read(&from).map_err(|e| fail(&from, e))?)?;
    }
    for (from, to) in VENDORED {
        let from = opts.web_dir.join("node_modules").join(from);
        put("site_vendor", to.into(), &std::fs::read(&from).map_err(|e| fail(&from, e))?)?;
    }
    staged.extend(archives);
    Ok(staged)
}

/// The "colour by" choices the viewer offers on `map` (as `renderThemes` in web/app.js
/// lists them): the districts' level and the provinces' completion, the criteria and
/// indicators of the communes' sets, by number, then those of the districts' sets, named
/// with their set. Views of the 2025 boundaries skip the district and province themes
/// (they do not parse there).
fn theme_options(snapshot: &Snapshot, map: MapKind) -> Vec<String> {
    use crate::model::UnitScope;
    if map != MapKind::Ntm {
        return Vec::new();
    }
    let sets = &snapshot.criteria.catalog.sets;
    let mut numbers: Vec<_> = sets.iter().filter(|s| s.unit == UnitScope::Commune).flat_map(|s| s.items.iter().map(|i| i.number)).collect();
    numbers.sort();
    numbers.dedup();
    let mut options: Vec<String> = ["level:districts", "level:provinces"].map(String::from).to_vec();
    options.extend(numbers.into_iter().map(|n| format!("criterion:{n}")));
    // District items repeat the communes' numbers: each is named with the first district
    // set that has it, as the viewer names them.
    let mut named = std::collections::BTreeMap::new();
    for set in sets.iter().filter(|s| s.unit == UnitScope::District) {
        for item in &set.items {
            named.entry(item.number).or_insert_with(|| format!("criterion:{}:{}", set.id, item.number));
        }
    }
    options.extend(named.into_values());
    options
}

/// The viewer's page marked as a static publication: app.js then reads `static.json`
/// instead of the API.
fn static_page(page: &str) -> String {
    let mark = format!("<meta name=\"bando:static\" content=\"{STATIC_FILE}\">\n  ");
    match page.find("<meta name=\"viewport\"") {
        Some(at) => format!("{}{mark}{}", &page[..at], &page[at..]),
        None => page.replacen("<head>", &format!("<head>\n  {mark}"), 1),
    }
}

fn to_json(v: &Value) -> Result<Vec<u8>, PublishError> {
    serde_json::to_vec(v).map_err(|e| PublishError { path: "site".into(), message: e.to_string() })
}

fn create_parent(path: &Path) -> Result<(), PublishError> {
    let parent = path.parent().expect("a file in the site");
    std::fs::create_dir_all(parent).map_err(|e| fail(parent, e))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    create_parent(path)?;
    std::fs::write(path, bytes).map_err(|e| fail(path, e))
}

/// The root `index.html` of the published folder: sends the reader to the current site
/// version, keeping the view in the URL's hash.
pub fn root_index(site: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n<title>Bản đồ số nông thôn mới — bando</title>\n\
<meta http-equiv=\"refresh\" content=\"0; url={site}/\">\n\
<script>location.replace('{site}/' + location.hash);</script>\n</head>\n\
<body><p><a href=\"{site}/\">Bản đồ số nông thôn mới / New Rural Development digital map</a></p></body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_static_page_carries_the_mark_once_in_its_head() {
        let page = "<!doctype html>\n<html>\n<head>\n  <meta charset=\"utf-8\">\n  <meta name=\"viewport\" content=\"x\">\n</head></html>";
        let marked = static_page(page);
        assert_eq!(marked.matches("bando:static").count(), 1);
        assert!(marked.find("bando:static") < marked.find("</head>"));
        assert!(static_page("<html><head></head></html>").contains("<head>\n  <meta name=\"bando:static\""));
    }

    #[test]
    fn the_root_index_keeps_the_hash() {
        let page = root_index("site/abc-123");
        assert!(page.contains("url=site/abc-123/") && page.contains("'site/abc-123/' + location.hash"));
    }
}
