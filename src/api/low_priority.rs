//! CPU work that must not take cores from public requests (static map renders, the
//! reading of uploaded workbooks, approvals' atlas builds): run on a thread of its own
//! at a lower scheduling priority.
//!
//! Steps of [`run`]: 1. start a named thread (not a blocking-pool thread: those also draw
//! tiles and must keep their priority, and a nice value would stay with the pooled
//! thread); 2. lower that thread's priority to [`NICE`]; 3. run the work and hand its
//! result back to the waiting request.

/// How much less CPU the work gets than the rest of the server when the cores are busy:
/// nice 10 weighs about a tenth of nice 0 in Linux's scheduler, so cold tiles and
/// queries keep their cores; an idle server still gives the work a whole core.
pub const NICE: i32 = 10;

/// Runs `work` on a new thread named `name` at [`NICE`]; `Err` when the thread could not
/// start or panicked. A thread per call is nothing next to seconds of work.
pub async fn run<T: Send + 'static>(name: &str, work: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            lower_this_threads_priority();
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
