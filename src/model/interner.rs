//! Values held once each and numbered in first-seen order: the label sets
//! of a profile's samples (many samples name a few sets), raw or resolved.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Distinct values by id, and their ids by hash. The table holds ids
/// only, so each value is stored once (a map keyed by the values would
/// hold every one twice).
#[derive(Debug, Clone)]
pub struct Interner<T> {
    values: Vec<T>,
    ids: HashTable<u32>,
}

impl<T: Hash + Eq> Interner<T> {
    /// The id of `key`, and whether it is new (then stored as `own(key)`).
    pub fn intern<Q>(&mut self, key: &Q, own: impl FnOnce(&Q) -> T) -> (u32, bool)
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = FxBuildHasher.hash_one(key);
        match self.find(hash, key) {
            Some(id) => (id, false),
            None => (self.push(hash, own(key)), true),
        }
    }

    /// The id of `value`, stored if new.
    pub fn intern_owned(&mut self, value: T) -> u32 {
        let hash = FxBuildHasher.hash_one(&value);
        match self.find(hash, &value) {
            Some(id) => id,
            None => self.push(hash, value),
        }
    }

    /// The values, indexed by id.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    fn find<Q>(&self, hash: u64, key: &Q) -> Option<u32>
    where
        T: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let values = &self.values;
        self.ids
            .find(hash, |&id| values[id as usize].borrow() == key)
            .copied()
    }

    fn push(&mut self, hash: u64, value: T) -> u32 {
        let id = self.values.len() as u32;
        self.values.push(value);
        let values = &self.values;
        // The hasher re-hashes stored values when the table grows; they
        // hash as their borrowed keys do (`Borrow`'s contract).
        self.ids
            .insert_unique(hash, id, |&id| FxBuildHasher.hash_one(&values[id as usize]));
        id
    }
}

/// Id 0 is the default value (the empty label set).
impl<T: Hash + Eq + Default> Default for Interner<T> {
    fn default() -> Self {
        let mut interner = Interner {
            values: Vec::new(),
            ids: HashTable::new(),
        };
        interner.intern_owned(T::default());
        interner
    }
}

/// Equal when they hold the same values under the same ids (the table
/// follows from the values).
impl<T: PartialEq> PartialEq for Interner<T> {
    fn eq(&self, other: &Self) -> bool {
        self.values == other.values
    }
}

impl<T: Eq> Eq for Interner<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_share_an_id_in_first_seen_order() {
        let mut i: Interner<Vec<u8>> = Interner::default();
        assert_eq!(i.intern(&b"ab"[..], <[u8]>::to_vec), (1, true));
        assert_eq!(i.intern(&b""[..], <[u8]>::to_vec), (0, false));
        assert_eq!(i.intern(&b"cd"[..], <[u8]>::to_vec), (2, true));
        assert_eq!(i.intern(&b"ab"[..], |_| unreachable!()), (1, false));
        assert_eq!(i.intern_owned(b"cd".to_vec()), 2);
        assert_eq!(i.values(), [b"".to_vec(), b"ab".to_vec(), b"cd".to_vec()]);
    }
}
