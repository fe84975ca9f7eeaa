"""Two people editing the same record: the second save is refused with a clear message,
never a silent overwrite, and what the second person typed is not thrown away."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from core.versioning import CONFLICT, ConcurrentEditError
from interventions.models import Intervention
from reporting.models import ProgressUpdate
from tests.admin_forms import admin_form_data
from tests.factories import (
    AreaReportFactory,
    InterventionFactory,
    ProgressUpdateFactory,
    ReportingPeriodFactory,
)


@pytest.fixture
def period(track):
    return ReportingPeriodFactory(programme=track.programme)


@pytest.fixture
def report(period, area_a):
    return AreaReportFactory(area=area_a, period=period, narrative="Begin")


@pytest.fixture
def update(report):
    return ProgressUpdateFactory(report=report, narrative="Begin")


@pytest.fixture
def intervention(area_a):
    return InterventionFactory(area=area_a, title="Begin")


# Each versioned model, with the fixture that makes a row and a text field people type in.
VERSIONED = [
    pytest.param("report", "narrative", id="AreaReport"),
    pytest.param("update", "narrative", id="ProgressUpdate"),
    pytest.param("intervention", "title", id="Intervention"),
]


def two_copies(obj):
    manager = type(obj)._base_manager
    return manager.get(pk=obj.pk), manager.get(pk=obj.pk)


def stored(obj):
    return type(obj)._base_manager.filter(pk=obj.pk).values().get()


def conflict_message(response):
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return escape(str(CONFLICT))


def has_conflict(form):
    return any(error.code == "concurrent_edit" for error in form.non_field_errors().as_data())


# --- Model level -------------------------------------------------------------------


@pytest.mark.parametrize(("row", "field"), VERSIONED)
def test_second_save_of_the_same_record_is_refused(request, row, field):
    first, second = two_copies(request.getfixturevalue(row))
    setattr(first, field, "Eerste")
    first.save()
    assert first.version == 2

    setattr(second, field, "Tweede")
    with pytest.raises(ConcurrentEditError):
        second.save()

    assert stored(first)[field] == "Eerste"
    assert stored(first)["version"] == 2


@pytest.mark.parametrize(
    ("row", "field"),
    [
        *VERSIONED[:2],
        pytest.param("intervention", "title", id="Intervention"),
    ],
)
def test_validating_a_stale_copy_reports_the_conflict(request, row, field):
    first, second = two_copies(request.getfixturevalue(row))
    setattr(first, field, "Eerste")
    first.save()
    setattr(second, field, "Tweede")

    with pytest.raises(ValidationError) as refused:
        second.full_clean()

    assert refused.value.message_dict[NON_FIELD_ERRORS] == [str(CONFLICT)]


@pytest.mark.parametrize(("row", "field"), VERSIONED)
def test_after_a_conflict_reloading_and_saving_again_works(request, row, field):
    first, second = two_copies(request.getfixturevalue(row))
    setattr(first, field, "Eerste")
    first.save()
    setattr(second, field, "Tweede")
    with pytest.raises(ConcurrentEditError):
        second.save()

    second.refresh_from_db()
    setattr(second, field, "Tweede, opnieuw ingevoerd")
    second.save()

    assert stored(second)[field] == "Tweede, opnieuw ingevoerd"
    assert stored(second)["version"] == 3


# --- A failed save leaves the version alone ----------------------------------------


def break_update(update, area_b):
    update.money_spent_to_date = Decimal("-1.00")  # amounts cannot be negative
    return lambda: setattr(update, "money_spent_to_date", Decimal("250.00"))


def break_intervention(intervention, area_b):
    intervention.end_date = datetime.date(2023, 1, 1)  # before its start
    return lambda: setattr(intervention, "end_date", datetime.date(2025, 12, 31))


@pytest.mark.parametrize(
    ("row", "breaks"),
    [
        pytest.param("update", break_update, id="ProgressUpdate"),
        pytest.param("intervention", break_intervention, id="Intervention"),
    ],
)
def test_a_failed_save_does_not_raise_the_version(request, area_b, row, breaks):
    obj, _ = two_copies(request.getfixturevalue(row))
    repair = breaks(obj, area_b)

    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()
    assert obj.version == 1

    repair()
    obj.save()

    assert obj.version == 2
    assert stored(obj)["version"] == 2


# --- Admin: the second form comes back with the message and what was typed --------


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def inline_prefix(page, model):
    return next(
        inline.formset.prefix
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is model
    )


def test_liaison_second_report_save_is_refused_and_keeps_what_was_typed(
    report, update, liaison_a, client_for
):
    client = client_for(liaison_a)
    url = change_url(report)
    page_one, page_two = client.get(url), client.get(url)
    prefix = inline_prefix(page_one, ProgressUpdate)

    saved = client.post(
        url,
        admin_form_data(
            page_one, narrative="Eerste verhaal", **{f"{prefix}-0-narrative": "Eerste voortgang"}
        ),
    )
    assert saved.status_code == 302

    response = client.post(
        url,
        admin_form_data(
            page_two, narrative="Tweede verhaal", **{f"{prefix}-0-narrative": "Tweede voortgang"}
        ),
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert has_conflict(form)
    assert conflict_message(response) in response.content.decode()
    assert form.data["narrative"] == "Tweede verhaal"
    assert "Tweede voortgang" in response.content.decode()
    assert stored(report)["narrative"] == "Eerste verhaal"
    assert stored(update)["narrative"] == "Eerste voortgang"


def test_coordinator_second_update_save_is_refused_and_keeps_what_was_typed(
    update, coordinator, client_for
):
    client = client_for(coordinator)
    url = change_url(update)
    page_one, page_two = client.get(url), client.get(url)

    assert client.post(url, admin_form_data(page_one, risks="Eerste risico")).status_code == 302
    response = client.post(url, admin_form_data(page_two, risks="Tweede risico"))

    assert response.status_code == 200
    assert has_conflict(response.context["adminform"].form)
    assert conflict_message(response) in response.content.decode()
    assert "Tweede risico" in response.content.decode()
    assert stored(update)["risks"] == "Eerste risico"


def test_coordinator_second_intervention_save_is_refused_and_keeps_what_was_typed(
    intervention, coordinator, client_for
):
    client = client_for(coordinator)
    url = change_url(intervention)
    page_one, page_two = client.get(url), client.get(url)

    assert client.post(url, admin_form_data(page_one, title="Eerste titel")).status_code == 302
    response = client.post(url, admin_form_data(page_two, title="Tweede titel"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert has_conflict(form)
    assert conflict_message(response) in response.content.decode()
    assert form.data["title"] == "Tweede titel"
    assert stored(intervention)["title"] == "Eerste titel"
    assert Intervention.objects.get(pk=intervention.pk).version == 2
