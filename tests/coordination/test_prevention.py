"""Prevention activities: recorded by the office and its task forces, shown in the annual
report's prevention section (by kind, month, area, topic and participants) and its PDF."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from coordination import services
from coordination.models import CommunityReport, PreventionActivity
from coordination.services import CommunityReportData
from ppa.models import Region
from reports.pdf import Letterhead, render_pdf
from reports.selectors import ReportParams, annual_statistics
from reports.snapshot import Period
from tests.coordination.community import make_report, record, village
from tests.factories import make_case
from tests.reports.test_pdf import pdf_text

pytestmark = pytest.mark.django_db


def test_task_force_records_an_activity_from_the_form(client, world):
    client.force_login(world.users["task_force_own"])
    response = client.post(
        reverse("prevention:create"),
        {
            "kind": "worship",
            "held_on": "2025-04-02",
            "region": "13.76.01",
            "target_group": "Jamaah masjid",
            "topics": ["tppo"],
            "girls": "0",
            "boys": "0",
            "women": "20",
            "men": "15",
        },
    )
    assert response.status_code == 302
    activity = PreventionActivity.objects.get()
    assert activity.organiser == world.agencies["satgas_own"] and activity.participants == 35
    assert activity.history.count() == 1
    assert "Jamaah masjid" in client.get(reverse("prevention:list")).content.decode()


def test_no_participants_or_a_region_of_another_city_is_refused(client, world):
    client.force_login(world.users["official_own"])
    base = {"kind": "campaign", "held_on": "2025-04-02", "target_group": "Warga"}
    base |= {"topics": ["violence"], "girls": "0", "boys": "0", "women": "0", "men": "0"}
    response = client.post(reverse("prevention:create"), base | {"region": "13.76.01"})
    assert response.status_code == 200 and "Isi jumlah peserta." in response.content.decode()
    response = client.post(reverse("prevention:create"), base | {"region": "13.07.01", "men": "3"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not PreventionActivity.objects.exists()


def test_annual_report_has_the_prevention_and_community_sections(world):
    record(world)
    record(world, "official_own", kind="training", held_on=dt.date(2025, 7, 1), topics=["tppo"])
    record(world, held_on=dt.date(2024, 7, 1))
    record(world, "task_force_other", region=Region.objects.get(code="13.07.01"))  # other city
    reports = [make_report(world) for _ in range(3)]
    officer = world.users["intake_own"]
    draft = services.community_report_start_intake(actor=officer, report=reports[0])
    make_case(officer, intake_token=draft.token)
    services.community_report_close(actor=officer, report=reports[1], reason="Bukan kasus.")

    year = dt.date.today().year
    s = annual_statistics(ReportParams(year_from=2024, year_to=year, region_code="13.76"))
    col = s.years.index(2025)

    def row(table: str, code) -> list:
        return next(r.values for r in s.table(table).rows if r.code == code)

    assert row("prevention_kind", "school")[col] == 1
    assert row("prevention_kind", "training")[col] == 1
    assert s.table("prevention_kind").total[col] == 2
    assert row("prevention_participants", "girls")[col] == 80
    assert row("prevention_month", "3")[col] == 1 and row("prevention_month", "7")[col] == 1
    assert row("prevention_area", "13.76.01")[col] == 2
    assert row("prevention_topic", "tppo")[col] == 1
    assert row("kla_prevention", "activities")[col] == 1
    assert row("kla_prevention", "children")[col] == 75
    now = s.years.index(year)
    assert row("community_reports", "received")[now] == 3
    assert row("community_reports", "became_case")[now] == 1
    assert row("community_reports", "closed")[now] == 1

    pdf, _pages = render_pdf(s, Letterhead.for_agency(world.agencies["dinas_own"]))
    text = pdf_text(pdf)
    assert "Laporan masyarakat dan pencegahan" in text
    assert "Kegiatan pencegahan menurut jenis" in text and "Sosialisasi di sekolah" in text
    assert "Klaster II KLA: pencegahan perkawinan anak" in text


def test_a_quarter_report_has_the_prevention_section_by_month(world):
    record(world)  # 10 March 2025
    record(world, "official_own", kind="training", held_on=dt.date(2025, 1, 31))
    record(world, held_on=dt.date(2025, 4, 1))  # the next quarter
    report = make_report(world)
    moment = timezone.make_aware(dt.datetime(2025, 2, 14, 23, 30))  # local time, not UTC
    CommunityReport.objects.filter(pk=report.pk).update(created_at=moment)
    s = annual_statistics(ReportParams.for_period(Period.QUARTER, 2025, 1, "13.76"))
    assert s.columns == ["Jan 2025", "Feb 2025", "Mar 2025"]

    def row(table: str, code) -> list:
        return next(r.values for r in s.table(table).rows if r.code == code)

    assert row("prevention_kind", "school") == [0, 0, 1]
    assert row("prevention_kind", "training") == [1, 0, 0]
    assert row("prevention_participants", "girls") == [40, 0, 40]
    assert row("prevention_area", "13.76.01") == [1, 0, 1]
    assert row("community_reports", "received") == [0, 1, 0]

    pdf, _pages = render_pdf(s, Letterhead.for_agency(world.agencies["dinas_own"]))
    text = pdf_text(pdf)
    assert "Triwulan I 2025" in text and "Laporan masyarakat dan pencegahan" in text
    assert "Kegiatan pencegahan menurut bulan" in text and "Pelatihan" in text


def test_community_report_needs_a_village_of_the_task_force_city(world):
    with pytest.raises(services.CoordinationError):
        services.community_report_create(
            actor=world.users["task_force_own"],
            data=CommunityReportData(
                what_happened="x",
                village=village("13.07.01"),
                at_risk_age="unknown",
                at_risk_sex="unknown",
                urgency="normal",
            ),
        )
