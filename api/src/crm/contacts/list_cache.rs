//! A per-server cache of serialised `GET /v1/contacts` pages, checked against the tenant's data
//! generation (`platform/generation.rs`) on every request, so that a page is served from memory
//! only while no write of the tenant has happened since it was computed, on any server.
//!
//! A hit costs one primary-key read (the generation) instead of the page query, the decoding of
//! 50 rows and their JSON encoding (`docs/PERFORMANCE.md`, issue 5). Entries are keyed by the
//! tenant and the raw query string, weigh their body size against `contact_list_cache_bytes`
//! (0 turns the cache off), and expire after [`TTL`] whatever happens, which bounds how long a
//! page could stay stale if a generation bump failed (it is logged).

use std::{sync::Arc, time::Duration};

use actix_web::web::Bytes;
use uuid::Uuid;

/// The longest an entry is kept.
pub const TTL: Duration = Duration::from_secs(60);

/// Key: the tenant and the request's query string.
type Key = (Uuid, String);

/// Cached pages: the generation they were computed at, and the JSON body.
#[derive(Clone)]
pub struct ContactListCache {
    pages: Option<moka::sync::Cache<Key, Arc<(i64, Bytes)>>>,
}

impl ContactListCache {
    /// A cache holding up to `max_bytes` of response bodies; `0` caches nothing.
    pub fn new(max_bytes: u64) -> Self {
        let pages = (max_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &Key, page: &Arc<(i64, Bytes)>| {
                    u32::try_from(key.1.len() + page.1.len() + 64).unwrap_or(u32::MAX)
                })
                .time_to_live(TTL)
                .build()
        });
        Self { pages }
    }

    pub fn enabled(&self) -> bool {
        self.pages.is_some()
    }

    /// The body stored for this tenant and query at exactly `generation`.
    pub fn get(&self, tenant_id: Uuid, query: &str, generation: i64) -> Option<Bytes> {
        let pages = self.pages.as_ref()?;
        let page = pages.get(&(tenant_id, query.to_owned()))?;
        (page.0 == generation).then(|| page.1.clone())
    }

    /// Stores a body computed after reading `generation`.
    pub fn put(&self, tenant_id: Uuid, query: &str, generation: i64, body: Bytes) {
        if let Some(pages) = &self.pages {
            pages.insert((tenant_id, query.to_owned()), Arc::new((generation, body)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_a_page_only_at_the_generation_it_was_computed_at_and_only_to_its_tenant() {
        let cache = ContactListCache::new(1 << 20);
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        cache.put(a, "limit=50", 3, Bytes::from_static(b"page"));
        assert_eq!(cache.get(a, "limit=50", 3).as_deref(), Some(&b"page"[..]));
        assert!(cache.get(a, "limit=50", 4).is_none());
        assert!(cache.get(a, "limit=20", 3).is_none());
        assert!(cache.get(b, "limit=50", 3).is_none());
        let off = ContactListCache::new(0);
        off.put(a, "limit=50", 3, Bytes::from_static(b"page"));
        assert!(!off.enabled() && off.get(a, "limit=50", 3).is_none());
    }
}
