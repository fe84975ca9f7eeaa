"""The scheduled work runs from Celery beat's schedule in the settings, not from cron."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from freezegun import freeze_time

from accounts.tasks import clear_expired_sessions
from config.celery import app
from reporting.tasks import send_deadline_reminders
from tests import factories


def scheduled_tasks():
    return {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def test_the_schedule_names_the_reminders_and_the_file_session_and_token_cleanup():
    assert {
        "reporting.tasks.send_deadline_reminders",
        "core.jobs.remove_expired_files",
        "accounts.tasks.clear_expired_sessions",
        "accounts.tasks.clear_expired_tokens",
    } <= scheduled_tasks()


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    assert scheduled_tasks() <= set(app.tasks)


@pytest.mark.django_db
def test_the_reminder_task_reminds(liaison_a, area_a, django_capture_on_commit_callbacks):
    period = factories.ReportingPeriodFactory(
        programme=area_a.tracks.first().programme, deadline=datetime.date(2031, 4, 15)
    )
    factories.AreaReportFactory(area=area_a, period=period)
    with freeze_time("2031-04-10"), django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders.delay()
    assert [message.to for message in mail.outbox] == [[liaison_a.email]]


@pytest.mark.django_db
def test_the_session_task_drops_ended_sessions_only():
    with freeze_time("2020-01-01"):
        ended = SessionStore()
        ended.set_expiry(60)
        ended.create()
    live = SessionStore()
    live.create()
    clear_expired_sessions.delay()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
