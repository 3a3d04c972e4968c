import datetime as dt

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from cases.models import Case, Deadline, Person
from imports import services, tasks
from imports.models import ImportBatch, ImportedCase
from reports.models import Population
from tests.factories import make_case
from tests.imports.helpers import (
    NIK,
    case_row,
    checked,
    imported,
    perpetrator_row,
    service_row,
    upload,
    victim_row,
    workbook,
)

pytestmark = pytest.mark.django_db


def test_one_bad_row_writes_nothing(world):
    content = workbook(
        cases=[case_row("R-1"), case_row("R-2")],
        victims=[victim_row("R-1"), victim_row("R-2", **{"Jenis Kelamin": "X"})],
        perpetrators=[],
        services_=[],
        agency=world.uptd,
    )
    batch = checked(world.users["intake_own"], content)
    assert batch.status == ImportBatch.Status.REFUSED
    assert batch.problems == [
        [
            "korban",
            3,
            "Jenis Kelamin",
            '"X" tidak ada dalam daftar Jenis Kelamin. '
            "Pakai kode atau label dari lembar referensi.",
        ]
    ]
    with pytest.raises(services.ImportRefused):
        services.batch_confirm(actor=world.users["intake_own"], batch=batch)
    assert not Case.objects.exists()


def test_failed_write_rolls_everything_back(world, monkeypatch):
    officer = world.users["intake_own"]
    batch = checked(
        officer,
        workbook(
            cases=[case_row("R-1"), case_row("R-2")],
            victims=[victim_row("R-1"), victim_row("R-2")],
            services_=[service_row("R-1")],
            perpetrators=[],
            agency=world.uptd,
        ),
    )
    services.batch_confirm(actor=officer, batch=batch)

    def broken(self, row, case):
        raise services.WriteRefused("rusak")

    monkeypatch.setattr("imports.writer.Writer.service", broken)
    batch = services.batch_write(batch_id=batch.pk)
    assert batch.status == ImportBatch.Status.FAILED
    assert not Case.objects.exists() and not Person.objects.exists()
    assert not ImportedCase.objects.exists()


def test_reimport_skips_what_was_imported_and_says_so(world):
    officer = world.users["intake_own"]
    imported(officer, workbook(agency=world.uptd))
    again = checked(
        officer,
        workbook(
            cases=[case_row("R-001"), case_row("R-002")],
            victims=[victim_row("R-001"), victim_row("R-002")],
            perpetrators=[perpetrator_row("R-001")],
            services_=[service_row("R-001")],
            agency=world.uptd,
        ),
        name="register-lagi.xlsx",
    )
    assert again.counts["cases"] == 1 and again.counts["skipped_cases"] == 1
    assert again.counts["skipped_rows"] == 3
    services.batch_confirm(actor=officer, batch=again)
    services.batch_write(batch_id=again.pk)
    assert Case.objects.count() == 2
    # The same file a third time: nothing new.
    third = checked(officer, workbook(agency=world.uptd))
    assert third.counts["cases"] == 0 and third.counts["skipped_cases"] == 1


def test_register_numbers_are_per_agency(world):
    imported(world.users["intake_own"], workbook(agency=world.uptd))
    batch = imported(
        world.users["intake_other"],
        workbook(agency=world.other_uptd, cases=[case_row(Kecamatan=None)]),
    )
    assert batch.counts["cases"] == 1
    assert Case.objects.filter(agency=world.other_uptd).get().number.startswith("13.07/2021/")


def test_possible_duplicates_by_nik_and_by_name_and_birth_date(world):
    officer = world.users["intake_own"]
    make_case(officer, victims=[{"name": "Siti Contoh", "birth_date": dt.date(1990, 3, 2)}])
    existing = Case.objects.get()
    make_case(officer, victims=[{"name": "Lain", "nik": NIK}])
    by_nik = Case.objects.exclude(pk=existing.pk).get()
    batch = checked(
        officer,
        workbook(
            cases=[case_row("R-1"), case_row("R-2")],
            victims=[
                victim_row("R-1", **{"Nama Korban": "Siti Contoh"}),
                victim_row("R-2", **{"Nama Korban": "Orang Baru", "NIK": NIK}),
            ],
            perpetrators=[],
            services_=[],
            agency=world.uptd,
        ),
    )
    assert batch.status == ImportBatch.Status.CHECKED, batch.problems
    assert batch.duplicates == [["korban", 2, existing.number], ["korban", 3, by_nik.number]]


def test_duplicates_only_from_cases_the_user_may_see(world):
    make_case(
        world.users["intake_other"],
        victims=[{"name": "Siti Contoh", "birth_date": dt.date(1990, 3, 2)}],
        district=None,
    )
    batch = checked(
        world.users["intake_own"],
        workbook(victims=[victim_row(**{"Nama Korban": "Siti Contoh"})], agency=world.uptd),
    )
    assert batch.duplicates == []


def test_case_type_is_checked_against_the_victims(world):
    batch = checked(
        world.users["intake_own"],
        workbook(victims=[victim_row(**{"Tanggal Lahir": dt.date(2012, 1, 1)})], agency=world.uptd),
    )
    assert batch.status == ImportBatch.Status.REFUSED
    assert batch.problems[0][:3] == ["kasus", 2, "Jenis Kasus"]
    assert "pilih jenis kasus AMPK" in batch.problems[0][3]


def test_a_case_without_victims_is_refused(world):
    batch = checked(
        world.users["intake_own"],
        workbook(victims=[], perpetrators=[], services_=[], agency=world.uptd),
    )
    assert "tidak memiliki korban" in batch.problems[0][3]


def test_rows_pointing_to_unknown_cases_or_victims(world):
    batch = checked(
        world.users["intake_own"],
        workbook(
            perpetrators=[perpetrator_row(victim=2)],
            services_=[service_row("R-404")],
            agency=world.uptd,
        ),
    )
    assert [p[:3] for p in batch.problems] == [
        ["pelaku", 2, "No. Korban"],
        ["layanan", 2, "No. Register Kantor"],
    ]


def test_incident_after_report_and_future_dates(world):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    batch = checked(
        world.users["intake_own"],
        workbook(
            cases=[
                case_row("R-1", **{"Tanggal Kejadian": dt.date(2021, 4, 1)}),
                case_row("R-2", **{"Tanggal Pelaporan": tomorrow}),
            ],
            victims=[victim_row("R-1"), victim_row("R-2")],
            perpetrators=[],
            services_=[],
            agency=world.uptd,
        ),
    )
    messages = [p[3] for p in batch.problems]
    assert "Tanggal kejadian tidak boleh setelah tanggal pelaporan." in messages
    assert "Tanggal tidak boleh di masa depan." in messages


def test_messages_in_english_for_an_english_user(world):
    batch = checked(
        world.users["intake_own"],
        workbook(cases=[case_row(**{"Tanggal Pelaporan": "31/02/2022"})], agency=world.uptd),
        language="en",
    )
    assert "does not exist" in batch.problems[0][3]


def test_old_cases_start_no_clocks_recent_ones_do(world):
    today = timezone.localdate()
    batch = imported(
        world.users["intake_own"],
        workbook(
            cases=[
                case_row(
                    "R-old", **{"Tanggal Kejadian": None, "Tanggal Pelaporan": dt.date(2021, 1, 4)}
                ),
                case_row("R-new", **{"Tanggal Kejadian": None, "Tanggal Pelaporan": today}),
            ],
            victims=[victim_row("R-old"), victim_row("R-new")],
            perpetrators=[],
            services_=[],
            agency=world.uptd,
        ),
    )
    assert batch.status == ImportBatch.Status.DONE, batch.problems
    old = ImportedCase.objects.get(register_number="R-old").case
    new = ImportedCase.objects.get(register_number="R-new").case
    assert not Deadline.objects.filter(case=old).exists()
    follow_up = Deadline.objects.get(case=new, kind=Deadline.Kind.FOLLOW_UP)
    assert follow_up.done_at is None and not follow_up.late_entry


def test_a_child_victim_with_ampk_categories(world):
    batch = imported(
        world.users["intake_own"],
        workbook(
            cases=[case_row(**{"Jenis Kasus": "ampk"})],
            victims=[
                victim_row(
                    **{
                        "Tanggal Lahir": dt.date(2012, 1, 1),
                        "Kategori AMPK": "Anak dalam situasi darurat; napza",
                    }
                )
            ],
            perpetrators=[],
            services_=[],
            agency=world.uptd,
        ),
    )
    assert batch.status == ImportBatch.Status.DONE, batch.problems
    victim = Person.objects.get()
    assert victim.is_child and victim.age_group == "6-12"


def test_confirming_twice_writes_once(world):
    officer = world.users["intake_own"]
    batch = checked(officer, workbook(agency=world.uptd))
    services.batch_confirm(actor=officer, batch=batch)
    with pytest.raises(services.ImportRefused):
        services.batch_confirm(actor=officer, batch=batch)
    services.batch_write(batch_id=batch.pk)
    services.batch_write(batch_id=batch.pk)
    assert Case.objects.count() == 1


def test_celery_tasks_check_and_write(world, django_capture_on_commit_callbacks):
    officer = world.users["intake_own"]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        batch = services.batch_create(
            actor=officer,
            kind=ImportBatch.Kind.CASES,
            upload=upload(workbook(agency=world.uptd)),
            language="id",
        )
    assert len(queued) == 1
    tasks.check_batch.apply(args=(batch.pk,))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED and batch.rows_checked == 4
    services.batch_confirm(actor=officer, batch=batch)
    tasks.write_batch.apply(args=(batch.pk,))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.rows_written > 0
    assert Case.objects.count() == 1


def test_population_figures_are_added_up_and_replace_earlier_ones(world):
    Population.objects.create(region_id="13.76", year=2023, sex="", age_band="", count=1)
    content = (
        b"Kode Wilayah,Tahun,Jenis Kelamin,Kelompok Umur,Jumlah\n"
        b"13.76,2023,Jumlah,Jumlah,150000\n"
        b"13.76,2023,Perempuan,0-4,5000\n"
        b"13.76,2023,Perempuan,5-9,6000\n"
        b"13.76,2023,Perempuan,10-14,7000\n"
        b"13.76,2023,Perempuan,15-17,4000\n"
        b"13.76,2023,Perempuan,18-19,3000\n"
        b"13.76,2023,P,75+,2000\n"
    )
    batch = checked(world.users["admin"], content, name="bps.csv", kind=ImportBatch.Kind.POPULATION)
    assert batch.counts == {"figures": 3, "replaced": 1, "years": ["2023"]}
    services.batch_confirm(actor=world.users["admin"], batch=batch)
    services.batch_write(batch_id=batch.pk)
    figures = {(p.sex, p.age_band): p.count for p in Population.objects.all()}
    assert figures == {("", ""): 150000, ("P", "anak"): 22000, ("P", "dewasa"): 5000}


def test_population_age_group_across_18_is_refused(world):
    content = b"Kode Wilayah,Tahun,Jenis Kelamin,Kelompok Umur,Jumlah\n13.76,2023,L,15-19,10\n"
    batch = checked(world.users["admin"], content, name="bps.csv", kind=ImportBatch.Kind.POPULATION)
    assert batch.status == ImportBatch.Status.REFUSED
    assert "15-19" in batch.problems[0][3]


def test_the_stored_file_is_discarded_once_written_or_refused(world):
    officer = world.users["intake_own"]
    done = imported(officer, workbook(agency=world.uptd))
    assert not done.file and not done.rows_file and done.sha256
    bad = checked(officer, workbook(cases=[case_row(**{"Jenis Kasus": "x"})], agency=world.uptd))
    assert bad.status == ImportBatch.Status.REFUSED and not bad.file


def test_rows_changed_after_the_check_are_not_written(world):
    officer = world.users["intake_own"]
    batch = checked(officer, workbook(agency=world.uptd))
    ImportBatch.objects.filter(pk=batch.pk).update(rows_sha256="0" * 64)
    services.batch_confirm(actor=officer, batch=batch)
    batch = services.batch_write(batch_id=batch.pk)
    assert batch.status == ImportBatch.Status.FAILED
    assert "berubah sejak diperiksa" in batch.problems[-1][3]
    assert not Case.objects.exists()


def test_a_write_delivered_twice_while_the_first_runs_writes_once(world):
    """Another worker holds the batch's write lock: this delivery returns without writing."""
    officer = world.users["intake_own"]
    batch = checked(officer, workbook(agency=world.uptd))
    services.batch_confirm(actor=officer, batch=batch)
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [services.WRITE_LOCK, batch.pk])
        assert services.batch_write(batch_id=batch.pk).status == ImportBatch.Status.WRITING
        assert not Case.objects.exists()
        # Released here, not by closing: the server ends a closed session's locks a moment
        # after the client has gone on.
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [services.WRITE_LOCK, batch.pk])
    finally:
        other.close()
    assert services.batch_write(batch_id=batch.pk).status == ImportBatch.Status.DONE
