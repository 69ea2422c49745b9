//! Observability against the real `bando` binary on 127.0.0.1: the health probes, the
//! Prometheus metrics (parsed with a strict reader of the text format written here), log
//! output as JSON lines or plain text, and the security headers.

mod common;

use common::{agent, path_str, Server, TempDir, BIN};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

const RESULTS_HEADER: &str = "code,year,level,criteria_met,recognized_on,decision\n";
const TILE_ROUTE: &str = "/tiles/{map}/{z}/{x}/{file}";

// ---------------------------------------------------------------- Prometheus text reader

/// One sample line: metric name, labels, value.
#[derive(Debug, Clone)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// A scrape, checked against the text exposition format (0.0.4) while it is read.
struct Scrape {
    samples: Vec<Sample>,
    types: BTreeMap<String, String>,
}

fn is_name(s: &str, colon: bool) -> bool {
    let mut chars = s.chars();
    let first_ok = |c: char| c.is_ascii_alphabetic() || c == '_' || (colon && c == ':');
    chars.next().is_some_and(first_ok) && chars.all(|c| first_ok(c) || c.is_ascii_digit())
}

/// Reads `{a="x",b="y\"z"}` (already past the `{`), returning labels and the rest.
fn read_labels(mut rest: &str, line: &str) -> (BTreeMap<String, String>, String) {
    let mut labels = BTreeMap::new();
    loop {
        rest = rest.trim_start_matches(',');
        if let Some(after) = rest.strip_prefix('}') {
            return (labels, after.to_string());
        }
        let (name, after) = rest.split_once("=\"").unwrap_or_else(|| panic!("label without =\"…\": {line}"));
        assert!(is_name(name, false), "bad label name '{name}': {line}");
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c @ ('\\' | '"'))) => value.push(c),
                    other => panic!("bad escape {other:?}: {line}"),
                },
                Some((i, '"')) => break i,
                Some((_, c)) => value.push(c),
                None => panic!("unterminated label value: {line}"),
            }
        };
        assert!(labels.insert(name.to_string(), value).is_none(), "label {name} twice: {line}");
        rest = &after[end + 1..];
    }
}

fn parse_value(text: &str, line: &str) -> f64 {
    match text {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        t => t.parse().unwrap_or_else(|_| panic!("value '{t}' is not a number: {line}")),
    }
}

/// The family a sample belongs to (`x_bucket`, `x_sum`, `x_count` of a histogram `x`).
fn family<'a>(name: &'a str, types: &BTreeMap<String, String>) -> &'a str {
    for suffix in ["_bucket", "_sum", "_count"] {
        if let Some(base) = name.strip_suffix(suffix) {
            if types.get(base).is_some_and(|t| t == "histogram" || t == "summary") {
                return base;
            }
        }
    }
    name
}

fn parse_scrape(text: &str) -> Scrape {
    let mut samples = Vec::new();
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut helped: BTreeMap<String, String> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("TYPE without a type: {line}"));
            assert!(is_name(name, true), "bad metric name: {line}");
            assert!(["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind), "unknown type: {line}");
            assert!(!samples.iter().any(|s: &Sample| family(&s.name, &types) == name), "TYPE after samples: {line}");
            assert!(types.insert(name.to_string(), kind.to_string()).is_none(), "TYPE twice: {line}");
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or((rest, ""));
            assert!(helped.insert(name.to_string(), help.to_string()).is_none(), "HELP twice: {line}");
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let name_end = line.find(['{', ' ']).unwrap_or_else(|| panic!("sample without a value: {line}"));
        let name = &line[..name_end];
        assert!(is_name(name, true), "bad metric name '{name}': {line}");
        let (labels, rest) = match line[name_end..].strip_prefix('{') {
            Some(r) => read_labels(r, line),
            None => (BTreeMap::new(), line[name_end..].to_string()),
        };
        let mut fields = rest.split_whitespace();
        let value = parse_value(fields.next().unwrap_or_else(|| panic!("no value: {line}")), line);
        if let Some(ts) = fields.next() {
            ts.parse::<i64>().unwrap_or_else(|_| panic!("bad timestamp: {line}"));
        }
        assert!(fields.next().is_none(), "trailing text: {line}");
        samples.push(Sample { name: name.to_string(), labels, value });
    }
    let scrape = Scrape { samples, types };
    scrape.check_histograms();
    scrape
}

impl Scrape {
    /// Every histogram series: buckets cumulative, `+Inf` equal to `_count`.
    fn check_histograms(&self) {
        for (name, _) in self.types.iter().filter(|(_, t)| *t == "histogram") {
            let mut series: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
            for s in self.samples.iter().filter(|s| s.name == format!("{name}_bucket")) {
                let mut key = s.labels.clone();
                let le = parse_value(&key.remove("le").expect("bucket without le"), name);
                series.entry(format!("{key:?}")).or_default().push((le, s.value));
            }
            for (key, mut buckets) in series {
                buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
                assert!(buckets.windows(2).all(|w| w[0].1 <= w[1].1), "{name}{key}: buckets not cumulative {buckets:?}");
                let inf = buckets.last().filter(|b| b.0.is_infinite()).unwrap_or_else(|| panic!("{name}{key}: no +Inf bucket")).1;
                let count = self
                    .samples
                    .iter()
                    .find(|s| s.name == format!("{name}_count") && format!("{:?}", s.labels) == key)
                    .unwrap_or_else(|| panic!("{name}{key}: no _count"));
                assert_eq!(inf, count.value, "{name}{key}: +Inf bucket and _count differ");
            }
        }
    }

    /// The value of the one series of `name` whose labels include `labels` (0 if none).
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let matching: Vec<&Sample> = self
            .samples
            .iter()
            .filter(|s| s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v)))
            .collect();
        assert!(matching.len() <= 1, "{name} {labels:?} matches several series: {matching:?}");
        matching.first().map_or(0.0, |s| s.value)
    }

    fn series(&self, name: &str) -> Vec<&Sample> {
        self.samples.iter().filter(|s| s.name == name).collect()
    }
}

fn scrape(server: &Server) -> Scrape {
    let raw = server.get_raw("/metrics", &[]);
    assert_eq!(raw.status, 200);
    assert!(raw.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"), "{:?}", raw.headers);
    parse_scrape(std::str::from_utf8(&raw.body).expect("UTF-8"))
}

// ---------------------------------------------------------------- probes

#[test]
fn healthz_is_alive_and_readyz_reports_the_published_data_version() {
    let dir = TempDir::new("readyz");
    let results = dir.write("results.csv", &format!("{RESULTS_HEADER}00571,2021,dat_chuan,19,2021-06-01,1/QĐ-UBND\n"));
    let server = Server::start_with_admin(&["--results", path_str(&results)]);
    let (status, health) = server.get_json("/healthz");
    assert_eq!((status, health["status"].as_str()), (200, Some("alive")));

    let (_, meta) = server.get_json("/api/v1/meta");
    let raw = server.get_raw("/readyz", &[]);
    assert_eq!(raw.status, 200);
    assert_eq!(raw.header("cache-control"), Some("no-store"));
    let ready = raw.json();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["data_version"], meta["meta"]["data_version"]);
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs_f64();
    let first = ready["published_at"].as_f64().expect("published_at");
    assert!(first <= now && first > now - 600.0, "published_at {first}, now {now}");

    // A new version of the data: readiness follows it, with a later publication time.
    std::thread::sleep(Duration::from_millis(20));
    dir.write("results.csv", &format!("{RESULTS_HEADER}00571,2021,kieu_mau,19,2021-06-01,1/QĐ-UBND\n"));
    let (status, reload) = server.post_admin("/api/v1/admin/reload");
    assert_eq!(status, 200, "{reload}");
    let (_, after) = server.get_json("/readyz");
    assert_eq!(after["data_version"], reload["data_version"]);
    assert_ne!(after["data_version"], ready["data_version"]);
    assert!(after["published_at"].as_f64().unwrap() > first, "{after}");
}

// ---------------------------------------------------------------- metrics

/// GET a tile, returning its status.
fn get_tile(server: &Server, path: &str) -> u16 {
    server.get_raw(path, &[("Accept-Encoding", "gzip")]).status
}

#[test]
fn metrics_count_requests_by_route_template_cache_renders_and_data() {
    let dir = TempDir::new("metrics");
    let results = dir.write("results.csv", &format!("{RESULTS_HEADER}00571,2021,dat_chuan,19,2021-06-01,1/QĐ-UBND\n"));
    let server = Server::start_with_admin(&["--results", path_str(&results)]);
    let before = scrape(&server);
    // The empty cache is there from the start, at 0.
    assert_eq!(before.series("bando_tile_cache_entries").len(), 1);
    assert_eq!((before.value("bando_tile_cache_entries", &[]), before.value("bando_tile_cache_bytes", &[])), (0.0, 0.0));
    let tile_200 = [("method", "GET"), ("route", TILE_ROUTE), ("status", "200")];

    // Three vector tiles over Hà Nội and Quảng Ninh: the first one twice.
    for path in ["/tiles/ntm/8/203/112.mvt", "/tiles/ntm/8/203/112.mvt", "/tiles/ntm/8/204/112.mvt"] {
        assert_eq!(get_tile(&server, path), 200, "{path}");
    }
    // And a request that matches no route, with a path that must not become a label.
    assert_eq!(server.get_raw("/no/such/route/12345", &[]).status, 404);
    let mid = scrape(&server);
    let delta = |after: &Scrape, name: &str, labels: &[(&str, &str)]| after.value(name, labels) - before.value(name, labels);
    assert_eq!(delta(&mid, "bando_http_requests_total", &tile_200), 3.0);
    assert_eq!(delta(&mid, "bando_http_request_duration_seconds_count", &[("method", "GET"), ("route", TILE_ROUTE)]), 3.0);
    assert_eq!(delta(&mid, "bando_http_requests_total", &[("route", "unmatched"), ("status", "404")]), 1.0);
    // The tile answered twice was rendered once (a miss) and then taken from the cache.
    assert_eq!(delta(&mid, "bando_tile_cache_misses_total", &[("format", "mvt")]), 2.0);
    assert_eq!(delta(&mid, "bando_tile_cache_hits_total", &[("format", "mvt")]), 1.0);
    assert_eq!(delta(&mid, "bando_tile_render_seconds_count", &[("format", "mvt"), ("zoom", "8")]), 2.0);
    assert_eq!(mid.value("bando_tile_cache_entries", &[]), 2.0);
    assert!(mid.value("bando_tile_cache_bytes", &[]) > 2.0 * 160.0);
    // No label holds a requested path.
    for s in &mid.samples {
        for v in s.labels.values() {
            assert!(!v.contains("/tiles/ntm") && !v.contains("12345"), "a raw path became a label: {s:?}");
        }
    }
    // The latency histogram has the tile-sized buckets, 0.5 ms to 10 s.
    let les: Vec<String> = mid
        .series("bando_http_request_duration_seconds_bucket")
        .iter()
        .filter(|s| s.labels["route"] == TILE_ROUTE)
        .map(|s| s.labels["le"].clone())
        .collect();
    assert!(les.contains(&"0.0005".to_string()) && les.contains(&"10".to_string()) && les.contains(&"+Inf".to_string()), "{les:?}");

    // A PNG tile twice: one render at zoom 8 in the png series, then a hit.
    for _ in 0..2 {
        assert_eq!(get_tile(&server, "/tiles/ntm/8/203/112.png"), 200);
    }
    let after = scrape(&server);
    assert_eq!(delta(&after, "bando_http_requests_total", &tile_200), 5.0);
    assert_eq!(delta(&after, "bando_tile_cache_misses_total", &[("format", "png")]), 1.0);
    assert_eq!(delta(&after, "bando_tile_cache_hits_total", &[("format", "png")]), 1.0);
    assert_eq!(delta(&after, "bando_tile_render_seconds_count", &[("format", "png"), ("zoom", "8")]), 1.0);
    assert!(after.value("bando_tile_render_seconds_sum", &[("format", "png"), ("zoom", "8")]) > 0.0);
    assert_eq!(after.value("bando_tile_cache_entries", &[]), 3.0);
    // /metrics counts its own scrapes by its route too.
    assert_eq!(delta(&after, "bando_http_requests_total", &[("route", "/metrics"), ("status", "200")]), 2.0);

    // The data version in force, one series only.
    let (_, meta) = server.get_json("/api/v1/meta");
    let version = meta["meta"]["data_version"].as_str().unwrap().to_string();
    let info = after.series("bando_data_info");
    assert_eq!(info.len(), 1, "{info:?}");
    assert_eq!((info[0].labels["version"].as_str(), info[0].value), (version.as_str(), 1.0));
    assert_eq!(after.types["bando_data_info"], "gauge");
    let (_, ready) = server.get_json("/readyz");
    let published = after.value("bando_data_published_timestamp_seconds", &[]);
    assert!((published - ready["published_at"].as_f64().unwrap()).abs() < 0.002, "{published} vs {ready}");

    // A refused reload is counted as a failure and changes nothing published; a good one
    // as a success, and the info series moves to the new version (the old one is gone).
    dir.write("results.csv", &format!("{RESULTS_HEADER}00571,2099,kieu_mau,19,,\n"));
    assert_eq!(server.post_admin("/api/v1/admin/reload").0, 422);
    let refused = scrape(&server);
    assert_eq!(delta(&refused, "bando_data_reloads_total", &[("result", "failure")]), 1.0);
    assert_eq!(delta(&refused, "bando_data_reloads_total", &[("result", "success")]), 0.0);
    assert_eq!(refused.series("bando_data_info")[0].labels["version"], version);
    dir.write("results.csv", &format!("{RESULTS_HEADER}00571,2021,kieu_mau,19,2021-06-01,1/QĐ-UBND\n"));
    let (status, body) = server.post_admin("/api/v1/admin/reload");
    assert_eq!(status, 200, "{body}");
    let reloaded = scrape(&server);
    assert_eq!(delta(&reloaded, "bando_data_reloads_total", &[("result", "success")]), 1.0);
    let info = reloaded.series("bando_data_info");
    assert_eq!(info.len(), 1, "{info:?}");
    assert_eq!(info[0].labels["version"], body["data_version"].as_str().unwrap());
    assert_ne!(info[0].labels["version"], version);
}

#[test]
fn a_small_tile_cache_counts_its_evictions() {
    // 1 MiB of cache against 512 px PNG tiles of the whole country at zoom 7, then at
    // zooms 8 and 9 until the answers have brought 1.5 times the cache's size (palette PNGs are
    // small: the zoom-7 tiles alone fit).
    let server = Server::start(&["--tile-cache-mb", "1"]);
    let (mut rendered, mut bytes) = (0.0, 0);
    let tiles = (99..=104).flat_map(|x| (54..=62).map(move |y| (7, x, y)));
    let deeper = (198..=209).flat_map(|x| (108..=125).map(move |y| (8, x, y)));
    let deepest = (396..=419).flat_map(|x| (216..=251).map(move |y| (9, x, y)));
    for (z, x, y) in tiles.chain(deeper).chain(deepest) {
        if bytes > (3 << 20) / 2 {
            break;
        }
        let r = server.get_raw(&format!("/tiles/ntm/{z}/{x}/{y}@2x.png"), &[]);
        assert_eq!(r.status, 200, "{z}/{x}/{y}");
        rendered += 1.0;
        bytes += r.body.len();
    }
    assert!(bytes > (3 << 20) / 2, "only {bytes} bytes of tiles");
    let m = scrape(&server);
    let entries = m.value("bando_tile_cache_entries", &[]);
    let evicted = m.value("bando_tile_cache_evictions_total", &[]);
    assert_eq!(m.value("bando_tile_cache_misses_total", &[("format", "png@2x")]), rendered);
    assert!(evicted > 0.0, "no eviction with {entries} tiles in {} bytes", m.value("bando_tile_cache_bytes", &[]));
    // Every rendered tile was kept, so each one is either held or was evicted.
    assert_eq!(entries + evicted, rendered);
    assert!(m.value("bando_tile_cache_bytes", &[]) <= (1 << 20) as f64);
}

// ---------------------------------------------------------------- logs

/// Runs `bando serve` with stderr piped, waits for it to listen, calls `during` with its
/// base URL, then stops it and returns everything it wrote to stderr.
fn serve_and_collect_stderr(args: &[&str], env: &[(&str, &str)], during: impl FnOnce(&str)) -> Vec<u8> {
    let mut command = Command::new(BIN);
    command.arg("serve").args(["--bind", "127.0.0.1:0"]).args(args).env_remove("RUST_LOG");
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn bando");
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        stderr.read_to_end(&mut all).expect("stderr");
        all
    });
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    break Some(addr.to_string());
                }
            }
            _ => break None,
        }
    };
    if let Some(base) = &base {
        during(base);
        let _ = child.kill();
    }
    let _ = child.wait();
    reader.join().unwrap()
}

/// Each line of `stderr` as a JSON object (panics on any other line).
fn json_lines(stderr: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(stderr).expect("UTF-8 stderr");
    assert!(!stderr.contains(&0x1b), "an ESC byte in JSON logs:\n{text}");
    text.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}\nall:\n{text}"));
            assert!(v.is_object() && v["level"].is_string() && v["timestamp"].is_string(), "{line}");
            v
        })
        .collect()
}

#[test]
fn json_logs_are_one_object_per_line_even_for_multi_line_messages() {
    let dir = TempDir::new("json-logs");
    let results = dir.write("results.csv", &format!("{RESULTS_HEADER}00571,2021,dat_chuan,19,2021-06-01,1/QĐ-UBND\n"));
    // The format from the environment variable, the filter from the flag.
    let token = common::admin_token_file();
    let args = ["--results", path_str(&results), "--log", "info", "--admin-token-file", path_str(token)];
    let stderr = serve_and_collect_stderr(&args, &[("BANDO_LOG_FORMAT", "json")], |base| {
        // A refused reload logs every problem in one (multi-line) message.
        std::fs::write(&results, format!("{RESULTS_HEADER}00571,2099,kieu_mau,19,,\n00572,2098,dat_chuan,19,,\n")).unwrap();
        let bearer = format!("Bearer {}", common::ADMIN_TOKEN);
        let status = match agent().post(&format!("{base}/api/v1/admin/reload")).set("Authorization", &bearer).call() {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r.status(),
            Err(e) => panic!("{e}"),
        };
        assert_eq!(status, 422);
    });
    let events = json_lines(&stderr);
    let built = events.iter().find(|e| e["message"] == "atlas built").unwrap_or_else(|| panic!("no 'atlas built' event: {events:?}"));
    assert_eq!(built["level"], "INFO");
    assert!(built["communes_2024"].as_u64().unwrap() > 1000, "fields are top-level: {built}");
    let refused = events.iter().find(|e| e["level"] == "WARN").unwrap_or_else(|| panic!("no WARN event: {events:?}"));
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("results.csv:2") && message.contains("results.csv:3") && message.contains('\n'), "{message}");

    // A start that fails reports its error as a JSON line too.
    let out = Command::new(BIN)
        .args(["serve", "--bind", "127.0.0.1:0", "--log-format", "json", "--results", path_str(&results)])
        .output()
        .expect("run bando");
    assert!(!out.status.success());
    let events = json_lines(&out.stderr);
    let error = events.iter().find(|e| e["level"] == "ERROR").unwrap_or_else(|| panic!("no ERROR event: {events:?}"));
    assert!(error["message"].as_str().unwrap().contains("nothing is served"), "{error}");
}

#[test]
fn text_logs_into_a_pipe_carry_no_colour_codes() {
    let stderr = serve_and_collect_stderr(&["--log-format", "text", "--log", "info"], &[], |base| {
        assert_eq!(agent().get(&format!("{base}/healthz")).call().unwrap().status(), 200);
    });
    let text = String::from_utf8_lossy(&stderr);
    assert!(text.contains("atlas built") && text.contains("INFO"), "{text}");
    assert!(!stderr.contains(&0x1b), "an ESC byte in piped text logs:\n{text:?}");
    // A filter that does not parse is refused, naming the flag.
    let out = Command::new(BIN).args(["serve", "--log", "info,=[bad"]).output().expect("run bando");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--log / RUST_LOG"), "{}", String::from_utf8_lossy(&out.stderr));
}

// ---------------------------------------------------------------- headers

#[test]
fn security_headers_on_api_answers_tiles_errors_and_the_page() {
    common::browser::ensure_npm_packages();
    let server = Server::start(&[]);
    let answers = [
        ("/api/v1/meta", 200),
        ("/tiles/ntm/8/203/112.mvt", 200),
        ("/tiles/ntm/8/203/112.png", 200),
        ("/api/v1/communes/at?lon=1&lat=1", 404),
        ("/no/such/route", 404),
        ("/metrics", 200),
        ("/", 200),
    ];
    for (path, status) in answers {
        let raw = server.get_raw(path, &[("Accept-Encoding", "gzip")]);
        assert_eq!(raw.status, status, "{path}");
        assert_eq!(raw.header("x-content-type-options"), Some("nosniff"), "{path}: {:?}", raw.headers);
        assert_eq!(raw.header("referrer-policy"), Some("strict-origin-when-cross-origin"), "{path}");
    }
    let page = server.get_raw("/", &[]);
    let csp = page.header("content-security-policy").expect("the page has a CSP");
    let directives: BTreeMap<&str, Vec<&str>> = csp
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut words = d.split_whitespace();
            (words.next().unwrap(), words.collect())
        })
        .collect();
    assert_eq!(directives["script-src"], ["'self'"], "no inline script, no eval: {csp}");
    assert!(directives["worker-src"].contains(&"blob:") && directives["child-src"].contains(&"blob:"), "{csp}");
    assert!(directives["img-src"].contains(&"data:") && directives["img-src"].contains(&"blob:"), "{csp}");
    assert_eq!(directives["connect-src"], ["'self'"]);
    assert_eq!(directives["object-src"], ["'none'"]);
    assert!(!directives.contains_key("frame-ancestors"), "the viewer must stay embeddable: {csp}");
    // The page's scripts are same-origin files (absolute or relative paths, never another
    // origin), as the policy allows.
    let html = String::from_utf8(page.body).unwrap();
    for script in html.split("<script").skip(1) {
        let tag = &script[..script.find('>').unwrap()];
        let src = tag.split_once("src=\"").map(|(_, rest)| &rest[..rest.find('"').unwrap()]);
        assert!(src.is_some_and(|s| !s.is_empty() && !s.contains("//") && !s.contains(':')), "inline or foreign script in the page: <script{tag}>");
    }
    // API answers carry no page policy.
    assert_eq!(server.get_raw("/api/v1/meta", &[]).header("content-security-policy"), None);
}

// ---------------------------------------------------------------- CORS

/// Web maps on other sites embed the tiles and call the API: every answer lets any origin
/// read it, a preflight for a non-simple request is granted, and since nothing depends on
/// the requesting origin no answer varies by it (a shared cache keeps one copy, not one per
/// embedding site), while compressed tiles still vary by `Accept-Encoding`.
#[test]
fn any_origin_may_read_answers_which_do_not_vary_by_origin() {
    let server = Server::shared();
    let origin = ("Origin", "https://news.example");
    for (path, status) in [("/api/v1/meta", 200), ("/tiles/ntm/8/203/112.mvt", 200), ("/api/v1/communes/at?lon=1&lat=1", 404)] {
        let raw = server.get_raw(path, &[origin, ("Accept-Encoding", "gzip")]);
        assert_eq!(raw.status, status, "{path}");
        assert_eq!(raw.header("access-control-allow-origin"), Some("*"), "{path}: {:?}", raw.headers);
        let vary = raw.header("vary").unwrap_or("").to_ascii_lowercase();
        assert!(!vary.contains("origin") && !vary.contains("access-control"), "{path} varies by the requesting origin: {vary}");
    }
    let tile = server.get_raw("/tiles/ntm/8/203/112.mvt", &[origin, ("Accept-Encoding", "gzip")]);
    assert!(tile.header("vary").unwrap_or("").to_ascii_lowercase().contains("accept-encoding"), "{:?}", tile.headers);

    let preflight = agent()
        .request("OPTIONS", &server.url("/api/v1/communes/at"))
        .set("Origin", "https://news.example")
        .set("Access-Control-Request-Method", "POST")
        .set("Access-Control-Request-Headers", "content-type")
        .call()
        .expect("preflight answered");
    assert_eq!(preflight.status(), 200);
    for (name, value) in [("access-control-allow-origin", "*"), ("access-control-allow-methods", "*"), ("access-control-allow-headers", "*")] {
        assert_eq!(preflight.header(name), Some(value), "{name}");
    }
    assert!(!preflight.header("vary").unwrap_or("").to_ascii_lowercase().contains("origin"));
}
