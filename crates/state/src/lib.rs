//! The `.agentops/` state directory.
//!
//! Claude Code runs matching hooks in parallel, so every write here is safe
//! against concurrent agentops processes:
//! - logs are appended one whole line per `write_all` under an exclusive
//!   file lock, so lines never interleave or tear;
//! - whole-file state is replaced atomically (write a sibling temp file,
//!   then rename), under a lock on a sidecar `.lock` file when it is a
//!   read-modify-write;
//! - chained logs ([`chain`]) get their hash link computed under the log's
//!   own lock, so the chain holds whoever appends.

pub mod chain;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;


/// Name of the directory under the project root.
pub const STATE_DIR_NAME: &str = ".agentops";

/// Handle on a project's `.agentops/` directory. Creating the handle does no
/// I/O; the directory is created on the first write.
#[derive(Debug, Clone)]
pub struct StateDir {
    root: PathBuf,
}

impl StateDir {
    pub fn new(project_dir: &Path) -> StateDir {
        StateDir {
            root: project_dir.join(STATE_DIR_NAME),
        }
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Path of a file in the state directory. Names come from code, not
    /// input; a name with a separator or `..` is refused.
    pub fn file(&self, name: &str) -> io::Result<PathBuf> {
        if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("`{name}` is not a plain state file name"),
            ));
        }
        Ok(self.root.join(name))
    }

    /// Create the directory (and a `.gitignore` that ignores everything in
    /// it) if it does not exist yet.
    pub fn ensure(&self) -> io::Result<()> {
        if !self.root.is_dir() {
            fs::create_dir_all(&self.root)?;
        }
        let ignore = self.root.join(".gitignore");
        if !ignore.exists() {
            // create_new: two processes racing here must not truncate each other.
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&ignore)
            {
                Ok(mut f) => f.write_all(b"*\n")?,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Append one line (a newline is added) to a log, atomically with
    /// respect to other agentops processes.
    pub fn append_line(&self, name: &str, line: &str) -> io::Result<()> {
        if line.contains('\n') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a log line must not contain a newline",
            ));
        }
        let path = self.file(name)?;
        self.ensure()?;
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        file.lock()?;
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        let result = (&file).write_all(&buf);
        let unlocked = file.unlock();
        result.and(unlocked)
    }

    /// Append `record` to a hash-chained log (see [`chain`]): under the
    /// log's exclusive lock, link it to the last record, append it, and
    /// rewrite the `<name>.head` sidecar. Returns the new record's hash.
    pub fn append_chained(&self, name: &str, record: &Value) -> io::Result<String> {
        let path = self.file(name)?;
        let head_path = self.file(&format!("{name}.head"))?;
        self.ensure()?;
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)?;
        file.lock()?;
        let result = (|| {
            let head = read_limited(&head_path, 64 << 10)?.and_then(|b| chain::Head::parse(&b));
            let tail = chain::last_line(&mut file)?;
            let head = chain::next_head(head, tail.as_deref(), || {
                fs::read(&path).map(|b| String::from_utf8_lossy(&b).into_owned())
            })?;
            let (line, hash) = chain::seal(record, &head.last);
            let mut buf = line.into_bytes();
            buf.push(b'\n');
            (&file).write_all(&buf)?;
            let next = chain::Head {
                count: head.count + 1,
                last: hash.clone(),
                ..head
            };
            // No fsync: the head only has to survive the process, and an
            // append that outlives a crashed head update is adopted by the
            // next writer (see `chain::next_head`).
            replace_quickly(&head_path, next.to_json().to_string().as_bytes())?;
            Ok(hash)
        })();
        let unlocked = file.unlock();
        result.and_then(|h| unlocked.map(|()| h))
    }

    /// Read a whole state file; `Ok(None)` when it does not exist.
    pub fn read(&self, name: &str, limit: u64) -> io::Result<Option<Vec<u8>>> {
        let path = self.file(name)?;
        read_limited(&path, limit)
    }

    /// Read-modify-write a state file under an exclusive lock on
    /// `<name>.lock`; the new contents replace the file atomically.
    /// `update` gets the current bytes (None if absent) and returns the new
    /// bytes, or None to leave the file as it is.
    pub fn update<T>(
        &self,
        name: &str,
        limit: u64,
        update: impl FnOnce(Option<&[u8]>) -> (Option<Vec<u8>>, T),
    ) -> io::Result<T> {
        let path = self.file(name)?;
        self.ensure()?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.root.join(format!("{name}.lock")))?;
        lock.lock()?;
        let result = (|| {
            let current = read_limited(&path, limit)?;
            let (next, value) = update(current.as_deref());
            if let Some(bytes) = next {
                replace_atomically(&path, &bytes)?;
            }
            Ok(value)
        })();
        let unlocked = lock.unlock();
        result.and_then(|v| unlocked.map(|()| v))
    }

    /// Add `delta` to an integer counter file and return the new value.
    /// A missing or unreadable counter counts from zero.
    pub fn add_to_counter(&self, name: &str, delta: i64) -> io::Result<i64> {
        self.update(name, 64, |current| {
            let now = current
                .and_then(|b| std::str::from_utf8(b).ok())
                .and_then(|s| s.trim().parse::<i64>().ok())
                .unwrap_or(0);
            let next = now.saturating_add(delta);
            (Some(format!("{next}\n").into_bytes()), next)
        })
    }
}

fn read_limited(path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    match File::open(path) {
        Ok(f) => {
            let mut buf = Vec::new();
            f.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
            if buf.len() as u64 > limit {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} is larger than {limit} bytes", path.display()),
                ));
            }
            Ok(Some(buf))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Like [`replace_atomically`] without the fsync, for files rewritten on
/// every hook run under a lock (a crash loses at most the last update).
fn replace_quickly(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = fs::write(&tmp, contents).and_then(|()| fs::rename(&tmp, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Replace `path` with `contents` so readers see the old or the new file,
/// never a mix. Keeps the permissions of an existing file.
pub fn replace_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(contents)?;
        if let Ok(meta) = fs::metadata(path) {
            f.set_permissions(meta.permissions())?;
        }
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_write_creates_dir_and_gitignore() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = StateDir::new(tmp.path());
        assert!(!state.path().exists());
        state.append_line("audit.jsonl", "{}").expect("append");
        assert_eq!(
            fs::read_to_string(state.path().join(".gitignore")).expect("gitignore"),
            "*\n"
        );
        assert_eq!(
            fs::read_to_string(state.path().join("audit.jsonl")).expect("log"),
            "{}\n"
        );
    }

    #[test]
    fn refuses_names_that_leave_the_directory() {
        let state = StateDir::new(Path::new("/p"));
        for bad in ["../x", "a/b", "..", "", "a\\b"] {
            assert!(state.file(bad).is_err(), "{bad}");
        }
        assert!(state.append_line("log", "a\nb").is_err());
    }

    #[test]
    fn counters_count_and_survive_garbage() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = StateDir::new(tmp.path());
        assert_eq!(state.add_to_counter("n", 1).expect("add"), 1);
        assert_eq!(state.add_to_counter("n", 2).expect("add"), 3);
        fs::write(state.path().join("n"), "garbage").expect("write");
        assert_eq!(state.add_to_counter("n", 1).expect("add"), 1);
    }

    #[test]
    fn read_respects_the_limit() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = StateDir::new(tmp.path());
        assert_eq!(state.read("missing", 10).expect("read"), None);
        state.append_line("big", "0123456789").expect("append");
        assert!(state.read("big", 5).is_err());
        assert_eq!(
            state.read("big", 100).expect("read"),
            Some(b"0123456789\n".to_vec())
        );
    }

    #[cfg(unix)]
    #[test]
    fn replace_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("script.sh");
        fs::write(&path, "old").expect("write");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o750)).expect("chmod");
        replace_atomically(&path, b"new").expect("replace");
        assert_eq!(fs::read_to_string(&path).expect("read"), "new");
        let mode = fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o750);
    }

    #[test]
    fn parallel_threads_lose_no_increment_and_tear_no_line() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = StateDir::new(tmp.path());
        let line = "x".repeat(10_000);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..25 {
                        state.add_to_counter("count", 1).expect("add");
                        state.append_line("log", &line).expect("append");
                    }
                });
            }
        });
        assert_eq!(state.add_to_counter("count", 0).expect("read"), 200);
        let log = fs::read_to_string(state.path().join("log")).expect("log");
        assert_eq!(log.lines().count(), 200);
        assert!(log.lines().all(|l| l == line));
    }
}
