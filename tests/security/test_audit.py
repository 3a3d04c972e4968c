"""The access log and every change-history table are append-only; admins read and export."""

import csv
import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from ppa.admin import HistoryAdmin, ReadOnlyAdmin
from ppa.audit import log_access
from ppa.models import AccessLog, HistoryOrigin
from ppa.security import audit_tables, install_append_only_triggers
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def refused(sql: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        return "append-only" in str(error)
    return False


def an_access_row(world) -> AccessLog:
    request = RequestFactory().get("/kasus/x/", REMOTE_ADDR="10.1.2.3")
    request.user = world.users["case_worker_own"]
    return log_access(request, action=AccessLog.Action.VIEW, obj=world.uptd, purpose="=cmd|x")


def test_access_log_rows_cannot_be_changed_or_deleted(world):
    row = an_access_row(world)
    assert refused("UPDATE ppa_accesslog SET purpose = 'x' WHERE id = %s", [row.pk])
    assert refused("DELETE FROM ppa_accesslog WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()
    assert AccessLog.objects.get(pk=row.pk).purpose == "=cmd|x"


def test_history_rows_of_every_app_cannot_be_changed_or_deleted(world):
    case = make_case(world.users["intake_own"])
    history = case.history.model.objects.filter(id=case.pk).first()
    table = case.history.model._meta.db_table
    assert refused(f"UPDATE {table} SET description = 'x' WHERE history_id = %s", [history.pk])  # noqa: S608
    assert refused(f"DELETE FROM {table} WHERE history_id = %s", [history.pk])  # noqa: S608
    user_history = world.users["intake_own"].history.first()
    assert refused(
        "UPDATE ppa_historicaluser SET username = 'x' WHERE history_id = %s", [user_history.pk]
    )


def test_every_history_table_in_the_database_has_the_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'ppa_append_only'"
        )
        guarded = {name for (name,) in cursor.fetchall()}
    tables = audit_tables()
    assert {"ppa_accesslog", "ppa_historyorigin", "cases_historicalcase"} <= set(tables)
    assert set(tables) <= guarded


def test_a_history_table_added_later_is_guarded_after_migrate():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE later_historicalthing (id serial PRIMARY KEY, note text)")
        cursor.execute("INSERT INTO later_historicalthing (note) VALUES ('a')")
    install_append_only_triggers()  # what the post_migrate hook runs
    assert refused("UPDATE later_historicalthing SET note = 'b'")
    assert refused("DELETE FROM later_historicalthing")


def test_a_change_made_through_a_request_records_address_agency_and_role(client, world):
    user = world.users["case_worker_own"]
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en"}, REMOTE_ADDR="10.4.5.6", secure=True)
    row = user.history.latest()
    origin = HistoryOrigin.objects.get(history_model="ppa.historicaluser", history_pk=row.pk)
    assert (origin.ip_address, origin.agency_id, origin.role) == (
        "10.4.5.6",
        world.uptd.pk,
        "case_worker",
    )
    assert row.history_user_id == user.pk


def test_admin_cannot_edit_or_delete_audit_rows_but_can_export_them(client, world):
    row = an_access_row(world)
    client.force_login(world.users["admin"])
    assert client.get(f"/admin/ppa/accesslog/{row.pk}/change/", secure=True).status_code == 200
    assert client.get(f"/admin/ppa/accesslog/{row.pk}/delete/", secure=True).status_code == 403
    response = client.post(
        "/admin/ppa/accesslog/",
        {"action": "export_csv", "_selected_action": [row.pk]},
        secure=True,
    )
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["purpose"] == "'=cmd|x"  # formula neutralised
    assert rows[0]["ip_address"] == "10.1.2.3" and rows[0]["agency_id"] == str(world.uptd.pk)


def test_every_history_model_is_in_the_admin_read_only(world):
    history_models = [
        m
        for m in apps.get_models()
        if m.__name__.startswith("Historical") and hasattr(m, "history_date")
    ]
    assert len(history_models) >= 10
    for model in history_models:
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, ReadOnlyAdmin | HistoryAdmin), model
        assert not model_admin.has_change_permission(None)
        assert not model_admin.has_delete_permission(None)


def test_history_admin_export_and_no_revert(client, world, settings):
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED
    case = make_case(world.users["intake_own"])
    client.force_login(world.users["admin"])
    history = case.history.model.objects.filter(id=case.pk).first()
    response = client.post(
        "/admin/cases/historicalcase/",
        {"action": "export_csv", "_selected_action": [history.pk]},
        secure=True,
    )
    assert response.status_code == 200 and case.number in response.content.decode()
