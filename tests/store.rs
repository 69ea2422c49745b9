//! The store of a managed data folder, on real SQLite files in temporary folders: seeding,
//! drafts and their diff, approval and rejection, conflicts, the append-only logs,
//! backup, check, and publication of a new atlas; then `bando serve --data-dir`.
//! Expected values come from the CSV files read plainly (`common::csv_rows`).

mod common;

use bando::atlas::Inputs;
use bando::config::EMBEDDED_GEODATA;
use bando::manage;
use bando::model::{CommuneCode, Record, RecordKind};
use bando::snapshot::SharedSnapshot;
use bando::store::{Approval, ApproveError, ConflictChoice, RecordsError, Status, Store, SubmissionFilter};
use common::{csv_rows, geodata, Server, TempDir};
use std::path::Path;
use std::time::Instant;

/// Rows of an embedded CSV file as records of `kind` (plain csv reading, columns by name).
fn embedded_records(kind: RecordKind) -> Vec<Record> {
    csv_rows(geodata(kind.file_name()))
        .into_iter()
        .map(|row| Record::new(kind, kind.columns().iter().map(|c| row.get(*c).cloned().unwrap_or_default()).collect()).unwrap())
        .collect()
}

fn all_embedded() -> Vec<Record> {
    RecordKind::ALL.into_iter().flat_map(embedded_records).collect()
}

/// A store seeded with the embedded files.
fn seeded(dir: &Path) -> Store {
    let store = Store::open(dir).unwrap();
    store.seed(all_embedded(), "seed").unwrap();
    store
}

/// `record` with `column` set to `value`.
fn with(record: &Record, column: &str, value: &str) -> Record {
    let mut r = record.clone();
    r.fields[r.kind.column_index(column).unwrap()] = value.to_string();
    r
}

fn commune_result(code: &str, year: &str) -> Record {
    embedded_records(RecordKind::CommuneResult)
        .into_iter()
        .find(|r| r.get("code") == code && r.get("year") == year)
        .unwrap_or_else(|| panic!("no result {code} {year} in the embedded file"))
}

#[test]
fn seeding_stores_every_row_of_the_embedded_files_as_publication_1() {
    let dir = TempDir::new("seed");
    let store = Store::open(&dir).unwrap();
    assert!(!store.is_seeded().unwrap());
    let records = all_embedded();
    let started = Instant::now();
    let publication = store.seed(records, "seed").unwrap();
    let seconds = started.elapsed().as_secs_f64();
    eprintln!("seeded {} records in {seconds:.2} s", publication.counts.values().sum::<u64>());
    assert!(seconds < 10.0, "seeding took {seconds:.1} s");
    assert_eq!(publication.id, 1);
    assert!(store.is_seeded().unwrap());
    for kind in RecordKind::ALL {
        let rows = csv_rows(geodata(kind.file_name())).len();
        assert_eq!(store.published(kind).unwrap().len(), rows, "{kind}");
        assert_eq!(publication.counts[kind.as_str()], rows as u64, "{kind}");
    }
    // A published record is the file's row, field for field.
    let row = commune_result("00718", "2024");
    assert_eq!(store.published_record(RecordKind::CommuneResult, &row.key()).unwrap(), Some(row));
    // Seeding twice is refused; so is a file with one key twice.
    assert!(matches!(store.seed(vec![], "seed"), Err(RecordsError::AlreadySeeded(1))));
    let other = TempDir::new("seed-dup");
    let dup = vec![commune_result("00718", "2024"), commune_result("00718", "2024")];
    let err = Store::open(&other).unwrap().seed(dup, "seed").unwrap_err();
    assert!(err.to_string().contains("00718|2024"), "{err}");
    assert!(store.check().unwrap().is_clean());
}

#[test]
fn a_draft_diff_shows_old_and_new_per_unit_and_approval_publishes_it_with_history() {
    let dir = TempDir::new("approve");
    let store = seeded(&dir);
    let before = commune_result("00718", "2024");
    let changed = with(&with(&before, "level", "nang_cao"), "decision", "99/QĐ-UBND");
    let unchanged = commune_result("00727", "2024");
    let mut new_site = embedded_records(RecordKind::Tourism)[0].clone();
    new_site.fields[0] = "T-NEW-1".into();
    let id = store
        .create_draft("editor.hatinh", &["42".to_string()], "ha-tinh.xlsx", vec![changed.clone(), unchanged.clone(), new_site.clone()])
        .unwrap();
    let diff = store.diff(id).unwrap();
    assert_eq!(diff.len(), 2, "the unchanged record is left out: {diff:?}");
    let d = diff.iter().find(|d| d.key == "00718|2024").unwrap();
    assert_eq!(d.old.as_ref(), Some(&before.fields));
    let cols: Vec<(&str, &str, &str)> = d.changed.iter().map(|c| (c.column, c.old.as_str(), c.new.as_str())).collect();
    assert_eq!(cols, vec![("level", "dat_chuan", "nang_cao"), ("decision", before.get("decision"), "99/QĐ-UBND")]);
    let n = diff.iter().find(|d| d.key == "T-NEW-1").unwrap();
    assert_eq!(n.old, None);
    assert!(n.changed.iter().any(|c| c.column == "name" && c.new == new_site.get("name")));

    // Status transitions: a draft cannot be submitted twice, nor rejected after approval.
    assert_eq!(store.submission(id).unwrap().status, Status::Draft);
    store.submit(id, "editor.hatinh").unwrap();
    assert!(matches!(store.submit(id, "editor.hatinh"), Err(RecordsError::Status { .. })));
    let listed = store.list_submissions(&SubmissionFilter { province: Some("42".into()), ..Default::default() }).unwrap();
    assert_eq!(listed.iter().map(|s| s.id).collect::<Vec<_>>(), vec![id]);
    assert!(store.list_submissions(&SubmissionFilter { province: Some("01".into()), ..Default::default() }).unwrap().is_empty());
    let by_status = store.list_submissions(&SubmissionFilter { status: Some(Status::Submitted), ..Default::default() }).unwrap();
    assert_eq!(by_status.len(), 1);

    let publication = store.approve(&Approval::new(id, "admin.central").comment("ok").decision(Some("123/QĐ-VPĐP"))).unwrap();
    assert_eq!(publication.id, 2);
    assert_eq!(publication.changed, 2);
    assert_eq!(publication.counts["tourism"], csv_rows(geodata("tourism.csv")).len() as u64 + 1);
    assert_eq!(store.published_record(RecordKind::CommuneResult, "00718|2024").unwrap(), Some(changed));
    assert_eq!(store.published_record(RecordKind::Tourism, "T-NEW-1").unwrap(), Some(new_site.clone()));
    let s = store.submission(id).unwrap();
    assert_eq!((s.status, s.publication, s.reviewed_by.as_deref()), (Status::Approved, Some(2), Some("admin.central")));
    // An admin may publish a draft directly; a draft is not in review, so it cannot be rejected.
    let direct = store.create_draft("admin.central", &[], "fix.csv", vec![with(&store.published_record(RecordKind::CommuneResult, "00718|2024").unwrap().unwrap(), "decision", "100/QĐ")]).unwrap();
    assert!(matches!(store.reject(direct, "admin.central", "no"), Err(RecordsError::Status { .. })));
    assert_eq!(store.approve(&Approval::new(direct, "admin.central")).unwrap().id, 3);
    assert!(matches!(store.reject(id, "admin.central", "late"), Err(RecordsError::Status { .. })));

    let history = store.history("00718").unwrap();
    let level = history.iter().find(|c| c.field == "level").expect("the level change is in the history");
    assert_eq!((level.old.as_deref(), level.new.as_str()), (Some("dat_chuan"), "nang_cao"));
    assert_eq!(level.submitted_by.as_deref(), Some("editor.hatinh"));
    assert_eq!(level.approved_by, "admin.central");
    assert_eq!(level.decision.as_deref(), Some("123/QĐ-VPĐP"));
    assert_eq!(level.publication, 2);
    assert_eq!(history.len(), 3, "level, decision, then the direct publication's decision: {history:?}");
    assert!(store.history("00727").unwrap().is_empty());
    assert_eq!(history[2].submitted_by.as_deref(), Some("admin.central"));
    assert_eq!(store.publications().unwrap().len(), 3);
    assert_eq!(store.current_publication().unwrap().unwrap().id, 3);
    assert!(store.check().unwrap().is_clean(), "{}", store.check().unwrap());
}

#[test]
fn a_number_written_otherwise_is_no_change_and_another_number_is() {
    // The embedded criteria file writes measured values as `50.0`; a workbook cell reads
    // back as `50`. An office uploading its template unchanged must see no change.
    let dir = TempDir::new("numbers");
    let store = seeded(&dir);
    let published = embedded_records(RecordKind::Criteria)
        .into_iter()
        .find(|r| r.get("value").ends_with(".0"))
        .expect("a criteria row with a value written as N.0");
    let whole = published.get("value").trim_end_matches(".0").to_string();
    let same = with(&published, "value", &whole);
    let site = embedded_records(RecordKind::Tourism)[0].clone();
    let moved = with(&site, "lon", &format!("{}0", site.get("lon")));
    let id = store.create_draft("editor", &["42".to_string()], "t.xlsx", vec![same, moved]).unwrap();
    assert!(store.diff(id).unwrap().is_empty(), "{:?}", store.diff(id).unwrap());

    let other = with(&published, "value", &format!("{whole}.5"));
    let id = store.create_draft("editor", &["42".to_string()], "t.xlsx", vec![other]).unwrap();
    let diff = store.diff(id).unwrap();
    let changes: Vec<(&str, &str, &str)> = diff.iter().flat_map(|d| d.changed.iter().map(|c| (c.column, c.old.as_str(), c.new.as_str()))).collect();
    assert_eq!(changes, vec![("value", published.get("value"), format!("{whole}.5").as_str())]);
}

#[test]
fn rejection_leaves_the_published_records_unchanged() {
    let dir = TempDir::new("reject");
    let store = seeded(&dir);
    let before = commune_result("00718", "2024");
    let id = store.create_draft("editor", &[], "x.csv", vec![with(&before, "level", "nang_cao")]).unwrap();
    store.submit(id, "editor").unwrap();
    store.reject(id, "admin", "decision number missing").unwrap();
    assert_eq!(store.published_record(RecordKind::CommuneResult, &before.key()).unwrap(), Some(before));
    let s = store.submission(id).unwrap();
    assert_eq!((s.status, s.review_comment.as_deref()), (Status::Rejected, Some("decision number missing")));
    assert!(matches!(store.approve(&Approval::new(id, "admin").conflicts(ConflictChoice::Overwrite)), Err(ApproveError::Records(RecordsError::Status { .. }))));
    assert_eq!(store.publications().unwrap().len(), 1);
    assert!(store.history("00718").unwrap().is_empty());
}

#[test]
fn a_record_changed_by_an_earlier_approval_is_a_conflict_that_needs_a_choice() {
    let dir = TempDir::new("conflict");
    let store = seeded(&dir);
    let a = commune_result("00718", "2024");
    let b = commune_result("00727", "2024");
    // Two drafts made from the same published state change the same record `a`.
    let first = store.create_draft("editor1", &[], "1.csv", vec![with(&a, "decision", "1/QĐ")]).unwrap();
    let second = store.create_draft("editor2", &[], "2.csv", vec![with(&a, "decision", "2/QĐ"), with(&b, "decision", "2b/QĐ")]).unwrap();
    let third = store.create_draft("editor3", &[], "3.csv", vec![with(&a, "decision", "3/QĐ"), with(&b, "decision", "3b/QĐ")]).unwrap();
    store.approve(&Approval::new(first, "admin")).unwrap();

    let Err(ApproveError::Conflicts(conflicts)) = store.approve(&Approval::new(second, "admin")) else {
        panic!("the second approval must report the conflict")
    };
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    assert_eq!((c.kind, c.key.as_str()), (RecordKind::CommuneResult, "00718|2024"));
    assert_eq!(c.base.as_ref(), Some(&a.fields));
    assert_eq!(c.published.as_ref().unwrap()[5], "1/QĐ");
    assert_eq!(c.proposed[5], "2/QĐ");
    // Refused: nothing of it was published, the submission is still open.
    assert_eq!(store.published_record(RecordKind::CommuneResult, &b.key()).unwrap().unwrap().get("decision"), b.get("decision"));
    assert_eq!(store.submission(second).unwrap().status, Status::Draft);

    // Keep the published value: `a` stays "1/QĐ", `b` is published.
    store.approve(&Approval::new(second, "admin").conflicts(ConflictChoice::KeepPublished)).unwrap();
    assert_eq!(store.published_record(RecordKind::CommuneResult, &a.key()).unwrap().unwrap().get("decision"), "1/QĐ");
    assert_eq!(store.published_record(RecordKind::CommuneResult, &b.key()).unwrap().unwrap().get("decision"), "2b/QĐ");

    // Overwrite: both of the third draft's records conflict now and both are published.
    let Err(ApproveError::Conflicts(conflicts)) = store.approve(&Approval::new(third, "admin")) else { panic!() };
    assert_eq!(conflicts.len(), 2);
    store.approve(&Approval::new(third, "admin").conflicts(ConflictChoice::Overwrite)).unwrap();
    assert_eq!(store.published_record(RecordKind::CommuneResult, &a.key()).unwrap().unwrap().get("decision"), "3/QĐ");
    let decisions: Vec<String> = store.history("00718").unwrap().iter().map(|c| c.new.clone()).collect();
    assert_eq!(decisions, ["1/QĐ", "3/QĐ"]);
    assert!(store.check().unwrap().is_clean());
}

#[test]
fn the_change_log_and_the_publication_log_refuse_updates_and_deletes() {
    let dir = TempDir::new("append-only");
    let store = seeded(&dir);
    let a = commune_result("00718", "2024");
    let id = store.create_draft("e", &[], "x.csv", vec![with(&a, "decision", "7/QĐ")]).unwrap();
    store.approve(&Approval::new(id, "admin")).unwrap();
    let raw = rusqlite::Connection::open(dir.join("bando.sqlite3")).unwrap();
    for sql in [
        "UPDATE changes SET new = 'forged'",
        "DELETE FROM changes",
        "UPDATE publications SET by = 'someone else'",
        "DELETE FROM publications WHERE id = 2",
    ] {
        let err = raw.execute(sql, []).expect_err(sql).to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    let changes: i64 = raw.query_row("SELECT COUNT(*) FROM changes", [], |r| r.get(0)).unwrap();
    assert_eq!(changes, 1);
}

#[test]
fn a_backup_taken_while_the_store_is_open_opens_and_checks_clean() {
    let dir = TempDir::new("backup");
    let store = seeded(&dir);
    let a = commune_result("00718", "2024");
    let id = store.create_draft("e", &[], "x.csv", vec![with(&a, "decision", "8/QĐ")]).unwrap();
    store.approve(&Approval::new(id, "admin")).unwrap();
    let target = TempDir::new("backup-target");
    let file = target.join("copy.sqlite3");
    store.backup(&file).unwrap();
    // The original stays open and usable.
    assert_eq!(store.publications().unwrap().len(), 2);
    // Restore as the README says: the copy becomes bando.sqlite3 of a folder.
    let restored = TempDir::new("restored");
    std::fs::copy(&file, restored.join("bando.sqlite3")).unwrap();
    let copy = Store::open(&restored).unwrap();
    let report = copy.check().unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.publication, Some(2));
    assert_eq!(copy.published_record(RecordKind::CommuneResult, &a.key()).unwrap().unwrap().get("decision"), "8/QĐ");
}

#[test]
fn check_names_a_record_edited_behind_the_stores_back() {
    let dir = TempDir::new("tamper");
    let store = seeded(&dir);
    let a = commune_result("00718", "2024");
    let id = store.create_draft("e", &[], "x.csv", vec![with(&a, "level", "nang_cao")]).unwrap();
    store.approve(&Approval::new(id, "admin")).unwrap();
    assert!(store.check().unwrap().is_clean());
    let raw = rusqlite::Connection::open(dir.join("bando.sqlite3")).unwrap();
    // A changed record, edited back to its old level.
    raw.execute("UPDATE records SET fields = replace(fields, 'nang_cao', 'dat_chuan') WHERE kind = 'commune_result' AND key = '00718|2024'", [])
        .unwrap();
    // A seeded record never changed since.
    raw.execute("UPDATE records SET fields = replace(fields, 'dat_chuan', 'kieu_mau') WHERE kind = 'commune_result' AND key = '00727|2024'", [])
        .unwrap();
    let report = store.check().unwrap();
    assert!(!report.is_clean());
    let text = report.to_string();
    assert!(text.contains("commune_result 00718|2024") && text.contains("change log"), "{text}");
    assert!(text.contains("commune_result 00727|2024"), "{text}");
    assert!(text.contains("checksum"), "{text}");
    // The CLI exits 1 with the report.
    let out = std::process::Command::new(common::BIN).args(["db", "check", "--data-dir"]).arg(&*dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("00727|2024"));
}

#[test]
fn changes_are_listed_by_period_and_province() {
    let dir = TempDir::new("changes");
    let store = seeded(&dir);
    let a = commune_result("00718", "2024");
    store.set_unit_provinces([("00718".to_string(), "01".to_string())]).unwrap();
    let id = store.create_draft("e", &[], "x.csv", vec![with(&a, "decision", "9/QĐ")]).unwrap();
    store.approve(&Approval::new(id, "admin")).unwrap();
    let today = bando::model::Day::parse(&bando::store::format_utc(store.current_publication().unwrap().unwrap().at)[..10]).unwrap();
    let yesterday_year = bando::model::Day::parse("2000-01-01").unwrap();
    assert_eq!(store.changes(None, None, None).unwrap().len(), 1);
    assert_eq!(store.changes(Some(today), Some(today), Some(&["01".to_string()])).unwrap().len(), 1);
    assert!(store.changes(None, Some(yesterday_year), None).unwrap().is_empty());
    assert!(store.changes(None, None, Some(&["02".to_string()])).unwrap().is_empty());
}

/// The in-process workflow: `manage::open` seeds and builds the atlas, the publisher's
/// approval swaps the snapshot, a merge the loaders refuse publishes nothing, a preview
/// publishes nothing.
#[test]
fn an_approval_publishes_a_new_atlas_and_a_refused_merge_publishes_nothing() {
    let dir = TempDir::new("publish");
    let configured = Inputs::embedded(EMBEDDED_GEODATA);
    let opened = manage::open(&dir, &configured).unwrap();
    assert!(opened.seeded);
    let code = CommuneCode::parse("00718").unwrap();
    let level_2024 = |atlas: &bando::atlas::Atlas| atlas.commune_results[&code].iter().find(|r| r.year == 2024).unwrap().level.as_str();
    assert_eq!(level_2024(&opened.atlas), "dat_chuan");
    let shared = SharedSnapshot::new(bando::snapshot::Snapshot::new(opened.atlas));
    let publisher = manage::Publisher::new(opened.store.clone(), opened.inputs.clone(), shared.clone());
    let store = publisher.store().clone();
    let version_before = shared.current().version.clone();

    let a = commune_result("00718", "2024");
    let id = store.create_draft("editor", &[], "x.csv", vec![with(&a, "level", "nang_cao")]).unwrap();
    let preview = publisher.preview(id).unwrap();
    assert_eq!(level_2024(&preview), "nang_cao");
    assert_eq!(level_2024(&shared.current()), "dat_chuan", "a preview publishes nothing");

    let started = Instant::now();
    let publication = publisher.approve(&Approval::new(id, "admin").decision(Some("5/QĐ"))).unwrap();
    eprintln!("approval with atlas rebuild: {:.2} s", started.elapsed().as_secs_f64());
    assert_eq!(publication.id, 2);
    let now = shared.current();
    assert_eq!(level_2024(&now), "nang_cao");
    assert_ne!(now.version, version_before, "the data version changes with the content");
    let csv = std::fs::read_to_string(publisher.published_dir().join("results-communes.csv")).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("00718,2024,nang_cao,")), "the published folder holds the new row");
    assert!(now.has_sample_data(), "seeded from the sample files, the map still says so");

    // A level the loaders refuse: the approval fails naming the problem, nothing changes.
    let bad = store.create_draft("editor", &[], "bad.csv", vec![with(&a, "level", "rat_tot")]).unwrap();
    let err = publisher.approve(&Approval::new(bad, "admin")).unwrap_err().to_string();
    assert!(err.contains("rat_tot"), "{err}");
    assert_eq!(store.current_publication().unwrap().unwrap().id, 2);
    assert_eq!(store.submission(bad).unwrap().status, Status::Draft);
    assert_eq!(store.published_record(RecordKind::CommuneResult, &a.key()).unwrap().unwrap().get("level"), "nang_cao");
    assert_eq!(shared.current().version, now.version);

    // The next start serves the database's state (the folder is written from it).
    drop((publisher, store));
    std::fs::remove_dir_all(dir.join("published")).unwrap();
    let reopened = manage::open(&dir, &configured).unwrap();
    assert!(!reopened.seeded);
    assert_eq!(level_2024(&reopened.atlas), "nang_cao");
    assert_eq!(reopened.atlas.version, now.version);
}

/// An approval of 10,000 changed records (criteria rows), timed.
#[test]
fn a_ten_thousand_record_approval_is_timed() {
    let dir = TempDir::new("big");
    let store = seeded(&dir);
    let records: Vec<Record> = store.published(RecordKind::Criteria).unwrap().iter().take(10_000).map(|r| with(r, "note", "kiểm tra 2025")).collect();
    let started = Instant::now();
    let id = store.create_draft("editor", &[], "big.xlsx", records).unwrap();
    let drafted = started.elapsed();
    let started = Instant::now();
    let publication = store.approve(&Approval::new(id, "admin")).unwrap();
    let approved = started.elapsed();
    eprintln!("10,000 records: draft {:.2} s, approval {:.2} s", drafted.as_secs_f64(), approved.as_secs_f64());
    assert_eq!(publication.changed, 10_000);
    assert_eq!(store.changes(None, None, None).unwrap().len(), 10_000);
    assert!(approved.as_secs_f64() < 10.0);
    assert!(store.check().unwrap().is_clean());
}

/// What a point query answers, without the fields that name the data's files or version.
fn point_answer(server: &Server) -> serde_json::Value {
    let (status, mut body) = server.get_json("/api/v1/communes/at?lon=105.964112&lat=21.002414&year=2024");
    assert_eq!(status, 200, "{body}");
    body.as_object_mut().unwrap().remove("meta");
    body
}

#[test]
fn serve_with_a_data_dir_seeds_once_and_answers_as_the_files_do() {
    let dir = TempDir::new("serve");
    let plain = Server::shared();
    let managed = Server::start_with_data_dir(&dir, &[]);
    assert_eq!(point_answer(&managed), point_answer(plain));
    let (_, meta) = managed.get_json("/api/v1/meta");
    assert_eq!(meta["meta"]["sample"], true, "{meta}");
    drop(managed);
    let store = Store::open(&dir).unwrap();
    assert_eq!(store.publications().unwrap().len(), 1);
    let check = store.check().unwrap();
    assert!(check.is_clean(), "{check}");
    drop(store);

    // A second start with another results file does not seed again: the database decides.
    let other = TempDir::new("serve-results");
    let edited = other.join("results.csv");
    let text = std::fs::read_to_string(geodata("results-communes.csv")).unwrap();
    std::fs::write(&edited, text.lines().take(2).collect::<Vec<_>>().join("\n") + "\n").unwrap();
    let again = Server::start_with_data_dir(&dir, &["--results", edited.to_str().unwrap()]);
    assert_eq!(point_answer(&again), point_answer(plain));
    drop(again);
    assert_eq!(Store::open(&dir).unwrap().publications().unwrap().len(), 1);

    // `db backup` from the command line.
    let file = other.join("b.sqlite3");
    let out = std::process::Command::new(common::BIN).args(["db", "backup"]).arg(&file).arg("--data-dir").arg(&*dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = std::process::Command::new(common::BIN).args(["db", "check", "--data-dir"]).arg(&*dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

/// Runs `f` on another thread and waits for it: a store call that a lock held by the
/// calling thread blocks fails the test (after a minute) instead of hanging it.
fn on_another_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(60)).expect("the store call did not complete while the approval was building: the store is locked")
}

/// The store is not locked while an approval builds its atlas: from the build hook (which
/// runs inside the real build, between the approval's read and its commit), an upload
/// becomes a draft and the publication log and the draft are read, before the approval
/// commits.
#[test]
fn an_upload_completes_while_an_approval_builds_its_atlas() {
    let dir = TempDir::new("unlocked");
    let configured = Inputs::embedded(EMBEDDED_GEODATA);
    let opened = manage::open(&dir, &configured).unwrap();
    let store = opened.store.clone();
    let shared = SharedSnapshot::new(bando::snapshot::Snapshot::new(opened.atlas));
    let during = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = during.clone();
    let hook_store = store.clone();
    let publisher = manage::Publisher::new(store.clone(), opened.inputs.clone(), shared.clone()).with_build_hook(move || {
        let s = hook_store.clone();
        let upload = vec![with(&commune_result("00469", "2024"), "decision", "12/QĐ-UBND")];
        let (draft, publications) = on_another_thread(move || {
            let draft = s.create_draft("editor", &[], "during.csv", upload).unwrap();
            (s.submission(draft).unwrap(), s.publications().unwrap())
        });
        seen.lock().unwrap().push((draft, publications));
    });

    let a = commune_result("00718", "2024");
    let id = store.create_draft("editor", &[], "x.csv", vec![with(&a, "level", "nang_cao")]).unwrap();
    let publication = publisher.approve(&Approval::new(id, "admin")).unwrap();

    let during = during.lock().unwrap();
    assert_eq!(during.len(), 1, "one build, nothing changed meanwhile that the commit depends on");
    let (draft, publications) = &during[0];
    assert_eq!((draft.status, draft.records, draft.file_name.as_str()), (Status::Draft, 1, "during.csv"));
    assert_eq!(publications.len(), 1, "read during the build: the approval is not committed yet");
    assert_eq!(publication.id, 2);
    assert_eq!(store.submission(draft.id).unwrap().status, Status::Draft, "the approval leaves the other draft alone");
    assert_eq!(store.published_record(RecordKind::CommuneResult, &a.key()).unwrap().unwrap().get("level"), "nang_cao");
}

/// The approval's commit verifies what its plan read: another approval published during
/// the validation makes it validate again, from the new state; a second one refuses it;
/// a rejection meanwhile refuses it naming the status. Nothing half-done is published.
#[test]
fn an_approval_validates_again_when_another_one_publishes_during_its_validation() {
    let dir = TempDir::new("replan");
    let store = std::sync::Arc::new(seeded(&dir));
    let (a, b) = (commune_result("00718", "2024"), commune_result("00469", "2024"));
    let first = store.create_draft("editor", &[], "a.csv", vec![with(&a, "decision", "1/QĐ")]).unwrap();
    let other = store.create_draft("editor", &[], "b.csv", vec![with(&b, "decision", "2/QĐ")]).unwrap();

    // Once: the validation runs again and sees the other approval's record.
    let mut seen = Vec::new();
    let publication = store
        .approve_checked(&Approval::new(first, "admin"), |set| {
            seen.push(set[&RecordKind::CommuneResult].iter().find(|r| r.key() == b.key()).unwrap().get("decision").to_string());
            if seen.len() == 1 {
                let s = store.clone();
                assert_eq!(on_another_thread(move || s.approve(&Approval::new(other, "admin")).unwrap().id), 2);
            }
            Ok(())
        })
        .unwrap()
        .0;
    assert_eq!(seen, vec![b.get("decision").to_string(), "2/QĐ".to_string()]);
    assert_eq!(publication.id, 3);
    assert_eq!(store.published_record(RecordKind::CommuneResult, &a.key()).unwrap().unwrap().get("decision"), "1/QĐ");
    assert!(store.check().unwrap().is_clean());

    // Every time: refused after the second validation, nothing published.
    let c = commune_result("00484", "2024");
    let third = store.create_draft("editor", &[], "c.csv", vec![with(&c, "decision", "3/QĐ")]).unwrap();
    let mut runs = 0;
    let err = store
        .approve_checked(&Approval::new(third, "admin"), |_| {
            runs += 1;
            let s = store.clone();
            let record = with(&b, "decision", &format!("race-{runs}"));
            on_another_thread(move || {
                let id = s.create_draft("editor", &[], "race.csv", vec![record]).unwrap();
                s.approve(&Approval::new(id, "admin")).unwrap()
            });
            Ok(())
        })
        .unwrap_err();
    assert_eq!(runs, 2);
    assert!(matches!(err, ApproveError::Changed { id, .. } if id == third), "{err}");
    assert!(err.to_string().contains("approve it again"), "{err}");
    assert_eq!(store.submission(third).unwrap().status, Status::Draft);
    assert_eq!(store.published_record(RecordKind::CommuneResult, &c.key()).unwrap().unwrap().get("decision"), c.get("decision"));

    // A rejection during the validation: refused, the submission stays rejected.
    store.submit(third, "editor").unwrap();
    let err = store
        .approve_checked(&Approval::new(third, "admin"), |_| {
            let s = store.clone();
            on_another_thread(move || s.reject(third, "admin", "wrong file").unwrap());
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, ApproveError::Records(RecordsError::Status { .. })), "{err}");
    assert_eq!(store.submission(third).unwrap().status, Status::Rejected);
    assert_eq!(store.current_publication().unwrap().unwrap().id, 5);
    assert!(store.check().unwrap().is_clean());
}

/// SIGHUP on a `--data-dir` server rebuilds the atlas from the store's published records
/// (a change published in the database by another process shows after it) and keeps
/// saying that the seeded sample layers are sample data.
#[test]
fn sighup_with_a_data_dir_reloads_from_the_store_and_keeps_the_sample_notice() {
    let dir = TempDir::new("serve-hup");
    let server = Server::start_with_data_dir(&dir, &[]);
    let (_, before) = server.get_json("/api/v1/meta");
    assert_eq!(before["meta"]["sample"], true, "{before}");

    let a = commune_result("00718", "2024");
    let store = Store::open(&dir).unwrap();
    let id = store.create_draft("editor", &[], "x.csv", vec![with(&a, "decision", "77/QĐ-HUP")]).unwrap();
    store.approve(&Approval::new(id, "admin")).unwrap();
    drop(store);

    server.signal("HUP");
    let started = Instant::now();
    let after = loop {
        let (_, now) = server.get_json("/api/v1/meta");
        if now["meta"]["data_version"] != before["meta"]["data_version"] {
            break now;
        }
        assert!(started.elapsed().as_secs() < 120, "SIGHUP did not reload within 120 s");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(after["meta"]["sample"], true, "{after}");
    assert_eq!(after["meta"]["notice"], before["meta"]["notice"], "{after}");
    assert_eq!(after["meta"]["sources"], before["meta"]["sources"], "the same layers, still marked sample");
    let csv = std::fs::read_to_string(dir.join("published/results-communes.csv")).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("00718,2024,") && l.ends_with(",77/QĐ-HUP")), "the published folder is rewritten from the store");
}
