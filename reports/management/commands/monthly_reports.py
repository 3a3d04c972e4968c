"""Make the previous month's report for every office, as Celery beat does on the first working
day of a month (python manage.py monthly_reports [--date 2026-03-02])."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser

from reports.services import monthly_reports_produce


class Command(BaseCommand):
    help = "Buat laporan bulan lalu untuk setiap kantor (hanya pada hari kerja pertama bulan)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            default=None,
            help="Hari yang dianggap hari ini (YYYY-MM-DD); bawaan: hari ini.",
        )

    def handle(self, *args: object, date: dt.date | None = None, **options: object) -> None:
        made = monthly_reports_produce(today=date)
        self.stdout.write(f"monthly reports requested: {made}")
