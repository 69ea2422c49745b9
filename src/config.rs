//! Configuration: the one place flags and environment variables are read.
//! Every flag can also be set by the environment variable shown in `--help`.

use crate::atlas::Inputs;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The embedded default data: `geodata/` of this source tree.
pub const EMBEDDED_GEODATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/geodata");

/// The reference tables (codes, names, points, crosswalk, outline) that the embedded data
/// is generated from: `geodata/reference/` of this source tree.
pub const REFERENCE_TABLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/geodata/reference");

/// The criteria catalog kept by hand (`geodata/criteria/` of this source tree): the
/// embedded sample assessments are generated against it.
pub const CRITERIA_SETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/geodata/criteria");

/// The web viewer's folder: `web/` of this source tree (MapLibre GL JS is installed into
/// it by `npm ci --prefix web`).
pub const DEFAULT_WEB_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/web");

/// Which data to load (the embedded sample data unless files are given).
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Folder of the embedded default data.
    #[arg(long, env = "BANDO_GEODATA", default_value = EMBEDDED_GEODATA)]
    pub geodata: PathBuf,
    /// Commune boundaries (FlatGeobuf or GeoJSON, WGS84); the edition is told from the
    /// codes. Repeat for both editions.
    #[arg(long, env = "BANDO_BOUNDARIES", value_delimiter = ',')]
    pub boundaries: Vec<PathBuf>,
    /// Property of the boundary features holding the commune code.
    #[arg(long, env = "BANDO_CODE_PROPERTY", default_value = "code")]
    pub code_property: String,
    /// Commune NTM results CSV: code,year,level,criteria_met,recognized_on,decision.
    #[arg(long, env = "BANDO_RESULTS")]
    pub results: Option<PathBuf>,
    /// District NTM results CSV: code,year,level,recognized_on,decision.
    #[arg(long, env = "BANDO_DISTRICT_RESULTS")]
    pub district_results: Option<PathBuf>,
    /// Province results CSV: code,year,level(hoan_thanh),recognized_on,decision.
    #[arg(long, env = "BANDO_PROVINCE_RESULTS")]
    pub province_results: Option<PathBuf>,
    /// Pilot models CSV: id,name,kind,field,commune_code,lon,lat,approved_year.
    #[arg(long, env = "BANDO_PILOTS")]
    pub pilots: Option<PathBuf>,
    /// Rural tourism CSV: id,name,category,ocop_stars,commune_code,lon,lat,url.
    #[arg(long, env = "BANDO_TOURISM")]
    pub tourism: Option<PathBuf>,
    /// Criteria assessments CSV: unit_code,year,set,criterion,indicator,met,value,assessed_on,note.
    #[arg(long, env = "BANDO_CRITERIA")]
    pub criteria: Option<PathBuf>,
    /// Folder of the criteria catalog (sets.csv and one {set}.csv per set); the embedded
    /// geodata/criteria when not given.
    #[arg(long, env = "BANDO_CRITERIA_SETS")]
    pub criteria_sets: Option<PathBuf>,
    /// Targets table CSV: id,scope,deadline,document,article,measure,set,item,pilot_kind,
    /// pilot_decision,pilot_stage,unit,target,label_vi,label_en,reason; the embedded
    /// geodata/targets/targets.csv when not given.
    #[arg(long, env = "BANDO_TARGETS")]
    pub targets: Option<PathBuf>,
}

impl DataArgs {
    pub fn inputs(&self) -> Inputs {
        Inputs {
            geodata_dir: self.geodata.clone(),
            boundaries: self.boundaries.clone(),
            code_property: self.code_property.clone(),
            commune_results: self.results.clone(),
            district_results: self.district_results.clone(),
            province_results: self.province_results.clone(),
            pilots: self.pilots.clone(),
            tourism: self.tourism.clone(),
            criteria: self.criteria.clone(),
            criteria_sets: self.criteria_sets.clone(),
            targets: self.targets.clone(),
        }
    }
}

/// Server settings.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the address is printed).
    #[arg(long, env = "BANDO_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    #[command(flatten)]
    pub data: DataArgs,
    /// Folder of the managed data (the database `bando.sqlite3` and the published CSV
    /// files). The first start seeds it from the data files (the embedded ones unless
    /// --results etc. are given) as publication 1; later starts serve what the database
    /// publishes; the management routes (/manage) sign in its accounts. Unset, the data
    /// files are served read-only and the management routes answer 404.
    #[arg(long, env = "BANDO_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub tiles: TileArgs,
    /// Folder of the web viewer (index.html, app.js, style.css and node_modules/maplibre-gl).
    #[arg(long, env = "BANDO_WEB", default_value = DEFAULT_WEB_DIR)]
    pub web: PathBuf,
    #[command(flatten)]
    pub styles: StyleArgs,
    #[command(flatten)]
    pub basemap: BasemapArgs,
    /// HTTP worker threads, each serving its share of the connections (default: one per
    /// CPU core).
    #[arg(long, env = "BANDO_HTTP_WORKERS")]
    pub http_workers: Option<std::num::NonZeroUsize>,
    #[command(flatten)]
    pub admin: AdminArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub manage: ManageArgs,
    /// Serve as a read replica from a folder written by `bando publish` (instead of the
    /// data files): every file is checked against its manifest, and a new publication is
    /// followed whole, without a restart (validate, then swap).
    #[arg(long, env = "BANDO_PUBLICATION", conflicts_with = "data_dir")]
    pub publication: Option<PathBuf>,
    /// How often a replica reads the publication's manifest, in seconds.
    #[arg(long, env = "BANDO_PUBLICATION_POLL_SECS", default_value_t = 10)]
    pub publication_poll_secs: u64,
    /// Serve vector tiles from the archives of a folder written by `bando publish`: a
    /// tile of a published view (map, edition, year) within its archive's zooms is read
    /// from the archive; any other is rendered from the data in force.
    #[arg(long = "tiles", env = "BANDO_TILES")]
    pub tiles_dir: Option<PathBuf>,
}

/// The data folder of the `bando user` and `bando db` commands.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Folder of the embedded database (created when absent).
    #[arg(long, env = "BANDO_DATA_DIR")]
    pub data_dir: PathBuf,
}

/// Sign-in to the management routes (with `--data-dir`).
#[derive(Debug, Clone, Args)]
pub struct ManageArgs {
    /// Addresses of reverse proxies whose X-Forwarded-For (the client's address, for the
    /// login rate limit and the authentication log) and X-Forwarded-Proto (https: cookies
    /// are sent `Secure`) are believed. Requests from other addresses cannot set them.
    #[arg(long = "trusted-proxy", env = "BANDO_TRUSTED_PROXIES", value_delimiter = ',', default_value = "127.0.0.1,::1")]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Failed logins per account name within the window before further attempts answer 429.
    #[arg(long, env = "BANDO_LOGIN_FAILURES_PER_ACCOUNT", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub login_failures_per_account: u32,
    /// Failed logins per client address within the window before further attempts answer 429.
    #[arg(long, env = "BANDO_LOGIN_FAILURES_PER_ADDRESS", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub login_failures_per_address: u32,
    /// The window of the login failure counts, in seconds (counted in memory: a restart
    /// forgets them).
    #[arg(long, env = "BANDO_LOGIN_FAILURE_WINDOW_SECS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..))]
    pub login_failure_window_secs: u64,
}

/// Map styles: the embedded ones unless a folder overrides them.
#[derive(Debug, Clone, Default, Args)]
pub struct StyleArgs {
    /// Folder with ntm-results.json and/or rural-tourism.json replacing the embedded
    /// styles (the format is in styles/README.md); an invalid style stops the start.
    #[arg(long = "styles", env = "BANDO_STYLES")]
    pub styles_dir: Option<PathBuf>,
}

impl StyleArgs {
    pub fn load(&self) -> Result<crate::style::Styles, crate::style::StyleError> {
        crate::style::Styles::load(self.styles_dir.as_deref())
    }
}

/// An optional basemap under bando's layers, for deployments with internet access
/// (`crate::style::basemap`). Unset, nothing outside the service is referenced.
#[derive(Debug, Clone, Default, Args)]
pub struct BasemapArgs {
    /// XYZ raster tiles drawn under bando's layers in the MapLibre styles and the viewer,
    /// e.g. 'https://tile.example/{z}/{x}/{y}.png'; the viewer's Content-Security-Policy then
    /// allows that origin.
    #[arg(long, env = "BANDO_BASEMAP_TILES", conflicts_with = "basemap_style")]
    pub basemap_tiles: Option<String>,
    /// The attribution shown for --basemap-tiles (their licence usually requires one),
    /// e.g. '© OpenStreetMap contributors'.
    #[arg(long, env = "BANDO_BASEMAP_ATTRIBUTION", requires = "basemap_tiles")]
    pub basemap_attribution: Option<String>,
    /// A MapLibre style JSON URL the viewer loads and draws under bando's layers (the
    /// server never fetches it); its sources, glyphs and sprites are expected on the same
    /// origin, which the viewer's Content-Security-Policy then allows.
    #[arg(long, env = "BANDO_BASEMAP_STYLE")]
    pub basemap_style: Option<String>,
}

impl BasemapArgs {
    /// The basemap the flags give, or the first problem with them.
    pub fn basemap(&self) -> Result<Option<crate::style::basemap::Basemap>, crate::style::basemap::BasemapError> {
        use crate::style::basemap::Basemap;
        match (&self.basemap_tiles, &self.basemap_style) {
            (Some(tiles), _) => Basemap::tiles(tiles, self.basemap_attribution.as_deref()).map(Some),
            (None, Some(style)) => Basemap::style(style).map(Some),
            (None, None) => Ok(None),
        }
    }
}

/// Vector tile serving: cache and HTTP caching headers.
#[derive(Debug, Clone, Args)]
pub struct TileArgs {
    /// Memory for encoded tiles, in MiB (0 turns the tile cache off, e.g. to time cold tiles).
    #[arg(long, env = "BANDO_TILE_CACHE_MB", default_value_t = 256)]
    pub tile_cache_mb: usize,
    /// Cache-Control header of tile answers (200, 204 and 304).
    #[arg(long, env = "BANDO_TILE_CACHE_CONTROL", default_value = "public, max-age=3600", value_parser = header_value)]
    pub tile_cache_control: axum::http::HeaderValue,
    /// Cache-Control header of tile answers to URLs naming the version in force (`v=`, as
    /// in the tile URLs TileJSON gives): their bytes never change, so caches may keep them.
    #[arg(long, env = "BANDO_TILE_CACHE_CONTROL_VERSIONED", default_value = "public, max-age=31536000, immutable", value_parser = header_value)]
    pub tile_cache_control_versioned: axum::http::HeaderValue,
    /// Public base URL for the tile URLs in TileJSON (e.g. https://maps.example.vn/bando);
    /// unset, it is taken from X-Forwarded-Proto/-Host, Forwarded or Host.
    #[arg(long, env = "BANDO_PUBLIC_URL", value_parser = public_url)]
    pub public_url: Option<String>,
}

impl Default for TileArgs {
    fn default() -> Self {
        TileArgs {
            tile_cache_mb: 256,
            tile_cache_control: axum::http::HeaderValue::from_static("public, max-age=3600"),
            tile_cache_control_versioned: axum::http::HeaderValue::from_static("public, max-age=31536000, immutable"),
            public_url: None,
        }
    }
}

fn header_value(text: &str) -> Result<axum::http::HeaderValue, String> {
    axum::http::HeaderValue::from_str(text).map_err(|_| format!("'{text}' cannot be sent as an HTTP header value"))
}

/// An http(s) URL without a trailing slash, query or fragment.
fn public_url(text: &str) -> Result<String, String> {
    let url = text.trim().trim_end_matches('/');
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.contains(['?', '#', ' ', '"', '<', '>']) => Ok(url.to_string()),
        _ => Err(format!("'{text}' is not an http(s) base URL such as https://maps.example.vn/bando")),
    }
}

/// How log lines are written to standard error (flags of every subcommand).
#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// text: one readable line per event (coloured only when stderr is a terminal);
    /// json: one JSON object per line, for log collectors.
    #[arg(long, env = "BANDO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// Which events to log, as tracing's EnvFilter directives (e.g. `warn`,
    /// `info,bando=debug`).
    #[arg(long = "log", env = "RUST_LOG", default_value = "info,tower_http=warn", global = true)]
    pub log_filter: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// A configuration value that cannot be used; names the flag or file to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--admin-token-file {path}: cannot read it: {source}")]
    TokenUnreadable { path: PathBuf, source: std::io::Error },
    #[error("--admin-token-file {path}: the file is empty (put the bearer token in it, e.g. `openssl rand -hex 32 > {path}`)")]
    TokenEmpty { path: PathBuf },
}

/// Access to the admin routes (`/api/v1/admin/…`).
#[derive(Debug, Clone, Default, Args)]
pub struct AdminArgs {
    /// File holding the bearer token of the admin routes (`Authorization: Bearer <token>`),
    /// read once at start (a trailing newline is dropped; an empty file stops the start).
    /// Unset, the admin routes answer 404 and only SIGHUP reloads.
    #[arg(long, env = "BANDO_ADMIN_TOKEN_FILE")]
    pub admin_token_file: Option<PathBuf>,
}

impl AdminArgs {
    /// The token, or `None` when no file is configured. The token itself never appears
    /// in an error: only the file's path does.
    pub fn read_token(&self) -> Result<Option<String>, ConfigError> {
        let Some(path) = &self.admin_token_file else { return Ok(None) };
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::TokenUnreadable { path: path.clone(), source })?;
        let token = text.trim_end_matches(['\n', '\r']);
        if token.trim().is_empty() {
            return Err(ConfigError::TokenEmpty { path: path.clone() });
        }
        Ok(Some(token.to_string()))
    }
}

/// Limits that keep one client (or many) from exhausting the server, and the shutdown
/// grace. The defaults suit a server on the public internet behind a reverse proxy.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Seconds a client has to send the whole request head (request line and headers);
    /// also how long an idle keep-alive connection stays open. Then the connection is
    /// closed (slow-header clients).
    #[arg(long, env = "BANDO_HEADER_READ_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_secs: u64,
    /// Seconds a request may take until its answer starts; then 503 with Retry-After
    /// (a streamed body, as of exports, is not cut once it has started).
    #[arg(long, env = "BANDO_REQUEST_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,
    /// Requests handled at once; one more is answered 503 with Retry-After at once
    /// instead of queueing. /healthz, /readyz and /metrics are not counted.
    #[arg(long, env = "BANDO_MAX_IN_FLIGHT", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_in_flight: u64,
    /// Longest request target (path and query) in bytes; longer answers 414.
    #[arg(long, env = "BANDO_MAX_URI_BYTES", default_value_t = 8192, value_parser = clap::value_parser!(u64).range(16..))]
    pub max_uri_bytes: u64,
    /// Largest request head (request line and all headers) in bytes; larger answers 431
    /// and the connection is closed.
    #[arg(long, env = "BANDO_MAX_HEADER_BYTES", default_value_t = 16384, value_parser = clap::value_parser!(u64).range(1024..))]
    pub max_header_bytes: u64,
    /// Seconds to finish in-flight requests after SIGTERM or SIGINT (no new connection
    /// is accepted meanwhile); then the process exits anyway.
    #[arg(long, env = "BANDO_SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,
    /// Static maps (`/static/{map}.png`) rendered at once, apart from the tile renders.
    #[arg(long, env = "BANDO_STATIC_MAP_RENDERS", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub static_map_renders: u64,
    /// Different static maps waiting for a render slot; one more answers 503 with
    /// Retry-After (identical requests wait for the same render and are not counted).
    #[arg(long, env = "BANDO_STATIC_MAP_QUEUE", default_value_t = 4)]
    pub static_map_queue: u64,
    /// Memory for rendered static maps, in MiB (0 turns the cache off; identical
    /// requests arriving during a render still share it).
    #[arg(long, env = "BANDO_STATIC_MAP_CACHE_MB", default_value_t = 64)]
    pub static_map_cache_mb: u64,
}

impl Default for LimitArgs {
    /// The documented defaults (as `bando serve` with no limit flag and no environment).
    fn default() -> Self {
        LimitArgs {
            header_read_timeout_secs: 10,
            request_timeout_secs: 30,
            max_in_flight: 256,
            max_uri_bytes: 8192,
            max_header_bytes: 16384,
            shutdown_grace_secs: 20,
            static_map_renders: 1,
            static_map_queue: 4,
            static_map_cache_mb: 64,
        }
    }
}

impl LimitArgs {
    pub fn header_read_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.header_read_timeout_secs)
    }

    pub fn request_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.request_timeout_secs)
    }

    pub fn shutdown_grace(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.shutdown_grace_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        limits: LimitArgs,
    }

    #[test]
    fn limit_defaults_are_the_documented_ones() {
        let parsed = Cli::try_parse_from(["bando"]).unwrap().limits;
        let d = LimitArgs::default();
        assert_eq!(format!("{parsed:?}"), format!("{d:?}"));
    }

    #[test]
    fn token_file_is_trimmed_and_an_empty_one_is_refused() {
        let dir = std::env::temp_dir().join(format!("bando-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "s3cret-token\n").unwrap();
        let args = AdminArgs { admin_token_file: Some(file.clone()) };
        assert_eq!(args.read_token().unwrap().as_deref(), Some("s3cret-token"));
        std::fs::write(&file, "\n").unwrap();
        let e = args.read_token().unwrap_err().to_string();
        assert!(e.contains("empty") && e.contains("token"), "{e}");
        assert_eq!(AdminArgs::default().read_token().unwrap(), None);
        let missing = AdminArgs { admin_token_file: Some(dir.join("absent")) };
        assert!(missing.read_token().unwrap_err().to_string().contains("absent"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
