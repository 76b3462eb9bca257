//! Helpers the supply-chain policies share: paths made absolute, file
//! reads and the clock through the context's world, SHA-256 of bytes.

use std::path::{Path, PathBuf};

use agentops_core::World;
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
pub fn read_file(world: &dyn World, path: &Path, limit: u64) -> Option<Vec<u8>> {
    world.read(path, limit).ok()
}

/// SHA-256 of bytes, as lowercase hex.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The world's time, as `YYYY-MM-DDTHH:MM:SSZ`, for audit records.
pub fn timestamp(world: &dyn World) -> String {
    agentops_records::clock::iso_from_secs(world.now_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use agentops_core::MemoryWorld;

    #[test]
    fn hashes_reads_and_times() {
        let want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_bytes(b"abc"), want);
        let w = MemoryWorld::new().at_secs(951_825_599).file("/p/f", "abc");
        assert_eq!(timestamp(&w), "2000-02-29T11:59:59Z");
        assert_eq!(
            read_file(&w, Path::new("/p/f"), 10).as_deref(),
            Some(&b"abc"[..])
        );
        assert_eq!(read_file(&w, Path::new("/p/f"), 2), None);
        assert_eq!(
            read_file(&w, Path::new("/p"), 10),
            None,
            "a directory is not a file"
        );
        assert_eq!(read_file(&w, Path::new("/p/missing"), 10), None);
        assert_eq!(resolve(Path::new("/p"), "/abs"), PathBuf::from("/abs"));
        assert_eq!(resolve(Path::new("/p"), "rel/x"), PathBuf::from("/p/rel/x"));
    }
}
