//! The real world: the host's clock, environment, file system and
//! programs, behind the [`World`] trait policies read through.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

use agentops_core::{FileKind, FileMeta, ProcessOutput, WalkEntry, World};

/// The host, as the engine hands it to policies.
#[derive(Debug, Clone, Copy, Default)]
pub struct HostWorld;

fn meta_of(m: &fs::Metadata) -> FileMeta {
    FileMeta {
        kind: if m.is_file() {
            FileKind::File
        } else if m.is_dir() {
            FileKind::Dir
        } else {
            FileKind::Other
        },
        len: m.len(),
        modified: m.modified().ok(),
    }
}

/// Status-change time (ns since the epoch) and inode, where the platform has them.
fn change_of(m: &fs::Metadata) -> Option<(i128, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((
            i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
            m.ino(),
        ))
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        None
    }
}

impl World for HostWorld {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: not a regular file", path.display()),
            ));
        }
        if meta.len() > limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: larger than {limit} bytes", path.display()),
            ));
        }
        let mut buf = Vec::with_capacity(meta.len() as usize);
        // The file may grow between the size check and the read.
        file.take(limit + 1).read_to_end(&mut buf)?;
        if buf.len() as u64 > limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: larger than {limit} bytes", path.display()),
            ));
        }
        Ok(buf)
    }

    fn metadata(&self, path: &Path) -> io::Result<FileMeta> {
        fs::metadata(path).map(|m| meta_of(&m))
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(path)? {
            out.push(entry?.path());
        }
        out.sort();
        Ok(out)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        fs::canonicalize(path)
    }

    fn walk(&self, root: &Path, skip_dir: &dyn Fn(&str) -> bool) -> io::Result<Vec<WalkEntry>> {
        let mut out = Vec::new();
        let mut pending = vec![root.to_path_buf()];
        let mut first = true;
        while let Some(dir) = pending.pop() {
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if first => return Err(e),
                // A directory that vanished or cannot be read is skipped.
                Err(_) => continue,
            };
            first = false;
            for entry in entries.flatten() {
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                let path = entry.path();
                if kind.is_dir() {
                    if !skip_dir(&entry.file_name().to_string_lossy()) {
                        pending.push(path);
                    }
                } else if kind.is_file() {
                    if let Ok(meta) = entry.metadata() {
                        out.push(WalkEntry {
                            path,
                            meta: meta_of(&meta),
                            change: change_of(&meta),
                        });
                    }
                }
            }
        }
        // Byte order: comparing paths component by component costs more
        // than the rest of a cached project scan.
        out.sort_unstable_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
        Ok(out)
    }

    #[cfg(unix)]
    fn change_stamp(&self, path: &Path) -> Option<(i128, u64)> {
        change_of(&fs::symlink_metadata(path).ok()?)
    }

    fn run(&self, program: &str, args: &[&str], cwd: &Path) -> io::Result<ProcessOutput> {
        let out = Command::new(program)
            .args(args)
            .current_dir(cwd)
            .stdin(Stdio::null())
            .output()?;
        Ok(ProcessOutput {
            success: out.status.success(),
            stdout: out.stdout,
            stderr: out.stderr,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_walks_and_runs_on_the_host() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        fs::create_dir_all(root.join("src/deep")).expect("mkdir");
        fs::create_dir_all(root.join("node_modules/x")).expect("mkdir");
        fs::write(root.join("src/deep/a.rs"), "fn a() {}").expect("write");
        fs::write(root.join("node_modules/x/i.js"), "x").expect("write");
        fs::write(root.join("top.md"), "# top").expect("write");
        let w = HostWorld;
        assert_eq!(
            w.read(&root.join("top.md"), 100).expect("read"),
            b"# top".to_vec()
        );
        assert!(w.read(&root.join("top.md"), 2).is_err(), "over the limit");
        assert!(w.read(&root.join("src"), 100).is_err(), "a directory");
        assert_eq!(
            w.read(&root.join("nope"), 100).map_err(|e| e.kind()),
            Err(io::ErrorKind::NotFound)
        );
        let walked: Vec<PathBuf> = w
            .walk(root, &|d| d == "node_modules")
            .expect("walk")
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(walked, [root.join("src/deep/a.rs"), root.join("top.md")]);
        assert_eq!(
            w.metadata(&root.join("src")).map(|m| m.kind).ok(),
            Some(FileKind::Dir)
        );
        #[cfg(unix)]
        {
            let (ctime, inode) = w.change_stamp(&root.join("top.md")).expect("stamp");
            assert!(ctime > 0 && inode > 0);
            assert!(w.change_stamp(&root.join("nope")).is_none());
        }
        let out = w
            .run("sh", &["-c", "printf hi; pwd"], root)
            .expect("sh runs");
        assert!(out.success);
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("hi"));
    }
}
