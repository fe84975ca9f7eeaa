"""Nothing reported for a closed quarter changes: not through a model save, a queryset,
a service, the admin or (on PostgreSQL) raw SQL. Escalations keep room for the Rijk's
answer. Submitted and approved reports are read-only to liaisons."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from simple_history.utils import bulk_create_with_history

from reporting import services
from reporting.models import (
    AreaReport,
    Escalation,
    IndicatorValue,
    ProgressUpdate,
    QuarterClosedError,
    ReportTransition,
)
from tests.admin_forms import admin_form_data
from tests.factories import (
    AreaReportFactory,
    EscalationFactory,
    IndicatorFactory,
    InterventionFactory,
    ProgressUpdateFactory,
    ReportingPeriodFactory,
)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The closed-quarter trigger exists on PostgreSQL only; SQLite relies on the "
    "model and queryset checks tested above.",
)

MODELS = [AreaReport, ProgressUpdate, IndicatorValue, Escalation]
# A field each model's reporters fill in, and another value for it.
TYPED = {
    AreaReport: ("narrative", "Achteraf herschreven"),
    ProgressUpdate: ("narrative", "Achteraf herschreven"),
    IndicatorValue: ("value", Decimal("99.00")),
    Escalation: ("title", "Achteraf herschreven"),
}


def stored(obj):
    """The row as the database holds it."""
    return type(obj)._base_manager.filter(pk=obj.pk).values().get()


def fresh(obj):
    return type(obj)._base_manager.get(pk=obj.pk)


def url(obj, page="change"):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[obj.pk])


def reported_quarter(period, area):
    """A report with one update, an indicator value and an escalation, made while open."""
    report = AreaReportFactory(area=area, period=period, narrative="Zoals gemeld")
    update = ProgressUpdateFactory(report=report, narrative="Loopt", light="green")
    value = IndicatorValue.objects.create(
        update=update,
        indicator=IndicatorFactory(intervention=update.intervention),
        value=Decimal("12.00"),
    )
    escalation = EscalationFactory(report=report, title="Regels knellen")
    return SimpleNamespace(
        period=period,
        report=report,
        update=update,
        value=value,
        escalation=escalation,
        rows={
            AreaReport: report,
            ProgressUpdate: update,
            IndicatorValue: value,
            Escalation: escalation,
        },
    )


def keep_quarter_ids_apart_from_quarter_numbers():
    """On PostgreSQL, start quarter ids above 4, so that a test can make a quarter whose
    id equals its quarter number (the coincidence behind an old trigger bug, see
    test_closing_one_quarter_leaves_others_open) without colliding with the fixtures."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('programme_reportingperiod', 'id'), "
                "GREATEST(nextval(pg_get_serial_sequence('programme_reportingperiod', 'id')), 4))"
            )


@pytest.fixture
def period(track):
    keep_quarter_ids_apart_from_quarter_numbers()
    return ReportingPeriodFactory(programme=track.programme, year=2026, quarter=4)


@pytest.fixture
def open_quarter(period, area_a):
    return reported_quarter(period, area_a)


@pytest.fixture
def closed(open_quarter, coordinator):
    services.quarter_close(period=open_quarter.period, user=coordinator)
    return open_quarter


@pytest.fixture
def next_quarter(track, area_a):
    """The following quarter, still open, with rows of its own."""
    return reported_quarter(
        ReportingPeriodFactory(programme=track.programme, year=2027, quarter=1), area_a
    )


# --- Model saves and deletes -------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_saving_a_change_in_a_closed_quarter_is_refused(closed, model):
    row = fresh(closed.rows[model])
    before = stored(row)
    field, new_value = TYPED[model]
    setattr(row, field, new_value)

    with pytest.raises(QuarterClosedError):
        row.save()

    assert stored(row) == before


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_validating_a_change_in_a_closed_quarter_reports_it(closed, model):
    row = fresh(closed.rows[model])
    field, new_value = TYPED[model]
    setattr(row, field, new_value)

    with pytest.raises(ValidationError) as refused:
        row.full_clean()

    assert [error.code for error in refused.value.error_dict[NON_FIELD_ERRORS]] == [
        "quarter_closed"
    ]


def test_new_rows_in_a_closed_quarter_are_refused(closed, area_b):
    intervention = InterventionFactory(area=closed.report.area)
    other_indicator = IndicatorFactory(intervention=closed.update.intervention)
    new_rows = [
        AreaReport(area=area_b, period=closed.period),
        ProgressUpdate(intervention=intervention, period=closed.period, report=closed.report),
        IndicatorValue(update=closed.update, indicator=other_indicator, value=Decimal("1")),
        Escalation(report=closed.report, title="Nieuw", description="Te laat", kind="money"),
    ]
    for row in new_rows:
        with pytest.raises(QuarterClosedError):
            row.save()
        assert not type(row).objects.exclude(pk__in=[closed.rows[type(row)].pk]).exists()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_deleting_a_row_of_a_closed_quarter_is_refused(closed, model):
    row = fresh(closed.rows[model])

    with pytest.raises(QuarterClosedError):
        row.delete()

    assert model.objects.filter(pk=row.pk).exists()


def test_moving_an_update_out_of_a_closed_quarter_is_refused(closed, next_quarter):
    update = fresh(closed.update)
    before = stored(update)
    update.period, update.report = next_quarter.period, next_quarter.report

    with pytest.raises(ValidationError), transaction.atomic():
        update.save()

    assert stored(update) == before


def test_stale_indicator_value_cannot_overwrite_a_closed_quarter(open_quarter, coordinator):
    stale = fresh(open_quarter.value)
    current = fresh(open_quarter.value)
    current.value = Decimal("30.00")
    current.save()
    services.quarter_close(period=open_quarter.period, user=coordinator)

    with pytest.raises(QuarterClosedError), transaction.atomic():
        stale.save()

    assert stored(stale)["value"] == Decimal("30.00")


# --- Querysets ---------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_queryset_update_is_refused_even_in_an_open_quarter(open_quarter, model):
    row = open_quarter.rows[model]
    before = stored(row)
    field, new_value = TYPED[model]

    with pytest.raises(TypeError):
        model.objects.filter(pk=row.pk).update(**{field: new_value})
    setattr(row, field, new_value)
    with pytest.raises(TypeError):
        model.objects.bulk_update([row], [field])

    assert stored(row) == before


def test_related_manager_update_is_refused(closed):
    with pytest.raises(TypeError):
        closed.report.updates.update(narrative="Achteraf")
    with pytest.raises(TypeError):
        closed.period.reports.update(narrative="Achteraf")

    assert stored(closed.update)["narrative"] == "Loopt"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_queryset_delete_touching_a_closed_quarter_deletes_nothing(closed, next_quarter, model):
    count = model.objects.count()

    with pytest.raises(QuarterClosedError):
        model.objects.all().delete()

    assert model.objects.count() == count
    assert model.objects.filter(pk=next_quarter.rows[model].pk).exists()


def test_bulk_create_into_a_closed_quarter_is_refused(closed, area_b):
    intervention = InterventionFactory(area=closed.report.area)
    other_indicator = IndicatorFactory(intervention=closed.update.intervention)
    batches = [
        [AreaReport(area=area_b, period=closed.period)],
        [ProgressUpdate(intervention=intervention, period=closed.period, report=closed.report)],
        [IndicatorValue(update=closed.update, indicator=other_indicator, value=Decimal("1"))],
        [Escalation(report=closed.report, title="Nieuw", description="Te laat", kind="money")],
    ]
    for batch in batches:
        model = type(batch[0])
        count = model.objects.count()
        with pytest.raises(QuarterClosedError):
            model.objects.bulk_create(batch)
        with pytest.raises(QuarterClosedError), transaction.atomic():
            bulk_create_with_history(batch, model)
        assert model.objects.count() == count


# --- Escalations: the Rijk answers after the quarter closed -----------------------


def test_escalation_answer_may_follow_after_closing(closed):
    escalation = fresh(closed.escalation)
    escalation.status = Escalation.Status.RESOLVED
    escalation.answer = "Experimenteerruimte toegekend."
    escalation.answered_at = datetime.date(2027, 2, 1)

    escalation.full_clean()
    escalation.save()

    row = stored(escalation)
    assert (row["status"], row["answer"], row["answered_at"]) == (
        "resolved",
        "Experimenteerruimte toegekend.",
        datetime.date(2027, 2, 1),
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "Anders"), ("description", "Anders verwoord"), ("kind", "money")],
)
def test_what_the_area_raised_stays_as_it_was_after_closing(closed, field, value):
    escalation = fresh(closed.escalation)
    before = stored(escalation)
    escalation.answer = "Antwoord"
    setattr(escalation, field, value)

    with pytest.raises(QuarterClosedError):
        escalation.save()

    assert stored(escalation) == before


# --- Services ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "status"),
    [
        ("submit", AreaReport.Status.DRAFT),
        ("approve", AreaReport.Status.SUBMITTED),
        ("return", AreaReport.Status.SUBMITTED),
        ("reopen", AreaReport.Status.APPROVED),
    ],
)
def test_workflow_steps_are_refused_in_a_closed_quarter(period, area_a, coordinator, step, status):
    report = AreaReportFactory(area=area_a, period=period, status=status, overall_light="green")
    services.quarter_close(period=period, user=coordinator)

    with pytest.raises(QuarterClosedError):
        services.report_step(report=report, user=coordinator, step=step, comment="Omdat")

    assert stored(report)["status"] == status
    assert not report.transitions.exists()
    # Buttons are worked out from the report as a request loads it, quarter and all.
    assert services.allowed_report_steps(report=fresh(report), user=coordinator) == []


def test_reopened_quarter_accepts_changes_again(closed, coordinator):
    services.quarter_reopen(period=closed.period, user=coordinator, reason="Cijfers gecorrigeerd")

    report = fresh(closed.report)
    report.narrative = "Gecorrigeerd"
    report.overall_light = "amber"
    report.save()
    services.report_step(report=report, user=coordinator, step="submit")

    row = stored(report)
    assert (row["narrative"], row["status"]) == ("Gecorrigeerd", "submitted")


# --- Admin -------------------------------------------------------------------------


def test_closed_report_admin_page_is_read_only_and_refuses_a_post(closed, coordinator, client_for):
    client = client_for(coordinator)
    page = client.get(url(closed.report))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    before, update_before = stored(closed.report), stored(closed.update)

    response = client.post(url(closed.report), admin_form_data(page, narrative="Achteraf"))

    assert response.status_code in (200, 403)
    assert stored(closed.report) == before
    assert stored(closed.update) == update_before


def test_closed_update_admin_page_is_read_only_and_refuses_a_post(closed, coordinator, client_for):
    client = client_for(coordinator)
    page = client.get(url(closed.update))
    assert page.context["has_change_permission"] is False
    before, value_before = stored(closed.update), stored(closed.value)

    response = client.post(url(closed.update), admin_form_data(page, narrative="Achteraf"))

    assert response.status_code in (200, 403)
    assert stored(closed.update) == before
    assert stored(closed.value) == value_before


def test_admin_delete_action_on_closed_quarter_escalations_deletes_nothing(
    closed, next_quarter, coordinator, client_for
):
    client = client_for(coordinator)
    client.raise_request_exception = False  # whatever the page says, check the data
    selected = [closed.escalation.pk, next_quarter.escalation.pk]

    client.post(
        reverse("admin:reporting_escalation_changelist"),
        {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
    )

    assert Escalation.objects.filter(pk__in=selected).count() == 2


def test_admin_refuses_deleting_a_closed_quarter_escalation_cleanly(
    closed, coordinator, client_for
):
    client = client_for(coordinator)

    response = client.post(
        reverse("admin:reporting_escalation_changelist"),
        {"action": "delete_selected", "_selected_action": [closed.escalation.pk], "post": "yes"},
    )

    assert response.status_code in (200, 302, 403)
    assert Escalation.objects.filter(pk=closed.escalation.pk).exists()


def test_coordinator_may_still_record_the_answer_in_the_admin(closed, coordinator, client_for):
    client = client_for(coordinator)
    page = client.get(url(closed.escalation))
    data = admin_form_data(
        page, status="in_progress", answer="In behandeling bij BZK.", title="Anders"
    )

    response = client.post(url(closed.escalation), data)

    assert response.status_code == 302
    row = stored(closed.escalation)
    assert (row["status"], row["answer"], row["title"]) == (
        "in_progress",
        "In behandeling bij BZK.",
        "Regels knellen",
    )


# --- Liaisons: a submitted or approved report is read-only to them -----------------


@pytest.fixture
def report_with_update(period, area_a):
    def make(status):
        report = AreaReportFactory(area=area_a, period=period, status=status, narrative="Eerst")
        return report, ProgressUpdateFactory(report=report, narrative="Eerst")

    return make


def inline_prefix(page, model):
    return next(
        inline.formset.prefix
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is model
    )


@pytest.mark.parametrize("status", [AreaReport.Status.SUBMITTED, AreaReport.Status.APPROVED])
def test_liaison_cannot_change_a_submitted_or_approved_report(
    report_with_update, liaison_a, client_for, status
):
    report, update = report_with_update(status)
    client = client_for(liaison_a)

    page = client.get(url(report))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    client.post(url(report), admin_form_data(page, narrative="Later"))

    update_page = client.get(url(update))
    assert update_page.context["has_change_permission"] is False
    client.post(url(update), admin_form_data(update_page, narrative="Later"))

    assert stored(report)["narrative"] == "Eerst"
    assert stored(update)["narrative"] == "Eerst"


@pytest.mark.parametrize("status", [AreaReport.Status.SUBMITTED, AreaReport.Status.APPROVED])
def test_coordinator_may_still_change_a_submitted_or_approved_report(
    report_with_update, coordinator, client_for, status
):
    report, update = report_with_update(status)
    client = client_for(coordinator)

    page = client.get(url(report))
    assert page.context["has_change_permission"] is True
    response = client.post(url(report), admin_form_data(page, narrative="Aangevuld"))
    assert response.status_code == 302

    update_page = client.get(url(update))
    response = client.post(url(update), admin_form_data(update_page, narrative="Aangevuld"))
    assert response.status_code == 302

    assert stored(report)["narrative"] == "Aangevuld"
    assert stored(update)["narrative"] == "Aangevuld"


@pytest.mark.parametrize("status", [AreaReport.Status.DRAFT, AreaReport.Status.RETURNED])
def test_liaison_edits_a_draft_or_returned_report_and_its_updates(
    report_with_update, liaison_a, client_for, status
):
    report, update = report_with_update(status)
    client = client_for(liaison_a)
    page = client.get(url(report))
    assert page.context["has_change_permission"] is True
    prefix = inline_prefix(page, ProgressUpdate)

    response = client.post(
        url(report),
        admin_form_data(page, narrative="Bijgewerkt", **{f"{prefix}-0-narrative": "Verder"}),
    )

    assert response.status_code == 302
    assert stored(report)["narrative"] == "Bijgewerkt"
    assert stored(update)["narrative"] == "Verder"


# --- PostgreSQL: the database itself refuses ---------------------------------------


def raw(sql, *params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@postgresql_only
@pytest.mark.parametrize(
    ("sql", "row"),
    [
        ("UPDATE reporting_areareport SET narrative = 'x' WHERE id = %s", "report"),
        ("UPDATE reporting_progressupdate SET narrative = 'x' WHERE id = %s", "update"),
        ("UPDATE reporting_indicatorvalue SET value = 1 WHERE id = %s", "value"),
        ("DELETE FROM reporting_indicatorvalue WHERE id = %s", "value"),
        ("UPDATE reporting_escalation SET title = 'x' WHERE id = %s", "escalation"),
    ],
)
def test_raw_sql_cannot_change_a_closed_quarter(closed, sql, row):
    obj = getattr(closed, row)
    before = stored(obj)

    with pytest.raises(IntegrityError, match="quarter is closed"):
        raw(sql, obj.pk)

    assert stored(obj) == before


@postgresql_only
def test_raw_sql_cannot_insert_into_a_closed_quarter(closed):
    intervention = InterventionFactory(area=closed.report.area)

    with pytest.raises(IntegrityError, match="quarter is closed"):
        raw(
            "INSERT INTO reporting_progressupdate (intervention_id, period_id, report_id, "
            "light, narrative, results, risks, carried_over, version) "
            "VALUES (%s, %s, %s, '', '', '', '', false, 1)",
            intervention.pk,
            closed.period.pk,
            closed.report.pk,
        )

    assert not ProgressUpdate.objects.filter(intervention=intervention).exists()


@postgresql_only
def test_closing_one_quarter_leaves_others_open(period, track, area_a, coordinator):
    current = reported_quarter(period, area_a)
    # An earlier quarter whose id happens to equal its quarter number, as the first
    # quarter of a fresh database does.
    earlier = ReportingPeriodFactory(pk=1, programme=track.programme, year=2026, quarter=1)
    services.quarter_close(period=earlier, user=coordinator)

    raw("UPDATE reporting_areareport SET narrative = 'Bijgewerkt' WHERE id = %s", current.report.pk)

    assert stored(current.report)["narrative"] == "Bijgewerkt"


@postgresql_only
def test_raw_sql_may_record_the_rijks_answer_after_closing(closed):
    raw(
        "UPDATE reporting_escalation SET answer = 'Toegezegd', status = 'resolved' WHERE id = %s",
        closed.escalation.pk,
    )

    assert stored(closed.escalation)["answer"] == "Toegezegd"


@postgresql_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE reporting_reporttransition SET comment = 'herschreven' WHERE id = %s",
        "DELETE FROM reporting_reporttransition WHERE id = %s",
    ],
)
def test_raw_sql_cannot_rewrite_workflow_history_even_when_open(open_quarter, coordinator, sql):
    transition = ReportTransition.objects.create(
        report=open_quarter.report, actor=coordinator, from_status="draft", to_status="submitted"
    )
    before = stored(transition)

    with pytest.raises(IntegrityError, match="append-only"):
        raw(sql, transition.pk)

    assert stored(transition) == before


@postgresql_only
def test_raw_sql_works_again_after_the_quarter_is_reopened(closed, coordinator):
    services.quarter_reopen(period=closed.period, user=coordinator, reason="Correctie")

    raw(
        "UPDATE reporting_areareport SET narrative = 'Gecorrigeerd' WHERE id = %s", closed.report.pk
    )

    assert stored(closed.report)["narrative"] == "Gecorrigeerd"
