"""Synthetic bench data in the app's real tables, deterministic from --seed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_bench DEBUG=1 \
        .venv/bin/python bench/generate.py --cases 1000000 --seed 1 --reset

Regions, agencies and users go through the app's own code (`load_regions`, `agency_create`,
`user_set_role`: a few hundred rows). Everything per case is generated inside PostgreSQL by
`INSERT ... SELECT` over `generate_series`, with every random draw a hash of (seed, row id, salt)
(`pg_temp.u`), so a run is reproducible row for row and independent of plan or row order.
Ids are derived from the parent's id (person = case*8 + slot, service = person*8 + slot, ...),
sequences are moved past them at the end, so the app can keep inserting afterwards.

While loading, the non-unique indexes of the big tables are dropped and rebuilt from their own
definitions afterwards, and foreign-key triggers are off (`session_replication_role=replica`,
as pg_restore --disable-triggers does); check and unique constraints stay on, and
`--verify` re-checks every foreign key of the loaded tables with anti-joins.

Never run against a database with real data: --reset TRUNCATEs every app table except the
regions and the reference lists.
"""

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

_django.setup()

import logging  # noqa: E402
import random  # noqa: E402

from django.apps import apps  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from cases.models import Case, ReferenceItem  # noqa: E402
from ppa.management.commands.load_regions import load_regions  # noqa: E402
from ppa.models import Agency, Region, Role, User  # noqa: E402
from ppa.services import agency_create, role_groups_sync, user_set_role  # noqa: E402
from referrals import services as rs  # noqa: E402
from reports.services import statistics_refresh  # noqa: E402

BENCH_PASSWORD = "bench-password-2026"  # noqa: S105 (synthetic users on a bench database)
WORKERS_PER_UPTD = 4

# Tables loaded in SQL (their non-unique indexes are dropped during the load).
BIG_TABLES = [
    "cases_case",
    "cases_historicalcase",
    "cases_person",
    "cases_historicalperson",
    "cases_person_violence_forms",
    "cases_person_violence_subtypes",
    "cases_person_ampk_categories",
    "cases_person_disability_types",
    "cases_historicalperson_violence_forms",
    "cases_historicalperson_violence_subtypes",
    "cases_historicalperson_ampk_categories",
    "cases_perpetratorlink",
    "cases_historicalperpetratorlink",
    "cases_servicegiven",
    "cases_historicalservicegiven",
    "cases_caserecord",
    "cases_historicalcaserecord",
    "cases_deadline",
    "cases_historicaldeadline",
    "ppa_accesslog",
]


def pick(u: str, choices: list[tuple[str, float]]) -> str:
    """SQL CASE choosing a value with the given weights from a uniform draw `u` in [0, 1)."""
    total = sum(w for _v, w in choices)
    parts, cum = [], 0.0
    for value, weight in choices[:-1]:
        cum += weight / total
        parts.append(f"WHEN {u} < {cum:.6f} THEN {value}")
    return f"(CASE {' '.join(parts)} ELSE {choices[-1][0]} END)"


def q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def qs(choices: list[tuple[str, float]]) -> list[tuple[str, float]]:
    return [(q(v), w) for v, w in choices]


# --- Distributions (SIMFONI-like shares; synthetic, see bench/README.md) -------------------

CASE_TYPES = qs(
    [("ktp", 44), ("ampk", 36), ("abh", 8), ("tppo", 3), ("child_marriage", 4), ("other", 5)]
)
CHANNELS = qs(
    [
        ("walk_in", 40),
        ("phone", 10),
        ("whatsapp", 15),
        ("letter", 3),
        ("third_party", 12),
        ("outreach", 8),
        ("referral", 7),
        ("handover", 3),
        ("sapa129", 2),
    ]
)
PLACES = qs(
    [
        ("rumah_tangga", 56),
        ("fasilitas_umum", 9),
        ("sekolah", 7),
        ("tempat_kerja", 3),
        ("lembaga_pendidikan_kilat", 1),
        ("lainnya", 12),
        ("daring", 6),
        ("ruang_publik", 4),
        ("pesantren", 2),
    ]
)
RISK = qs([("high", 20), ("medium", 45), ("low", 35)])
LEGAL_BASIS = qs(
    [("consent", 70), ("legal_obligation", 22), ("vital_interest", 5), ("public_task", 3)]
)
OPEN_STEPS = qs(
    [
        ("identification", 10),
        ("assessment", 15),
        ("plan", 15),
        ("intervention", 35),
        ("monitoring", 25),
    ]
)
PRIMARY_FORM = {
    "ktp": [
        ("fisik", 40),
        ("psikis", 30),
        ("seksual", 20),
        ("penelantaran", 8),
        ("eksploitasi", 2),
    ],
    "ampk": [
        ("seksual", 55),
        ("fisik", 20),
        ("psikis", 12),
        ("penelantaran", 8),
        ("eksploitasi", 3),
        ("lainnya", 2),
    ],
    "tppo": [("trafficking", 85), ("eksploitasi", 15)],
    "abh": [("fisik", 50), ("psikis", 20), ("seksual", 20), ("lainnya", 10)],
    "child_marriage": [("seksual", 40), ("psikis", 30), ("lainnya", 30)],
    "other": [("psikis", 40), ("penelantaran", 30), ("lainnya", 30)],
}
RELATIONSHIP = {
    "ktp": [
        ("suami_istri", 55),
        ("pacar_teman", 15),
        ("keluarga", 10),
        ("tetangga", 5),
        ("rekan_kerja", 5),
        ("majikan", 3),
        ("lainnya", 5),
        ("na", 2),
    ],
    "ampk": [
        ("orang_tua", 15),
        ("keluarga", 20),
        ("tetangga", 20),
        ("pacar_teman", 25),
        ("guru", 8),
        ("lainnya", 10),
        ("na", 2),
    ],
    "tppo": [("majikan", 30), ("lainnya", 50), ("na", 20)],
    "other": [
        ("keluarga", 20),
        ("tetangga", 20),
        ("pacar_teman", 20),
        ("orang_tua", 10),
        ("lainnya", 25),
        ("na", 5),
    ],
}
SERVICE_TYPES = qs(
    [
        ("kesehatan", 25),
        ("rehabilitasi_sosial", 25),
        ("bantuan_hukum", 20),
        ("penegakan_hukum", 12),
        ("reintegrasi_sosial", 8),
        ("pemulangan", 3),
        ("pendampingan_tokoh_agama", 7),
    ]
)
FUNCTIONS = qs(
    [
        ("pengelolaan_kasus", 40),
        ("pendampingan_korban", 40),
        ("mediasi", 5),
        ("penjangkauan", 10),
        ("penampungan_sementara", 5),
    ]
)
GIVEN = ["Sari", "Dewi", "Putri", "Rina", "Ayu", "Nur", "Siti", "Indah", "Budi", "Andi"]
FAMILY = ["Sintetis", "Contoh", "Uji", "Rekaan", "Fiktif", "Bench"]


def by_case_type(u: str, table: dict, default_key: str | None = None) -> str:
    whens = " ".join(
        f"WHEN c.case_type = {q(k)} THEN {pick(u, qs(v))}"
        for k, v in table.items()
        if k != default_key
    )
    default = pick(u, qs(table[default_key])) if default_key else "NULL"
    return f"(CASE {whens} ELSE {default} END)"


class Loader:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.cursor = connection.cursor()
        self.timings: list[tuple[str, float, int]] = []

    def sql(self, label: str, statement: str, params: list | None = None) -> int:
        start = time.perf_counter()
        self.cursor.execute(statement, params or [])
        rows = self.cursor.rowcount
        elapsed = time.perf_counter() - start
        self.timings.append((label, elapsed, rows))
        if label:
            print(f"  {label:<44} {rows:>10} rows {elapsed:8.1f} s", flush=True)
        return rows

    def scalar(self, statement: str, params: list | None = None):
        self.cursor.execute(statement, params or [])
        return self.cursor.fetchone()[0]


# --- Steps -----------------------------------------------------------------------------------


def reset(loader: Loader) -> None:
    """TRUNCATE every app table except regions, reference lists, content types, permissions."""
    keep = {Region._meta.db_table, "django_migrations", "django_content_type", "auth_permission"}
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if issubclass(model, ReferenceItem) or model._meta.db_table in keep:
            continue
        if model._meta.app_label in ("contenttypes",) or model._meta.db_table == "auth_permission":
            continue
        tables.add(model._meta.db_table)
    existing = {t.name for t in connection.introspection.get_table_list(loader.cursor)}
    tables &= existing
    tables |= {t for t in existing if t.startswith("bench_")}
    loader.sql("truncate app tables", f"TRUNCATE {', '.join(sorted(tables))} RESTART IDENTITY")


def seed_world(loader: Loader, provinces: list[str]) -> None:
    """Regions, one UPTD PPA per city/regency, partner agencies and users, via the app's code."""
    start = time.perf_counter()
    load_regions(provinces)
    role_groups_sync()
    password = make_password(BENCH_PASSWORD)
    cities = list(Region.objects.filter(level=2, parent_id__in=provinces).order_by("code"))
    with transaction.atomic():
        for region in cities:
            uptd = agency_create(
                name=f"UPTD PPA {region.name}",
                short_name=f"UPTD PPA {region.name.replace('Kabupaten ', 'Kab. ')}"[:60],
                kind=Agency.Kind.UPTD_PPA,
                region=region,
            )
            staff = [("intake", Role.INTAKE), ("supervisor", Role.SUPERVISOR)]
            staff += [(f"worker{i}", Role.CASE_WORKER) for i in range(1, WORKERS_PER_UPTD + 1)]
            for suffix, role in staff:
                user = User.objects.create(
                    username=f"b{region.code.replace('.', '')}_{suffix}",
                    password=password,
                    first_name=suffix.capitalize(),
                    last_name=f"Bench {region.code}",
                )
                user_set_role(user=user, role=role, agency=uptd)
        for province in provinces:
            capital = (
                Region.objects.filter(parent_id=province, code__regex=r"\.7[0-9]$")
                .order_by("code")
                .first()
            ) or Region.objects.filter(parent_id=province).order_by("code").first()
            partners = [
                ("dinas", f"DP3AP2KB Provinsi {province}", Agency.Kind.DP3AP2KB, Role.OFFICIAL),
                ("police", f"Unit PPA Polda {province}", Agency.Kind.POLICE_PPA, Role.PARTNER),
                ("health", f"RSUD Provinsi {province}", Agency.Kind.HEALTH, Role.PARTNER),
                (
                    "social",
                    f"Dinas Sosial Provinsi {province}",
                    Agency.Kind.SOCIAL_SERVICE,
                    Role.PARTNER,
                ),
                ("legal", f"LBH Provinsi {province}", Agency.Kind.LEGAL_AID, Role.PARTNER),
                (
                    "shelter",
                    f"Rumah Aman Provinsi {province}",
                    Agency.Kind.SAFE_HOUSE,
                    Role.PARTNER,
                ),
            ]
            for key, name, kind, role in partners:
                # The provincial office's statistics authority is the whole province.
                where = Region.objects.get(code=province) if key == "dinas" else capital
                agency = agency_create(name=name, kind=kind, region=where)
                user = User.objects.create(
                    username=f"b{province}_{key}", password=password, last_name="Bench"
                )
                user_set_role(user=user, role=role, agency=agency)
        admin = User.objects.create(username="b_admin", password=password, is_staff=True)
        user_set_role(user=admin, role=Role.ADMIN, agency=None)
    elapsed = time.perf_counter() - start
    loader.timings.append(("regions, agencies, users (ORM)", elapsed, User.objects.count()))
    print(
        f"  {'regions, agencies, users (ORM)':<44} {User.objects.count():>10} users {elapsed:8.1f} s"
    )


def create_helpers(loader: Loader, seed: int, provinces: list[str]) -> None:
    """pg_temp.u(id, salt): a uniform draw in [0, 1), a pure function of (seed, id, salt)."""
    loader.sql(
        "",
        "CREATE OR REPLACE FUNCTION pg_temp.u(i bigint, salt int) RETURNS float8 "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
        f"$$ SELECT (hashint8extended(i * 1009 + salt, {int(seed)}) & 140737488355327)::float8 "
        "/ 140737488355328.0 $$",
    )
    # Agencies with cumulative weights: the province capital (first kota) weighs 15, the
    # others 2..10 from the seed, so there is one clearly biggest agency.
    loader.sql(
        "", "DROP TABLE IF EXISTS bench_agency, bench_district, bench_village, bench_partner"
    )
    loader.sql(
        "bench agencies",
        """
        CREATE TABLE bench_agency AS
        WITH a AS (
            SELECT ag.id AS agency_id, ag.region_id AS region_code,
                   row_number() OVER (ORDER BY ag.region_id) - 1 AS idx,
                   CASE WHEN ag.region_id = (
                            SELECT min(r2.code) FROM ppa_region r2
                            WHERE r2.parent_id = r.parent_id AND r2.kind = 'kota')
                        THEN 15.0
                        ELSE 2 + 8 * pg_temp.u(replace(ag.region_id, '.', '')::bigint, 1) END AS weight
            FROM ppa_agency ag JOIN ppa_region r ON r.code = ag.region_id
            WHERE ag.kind = 'uptd_ppa'
        ), w AS (
            SELECT a.*, sum(weight) OVER (ORDER BY idx) / sum(weight) OVER () AS cum_hi,
                   (sum(weight) OVER (ORDER BY idx) - weight) / sum(weight) OVER () AS cum_lo
            FROM a
        )
        SELECT w.*,
            (SELECT id FROM ppa_user WHERE agency_id = w.agency_id AND role = 'intake') AS intake_id,
            (SELECT id FROM ppa_user WHERE agency_id = w.agency_id AND role = 'supervisor')
                AS supervisor_id,
            (SELECT array_agg(id ORDER BY id) FROM ppa_user
              WHERE agency_id = w.agency_id AND role = 'case_worker') AS workers,
            (SELECT count(*) FROM ppa_region d WHERE d.parent_id = w.region_code) AS n_districts
        FROM w
        """,
    )
    loader.sql(
        "",
        """
        CREATE TABLE bench_district AS
        SELECT parent_id AS region_code, code,
               row_number() OVER (PARTITION BY parent_id ORDER BY code) - 1 AS idx,
               (SELECT count(*) FROM ppa_region v WHERE v.parent_id = d.code) AS n_villages
        FROM ppa_region d WHERE level = 3;
        CREATE UNIQUE INDEX ON bench_district (region_code, idx);
        CREATE TABLE bench_village AS
        SELECT parent_id AS district_code, code,
               row_number() OVER (PARTITION BY parent_id ORDER BY code) - 1 AS idx
        FROM ppa_region WHERE level = 4;
        CREATE UNIQUE INDEX ON bench_village (district_code, idx);
        CREATE TABLE bench_partner AS
        SELECT id AS agency_id, row_number() OVER (ORDER BY id) - 1 AS idx
        FROM ppa_agency WHERE kind <> 'uptd_ppa' AND kind <> 'dp3ap2kb';
        """,
    )
    del provinces


def drop_indexes(loader: Loader) -> list[str]:
    """Drop the non-unique, non-constraint indexes of the big tables; return their DDL."""
    loader.cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [BIG_TABLES],
    )
    rows = loader.cursor.fetchall()
    for name, _ddl in rows:
        loader.cursor.execute(f'DROP INDEX "{name}"')
    return [ddl for _name, ddl in rows]


def load_cases(loader: Loader, n: int, today: dt.date, years: int) -> None:
    span = (today - dt.date(today.year - years, today.month, today.day)).days
    start_day = today - dt.timedelta(days=span)
    u = "pg_temp.u(g, {})".format
    v = "pg_temp.u(st.id, {})".format
    age = "(CAST(%(today)s AS date) - reported_on)"
    loader.sql(
        "cases_case",
        f"""
        INSERT INTO cases_case (
            id, code, number, intake_token, intake_channel, reported_on, incident_date,
            incident_date_approximate, description, place_id, incident_address,
            incident_district_id, incident_village_id, case_type, risk_level, within_authority,
            consent_sharing, consent_statistics, legal_basis, legal_basis_note, step, status,
            assigned_worker_id, registered_by_id, created_at, updated_at, closed_at, version,
            agency_id, region_id)
        WITH base AS (
            SELECT g AS id, a.agency_id, a.region_code, a.workers, a.intake_id, a.n_districts,
                   -- more cases in later years (reporting grows): density ~ t^0.33
                   CAST(%(start)s AS date) + LEAST(%(span)s, floor(%(span)s * power({u(1)}, 0.75))::int)
                       AS reported_on,
                   {pick(u(2), CASE_TYPES)} AS case_type,
                   {u(3)} AS u_incident, {u(4)} AS u_lag, {u(5)} AS u_status, {u(6)} AS u_step,
                   {u(7)} AS u_closed, {u(8)} AS u_district, {u(9)} AS u_village,
                   {u(10)} AS u_worker, {u(11)} AS u_time
            FROM generate_series(1, %(n)s) g
            JOIN bench_agency a ON {u(0)} >= a.cum_lo AND {u(0)} < a.cum_hi
        ), st AS (
            SELECT b.*,
                   CASE WHEN u_status < (CASE WHEN {age} > 365 THEN 0.9 WHEN {age} > 180 THEN 0.6
                                             WHEN {age} > 60 THEN 0.3 ELSE 0.05 END)
                        THEN 'closed'
                        WHEN {age} > 60 AND u_status > 0.97 THEN 'closure_requested'
                        ELSE 'open' END AS status,
                   ((reported_on + TIME '08:00' + make_interval(secs => u_time * 32400))
                        AT TIME ZONE 'Asia/Jakarta') AS created_at
            FROM base b
        )
        SELECT
            id,
            md5('case-code:' || %(seed)s || ':' || id)::uuid,
            st.region_code || '/' || extract(year FROM reported_on)::int || '/'
                -- as the app's sequence:04d (at least four digits, never truncated)
                || lpad(row_number() OVER w::text,
                        greatest(4, length(row_number() OVER w::text)), '0'),
            md5('case-token:' || %(seed)s || ':' || id)::uuid,
            {pick(v(12), CHANNELS)},
            reported_on,
            CASE WHEN u_incident < 0.05 THEN NULL
                 ELSE reported_on - LEAST((CASE WHEN u_lag < 0.7 THEN u_lag * 43
                                               WHEN u_lag < 0.95 THEN u_lag * 400
                                               ELSE u_lag * 2000 END)::int, 3650) END,
            u_incident > 0.88,
            'Kronologi sintetis kasus ' || id || ': korban datang bersama pendamping dan '
                || 'menceritakan kejadian. Teks ini rekaan untuk pengujian kinerja, bukan data '
                || 'nyata. ' || repeat('Catatan tambahan rekaan. ', 6 + (u_time * 10)::int),
            {pick(v(13), PLACES)},
            CASE WHEN {v(19)} < 0.6 THEN 'Jalan Sintetis No. ' || (id %% 200) ELSE '' END,
            d.code,
            CASE WHEN u_village < 0.4 AND d.n_villages > 0 THEN (
                SELECT v.code FROM bench_village v
                WHERE v.district_code = d.code AND v.idx = floor(u_village / 0.4 * d.n_villages))
            END,
            case_type,
            {pick(v(14), RISK)},
            {v(15)} < 0.97,
            {v(16)} < 0.6,
            {v(17)} < 0.95,
            {pick(v(18), LEGAL_BASIS)},
            '',
            CASE WHEN status <> 'open' THEN 'closure'
                 WHEN {age} < 14 THEN (CASE WHEN u_step < 0.6 THEN 'identification'
                                            ELSE 'assessment' END)
                 ELSE {pick("u_step", OPEN_STEPS)} END,
            status,
            workers[1 + floor(u_worker * array_length(workers, 1))::int],
            intake_id,
            created_at,
            CASE WHEN status = 'closed'
                 THEN created_at + make_interval(days => floor(LEAST({age}, 400) * u_closed)::int)
                 ELSE created_at + make_interval(days => floor({age} * u_closed * 0.5)::int) END,
            CASE WHEN status = 'closed'
                 THEN created_at + make_interval(days => floor(LEAST({age}, 400) * u_closed)::int)
            END,
            CASE WHEN status = 'open' AND {age} < 14 AND u_step < 0.6 THEN 1 ELSE 2 END,
            st.agency_id,
            st.region_code
        FROM st
        LEFT JOIN bench_district d ON d.region_code = st.region_code
            AND d.idx = floor(st.u_district * st.n_districts)
        WINDOW w AS (PARTITION BY st.region_code, extract(year FROM reported_on)
                     ORDER BY reported_on, st.id)
        """,
        {"n": n, "seed": loader.args.seed, "start": start_day, "span": span, "today": today},
    )


def load_people(loader: Loader, today: dt.date) -> None:
    u = "pg_temp.u(p.id, {})".format
    # Age at the incident by role and case type (years).
    victim_age = f"""(CASE p.case_type
        WHEN 'ktp' THEN 18 + floor(power({u(2)}, 1.4) * 48)
        WHEN 'ampk' THEN floor(18 * power({u(2)}, 0.7))
        WHEN 'abh' THEN 12 + floor({u(2)} * 6)
        WHEN 'tppo' THEN 14 + floor({u(2)} * 26)
        WHEN 'child_marriage' THEN 13 + floor({u(2)} * 5)
        ELSE floor({u(2)} * 60) END)::int"""
    perp_age = f"""(CASE WHEN p.case_type = 'abh' AND {u(3)} < 0.7 THEN 12 + floor({u(2)} * 6)
        WHEN p.case_type = 'child_marriage' THEN 17 + floor({u(2)} * 20)
        WHEN {u(3)} < 0.06 THEN 13 + floor({u(2)} * 5)
        ELSE 18 + floor(power({u(2)}, 1.2) * 50) END)::int"""
    victim_female = """(CASE p.case_type WHEN 'ktp' THEN 1.0 WHEN 'ampk' THEN 0.7
        WHEN 'abh' THEN 0.4 WHEN 'tppo' THEN 0.75 WHEN 'child_marriage' THEN 0.95 ELSE 0.7 END)"""
    names_given = "ARRAY[" + ",".join(q(x) for x in GIVEN) + "]"
    names_family = "ARRAY[" + ",".join(q(x) for x in FAMILY) + "]"
    # Slots: victims 0..2, perpetrators 4..6 (person id = case id * 8 + slot).
    loader.sql(
        "cases_person",
        f"""
        INSERT INTO cases_person (
            id, code, case_id, role, name, sex, birth_date, stated_age, nik_hash, nik_masked,
            education_id, occupation_id, marital_status_id, has_disability, address,
            address_region_id, phone, relation_to_victim, child_legal_role, age, age_group,
            is_child)
        WITH p AS (
            SELECT c.id * 8 + s AS id, c.id AS case_id, s,
                   CASE WHEN s < 4 THEN 'victim' ELSE 'perpetrator' END AS role,
                   c.case_type, c.reported_on, c.incident_district_id, c.agency_id,
                   c.region_id, coalesce(c.incident_date, c.reported_on) AS ref
            FROM cases_case c
            CROSS JOIN generate_series(0, 6) s
            WHERE (s < 3 AND s < (CASE WHEN pg_temp.u(c.id, 40) < 0.90 THEN 1
                                      WHEN pg_temp.u(c.id, 40) < 0.985 THEN 2 ELSE 3 END))
               OR (s >= 4 AND s - 4 < (CASE WHEN pg_temp.u(c.id, 41) < 0.03 THEN 0
                                           WHEN pg_temp.u(c.id, 41) < 0.88 THEN 1
                                           WHEN pg_temp.u(c.id, 41) < 0.98 THEN 2 ELSE 3 END))
        ), a AS (
            SELECT p.*,
                   CASE WHEN p.role = 'victim' THEN {victim_age} ELSE {perp_age} END AS target,
                   {u(4)} AS u_known, {u(5)} AS u_kind, {u(6)} AS u_day,
                   CASE WHEN p.role = 'victim' THEN {u(7)} < {victim_female}
                        ELSE {u(7)} < 0.08 END AS female
            FROM p
        ), b AS (
            SELECT a.*,
                   u_known >= 0.05 AS known,
                   u_known >= 0.05 AND u_kind < 0.65 AS has_birth,
                   (ref - make_interval(years => target) - make_interval(days => floor(u_day * 360)::int))::date
                       AS bdate,
                   (extract(year FROM age(reported_on, ref)))::int AS gap
            FROM a
        ), d AS (
            SELECT b.*,
                   CASE WHEN NOT known THEN NULL WHEN has_birth THEN
                        (extract(year FROM ref) - extract(year FROM bdate)
                         - CASE WHEN (extract(month FROM ref), extract(day FROM ref))
                                   < (extract(month FROM bdate), extract(day FROM bdate))
                                THEN 1 ELSE 0 END)::int
                        ELSE target END AS the_age
            FROM b
        )
        SELECT
            p.id,
            md5('person-code:' || %(seed)s || ':' || p.id)::uuid,
            case_id, role,
            ({names_given})[1 + floor({u(8)} * {len(GIVEN)})::int] || ' '
                || ({names_family})[1 + floor({u(9)} * {len(FAMILY)})::int] || ' ' || p.id,
            CASE WHEN {u(15)} < 0.02 THEN '' WHEN female THEN 'P' ELSE 'L' END,
            CASE WHEN has_birth THEN bdate END,
            CASE WHEN known AND NOT has_birth THEN target + gap END,
            CASE WHEN {u(10)} < 0.4 THEN encode(sha256(('bench-nik:' || p.id)::bytea), 'hex')
                 ELSE '' END,
            CASE WHEN {u(10)} < 0.4
                 THEN replace(left(region_id, 5), '.', '') || '********' || lpad((p.id %% 10000)::text, 4, '0')
                 ELSE '' END,
            CASE WHEN NOT known THEN NULL
                 WHEN the_age < 4 THEN 'belum_sekolah' WHEN the_age < 6 THEN 'paud_tk'
                 WHEN the_age < 12 THEN 'sd' WHEN the_age < 15 THEN 'sltp'
                 WHEN the_age < 18 THEN (CASE WHEN {u(11)} < 0.1 THEN 'putus_sekolah' ELSE 'slta' END)
                 ELSE {pick(u(11), qs([("sd", 20), ("sltp", 22), ("slta", 35), ("perguruan_tinggi", 13), ("tidak_diketahui", 10)]))}
            END,
            CASE WHEN NOT known OR the_age < 6 THEN NULL
                 WHEN the_age < 18 THEN 'pelajar'
                 WHEN role = 'victim' AND female THEN {pick(u(12), qs([("ibu_rumah_tangga", 40), ("swasta_buruh", 15), ("tidak_bekerja", 15), ("pedagang_tani_nelayan", 10), ("bekerja", 8), ("pns_tni_polri", 2), ("na", 10)]))}
                 ELSE {pick(u(12), qs([("swasta_buruh", 30), ("pedagang_tani_nelayan", 20), ("tidak_bekerja", 15), ("bekerja", 15), ("pns_tni_polri", 5), ("na", 15)]))}
            END,
            CASE WHEN NOT known THEN NULL
                 WHEN case_type = 'child_marriage' AND role = 'victim' THEN 'kawin_tidak_tercatat'
                 WHEN the_age < 18 THEN 'belum_kawin'
                 ELSE {pick(u(13), qs([("kawin_tercatat", 55), ("kawin_tidak_tercatat", 10), ("cerai_hidup", 12), ("cerai_mati", 3), ("belum_kawin", 15), ("tidak_diketahui", 5)]))}
            END,
            role = 'victim' AND {u(14)} < 0.03,
            CASE WHEN {u(16)} < 0.7 THEN 'Alamat sintetis ' || p.id ELSE '' END,
            incident_district_id,
            CASE WHEN {u(17)} < 0.3 THEN '08' || lpad((p.id %% 1000000000)::text, 10, '0') ELSE '' END,
            '',
            CASE WHEN case_type <> 'abh' OR NOT known OR the_age >= 18 THEN ''
                 WHEN role = 'victim' THEN 'victim' ELSE 'in_conflict' END,
            the_age,
            CASE WHEN the_age IS NULL THEN '' WHEN the_age <= 5 THEN '0-5'
                 WHEN the_age <= 12 THEN '6-12' WHEN the_age <= 17 THEN '13-17'
                 WHEN the_age <= 24 THEN '18-24' WHEN the_age <= 44 THEN '25-44'
                 WHEN the_age <= 59 THEN '45-59' ELSE '60+' END,
            the_age < 18
        FROM d p
        """,
        {"seed": loader.args.seed},
    )
    del today


def load_victim_details(loader: Loader) -> None:
    """Forms of violence (multi-select), sub-forms, AMPK categories, disability types."""
    u = "pg_temp.u(p.id, {})".format
    primary = by_case_type(u(20), PRIMARY_FORM, default_key="other")
    loader.sql("", "DROP TABLE IF EXISTS bench_victim")
    loader.sql(
        "bench victims (primary form)",
        f"""
        CREATE TABLE bench_victim AS
        SELECT p.id, p.case_id, p.is_child, c.case_type, {primary} AS form,
               {u(21)} < 0.35 AS also_psikis, {u(22)} < 0.10 AS also_fisik, {u(23)} AS u_sub,
               {u(24)} AS u_ampk, p.has_disability
        FROM cases_person p JOIN cases_case c ON c.id = p.case_id
        WHERE p.role = 'victim'
        """,
    )
    form_idx = 'f."order"'
    loader.sql(
        "cases_person_violence_forms",
        f"""
        INSERT INTO cases_person_violence_forms (id, person_id, violenceform_id)
        SELECT x.id * 8 + {form_idx}, x.id, x.form FROM (
            SELECT id, form FROM bench_victim
            UNION SELECT id, 'psikis' FROM bench_victim WHERE also_psikis
            UNION SELECT id, 'fisik' FROM bench_victim WHERE also_fisik
        ) x JOIN cases_violenceform f ON f.code = x.form
        """,
    )
    child_sexual = qs(
        [
            ("tpks_persetubuhan_anak", 40),
            ("tpks_pencabulan", 30),
            ("tpks_pelecehan_fisik", 15),
            ("tpks_ksbe", 10),
            ("tpks_perkosaan", 5),
        ]
    )
    adult_sexual = qs(
        [
            ("tpks_perkosaan", 30),
            ("tpks_pelecehan_fisik", 30),
            ("tpks_pelecehan_nonfisik", 15),
            ("tpks_ksbe", 15),
            ("tpks_pencabulan", 10),
        ]
    )
    trafficking = qs(
        [("tppo_eksploitasi_seksual", 50), ("tppo_kerja_paksa", 48), ("tppo_organ", 2)]
    )
    loader.sql("", "DROP TABLE IF EXISTS bench_victim_subtype")
    loader.sql(
        "bench victims (sub-form)",
        f"""
        CREATE TABLE bench_victim_subtype AS
        SELECT id, sub FROM (
            SELECT id, CASE
                WHEN form = 'seksual' AND u_sub < 0.7 THEN
                    CASE WHEN is_child THEN {pick("(u_sub / 0.7)", child_sexual)}
                         ELSE {pick("(u_sub / 0.7)", adult_sexual)} END
                WHEN form = 'fisik' AND case_type = 'ktp' AND u_sub < 0.6 THEN 'pkdrt_fisik'
                WHEN form = 'psikis' AND case_type = 'ktp' AND u_sub < 0.5 THEN 'pkdrt_psikis'
                WHEN form = 'penelantaran' AND case_type = 'ktp' AND u_sub < 0.5
                    THEN 'pkdrt_penelantaran'
                WHEN form = 'trafficking' THEN {pick("u_sub", trafficking)}
                END AS sub
            FROM bench_victim) s
        WHERE sub IS NOT NULL
        """,
    )
    loader.sql(
        "cases_person_violence_subtypes",
        """
        INSERT INTO cases_person_violence_subtypes (id, person_id, violencesubtype_id)
        SELECT id * 8, id, sub FROM bench_victim_subtype
        """,
    )
    loader.sql(
        "cases_person_ampk_categories",
        """
        INSERT INTO cases_person_ampk_categories (id, person_id, ampkcategory_id)
        SELECT id * 8, id, CASE form WHEN 'seksual' THEN 'kejahatan_seksual'
            WHEN 'fisik' THEN 'kekerasan_fisik_psikis' WHEN 'psikis' THEN 'kekerasan_fisik_psikis'
            WHEN 'penelantaran' THEN 'penelantaran' WHEN 'eksploitasi' THEN 'eksploitasi'
            WHEN 'trafficking' THEN 'penculikan' ELSE 'darurat' END
        FROM bench_victim WHERE is_child AND case_type = 'ampk' AND u_ampk < 0.8
        """,
    )
    loader.sql(
        "cases_person_disability_types",
        """
        INSERT INTO cases_person_disability_types (id, person_id, disabilitytype_id)
        SELECT id * 8, id, (ARRAY['fisik','intelektual','mental','sensorik_rungu',
                                  'sensorik_wicara','sensorik_netra','ganda'])
                           [1 + floor(u_ampk * 7)::int]
        FROM bench_victim WHERE has_disability
        """,
    )


def load_links(loader: Loader) -> None:
    u = "pg_temp.u(pp.id * 4 + (v.id - c.id * 8), {})".format
    relationship = by_case_type(u(30), RELATIONSHIP, default_key="other")
    loader.sql(
        "cases_perpetratorlink",
        f"""
        INSERT INTO cases_perpetratorlink (id, perpetrator_id, victim_id, relationship_id)
        SELECT pp.id * 4 + (v.id - c.id * 8), pp.id, v.id, {relationship}
        FROM cases_case c
        JOIN cases_person pp ON pp.case_id = c.id AND pp.role = 'perpetrator'
        JOIN cases_person v ON v.case_id = c.id AND v.role = 'victim'
        """,
    )


def load_work(loader: Loader, today: dt.date) -> None:
    """Services given, case records, deadlines: the work done on each case."""
    u = "pg_temp.u(sid, {})".format
    cap = "LEAST(CAST(%(today)s AS date), coalesce((c.closed_at AT TIME ZONE 'Asia/Jakarta')::date, CAST(%(today)s AS date)))"
    loader.sql(
        "cases_servicegiven",
        f"""
        INSERT INTO cases_servicegiven (
            id, code, victim_id, service_type_id, function_id, provider_id, given_on,
            description, shelter_from, shelter_to, recorded_by_id)
        WITH s AS (
            SELECT v.id * 8 + k AS sid, k, v.id AS victim_id, c.id AS case_id, c.agency_id,
                   c.reported_on, c.status, c.closed_at, c.step,
                   coalesce(c.assigned_worker_id, c.registered_by_id) AS worker_id,
                   {cap} AS last_day
            FROM cases_person v JOIN cases_case c ON c.id = v.case_id
            CROSS JOIN generate_series(0, 5) k
            WHERE v.role = 'victim'
              AND k < CASE WHEN c.step = 'identification' THEN 1
                           ELSE 2 + floor(pg_temp.u(v.id, 50) * 4)::int END
        ), t AS (
            SELECT s.*,
                   CASE WHEN k = 0 THEN 'pengaduan' ELSE {pick(u(51), SERVICE_TYPES)} END AS stype,
                   CASE WHEN k = 0 THEN 'pengaduan_masyarakat'
                        ELSE {pick(u(52), FUNCTIONS)} END AS func,
                   LEAST(last_day, reported_on + (k * {u(53)} * 30)::int) AS given_on
            FROM s
        )
        SELECT sid, md5('service-code:' || %(seed)s || ':' || sid)::uuid, victim_id, stype, func,
               CASE WHEN k > 0 AND {u(54)} < 0.15 THEN (
                   SELECT bp.agency_id FROM bench_partner bp
                   WHERE bp.idx = floor({u(55)} * (SELECT count(*) FROM bench_partner)))
                   ELSE agency_id END,
               given_on,
               'Layanan sintetis ' || stype || ' untuk pengujian kinerja.',
               CASE WHEN func = 'penampungan_sementara' THEN given_on END,
               CASE WHEN func = 'penampungan_sementara' AND status = 'closed'
                    THEN given_on + 3 + floor({u(56)} * 27)::int END,
               worker_id
        FROM t
        """,
        {"seed": loader.args.seed, "today": today},
    )
    # Case records: identification always; then one per step reached; closed cases end
    # with the closure decision. Record id = case id * 8 + slot.
    step_no = """(CASE c.step WHEN 'identification' THEN 0 WHEN 'assessment' THEN 1
        WHEN 'plan' THEN 2 WHEN 'intervention' THEN 3 WHEN 'monitoring' THEN 4 ELSE 5 END)"""
    loader.sql(
        "cases_caserecord",
        f"""
        INSERT INTO cases_caserecord (id, code, case_id, kind, body, author_id, created_at)
        SELECT c.id * 8 + k, md5('record-code:' || %(seed)s || ':' || (c.id * 8 + k))::uuid, c.id,
               (ARRAY['identification','assessment','plan','progress','closure_decision'])[k + 1],
               'Catatan sintetis (' || k || ') untuk pengujian kinerja; tidak berisi data nyata. '
                   || repeat('Isi catatan rekaan. ', 3),
               CASE WHEN k = 0 THEN c.registered_by_id
                    WHEN k = 4 THEN coalesce((SELECT supervisor_id FROM bench_agency ba
                                              WHERE ba.agency_id = c.agency_id), c.registered_by_id)
                    ELSE coalesce(c.assigned_worker_id, c.registered_by_id) END,
               CASE WHEN k = 4 THEN c.closed_at
                    ELSE c.created_at + (c.updated_at - c.created_at) * (k / 5.0) END
        FROM cases_case c
        CROSS JOIN generate_series(0, 4) k
        WHERE (k < 4 AND k <= LEAST({step_no}, CASE WHEN c.status = 'closed' THEN 1 ELSE 3 END))
           OR (k = 4 AND c.status = 'closed')
        """,
        {"seed": loader.args.seed},
    )
    loader.sql(
        "cases_deadline",
        """
        INSERT INTO cases_deadline (id, case_id, kind, legal_basis, due_at, done_at)
        SELECT c.id * 4 + k.n, c.id, k.kind, k.basis, c.created_at + k.due,
               CASE WHEN c.status <> 'open' OR pg_temp.u(c.id * 4 + k.n, 60) < 0.85
                    THEN c.created_at + k.due * pg_temp.u(c.id * 4 + k.n, 61) END
        FROM cases_case c
        JOIN (VALUES (0, 'follow_up', 'Permen PPPA 2/2022', interval '3 days'),
                     (1, 'police_report_tpks', 'UU 12/2022 Pasal 41', interval '72 hours'),
                     (2, 'response_medium', 'Permen PPPA 2/2022', interval '6 hours'),
                     (3, 'diversion', 'UU 11/2012 Pasal 7', interval '30 days'))
             AS k(n, kind, basis, due)
          ON k.n = 0
          OR (k.n = 1 AND c.case_type IN ('ktp', 'ampk') AND pg_temp.u(c.id, 62) < 0.3)
          OR (k.n = 2 AND c.risk_level = 'medium')
          OR (k.n = 3 AND c.case_type = 'abh')
        """,
    )


def load_history(loader: Loader) -> None:
    """simple-history rows as the app writes them: '+' at creation (the registering user),
    and for cases that moved on, one '~' row with the current state; victims get the '~'
    row simple-history writes when their forms of violence are set, with its m2m snapshot."""
    case_cols = """id, code, number, intake_token, intake_channel, reported_on, incident_date,
        incident_date_approximate, description, incident_address, case_type, risk_level,
        within_authority, consent_sharing, consent_statistics, legal_basis, legal_basis_note,
        created_at, agency_id, assigned_worker_id, incident_district_id, incident_village_id,
        region_id, registered_by_id, place_id"""
    loader.sql(
        "cases_historicalcase",
        f"""
        INSERT INTO cases_historicalcase ({case_cols}, step, status, updated_at, closed_at,
            version, history_id, history_date, history_change_reason, history_type,
            history_user_id)
        SELECT {case_cols}, 'identification', 'open', created_at, NULL, 1, id * 2, created_at,
               NULL, '+', registered_by_id
        FROM cases_case
        UNION ALL
        SELECT {case_cols}, step, status, updated_at, closed_at, version, id * 2 + 1, updated_at,
               NULL, '~', coalesce(assigned_worker_id, registered_by_id)
        FROM cases_case WHERE version > 1
        """,
    )
    person_cols = """id, code, role, name, sex, birth_date, stated_age, nik_hash, nik_masked,
        has_disability, address, phone, relation_to_victim, child_legal_role, age, age_group,
        is_child, address_region_id, case_id, education_id, marital_status_id, occupation_id"""
    pcols = ", ".join("p." + c.strip() for c in person_cols.split(","))
    loader.sql(
        "cases_historicalperson",
        f"""
        INSERT INTO cases_historicalperson ({person_cols}, history_id, history_date,
            history_change_reason, history_type, history_user_id)
        SELECT {pcols}, p.id * 2, c.created_at, NULL, '+', c.registered_by_id
        FROM cases_person p JOIN cases_case c ON c.id = p.case_id
        UNION ALL
        SELECT {pcols}, p.id * 2 + 1, c.created_at + interval '1 second', NULL, '~',
               c.registered_by_id
        FROM cases_person p JOIN cases_case c ON c.id = p.case_id WHERE p.role = 'victim'
        """,
    )
    for table, column in [
        ("violence_forms", "violenceform_id"),
        ("violence_subtypes", "violencesubtype_id"),
        ("ampk_categories", "ampkcategory_id"),
    ]:
        loader.sql(
            f"cases_historicalperson_{table}",
            f"""
            INSERT INTO cases_historicalperson_{table} (id, m2m_history_id, history_id,
                person_id, {column})
            SELECT id, id, person_id * 2 + 1, person_id, {column} FROM cases_person_{table}
            """,
        )
    for table, cols, when, who in [
        (
            "perpetratorlink",
            "id, perpetrator_id, victim_id, relationship_id",
            "c.created_at",
            "c.registered_by_id",
        ),
        (
            "servicegiven",
            "id, code, given_on, description, shelter_from, shelter_to, provider_id, "
            "recorded_by_id, victim_id, service_type_id, function_id",
            "greatest(c.created_at, (x.given_on + time '10:00') AT TIME ZONE 'Asia/Jakarta')",
            "x.recorded_by_id",
        ),
        (
            "caserecord",
            "id, code, kind, body, created_at, author_id, case_id",
            "x.created_at",
            "x.author_id",
        ),
        (
            "deadline",
            "id, kind, legal_basis, due_at, done_at, reminded_at, escalated_at, case_id",
            "c.created_at",
            "c.registered_by_id",
        ),
    ]:
        xcols = ", ".join("x." + c.strip() for c in cols.split(","))
        join = {
            "perpetratorlink": "JOIN cases_person p ON p.id = x.victim_id JOIN cases_case c ON c.id = p.case_id",
            "servicegiven": "JOIN cases_person p ON p.id = x.victim_id JOIN cases_case c ON c.id = p.case_id",
            "caserecord": "",
            "deadline": "JOIN cases_case c ON c.id = x.case_id",
        }[table]
        loader.sql(
            f"cases_historical{table}",
            f"""
            INSERT INTO cases_historical{table} ({cols}, history_id, history_date,
                history_change_reason, history_type, history_user_id)
            SELECT {xcols}, x.id, {when}, NULL, '+', {who}
            FROM cases_{table} x {join}
            """,
        )


def load_access_log(loader: Loader, per_case: int, today: dt.date) -> None:
    loader.sql(
        "ppa_accesslog",
        """
        INSERT INTO ppa_accesslog (id, at, user_id, agency_id, role, action, object_type,
            object_id, purpose, ip_address, path)
        SELECT c.id * 8 + k,
               LEAST(c.created_at + (CAST(%(now)s AS timestamptz) - c.created_at)
                         * power(pg_temp.u(c.id * 8 + k, 70), 3),
                     CAST(%(now)s AS timestamptz)),
               u.id, c.agency_id, u.role,
               CASE WHEN pg_temp.u(c.id * 8 + k, 71) < 0.97 THEN 'view' ELSE 'print' END,
               'cases.case', c.id, '',
               ('10.0.' || (c.agency_id %% 250) || '.' || (1 + (u.id %% 250)))::inet,
               '/kasus/' || c.code || '/'
        FROM cases_case c
        CROSS JOIN generate_series(0, %(k)s - 1) k
        JOIN ppa_user u ON u.id = CASE WHEN k = 0 THEN c.registered_by_id
                                       ELSE coalesce(c.assigned_worker_id, c.registered_by_id) END
        """,
        {"k": per_case, "now": f"{today.isoformat()} 23:59:59+07"},
    )


def finish(loader: Loader, index_ddl: list[str]) -> None:
    for ddl in index_ddl:
        name = ddl.split(" ON ")[0].split()[-1]
        loader.sql(f"index {name}"[:44], ddl)
    # Case numbers: the next intake continues after the generated ones.
    loader.sql(
        "cases_casesequence",
        """
        INSERT INTO cases_casesequence (region_code, year, last)
        SELECT region_id, extract(year FROM reported_on)::int, count(*) FROM cases_case
        GROUP BY 1, 2
        ON CONFLICT (region_code, year) DO UPDATE SET last = EXCLUDED.last
        """,
    )
    loader.cursor.execute(
        """
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = ANY(%s)
          AND (is_identity = 'YES' OR column_default LIKE 'nextval%%')
        """,
        [BIG_TABLES],
    )
    for table, column in loader.cursor.fetchall():
        loader.cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), "
            f'coalesce((SELECT max("{column}") FROM "{table}"), 0) + 1, false)',
            [table, column],
        )


def verify(loader: Loader) -> None:
    """Re-check every foreign key of the loaded tables (they were loaded with triggers off)."""
    loader.cursor.execute(
        """
        SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
        """,
        [BIG_TABLES],
    )
    bad = 0
    for table, column, ftable, fcolumn in loader.cursor.fetchall():
        broken = loader.scalar(
            f'SELECT count(*) FROM "{table}" x WHERE x."{column}" IS NOT NULL AND NOT EXISTS '
            f'(SELECT 1 FROM "{ftable}" y WHERE y."{fcolumn}" = x."{column}")'
        )
        if broken:
            print(f"  BROKEN FK {table}.{column} -> {ftable}: {broken} rows")
            bad += broken
    print(f"  foreign keys verified: {'OK' if not bad else f'{bad} broken rows'}")
    if bad:
        raise SystemExit(1)


def load_referrals(n: int, seed: int) -> None:
    """Referrals through the app's own services (draft, submit, approve, hand-off, accept):
    the grants, guardian direct rows, events, outbox rows and notifications exactly as the
    app writes them. A third go to another UPTD, so case lists include granted cases."""
    rng = random.Random(seed)
    uptds = list(Agency.objects.filter(kind=Agency.Kind.UPTD_PPA).order_by("id"))
    partners = list(
        Agency.objects.exclude(kind__in=[Agency.Kind.UPTD_PPA, Agency.Kind.DP3AP2KB]).order_by("id")
    )
    start = time.perf_counter()
    done = 0
    max_id = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
    logging.getLogger("celery").setLevel(logging.WARNING)
    with override_settings(
        CELERY_TASK_ALWAYS_EAGER=True,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ):
        for _i in range(n * 3):
            if done >= n:
                break
            case = (
                Case.objects.filter(
                    id__gte=rng.randint(1, max_id), status="open", consent_sharing=True
                )
                .exclude(assigned_worker__isnull=True)
                .order_by("id")
                .first()
            )
            if case is None:
                continue
            to = rng.choice(
                [a for a in uptds if a.pk != case.agency_id] if rng.random() < 0.33 else partners
            )
            worker = case.assigned_worker
            supervisor = User.objects.get(agency_id=case.agency_id, role=Role.SUPERVISOR)
            victim = case.people.filter(role="victim").order_by("id").first()
            try:
                referral = rs.referral_draft(
                    actor=worker,
                    case=case,
                    data=rs.ReferralData(
                        to_agency_id=to.pk,
                        service_codes=[
                            rng.choice(["kesehatan", "bantuan_hukum", "rehabilitasi_sosial"])
                        ],
                        urgency="normal",
                        reason="Rujukan sintetis untuk pengujian kinerja.",
                        victim_ids=[victim.pk],
                    ),
                )
                referral = rs.referral_submit(actor=worker, referral=referral)
                rs.referral_approve(actor=supervisor, referral=referral)
                referral.refresh_from_db()
                receiver = User.objects.filter(agency=to).exclude(role="").order_by("id").first()
                if referral.status == "delivered" and receiver and rng.random() < 0.7:
                    rs.referral_accept(actor=receiver, referral=referral)
                done += 1
            except rs.ReferralError as exc:
                print(f"  referral skipped: {exc}")
    elapsed = time.perf_counter() - start
    print(f"  {'referrals (app services)':<44} {done:>10} rows {elapsed:8.1f} s")


def refresh_aggregates() -> None:
    """The nightly statistics aggregates, as the app's Celery beat would build them."""
    start = time.perf_counter()
    refresh = statistics_refresh()
    print(
        f"  {'statistics aggregates (statistics_refresh)':<44} {refresh.rows:>10} rows"
        f" {time.perf_counter() - start:8.1f} s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--provinces", default="13", help="comma-separated, e.g. 13 or 13,14")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--today", default="2026-11-23", help="last reporting day (fixed)")
    parser.add_argument("--access-per-case", type=int, default=3)
    parser.add_argument("--reset", action="store_true", help="TRUNCATE app tables first")
    parser.add_argument(
        "--referrals",
        type=int,
        default=None,
        help="referrals via the services (default cases/2000)",
    )
    parser.add_argument(
        "--referrals-only", action="store_true", help="only add referrals to existing data"
    )
    parser.add_argument("--verify", action="store_true", help="re-check foreign keys at the end")
    args = parser.parse_args()
    today = dt.date.fromisoformat(args.today)
    provinces = [p.strip() for p in args.provinces.split(",") if p.strip()]
    loader = Loader(args)
    started = time.perf_counter()
    n_referrals = args.referrals if args.referrals is not None else args.cases // 2000
    if args.referrals_only:
        load_referrals(n_referrals, args.seed)
        loader.sql("analyze", "ANALYZE")
        refresh_aggregates()
        return
    print(f"generate: {args.cases} cases, seed {args.seed}, provinces {provinces}")
    if args.reset:
        reset(loader)
    elif loader.scalar("SELECT count(*) FROM cases_case"):
        raise SystemExit("cases_case is not empty: pass --reset to replace the bench data.")
    seed_world(loader, provinces)
    loader.sql("", "SET maintenance_work_mem = '1GB'")
    loader.sql("", "SET work_mem = '256MB'")
    loader.sql("", "SET synchronous_commit = off")
    loader.sql("", "SET jit = off")  # compiling these wide expressions took minutes
    loader.sql("", "SET max_parallel_workers_per_gather = 0")
    create_helpers(loader, args.seed, provinces)
    with transaction.atomic():
        index_ddl = drop_indexes(loader)
        loader.sql("", "SET LOCAL session_replication_role = replica")
        load_cases(loader, args.cases, today, args.years)
        loader.sql("", "ANALYZE cases_case")
        load_people(loader, today)
        loader.sql("", "ANALYZE cases_person")
        load_victim_details(loader)
        load_links(loader)
        load_work(loader, today)
        load_history(loader)
        load_access_log(loader, args.access_per_case, today)
        loader.sql("", "SET LOCAL session_replication_role = origin")
        finish(loader, index_ddl)
    loader.sql("", "DROP TABLE IF EXISTS bench_victim, bench_victim_subtype")
    if args.verify:
        verify(loader)
    loader.sql("analyze", "ANALYZE")
    load_referrals(n_referrals, args.seed)
    refresh_aggregates()
    total = time.perf_counter() - started
    rows = sum(r for _label, _t, r in loader.timings if r and r > 0)
    print(f"generate: done in {total:.0f} s ({rows} rows written)")
    print(f"{total:.1f} s  load of {args.cases} cases  [{_django.command_line()}]")


if __name__ == "__main__":
    main()
