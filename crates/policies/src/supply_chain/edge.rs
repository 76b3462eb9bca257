//! The host reads `agentops scan` still makes from this crate (moving out
//! with it): a file's contents, read directly.

use std::fs::File;
use std::io::Read;
use std::path::Path;

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
