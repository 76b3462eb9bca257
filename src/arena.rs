//! The process's allocator: a bump arena in front of the system allocator.
//!
//! A hook process lives a few milliseconds and frees almost everything it
//! allocates only at exit. glibc's malloc spends about 190 instructions on
//! each allocation and its free (bins, coalescing, consolidation): a fifth
//! of a hook that analyses a 2 KB pipeline, whose parser makes 7,500
//! allocations. Here an allocation is a pointer bump in a zero-initialised
//! static arena (pages cost nothing until touched), a free is nothing
//! (except that the latest allocation is given back, which covers the many
//! short-lived temporaries), and growing the latest allocation happens in
//! place. Once the arena is used up, and for long-running commands (the
//! dashboard, scans) that get there, the system allocator takes over, so
//! memory stays bounded by the arena plus what the system allocator holds.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Size of the arena: far above what a hook uses (75 KB for a Bash call,
/// under 1 MB for a 2 KB pipeline or an 8 KB Write), small enough that a
/// process that uses it all holds little.
const ARENA_BYTES: usize = 16 << 20;

#[repr(C, align(4096))]
struct Arena(UnsafeCell<[u8; ARENA_BYTES]>);

// SAFETY: the bytes are handed out in disjoint ranges (see `BumpThenSystem`);
// nothing reads or writes the array as a whole.
unsafe impl Sync for Arena {}

static ARENA: Arena = Arena(UnsafeCell::new([0; ARENA_BYTES]));
/// Offset of the first free byte of the arena.
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A bump arena, then the system allocator.
pub struct BumpThenSystem;

fn base() -> usize {
    ARENA.0.get() as usize
}

fn in_arena(ptr: *mut u8) -> bool {
    let at = ptr as usize;
    at >= base() && at < base() + ARENA_BYTES
}

impl BumpThenSystem {
    /// `layout` from the arena, or null when it does not fit.
    fn bump(layout: Layout) -> *mut u8 {
        let base = base();
        let mut next = NEXT.load(Ordering::Relaxed);
        loop {
            // Alignments are powers of two; the arena is page-aligned.
            let start = (next + layout.align() - 1) & !(layout.align() - 1);
            let Some(end) = start.checked_add(layout.size()) else {
                return std::ptr::null_mut();
            };
            if end > ARENA_BYTES {
                return std::ptr::null_mut();
            }
            match NEXT.compare_exchange_weak(next, end, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return (base + start) as *mut u8,
                Err(current) => next = current,
            }
        }
    }
}

// SAFETY: every pointer returned is either a fresh, suitably aligned range
// of the arena no other allocation overlaps (the bump is one atomic
// compare-exchange), or the system allocator's; each is given back to the
// allocator it came from (`in_arena`).
unsafe impl GlobalAlloc for BumpThenSystem {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = Self::bump(layout);
        if ptr.is_null() {
            // SAFETY: the caller's layout contract is passed on unchanged.
            unsafe { System.alloc(layout) }
        } else {
            ptr
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if in_arena(ptr) {
            // The latest allocation goes back to the arena; others stay
            // until the process exits.
            let start = ptr as usize - base();
            let _ = NEXT.compare_exchange(
                start + layout.size(),
                start,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        } else {
            // SAFETY: `ptr` came from the system allocator with `layout`.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !in_arena(ptr) {
            // SAFETY: `ptr` came from the system allocator with `layout`.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        let start = ptr as usize - base();
        if new_size <= layout.size() {
            return ptr;
        }
        // The latest allocation grows in place when the arena has room.
        if start + new_size <= ARENA_BYTES
            && NEXT
                .compare_exchange(
                    start + layout.size(),
                    start + new_size,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            return ptr;
        }
        // SAFETY: `new_size` is non-zero and, rounded up to the alignment,
        // does not overflow (the `realloc` contract); the alignment is the
        // old layout's, which is valid.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as for `alloc`.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both ranges are valid for `layout.size()` bytes (the
            // old one is that long, the new one longer) and do not overlap
            // (the new one is fresh).
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size()) };
            // SAFETY: `ptr` was allocated here with `layout`.
            unsafe { self.dealloc(ptr, layout) };
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_are_aligned_disjoint_and_spill_to_the_system() {
        let a = BumpThenSystem;
        // SAFETY: valid layouts; every pointer is freed with its layout.
        unsafe {
            let small = Layout::from_size_align(24, 8).expect("layout");
            let p = a.alloc(small);
            let q = a.alloc(Layout::from_size_align(64, 64).expect("layout"));
            assert!(in_arena(p) && in_arena(q));
            assert_eq!(q as usize % 64, 0);
            assert!(q as usize >= p as usize + 24);
            // Growing the latest allocation keeps its address.
            let grown = a.realloc(q, Layout::from_size_align(64, 64).expect("layout"), 4096);
            assert_eq!(grown, q);
            std::ptr::write_bytes(grown, 7, 4096);
            // Growing an older one moves it, with its bytes.
            std::ptr::write_bytes(p, 9, 24);
            let moved = a.realloc(p, small, 100);
            assert_ne!(moved, p);
            assert_eq!(*moved.add(23), 9);
            // Bigger than the arena: the system's.
            let huge = Layout::from_size_align(ARENA_BYTES + 1, 8).expect("layout");
            let h = a.alloc(huge);
            assert!(!h.is_null() && !in_arena(h));
            a.dealloc(h, huge);
            a.dealloc(moved, Layout::from_size_align(100, 8).expect("layout"));
            a.dealloc(grown, Layout::from_size_align(4096, 64).expect("layout"));
        }
    }
}
