from typing import Any

from django.core.management.base import BaseCommand

from reports.services import report_runs_sweep


class Command(BaseCommand):
    help = (
        "Kirim ulang permintaan laporan PDF yang belum diproses (pekerja mati, Redis mati). "
        "Dijalankan oleh Celery beat setiap menit; aman dijalankan kapan saja."
    )

    def handle(self, *args: object, **options: Any) -> None:
        sent = report_runs_sweep()
        self.stdout.write(f"Laporan dikirim ulang ke antrean / runs re-enqueued: {sent}")
