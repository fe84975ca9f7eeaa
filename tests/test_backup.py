"""Backups: `make backup` then `make restore` into a fresh database gives the same data,
row for row, and a closed quarter is still closed — by status and by the trigger."""

import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from reporting import services
from reporting.models import ProgressUpdate
from tests import factories

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Backups are pg_dump/pg_restore of the production database (PostgreSQL); "
        "the embedded SQLite database is a file to copy.",
    ),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
]


def url_of(name):
    settings = connection.settings_dict
    credentials = quote(settings["USER"] or "", safe="")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    host = settings["HOST"] or "localhost"
    port = settings["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{name}"


def make(target, file, database_url):
    result = subprocess.run(
        ["make", "--no-print-directory", target, f"FILE={file}"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def snapshot(database_url):
    """Every table of the public schema: its row count and a digest of all its rows."""
    with psycopg.connect(database_url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
            ).fetchone()
            for table in tables
        }


@pytest.fixture
def fresh_database():
    name = connection.settings_dict["NAME"] + "_restored"
    admin_url = url_of("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url_of(name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restores_into_a_fresh_database_with_the_same_data(tmp_path, fresh_database):
    coordinator = factories.UserFactory(email="coordinator-backup@example.org", is_superuser=True)
    area = factories.AreaFactory(name="Gebied in de back-up", tracks=[factories.TrackFactory()])
    closed = factories.ReportingPeriodFactory(programme=area.tracks.first().programme)
    update = factories.ProgressUpdateFactory(
        report=factories.AreaReportFactory(area=area, period=closed),
        narrative="Wat er in het kwartaal gebeurde",
    )
    factories.EscalationFactory(report=update.report, title="Knelpunt in de back-up")
    services.quarter_close(period=closed, user=coordinator)
    source = url_of(connection.settings_dict["NAME"])
    dump = tmp_path / "register.dump"

    make("backup", dump, source)
    make("restore", dump, fresh_database)

    assert dump.stat().st_size > 0
    original, restored = snapshot(source), snapshot(fresh_database)
    assert restored == original
    assert original["reporting_progressupdate"][0] >= 1
    with psycopg.connect(fresh_database) as conn:
        (status,) = conn.execute(
            "SELECT status FROM programme_reportingperiod WHERE id = %s", [closed.pk]
        ).fetchone()
        assert status == "closed"
        # The database itself still refuses a change to the closed quarter.
        with pytest.raises(psycopg.Error):
            conn.execute(
                "UPDATE reporting_progressupdate SET narrative = 'Achteraf' WHERE id = %s",
                [update.pk],
            )
    assert ProgressUpdate.objects.get(pk=update.pk).narrative == "Wat er in het kwartaal gebeurde"


def test_make_restore_refuses_without_a_file():
    result = subprocess.run(
        ["make", "--no-print-directory", "restore", "FILE=/nonexistent.dump"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://x@127.0.0.1/none"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "usage" in result.stdout
