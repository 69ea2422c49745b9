//! CPU work that must not take cores from public requests, run on a thread of its own at
//! a lower scheduling priority:
//!   - static map renders ([`lower_this_threads_priority`]: nice [`NICE`], a tenth of a
//!     normal thread's share when the cores are busy: a public request, slow but public);
//!   - the offices' work ([`run`]: reading uploaded workbooks, the store calls of the
//!     review pages, approvals' atlas builds): `SCHED_IDLE`, which runs only on cores no
//!     normal thread wants, so offices publishing take nothing from the public map; on
//!     a saturated server the offices wait instead.
//!
//! Steps of [`run`]: 1. start a named thread (not a blocking-pool thread: those also draw
//! tiles and must keep their priority, and a policy set on a pooled thread would stay
//! with it); 2. put that thread in the idle class; 3. run the work and hand its result
//! back to the waiting request.

/// How much less CPU a static map render gets than the rest of the server when the cores
/// are busy: nice 10 weighs about a tenth of nice 0 in Linux's scheduler, so cold tiles
/// and queries keep their cores; an idle server still gives the work a whole core.
pub const NICE: i32 = 10;

/// Runs `work` on a new thread named `name` in the idle scheduling class (see the module
/// doc); `Err` when the thread could not start or panicked. A thread per call is nothing
/// next to the milliseconds to seconds of work.
pub async fn run<T: Send + 'static>(name: &str, work: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            idle_this_thread();
            let _ = tx.send(work());
        })
        .map_err(|e| format!("cannot start a {name} thread: {e}"))?;
    rx.await.map_err(|_| format!("the {name} thread failed (panicked)"))
}

/// Lowers the calling thread's priority to [`NICE`].
pub fn lower_this_threads_priority() {
    // On Linux the nice value belongs to the thread (man 2 setpriority, NOTES), so
    // this changes the calling thread only. Failure leaves the normal priority.
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority take and return plain integers; no memory is shared.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, NICE);
    }
}

/// Puts the calling thread in the `SCHED_IDLE` class (any thread may enter it, man 7
/// sched); should that fail, it is at least lowered to [`NICE`].
pub fn idle_this_thread() {
    lower_this_threads_priority();
    #[cfg(target_os = "linux")]
    // SAFETY: sched_setscheduler reads the sched_param passed by reference for the call
    // only; pid 0 is the calling thread.
    unsafe {
        let param = libc::sched_param { sched_priority: 0 };
        libc::sched_setscheduler(0, libc::SCHED_IDLE, &param);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[tokio::test]
    async fn office_work_runs_in_the_idle_class_on_a_thread_of_its_own() {
        let caller = std::thread::current().id();
        // SAFETY: sched_getscheduler takes and returns plain integers (0: this thread).
        let (policy, thread) = super::run("idle-test", move || (unsafe { libc::sched_getscheduler(0) }, std::thread::current().id())).await.unwrap();
        assert_eq!(policy, libc::SCHED_IDLE);
        assert_ne!(thread, caller);
        // The caller keeps its class.
        // SAFETY: as above.
        assert_eq!(unsafe { libc::sched_getscheduler(0) }, libc::SCHED_OTHER);
    }
}
