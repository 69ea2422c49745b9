//! Crash safety of approvals: `bando db stress-approvals` runs a deterministic sequence
//! of approvals (see `manage::stress`) on a real database file and is killed with
//! SIGKILL at a random moment, 50 times. After each kill the store must check clean and
//! hold exactly the records of the publication in force: the state before the approval
//! in flight or after it, never a mix.

mod common;

use bando::manage::stress::{value, ADMIN, RECORDS_PER_KIND, TOUCHED};
use bando::model::{Record, RecordKind};
use bando::store::{Status, Store, SubmissionFilter};
use common::TempDir;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KILLS: usize = 50;

/// The touched records as publication `p` must hold them.
fn expected(originals: &[(Vec<Record>, usize)], p: i64) -> Vec<Vec<Record>> {
    originals
        .iter()
        .map(|(records, column)| {
            records
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    if p > 1 {
                        r.fields[*column] = value(p - 1);
                    }
                    r
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_kill_at_any_moment_of_an_approval_leaves_the_state_before_or_after_it() {
    let dir = TempDir::new("crash");
    let store = Store::open(&dir).unwrap();
    // The embedded records, criteria cut to a few thousand rows: a smaller file keeps the
    // 50 checks quick, and atomicity does not depend on the table's size.
    let mut criteria = 0;
    let records: Vec<Record> = bando::manage::seed::read(&bando::atlas::Inputs::embedded(bando::config::EMBEDDED_GEODATA))
        .unwrap()
        .into_iter()
        .filter(|r| r.kind != RecordKind::Criteria || {
            criteria += 1;
            criteria <= 5_000
        })
        .collect();
    store.seed(records, "seed").unwrap();
    let originals: Vec<(Vec<Record>, usize)> = TOUCHED
        .iter()
        .map(|(kind, column)| {
            let records: Vec<Record> = store.published_page(*kind, None, RECORDS_PER_KIND).unwrap();
            (records, kind.column_index(column).unwrap())
        })
        .collect();
    let counts = store.current_publication().unwrap().unwrap().counts;
    drop(store);

    // A small deterministic generator for the kill moments (no extra dependency).
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let started = Instant::now();
    let mut previous = 1;
    let mut checks = Duration::ZERO;
    for round in 0..KILLS {
        let mut child = Command::new(common::BIN)
            .args(["db", "stress-approvals", "100000", "--data-dir"])
            .arg(&*dir)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(60 + next() % 400));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let checking = Instant::now();

        let store = Store::open(&dir).unwrap();
        let report = store.check().unwrap();
        assert!(report.is_clean(), "round {round}: {report}");
        let current = store.current_publication().unwrap().unwrap();
        assert!(current.id >= previous, "round {round}: publication {} after {previous}", current.id);
        assert_eq!(current.counts, counts, "round {round}: the sequence changes records, never adds or removes any");
        for ((kind, _), want) in TOUCHED.iter().zip(expected(&originals, current.id)) {
            let got: Vec<Record> = store.published_page(*kind, None, RECORDS_PER_KIND).unwrap();
            assert!(got == want, "round {round}: {kind} records are not those of publication {}", current.id);
        }
        previous = current.id;
        checks += checking.elapsed();
    }
    let store = Store::open(&dir).unwrap();
    let approvals = previous - 1;
    // Kills that caught a submission before its approval leave it open (draft or submitted).
    let open = store.list_submissions(&SubmissionFilter::default()).unwrap().iter().filter(|s| s.status != Status::Approved).count();
    let approved_by_admin = store.history(originals[0].0[0].get("code")).unwrap().iter().all(|c| c.approved_by == ADMIN);
    eprintln!(
        "{KILLS} kills in {:.1} s ({:.1} s checking): {approvals} approvals published, {open} submissions caught in flight",
        started.elapsed().as_secs_f64(),
        checks.as_secs_f64()
    );
    assert!(approvals >= KILLS as i64 / 5, "only {approvals} approvals in {KILLS} rounds: the kills came too early to test anything");
    assert!(open > 0, "no kill landed during a submission");
    assert!(approved_by_admin);
}
