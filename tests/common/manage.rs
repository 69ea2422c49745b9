//! Helpers for the management routes: a data folder whose accounts are created with the
//! real `bando user add` command, a server started on it, and a small browser (cookie
//! jar, no automatic redirects) that signs in through the real login form.

use super::{path_str, Server, TempDir, BIN};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::process::{Command, Stdio};

/// A data folder for `--data-dir`.
pub struct DataDir(pub TempDir);

impl DataDir {
    pub fn new(tag: &str) -> DataDir {
        DataDir(TempDir::new(&format!("data-{tag}")))
    }

    pub fn path(&self) -> &str {
        path_str(&self.0 .0)
    }

    /// Runs `bando user ARGS --data-dir DIR` with `stdin` piped in: (success, stdout, stderr).
    pub fn user(&self, args: &[&str], stdin: &str) -> (bool, String, String) {
        let mut child = Command::new(BIN)
            .arg("user")
            .args(args)
            .args(["--data-dir", self.path()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run bando user");
        // A command that fails before reading its input closes the pipe: not an error here.
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        let out = child.wait_with_output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
    }

    /// `bando user add NAME --role ROLE [--province P]… --name DISPLAY`, the password piped.
    pub fn add_user(&self, name: &str, role: &str, provinces: &[&str], display: &str, password: &str) {
        let mut args = vec!["add", name, "--role", role, "--name", display];
        for p in provinces {
            args.extend(["--province", p]);
        }
        let (ok, out, err) = self.user(&args, &format!("{password}\n"));
        assert!(ok, "bando user add {name} failed: {out}{err}");
    }

    /// `bando serve --data-dir DIR ARGS`.
    pub fn serve(&self, args: &[&str]) -> Server {
        let mut all = vec!["--data-dir", self.path()];
        all.extend_from_slice(args);
        Server::start(&all)
    }
}

/// An answer: status, headers (lower-case names; `set-cookie` lines each kept), body
/// (as text, and as bytes for pictures).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers.iter().filter(|(n, _)| n == "set-cookie").map(|(_, v)| v.as_str()).collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `value` of the first `<input … name="NAME" value="…">` of an HTML page.
    pub fn hidden_field(&self, name: &str) -> Option<String> {
        let at = self.body.find(&format!("name=\"{name}\" value=\""))?;
        let rest = &self.body[at + name.len() + 15..];
        Some(rest[..rest.find('"')?].to_string())
    }
}

/// A client that keeps cookies and does not follow redirects. `address` is sent as
/// `X-Forwarded-For` (the server trusts loopback proxies by default), so tests can
/// stand for clients at different addresses.
pub struct Browser {
    base: String,
    agent: ureq::Agent,
    pub cookies: BTreeMap<String, String>,
    pub address: String,
    /// Every answer received, for the secret leak checks.
    pub log: Vec<Answer>,
}

impl Browser {
    pub fn new(server: &Server, address: &str) -> Browser {
        // No pooled connections: the server closes a connection after refusing a request whose
        // body it did not read, and a reused one would then fail with an unexpected EOF.
        let agent = ureq::AgentBuilder::new().redirects(0).max_idle_connections(0).timeout(std::time::Duration::from_secs(60)).build();
        Browser { base: server.base.clone(), agent, cookies: BTreeMap::new(), address: address.into(), log: Vec::new() }
    }

    /// Sends a request; `body` is (content type, text).
    pub fn send(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<(&str, &str)>) -> Answer {
        self.send_bytes(method, path, headers, body.map(|(content_type, text)| (content_type, text.as_bytes())))
    }

    /// Sends a request; `body` is (content type, bytes).
    pub fn send_bytes(&mut self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<(&str, &[u8])>) -> Answer {
        let mut request = self.agent.request(method, &format!("{}{path}", self.base)).set("X-Forwarded-For", &self.address);
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.set("Cookie", &jar.join("; "));
        }
        for (name, value) in headers {
            request = request.set(name, value);
        }
        let result = match body {
            Some((content_type, bytes)) => request.set("Content-Type", content_type).send_bytes(bytes),
            None if method == "POST" || method == "PATCH" || method == "DELETE" => request.send_string(""),
            None => request.call(),
        };
        let resp = match result {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let status = resp.status();
        let mut names = resp.headers_names();
        names.sort();
        names.dedup();
        let headers: Vec<(String, String)> =
            names.iter().flat_map(|n| resp.all(n).into_iter().map(move |v| (n.to_ascii_lowercase(), v.to_string()))).collect();
        let mut bytes = Vec::new();
        resp.into_reader().read_to_end(&mut bytes).unwrap();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        let answer = Answer { status, headers, body, bytes };
        for cookie in answer.set_cookies() {
            let pair = cookie.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || cookie.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.into(), value.into());
            }
        }
        self.log.push(answer.clone());
        answer
    }

    pub fn get(&mut self, path: &str) -> Answer {
        self.send("GET", path, &[], None)
    }

    /// Opens the login form and posts it: the login answer.
    pub fn login(&mut self, username: &str, password: &str) -> Answer {
        let form = self.get("/manage/login");
        assert_eq!(form.status, 200, "{}", form.body);
        let csrf = form.hidden_field("csrf").expect("the form has a csrf field");
        let body = format!("username={}&password={}&csrf={csrf}", encode(username), encode(password));
        self.send("POST", "/manage/login", &[], Some(("application/x-www-form-urlencoded", &body)))
    }

    /// The CSRF token of the signed-in session, read from the /manage page's logout form.
    pub fn csrf(&mut self) -> String {
        let page = self.get("/manage");
        assert_eq!(page.status, 200, "{}", page.body);
        page.hidden_field("csrf").expect("the page carries the session's csrf token")
    }

    /// A JSON request with the session cookie and, when given, the CSRF header.
    pub fn json(&mut self, method: &str, path: &str, csrf: Option<&str>, body: &serde_json::Value) -> Answer {
        let headers: Vec<(&str, &str)> = csrf.map(|c| vec![("X-CSRF-Token", c)]).unwrap_or_default();
        self.send(method, path, &headers, Some(("application/json", &body.to_string())))
    }
}

/// Form-urlencodes a value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
