"""Remove personal data from cases closed longer ago than the retention period.

manage.py anonymise_closed_cases            # RETENTION_YEARS (default 10)
manage.py anonymise_closed_cases --years 5 --dry-run
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from privacy.services import anonymisable_cases, case_anonymise


class Command(BaseCommand):
    help = "Menganonimkan kasus yang sudah ditutup lebih lama dari masa retensi."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, default=settings.RETENTION_YEARS)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: object, **options: Any) -> None:
        cases = list(anonymisable_cases(years=options["years"]))
        if options["dry_run"]:
            self.stdout.write(f"{len(cases)} kasus akan dianonimkan.")
            return
        for case in cases:
            case_anonymise(case=case, years=options["years"])
        self.stdout.write(f"{len(cases)} kasus dianonimkan.")
