//! Test harness: starts the real `bando` binary on 127.0.0.1 (port 0: the OS picks one)
//! and talks to it over HTTP.
#![allow(dead_code)]

pub mod browser;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_bando");

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A reference table of the project (`geodata/reference/`: codes, names, points,
/// crosswalk, outline), read by tests independently of the service's loaders.
pub fn reference(file: &str) -> PathBuf {
    repo().join("geodata/reference").join(file)
}

/// A real boundary file of `../shared/geodata` (never committed). Tests that call this are
/// `#[ignore]`d; run with `--include-ignored` where the folder exists. A missing file
/// fails the test: an ignored test that is asked to run must check something.
pub fn shared_geodata(file: &str) -> PathBuf {
    let path = repo().join("../shared/geodata").join(file);
    assert!(path.exists(), "{} is absent: this test needs the real boundary files of ../shared/geodata", path.display());
    path
}

pub struct Server {
    child: Child,
    pub base: String,
}

/// How a server start ended when it did not come up.
pub struct Failed {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Server {
    /// Starts `bando serve` with extra arguments; panics if it does not come up.
    pub fn start(args: &[&str]) -> Server {
        match Server::try_start(args) {
            Ok(s) => s,
            Err(f) => panic!("server did not start (exit {:?}):\n{}\n{}", f.code, f.stdout, f.stderr),
        }
    }

    /// Starts `bando serve`; `Err` carries the exit status and output when it exits
    /// instead of listening.
    pub fn try_start(args: &[&str]) -> Result<Server, Failed> {
        let mut child = Command::new(BIN)
            .arg("serve")
            .args(["--bind", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn bando");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut seen = String::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(Ok(addr.to_string()));
                    return;
                }
                seen.push_str(&line);
                seen.push('\n');
            }
            let _ = tx.send(Err(seen));
        });
        match rx.recv_timeout(Duration::from_secs(300)) {
            Ok(Ok(base)) => Ok(Server { child, base }),
            Ok(Err(stdout)) => {
                let status = child.wait().expect("wait");
                let mut stderr = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut stderr);
                }
                Err(Failed { code: status.code(), stdout, stderr })
            }
            Err(_) => {
                let _ = child.kill();
                panic!("server did not print its address within 300 s");
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// GET returning (status, JSON body).
    pub fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        response_json(agent().get(&self.url(path)).call())
    }

    pub fn post_json(&self, path: &str) -> (u16, serde_json::Value) {
        response_json(agent().post(&self.url(path)).call())
    }

    /// POST with request headers (e.g. `Authorization`), returning (status, JSON body).
    pub fn post_json_with(&self, path: &str, headers: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let mut request = agent().post(&self.url(path));
        for (name, value) in headers {
            request = request.set(name, value);
        }
        response_json(request.call())
    }

    /// GET with request headers, returning the answer as received (no decompression).
    pub fn get_raw(&self, path: &str, headers: &[(&str, &str)]) -> Raw {
        let mut request = agent().get(&self.url(path));
        for (name, value) in headers {
            request = request.set(name, value);
        }
        let resp = match request.call() {
            Ok(resp) | Err(ureq::Error::Status(_, resp)) => resp,
            Err(e) => panic!("GET {path} failed: {e}"),
        };
        let status = resp.status();
        // A header sent on several lines is joined as one list, as HTTP allows.
        let mut names = resp.headers_names();
        names.sort();
        names.dedup();
        let headers = names.into_iter().map(|n| (n.to_ascii_lowercase(), resp.all(&n).join(", "))).collect();
        let mut body = Vec::new();
        resp.into_reader().read_to_end(&mut body).expect("body");
        Raw { status, headers, body }
    }
}

impl Server {
    /// The address (`127.0.0.1:PORT`) for raw TCP clients.
    pub fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    /// Sends a signal (`TERM`, `INT`, `HUP`) to the server process.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill").args(["-s", name, &self.child.id().to_string()]).status().expect("kill");
        assert!(status.success(), "kill -s {name} failed");
    }

    /// Waits up to `timeout` for the process to exit; `None` if it is still running.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let start = std::time::Instant::now();
        while start.elapsed() < timeout {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// What the process wrote to standard error (call after it exited).
    pub fn stderr(&mut self) -> String {
        let mut text = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut text);
        }
        text
    }
}

/// An HTTP answer as received: status, headers (lower-case names, repeated lines
/// joined), raw body.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

pub fn agent() -> ureq::Agent {
    thread_local! {
        static AGENT: ureq::Agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(120)).build();
    }
    AGENT.with(Clone::clone)
}

fn response_json(r: Result<ureq::Response, ureq::Error>) -> (u16, serde_json::Value) {
    let resp = match r {
        Ok(resp) => resp,
        Err(ureq::Error::Status(_, resp)) => resp,
        Err(e) => panic!("request failed: {e}"),
    };
    let status = resp.status();
    let body: serde_json::Value = resp.into_json().expect("JSON body");
    (status, body)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A commune row of the reference tables in geodata/reference.
pub struct RefCommune {
    pub code: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
}

/// Reads `communes-2024.csv` or `communes-2025.csv` with a plain CSV reader,
/// independently of the service's loaders.
pub fn reference_communes(edition: u16) -> Vec<RefCommune> {
    let path = reference(&format!("communes-{edition}.csv"));
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (c, n, x, y) = (col("code"), col("name"), col("lon"), col("lat"));
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            RefCommune {
                code: r[c].to_string(),
                name: r[n].to_string(),
                lon: r[x].parse().expect("lon"),
                lat: r[y].parse().expect("lat"),
            }
        })
        .collect()
}

/// A scratch folder, removed at the end of the test.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("bando-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, content).expect("write");
        path
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// The label point (`label_lon`, `label_lat`) and code of every commune of the embedded
/// data, read with the flatgeobuf crate directly (not through the service's loader).
pub fn embedded_label_points(edition: u16) -> Vec<RefCommune> {
    use flatgeobuf::{FallibleStreamingIterator, FeatureProperties, FgbReader};
    let path = repo().join(format!("geodata/communes-{edition}.fgb"));
    let mut file = std::io::BufReader::new(std::fs::File::open(&path).expect("embedded communes"));
    let mut reader = FgbReader::open(&mut file).expect("fgb").select_all_seq().expect("select");
    let mut out = Vec::new();
    while let Some(f) = reader.next().expect("feature") {
        let text = |k: &str| -> String { f.property(k).expect(k) };
        out.push(RefCommune {
            code: text("code"),
            name: text("name"),
            lon: text("label_lon").parse().expect("lon"),
            lat: text("label_lat").parse().expect("lat"),
        });
    }
    out
}

/// The rows of a CSV file as column name → value maps (an independent reader for
/// checking answers against source files).
pub fn csv_rows(path: PathBuf) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| headers.iter().map(String::from).zip(r.unwrap().iter().map(String::from)).collect())
        .collect()
}
