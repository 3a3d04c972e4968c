from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from reports.services import statistics_refresh


class Command(BaseCommand):
    help = (
        "Bangun ulang rekap statistik tahun-tahun lalu (tabel agregat). Dijalankan Celery beat "
        "setiap malam; aman dijalankan kapan saja (satu transaksi)."
    )

    def handle(self, *args: object, **options: Any) -> None:
        refresh = statistics_refresh()
        before = timezone.localtime(refresh.covers_before)
        self.stdout.write(
            f"Rekap statistik / statistics refreshed: "
            f"kasus dicatat sebelum {before:%Y-%m-%d %H:%M}, "
            f"{refresh.rows} baris, {refresh.duration.total_seconds():.1f} s"
        )
