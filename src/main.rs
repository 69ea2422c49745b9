//! The `bando` command line: serve, query, render, export, validate, geodata.

use anyhow::Context;
use bando::api::{self, AppState};
use bando::atlas;
use bando::snapshot::{SharedSnapshot, Snapshot};
use bando::config::{DataArgs, LogArgs, LogFormat, ServeArgs, StyleArgs};
use bando::model::{Edition, LonLat};
use bando::query::{self, PointQuery};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

mod cli_user;
mod cli_validate;

/// The process allocator: jemalloc. A serving process frees large blocks all the time
/// (tile and static-map renders, atlas rebuilds, evicted cache entries) from many
/// threads; glibc's per-thread arenas keep much of that memory (measured under the
/// tile and static-map load of `benches/load/run.sh`: RSS 463 MiB with glibc, 281 MiB
/// with jemalloc, for the same 64 MiB tile cache), so the resident size would not follow
/// the configured caches.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings, read at its first allocation (the crate's symbol prefix is
/// `_rjem_`). A background thread purges freed pages after about a second, instead of
/// waiting for the next allocation in the same arena to notice they have aged, so the
/// memory of a finished render or a replaced atlas leaves the process soon after.
#[cfg(target_os = "linux")]
#[export_name = "_rjem_malloc_conf"]
static MALLOC_CONF: MallocConf = MallocConf(c"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0".as_ptr());

/// A C string pointer jemalloc reads as `const char *malloc_conf`.
#[cfg(target_os = "linux")]
#[repr(transparent)]
struct MallocConf(*const std::ffi::c_char);

// SAFETY: the pointer is to a static, immutable byte string.
#[cfg(target_os = "linux")]
unsafe impl Sync for MallocConf {}

#[derive(Parser)]
#[command(name = "bando", version = concat!(env!("CARGO_PKG_VERSION"), " (build ", env!("BANDO_BUILD"), ")"), about = "Map tiles and queries for Vietnam's New Rural Development (NTM) programme")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    log: LogArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the embedded sample maps unless data files are given).
    Serve(Box<ServeArgs>),
    /// Which commune is at LON LAT, its NTM level and what is nearby.
    Query {
        lon: f64,
        lat: f64,
        #[command(flatten)]
        when: WhenArgs,
        #[arg(long, default_value_t = query::DEFAULT_RADIUS_M)]
        radius_m: f64,
        /// Print the answer as JSON (as the HTTP API does).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Draw a static map (PNG) of a bounding box or a centre and zoom, with the view,
    /// legend and attribution, as GET /static/{map}.png does.
    Render {
        /// ntm or tourism.
        #[arg(long, default_value = "ntm")]
        map: String,
        /// minlon,minlat,maxlon,maxlat (WGS84).
        #[arg(long, allow_hyphen_values = true)]
        bbox: Option<String>,
        /// lon,lat of the centre (with --zoom) instead of --bbox.
        #[arg(long, allow_hyphen_values = true)]
        center: Option<String>,
        #[arg(long)]
        zoom: Option<u8>,
        /// WIDTHxHEIGHT in pixels (at most 4096x4096).
        #[arg(long, default_value = "1024x768")]
        size: String,
        #[command(flatten)]
        when: WhenArgs,
        /// Label language: vi or en.
        #[arg(long, default_value = "vi")]
        lang: String,
        /// What units are coloured by: level, level:districts, level:provinces, or a
        /// criterion or indicator (criterion:8.4, criterion:xa_nang_cao_2021:15.2), as
        /// ?theme= of the HTTP API.
        #[arg(long, default_value = "level")]
        theme: String,
        /// Leave the place names out (as ?labels=false).
        #[arg(long)]
        no_labels: bool,
        /// Kinds of point to leave out, comma-separated, as ?hide= of the HTTP API
        /// (e.g. tourism:ocop_product,pilots:smart_village).
        #[arg(long, default_value = "")]
        hide: String,
        /// The PNG file to write.
        out: PathBuf,
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        styles: StyleArgs,
    },
    /// Check input files (boundaries .fgb/.geojson; results, pilots, tourism .csv) and
    /// print every problem; exits non-zero when there is any. Style files (.json with
    /// "classes") are checked as map styles, and .xlsx workbooks as the management upload
    /// checks them.
    Validate {
        /// Data files (CSV, boundaries), style files, or the offices' .xlsx workbooks.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, default_value = "code")]
        code_property: String,
        #[arg(long, default_value = bando::config::EMBEDDED_GEODATA)]
        geodata: PathBuf,
        /// Check workbooks as the editor of this edition-2025 province would upload them
        /// (repeat for several); without it, as the central office.
        #[arg(long = "province")]
        provinces: Vec<String>,
    },
    /// Write a layer as open data (the file `GET /api/v1/export/{layer}.{format}` serves),
    /// or, with --map, a map's whole tile pyramid as a PMTiles or MBTiles archive (the
    /// tiles `GET /tiles/{map}/{z}/{x}/{y}.mvt` serves, gzipped).
    #[command(group(clap::ArgGroup::new("what").required(true).args(["layer", "map"])))]
    Export {
        /// communes, districts, provinces, pilots or tourism.
        #[arg(long)]
        layer: Option<String>,
        /// ntm or tourism: write the map's tile pyramid.
        #[arg(long)]
        map: Option<String>,
        /// geojson, csv, fgb or xlsx for a layer; pmtiles or mbtiles for a map.
        #[arg(long)]
        format: String,
        #[command(flatten)]
        when: WhenArgs,
        /// The pyramid's lowest zoom (with --map; default 0).
        #[arg(long)]
        minzoom: Option<u8>,
        /// The pyramid's highest zoom (with --map; default 14, the deepest served).
        #[arg(long)]
        maxzoom: Option<u8>,
        /// Output file; `-` writes a layer to standard output.
        out: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Write a static publication: the data inputs, the open-data exports, the map as a
    /// static site (PMTiles archives, styles, glyphs, search index, viewer) and
    /// manifest.json, for a static host, `bando serve --publication` and `--tiles`.
    Publish {
        /// The published folder (created; earlier versions in it are kept).
        out: PathBuf,
        #[command(flatten)]
        data: DataArgs,
        /// Publish what the managed data folder publishes (instead of the data files).
        #[arg(long, env = "BANDO_DATA_DIR")]
        data_dir: Option<PathBuf>,
        /// Maps of the site: ntm, tourism (comma-separated; default both).
        #[arg(long, value_delimiter = ',', default_value = "ntm,tourism")]
        maps: Vec<String>,
        /// Boundary editions of the site (comma-separated; default both).
        #[arg(long, value_delimiter = ',', default_value = "2024,2025")]
        editions: Vec<u16>,
        /// Years of the site (comma-separated; default every year of the data).
        #[arg(long, value_delimiter = ',')]
        years: Vec<u16>,
        /// The archives' lowest zoom.
        #[arg(long, default_value_t = 0)]
        minzoom: u8,
        /// The archives' highest zoom (the viewer draws deeper zooms from it).
        #[arg(long, default_value_t = bando::publish::site::DEFAULT_MAXZOOM)]
        maxzoom: u8,
        /// Folder of the web viewer, with node_modules installed (`npm ci --prefix web`).
        #[arg(long, env = "BANDO_WEB", default_value = bando::config::DEFAULT_WEB_DIR)]
        web: PathBuf,
        #[command(flatten)]
        styles: bando::config::StyleArgs,
    },
    /// The managed data folder's database: backup and check.
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
    /// Accounts of the management routes (in --data-dir): add, list, disable, enable,
    /// reset-password, set-role.
    User {
        #[command(subcommand)]
        action: cli_user::UserAction,
    },
    /// Build the embedded default data.
    Geodata {
        #[command(subcommand)]
        action: GeodataAction,
    },
}

#[derive(Subcommand)]
enum DbAction {
    /// Copy the database to FILE with SQLite's online backup, while the server keeps
    /// serving (restore: README, "Restoring a backup").
    Backup {
        file: PathBuf,
        #[arg(long, env = "BANDO_DATA_DIR")]
        data_dir: PathBuf,
    },
    /// Check the database: SQLite's integrity check, then the published records against
    /// the publication log and the change log. Exits 1 with the report on any problem.
    Check {
        #[arg(long, env = "BANDO_DATA_DIR")]
        data_dir: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Approve N deterministic submissions in a loop (the crash test kills it midway).
    #[command(hide = true)]
    StressApprovals {
        count: u64,
        #[arg(long, env = "BANDO_DATA_DIR")]
        data_dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum GeodataAction {
    /// Generate geodata/ from the project's reference tables (geodata/reference).
    Build {
        #[arg(long, default_value = bando::config::REFERENCE_TABLES)]
        reference: PathBuf,
        /// The criteria catalog (sets.csv and one file per set) the sample assessments
        /// are written against.
        #[arg(long = "criteria-sets", default_value = bando::config::CRITERIA_SETS)]
        criteria_sets: PathBuf,
        #[arg(long, default_value = bando::config::EMBEDDED_GEODATA)]
        out: PathBuf,
        /// The real 2025 communes (FlatGeobuf, e.g. ../shared/geodata/communes-2025.fgb):
        /// edition 2025 is simplified from it. Without it, the 2025 boundary files in
        /// --out are kept as they are.
        #[arg(long = "real-2025", env = "BANDO_REAL_2025")]
        real_2025: Option<PathBuf>,
        /// The 2025 communes edition 2024 is generated in, when --real-2025 is not given
        /// (with it, the file it builds).
        #[arg(long = "communes-2025", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/geodata/communes-2025.fgb"))]
        communes_2025: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = bando::logging::init(&cli.log) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let json_logs = cli.log.log_format == LogFormat::Json;
    match run(cli) {
        Ok(code) => code,
        // With JSON logs stderr stays one JSON object per line, the last error included.
        Err(e) if json_logs => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve(*args),
        Command::Query { lon, lat, when, radius_m, json, data } => {
            let edition = when.edition()?;
            let (atlas, _) = atlas::build(&data.inputs())?;
            let q = PointQuery { position: LonLat::new(lon, lat), edition, as_of: when.as_of(&atlas)?, radius_m };
            let Some(answer) = query::commune_at(&atlas, q) else {
                eprintln!("no commune of edition {edition} contains ({lon}, {lat})");
                return Ok(ExitCode::from(3));
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&answer)?);
            } else {
                print!("{}", bando::query::text::render(&answer));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Render { map, bbox, center, zoom, size, when, lang, theme, no_labels, hide, out, data, styles } => {
            render(RenderArgs { map, bbox, center, zoom, size, when, lang, theme, no_labels, hide, out, data, styles })
        }
        Command::Validate { files, code_property, geodata, provinces } => {
            let (workbooks, files): (Vec<PathBuf>, Vec<PathBuf>) = files.into_iter().partition(|f| cli_validate::is_workbook(f));
            let (styles, files): (Vec<PathBuf>, Vec<PathBuf>) = files.into_iter().partition(|f| is_style_file(f));
            let mut clean = workbooks.is_empty() || cli_validate::validate_workbooks(&workbooks, &geodata, &code_property, &provinces)?;
            for f in &styles {
                let text = std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
                match bando::style::parse_style(&f.display().to_string(), &text, None) {
                    Ok(s) => println!("{}: read as Style of the {} map", f.display(), s.map.as_str()),
                    Err(e) => {
                        println!("{e}");
                        clean = false;
                    }
                }
            }
            if files.is_empty() {
                return Ok(if clean { ExitCode::SUCCESS } else { ExitCode::FAILURE });
            }
            let report = bando::load::validate::validate_files(&files, &code_property, &geodata);
            print!("{report}");
            Ok(if report.is_clean() && clean { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Export { layer: Some(layer), format, when, minzoom, maxzoom, out, data, .. } => {
            anyhow::ensure!(minzoom.is_none() && maxzoom.is_none(), "--minzoom and --maxzoom are for a map's tiles (--map), not for --layer");
            export(&layer, &format, &when, &out, &data)
        }
        Command::Export { map, format, when, minzoom, maxzoom, out, data, .. } => {
            let map = map.unwrap_or_default();
            export_pyramid(&map, &format, &when, (minzoom.unwrap_or(0), maxzoom.unwrap_or(bando::tile::MAX_ZOOM)), &out, &data)
        }
        Command::Publish { out, data, data_dir, maps, editions, years, minzoom, maxzoom, web, styles } => {
            let site = site_options(&maps, &editions, years, (minzoom, maxzoom), web, &styles)?;
            publish(&out, &data, data_dir.as_deref(), &site)
        }
        Command::Db { action } => db(action),
        Command::User { action } => cli_user::run(action),
        Command::Geodata { action: GeodataAction::Build { reference, criteria_sets, out, real_2025, communes_2025 } } => {
            let report = bando::geodata::build(&reference, &criteria_sets, &out, real_2025.as_deref(), &communes_2025)?;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn db(action: DbAction) -> anyhow::Result<ExitCode> {
    use bando::store::Store;
    let open = |dir: &std::path::Path| -> anyhow::Result<Store> {
        anyhow::ensure!(dir.join(bando::store::DATABASE_FILE).exists(), "{}: no database here (bando serve --data-dir creates it)", dir.display());
        Store::open(dir).with_context(|| format!("cannot open the database of {}", dir.display()))
    };
    match action {
        DbAction::Backup { file, data_dir } => {
            let store = open(&data_dir)?;
            store.backup(&file).with_context(|| format!("backup to {}", file.display()))?;
            println!("{}: backup of {} written", file.display(), data_dir.join(bando::store::DATABASE_FILE).display());
            Ok(ExitCode::SUCCESS)
        }
        DbAction::Check { data_dir, json } => {
            let report = open(&data_dir)?.check()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{report}");
            }
            Ok(if report.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        DbAction::StressApprovals { count, data_dir } => {
            let store = open(&data_dir)?;
            bando::manage::stress::run(&store, count)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn export(layer: &str, format: &str, when: &WhenArgs, out: &std::path::Path, data: &DataArgs) -> anyhow::Result<ExitCode> {
    use bando::export::{ExportRequest, Format, Layer};
    use std::io::Write;
    let layer = Layer::parse(layer).with_context(|| format!("--layer '{layer}' is not communes, districts, provinces, pilots or tourism"))?;
    let format = Format::parse(format).with_context(|| format!("--format '{format}' is not geojson, csv, fgb or xlsx"))?;
    let edition = when.edition()?;
    let (atlas, _) = atlas::build(&data.inputs())?;
    let req = ExportRequest { layer, format, edition, as_of: when.as_of(&atlas)? };
    req.check()?;
    let snapshot = Snapshot::new(atlas);
    if out.as_os_str() == "-" {
        let mut w = std::io::BufWriter::new(std::io::stdout().lock());
        bando::export::write(&snapshot, snapshot.tiles(req.edition), &req, &mut w)?;
        w.flush()?;
    } else {
        let file = std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
        let mut w = std::io::BufWriter::new(file);
        bando::export::write(&snapshot, snapshot.tiles(req.edition), &req, &mut w).with_context(|| out.display().to_string())?;
        w.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `bando export --map`: the map's tile pyramid as an archive.
fn export_pyramid(map: &str, format: &str, when: &WhenArgs, zooms: (u8, u8), out: &std::path::Path, data: &DataArgs) -> anyhow::Result<ExitCode> {
    use bando::pyramid::{self, ArchiveFormat, PyramidRequest};
    let mut problems = Vec::new();
    let map_kind = bando::tile::MapKind::parse(map);
    if map_kind.is_none() {
        problems.push(format!("--map '{map}' is not ntm or tourism"));
    }
    let archive = ArchiveFormat::parse(format);
    if archive.is_none() {
        problems.push(format!("--format '{format}' is not pmtiles or mbtiles (geojson, csv, fgb and xlsx are for --layer)"));
    }
    let edition = when.edition().map_err(|e| problems.push(e.to_string())).ok();
    if out.as_os_str() == "-" {
        problems.push("an archive is written to a file, not to standard output".into());
    }
    let (Some(map), Some(format), Some(edition), true) = (map_kind, archive, edition, problems.is_empty()) else {
        anyhow::bail!("{}", problems.join("; "));
    };
    let (atlas, _) = atlas::build(&data.inputs())?;
    let view = bando::tile::TileView { map, edition, as_of: when.as_of(&atlas)? };
    let req = PyramidRequest { view, format, minzoom: zooms.0, maxzoom: zooms.1 };
    req.check()?;
    let started = std::time::Instant::now();
    let snapshot = Snapshot::new(atlas);
    let mut line = pyramid::progress::ProgressLine::new();
    let written = pyramid::export(&snapshot, &req, out, &mut |p| line.update(p))?;
    line.finish();
    eprintln!(
        "{}: {} tiles ({} distinct), zoom {}–{}, {:.1} MB in {:.1} s",
        out.display(),
        written.tiles,
        written.contents,
        req.minzoom,
        req.maxzoom,
        written.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// A `.json` file with a top-level "classes" key is a map style (GeoJSON has none).
fn is_style_file(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
        && std::fs::read_to_string(path)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|v| v.get("classes").is_some())
}

struct RenderArgs {
    map: String,
    bbox: Option<String>,
    center: Option<String>,
    zoom: Option<u8>,
    size: String,
    when: WhenArgs,
    lang: String,
    theme: String,
    no_labels: bool,
    hide: String,
    out: PathBuf,
    data: DataArgs,
    styles: StyleArgs,
}

/// The boundary edition and the moment of the NTM levels, as `?edition=`, `?year=` and
/// `?date=` of the HTTP API: the options of `query`, `render` and `export`.
#[derive(clap::Args, Debug)]
struct WhenArgs {
    #[arg(long, default_value_t = 2024)]
    edition: u16,
    /// Year of the NTM levels (default: the last year of the data).
    #[arg(long)]
    year: Option<u16>,
    /// A day (YYYY-MM-DD): the levels in force on that day.
    #[arg(long)]
    date: Option<String>,
}

impl WhenArgs {
    fn edition(&self) -> anyhow::Result<Edition> {
        Edition::parse(&self.edition.to_string()).map_err(|e| anyhow::anyhow!("--edition: {e}"))
    }

    /// The moment `--year` and `--date` ask for, checked against the years of the data.
    fn as_of(&self, atlas: &atlas::Atlas) -> anyhow::Result<bando::model::AsOf> {
        let day = self.date.as_deref().map(|d| bando::model::Day::parse(d).map_err(|e| anyhow::anyhow!("--date: {e}"))).transpose()?;
        bando::model::AsOf::resolve(self.year, day, &atlas.years()).map_err(|e| anyhow::anyhow!("--{}: {}", e.parameter, e.message))
    }
}

/// `bando render`: the same checks and drawing as `GET /static/{map}.png`.
fn render(a: RenderArgs) -> anyhow::Result<ExitCode> {
    use bando::raster::{self, static_map::parse_numbers, Frame, StaticMap};
    let styles = a.styles.load()?;
    let map = bando::tile::MapKind::parse(&a.map).ok_or_else(|| anyhow::anyhow!("--map: '{}' is not a map (ntm or tourism)", a.map))?;
    let edition = a.when.edition()?;
    let lang = raster::legend::Lang::parse(&a.lang).ok_or_else(|| anyhow::anyhow!("--lang: '{}' is not vi or en", a.lang))?;
    let (w, h) = a.size.split_once('x').and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .ok_or_else(|| anyhow::anyhow!("--size: '{}' is not WIDTHxHEIGHT (e.g. 1200x800)", a.size))?;
    let flag = |e: raster::StaticError| anyhow::anyhow!("--{}: {}", e.parameter, e.message);
    let frame = match (a.bbox, a.center, a.zoom) {
        (Some(b), None, _) => Frame::BBox(parse_numbers::<4>("bbox", &b).map_err(flag)?),
        (None, Some(c), Some(zoom)) => {
            let [lon, lat] = parse_numbers::<2>("center", &c).map_err(flag)?;
            Frame::Center { lon, lat, zoom }
        }
        (None, Some(_), None) => anyhow::bail!("--zoom: --center needs a zoom (0–14)"),
        (Some(_), Some(_), _) => anyhow::bail!("--bbox: give either --bbox or --center with --zoom, not both"),
        (None, None, _) => anyhow::bail!("--bbox: give --bbox minlon,minlat,maxlon,maxlat or --center lon,lat --zoom z"),
    };
    let (atlas, _) = atlas::build(&a.data.inputs())?;
    let view = bando::tile::TileView { map, edition, as_of: a.when.as_of(&atlas)? };
    let mut request = StaticMap::new(view, frame, w, h, lang).map_err(flag)?;
    request.labels = !a.no_labels;
    request.hidden = bando::model::PointKinds::parse(&a.hide).map_err(|e| anyhow::anyhow!("--hide: {e}"))?;
    let theme = bando::style::Theme::parse(Some(&a.theme), &atlas.criteria.catalog, view).map_err(|e| anyhow::anyhow!("--theme: {e}"))?;
    let snapshot = Snapshot::new(atlas);
    let themed = bando::style::Themed::new(styles.get(map), theme, &snapshot.criteria.catalog).map_err(|e| anyhow::anyhow!("--theme: {e}"))?;
    let pixmap = raster::render_static(&snapshot, snapshot.tiles(request.view.edition), &themed, &request, &api::attribution(&snapshot), snapshot.has_sample_data());
    let png = raster::encode_png(&pixmap)?;
    std::fs::write(&a.out, png).with_context(|| format!("cannot write {}", a.out.display()))?;
    println!("{}: {}x{} px, zoom {}", a.out.display(), w, h, request.zoom());
    Ok(ExitCode::SUCCESS)
}

fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    // The process-wide recorder goes in before the server exists, so nothing it counts is lost.
    let metrics = api::metrics::install()?;
    // Styles first: a broken style stops the start before the (longer) data load.
    let styles = args.styles.load().context("a map style is invalid; nothing is served")?;
    let styles = styles.with_basemap(args.basemap.basemap().context("the basemap is invalid; nothing is served")?);
    let configured = args.data.inputs();
    let started = std::time::Instant::now();
    // With --data-dir the store is the truth of the published records (seeded from the
    // files on first start); without it the files are served read-only, as they are.
    let mut followed = None;
    let (atlas, summary, inputs, store) = match &args.data_dir {
        Some(dir) => {
            let opened = bando::manage::open(dir, &configured)
                .map_err(|e| anyhow::anyhow!("{e}"))
                .with_context(|| format!("the data folder {} did not open; nothing is served", dir.display()))?;
            if opened.seeded {
                tracing::info!(data_dir = %dir.display(), "first start: the store was seeded as publication 1");
            }
            (opened.atlas, opened.summary, opened.inputs, Some(opened.store))
        }
        None => match &args.publication {
            Some(dir) => {
                let (manifest, atlas) = bando::publish::load(dir).with_context(|| format!("the publication in {} did not load; nothing is served", dir.display()))?;
                tracing::info!(publication = %dir.display(), version = %manifest.data_version, published_at = %manifest.published_at, "serving a publication as a read replica");
                followed = Some(dir.clone());
                (atlas, bando::atlas::BuildSummary::default(), configured, None)
            }
            None => {
                let (atlas, summary) = atlas::build(&configured).map_err(|e| anyhow::anyhow!("{e}")).context("the data did not load; nothing is served")?;
                (atlas, summary, configured, None)
            }
        },
    };
    let published_tiles = match &args.tiles_dir {
        Some(dir) => {
            let tiles = bando::publish::PublishedTiles::open(dir).with_context(|| format!("the tile archives of {} did not open; nothing is served", dir.display()))?;
            tracing::info!(tiles = %dir.display(), archives = tiles.len(), version = %tiles.data_version, "serving published tile archives");
            Some(tiles)
        }
        None => None,
    };
    tracing::info!(
        communes_2024 = summary.communes[0],
        communes_2025 = summary.communes[1],
        vertices = summary.vertices[0] + summary.vertices[1],
        repairs_2024 = ?summary.repairs[0],
        repairs_2025 = ?summary.repairs[1],
        seconds = started.elapsed().as_secs_f64(),
        version = %atlas.version,
        "atlas built"
    );
    let admin_token = args.admin.read_token()?;
    if admin_token.is_none() {
        tracing::info!("no --admin-token-file: the admin routes answer 404; SIGHUP reloads");
    }
    let shared = SharedSnapshot::new(Snapshot::new(atlas));
    let publisher = store.clone().map(|store| std::sync::Arc::new(bando::manage::Publisher::new(store, inputs.clone(), shared.clone())));
    let mut state = AppState::new(shared, inputs)
        .with_publisher(publisher)
        .with_publication(followed.as_deref())
        .with_published_tiles(published_tiles)
        .with_tiles(&args.tiles)
        .with_styles(styles)
        .with_web_dir(args.web.clone())
        .with_metrics(metrics)
        .with_admin_token(admin_token)
        .with_static_maps(&args.limits);
    if let (Some(dir), Some(store)) = (&args.data_dir, store) {
        // The one store of the data folder: the publisher's and the sign-in routes'.
        let accounts = store.accounts()?;
        if !accounts.iter().any(|a| a.role == bando::store::Role::Admin && !a.disabled) {
            tracing::warn!("no admin account in --data-dir yet: create one with `bando user add NAME --role admin --data-dir {}`", dir.display());
        }
        tracing::info!(data_dir = %dir.display(), accounts = accounts.len(), "management routes open at /manage");
        let limits = api::manage::rate_limit::LoginLimits {
            per_account: args.manage.login_failures_per_account,
            per_address: args.manage.login_failures_per_address,
            window: std::time::Duration::from_secs(args.manage.login_failure_window_secs),
        };
        let https = args.tiles.public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
        state = state.with_store(store).with_manage(api::manage::ManageSettings {
            trusted_proxies: args.manage.trusted_proxies.clone(),
            https,
            limiter: api::manage::rate_limit::LoginLimiter::new(limits),
        });
    }
    let workers = args.http_workers.map_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()), |n| n.get());
    // This runtime accepts connections and handles signals; bando::server runs the workers.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let stopped = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.bind).await.with_context(|| format!("cannot listen on {}", args.bind))?;
        let addr = listener.local_addr()?;
        // Tests and scripts read this line to find the port.
        println!("listening on http://{addr}");
        tokio::spawn(reload_on_sighup(state.clone()));
        if let Some(dir) = followed {
            tokio::spawn(follow_publication(state.clone(), dir, std::time::Duration::from_secs(args.publication_poll_secs.max(1))));
        }
        let routers = api::worker_routers(&state, &args.limits, workers);
        let limits = bando::server::ConnectionLimits::from_config(&args.limits);
        anyhow::Ok(bando::server::serve(listener, routers, &limits, shutdown_signal()).await?)
    })?;
    match stopped {
        bando::server::Stopped::Drained => tracing::info!("stopped: every request in flight was answered"),
        bando::server::Stopped::GraceExpired => tracing::warn!("stopped: the shutdown grace ran out with requests still in flight"),
    }
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(ExitCode::SUCCESS)
}

/// SIGTERM or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// `kill -HUP` reloads the data as `POST /api/v1/admin/reload` does.
/// `bando publish`: the atlas in force (of the files, or of the managed folder) written as
/// a static publication.
fn publish(out: &std::path::Path, data: &DataArgs, data_dir: Option<&std::path::Path>, site: &bando::publish::SiteOptions) -> anyhow::Result<ExitCode> {
    let configured = data.inputs();
    let (atlas, inputs) = match data_dir {
        Some(dir) => {
            let opened = bando::manage::open(dir, &configured).map_err(|e| anyhow::anyhow!("{e}"))?;
            (opened.atlas, opened.inputs)
        }
        None => (atlas::build(&configured).map_err(|e| anyhow::anyhow!("{e}")).context("the data did not load; nothing is published")?.0, configured),
    };
    let snapshot = Snapshot::new(atlas);
    let manifest = bando::publish::write(out, &inputs, &snapshot, Some(site))?;
    let bytes: u64 = manifest.files.iter().map(|f| f.bytes).sum();
    println!("published data version {} to {}: {} files, {bytes} bytes", manifest.data_version, out.display(), manifest.files.len());
    if let Some(index) = manifest.file("site_index") {
        let archives: Vec<_> = manifest.files.iter().filter(|f| f.role == "site_archive").collect();
        let archive_bytes: u64 = archives.iter().map(|f| f.bytes).sum();
        println!("the map: {} ({} tile archives, {archive_bytes} bytes)", out.join(&index.path).display(), archives.len());
    }
    Ok(ExitCode::SUCCESS)
}

/// The site options of `bando publish`, every bad value named at once.
fn site_options(maps: &[String], editions: &[u16], years: Vec<u16>, (minzoom, maxzoom): (u8, u8), web: PathBuf, styles: &bando::config::StyleArgs) -> anyhow::Result<bando::publish::SiteOptions> {
    let mut problems = Vec::new();
    let maps: Vec<bando::tile::MapKind> = maps
        .iter()
        .filter_map(|m| bando::tile::MapKind::parse(m.trim()).or_else(|| {
            problems.push(format!("--maps: '{m}' is not a map (ntm, tourism)"));
            None
        }))
        .collect();
    let editions: Vec<bando::model::Edition> = editions
        .iter()
        .filter_map(|e| bando::model::Edition::parse(&e.to_string()).map_err(|err| problems.push(format!("--editions: {err}"))).ok())
        .collect();
    if !problems.is_empty() {
        anyhow::bail!("{}", problems.join("; "));
    }
    let styles = styles.load().context("a map style is invalid; nothing is published")?;
    Ok(bando::publish::SiteOptions { maps, editions, years: (!years.is_empty()).then_some(years), minzoom, maxzoom, web_dir: web, styles })
}

/// A replica's loop: reads the manifest every `every`; a publication of another data
/// version is loaded as a reload loads it ([`api::reload_atlas`]: whole, checked against
/// its manifest, the data in force kept on any problem).
async fn follow_publication(state: AppState, dir: std::path::PathBuf, every: std::time::Duration) {
    loop {
        tokio::time::sleep(every).await;
        let published = bando::publish::Manifest::read(&dir).map(|m| m.data_version);
        if published.is_ok_and(|version| version == state.atlas.current().version) {
            continue;
        }
        // The reload logs and counts its outcome.
        let _ = api::reload_atlas(&state).await;
    }
}

async fn reload_on_sighup(state: AppState) {
    #[cfg(unix)]
    {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else { return };
        while hup.recv().await.is_some() {
            let _ = api::reload_atlas(&state).await;
        }
    }
}
