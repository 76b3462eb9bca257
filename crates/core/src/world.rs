//! The outside world as a policy may see it: the clock, the environment,
//! files and state, and programs to run. Policies reach it only through
//! [`Context::world`](crate::Context); the engine fills it with the host
//! (`agentops_state::HostWorld`), tests with a [`MemoryWorld`].
//!
//! Keeping every read behind this trait is what makes decisions pure and
//! table-testable: the same payload and the same world give the same
//! outcome.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// What kind of file system entry a path names (symbolic links followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// Anything else (device, socket, fifo).
    Other,
}

/// The facts about a file a policy may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMeta {
    /// Regular file, directory or other.
    pub kind: FileKind,
    /// Size in bytes.
    pub len: u64,
    /// Last modification time, when the platform reports one.
    pub modified: Option<SystemTime>,
}

/// One file found by [`World::walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkEntry {
    /// The file's path (under the walked root).
    pub path: PathBuf,
    /// Its size and modification time.
    pub meta: FileMeta,
    /// Its status-change time and inode, as [`World::change_stamp`] gives
    /// them, when the walk read them anyway (saves a second `stat` per file
    /// for a metadata cache); `None` otherwise.
    pub change: Option<(i128, u64)>,
}

/// What a program run through [`World::run`] printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessOutput {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
}

/// Everything outside the payload and the flags that a policy may read.
pub trait World: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// An environment variable, when it is set and valid UTF-8.
    fn var(&self, name: &str) -> Option<String>;

    /// The contents of a regular file of at most `limit` bytes. Missing
    /// files are `NotFound`; larger files and non-files are errors too.
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>>;

    /// Facts about a path (following symbolic links).
    fn metadata(&self, path: &Path) -> io::Result<FileMeta>;

    /// The entries of a directory, sorted.
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>>;

    /// The path with symbolic links and `..` resolved.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;

    /// Every regular file under `root`, sorted by path, without following
    /// symbolic links; directories for which `skip_dir` (given the
    /// directory's name) is true are not entered.
    fn walk(&self, root: &Path, skip_dir: &dyn Fn(&str) -> bool) -> io::Result<Vec<WalkEntry>>;

    /// Run a program with arguments in `cwd`, without a shell, and wait.
    fn run(&self, program: &str, args: &[&str], cwd: &Path) -> io::Result<ProcessOutput>;

    /// A file's status-change time (nanoseconds since the Unix epoch) and
    /// inode number, without following a final symbolic link. Unlike the
    /// modification time, no program can set them back, so a cache keyed
    /// on metadata notices a file rewritten in place with its old
    /// modification time restored. `None` where the platform or the world
    /// does not know them (the default).
    fn change_stamp(&self, path: &Path) -> Option<(i128, u64)> {
        let _ = path;
        None
    }

    /// Whether a path exists (following symbolic links).
    fn exists(&self, path: &Path) -> bool {
        self.metadata(path).is_ok()
    }

    /// A UTF-8 text file of at most `limit` bytes, or `None` when it is
    /// missing, too large, unreadable or not UTF-8.
    fn read_text(&self, path: &Path, limit: u64) -> Option<String> {
        self.read(path, limit)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
    }

    /// Seconds since the Unix epoch, now.
    fn now_secs(&self) -> u64 {
        self.now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// A world held in memory: files, environment, a fixed clock and scripted
/// program outputs. The default is an empty world at the Unix epoch plus
/// one billion seconds (2001-09-09), which sees no files at all.
#[derive(Debug)]
pub struct MemoryWorld {
    now: SystemTime,
    vars: BTreeMap<String, String>,
    files: BTreeMap<PathBuf, (Vec<u8>, SystemTime)>,
    dirs: BTreeMap<PathBuf, ()>,
    links: BTreeMap<PathBuf, PathBuf>,
    programs: BTreeMap<String, ProcessOutput>,
    runs: Mutex<Vec<String>>,
}

impl Default for MemoryWorld {
    fn default() -> MemoryWorld {
        MemoryWorld {
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000),
            vars: BTreeMap::new(),
            files: BTreeMap::new(),
            dirs: BTreeMap::new(),
            links: BTreeMap::new(),
            programs: BTreeMap::new(),
            runs: Mutex::new(Vec::new()),
        }
    }
}

fn not_found(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("{}: not in this world", path.display()),
    )
}

impl MemoryWorld {
    /// An empty world.
    pub fn new() -> MemoryWorld {
        MemoryWorld::default()
    }

    /// Set the clock.
    pub fn at(mut self, now: SystemTime) -> MemoryWorld {
        self.now = now;
        self
    }

    /// Set the clock in seconds since the Unix epoch.
    pub fn at_secs(self, secs: u64) -> MemoryWorld {
        self.at(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
    }

    /// Set an environment variable.
    pub fn env(mut self, name: &str, value: &str) -> MemoryWorld {
        self.vars.insert(name.to_string(), value.to_string());
        self
    }

    /// Add a file (and its parent directories), modified now.
    pub fn file(self, path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> MemoryWorld {
        let now = self.now;
        self.file_at(path, contents, now)
    }

    /// Add a file (and its parent directories) with a modification time.
    pub fn file_at(
        mut self,
        path: impl AsRef<Path>,
        contents: impl AsRef<[u8]>,
        modified: SystemTime,
    ) -> MemoryWorld {
        let path = path.as_ref().to_path_buf();
        for dir in path.ancestors().skip(1) {
            if !dir.as_os_str().is_empty() {
                self.dirs.insert(dir.to_path_buf(), ());
            }
        }
        self.files
            .insert(path, (contents.as_ref().to_vec(), modified));
        self
    }

    /// Add an empty directory (and its parents).
    pub fn dir(mut self, path: impl AsRef<Path>) -> MemoryWorld {
        for dir in path.as_ref().ancestors() {
            if !dir.as_os_str().is_empty() {
                self.dirs.insert(dir.to_path_buf(), ());
            }
        }
        self
    }

    /// Make `link` a symbolic link to `target` (resolved by
    /// [`World::canonicalize`]).
    pub fn symlink(mut self, link: impl AsRef<Path>, target: impl AsRef<Path>) -> MemoryWorld {
        self.links
            .insert(link.as_ref().to_path_buf(), target.as_ref().to_path_buf());
        self
    }

    /// Script what running `program` (any arguments) prints.
    pub fn program(mut self, program: &str, output: ProcessOutput) -> MemoryWorld {
        self.programs.insert(program.to_string(), output);
        self
    }

    /// The command lines run so far, `program arg arg`.
    pub fn runs(&self) -> Vec<String> {
        self.runs.lock().map(|r| r.clone()).unwrap_or_default()
    }

    fn resolve(&self, path: &Path) -> PathBuf {
        let mut out = PathBuf::new();
        for part in path.components() {
            match part {
                std::path::Component::ParentDir => {
                    out.pop();
                }
                std::path::Component::CurDir => {}
                other => out.push(other),
            }
            // Follow links component by component, a bounded number of times.
            let mut hops = 0;
            while let Some(target) = self.links.get(&out) {
                out = if target.is_absolute() {
                    target.clone()
                } else {
                    out.parent().unwrap_or(Path::new("/")).join(target)
                };
                hops += 1;
                if hops > 40 {
                    break;
                }
            }
        }
        out
    }
}

impl World for MemoryWorld {
    fn now(&self) -> SystemTime {
        self.now
    }

    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        let path = self.resolve(path);
        match self.files.get(&path) {
            Some((bytes, _)) if bytes.len() as u64 > limit => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: larger than {limit} bytes", path.display()),
            )),
            Some((bytes, _)) => Ok(bytes.clone()),
            None if self.dirs.contains_key(&path) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: a directory", path.display()),
            )),
            None => Err(not_found(&path)),
        }
    }

    fn metadata(&self, path: &Path) -> io::Result<FileMeta> {
        let path = self.resolve(path);
        if let Some((bytes, modified)) = self.files.get(&path) {
            return Ok(FileMeta {
                kind: FileKind::File,
                len: bytes.len() as u64,
                modified: Some(*modified),
            });
        }
        if self.dirs.contains_key(&path) {
            return Ok(FileMeta {
                kind: FileKind::Dir,
                len: 0,
                modified: Some(self.now),
            });
        }
        Err(not_found(&path))
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let dir = self.resolve(path);
        if !self.dirs.contains_key(&dir) {
            return Err(not_found(&dir));
        }
        let children = self
            .files
            .keys()
            .chain(self.dirs.keys())
            .filter(|p| p.parent() == Some(dir.as_path()))
            .map(|p| path.join(p.file_name().unwrap_or_default()));
        let mut out: Vec<PathBuf> = children.collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let resolved = self.resolve(path);
        if self.files.contains_key(&resolved) || self.dirs.contains_key(&resolved) {
            Ok(resolved)
        } else {
            Err(not_found(&resolved))
        }
    }

    fn walk(&self, root: &Path, skip_dir: &dyn Fn(&str) -> bool) -> io::Result<Vec<WalkEntry>> {
        if !self.dirs.contains_key(root) {
            return Err(not_found(root));
        }
        let skipped = |path: &Path| {
            path.strip_prefix(root).is_ok_and(|rel| {
                rel.parent().is_some_and(|parent| {
                    parent
                        .components()
                        .any(|c| skip_dir(&c.as_os_str().to_string_lossy()))
                })
            })
        };
        Ok(self
            .files
            .iter()
            .filter(|(p, _)| p.starts_with(root) && !skipped(p))
            .map(|(p, (bytes, modified))| WalkEntry {
                path: p.clone(),
                meta: FileMeta {
                    kind: FileKind::File,
                    len: bytes.len() as u64,
                    modified: Some(*modified),
                },
                change: None,
            })
            .collect())
    }

    fn run(&self, program: &str, args: &[&str], _cwd: &Path) -> io::Result<ProcessOutput> {
        if let Ok(mut runs) = self.runs.lock() {
            let mut line = program.to_string();
            for a in args {
                line.push(' ');
                line.push_str(a);
            }
            runs.push(line);
        }
        self.programs.get(program).cloned().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("{program}: no such program in this world"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_world_reads_what_it_holds() {
        let w = MemoryWorld::new()
            .at_secs(42)
            .env("HOME", "/home/u")
            .file("/p/tasks/todo.md", "- [ ] a\n")
            .file("/p/node_modules/x/index.js", "x")
            .dir("/p/empty")
            .symlink("/p/link.md", "/p/tasks/todo.md");
        assert_eq!(w.now_secs(), 42);
        assert_eq!(w.var("HOME").as_deref(), Some("/home/u"));
        assert_eq!(w.var("PATH"), None);
        assert_eq!(
            w.read_text(Path::new("/p/tasks/todo.md"), 100).as_deref(),
            Some("- [ ] a\n")
        );
        assert!(w.read(Path::new("/p/tasks/todo.md"), 3).is_err());
        assert!(w.read(Path::new("/p/tasks"), 100).is_err());
        assert_eq!(
            w.read(Path::new("/p/nope"), 9).map_err(|e| e.kind()),
            Err(io::ErrorKind::NotFound)
        );
        assert_eq!(
            w.metadata(Path::new("/p/tasks")).map(|m| m.kind).ok(),
            Some(FileKind::Dir)
        );
        assert_eq!(
            w.canonicalize(Path::new("/p/link.md")).ok(),
            Some(PathBuf::from("/p/tasks/todo.md"))
        );
        assert_eq!(
            w.canonicalize(Path::new("/p/x/../tasks/todo.md")).ok(),
            Some(PathBuf::from("/p/tasks/todo.md"))
        );
        let names: Vec<_> = w
            .read_dir(Path::new("/p"))
            .expect("dir")
            .into_iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(
            names,
            ["/p/empty", "/p/node_modules", "/p/tasks"],
            "files and directories, sorted"
        );
        let walked: Vec<_> = w
            .walk(Path::new("/p"), &|d| d == "node_modules")
            .expect("walk")
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(walked, [PathBuf::from("/p/tasks/todo.md")]);
    }

    #[test]
    fn memory_world_scripts_programs_and_records_runs() {
        let w = MemoryWorld::new().program(
            "git",
            ProcessOutput {
                success: true,
                stdout: b"docs/\n".to_vec(),
                stderr: Vec::new(),
            },
        );
        let out = w
            .run("git", &["check-ignore", "docs"], Path::new("/p"))
            .expect("scripted");
        assert!(out.success);
        assert!(w.run("make", &[], Path::new("/p")).is_err());
        assert_eq!(w.runs(), ["git check-ignore docs", "make"]);
    }
}
