//! Crash safety of approvals over HTTP: a real `bando serve --data-dir` process is killed
//! with SIGKILL at a random moment of an upload → submit → approve sequence, then
//! checked and restarted, round after round.
//!
//! Steps: 1. a data folder with an admin made by `bando user add`, the server started
//! on it, an API token created through the sign-in session; 2. one uncut round measures
//! how long upload + submit and the approval take; 3. each round uploads a one-row CSV
//! changing the decision number of commune 00718's 2024 result (a distinct value per
//! round), submits and approves it on a client thread, while the test SIGKILLs the
//! server after a random delay: one round in three within the upload and submit, two
//! within a window from the moment its request goes out (1.5× the uncut approval's time
//! at first, then widened after a kill that came before the commit and narrowed after
//! one that came after it, so kills keep landing on both sides of the commit); 4. after the kill `bando db check` must pass, and after the restart the
//! publication log, the published CSV row and the commune's public history must all be
//! the state before that round's approval or all the state after it — never a mix; an
//! approval answered 200 before the kill must be published.
//!
//! Rounds: `BANDO_CRASH_ROUNDS` (default 6, to fit CI time; `scripts/crash-http.sh` runs
//! 50). The delays come from a seeded generator: `BANDO_CRASH_SEED` replays a run; the
//! seed is printed either way. Expected values come from geodata/results-communes.csv.

mod common;

use common::manage::{Browser, DataDir};
use common::sources::{csv_rows, geodata};
use common::{Server, BIN};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ADMIN: (&str, &str) = ("tw.admin", "quan-tri-trung-uong-2026");
const CODE: &str = "00718";
const YEAR: &str = "2024";

/// A small seeded generator (xorshift64*): reproducible delays without a dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

/// What is published for the changed record, read three ways.
#[derive(Debug, Clone, PartialEq)]
struct Published {
    /// Number of publications and the submission of the last one.
    publications: usize,
    last_submission: Option<i64>,
    /// The decision field of the record in `published/results-communes.csv`.
    csv_decision: String,
    /// The newest value of the record's decision in the public history (none: never changed).
    history_decision: Option<String>,
}

fn get(base: &str, path: &str) -> Value {
    let resp = ureq::get(&format!("{base}{path}")).timeout(Duration::from_secs(60)).call().unwrap_or_else(|e| panic!("GET {path}: {e}"));
    resp.into_json().unwrap()
}

fn published(dir: &DataDir, server: &Server) -> Published {
    let list = get(&server.base, "/api/v1/publications")["publications"].as_array().unwrap().clone();
    let csv = std::fs::read_to_string(std::path::Path::new(dir.path()).join("published/results-communes.csv")).unwrap();
    let row = csv.lines().find(|l| l.starts_with(&format!("{CODE},{YEAR},"))).expect("the record is published");
    let history = get(&server.base, &format!("/api/v1/communes/{CODE}/history"));
    let history_decision = history["changes"]
        .as_array()
        .unwrap_or_else(|| panic!("no changes list: {history}"))
        .iter()
        .rfind(|c| c["key"] == format!("{CODE}|{YEAR}") && c["field"] == "decision")
        .map(|c| c["new"].as_str().unwrap().to_string());
    Published {
        publications: list.len(),
        last_submission: list.last().and_then(|p| p["submission"].as_i64()),
        csv_decision: row.rsplit(',').next().unwrap().to_string(),
        history_decision,
    }
}

/// The state after an approval of `submission` that set the decision to `decision`.
fn after(before: &Published, submission: Option<i64>, decision: &str) -> Published {
    Published {
        publications: before.publications + 1,
        last_submission: submission,
        csv_decision: decision.to_string(),
        history_decision: Some(decision.to_string()),
    }
}

/// A client with the admin's API token.
#[derive(Clone)]
struct Client {
    base: String,
    token: String,
    agent: ureq::Agent,
}

impl Client {
    fn post(&self, path: &str, content_type: &str, body: &str) -> Result<(u16, Value), String> {
        let request = self.agent.post(&format!("{}{path}", self.base)).set("Authorization", &format!("Bearer {}", self.token)).set("Content-Type", content_type);
        match request.send_string(body) {
            Ok(r) | Err(ureq::Error::Status(_, r)) => {
                let status = r.status();
                Ok((status, r.into_json().map_err(|e| e.to_string())?))
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// Upload, submit, approve; the draft's id is stored as soon as it is known,
    /// `approving` is called as the approval request goes out and `approved` is set once
    /// it answered 200. An error ends the sequence (the
    /// server was killed).
    fn round(&self, csv: &str, decision_number: &str, draft: &std::sync::Mutex<Option<i64>>, approving: &dyn Fn(), approved: &AtomicBool) -> Result<(), String> {
        let (status, body) = self.post("/api/v1/manage/uploads?file_name=results-communes.csv", "text/csv", csv)?;
        assert_eq!(status, 201, "upload: {body}");
        let id = body["submission"]["id"].as_i64().unwrap();
        *draft.lock().unwrap() = Some(id);
        let (status, body) = self.post(&format!("/api/v1/manage/submissions/{id}/submit"), "application/json", "")?;
        assert_eq!(status, 200, "submit: {body}");
        let form = json!({"comment": "crash test", "decision": decision_number}).to_string();
        approving();
        let (status, body) = self.post(&format!("/api/v1/manage/submissions/{id}/approve"), "application/json", &form)?;
        assert_eq!(status, 200, "approve: {body}");
        approved.store(true, Ordering::SeqCst);
        Ok(())
    }
}

fn api_token(server: &Server) -> String {
    let mut b = Browser::new(server, "192.0.2.1");
    assert_eq!(b.login(ADMIN.0, ADMIN.1).status, 303);
    let csrf = b.csrf();
    let answer = b.json("POST", "/api/v1/manage/tokens", Some(&csrf), &json!({"name": "crash test"}));
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.json()["token"].as_str().unwrap().to_string()
}

fn db_check(dir: &DataDir) {
    let out = std::process::Command::new(BIN).args(["db", "check", "--data-dir", dir.path()]).output().unwrap();
    assert!(out.status.success(), "bando db check failed:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_server_killed_at_any_moment_of_an_approval_publishes_all_of_it_or_none() {
    let rounds: usize = std::env::var("BANDO_CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(6);
    let seed: u64 = std::env::var("BANDO_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("crash test: {rounds} rounds, seed {seed} (BANDO_CRASH_SEED={seed} replays the delays)");
    let mut rng = Rng(seed);

    // The record as the source file has it; each round changes its decision number.
    let row = csv_rows(geodata("results-communes.csv")).into_iter().find(|r| r["code"] == CODE && r["year"] == YEAR).unwrap();
    let csv = |decision: &str| {
        let fields: Vec<&str> = ["code", "year", "level", "criteria_met", "recognized_on"].iter().map(|f| row[*f].as_str()).collect();
        format!("code,year,level,criteria_met,recognized_on,decision\n{},{decision}\n", fields.join(","))
    };

    let dir = DataDir::new("crash-http");
    dir.add_user(ADMIN.0, "admin", &[], "Văn phòng Điều phối NTM Trung ương", ADMIN.1);
    let mut server = dir.serve(&[]);
    let token = api_token(&server);
    let client = |server: &Server| Client {
        base: server.base.clone(),
        token: token.clone(),
        agent: ureq::AgentBuilder::new().max_idle_connections(0).timeout(Duration::from_secs(120)).build(),
    };

    let mut state = published(&dir, &server);
    assert_eq!((state.publications, state.csv_decision.as_str(), state.history_decision.as_deref()), (1, row["decision"].as_str(), None));

    // An uncut round: it must publish, and it measures the windows the kills fall in.
    let started = Instant::now();
    let (draft, approved) = (std::sync::Mutex::new(None), AtomicBool::new(false));
    let approving_at = std::sync::Mutex::new(None);
    client(&server).round(&csv("0/QĐ-CRASH"), "QĐ-0", &draft, &|| *approving_at.lock().unwrap() = Some(Instant::now()), &approved).unwrap();
    let approving_at = approving_at.lock().unwrap().unwrap();
    // Kills before the approval request fall in [0, 1.2·(upload + submit)], kills after
    // it goes out in [0, 1.5·approval]: the commit lands inside the second window.
    let before_window = (approving_at - started).as_micros() as u64 * 6 / 5;
    let approval_time = approving_at.elapsed().as_micros() as u64;
    let mut approval_window = approval_time * 3 / 2;
    let want = after(&state, *draft.lock().unwrap(), "0/QĐ-CRASH");
    state = published(&dir, &server);
    assert_eq!(state, want);
    eprintln!("uncut: upload + submit {} µs, approval {approval_time} µs", before_window * 5 / 6);

    let (mut published_rounds, mut cut_rounds) = (0, 0);
    for round in 1..=rounds {
        let decision = format!("{round}/QĐ-CRASH");
        // One kill in three before the approval request, two during or after it.
        let during_approval = rng.below(3) > 0;
        let delay = Duration::from_micros(rng.below(if during_approval { approval_window } else { before_window }));
        let draft = Arc::new(std::sync::Mutex::new(None));
        let approved = Arc::new(AtomicBool::new(false));
        let (approving_tx, approving_rx) = std::sync::mpsc::channel();
        let worker = {
            let (client, csv, draft, approved) = (client(&server), csv(&decision), draft.clone(), approved.clone());
            let number = format!("QĐ-{round}");
            std::thread::spawn(move || client.round(&csv, &number, &draft, &|| { let _ = approving_tx.send(()); }, &approved))
        };
        if during_approval {
            approving_rx.recv_timeout(Duration::from_secs(60)).expect("the approval request goes out");
        }
        std::thread::sleep(delay);
        server.signal("KILL");
        assert!(server.wait_exit(Duration::from_secs(30)).is_some(), "round {round}: the server did not die");
        let finished = worker.join().expect("the client thread does not panic");
        let acknowledged = approved.load(Ordering::SeqCst);

        db_check(&dir);
        server = dir.serve(&[]);
        let now = published(&dir, &server);
        let published_now = after(&state, *draft.lock().unwrap(), &decision);
        let moment = if during_approval { "of the approval request" } else { "of the round" };
        let context = format!("round {round} (seed {seed}, kill {} µs into {moment}, client {:?})", delay.as_micros(), finished);
        if now == state {
            assert!(!acknowledged, "{context}: the approval was answered 200 but is not published: {now:?}");
            cut_rounds += 1;
        } else {
            assert_eq!(now, published_now, "{context}: neither the state before the approval ({state:?}) nor after it");
            published_rounds += 1;
        }
        // Approvals slow down when the machine is busy: a kill during the approval that
        // came before its commit widens the window, one after it narrows it, so the kills
        // keep falling on both sides of the commit.
        if during_approval {
            approval_window = if now == state { approval_window * 5 / 4 } else { (approval_window * 9 / 10).max(approval_time / 2) };
        }
        state = now;
    }
    eprintln!("{rounds} kills: {published_rounds} approvals published, {cut_rounds} cut before their commit");
    if rounds >= 20 {
        assert!(published_rounds >= rounds / 10 && cut_rounds >= rounds / 10, "the kills missed one side of the commit: the windows are off");
    }
    drop(server);
    db_check(&dir);
}
