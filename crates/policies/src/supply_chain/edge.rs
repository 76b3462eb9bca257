//! The few reads the supply-chain policies need from the outside world
//! (files, the clock), kept here so the deciding code stays pure and
//! testable with plain bytes.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// Files larger than this are not read by a hook (they are neither
/// stripped nor hashed there; `agentops scan` handles them).
pub const MAX_HOOK_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// A tool's path, made absolute against the project directory.
pub fn resolve(project_dir: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        project_dir.join(p)
    }
}

/// The contents of a regular file, or `None` when it is missing, not a
/// regular file, too large or unreadable.
pub fn read_file(path: &Path, limit: u64) -> Option<Vec<u8>> {
    let mut file = File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > limit {
        return None;
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut buf).ok()?;
    Some(buf)
}

/// SHA-256 of a file, streamed, as lowercase hex.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Now, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_utc() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    iso8601_utc(secs)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the Unix epoch.
pub fn iso8601_utc(secs: u64) -> String {
    agentops_records::clock::iso_from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601_utc(951_825_599), "2000-02-29T11:59:59Z");
        assert_eq!(iso8601_utc(4_102_444_800), "2100-01-01T00:00:00Z");
    }

    #[test]
    fn hashes_and_reads() {
        let tmp = tempfile::tempdir().expect("tmp");
        let p = tmp.path().join("f");
        std::fs::write(&p, b"abc").expect("write");
        let want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_file(&p).expect("hash"), want);
        assert_eq!(sha256_bytes(b"abc"), want);
        assert_eq!(read_file(&p, 10).as_deref(), Some(&b"abc"[..]));
        assert_eq!(read_file(&p, 2), None);
        assert_eq!(read_file(tmp.path(), 10), None, "a directory is not a file");
        assert_eq!(read_file(&tmp.path().join("missing"), 10), None);
        assert_eq!(resolve(tmp.path(), "/abs"), PathBuf::from("/abs"));
        assert_eq!(resolve(Path::new("/p"), "rel/x"), PathBuf::from("/p/rel/x"));
    }
}
