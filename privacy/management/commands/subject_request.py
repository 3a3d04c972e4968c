"""Everything held about one person, as a ZIP file (UU 27/2022 Pasal 32; refusals per Pasal 33).

    manage.py subject_request --actor admin --reason "permintaan korban 8 Mei" \\
        --case 13.76/2024/0001 --person <kode orang> --out berkas.zip
    manage.py subject_request --actor admin --reason "..." --nik 1376xxxxxxxxxxxx --out berkas.zip
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ppa.models import User
from privacy.services import SubjectRefused, subject_file, subject_people


class Command(BaseCommand):
    help = "Berkas data subjek: seluruh data seseorang dan riwayat pemrosesannya (ZIP)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--actor", required=True, help="nama pengguna petugas yang menjawab")
        parser.add_argument("--reason", required=True, help="dasar permintaan (dicatat)")
        parser.add_argument("--case", default="", help="nomor register kasus")
        parser.add_argument("--person", default="", help="kode orang dalam kasus")
        parser.add_argument("--nik", default="", help="NIK (dicocokkan dengan hash; tidak dicatat)")
        parser.add_argument("--out", required=True, help="berkas ZIP yang ditulis")

    def handle(self, *args: object, **options: Any) -> None:
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError("Petugas tidak ditemukan atau tidak aktif.")
        if not options["nik"] and not (options["case"] and options["person"]):
            raise CommandError("Sebutkan --nik, atau --case bersama --person.")
        try:
            people = subject_people(
                case_number=options["case"], person_code=options["person"], nik=options["nik"]
            )
        except Exception as error:  # noqa: BLE001 (a malformed code: say so, no traceback)
            raise CommandError("Kode orang tidak valid.") from error
        try:
            data = subject_file(actor=actor, people=people, reason=options["reason"])
        except SubjectRefused as refusal:
            raise CommandError(str(refusal)) from None
        Path(options["out"]).write_bytes(data)
        self.stdout.write(f"Berkas ditulis: {options['out']} ({len(people)} catatan orang).")
