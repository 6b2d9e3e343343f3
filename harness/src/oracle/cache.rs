//! The CORS-preflight cache (CACHE-1..5, PRE-2, PRE-14).

use std::sync::Arc;

use bytes::Bytes;

use crate::profile::BrowserProfile;

/// What an entry allows: one method or one header name, either possibly the literal `*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CacheItem {
    Method(Bytes),
    Header(Bytes),
}

/// One preflight-cache entry (CACHE-1). The network partition key is implicit: the oracle
/// models one partition.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheEntry {
    /// Byte-serialized request origin (`null` included).
    pub origin: Arc<str>,
    /// The full URL, query included.
    pub url: Arc<str>,
    /// Created by a credentialed (`include`) preflight.
    pub credentials: bool,
    pub item: CacheItem,
    /// Milliseconds on the oracle's clock when the entry was created or refreshed.
    pub created_ms: u64,
    /// Seconds (PRE-11).
    pub max_age: u64,
}

impl CacheEntry {
    fn live(&self, now_ms: u64) -> bool {
        now_ms < self.created_ms.saturating_add(self.max_age.saturating_mul(1000))
    }

    /// CACHE-2: same origin, same URL, and a credentialed entry for a credentialed request.
    fn matches(&self, origin: &str, url: &str, include: bool) -> bool {
        &*self.origin == origin && &*self.url == url && (self.credentials || !include)
    }
}

/// A preflight cache for one network partition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreflightCache {
    entries: Vec<CacheEntry>,
}

/// The parameters of a cache lookup: who asks, for which URL, with which credentials mode.
pub(crate) struct CacheKey<'a> {
    pub origin: &'a str,
    pub url: &'a str,
    pub include: bool,
    pub now_ms: u64,
}

impl PreflightCache {
    pub fn new() -> PreflightCache {
        PreflightCache::default()
    }

    pub fn entries(&self) -> &[CacheEntry] {
        &self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn live<'a>(&'a self, key: &'a CacheKey<'_>) -> impl Iterator<Item = &'a CacheEntry> + 'a {
        self.entries.iter().filter(move |e| e.live(key.now_ms) && e.matches(key.origin, key.url, key.include))
    }

    /// CACHE-3 method match. Under a profile that re-applies wildcard rules (Chromium), a `*`
    /// entry never serves a credentialed request.
    pub(crate) fn method_match(&self, key: &CacheKey<'_>, method: &str, profile: &BrowserProfile) -> bool {
        let wildcard_ok = !key.include || profile.credentialed_wildcard_cache_entries;
        self.live(key).any(|e| match &e.item {
            CacheItem::Method(m) => {
                m == method.as_bytes() || (m == &b"*"[..] && wildcard_ok && profile.wildcard_cache_entries)
            }
            CacheItem::Header(_) => false,
        })
    }

    /// CACHE-3 header-name match: case-insensitive, or `*` for any name but `authorization`
    /// (which a profile's `*` may cover without credentials, as in PRE-9).
    pub(crate) fn header_match(&self, key: &CacheKey<'_>, name: &str, profile: &BrowserProfile) -> bool {
        let wildcard_ok = !key.include || profile.credentialed_wildcard_cache_entries;
        let covers = |name: &str| {
            !name.eq_ignore_ascii_case("authorization") || (profile.wildcard_covers_authorization && !key.include)
        };
        self.live(key).any(|e| match &e.item {
            CacheItem::Header(h) => {
                h.eq_ignore_ascii_case(name.as_bytes())
                    || (h == &b"*"[..] && wildcard_ok && profile.wildcard_cache_entries && covers(name))
            }
            CacheItem::Method(_) => false,
        })
    }

    /// Creates an entry, or refreshes the max-age of a matching one (Fetch's CORS-preflight
    /// fetch steps 12-14). Returns the entry as stored. `origin` and `url` are the key's, shared
    /// by all entries of one preflight.
    pub(crate) fn store(
        &mut self,
        key: &CacheKey<'_>,
        origin: &Arc<str>,
        url: &Arc<str>,
        item: CacheItem,
        max_age: u64,
    ) -> CacheEntry {
        // Entries of one preflight share their origin and URL: pointer equality first.
        let existing = self.entries.iter_mut().find(|e| {
            e.item == item
                && e.credentials == key.include
                && (Arc::ptr_eq(&e.origin, origin) || *e.origin == **origin)
                && (Arc::ptr_eq(&e.url, url) || *e.url == **url)
        });
        match existing {
            Some(e) => {
                e.created_ms = key.now_ms;
                e.max_age = max_age;
                e.clone()
            }
            None => {
                let entry = CacheEntry {
                    origin: origin.clone(),
                    url: url.clone(),
                    credentials: key.include,
                    item,
                    created_ms: key.now_ms,
                    max_age,
                };
                self.entries.push(entry.clone());
                entry
            }
        }
    }

    /// PRE-14 / CACHE-4: a network error clears every entry for (origin, URL).
    pub(crate) fn clear(&mut self, origin: &str, url: &str) {
        self.entries.retain(|e| !(&*e.origin == origin && &*e.url == url));
    }

    /// Drops expired entries (CACHE-4); lookups ignore them anyway.
    pub fn expire(&mut self, now_ms: u64) {
        self.entries.retain(|e| e.live(now_ms));
    }
}
