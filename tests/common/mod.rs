//! Test harness: starts the real `bando` binary on 127.0.0.1 (port 0: the OS picks one)
//! and talks to it over HTTP. Tests that only read share one server per test binary
//! (`Server::shared`); every server dies with the test process.
//!
//! Submodules: `sources` reads the project's source files independently of the service
//! (the expected answers), `text` folds and encodes queries as people type them, `mvt` decodes vector tiles, `raster` reads PNG answers,
//! `browser` sets up the viewer test.
#![allow(dead_code)]

pub mod browser;
pub mod manage;
pub mod mvt;
pub mod raster;
pub mod sources;
pub mod text;

// Each test binary uses some of these; the harness is compiled into every one.
#[allow(unused_imports)]
pub use sources::{csv_rows, embedded_label_points, geodata, reference_communes, RefCommune};

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, OnceLock};
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
    /// Everything the server writes to standard error, once it has exited.
    errors: Option<std::thread::JoinHandle<String>>,
    /// What the server wrote to standard output after its address line.
    output: std::sync::Arc<std::sync::Mutex<String>>,
}

/// How a server start ended when it did not come up.
pub struct Failed {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Server {
    /// The server on the embedded data with default settings, started once per test
    /// binary on first use and shared by every test of that binary that only reads.
    /// It is never dropped: `spawn` makes the kernel kill it when the test process ends.
    pub fn shared() -> &'static Server {
        static SHARED: OnceLock<Server> = OnceLock::new();
        SHARED.get_or_init(|| Server::start(&[]))
    }

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
        let mut command = Command::new(BIN);
        command
            .arg("serve")
            .args(["--bind", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = spawn(command);
        // Both pipes are read to their end for the server's whole life: a full pipe
        // would block the server at its next log line.
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        let output = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let kept = output.clone();
        std::thread::spawn(move || {
            let mut seen = String::new();
            let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
            for line in lines.by_ref() {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(Ok(addr.to_string()));
                    for line in lines {
                        let mut kept = kept.lock().unwrap();
                        kept.push_str(&line);
                        kept.push('\n');
                    }
                    return;
                }
                seen.push_str(&line);
                seen.push('\n');
            }
            let _ = tx.send(Err(seen));
        });
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = BufReader::new(stderr).read_to_string(&mut text);
            text
        });
        match rx.recv_timeout(Duration::from_secs(300)) {
            Ok(Ok(base)) => Ok(Server { child, base, errors: Some(errors), output }),
            Ok(Err(stdout)) => {
                let status = child.wait().expect("wait");
                let stderr = errors.join().unwrap_or_default();
                Err(Failed { code: status.code(), stdout, stderr })
            }
            Err(_) => {
                let _ = child.kill();
                panic!("server did not print its address within 300 s");
            }
        }
    }

    /// Starts `bando serve` with the admin routes open to [`ADMIN_TOKEN`].
    pub fn start_with_admin(args: &[&str]) -> Server {
        let token = admin_token_file();
        let mut all = vec!["--admin-token-file", path_str(token)];
        all.extend_from_slice(args);
        Server::start(&all)
    }

    /// Starts `bando serve --data-dir DIR` with extra arguments (a managed data folder:
    /// seeded on first start, served from its database).
    pub fn start_with_data_dir(dir: &Path, args: &[&str]) -> Server {
        let mut all = vec!["--data-dir", path_str(dir)];
        all.extend_from_slice(args);
        Server::start(&all)
    }

    /// POST with the admin bearer token, returning (status, JSON body).
    pub fn post_admin(&self, path: &str) -> (u16, serde_json::Value) {
        response_json(agent().post(&self.url(path)).set("Authorization", &format!("Bearer {ADMIN_TOKEN}")).call())
    }

    /// The server's process id (to send it signals).
    pub fn pid(&self) -> u32 {
        self.child.id()
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

/// Spawns a server process that dies with the test process.
///
/// On Linux the child asks the kernel for SIGKILL when its parent goes
/// (`PR_SET_PDEATHSIG`). The kernel means the parent *thread*, and the test harness
/// runs each test on a thread of its own that ends with the test, so every spawn is
/// done by one thread that lives as long as the process.
fn spawn(command: Command) -> Child {
    type Request = (Command, mpsc::Sender<std::io::Result<Child>>);
    static SPAWNER: OnceLock<mpsc::Sender<Request>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("server-spawner".into())
            .spawn(move || {
                for (mut command, reply) in rx {
                    die_with_this_thread(&mut command);
                    let _ = reply.send(command.spawn());
                }
            })
            .expect("spawner thread");
        tx
    });
    let (reply, answer) = mpsc::channel();
    spawner.send((command, reply)).expect("spawner thread is alive");
    answer.recv().expect("spawner answers").expect("spawn bando")
}

#[cfg(target_os = "linux")]
fn die_with_this_thread(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure runs in the forked child before exec and calls only
    // async-signal-safe functions (prctl, getppid).
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The test process may have ended between fork and prctl.
            if libc::getppid() != parent {
                return Err(std::io::Error::other("the test process is gone"));
            }
            Ok(())
        });
    }
}

/// Elsewhere a server held in a `static` outlives the test process until killed.
#[cfg(not(target_os = "linux"))]
fn die_with_this_thread(_: &mut Command) {}

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

    /// What the process wrote to standard output after its address line, so far.
    pub fn stdout(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// What the process wrote to standard error (call after it exited).
    pub fn stderr(&mut self) -> String {
        self.errors.take().and_then(|e| e.join().ok()).unwrap_or_default()
    }
}

/// The admin bearer token of [`Server::start_with_admin`].
pub const ADMIN_TOKEN: &str = "test-admin-token-5d1c";

/// A file holding [`ADMIN_TOKEN`], written once per test process.
pub fn admin_token_file() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("bando-test-admin-token-{}", std::process::id()));
        std::fs::write(&path, format!("{ADMIN_TOKEN}\n")).expect("token file");
        path
    })
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

/// A scratch folder is used as its path.
impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
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

/// The `href` of a page's `<link rel="icon">`. Every page of the service names its icon:
/// without one a browser asks for `/favicon.ico` and logs the 404 in the console.
pub fn icon_href(html: &str) -> &str {
    let at = html.find("<link rel=\"icon\" href=\"").unwrap_or_else(|| panic!("no icon link in {html}"));
    let rest = &html[at + "<link rel=\"icon\" href=\"".len()..];
    &rest[..rest.find('"').expect("closing quote")]
}

/// Makes sure Python 3 can `import module`, installing the pinned `requirement` with pip
/// when it cannot (as `.ci/run` does ahead of time), so the README's test command works
/// on a fresh machine; fails naming the command when pip cannot install it either.
pub fn ensure_python_package(module: &str, requirement: &str) {
    let importable = || {
        Command::new("python3").args(["-c", &format!("import {module}")]).output().is_ok_and(|o| o.status.success())
    };
    if importable() {
        return;
    }
    eprintln!("python3 cannot import {module}: installing {requirement} with pip");
    // Debian's own Python refuses plain pip installs (PEP 668), hence the second form.
    for extra in [&[][..], &["--break-system-packages"][..]] {
        let status = Command::new("python3").args(["-m", "pip", "install", "--quiet", requirement]).args(extra).status();
        if status.is_ok_and(|s| s.success()) && importable() {
            return;
        }
    }
    panic!("python3 cannot import {module}; install it with: python3 -m pip install {requirement}");
}
