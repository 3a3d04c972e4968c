"""The access log, history origins and every simple-history table refuse UPDATE and DELETE.

Tables of apps migrated later get the same trigger from a post_migrate hook (ppa.apps)."""

from django.db import migrations


def install(apps, schema_editor):
    from ppa.security import install_append_only_triggers

    install_append_only_triggers(schema_editor.connection)


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    from ppa.security import audit_tables

    with connection.cursor() as cursor:
        for table in audit_tables(connection):
            cursor.execute(f"DROP TRIGGER IF EXISTS ppa_append_only ON {connection.ops.quote_name(table)}")
        cursor.execute("DROP FUNCTION IF EXISTS ppa_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("ppa", "0002_security")]

    operations = [migrations.RunPython(install, uninstall)]
