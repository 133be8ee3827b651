//! Memory-mapped files that may shrink while they are scanned.
//!
//! Reading a mapped page past the end of a file that another process truncated after it was mapped
//! raises SIGBUS, whose default action kills the process: no message, no report. [`Mapped::read`]
//! runs a closure over the mapping with the fault handled: a SIGBUS at an address inside the mapping
//! that the faulting thread is reading maps zero pages over the rest of that mapping, the read goes
//! on over zeros, and the call says the file changed (the caller then reports it, and none of what it
//! found). Any other SIGBUS goes to the handler installed before ours (Rust's stack-overflow handler
//! by default) or, if there was none, kills the process as it would have.
//!
//! Mapping is worth this: `read` copies every byte, 24% slower on large files (see
//! [`super::fs::DEFAULT_MMAP_THRESHOLD`]). Where the recovery is not implemented, [`SUPPORTED`] is
//! false and the caller reads instead.

/// Whether [`Mapped`] recovers from truncation on this platform (elsewhere, files are read).
pub(crate) const SUPPORTED: bool = cfg!(target_os = "linux");

#[cfg(target_os = "linux")]
pub(crate) use linux::Mapped;

#[cfg(target_os = "linux")]
mod linux {
    use std::fs::File;
    use std::sync::atomic::{compiler_fence, AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Once, OnceLock};

    use libc::{c_int, c_void, siginfo_t};

    thread_local! {
        // The mapping this thread is reading, as `[start, end)`; (0, 0) when none. Const-initialised
        // atomics without destructors: reading them from the signal handler allocates nothing and
        // takes no lock.
        static ARMED_START: AtomicUsize = const { AtomicUsize::new(0) };
        static ARMED_END: AtomicUsize = const { AtomicUsize::new(0) };
        static FAULTED: AtomicBool = const { AtomicBool::new(false) };
    }

    static INSTALL: Once = Once::new();
    static PAGE: AtomicUsize = AtomicUsize::new(4096);
    static PREVIOUS: OnceLock<libc::sigaction> = OnceLock::new();

    /// A read-only memory map of a whole file, read only through [`Mapped::read`].
    pub(crate) struct Mapped {
        map: memmap2::Mmap,
    }

    impl Mapped {
        /// Maps `file` (and installs the SIGBUS handler, once per process).
        ///
        /// # Errors
        /// What `mmap` returns.
        pub(crate) fn map(file: &File) -> std::io::Result<Mapped> {
            install();
            // SAFETY: the map is read-only and private to this struct, and its bytes are only read
            // inside `read`, where a truncation of the file is turned from a fatal SIGBUS into zero
            // pages and a `changed` result. What remains is what every file mapping accepts: bytes
            // that another process rewrites in place can change under the slice while it is read,
            // which the scan sees as a file that changed, never as unsafety of its own.
            let map = unsafe { memmap2::Mmap::map(file)? };
            Ok(Mapped { map })
        }

        /// Runs `f` over the mapped bytes. Returns its result and whether the file was truncated
        /// while `f` read it (the bytes past the new end then read as zeros: the result describes
        /// no version of the file, and the caller must not report it).
        pub(crate) fn read<R>(&self, f: impl FnOnce(&[u8]) -> R) -> (R, bool) {
            let bytes = &self.map[..];
            let _armed = Armed::new(bytes);
            let out = f(bytes);
            compiler_fence(Ordering::SeqCst);
            (out, FAULTED.with(|x| x.load(Ordering::Relaxed)))
        }
    }

    /// Arms the handler for one thread and one range; disarms on drop (a panic in the reader too).
    struct Armed;

    impl Armed {
        fn new(bytes: &[u8]) -> Armed {
            let start = bytes.as_ptr() as usize;
            FAULTED.with(|x| x.store(false, Ordering::Relaxed));
            ARMED_START.with(|x| x.store(start, Ordering::Relaxed));
            ARMED_END.with(|x| x.store(start + bytes.len(), Ordering::Relaxed));
            // The signal arrives on this thread: the range must be in place, in program order,
            // before the first read of the mapping.
            compiler_fence(Ordering::SeqCst);
            Armed
        }
    }

    impl Drop for Armed {
        fn drop(&mut self) {
            compiler_fence(Ordering::SeqCst);
            ARMED_END.with(|x| x.store(0, Ordering::Relaxed));
            ARMED_START.with(|x| x.store(0, Ordering::Relaxed));
        }
    }

    fn install() {
        INSTALL.call_once(|| {
            // SAFETY: plain libc calls with valid pointers to zero-initialised `sigaction`s (an
            // all-zero `sigaction` is a valid value: no handler, empty mask, no flags). The previous
            // action is recorded before ours is installed, so the handler always finds it.
            unsafe {
                let page = libc::sysconf(libc::_SC_PAGESIZE);
                if page > 0 {
                    PAGE.store(page as usize, Ordering::Relaxed);
                }
                let mut previous: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut previous) != 0 {
                    return;
                }
                let _ = PREVIOUS.set(previous);
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_sigbus as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
            }
        });
    }

    /// The SIGBUS handler.
    ///
    /// # Safety
    /// Called by the kernel with the `siginfo_t` of the signal. Everything it does is
    /// async-signal-safe: atomic loads and stores of const-initialised thread-locals, `mmap`,
    /// `sigaction`, `raise`, and calling the previous handler as the kernel would have.
    extern "C" fn on_sigbus(sig: c_int, info: *mut siginfo_t, ctx: *mut c_void) {
        // SAFETY: `info` is the kernel's siginfo for this signal (SA_SIGINFO).
        let addr = unsafe { (*info).si_addr() } as usize;
        let start = ARMED_START.with(|x| x.load(Ordering::Relaxed));
        let end = ARMED_END.with(|x| x.load(Ordering::Relaxed));
        if start <= addr && addr < end {
            let page = PAGE.load(Ordering::Relaxed);
            let from = addr & !(page - 1);
            let to = (end + page - 1) & !(page - 1);
            // SAFETY: [from, to) lies within the pages of the mapping this thread is reading (the
            // mapping starts page-aligned at `start`): replacing them with anonymous zero pages
            // changes only what that mapping reads, and its `munmap` on drop covers them.
            let zeros = unsafe {
                libc::mmap(
                    from as *mut c_void,
                    to - from,
                    libc::PROT_READ,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                    -1,
                    0,
                )
            };
            if zeros != libc::MAP_FAILED {
                FAULTED.with(|x| x.store(true, Ordering::Relaxed));
                return;
            }
        }
        // SAFETY: as above; `info` and `ctx` are passed on untouched.
        unsafe { not_ours(sig, info, ctx) }
    }

    /// Hands a SIGBUS that is not a truncated mapping of ours to whoever had it before.
    ///
    /// # Safety
    /// Only from the signal handler, with the kernel's arguments.
    unsafe fn not_ours(sig: c_int, info: *mut siginfo_t, ctx: *mut c_void) {
        match PREVIOUS.get() {
            Some(p) if p.sa_sigaction != libc::SIG_DFL && p.sa_sigaction != libc::SIG_IGN => {
                if p.sa_flags & libc::SA_SIGINFO != 0 {
                    let f: extern "C" fn(c_int, *mut siginfo_t, *mut c_void) =
                        std::mem::transmute(p.sa_sigaction);
                    f(sig, info, ctx);
                } else {
                    let f: extern "C" fn(c_int) = std::mem::transmute(p.sa_sigaction);
                    f(sig);
                }
            }
            _ => {
                // The default action: restore it and let the signal take effect (a fault faults again
                // when the handler returns; a sent signal is pending until then).
                let mut default: libc::sigaction = std::mem::zeroed();
                default.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(libc::SIGBUS, &default, std::ptr::null_mut());
                libc::raise(libc::SIGBUS);
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use std::io::Write;

        #[test]
        fn reading_a_mapping_truncated_under_it_reports_a_change_instead_of_dying() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("big.txt");
            let mut f = File::create(&path).unwrap();
            f.write_all(&vec![b'a'; 1 << 20]).unwrap();
            let map = Mapped::map(&File::open(&path).unwrap()).unwrap();
            let (sum, changed) = map.read(|b| b.iter().map(|&x| u64::from(x)).sum::<u64>());
            assert_eq!((sum, changed), (97 << 20, false));
            f.set_len(4096).unwrap();
            let (sum, changed) = map.read(|b| b.iter().map(|&x| u64::from(x)).sum::<u64>());
            assert_eq!((sum, changed), (97 * 4096, true));
            // Disarmed afterwards, and armed again for the next read.
            let (_, changed) = map.read(|b| b[0]);
            assert!(!changed);
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) use fallback::Mapped;

#[cfg(not(target_os = "linux"))]
mod fallback {
    /// Never constructed where [`super::SUPPORTED`] is false: files are read instead.
    pub(crate) enum Mapped {}

    impl Mapped {
        pub(crate) fn map(_file: &std::fs::File) -> std::io::Result<Mapped> {
            Err(std::io::ErrorKind::Unsupported.into())
        }

        pub(crate) fn read<R>(&self, _f: impl FnOnce(&[u8]) -> R) -> (R, bool) {
            match *self {}
        }
    }
}
