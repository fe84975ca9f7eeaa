"""The demo of `make run`: two years of history on the real areas, loaded once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import User
from areas.models import Area, AreaDocument, AreaStudy
from core.money import euro
from interventions.models import Indicator, Intervention, KnowledgeItem
from programme.models import ReportingPeriod
from reporting import demo
from reporting.models import AreaReport, Escalation, ProgressUpdate, ReportTransition
from reporting.selectors import quarter_figures

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            ReportingPeriod,
            AreaReport,
            ProgressUpdate,
            Escalation,
            ReportTransition,
            Intervention,
            User,
        )
    }


def load():
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_the_demo_is_two_years_of_reporting_and_loads_once(client):
    printed = load()
    assert "coordinator@demo.example" in printed and demo.DEMO_PASSWORD in printed

    quarters = list(ReportingPeriod.objects.order_by("year", "quarter"))
    assert [q.label for q in quarters] == [f"{y}-Q{q}" for y, q in demo.QUARTERS]
    *closed, current = quarters
    assert all(q.status == ReportingPeriod.Status.CLOSED for q in closed)
    assert current.status == ReportingPeriod.Status.OPEN
    # The programme running now, its work on the NPLV's lines of action.
    assert {q.programme.code for q in quarters} == {"nplv-2022"}
    assert set(Intervention.objects.values_list("track__kind", flat=True)) == {"actielijn"}
    assert Intervention.objects.values("track").distinct().count() == 4
    # The dossier: every area's Rijk contact and analysis, a covenant where the liaisons work.
    assert not Area.objects.filter(rijk_contact_name="").exists()
    assert (
        AreaStudy.objects.filter(kind="analysis", status="done").count()
        == Area.objects.filter(tracks__programme__code="nplv-2022").distinct().count()
    )
    covenant = AreaDocument.objects.get(area__code="rotterdam-zuid")
    assert covenant.file.read().startswith(b"%PDF-") and covenant.content_type == "application/pdf"
    assert KnowledgeItem.objects.filter(interventions__isnull=False).distinct().count() == 2
    # The closed quarters were reported in full and approved.
    assert not AreaReport.objects.filter(period__in=closed).exclude(status="approved").exists()
    assert not ProgressUpdate.objects.filter(period__in=closed, light="").exists()
    # The open one is half way: some reports in, the others still being written.
    statuses = set(current.reports.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "approved", "returned"}
    open_updates = ProgressUpdate.objects.filter(period=current)
    assert open_updates.filter(light="").exists() and open_updates.exclude(light="").exists()

    returned = ReportTransition.objects.get(report__period=current, to_status="returned")
    assert returned.comment and returned.report.status == AreaReport.Status.RETURNED
    answered = Escalation.objects.exclude(answer="")
    assert answered.filter(status__in=Escalation.FINISHED).exists()
    assert not answered.filter(answered_at__isnull=True).exists()

    # Lights change over time and money is spent as the work goes on.
    coordinator = User.objects.get(email="coordinator@demo.example")
    first, last = closed[0], closed[-1]
    green = {q: q.updates.filter(light="green").count() for q in (first, last)}
    assert green[last] > green[first]
    spent = {q: quarter_figures(user=coordinator, period=q).money_spent for q in (first, last)}
    assert 0 < spent[first] < spent[last]
    # Indicator values move towards their targets.
    for indicator in Indicator.objects.filter(values__update__period=first):
        values = list(
            indicator.values.order_by(
                "update__period__year", "update__period__quarter"
            ).values_list("value", flat=True)
        )
        start, end, target = values[0], values[-1], indicator.target_value
        assert abs(target - end) <= abs(target - start)
    for code, title in Intervention.objects.values_list("code", "title"):
        assert code.startswith("IV-DEMO") and title.endswith("(demo)")

    figures = quarter_figures(user=coordinator, period=current)
    assert figures.money_committed > 0 and figures.open_escalations > 0
    assert 0 < figures.reports_submitted < len(figures.per_area)
    client.force_login(coordinator)
    page = client.get(reverse("pages:dashboard"))
    assert page.status_code == 200
    assert euro(figures.money_spent) in page.content.decode()

    # A liaison sees the area's two years.
    liaison = User.objects.get(email="rotterdam@demo.example")
    area = liaison.area_memberships.get().area
    client.force_login(liaison)
    page = client.get(reverse("pages:area", args=[area.pk]))
    assert page.status_code == 200
    assert page.context["lights"]["table"]["rows"][0][0][0] == "2025-Q1"
    assert client.get(reverse("pages:my-quarter")).status_code == 200

    before = counts()
    printed = load()
    assert "already there" in printed and "coordinator@demo.example" in printed
    assert counts() == before


def test_the_demo_is_never_loaded_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        load()
    assert not ReportingPeriod.objects.exists()
