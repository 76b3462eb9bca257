//! What Rust's runtime start-up does that this program needs, for the C
//! `main` in `main.rs` (see there for why the runtime's start-up is skipped).
#![allow(unsafe_code)]

use std::ffi::c_int;
use std::process::ExitCode;

/// Make the process look as Rust's runtime would leave it.
pub fn prepare() {
    open_missing_standard_streams();
    // Writes to a closed pipe fail with an error the program handles,
    // instead of killing the process.
    // SAFETY: installing SIG_IGN for SIGPIPE has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// A closed stdin, stdout or stderr is reopened on `/dev/null`: otherwise
/// the next file opened (the audit log, say) would take its number and
/// receive what is printed.
fn open_missing_standard_streams() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is a valid array of three pollfd; a zero timeout
    // returns at once.
    let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 0) };
    if ready <= 0 {
        return;
    }
    for pollfd in fds {
        if pollfd.revents & libc::POLLNVAL != 0 {
            // SAFETY: a constant NUL-terminated path; the descriptor is the
            // lowest free one, which is the closed standard stream.
            unsafe {
                libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
            }
        }
    }
}

/// The exit status an `ExitCode` stands for (it has no accessor).
pub fn exit_status(code: ExitCode) -> c_int {
    (0..=u8::MAX)
        .find(|&status| ExitCode::from(status) == code)
        .map_or(1, c_int::from)
}
