"""The demo data of every layer; in the top app (reports), the one that may import them all."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cases.demo import seed_cases
from ppa.demo import seed_core
from referrals.demo import seed_referrals
from reports.services import statistics_refresh


class Command(BaseCommand):
    help = "Load regions, demo agencies, one user per role and synthetic cases (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="allow with DEBUG off")

    def handle(self, *args: object, force: bool = False, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo is for demo databases: set DEBUG=1 or pass --force.")
        agencies, credentials = seed_core()
        created = seed_cases(agencies)
        self.stdout.write(f"Kasus sintetis baru / new synthetic cases: {created}")
        made = seed_referrals(agencies)
        self.stdout.write(f"Rujukan demo baru / new demo referrals: {made}")
        # Everything seeded so far goes into the aggregates (the default cutoff, today's
        # midnight, would leave all of today's demo cases live).
        refresh = statistics_refresh(before=timezone.now())
        self.stdout.write(
            f"Rekap statistik / statistics aggregates: {refresh.rows} baris, "
            f"kasus sebelum {timezone.localtime(refresh.covers_before):%Y-%m-%d %H:%M}"
        )
        self.stdout.write(self.style.SUCCESS(f"\nAkun demo / demo accounts ({settings.SITE_URL}):"))
        for username, password, role in credentials:
            self.stdout.write(f"  {username:<10} {password:<14} {role}")
