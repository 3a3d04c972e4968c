"""Case list (first and deep keyset page), case detail with history, intake submission.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_bench SECRET_KEY=<50+ chars> \
        .venv/bin/python bench/bench_list.py [--repeat 30] [--skip-intake]

Runs the real views through Django's test Client in-process with DEBUG off (server time =
request in, response out; no network). One line per figure, each with this command. Also the
side-by-side ratio against the straightforward approach: guardian's generic
`get_objects_for_user` over generic permission rows (built here, for the two bench users only,
in guardian's own generic table) and OFFSET pagination at the same depth.
"""

import argparse
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

_django.setup()

from django.conf import settings  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from guardian.shortcuts import get_objects_for_user  # noqa: E402

from cases import access, selectors  # noqa: E402
from cases.models import Case  # noqa: E402
from ppa.models import User  # noqa: E402
from referrals.grants import granted_case_ids  # noqa: E402
from tests.cases import helpers  # noqa: E402

CMD = _django.command_line()


def line(label: str, times: list[float], queries: int | None = None, extra: str = "") -> None:
    ms = [t * 1000 for t in times]
    q = f"  queries {queries}" if queries is not None else ""
    print(
        f"{label:<58} median {_django.median(ms):7.1f} ms  p95 {_django.p95(ms):7.1f} ms"
        f"  n={len(ms)}{q}{extra}  [{CMD}]",
        flush=True,
    )


class QueryCount:
    """Counts the queries a block runs (execute_wrapper; no DEBUG query log needed)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> "QueryCount":
        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._cm.__exit__(*exc)

    def __len__(self) -> int:
        return self.n


def timed_get(client: Client, url: str, repeat: int) -> tuple[list[float], int]:
    client.get(url)  # warm-up
    with QueryCount() as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _i in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    return times, len(captured)


def biggest_agency() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT agency_id FROM cases_case GROUP BY agency_id ORDER BY count(*) DESC LIMIT 1"
        )
        return cursor.fetchone()[0]


def deep_case(agency_id: int, depth: int) -> Case:
    return Case.objects.filter(agency_id=agency_id).order_by("-reported_on", "-id")[depth]


def guardian_rows(user: User, agency_id: int) -> int:
    """Generic guardian rows (varchar object_pk) for every case of the agency: what
    `assign_perm('view_case', user, case)` per case would have written."""
    # The same cases the app shows: own agency plus those shared by referral grants.

    granted_sql, granted_params = granted_case_ids(agency_id).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id, p.content_type_id FROM auth_permission p JOIN django_content_type ct "
            "ON ct.id = p.content_type_id WHERE ct.app_label = 'cases' AND ct.model = 'case' "
            "AND p.codename = 'view_case'"
        )
        perm_id, ct_id = cursor.fetchone()
        cursor.execute("DELETE FROM guardian_userobjectpermission WHERE user_id = %s", [user.pk])
        cursor.execute(
            "INSERT INTO guardian_userobjectpermission (object_pk, content_type_id, "
            "permission_id, user_id) SELECT id::text, %s, %s, %s FROM cases_case "
            "WHERE agency_id = %s OR id IN (SELECT pk FROM (" + granted_sql + ") AS granted(pk))",
            [ct_id, perm_id, user.pk, agency_id, *granted_params],
        )
        rows = cursor.rowcount
        cursor.execute("ANALYZE guardian_userobjectpermission")
        return rows


def compare_straightforward(user: User, agency_id: int, depth: int, repeat: int) -> None:
    """The app's keyset selector vs guardian generic + OFFSET Paginator, same page."""
    built = guardian_rows(user, agency_id)
    if built:
        print(f"# built {built} generic guardian rows for {user.username}")
    page_size = selectors.PAGE_SIZE
    for label, position in (("first page", 0), (f"depth {depth}", depth)):
        # The anchor is the row before the page in the list the user sees (own + granted).
        visible = access.visible_cases(user).order_by("-reported_on", "-id")
        cursor = "" if position == 0 else selectors.encode_cursor(visible[position - 1])
        app, naive = [], []
        for _i in range(repeat):
            start = time.perf_counter()
            rows, _next = selectors.case_list(user, {}, cursor=cursor)
            app.append(time.perf_counter() - start)
            start = time.perf_counter()
            qs = get_objects_for_user(
                user, "cases.view_case", klass=Case, accept_global_perms=False
            ).order_by("-reported_on", "-id")
            page = Paginator(qs, page_size).page(position // page_size + 1)
            naive_rows = list(page.object_list)
            naive.append(time.perf_counter() - start)
        assert [r.code for r in rows] == [c.code for c in naive_rows], "different rows"
        ratio = _django.median(naive) / _django.median(app)
        line(f"list {label}: app selector (agency FK + keyset)", app)
        line(
            f"list {label}: guardian generic + OFFSET",
            naive,
            None,
            f"  ratio straightforward/app {ratio:.1f}x",
        )


def bench_intake(client: Client, repeat: int, district: str) -> None:
    sys.path.insert(0, str(_django.ROOT))

    totals, submits, queries = [], [], []
    for _i in range(repeat):
        start = time.perf_counter()
        incident = dict(helpers.INCIDENT, incident_district=district)
        response, draft = helpers.start(client, incident)
        victim = dict(helpers.CHILD_VICTIM, name=f"Korban Bench {uuid.uuid4().hex[:8]}")
        assert response.status_code == 302
        for step, data in [
            ("korban", helpers.victims(victim)),
            ("terlapor", helpers.perpetrators(helpers.PERPETRATOR)),
            ("pelapor", {"r-reporter_is_victim": "on"}),
            ("rincian", {}),
        ]:
            response = client.post(helpers.step_url(draft, step), data)
            assert response.status_code == 302, step
        t_submit = time.perf_counter()
        with QueryCount() as captured:
            response = client.post(
                helpers.step_url(draft, "ringkasan"),
                {"consent_statistics": "1", "legal_basis": "consent", "action": "submit"},
                secure=True,
            )
        end = time.perf_counter()
        assert response.status_code == 302, response.status_code
        totals.append(end - start)
        submits.append(end - t_submit)
        queries.append(len(captured))
    line("intake: final submission POST (registers the case)", submits, max(queries))
    line("intake: all 6 steps (5 POSTs + submit)", totals)


def verify_second_factor(client: Client, user) -> None:
    """Supervisors must pass the second factor (security): give the bench user a confirmed
    authenticator (one row, kept) and mark the session verified, as the OTP page does."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--depth", type=int, default=100_000, help="deep page position")
    parser.add_argument("--skip-intake", action="store_true")
    parser.add_argument("--skip-pages", action="store_true", help="only the comparison/intake")
    parser.add_argument(
        "--skip-compare", action="store_true", help="no guardian generic + OFFSET comparison"
    )
    args = parser.parse_args()
    assert not settings.DEBUG, "run with DEBUG off"
    agency_id = biggest_agency()
    n_cases = Case.objects.filter(agency_id=agency_id).count()
    depth = min(args.depth, n_cases - 30)
    print(
        f"# {Case.objects.count()} cases; biggest agency {agency_id} has {n_cases}; "
        f"deep page at position {depth}"
    )
    worker = User.objects.filter(agency_id=agency_id, role="case_worker").order_by("id").first()
    supervisor = User.objects.get(agency_id=agency_id, role="supervisor")
    list_url = reverse("cases:list")
    deep = deep_case(agency_id, depth - 1)
    deep_url = f"{list_url}?setelah={selectors.encode_cursor(deep)}"
    for who, user in (
        () if args.skip_pages else (("case worker", worker), ("supervisor", supervisor))
    ):
        client = Client()
        client.force_login(user)
        if user.role == "supervisor":
            verify_second_factor(client, user)
        times, queries = timed_get(client, list_url, args.repeat)
        line(f"case list first page ({who})", times, queries)
        times, queries = timed_get(client, deep_url, args.repeat)
        line(f"case list deep page at {depth} ({who})", times, queries)
    client = Client()
    client.force_login(worker)
    sample = (
        []
        if args.skip_pages
        else list(
            Case.objects.filter(agency_id=agency_id)
            .order_by("?")
            .values_list("code", flat=True)[: args.repeat]
        )
    )
    times, counts = [], []
    if sample:
        client.get(reverse("cases:detail", args=[sample[0]]))  # warm-up
    for code in sample:
        url = reverse("cases:detail", args=[code])
        with QueryCount() as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200
        counts.append(len(captured))
    if sample:
        line(
            "case detail with history (random cases, worker)",
            times,
            None,
            f"  queries {min(counts)}-{max(counts)}",
        )
    if not args.skip_compare:
        compare_straightforward(worker, agency_id, depth, max(5, args.repeat // 3))
    if not args.skip_intake:
        intake_client = Client()
        intake_user = User.objects.get(agency_id=agency_id, role="intake")
        intake_client.force_login(intake_user)
        district = (
            Case.objects.filter(agency_id=agency_id, incident_district__isnull=False)
            .values_list("incident_district_id", flat=True)
            .first()
        )
        bench_intake(intake_client, max(5, args.repeat // 3), district)


if __name__ == "__main__":
    main()
