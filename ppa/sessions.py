"""Sessions read from the shared cache, kept in PostgreSQL as well (SESSION_ENGINE when
CACHE_URL is set; see ppa/settings.py).

Django's `cached_db` store: a request reads its session from Redis (no query); every write
goes to PostgreSQL and then to Redis, with the idle expiry as the cache entry's lifetime, so
the 30-minute idle limit and the absolute limit (kept in the session) mean what they meant.
Two changes make a cache outage safe rather than a new way to stay signed in:

- a read that the cache cannot answer comes from PostgreSQL, and the page still answers;
- ending a session (logout, "log out everywhere", a deactivated user) removes the cache entry
  first, and fails when it cannot: a session left in Redis would otherwise come back when
  Redis does, after PostgreSQL forgot it. It is removed from the cache once more after the
  row, so a request that read the row meanwhile cannot put it back for long.

Without a shared cache (`make run`, one process per worker) the engine is plain `db`: a
per-process cache would let one gunicorn worker keep a session that another had ended.
"""

import logging
from typing import Any

from django.contrib.sessions.backends import cached_db
from django.core.cache.backends.base import BaseCache

logger = logging.getLogger("ppa.security")


class SessionStore(cached_db.SessionStore):
    _cache: BaseCache  # set by cached_db.SessionStore.__init__ (not in the type stubs)

    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 (any cache failure: read PostgreSQL instead)
            logger.warning("Session cache unreachable: session read from the database")
            return self._load_from_db(cache=False)
        if data is None:
            return self._load_from_db(cache=True)
        return data

    def _load_from_db(self, *, cache: bool) -> dict[str, Any]:
        row = self._get_session_from_db()  # type: ignore[attr-defined]
        if not row:
            return {}
        data: dict[str, Any] = self.decode(row.session_data)
        if cache:
            try:
                self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
            except Exception:  # noqa: BLE001 (the next request reads the row again)
                logger.warning("Session cache unreachable: session not cached")
        return data

    def delete(self, session_key: str | None = None) -> None:
        key = self.session_key if session_key is None else session_key
        if key is None:
            return
        self._cache.delete(self.cache_key_prefix + key)  # raises when the cache is down
        super(cached_db.SessionStore, self).delete(key)  # the row (db.SessionStore.delete)
        self._cache.delete(self.cache_key_prefix + key)
