//! A value derived from the snapshot in force, made once per snapshot and read by every
//! request without a lock (the `meta` JSON of answers, the table of point answers' heads).
//!
//! Steps: 1. a request asks with its snapshot; the one entry kept is borrowed
//! ([`arc_swap`]: no lock, no reference count shared with the other cores); 2. when the
//! entry belongs to another snapshot (a reload has published a new one), the value is
//! made and put in its place, unless another request has just done so for the same
//! snapshot, whose value is then used.
//!
//! The entry is keyed by the snapshot itself: its `Weak` keeps the address from being
//! reused by a later snapshot while the entry exists.

use super::Snapshot;
use arc_swap::{ArcSwapOption, Guard};
use std::sync::{Arc, Weak};

/// One value of type `T` for the snapshot that last asked.
pub struct PerSnapshot<T>(ArcSwapOption<Entry<T>>);

pub struct Entry<T> {
    snapshot: Weak<Snapshot>,
    value: T,
}

impl<T> Default for PerSnapshot<T> {
    fn default() -> Self {
        PerSnapshot(ArcSwapOption::empty())
    }
}

/// The value of a snapshot, borrowed from the entry or just made.
pub enum Kept<T> {
    Borrowed(Guard<Option<Arc<Entry<T>>>>),
    Made(Arc<Entry<T>>),
}

impl<T> std::ops::Deref for Kept<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            Kept::Borrowed(guard) => &guard.as_ref().expect("only a kept entry is borrowed").value,
            Kept::Made(entry) => &entry.value,
        }
    }
}

impl<T> Entry<T> {
    fn is_of(&self, snapshot: &Arc<Snapshot>) -> bool {
        std::ptr::eq(self.snapshot.as_ptr(), Arc::as_ptr(snapshot))
    }
}

impl<T> PerSnapshot<T> {
    /// The value for `snapshot`, made by `make` when the entry kept is another snapshot's
    /// (steps 1–2).
    pub fn get(&self, snapshot: &Arc<Snapshot>, make: impl FnOnce(&Arc<Snapshot>) -> T) -> Kept<T> {
        let kept = self.0.load();
        if kept.as_ref().is_some_and(|e| e.is_of(snapshot)) {
            return Kept::Borrowed(kept);
        }
        let made = Arc::new(Entry { snapshot: Arc::downgrade(snapshot), value: make(snapshot) });
        let address = |entry: &Option<Arc<Entry<T>>>| entry.as_ref().map_or(std::ptr::null(), Arc::as_ptr);
        let before = self.0.compare_and_swap(&kept, Some(made.clone()));
        if address(&before) != address(&kept) {
            // Another request replaced the entry meanwhile; use its value if it is of
            // this snapshot, so that both share one value.
            if let Some(theirs) = before.as_ref().filter(|e| e.is_of(snapshot)) {
                return Kept::Made(theirs.clone());
            }
        }
        Kept::Made(made)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atlas::{self, Inputs};
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_value_is_made_once_per_snapshot_and_again_for_the_next() {
        let built = || Arc::new(Snapshot::new(atlas::build(&Inputs::embedded(crate::config::EMBEDDED_GEODATA)).expect("embedded data").0));
        let (first, second) = (built(), built());
        let cache = PerSnapshot::default();
        let made = AtomicUsize::new(0);
        let make = |s: &Arc<Snapshot>| {
            made.fetch_add(1, Ordering::Relaxed);
            Arc::as_ptr(s) as usize
        };
        for _ in 0..3 {
            assert_eq!(*cache.get(&first, make), Arc::as_ptr(&first) as usize);
        }
        assert_eq!(made.load(Ordering::Relaxed), 1, "made again for the same snapshot");
        assert_eq!(*cache.get(&second, make), Arc::as_ptr(&second) as usize);
        assert_eq!(*cache.get(&second, make), Arc::as_ptr(&second) as usize);
        assert_eq!(made.load(Ordering::Relaxed), 2);
        // Back to the first (a request still on the old snapshot): its own value again.
        assert_eq!(*cache.get(&first, make), Arc::as_ptr(&first) as usize);
        assert_eq!(made.load(Ordering::Relaxed), 3);
    }
}
