//! CPU work that must not take cores from public requests, run on a thread of its own at
//! a lower scheduling priority:
//!   - static map renders ([`lower_this_threads_priority`], nice [`NICE`]: a tenth of a
//!     normal thread's share when the cores are busy — a public request, slow but public);
//!   - the offices' work ([`run`], nice [`OFFICE_NICE`]: reading uploaded workbooks, the
//!     store calls of the review pages, previews, approvals' atlas builds), which gets
//!     about a seventieth of a normal thread's share: offices publishing take little from
//!     the public map, and on a saturated server the offices wait instead.
//!
//! Why not lower still (`SCHED_IDLE`): measured under load it took no more throughput
//! than nice 19, and a thread that can be left without a core for long stalls every
//! request thread waiting on a lock it holds (a malloc arena shared with a renderer).
//!
//! Steps of [`run`]: 1. start a named thread (not a blocking-pool thread: those also draw
//! tiles and must keep their priority, and a nice value would stay with the pooled
//! thread); 2. lower that thread's priority to [`OFFICE_NICE`]; 3. run the work and hand
//! its result back to the waiting request.

/// How much less CPU a static map render gets than the rest of the server when the cores
/// are busy: nice 10 weighs about a tenth of nice 0 in Linux's scheduler, so cold tiles
/// and queries keep their cores; an idle server still gives the work a whole core.
pub const NICE: i32 = 10;

/// The offices' work: nice 19 weighs 15 against nice 0's 1024. At nice 10 an approval
/// loop under a saturating public load took a quarter of the public throughput in a
/// measured run (benches/load/README.md); at nice 19 a tenth at most.
pub const OFFICE_NICE: i32 = 19;

/// Runs `work` on a new thread named `name` at [`OFFICE_NICE`] (see the module doc);
/// `Err` when the thread could not start or panicked. A thread per call is nothing next
/// to the milliseconds to seconds of work.
pub async fn run<T: Send + 'static>(name: &str, work: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            set_this_threads_nice(OFFICE_NICE);
            let _ = tx.send(work());
        })
        .map_err(|e| format!("cannot start a {name} thread: {e}"))?;
    rx.await.map_err(|_| format!("the {name} thread failed (panicked)"))
}

/// Lowers the calling thread's priority to [`NICE`].
pub fn lower_this_threads_priority() {
    set_this_threads_nice(NICE);
}

fn set_this_threads_nice(nice: i32) {
    // On Linux the nice value belongs to the thread (man 2 setpriority, NOTES), so
    // this changes the calling thread only. Failure leaves the normal priority.
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority take and return plain integers; no memory is shared.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, nice);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// The calling thread's nice value.
    fn nice() -> i32 {
        // SAFETY: gettid and getpriority take and return plain integers.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::syscall(libc::SYS_gettid) as libc::id_t) }
    }

    #[tokio::test]
    async fn office_work_runs_at_the_office_nice_value_on_a_thread_of_its_own() {
        let caller = (std::thread::current().id(), nice());
        let (thread, its_nice) = super::run("nice-test", || (std::thread::current().id(), nice())).await.unwrap();
        assert_ne!(thread, caller.0);
        assert_eq!(its_nice, super::OFFICE_NICE);
        // The caller keeps its priority.
        assert_eq!(nice(), caller.1);
    }
}
