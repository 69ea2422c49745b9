//! A lean closed-loop HTTP/1.1 load generator for GET routes that answer in microseconds.
//!
//!   cargo build --release --manifest-path benches/compare/http_load/Cargo.toml --target-dir target
//!   target/release/http_load --url http://127.0.0.1:PORT --paths FILE \
//!       --connections 16 --threads 2 --seconds 10 [--layout ordered|spread] \
//!       [--header 'Accept-Encoding: gzip' ...]
//!
//! `FILE` holds one request target per line (`/api/v1/communes/at?lon=…&lat=…`). Prints
//! one line of `key=value` pairs: `requests`, `seconds`, `qps`, `latency_ms` (mean, by
//! Little's law: connections × seconds / requests), `non_200`, `errors`.
//!
//! Steps:
//!   1. every target is formatted once into its request bytes (`GET … HTTP/1.1`, `Host`,
//!      the `--header` lines, nothing else): no per-request formatting, scripting or allocation;
//!   2. `--connections` keep-alive connections (no Nagle delay) are opened one after the
//!      other, before any thread starts, so the server accepts them in a known order, and
//!      dealt to `--threads` threads: with `--layout ordered` (the default) connection `c`
//!      goes to thread `c % threads`, with `--layout spread` the first `connections /
//!      threads` to thread 0, the next to thread 1, and so on. A server that deals the
//!      connections it accepts round robin to as many workers as there are threads thus
//!      serves each thread's connections on one worker (ordered) or on all of them
//!      (spread). Connection `c` walks the targets from its own offset;
//!   3. each thread sends the first request on each of its connections, then waits with
//!      `epoll` for connections with bytes to read; each connection thus holds one request
//!      in flight, as a client that waits for each answer before asking again. Per request:
//!      one `read` (two if the answer arrives in pieces), one `write`, and a share of one
//!      `epoll_wait`, which reports every connection that is ready at once;
//!   4. an answer is complete once its head and `Content-Length` bytes of body are in;
//!      its status is checked (anything but 200 is counted in `non_200`; an answer without
//!      `Content-Length` is an error: the routes measured always send it), then the
//!      connection's next request goes out;
//!   5. after `--seconds`, answers still on their way are not counted and the counts of
//!      the threads are summed.
//!
//! Linux only (`epoll`). Why not wrk: its Lua `request()` hook, needed to send a different point per request,
//! costs about as much client CPU as the server spends answering; on a machine where client
//! and server share the cores, that caps the throughput the measurement can show.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

struct Args {
    addr: SocketAddr,
    /// Step 2: `--layout spread` instead of ordered.
    spread: bool,
    host: String,
    /// `--header 'Name: value'`, repeatable: sent with every request (tiles need
    /// `Accept-Encoding: gzip` to be answered with the bytes a browser gets).
    headers: Vec<String>,
    targets: Vec<String>,
    connections: usize,
    threads: usize,
    seconds: f64,
}

fn usage(problem: &str) -> ! {
    eprintln!("http_load: {problem}");
    eprintln!("usage: http_load --url http://HOST:PORT --paths FILE [--connections 2] [--threads 2] [--seconds 10] [--layout ordered|spread] [--header 'Name: value' ...]");
    std::process::exit(2);
}

fn args() -> Args {
    let (mut url, mut paths, mut connections, mut threads, mut seconds, mut spread) = (None, None, 2, 2, 10.0, false);
    let mut headers = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        let number = |v: &str| v.parse::<f64>().unwrap_or_else(|_| usage(&format!("{flag}: not a number: {v}")));
        match flag.as_str() {
            "--url" => url = Some(value),
            "--paths" => paths = Some(value),
            "--header" => {
                if !value.contains(':') || value.contains('\r') || value.contains('\n') {
                    usage(&format!("--header: {value:?} is not one 'Name: value' line"));
                }
                headers.push(value)
            }
            "--connections" => connections = number(&value) as usize,
            "--threads" => threads = number(&value) as usize,
            "--seconds" => seconds = number(&value),
            "--layout" => {
                spread = match value.as_str() {
                    "ordered" => false,
                    "spread" => true,
                    other => usage(&format!("--layout: {other} is not ordered or spread")),
                }
            }
            _ => usage(&format!("unknown flag {flag}")),
        }
    }
    let url = url.unwrap_or_else(|| usage("--url is required"));
    let host = url.strip_prefix("http://").unwrap_or_else(|| usage("--url must start with http://")).trim_end_matches('/').to_string();
    let addr = host.to_socket_addrs().ok().and_then(|mut a| a.next()).unwrap_or_else(|| usage(&format!("cannot resolve {host}")));
    let paths = paths.unwrap_or_else(|| usage("--paths is required"));
    let text = std::fs::read_to_string(&paths).unwrap_or_else(|e| usage(&format!("cannot read {paths}: {e}")));
    let targets: Vec<String> = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
    if targets.is_empty() {
        usage(&format!("{paths} holds no request target"));
    }
    if connections == 0 || threads == 0 {
        usage("--connections and --threads must be at least 1");
    }
    Args { addr, spread, host, headers, targets, connections, threads: threads.min(connections), seconds }
}

/// What one thread counted.
#[derive(Default)]
struct Counts {
    requests: u64,
    non_200: u64,
    errors: u64,
    first_error: Option<String>,
}

/// One keep-alive connection with its read buffer and its place in the target list.
struct Connection {
    stream: TcpStream,
    /// Zeroed once when it grows, never per read: `buffer[..filled]` is the answer so far.
    buffer: Vec<u8>,
    filled: usize,
    next: usize,
}

/// The read buffer's size at first, and the room below which it doubles.
const BUFFER: usize = 64 * 1024;
const ROOM: usize = 16 * 1024;

impl Connection {
    fn open(addr: SocketAddr, first: usize) -> std::io::Result<Connection> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_nonblocking(true)?;
        Ok(Connection { stream, buffer: vec![0; BUFFER], filled: 0, next: first })
    }

    /// Sends the connection's next request (a few dozen bytes: the socket buffer always
    /// has room for it, so a short write is an error, not a wait).
    fn send(&mut self, requests: &[Vec<u8>]) -> Result<(), String> {
        let request = &requests[self.next];
        match self.stream.write(request) {
            Ok(n) if n == request.len() => Ok(()),
            Ok(n) => Err(format!("write: {n} of {} bytes", request.len())),
            Err(e) => Err(format!("write: {e}")),
        }
    }

    /// Reads what has arrived; `Ok(false)` when nothing had (a spurious wake-up).
    /// (Zeroing 64 KB before every read, as `Vec::resize` would, cost the client about as
    /// much as the read itself.)
    fn read_some(&mut self) -> Result<bool, String> {
        if self.buffer.len() - self.filled < ROOM {
            self.buffer.resize(self.buffer.len() * 2, 0);
        }
        match self.stream.read(&mut self.buffer[self.filled..]) {
            Ok(0) => Err("the server closed the connection".to_string()),
            Ok(n) => {
                self.filled += n;
                Ok(true)
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(false),
            Err(e) => Err(format!("read: {e}")),
        }
    }

    /// Step 4: the status of the answer in the buffer once it is complete.
    fn answer(&self) -> Result<Option<u16>, String> {
        let answer = &self.buffer[..self.filled];
        let Some(head_end) = find(answer, b"\r\n\r\n").map(|at| at + 4) else { return Ok(None) };
        let head = &answer[..head_end];
        let status = head
            .get(9..12)
            .and_then(|s| std::str::from_utf8(s).ok())
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| format!("not an HTTP status line: {:?}", String::from_utf8_lossy(&head[..head.len().min(40)])))?;
        let length = content_length(head).ok_or("an answer without Content-Length")?;
        match answer.len().cmp(&(head_end + length)) {
            std::cmp::Ordering::Less => Ok(None),
            std::cmp::Ordering::Equal => Ok(Some(status)),
            std::cmp::Ordering::Greater => Err("more bytes than the answer's Content-Length (no pipelining is sent)".into()),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &[u8]) -> Option<usize> {
    const NAME: &[u8] = b"content-length:";
    head.split(|&b| b == b'\n').find_map(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        (line.len() > NAME.len() && line[..NAME.len()].eq_ignore_ascii_case(NAME))
            .then(|| std::str::from_utf8(&line[NAME.len()..]).ok()?.trim().parse().ok())
            .flatten()
    })
}

/// An epoll instance (closed on drop).
struct Epoll(i32);

impl Epoll {
    fn new() -> std::io::Result<Epoll> {
        // SAFETY: plain system call; the descriptor is owned by the returned value.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Epoll(fd))
    }

    /// Watches `stream` for reading (level-triggered), reporting `token`.
    fn watch(&self, stream: &TcpStream, token: usize) -> std::io::Result<()> {
        let mut event = libc::epoll_event { events: libc::EPOLLIN as u32, u64: token as u64 };
        // SAFETY: both descriptors are open; `event` outlives the call.
        if unsafe { libc::epoll_ctl(self.0, libc::EPOLL_CTL_ADD, stream.as_raw_fd(), &mut event) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    /// Tokens of the connections ready to read, waiting up to `timeout_ms`.
    fn wait(&self, events: &mut [libc::epoll_event], timeout_ms: i32) -> std::io::Result<usize> {
        // SAFETY: `events` is a valid buffer of `events.len()` entries.
        let n = unsafe { libc::epoll_wait(self.0, events.as_mut_ptr(), events.len() as i32, timeout_ms) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            return if e.kind() == ErrorKind::Interrupted { Ok(0) } else { Err(e) };
        }
        Ok(n as usize)
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        // SAFETY: the descriptor is ours and closed once.
        unsafe { libc::close(self.0) };
    }
}

/// Steps 3–5 for one thread's connections.
fn run_thread(requests: &[Vec<u8>], opened: Vec<Result<Connection, String>>, until: Instant) -> Counts {
    let mut counts = Counts::default();
    let fail = |counts: &mut Counts, e: String| {
        counts.errors += 1;
        counts.first_error.get_or_insert(e);
    };
    let epoll = match Epoll::new() {
        Ok(e) => e,
        Err(e) => {
            fail(&mut counts, format!("epoll: {e}"));
            return counts;
        }
    };
    // `None` once a connection has failed: it is left alone rather than reused mid-answer.
    let mut connections: Vec<Option<Connection>> = Vec::new();
    for opened in opened {
        let opened = opened.and_then(|mut c| {
            epoll.watch(&c.stream, connections.len()).map_err(|e| format!("epoll: {e}"))?;
            c.send(requests)?;
            Ok(c)
        });
        match opened {
            Ok(c) => connections.push(Some(c)),
            Err(e) => fail(&mut counts, e),
        }
    }
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; connections.len().max(1)];
    let mut open = connections.len();
    while open > 0 && Instant::now() < until {
        let ready = match epoll.wait(&mut events, 100) {
            Ok(n) => n,
            Err(e) => {
                fail(&mut counts, format!("epoll_wait: {e}"));
                break;
            }
        };
        for event in &events[..ready] {
            let token = event.u64 as usize;
            let Some(c) = connections[token].as_mut() else { continue };
            let step = c.read_some().and_then(|_| c.answer()).and_then(|answered| {
                let Some(status) = answered else { return Ok(None) };
                c.filled = 0;
                c.next = (c.next + 1) % requests.len();
                c.send(requests)?;
                Ok(Some(status))
            });
            match step {
                Ok(None) => {}
                Ok(Some(status)) => {
                    counts.requests += 1;
                    if status != 200 {
                        counts.non_200 += 1;
                    }
                }
                Err(e) => {
                    fail(&mut counts, e);
                    connections[token] = None;
                    open -= 1;
                }
            }
        }
    }
    counts
}

fn main() {
    let a = args();
    // Step 1.
    let extra: String = a.headers.iter().map(|h| format!("{h}\r\n")).collect();
    let requests: Vec<Vec<u8>> =
        a.targets.iter().map(|t| format!("GET {t} HTTP/1.1\r\nHost: {}\r\n{extra}\r\n", a.host).into_bytes()).collect();
    // Step 2: connection c starts at its own offset in the list (7919 is prime).
    let mut per_thread: Vec<Vec<Result<Connection, String>>> = (0..a.threads).map(|_| Vec::new()).collect();
    let per_thread_count = a.connections.div_ceil(a.threads);
    for c in 0..a.connections {
        let thread = if a.spread { c / per_thread_count } else { c % a.threads };
        per_thread[thread].push(Connection::open(a.addr, (c + 1) * 7919 % requests.len()).map_err(|e| format!("connect: {e}")));
    }
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(a.seconds);
    let totals = std::thread::scope(|scope| {
        let handles: Vec<_> = per_thread
            .into_iter()
            .map(|opened| {
                let requests = &requests;
                scope.spawn(move || run_thread(requests, opened, until))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a load thread panicked")).collect::<Vec<_>>()
    });
    let seconds = started.elapsed().as_secs_f64();
    let requests: u64 = totals.iter().map(|c| c.requests).sum();
    let non_200: u64 = totals.iter().map(|c| c.non_200).sum();
    let errors: u64 = totals.iter().map(|c| c.errors).sum();
    let latency_ms = if requests > 0 { a.connections as f64 * seconds / requests as f64 * 1e3 } else { 0.0 };
    println!(
        "requests={requests} seconds={seconds:.3} qps={:.1} latency_ms={latency_ms:.4} non_200={non_200} errors={errors}",
        requests as f64 / seconds
    );
    if let Some(e) = totals.iter().find_map(|c| c.first_error.as_ref()) {
        eprintln!("http_load: first error: {e}");
    }
}
