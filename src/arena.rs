//! The process's allocator: a bump arena in front of the system allocator.
//!
//! A hook process lives a few milliseconds and frees almost everything it
//! allocates only at exit. glibc's malloc spends about 190 instructions on
//! each allocation and its free (bins, coalescing, consolidation): a fifth
//! of a hook that analyses a 2 KB pipeline, whose parser makes 7,500
//! allocations. Here an allocation is a pointer bump in a zero-initialised
//! static arena (pages cost nothing until touched), the latest allocation
//! is given back when freed (the many short-lived temporaries), small
//! blocks (up to 4 KiB) freed out of order go on a free list per 16-byte
//! size class for the next request of that class, a large block freed out
//! of order is cut up for the next requests before fresh memory is, and
//! growing the latest allocation happens in place. Reuse matters as much as speed: every 4 KiB
//! of the arena a process touches is a page fault, and on a virtual machine
//! a fault costs as much as 10,000 instructions. Once the arena is used up, and for long-running commands (the
//! dashboard, scans) that get there, the system allocator takes over, so
//! memory stays bounded by the arena plus what the system allocator holds.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, UnsafeCell};
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

/// Blocks up to this size are reused through the free lists.
const SMALL: usize = 4096;
/// Size classes are multiples of this, and every arena block is aligned to
/// it, so any freed block of a class serves any request of that class.
const GRAIN: usize = 16;
/// Free lists: class `k` holds blocks of `k * GRAIN` bytes.
const CLASSES: usize = SMALL / GRAIN + 1;

thread_local! {
    /// Per thread, the first free block of each class (0: none); each free
    /// block holds the address of the next in its first word. Per thread,
    /// so no locking: a block freed by another thread than the one that
    /// took it simply joins the freeing thread's list.
    static FREE: [Cell<usize>; CLASSES] = const { [const { Cell::new(0) }; CLASSES] };
}

/// Large free blocks remembered per thread for reuse.
const LARGE_SLOTS: usize = 16;

thread_local! {
    /// Per thread, freed blocks above [`SMALL`] as (address, size); (0, 0)
    /// is an empty slot. A vector that doubles leaves its old buffers
    /// behind; the next large request reuses the smallest that fits.
    static LARGE: [Cell<(usize, usize)>; LARGE_SLOTS] =
        const { [const { Cell::new((0, 0)) }; LARGE_SLOTS] };
}

thread_local! {
    /// Per thread, the unused rest `(start, end)` of a freed large block
    /// that small requests are cut from before the arena is bumped: a
    /// parser's token vector, freed once the syntax tree is built, then
    /// holds the analysis's small blocks instead of fresh pages. (0, 0):
    /// none.
    static SPARE: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

/// `size` bytes (a multiple of [`GRAIN`], so the rest stays aligned) cut
/// from the start of the spare region.
fn take_spare(size: usize) -> Option<*mut u8> {
    SPARE
        .try_with(|spare| {
            let (start, end) = spare.get();
            let cut = start.checked_add(size)?;
            if start == 0 || cut > end {
                return None;
            }
            spare.set((cut, end));
            Some(start as *mut u8)
        })
        .ok()
        .flatten()
}

/// The freed large block at `ptr` of `size` bytes: the new spare region
/// when it is larger than what is left of the current one (whose rest is
/// then remembered for large requests, if it is large), else remembered.
fn free_large(ptr: *mut u8, size: usize) {
    let spare = SPARE.try_with(|spare| {
        let (start, end) = spare.get();
        let left = end - start;
        if size <= left {
            return false;
        }
        spare.set((ptr as usize, ptr as usize + size));
        if left > SMALL {
            keep_large(start as *mut u8, left);
        }
        true
    });
    if spare != Ok(true) {
        keep_large(ptr, size);
    }
}

/// The smallest remembered large block of at least `size` bytes, taken.
fn take_large(size: usize) -> Option<*mut u8> {
    LARGE
        .try_with(|slots| {
            let best = slots
                .iter()
                .filter(|slot| slot.get().1 >= size)
                .min_by_key(|slot| slot.get().1)?;
            let (at, _) = best.replace((0, 0));
            Some(at as *mut u8)
        })
        .ok()
        .flatten()
}

/// Remember the free large block at `ptr` of `size` bytes, if a slot is
/// empty (else it stays unused until the process exits).
fn keep_large(ptr: *mut u8, size: usize) {
    let _ = LARGE.try_with(|slots| {
        if let Some(slot) = slots.iter().find(|slot| slot.get().1 == 0) {
            slot.set((ptr as usize, size));
        }
    });
}

/// Bytes a request of `size` takes from the arena: small ones a whole size
/// class.
fn footprint(size: usize) -> usize {
    if size <= SMALL {
        size.max(1).div_ceil(GRAIN) * GRAIN
    } else {
        size
    }
}

/// The free list a block of `layout` belongs to, if any.
fn class(layout: Layout) -> Option<usize> {
    (layout.size() <= SMALL && layout.align() <= GRAIN).then(|| footprint(layout.size()) / GRAIN)
}

/// A free block of class `k`, taken off its list.
fn pop(k: usize) -> Option<*mut u8> {
    FREE.try_with(|lists| {
        let list = lists.get(k)?;
        let head = list.get();
        if head == 0 {
            return None;
        }
        // SAFETY: `head` is a free block of this class (see `push`), at
        // least GRAIN bytes and GRAIN-aligned, whose first word `push` wrote.
        let next = unsafe { *(head as *const usize) };
        list.set(next);
        Some(head as *mut u8)
    })
    .ok()
    .flatten()
}

/// Put the block at `ptr`, of class `k`, on its free list.
///
/// # Safety
/// `ptr` is an arena block of class `k` nobody uses any more.
unsafe fn push(ptr: *mut u8, k: usize) {
    let _ = FREE.try_with(|lists| {
        if let Some(list) = lists.get(k) {
            // SAFETY: arena blocks are GRAIN-aligned and at least GRAIN
            // bytes, and this one is free: its first word is ours.
            unsafe { *(ptr as *mut usize) = list.get() };
            list.set(ptr as usize);
        }
    });
}

/// A bump arena with free lists for small blocks, then the system
/// allocator.
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
        let align = layout.align().max(GRAIN);
        loop {
            // Alignments are powers of two; the arena is page-aligned.
            let start = (next + align - 1) & !(align - 1);
            let Some(end) = start.checked_add(footprint(layout.size())) else {
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
        if let Some(k) = class(layout) {
            if let Some(reused) = pop(k).or_else(|| take_spare(k * GRAIN)) {
                return reused;
            }
        }
        if layout.size() > SMALL && layout.align() <= GRAIN {
            let reused = take_large(layout.size())
                .or_else(|| take_spare(layout.size().div_ceil(GRAIN) * GRAIN));
            if let Some(reused) = reused {
                return reused;
            }
        }
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
            // The latest allocation goes back to the arena; small others
            // to their free list; large others stay until the process
            // exits.
            let start = ptr as usize - base();
            let latest = NEXT
                .compare_exchange(
                    start + footprint(layout.size()),
                    start,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok();
            if latest {
                return;
            }
            if let Some(k) = class(layout) {
                // SAFETY: `ptr` is an arena block of `layout`, of class `k`,
                // freed by the caller.
                unsafe { push(ptr, k) };
            } else if layout.align() <= GRAIN {
                // Arena blocks are GRAIN-aligned and their footprint is
                // their size, so the whole block can be cut up again.
                free_large(ptr, layout.size());
            }
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
        if start + footprint(new_size) <= ARENA_BYTES
            && NEXT
                .compare_exchange(
                    start + footprint(layout.size()),
                    start + footprint(new_size),
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
    use std::sync::Mutex;

    /// The arena is the process's: its tests run one at a time, so that
    /// "the latest allocation" is the test's own.
    static SERIAL: Mutex<()> = Mutex::new(());

    fn serial() -> std::sync::MutexGuard<'static, ()> {
        SERIAL
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[test]
    fn allocations_are_aligned_disjoint_and_spill_to_the_system() {
        let _serial = serial();
        let a = BumpThenSystem;
        // SAFETY: valid layouts; every pointer is freed with its layout.
        unsafe {
            let small = Layout::from_size_align(24, 8).expect("layout");
            let p = a.alloc(small);
            let q = a.alloc(Layout::from_size_align(64, 64).expect("layout"));
            assert!(in_arena(p) && in_arena(q));
            assert_eq!(q as usize % 64, 0);
            assert!(q as usize >= p as usize + 24 || q as usize + 64 <= p as usize);
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

    #[test]
    fn freed_large_blocks_are_reused_when_big_enough() {
        let _serial = serial();
        let a = BumpThenSystem;
        let big = Layout::from_size_align(8192, 8).expect("layout");
        let bigger = Layout::from_size_align(9000, 8).expect("layout");
        let smaller = Layout::from_size_align(6000, 8).expect("layout");
        // SAFETY: valid layouts; every pointer is freed once, with its layout.
        unsafe {
            let p = a.alloc(big);
            assert!(in_arena(p), "the arena has room in a test");
            // Aligned past GRAIN: always bumped, so `p` is not the latest.
            let keep = a.alloc(Layout::from_size_align(64, 32).expect("layout"));
            a.dealloc(p, big);
            // Too small for 9,000 bytes: a fresh block.
            let q = a.alloc(bigger);
            assert_ne!(q, p);
            // 6,000 bytes fit in the freed 8 KiB.
            let r = a.alloc(smaller);
            assert_eq!(r, p);
            std::ptr::write_bytes(r, 1, 6000);
            a.dealloc(r, smaller);
            a.dealloc(q, bigger);
            a.dealloc(keep, Layout::from_size_align(64, 32).expect("layout"));
        }
    }

    #[test]
    fn a_freed_large_block_is_cut_up_for_small_requests() {
        let _serial = serial();
        let a = BumpThenSystem;
        let big = Layout::from_size_align(20_000, 8).expect("layout");
        // Class 4 (64 bytes), whose free list is emptied below.
        let small = Layout::from_size_align(3 * GRAIN + 8, 8).expect("layout");
        let pinned = Layout::from_size_align(64, 32).expect("layout");
        // SAFETY: valid layouts; every pointer is freed once, with its layout.
        unsafe {
            let p = a.alloc(big);
            assert!(in_arena(p), "the arena has room in a test");
            // Aligned past GRAIN: always bumped, so `p` is not the latest.
            let keep = a.alloc(pinned);
            a.dealloc(p, big);
            // This thread's earlier blocks of the class are taken first.
            while pop(4).is_some() {}
            let (q, r) = (a.alloc(small), a.alloc(small));
            // Both come out of the freed block, one after the other.
            assert_eq!(q, p);
            assert_eq!(r as usize, p as usize + 4 * GRAIN);
            std::ptr::write_bytes(q, 1, small.size());
            std::ptr::write_bytes(r, 2, small.size());
            assert_eq!(*q.add(small.size() - 1), 1);
            a.dealloc(r, small);
            a.dealloc(q, small);
            a.dealloc(keep, pinned);
        }
    }

    #[test]
    fn freed_small_blocks_are_reused_by_their_class_only() {
        let _serial = serial();
        let a = BumpThenSystem;
        let l40 = Layout::from_size_align(40, 8).expect("layout");
        let l48 = Layout::from_size_align(48, 8).expect("layout");
        // Aligned past GRAIN: always bumped.
        let l100 = Layout::from_size_align(100, 32).expect("layout");
        // SAFETY: valid layouts; every pointer is freed once, with its layout.
        unsafe {
            let p = a.alloc(l40);
            assert!(in_arena(p), "the arena has room in a test");
            let _keep = a.alloc(l100); // so `p` is not the latest
            a.dealloc(p, l40);
            // 40 and 48 bytes are one class (48): the block comes back.
            let q = a.alloc(l48);
            assert_eq!(q, p);
            // Another class does not take it.
            let r = a.alloc(l40);
            assert_ne!(r, p);
            a.dealloc(r, l40);
            a.dealloc(q, l48);
            a.dealloc(_keep, l100);
        }
    }

    #[test]
    fn live_blocks_never_overlap_under_random_use() {
        let _serial = serial();
        let a = BumpThenSystem;
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for step in 0..4_000u32 {
            let roll = next();
            if roll % 3 != 0 || live.is_empty() {
                let size = [1, 7, 16, 24, 40, 100, 500, 1024, 1025, 3000, 5000, 9001]
                    [(roll >> 8) as usize % 12];
                let align = [1, 8, 16, 32][(roll >> 16) as usize % 4];
                let layout = Layout::from_size_align(size, align).expect("layout");
                // SAFETY: a valid, non-zero layout.
                let p = unsafe { a.alloc(layout) };
                assert!(!p.is_null());
                assert_eq!(p as usize % align, 0);
                let tag = (step % 251) as u8;
                // SAFETY: `p` is ours for `size` bytes.
                unsafe { std::ptr::write_bytes(p, tag, size) };
                live.push((p, layout, tag));
            } else {
                let (p, layout, tag) = live.swap_remove((roll >> 8) as usize % live.len());
                // SAFETY: `p` is live with `layout`; nobody else wrote it.
                unsafe {
                    let bytes = std::slice::from_raw_parts(p, layout.size());
                    assert!(
                        bytes.iter().all(|&b| b == tag),
                        "a live block was overwritten"
                    );
                    if roll % 2 == 0 && layout.size() < 8192 {
                        let grown = a.realloc(p, layout, layout.size() * 2);
                        let new = Layout::from_size_align(layout.size() * 2, layout.align())
                            .expect("layout");
                        let kept = std::slice::from_raw_parts(grown, layout.size());
                        assert!(kept.iter().all(|&b| b == tag));
                        std::ptr::write_bytes(grown, tag, new.size());
                        live.push((grown, new, tag));
                    } else {
                        a.dealloc(p, layout);
                    }
                }
            }
        }
        eprintln!("ARENA USED {}", NEXT.load(Ordering::Relaxed));
        for (p, layout, tag) in live {
            // SAFETY: as above.
            unsafe {
                let bytes = std::slice::from_raw_parts(p, layout.size());
                assert!(
                    bytes.iter().all(|&b| b == tag),
                    "a live block was overwritten"
                );
                a.dealloc(p, layout);
            }
        }
    }
}
