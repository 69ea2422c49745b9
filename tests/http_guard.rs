//! Limits and lifecycle of the real server: slow-header clients, long request targets
//! and heads, requests beyond the in-flight limit, static map render slots and shared
//! renders, and the graceful stop on SIGTERM / SIGINT.

mod common;
use common::{agent, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// A 4096×4096 static map: half a second or more of drawing. `n` varies the view so
/// different `n` are different maps.
fn big_map(n: u32) -> String {
    format!("/static/ntm.png?bbox={},8.2,{},23.4&width=4096&height=4096", 102.1 + f64::from(n) * 0.01, 109.5 + f64::from(n) * 0.01)
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    done: Instant,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// GET; a failed connection (closed without an answer) is status 0.
fn get(url: &str) -> Answer {
    let resp = match agent().get(url).call() {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(_) => return Answer { status: 0, headers: vec![], body: vec![], done: Instant::now() },
    };
    let headers = resp.headers_names().into_iter().map(|n| (n.clone(), resp.header(&n).unwrap_or("").to_string())).collect();
    let status = resp.status();
    let mut body = Vec::new();
    if resp.into_reader().read_to_end(&mut body).is_err() {
        return Answer { status: 0, headers: vec![], body: vec![], done: Instant::now() };
    }
    Answer { status, headers, body, done: Instant::now() }
}

/// GETs all `paths` at once (released together by a barrier).
fn get_all(server: &Server, paths: Vec<String>) -> Vec<Answer> {
    let barrier = Arc::new(Barrier::new(paths.len()));
    let threads: Vec<_> = paths
        .into_iter()
        .map(|p| {
            let (url, barrier) = (server.url(&p), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                get(&url)
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

/// Writes `request` on a fresh connection and reads until the server closes it.
fn raw_exchange(server: &Server, request: &[u8]) -> String {
    let mut tcp = TcpStream::connect(server.addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    // The server may answer and close before it has read everything; that is fine.
    let _ = tcp.write_all(request);
    let mut out = Vec::new();
    let _ = tcp.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn a_client_trickling_its_headers_is_disconnected_after_the_header_timeout() {
    let server = Server::start(&["--header-read-timeout-secs", "1"]);
    let mut tcp = TcpStream::connect(server.addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let started = Instant::now();
    tcp.write_all(b"GET /api/v1/meta HTTP/1.1\r\nHost: x\r\n").unwrap();
    // Slowloris: one more header line every 200 ms, never the blank line ending the head.
    let mut writer = tcp.try_clone().unwrap();
    let trickle = std::thread::spawn(move || {
        for i in 0..100 {
            std::thread::sleep(Duration::from_millis(200));
            if writer.write_all(format!("X-Slow-{i}: a\r\n").as_bytes()).is_err() {
                return i;
            }
        }
        100
    });
    let mut buf = [0u8; 256];
    let read = tcp.read(&mut buf);
    let closed_after = started.elapsed();
    assert!(matches!(read, Ok(0) | Err(_)), "the server answered a request it never fully got: {read:?}");
    assert!(
        closed_after >= Duration::from_millis(900) && closed_after < Duration::from_secs(10),
        "closed after {closed_after:?}; the header timeout is 1 s"
    );
    assert!(trickle.join().unwrap() < 100, "the server kept reading a head that never ended");
    // A whole request on a new connection is answered as usual.
    assert_eq!(server.get_json("/api/v1/meta").0, 200);
}

#[test]
fn a_long_request_target_is_414_and_a_large_head_is_431() {
    let server = Server::start(&["--max-uri-bytes", "1024", "--max-header-bytes", "4096"]);
    let ok = format!("/api/v1/meta?pad={}", "a".repeat(900));
    assert_eq!(get(&server.url(&ok)).status, 200);
    let long = format!("/api/v1/meta?pad={}", "a".repeat(1100));
    let answer = get(&server.url(&long));
    assert_eq!(answer.status, 414);
    let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("1024"), "{body}");

    let small = raw_exchange(&server, b"GET /api/v1/meta HTTP/1.1\r\nHost: x\r\nX-Pad: abc\r\nConnection: close\r\n\r\n");
    assert!(small.starts_with("HTTP/1.1 200"), "{small}");
    let head = format!("GET /api/v1/meta HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\nConnection: close\r\n\r\n", "b".repeat(5000));
    let big = raw_exchange(&server, head.as_bytes());
    assert!(big.starts_with("HTTP/1.1 431"), "{big}");
}

#[test]
fn requests_beyond_the_in_flight_limit_are_shed_with_503_and_retry_after() {
    // Four requests on four connections, dealt two to each worker thread: the limit holds
    // for the workers together (with a limit per worker all four would be answered).
    let server = Server::start(&["--max-in-flight", "2", "--http-workers", "2", "--static-map-cache-mb", "0", "--static-map-queue", "8"]);
    let answers = get_all(&server, (0..4).map(big_map).collect());
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    let shed: Vec<&Answer> = answers.iter().filter(|a| a.status == 503).collect();
    assert!(answers.iter().filter(|a| a.status == 200).count() >= 2, "{statuses:?}");
    assert!(!shed.is_empty(), "nothing was shed: {statuses:?}");
    assert!(answers.iter().all(|a| a.status == 200 || a.status == 503), "{statuses:?}");
    for a in shed {
        assert_eq!(a.header("retry-after"), Some("1"), "{:?}", a.headers);
        let body: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(body["error"]["status"], 503);
    }
    // Once the burst is over the server answers again.
    assert_eq!(server.get_json("/api/v1/meta").0, 200);
}

#[test]
fn static_maps_beyond_their_render_slots_and_queue_are_shed_while_tiles_are_answered() {
    let server = Server::start(&["--static-map-renders", "1", "--static-map-queue", "1", "--static-map-cache-mb", "0"]);
    let mut paths: Vec<String> = (0..4).map(big_map).collect();
    // A cold tile and a point query in the same burst are answered, not queued behind.
    paths.push("/tiles/ntm/7/101/56.png".into());
    paths.push("/api/v1/communes/at?lon=105.964112&lat=21.002414".into());
    let answers = get_all(&server, paths);
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(&statuses[4..], &[200, 200], "{statuses:?}");
    let maps = &answers[..4];
    assert_eq!(maps.iter().filter(|a| a.status == 200).count(), 2, "one rendering and one queued: {statuses:?}");
    for a in maps.iter().filter(|a| a.status == 503) {
        assert_eq!(a.header("retry-after"), Some("1"));
    }
}

#[test]
fn a_request_whose_answer_does_not_start_in_time_is_503() {
    // One render slot and 24 different 4096×4096 maps: at ≈0.2 s a render on this kind of
    // machine (0.4 s under load), the last ones cannot start answering within 1 s.
    let server = Server::start(&["--request-timeout-secs", "1", "--static-map-cache-mb", "0", "--static-map-queue", "32", "--static-map-renders", "1"]);
    let answers = get_all(&server, (0..24).map(big_map).collect());
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    let late: Vec<&Answer> = answers.iter().filter(|a| a.status == 503).collect();
    assert!(!late.is_empty(), "24 4096×4096 maps one at a time all answered within 1 s: {statuses:?}");
    for a in late {
        let body: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("within 1 s"), "{body}");
        assert_eq!(a.header("retry-after"), Some("1"));
    }
}

#[test]
fn identical_concurrent_static_maps_are_drawn_once() {
    let server = Server::start(&[]);
    let answers = get_all(&server, vec![big_map(0); 4]);
    let timings: Vec<&str> = answers.iter().map(|a| a.header("server-timing").unwrap_or("")).collect();
    assert!(answers.iter().all(|a| a.status == 200), "{timings:?}");
    assert_eq!(timings.iter().filter(|t| t.starts_with("render;dur=")).count(), 1, "{timings:?}");
    assert!(timings.iter().all(|t| t.starts_with("render;dur=") || *t == "cache;desc=joined" || *t == "cache;desc=hit"), "{timings:?}");
    assert!(answers.iter().all(|a| a.body == answers[0].body), "identical requests got different pictures");
    // The same map asked later, written differently (1 vs 1.0): from the cache.
    let again = get(&server.url(&big_map(0).replace("8.2,", "8.20,")));
    assert_eq!(again.header("server-timing"), Some("cache;desc=hit"));
    assert_eq!(again.body, answers[0].body);
}

#[test]
fn sigterm_finishes_the_requests_in_flight_and_exits_zero() {
    let mut server = Server::start(&["--static-map-cache-mb", "0"]);
    // Two different big maps, one render slot: the second is still waiting or drawing
    // well after the signal.
    let urls: Vec<String> = (0..2).map(|n| server.url(&big_map(n))).collect();
    let clients: Vec<_> = urls.into_iter().map(|u| std::thread::spawn(move || get(&u))).collect();
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    server.signal("TERM");
    std::thread::sleep(Duration::from_millis(100));
    assert!(TcpStream::connect(server.addr()).is_err(), "a new connection was accepted after SIGTERM");
    let answers: Vec<Answer> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    for a in &answers {
        assert_eq!(a.status, 200);
        assert!(a.body.starts_with(b"\x89PNG") && a.body.len() > 10_000, "{} bytes", a.body.len());
    }
    assert!(answers.iter().any(|a| a.done > signalled), "both answers came before SIGTERM: nothing was in flight");
    let status = server.wait_exit(Duration::from_secs(30)).expect("still running 30 s after SIGTERM");
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn sigint_stops_an_idle_server_with_exit_zero() {
    let mut server = Server::start(&[]);
    assert_eq!(server.get_json("/api/v1/meta").0, 200);
    server.signal("INT");
    let status = server.wait_exit(Duration::from_secs(30)).expect("still running 30 s after SIGINT");
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn after_the_shutdown_grace_the_process_exits_anyway() {
    let mut server = Server::start(&["--shutdown-grace-secs", "1", "--static-map-cache-mb", "0", "--static-map-queue", "8"]);
    let urls: Vec<String> = (0..6).map(|n| server.url(&big_map(n))).collect();
    let clients: Vec<_> = urls.into_iter().map(|u| std::thread::spawn(move || get(&u))).collect();
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    server.signal("TERM");
    let status = server.wait_exit(Duration::from_secs(30)).expect("still running 30 s after SIGTERM");
    let took = signalled.elapsed();
    assert_eq!(status.code(), Some(0), "{status:?}");
    let answers: Vec<Answer> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    let cut = answers.iter().filter(|a| a.status == 0).count();
    assert!(cut > 0, "six maps one at a time all finished within a 1 s grace (exit after {took:?})");
    assert!(took < Duration::from_secs(10), "exit {took:?} after SIGTERM with a 1 s grace");
}
