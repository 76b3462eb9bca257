//! The `.agentops/` state directory.
//!
//! Claude Code runs matching hooks in parallel, so every write here is safe
//! against concurrent agentops processes:
//! - logs are appended one whole line per `write_all` under an exclusive
//!   file lock, so lines never interleave or tear;
//! - whole-file state is replaced atomically (write a sibling temp file,
//!   then rename), under a lock on a sidecar `.lock` file when it is a
//!   read-modify-write;
//! - counters and line sets, which hooks change on every tool call, are
//!   changed in place under that lock instead (a counter rewritten at a
//!   fixed width, a new line appended): replacing a file by rename, or
//!   truncating it to zero, makes ext4 flush its data at once, which
//!   costs a hook 0.4 to 1 ms. A reader that does not take the lock may
//!   see a line half appended or a counter's digits mid-write for the
//!   instant of the write, never a lost count or entry;
//! - chained logs ([`chain`]) get their hash link computed under the log's
//!   own lock, so the chain holds whoever appends.

#![warn(missing_docs)]

use agentops_records::chain;
mod host;

pub use host::HostWorld;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
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
    /// The state directory of the project at `project_dir`.
    pub fn new(project_dir: &Path) -> StateDir {
        StateDir {
            root: project_dir.join(STATE_DIR_NAME),
        }
    }

    /// The `.agentops/` directory itself, which may not exist yet.
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
        let file = OpenOptions::new()
            .read(true)
            .create(true)
            .append(true)
            .open(&path)?;
        file.lock()?;
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        let result = append_record(&file, &buf);
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
            append_record(&file, &buf)?;
            let next = chain::Head {
                count: head.count + 1,
                last: hash.clone(),
                ..head
            };
            // Rewritten in place, padded to a fixed size, without fsync or
            // rename (replace-by-rename forces a flush on ext4, ~4 ms per
            // hook): the head only has to survive the process, an append
            // that outlives a crashed head update is adopted by the next
            // writer, and a head that cannot be parsed is rebuilt with a
            // warning (see `chain::next_head`).
            overwrite_padded(&head_path, next.to_json().to_string().as_bytes())?;
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

    /// Replace a state file with `contents` under its lock, without reading
    /// it first. Like every marker and counter helper below, the write is
    /// atomic for concurrent readers but not fsynced: hook state is cheap
    /// to lose in a crash and costly to sync on every tool call.
    pub fn write(&self, name: &str, contents: &[u8]) -> io::Result<()> {
        self.with_lock(name, |path| replace_unsynced(path, contents))
    }

    /// Create a state file unless it exists; returns whether it was created.
    pub fn create(&self, name: &str, contents: &[u8]) -> io::Result<bool> {
        self.with_lock(name, |path| {
            if path.exists() {
                return Ok(false);
            }
            replace_unsynced(path, contents).map(|()| true)
        })
    }

    /// Remove a state file under its lock; returns whether it existed.
    pub fn remove(&self, name: &str) -> io::Result<bool> {
        let path = self.file(name)?;
        if !path.exists() {
            return Ok(false);
        }
        self.with_lock(name, |path| match fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        })
    }

    /// Add `line` to a file holding one entry per line, unless an identical
    /// line is already there. Returns the number of distinct lines after.
    pub fn insert_line(&self, name: &str, line: &str, limit: u64) -> io::Result<usize> {
        if line.contains('\n') || line.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a set entry must be one non-empty line",
            ));
        }
        self.with_lock(name, |path| {
            let current = read_limited(path, limit)?.unwrap_or_default();
            let text = String::from_utf8_lossy(&current);
            let mut lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
            lines.sort_unstable();
            lines.dedup();
            if lines.binary_search(&line).is_ok() {
                return Ok(lines.len());
            }
            let distinct = lines.len() + 1;
            // Appended, not rewritten (see the module's notes).
            let mut added = String::with_capacity(line.len() + 2);
            if !text.is_empty() && !text.ends_with('\n') {
                added.push('\n');
            }
            added.push_str(line);
            added.push('\n');
            OpenOptions::new()
                .append(true)
                .create(true)
                .open(path)?
                .write_all(added.as_bytes())?;
            Ok(distinct)
        })
    }

    /// Run `action` on the state file's path while holding `<name>.lock`.
    fn with_lock<T>(
        &self,
        name: &str,
        action: impl FnOnce(&Path) -> io::Result<T>,
    ) -> io::Result<T> {
        let path = self.file(name)?;
        self.ensure()?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.root.join(format!("{name}.lock")))?;
        lock.lock()?;
        let result = action(&path);
        let unlocked = lock.unlock();
        result.and_then(|v| unlocked.map(|()| v))
    }

    /// Add `delta` to an integer counter file and return the new value.
    /// A missing counter, or one that holds no number, counts from zero; a
    /// counter file that cannot be read is an error.
    pub fn add_to_counter(&self, name: &str, delta: i64) -> io::Result<i64> {
        self.with_lock(name, |path| {
            // Garbage or a file too large to be a counter counts from zero;
            // a file that cannot be read is an error, not a reset.
            let current = match read_limited(path, 64) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::InvalidData => None,
                Err(e) => return Err(e),
            };
            let now = current
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.trim().parse::<i64>().ok())
                .unwrap_or(0);
            let next = now.saturating_add(delta);
            // Rewritten in place at a fixed width (see the module's notes):
            // every value is the same length, so the file never shrinks.
            let text = format!("{next:<COUNTER_WIDTH$}\n");
            overwrite_in_place(path, text.as_bytes())?;
            Ok(next)
        })
    }
}

/// Append `record` (ending in a newline) to a log opened for reading and
/// appending, under the caller's lock. A log whose last line was torn (a
/// writer killed mid-write, a full disk) first gets a newline, so the new
/// record keeps a line of its own; a write that fails part-way is cut off
/// again, so it leaves no torn line behind.
fn append_record(file: &File, record: &[u8]) -> io::Result<()> {
    let before = file.metadata()?.len();
    let mut buf = Vec::with_capacity(record.len() + 1);
    if before > 0 {
        let mut last = [0u8];
        let mut reader = file;
        reader.seek(SeekFrom::Start(before - 1))?;
        reader.read_exact(&mut last)?;
        if last[0] != b'\n' {
            buf.push(b'\n');
        }
    }
    buf.extend_from_slice(record);
    let mut writer = file;
    writer.write_all(&buf).inspect_err(|_| {
        // Best effort: a device that cannot be truncated keeps the error.
        let _ = file.set_len(before);
    })
}

fn read_limited(path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    match File::open(path) {
        Ok(f) => {
            // Room for a small file up front: from an empty vector,
            // `read_to_end` starts with 32-byte reads and doubles, seven
            // system calls for a 1 KiB sidecar instead of two.
            let room = usize::try_from(limit.saturating_add(1).min(8 << 10)).unwrap_or(8 << 10);
            let mut buf = Vec::with_capacity(room);
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

/// Start this program again with `args`, detached: its own process group
/// (a client that signals the hook's group on timeout does not stop it),
/// standard streams on `/dev/null`, not waited for (it outlives the hook).
pub fn spawn_detached<I, S>(args: I) -> io::Result<()>
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    use std::process::{Command, Stdio};
    let mut command = Command::new(std::env::current_exe()?);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    command.spawn().map(drop)
}

/// Append `text` to a file outside the state directory (e.g.
/// `tasks/lessons.md`) under an exclusive lock on the file, creating it and
/// its directory if needed.
pub fn append_to_file(path: &Path, text: &str) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    file.lock()?;
    let result = (&file).write_all(text.as_bytes());
    let unlocked = file.unlock();
    result.and(unlocked)
}

/// Create `path` with `contents` unless it exists; returns whether it was
/// created. Two processes racing here never truncate each other.
pub fn create_file(path: &Path, contents: &[u8]) -> io::Result<bool> {
    match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(mut f) => f.write_all(contents).map(|()| true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Move `from` to `to`, creating `to`'s directory. Never replaces an
/// existing destination.
pub fn move_file(from: &Path, to: &Path) -> io::Result<()> {
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    // A hard link fails when `to` exists, so nothing is overwritten even if
    // another process creates it meanwhile; rename is the fallback where
    // links are not supported.
    match fs::hard_link(from, to) {
        Ok(()) => fs::remove_file(from),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) if to.exists() => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already exists", to.display()),
        )),
        Err(_) => fs::rename(from, to),
    }
}

/// Size the head sidecar is padded to, so every rewrite is one write of
/// the same length.
const PADDED_LEN: usize = 1024;

/// Characters of a counter's value: any `i64`, sign included.
const COUNTER_WIDTH: usize = 20;

/// Overwrite a small file in place with `contents` padded with spaces.
fn overwrite_padded(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut buf = contents.to_vec();
    if buf.len() < PADDED_LEN {
        buf.resize(PADDED_LEN - 1, b' ');
        buf.push(b'\n');
    }
    overwrite_in_place(path, &buf)
}

/// Write `buf` over the start of `path` (created if missing), and cut the
/// file to its length if it was longer: no rename, no truncation to zero.
fn overwrite_in_place(path: &Path, buf: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    file.write_all(buf)?;
    let len = buf.len() as u64;
    if file.metadata()?.len() != len {
        file.set_len(len)?;
    }
    Ok(())
}

/// Replace `path` with `contents` so readers see the old or the new file,
/// never a mix. Keeps the permissions of an existing file.
pub fn replace_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    replace_via_temp(path, contents, true)
}

/// [`replace_atomically`] without the fsync: readers still see the old or
/// the new file, but a crash may lose the write.
fn replace_unsynced(path: &Path, contents: &[u8]) -> io::Result<()> {
    replace_via_temp(path, contents, false)
}

fn replace_via_temp(path: &Path, contents: &[u8], sync: bool) -> io::Result<()> {
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
        if sync {
            f.sync_all()?;
        }
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

    #[cfg(unix)]
    #[test]
    fn counters_and_line_sets_change_in_place() {
        // No temp file and rename: the file keeps its inode (a rename over
        // it would make ext4 flush on every hook).
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = StateDir::new(tmp.path());
        let inode = |name: &str| fs::metadata(state.path().join(name)).expect("meta").ino();

        // A counter in the old, unpadded format goes on counting.
        state.ensure().expect("dir");
        fs::write(state.path().join("n"), "41\n").expect("write");
        let before = inode("n");
        assert_eq!(state.add_to_counter("n", 1).expect("add"), 42);
        assert_eq!(state.add_to_counter("n", -50).expect("add"), -8);
        assert_eq!(
            state.add_to_counter("n", i64::MAX).expect("add"),
            i64::MAX - 8
        );
        assert_eq!(inode("n"), before);
        let text = fs::read_to_string(state.path().join("n")).expect("read");
        assert_eq!(text.len(), COUNTER_WIDTH + 1, "{text:?}");
        assert_eq!(text.trim(), (i64::MAX - 8).to_string());
        // Shrinking values leave no digits of the larger one behind.
        state.add_to_counter("n", -(i64::MAX - 8)).expect("add");
        assert_eq!(
            fs::read_to_string(state.path().join("n"))
                .expect("read")
                .trim(),
            "0"
        );
        // A file too large to be a counter counts from zero, cut to size.
        fs::write(state.path().join("n"), "9".repeat(100)).expect("write");
        assert_eq!(state.add_to_counter("n", 3).expect("add"), 3);
        assert_eq!(
            fs::metadata(state.path().join("n")).expect("meta").len(),
            COUNTER_WIDTH as u64 + 1
        );
        // One that cannot be read at all is an error, and is left alone.
        fs::remove_file(state.path().join("n")).expect("remove");
        fs::create_dir(state.path().join("n")).expect("dir in its place");
        assert!(state.add_to_counter("n", 1).is_err());
        assert!(state.path().join("n").is_dir());

        // A line set is appended to, and a last line without its newline
        // gets one first.
        fs::write(state.path().join("set"), "a\nb").expect("write");
        let before = inode("set");
        assert_eq!(state.insert_line("set", "c", 1 << 20).expect("insert"), 3);
        assert_eq!(state.insert_line("set", "b", 1 << 20).expect("insert"), 3);
        assert_eq!(inode("set"), before);
        assert_eq!(
            fs::read_to_string(state.path().join("set")).expect("read"),
            "a\nb\nc\n"
        );
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

    #[test]
    fn markers_are_created_once_written_and_removed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = StateDir::new(tmp.path());
        assert!(!state.remove("marker").expect("remove missing"));
        assert!(state.create("marker", b"first").expect("create"));
        assert!(!state.create("marker", b"second").expect("create again"));
        assert_eq!(
            state.read("marker", 64).expect("read"),
            Some(b"first".to_vec())
        );
        state.write("marker", b"third").expect("write");
        assert_eq!(
            state.read("marker", 64).expect("read"),
            Some(b"third".to_vec())
        );
        assert!(state.remove("marker").expect("remove"));
        assert_eq!(state.read("marker", 64).expect("read"), None);
    }

    #[test]
    fn line_sets_keep_each_line_once_even_in_parallel() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let state = StateDir::new(tmp.path());
        std::thread::scope(|s| {
            for t in 0..8 {
                let state = &state;
                s.spawn(move || {
                    for i in 0..10 {
                        // Every thread inserts the shared lines and its own.
                        state
                            .insert_line("set", &format!("shared-{i}"), 1 << 20)
                            .expect("insert");
                        state
                            .insert_line("set", &format!("own-{t}-{i}"), 1 << 20)
                            .expect("insert");
                    }
                });
            }
        });
        let text = fs::read_to_string(state.path().join("set")).expect("set");
        assert_eq!(text.lines().count(), 10 + 80, "{text}");
        assert_eq!(
            state
                .insert_line("set", "shared-0", 1 << 20)
                .expect("again"),
            90
        );
        assert!(state.insert_line("set", "a\nb", 1 << 20).is_err());
    }

    #[test]
    fn files_outside_the_state_dir_are_created_appended_and_moved_safely() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let notes = tmp.path().join("tasks/lessons.md");
        append_to_file(&notes, "a\n").expect("append");
        append_to_file(&notes, "b\n").expect("append");
        assert_eq!(fs::read_to_string(&notes).expect("read"), "a\nb\n");
        assert!(!create_file(&notes, b"clobber").expect("create"));
        assert_eq!(fs::read_to_string(&notes).expect("read"), "a\nb\n");
        let archived = tmp.path().join("tasks/archive/old.md");
        move_file(&notes, &archived).expect("move");
        assert!(!notes.exists());
        assert_eq!(fs::read_to_string(&archived).expect("read"), "a\nb\n");
        fs::write(&notes, "new").expect("write");
        assert!(move_file(&notes, &archived).is_err(), "must not overwrite");
        assert_eq!(fs::read_to_string(&archived).expect("read"), "a\nb\n");
    }
}
