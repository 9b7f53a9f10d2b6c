//! Allocator settings of the server process (mimalloc, see `main.rs`).

/// mimalloc's option `purge_delay`: its position in the option enum of the mimalloc that
/// libmimalloc-sys 0.1.49 builds (v3), hence that crate's pinned version.
pub const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long mimalloc keeps freed pages before giving them back to the system, in ms.
///
/// mimalloc's default (1 s in the build used here) keeps the pages of a burst of frees (an
/// upload of 100,000 suppliers turning into the records scoring reads): some 75 MB more at the
/// server's peak. Giving them back at once (0) costs more: every page a thread takes again is
/// a fresh page the kernel has to zero, and every give-back an `madvise` that stops the other
/// threads to flush their TLBs (together about a tenth of an upload's CPU). 25 ms keeps the
/// pages a busy upload is about to reuse and still gives a burst back before it adds up.
/// Measured at 100,000 rows, interleaved with the build before this change and the SQLite
/// REPLACE of `supplier_latest`: persisting (parse, validate, store) 2.27-2.40 s against
/// 2.31-2.47 s; the whole upload 4.64-4.95 s against 5.17-5.31 s; the server's peak 269-275 MB
/// against 264-271 MB. 50 ms was no faster; 100 ms once peaked at 305 MB, 250 ms at 302 MB.
pub const PURGE_DELAY_MS: std::ffi::c_long = 25;

/// Freed memory goes back to the system soon ([`PURGE_DELAY_MS`]). Measured to hold for threads
/// started after the call (uploads run on the blocking pool's threads), not for the thread
/// that made the call: call it first in `main`.
///
/// The process also takes no transparent huge pages (Linux): a freed range inside a 2 MiB huge
/// page cannot go back without splitting it, and taking one back zeroes all 2 MiB (the kernel
/// zeroing huge pages was 9 % of an upload's writing thread). Measured on an upload of 100,000
/// rows, interleaved with the build before: persisting 7-8 % faster, the whole upload 3 %, the
/// server's peak 14 MB lower. Children (the reader process) inherit it.
pub fn return_freed_memory_soon() {
    // SAFETY: sets one option of the allocator; takes no pointers.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) }
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with integer arguments only; a failure leaves THP as it was.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Frees `x` on a thread of its own, so that the caller does not wait for it: the records of an
/// upload of 100,000 suppliers are some 3 million allocations, a tenth of a second to free,
/// while the transaction they were written in still has to commit. When no thread can be
/// started, `x` is freed here.
pub fn free_elsewhere<T: Send + 'static>(x: T) {
    // A failed spawn drops the closure, and `x` with it, on this thread.
    let _ = std::thread::Builder::new().name("free".into()).spawn(move || drop(x));
}

#[cfg(test)]
mod tests {
    /// The option at that position has purge_delay's default (1000 in the mimalloc v3 built
    /// here, as `MIMALLOC_VERBOSE=1` lists it) until set: a mimalloc whose options moved fails
    /// here (no other option has that default).
    #[test]
    fn purge_delay_is_the_option_at_its_position() {
        // SAFETY: reads one option.
        let get = || unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(get(), 1000);
        }
        super::return_freed_memory_soon();
        assert_eq!(get(), super::PURGE_DELAY_MS);
        #[cfg(target_os = "linux")]
        // SAFETY: prctl with integer arguments only.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) }, 1, "no huge pages");
    }

    /// What is handed over is freed, on another thread.
    #[test]
    fn free_elsewhere_frees_on_another_thread() {
        struct Tell(std::sync::mpsc::Sender<std::thread::ThreadId>);
        impl Drop for Tell {
            fn drop(&mut self) {
                let _ = self.0.send(std::thread::current().id());
            }
        }
        let (tx, rx) = std::sync::mpsc::channel();
        super::free_elsewhere(Tell(tx));
        let freed_on = rx.recv_timeout(std::time::Duration::from_secs(10)).expect("freed");
        assert_ne!(freed_on, std::thread::current().id());
    }
}
