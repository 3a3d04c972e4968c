"""Run the periodic jobs by hand (the embedded default has no Celery beat).

python manage.py run_periodic            # sweep the outbox, reminders, statutory clocks
python manage.py run_periodic --loop 60  # keep doing it every 60 seconds
"""

import time

from django.core.management.base import BaseCommand, CommandParser

from referrals import services


class Command(BaseCommand):
    help = "Jalankan tugas berkala: kirim ulang serah terima, pengingat, eskalasi, batas waktu."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sweep-after",
            type=int,
            default=None,
            help="Kirim ulang serah terima yang tertunda lebih dari N detik (bawaan: pengaturan).",
        )
        parser.add_argument(
            "--loop", type=int, default=0, help="Ulangi setiap N detik (0: sekali saja)."
        )

    def handle(
        self, *args: object, sweep_after: int | None = None, loop: int = 0, **options: object
    ) -> None:
        while True:
            swept = services.handoff_sweep(older_than_seconds=sweep_after)
            referrals = services.referral_reminders_scan()
            deadlines = services.deadline_scan()
            self.stdout.write(
                f"handoff re-enqueued={swept} "
                f"referral reminded={referrals['reminded']} escalated={referrals['escalated']} "
                f"deadline reminded={deadlines['reminded']} overdue={deadlines['overdue']}"
            )
            if not loop:
                return
            time.sleep(loop)
