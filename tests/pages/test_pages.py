"""The pages: the programme dashboard, an area's page, "my quarter" and the sign-in page.

What a user sees on them, and what they must not see: a liaison only their own area,
in every row and every figure.
"""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from freezegun import freeze_time

from accounts import roles
from accounts.models import AreaMembership
from areas.models import AreaPartner, GovernanceArrangement, Neighbourhood, Partner
from core.money import euro
from interventions.models import FundingLine, Intervention
from reporting import services
from reporting.models import AreaReport, Escalation, ExportJob, Light, ProgressUpdate
from tests import factories
from tests.pages.html import parse

PASSWORD = "test-wachtwoord-123"  # the factories' password
DEADLINE = datetime.date(2027, 1, 15)
DASHBOARD = reverse("pages:dashboard")
MY_QUARTER = reverse("pages:my-quarter")
LOGIN = reverse("login")


def nl(text):
    """The Dutch text the pages show for ``text``."""
    with translation.override("nl"):
        return gettext(text)


def nl_label(choice):
    with translation.override("nl"):
        return str(choice.label)


def area_url(area):
    return reverse("pages:area", args=[area.pk])


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return parse(response.content)


def section(doc, title_id):
    return doc.one("section", aria_labelledby=title_id)


def key_figures(doc):
    figures_list = doc.one("dl", class_="figures")
    return {item.one("dt").text: item.one("dd").text for item in figures_list.find_all("div")}


def rows(table_section):
    """The rows of the section's table body: the texts of their cells."""
    body = table_section.one("tbody")
    return [
        [cell.text for cell in tr.iter() if cell.tag in ("th", "td")] for tr in body.find_all("tr")
    ]


def area_rows(doc):
    """The dashboard's areas table, keyed by area name."""
    areas = section(doc, "areas-title")
    return {row[0]: row for row in rows(areas)} if areas.find("table") else {}


def set_update(period, intervention, light="", spent=None):
    update = ProgressUpdate.objects.get(period=period, intervention=intervention)
    update.light = light
    update.money_spent_to_date = Decimal(spent) if spent is not None else None
    update.save()
    return update


def open_quarter(coordinator, programme, year=2026, quarter=4, deadline=DEADLINE):
    return services.quarter_open(
        programme=programme, year=year, quarter=quarter, deadline=deadline, user=coordinator
    )


# --- the data --------------------------------------------------------------------------


@pytest.fixture
def track_2(track):
    return factories.TrackFactory(programme=track.programme, number=2, name="Pilots")


@pytest.fixture
def quarter(coordinator, track, track_2, area_a, area_b):
    """2026-Q4, open: area A with three interventions (one on track 2), area B with one;
    lights, money and escalations in every state."""
    area_a.tracks.add(track_2)
    themes = {
        name: factories.ThemeFactory(name_nl=name, name_en=f"{name} (en)")
        for name in ("Thema Onderwijs A", "Thema Werk A", "Thema Pilots A", "Thema Wonen B")
    }
    a1 = factories.InterventionFactory(
        area=area_a, title="Buurtcoaches A", themes=[themes["Thema Onderwijs A"]]
    )
    a2 = factories.InterventionFactory(
        area=area_a, title="Schoolmaatschappelijk werk A", themes=[themes["Thema Werk A"]]
    )
    a3 = factories.InterventionFactory(
        area=area_a, track=track_2, title="Pilot wijkagent A", themes=[themes["Thema Pilots A"]]
    )
    b1 = factories.InterventionFactory(
        area=area_b, title="Jongerenwerk B", themes=[themes["Thema Wonen B"]]
    )
    factories.FundingLineFactory(intervention=a1, amount=Decimal("125000.00"))
    factories.FundingLineFactory(
        intervention=a2, amount=Decimal("2500.50"), source=FundingLine.Source.MUNICIPALITY
    )
    factories.FundingLineFactory(intervention=a3, amount=Decimal("7000.00"))
    factories.FundingLineFactory(
        intervention=b1, amount=Decimal("40004.00"), source=FundingLine.Source.HOUSING
    )
    period = open_quarter(coordinator, track.programme)
    set_update(period, a1, Light.GREEN, "30000.00")
    set_update(period, a2, Light.AMBER, "1000.25")
    set_update(period, b1, Light.RED, "5000.00")
    report_a = AreaReport.objects.get(period=period, area=area_a)
    report_b = AreaReport.objects.get(period=period, area=area_b)
    report_b.overall_light = Light.RED
    report_b.save()
    for title, status in [
        ("Knelpunt open A", Escalation.Status.OPEN),
        ("Knelpunt in behandeling A", Escalation.Status.IN_PROGRESS),
        ("Knelpunt opgelost A", Escalation.Status.RESOLVED),
        ("Knelpunt afgewezen A", Escalation.Status.DECLINED),
    ]:
        factories.EscalationFactory(report=report_a, title=title, status=status)
    factories.EscalationFactory(report=report_b, title="Knelpunt jeugdhulp B")
    period.intervention_of = {"a1": a1, "a2": a2, "a3": a3, "b1": b1}
    period.report_of = {"a": report_a, "b": report_b}
    return period


# --- 1. signing in ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dashboard", "area", "my-quarter"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, area_a, name):
    url = area_url(area_a) if name == "area" else reverse(f"pages:{name}")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={url}"
    assert "Gebied A" not in response.content.decode()


def test_the_login_page_keeps_the_dashboard_choice(client, track):
    response = client.get(DASHBOARD, {"track": track.pk})
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/%3Ftrack%3D{track.pk}"


def test_the_login_page_signs_in_and_lands_on_the_dashboard(client, liaison_a, quarter):
    doc = page(client, LOGIN)
    form = doc.one("form", method="post", action=LOGIN)
    assert form.one("input", name="username", type="email")
    assert form.one("input", name="password", type="password")

    response = client.post(LOGIN, {"username": liaison_a.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == DASHBOARD
    doc = page(client, response.url)
    assert quarter.label in doc.one("h1").text
    assert "Gebied A" in doc.one("main").text


def test_after_login_the_page_asked_for_opens(client, liaison_a, area_a):
    url = area_url(area_a)
    login_url = client.get(url).url
    doc = page(client, login_url)
    assert doc.one("main").one("input", type="hidden", name="next").get("value") == url
    response = client.post(LOGIN, {"username": liaison_a.email, "password": PASSWORD, "next": url})
    assert response.status_code == 302 and response.url == url
    assert page(client, url).one("h1").text == "Gebied A"


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(client, liaison_a):
    response = client.post(LOGIN, {"username": liaison_a.email, "password": "fout"})
    assert response.status_code == 200
    doc = parse(response.content)
    assert doc.one("div", role="alert")
    assert doc.one("input", name="username").get("value") == liaison_a.email
    assert "_auth_user_id" not in client.session
    assert client.get(DASHBOARD).status_code == 302


# --- 2. scope --------------------------------------------------------------------------


def test_a_liaison_dashboard_shows_only_their_own_area(client_for, liaison_a, quarter, area_a):
    client = client_for(liaison_a)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    content = response.content.decode()
    for hidden in (
        "Gebied B",
        "Jongerenwerk B",
        "Thema Wonen B",
        "Knelpunt jeugdhulp B",
        "40.004",
        area_url(quarter.report_of["b"].area),
    ):
        assert hidden not in content, hidden

    doc = parse(content)
    table = area_rows(doc)
    assert list(table) == ["Gebied A"]
    figures_shown = key_figures(doc)
    a_interventions = Intervention.objects.filter(area=area_a)
    committed_a = FundingLine.objects.filter(intervention__area=area_a).aggregate(
        total=Sum("amount")
    )["total"]
    spent_a = ProgressUpdate.objects.filter(period=quarter, intervention__area=area_a).aggregate(
        total=Sum("money_spent_to_date")
    )["total"]
    assert committed_a == Decimal("134500.50")
    assert figures_shown[nl("Areas")] == "1"
    assert (
        figures_shown[nl("Interventions")] == str(a_interventions.count()) == table["Gebied A"][3]
    )
    assert figures_shown[nl("Money committed")] == euro(committed_a)
    assert figures_shown[nl("Money spent so far")] == euro(spent_a)
    assert figures_shown[nl("Open escalations")] == "2" == table["Gebied A"][6]
    # The row's money is the same sum, in the table's notation.
    assert table["Gebied A"][4] == euro(committed_a).removeprefix("€ ")
    assert table["Gebied A"][5] == euro(spent_a).removeprefix("€ ")
    lights = {
        nl_label(light): figures_shown[nl("Updates: %(light)s") % {"light": nl_label(light)}]
        for light in Light
    }
    assert lights == {
        nl_label(Light.GREEN): "1",
        nl_label(Light.AMBER): "1",
        nl_label(Light.RED): "0",
    }


def test_programme_wide_work_is_counted_apart_from_the_areas(
    client_for, liaison_a, coordinator, quarter, track
):
    programme_wide = factories.InterventionFactory(area=None, track=track, title="Kennisnetwerk")
    factories.FundingLineFactory(intervention=programme_wide, amount=Decimal("900.00"))
    for user in (liaison_a, coordinator):
        doc = page(client_for(user), DASHBOARD)
        table = area_rows(doc)
        shown = key_figures(doc)
        in_areas = sum(int(row[3]) for row in table.values())
        assert shown[nl("Programme-wide interventions")] == "1"
        assert shown[nl("Money committed programme-wide")] == euro(Decimal("900.00"))
        assert int(shown[nl("Interventions")]) == in_areas + 1
        committed_in_areas = FundingLine.objects.filter(
            intervention__area__name__in=list(table)
        ).aggregate(total=Sum("amount"))["total"]
        assert shown[nl("Money committed")] == euro(committed_in_areas + Decimal("900.00"))
    assert list(table) == ["Gebied A", "Gebied B"]  # the coordinator's


def test_a_liaison_gets_the_same_404_for_another_area_as_for_no_area(
    client_for, liaison_a, area_b, quarter
):
    client = client_for(liaison_a)
    other = client.get(area_url(area_b))
    missing_pk = area_b.pk + 1000
    missing = client.get(reverse("pages:area", args=[missing_pk]))
    assert other.status_code == missing.status_code == 404
    assert "Gebied B" not in other.content.decode()
    assert other.content == missing.content
    assert other.headers["Content-Type"] == missing.headers["Content-Type"]


@pytest.mark.parametrize("pk", ["0", "99999999999999999999"])
def test_an_area_id_out_of_range_is_not_found(client_for, liaison_a, pk):
    response = client_for(liaison_a).get(f"/gebieden/{pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["viewer", "coordinator"])
def test_viewers_and_coordinators_see_both_areas(
    personas, client_for, persona, quarter, area_a, area_b
):
    client = client_for(personas[persona])
    doc = page(client, DASHBOARD)
    assert list(area_rows(doc)) == ["Gebied A", "Gebied B"]
    assert key_figures(doc)[nl("Areas")] == "2"
    assert key_figures(doc)[nl("Money committed")] == euro(
        FundingLine.objects.aggregate(total=Sum("amount"))["total"]
    )
    for area in (area_a, area_b):
        assert page(client, area_url(area)).one("h1").text == area.name


def test_my_quarter_for_a_liaison_shows_only_their_report(client_for, liaison_a, quarter):
    client = client_for(liaison_a)
    response = client.get(MY_QUARTER)
    content = response.content.decode()
    assert "Gebied B" not in content and "Jongerenwerk B" not in content
    main = parse(content).one("main")
    cards = main.find_all("section", class_="report-card")
    assert [card.one("h2").text for card in cards] == [f"Gebied A: {quarter.label}"]
    assert quarter.intervention_of["a3"].code in cards[0].text


def test_a_coordinator_without_areas_is_told_there_is_nothing_to_report(
    client_for, coordinator, quarter
):
    main = page(client_for(coordinator), MY_QUARTER).one("main")
    assert main.find_all("section", class_="report-card") == []
    assert main.find_all("table") == []
    # A message and the way to the dashboard, nothing else.
    assert [a.get("href") for a in main.find_all("a")] == [DASHBOARD]
    assert len(main.find_all("p")) == 2 and all(p.text for p in main.find_all("p"))


# --- 3. dashboard content --------------------------------------------------------------


def late_areas(doc):
    late = section(doc, "late-title")
    return [link.text for link in late.find_all("a")]


def late_marks(doc):
    return {
        name: bool(tr.find("strong", class_="late"))
        for tr in section(doc, "areas-title").one("tbody").find_all("tr")
        for name in [tr.find("th").text]
    }


def test_reports_are_late_only_after_the_deadline(client, coordinator, quarter):
    report_b = quarter.report_of["b"]
    services.report_step(report=report_b, user=coordinator, step="submit")

    with freeze_time("2027-01-15 20:00"):  # the deadline itself, Amsterdam time
        client.force_login(coordinator)
        doc = page(client, DASHBOARD)
        assert late_areas(doc) == []
        assert late_marks(doc) == {"Gebied A": False, "Gebied B": False}

    with freeze_time("2027-01-15 23:30"):  # already 16 January in Amsterdam
        client.force_login(coordinator)
        assert late_areas(page(client, DASHBOARD)) == ["Gebied A"]

    with freeze_time("2027-01-16 09:00"):
        client.force_login(coordinator)
        doc = page(client, DASHBOARD)
        assert late_areas(doc) == ["Gebied A"]  # B has submitted
        assert late_marks(doc) == {"Gebied A": True, "Gebied B": False}
        assert section(doc, "late-title").one("a").get("href") == area_url(
            quarter.report_of["a"].area
        )


def test_open_escalations_are_listed_and_finished_ones_not(client_for, coordinator, quarter):
    doc = page(client_for(coordinator), DASHBOARD)
    escalations = section(doc, "escalations-title")
    listed = [row[1] for row in rows(escalations)]
    assert sorted(listed) == [
        "Knelpunt in behandeling A",
        "Knelpunt jeugdhulp B",
        "Knelpunt open A",
    ]
    assert "Knelpunt opgelost A" not in doc.text
    assert "Knelpunt afgewezen A" not in doc.text
    assert key_figures(doc)[nl("Open escalations")] == "3"


def test_the_track_filter_narrows_to_that_tracks_interventions(
    client_for, coordinator, quarter, track_2
):
    client = client_for(coordinator)
    doc = page(client, DASHBOARD, track=track_2.pk)
    assert doc.find("div", role="alert") is None
    assert doc.one("select", name="track").one("option", selected=True).get("value") == str(
        track_2.pk
    )
    assert list(area_rows(doc)) == ["Gebied A"]  # B does not take part in track 2
    assert area_rows(doc)["Gebied A"][3] == "1"
    shown = key_figures(doc)
    assert shown[nl("Interventions")] == "1"
    assert shown[nl("Money committed")] == euro(Decimal("7000.00"))
    text = doc.one("main").text
    assert "Thema Pilots A" in text
    for other in ("Thema Onderwijs A", "Thema Werk A", "Thema Wonen B", "Knelpunt jeugdhulp B"):
        assert other not in text, other

    everything = key_figures(page(client, DASHBOARD))
    assert everything[nl("Interventions")] == "4"


@pytest.mark.parametrize(
    "params",
    [
        {"quarter": "999999"},
        {"quarter": "abc"},
        {"track": "abc"},
        {"track": "999999"},
        {"programme": "x"},
        {"programme": "999999"},
        {"quarter": "99999999999999999999"},
        {"track": "99999999999999999999"},
        {"programme": "99999999999999999999"},
        {"quarter": "\x00"},
        {"programme": "-1", "quarter": "1.5", "track": "<b>"},
        {"quarter": "other-programme"},
        {"track": "other-programme"},
    ],
    ids=lambda params: "&".join(f"{k}={v!r}" for k, v in params.items()),
)
def test_a_choice_that_does_not_fit_shows_an_error_and_the_current_quarter(
    client_for, coordinator, quarter, params
):
    other_period = factories.ReportingPeriodFactory(
        year=2026, quarter=3, deadline=datetime.date(2026, 10, 15)
    )
    other_track = factories.TrackFactory(programme=other_period.programme)
    params = {
        name: {"quarter": other_period.pk, "track": other_track.pk}[name]
        if value == "other-programme"
        else value
        for name, value in params.items()
    }
    response = client_for(coordinator).get(DASHBOARD, params)
    assert response.status_code == 200
    doc = parse(response.content)
    alert = doc.one("div", role="alert")
    assert alert.find("li"), "the error says which field"
    assert doc.one("h1").text.endswith(quarter.label)
    assert list(area_rows(doc)) == ["Gebied A", "Gebied B"]
    assert key_figures(doc)[nl("Interventions")] == "4"


def test_another_quarter_of_the_programme_can_be_chosen(client_for, coordinator, quarter, track):
    earlier = factories.ReportingPeriodFactory(
        programme=track.programme, year=2026, quarter=3, deadline=datetime.date(2026, 10, 15)
    )
    doc = page(client_for(coordinator), DASHBOARD, quarter=earlier.pk)
    assert doc.find("div", role="alert") is None
    assert doc.one("h1").text.endswith(earlier.label)
    assert area_rows(doc) == {}  # no area reported in it


def test_another_programme_can_be_chosen(client_for, coordinator, quarter):
    other = factories.ReportingPeriodFactory(
        year=2026, quarter=3, deadline=datetime.date(2026, 10, 15)
    )
    other_area = factories.AreaFactory(
        name="Gebied van het andere programma",
        tracks=[factories.TrackFactory(programme=other.programme)],
    )
    factories.AreaReportFactory(area=other_area, period=other)
    client = client_for(coordinator)
    default = page(client, DASHBOARD)
    assert default.one("h1").text.endswith(quarter.label)  # the latest open quarter's
    options = {o.get("value") for o in default.one("select", name="programme").find_all("option")}
    assert options == {str(quarter.programme_id), str(other.programme_id)}

    doc = page(client, DASHBOARD, programme=other.programme_id)
    assert doc.find("div", role="alert") is None
    assert doc.one("h1").text.endswith(other.label)
    assert list(area_rows(doc)) == ["Gebied van het andere programma"]


def test_a_programme_without_quarters_shows_a_message_not_an_error(client_for, coordinator, track):
    response = client_for(coordinator).get(DASHBOARD)
    assert response.status_code == 200
    doc = parse(response.content)
    assert doc.find("svg") is None
    assert doc.find("section", aria_labelledby="exports-title") is None
    assert nl("This programme has no quarters yet.") in doc.one("main").text


def test_a_register_without_any_programme_shows_the_dashboard(client_for, coordinator):
    response = client_for(coordinator).get(DASHBOARD)
    assert response.status_code == 200
    doc = parse(response.content)
    assert doc.find("svg") is None
    assert doc.one("main").one("form", method="get")


def test_hostile_names_are_shown_as_text(client_for, coordinator, track, area_a):
    hostile = '<script>alert("x")</script>'
    area = factories.AreaFactory(name=f"Gebied {hostile}", tracks=[track])
    factories.InterventionFactory(area=area, title=hostile)
    period = open_quarter(coordinator, track.programme)
    factories.EscalationFactory(
        report=AreaReport.objects.get(area=area, period=period), title=hostile
    )
    client = client_for(coordinator)
    for url in (DASHBOARD, area_url(area)):
        content = client.get(url).content.decode()
        assert "<script" not in content
        assert "&lt;script&gt;" in content
    assert f"Gebied {hostile}" in area_rows(page(client, DASHBOARD))


@pytest.mark.parametrize(("name", "number"), [("dashboard", 5), ("area", 1)])
def test_every_chart_is_an_svg_image_followed_by_its_data_table(
    client_for, coordinator, quarter, area_a, name, number
):
    url = area_url(area_a) if name == "area" else DASHBOARD
    doc = page(client_for(coordinator), url)
    charts = doc.find_all("figure", class_="chart")
    svgs = doc.find_all("svg")
    assert len(charts) == len(svgs) == number
    for chart in charts:
        order = [element for element in chart.iter() if element.tag in ("svg", "table")]
        assert [element.tag for element in order] == ["svg", "table"]
        svg, table = order
        assert svg.get("role") == "img"
        title_id, desc_id = svg.get("aria-labelledby").split()
        assert svg.one("title", id=title_id).text
        assert svg.one("desc", id=desc_id).text
        assert table.one("caption").text
        assert table.find_all("th", scope="col")
        assert table.one("tbody").find_all("tr")


def test_the_lights_chart_table_counts_the_lights_per_area(client_for, liaison_a, quarter):
    doc = page(client_for(liaison_a), DASHBOARD)
    title = nl("Lights of the interventions per area")
    chart = next(c for c in doc.find_all("figure", class_="chart") if c.one("h3").text == title)
    body_rows = [
        [cell.text for cell in tr.iter() if cell.tag in ("th", "td")]
        for tr in chart.one("tbody").find_all("tr")
    ]
    assert body_rows == [["Gebied A", "1", "1", "0", nl("not given")]]


@pytest.mark.parametrize("persona", ["coordinator", "viewer", "liaison_a"])
def test_export_links_for_staff_who_may_view_quarters(personas, client_for, persona, quarter):
    doc = page(client_for(personas[persona]), DASHBOARD)
    links = {a.get("href") for a in section(doc, "exports-title").find_all("a")}
    assert links == {
        reverse("admin:programme_reportingperiod_export", args=[quarter.pk, fmt])
        for fmt in ("xlsx", "csv", "pdf")
    }


def test_the_export_links_work_for_whom_they_are_shown(
    client_for, liaison_a, quarter, django_capture_on_commit_callbacks
):
    client = client_for(liaison_a)
    doc = page(client, DASHBOARD)
    csv = next(a for a in section(doc, "exports-title").find_all("a") if "/csv/" in a.get("href"))
    # The whole quarter is made in the background: the link asks to start it.
    page(client, csv.get("href"))
    assert not ExportJob.objects.exists()  # a GET starts nothing
    with django_capture_on_commit_callbacks(execute=True):
        job_page = client.post(csv.get("href"))
    doc = page(client, job_page.url)
    download = doc.one("a", download=True)
    response = client.get(download.get("href"))
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]


@pytest.mark.parametrize("kind", ["viewer without the admin", "staff without quarters"])
def test_no_export_links_for_others(client_for, quarter, kind):
    if kind == "viewer without the admin":
        user = factories.UserFactory(email="extern@example.org", is_staff=False)
        user.groups.add(Group.objects.get(name=roles.VIEWER))
    else:
        user = factories.UserFactory(email="geen-rol@example.org", is_staff=True)
    doc = page(client_for(user), DASHBOARD)
    assert doc.one("h1").text.endswith(quarter.label)
    assert doc.find("section", aria_labelledby="exports-title") is None
    assert not [a for a in doc.find_all("a") if "/export/" in a.get("href", "")]
    if kind == "viewer without the admin":
        assert list(area_rows(doc)) == ["Gebied A", "Gebied B"]
        assert not [a for a in doc.find_all("a") if a.get("href", "").startswith("/admin/")]


# --- 4. area page ----------------------------------------------------------------------


@pytest.fixture
def two_quarters(coordinator, track, area_a, area_b):
    """Area A with a partner, governance, a neighbourhood, and interventions whose
    lights were given in 2026-Q3 and 2026-Q4; escalations with and without an answer."""
    a1 = factories.InterventionFactory(area=area_a, title="Buurtcoaches A")
    a2 = factories.InterventionFactory(area=area_a, title="Huiswerkklas A")
    a3 = factories.InterventionFactory(
        area=area_a, title="Nog te starten A", status=Intervention.Status.PREPARING
    )
    b1 = factories.InterventionFactory(area=area_b, title="Jongerenwerk B")
    q3 = open_quarter(coordinator, track.programme, 2026, 3, datetime.date(2026, 10, 15))
    set_update(q3, a1, Light.RED)
    set_update(q3, a2, Light.AMBER)
    set_update(q3, b1, Light.GREEN)
    q4 = open_quarter(coordinator, track.programme)
    set_update(q4, a1, Light.GREEN)  # a2 has no light yet in Q4: Q3's stands
    report_q3 = AreaReport.objects.get(area=area_a, period=q3)
    report_q4 = AreaReport.objects.get(area=area_a, period=q4)
    factories.EscalationFactory(
        report=report_q3,
        title="Regels schuldhulp knellen",
        status=Escalation.Status.RESOLVED,
        answer="Het Rijk past de regeling per 1 januari aan.",
        answered_at=datetime.date(2026, 11, 2),
    )
    factories.EscalationFactory(report=report_q4, title="Te weinig handen in de wijk")
    factories.EscalationFactory(
        report=AreaReport.objects.get(area=area_b, period=q4), title="Knelpunt jeugdhulp B"
    )
    factories.AreaPartnerFactory(
        area=area_a,
        partner=factories.PartnerFactory(name="Stichting Welzijn Oost"),
        role=AreaPartner.Role.LEAD,
        role_description="trekt de aanpak",
    )
    factories.AreaPartnerFactory(
        area=area_a,
        partner=factories.PartnerFactory(name="Woonstad Oost"),
        role=AreaPartner.Role.FUNDING,
    )
    factories.AreaPartnerFactory(
        area=area_b, partner=factories.PartnerFactory(name="Partner van B")
    )
    factories.GovernanceArrangementFactory(
        area=area_a,
        kind=GovernanceArrangement.Kind.REGIO_DEAL,
        name="Regio Deal-tafel Oost",
        chair="de burgemeester",
        regio_deal=factories.RegioDealFactory(name="Regio Deal Oost"),
    )
    factories.GovernanceArrangementFactory(area=area_b, name="Stuurgroep B")
    factories.NeighbourhoodFactory(
        area=area_a,
        name="Schilderswijk",
        kind=Neighbourhood.Kind.WIJK,
        cbs_code="WK051828",
        cbs_year=2024,
    )
    factories.NeighbourhoodFactory(area=area_b, name="Wijk van B")
    return {"q3": q3, "q4": q4, "a1": a1, "a2": a2, "a3": a3, "b1": b1}


def test_the_area_page_shows_partners_with_their_roles(client_for, liaison_a, area_a, two_quarters):
    doc = page(client_for(liaison_a), area_url(area_a))
    welfare = nl_label(Partner.Kind.WELFARE)
    assert {row[0]: row[1:] for row in rows(section(doc, "partners-title"))} == {
        "Stichting Welzijn Oost": [
            welfare,
            f"{nl_label(AreaPartner.Role.LEAD)}: trekt de aanpak",
            "–",
        ],
        "Woonstad Oost": [welfare, nl_label(AreaPartner.Role.FUNDING), "–"],
    }


def test_the_area_page_shows_governance_and_neighbourhoods(
    client_for, liaison_a, area_a, two_quarters
):
    doc = page(client_for(liaison_a), area_url(area_a))
    assert rows(section(doc, "governance-title")) == [
        [
            "Regio Deal-tafel Oost",
            nl_label(GovernanceArrangement.Kind.REGIO_DEAL),
            "de burgemeester",
            "Regio Deal Oost",
        ]
    ]
    neighbourhoods = section(doc, "neighbourhoods-title").find_all("li")
    assert [li.text for li in neighbourhoods] == [
        f"Schilderswijk ({nl_label(Neighbourhood.Kind.WIJK)}, WK051828)"
    ]
    content = doc.one("main").text
    for hidden in ("Gebied B", "Partner van B", "Stuurgroep B", "Wijk van B", "Jongerenwerk B"):
        assert hidden not in content


def test_the_area_page_shows_each_interventions_latest_light(
    client_for, liaison_a, area_a, two_quarters
):
    doc = page(client_for(liaison_a), area_url(area_a))
    table = section(doc, "interventions-title").one("tbody")
    shown = {}
    for tr in table.find_all("tr"):
        light = tr.one("span", class_="light")
        shown[tr.one("th").text] = (
            (light.classes - {"light"}).pop(),
            tr.find_all("td")[-1].text,
        )
    a1, a2, a3 = two_quarters["a1"], two_quarters["a2"], two_quarters["a3"]
    assert shown == {
        a1.code: ("green", f"{nl_label(Light.GREEN)} (2026-Q4)"),
        a2.code: ("amber", f"{nl_label(Light.AMBER)} (2026-Q3)"),
        a3.code: ("none", nl("not given")),
    }
    titles = [tr.find_all("td")[0].text for tr in table.find_all("tr")]
    assert sorted(titles) == ["Buurtcoaches A", "Huiswerkklas A", "Nog te starten A"]


def test_the_area_page_shows_its_interventions_a_page_at_a_time(client_for, liaison_a, area_a):
    from reporting.pages import INTERVENTIONS_PER_PAGE

    codes = sorted(
        factories.InterventionFactory(area=area_a).code for _ in range(INTERVENTIONS_PER_PAGE + 3)
    )
    client = client_for(liaison_a)

    def shown(query=""):
        doc = page(client, area_url(area_a) + query)
        return [
            tr.one("th").text
            for tr in section(doc, "interventions-title").one("tbody").find_all("tr")
        ]

    first, second = shown(), shown("?pagina=2")
    assert first + second == codes
    assert len(second) == 3
    assert shown("?pagina=99") == second  # past the end: the last page
    assert shown("?pagina=abc") == first  # nonsense: the first page


def test_the_area_page_shows_escalations_with_the_answers(
    client_for, liaison_a, area_a, two_quarters
):
    doc = page(client_for(liaison_a), area_url(area_a))
    articles = section(doc, "escalations-title").find_all("article", class_="escalation")
    by_title = {article.one("h3").text: article for article in articles}
    assert set(by_title) == {
        "Te weinig handen in de wijk (2026-Q4)",
        "Regels schuldhulp knellen (2026-Q3)",
    }
    answered = by_title["Regels schuldhulp knellen (2026-Q3)"]
    answer = answered.one("div", class_="answer")
    assert "Het Rijk past de regeling per 1 januari aan." in answer.text
    assert "2 november 2026" in answer.one("h4").text
    assert nl_label(Escalation.Status.RESOLVED) in answered.one("p", class_="meta").text
    assert by_title["Te weinig handen in de wijk (2026-Q4)"].find("div", class_="answer") is None
    # Newest quarter first.
    assert [article.one("h3").text for article in articles][0].endswith("(2026-Q4)")


def test_the_area_page_shows_the_lights_over_the_quarters(
    client_for, liaison_a, area_a, two_quarters
):
    doc = page(client_for(liaison_a), area_url(area_a))
    lights = section(doc, "lights-title")
    assert lights.one("svg").get("role") == "img"
    assert rows(lights) == [
        ["2026-Q3", nl_label(AreaReport.Status.DRAFT), nl("not given"), "0", "1", "1"],
        ["2026-Q4", nl_label(AreaReport.Status.DRAFT), nl("not given"), "1", "0", "0"],
    ]


def test_the_edit_link_is_for_those_who_may_change_the_area(
    personas, client_for, area_a, two_quarters
):
    edit = reverse("admin:areas_area_change", args=[area_a.pk])
    for persona, shown in [("coordinator", True), ("liaison_a", True), ("viewer", False)]:
        doc = page(client_for(personas[persona]), area_url(area_a))
        assert bool(doc.find("a", href=edit)) is shown, persona


# --- 5. my quarter ---------------------------------------------------------------------


def to_do_rows(doc):
    """Per intervention code on my quarter: the link of its row."""
    found = {}
    for card in doc.find_all("section", class_="report-card"):
        table = card.find("tbody")
        for tr in table.find_all("tr") if table else []:
            code = tr.one("th").text.split()[0]
            link = tr.find("a")
            found[code] = link.get("href") if link else None
    return found


def test_my_quarter_lists_the_updates_that_need_work(client_for, liaison_a, quarter, area_a):
    a1, a2, a3 = (quarter.intervention_of[key] for key in ("a1", "a2", "a3"))
    # An intervention started after the quarter opened got its update, without a light yet.
    late_starter = factories.InterventionFactory(area=area_a, title="Later gestart A")
    # One made running by a bulk write (no save reaches reporting) has no update yet.
    bulk = factories.InterventionFactory(
        area=area_a, title="In bulk gestart A", status=Intervention.Status.PREPARING
    )
    QuerySet.update(Intervention.objects.filter(pk=bulk.pk), status=Intervention.Status.RUNNING)
    factories.InterventionFactory(
        area=area_a, title="Gepland A", status=Intervention.Status.PREPARING
    )
    # An update that was carried over and not checked since.
    carried = ProgressUpdate.objects.get(period=quarter, intervention=a2)
    QuerySet.update(ProgressUpdate.objects.filter(pk=carried.pk), carried_over=True)

    client = client_for(liaison_a)
    doc = page(client, MY_QUARTER)
    update_a3 = ProgressUpdate.objects.get(period=quarter, intervention=a3)
    update_late = ProgressUpdate.objects.get(period=quarter, intervention=late_starter)
    report_a = quarter.report_of["a"]
    assert to_do_rows(doc) == {
        a2.code: reverse("admin:reporting_progressupdate_change", args=[carried.pk]),
        a3.code: reverse("admin:reporting_progressupdate_change", args=[update_a3.pk]),
        late_starter.code: reverse("admin:reporting_progressupdate_change", args=[update_late.pk]),
        bulk.code: reverse("admin:reporting_areareport_change", args=[report_a.pk]),
    }
    assert a1.code not in doc.one("main").text  # it has its light
    facts = doc.one("section", class_="report-card").one("dl").find_all("dd")
    assert nl("%(done)s of %(total)s") % {"done": 1, "total": 5} in [dd.text for dd in facts]

    # Filling in the light takes it off the list.
    set_update(quarter, a3, Light.GREEN)
    update = ProgressUpdate.objects.get(period=quarter, intervention=a2)
    update.light = Light.RED  # checked and changed
    update.save()
    assert update.carried_over is False
    rows_left = to_do_rows(page(client, MY_QUARTER))
    assert set(rows_left) == {late_starter.code, bulk.code}


def test_my_quarter_links_to_the_report_and_its_submit_step(client_for, liaison_a, quarter, area_a):
    report_a = quarter.report_of["a"]
    client = client_for(liaison_a)
    card = page(client, MY_QUARTER).one("section", class_="report-card")
    links = [a.get("href") for a in card.find_all("a", class_="button")]
    submit = (
        reverse("admin:reporting_areareport_step", args=[report_a.pk, "submit"])
        + "?next="
        + MY_QUARTER.replace("/", "%2F")
    )
    assert links == [reverse("admin:reporting_areareport_change", args=[report_a.pk]), submit]

    set_update(quarter, quarter.intervention_of["a3"], Light.GREEN)
    report_a.refresh_from_db()
    report_a.overall_light = Light.GREEN
    report_a.save()
    services.report_step(report=report_a, user=liaison_a, step="submit")

    card = page(client, MY_QUARTER).one("section", class_="report-card")
    links = [a.get("href") for a in card.find_all("a", class_="button")]
    assert links == [reverse("admin:reporting_areareport_change", args=[report_a.pk])]
    assert "/step/" not in card.text and not card.find_all("a", href=submit)
    assert card.find("tbody") is None  # nothing left to do


def test_my_quarter_without_the_admin_shows_no_form_links(client_for, quarter, area_a):
    user = factories.UserFactory(email="lezer-a@example.org", is_staff=False)
    user.groups.add(Group.objects.get(name=roles.LIAISON))
    AreaMembership.objects.create(user=user, area=area_a)
    main = page(client_for(user), MY_QUARTER).one("main")
    card = main.one("section", class_="report-card")
    assert card.one("tbody").find_all("tr")  # the work is listed
    assert not [a for a in main.find_all("a") if "/admin/" in a.get("href", "")]


def test_my_quarter_when_no_quarter_is_open(client_for, liaison_a, coordinator, quarter):
    services.quarter_close(period=quarter, user=coordinator)
    main = page(client_for(liaison_a), MY_QUARTER).one("main")
    assert main.find_all("section", class_="report-card") == []
    assert (
        nl("No quarter is open for your areas. You will get an e-mail when the next one opens.")
        in main.text
    )


def test_my_quarter_shows_late_reports_as_late(client, liaison_a, quarter):
    with freeze_time("2027-01-10 09:00"):
        client.force_login(liaison_a)
        card = page(client, MY_QUARTER).one("section", class_="report-card")
        assert card.find("strong", class_="late") is None
    with freeze_time("2027-01-18 09:00"):
        client.force_login(liaison_a)
        card = page(client, MY_QUARTER).one("section", class_="report-card")
        assert "3" in card.one("strong", class_="late").text


# --- 6. query counts -------------------------------------------------------------------


SIZES = [1, 30]
# Session, user, permissions, memberships, the form's choices, the figures and the rows;
# the area page adds the monitor's measures, the area's goals, figures and the reference
# figures of its municipality and the Netherlands.
MAX_QUERIES = {"dashboard": 27, "area": 27, "my-quarter": 14}


@pytest.fixture(params=SIZES, ids=lambda size: f"{size}-rows")
def many(request, coordinator, liaison_a, track, area_a):
    """``size`` areas (the liaison and the coordinator members of each), and in area A ``size``
    interventions with money, updates, escalations, partners, governance and
    neighbourhoods, over a closed and an open quarter."""
    size = request.param
    areas = [area_a, *[factories.AreaFactory(tracks=[track]) for _ in range(size - 1)]]
    for area in areas:
        AreaMembership.objects.create(user=coordinator, area=area)
        if area != area_a:
            AreaMembership.objects.create(user=liaison_a, area=area)
            factories.FundingLineFactory(intervention=factories.InterventionFactory(area=area))
    for number in range(size):
        intervention = factories.InterventionFactory(area=area_a)
        factories.FundingLineFactory(intervention=intervention)
        factories.AreaPartnerFactory(area=area_a)
        factories.GovernanceArrangementFactory(area=area_a)
        factories.NeighbourhoodFactory(area=area_a, name=f"Wijk {number}")
    q3 = open_quarter(coordinator, track.programme, 2026, 3, datetime.date(2026, 10, 15))
    for update in ProgressUpdate.objects.filter(period=q3):
        update.light = Light.GREEN
        update.money_spent_to_date = Decimal("10.00")
        update.save()
    for report in AreaReport.objects.filter(period=q3):
        factories.EscalationFactory(report=report, status=Escalation.Status.RESOLVED)
    services.quarter_close(period=q3, user=coordinator)
    q4 = open_quarter(coordinator, track.programme)
    for number, update in enumerate(ProgressUpdate.objects.filter(period=q4)):
        if number % 2:
            update.light = Light.AMBER
            update.save()
    for report in AreaReport.objects.filter(period=q4):
        factories.EscalationFactory(report=report)
    for _ in range(size):
        factories.EscalationFactory(report=AreaReport.objects.get(period=q4, area=area_a))
    return {"size": size, "areas": areas}


@pytest.mark.parametrize("persona", ["coordinator", "liaison_a"])
@pytest.mark.parametrize("name", ["dashboard", "area", "my-quarter"])
def test_queries_do_not_grow_with_the_rows(
    many, personas, client_for, area_a, persona, name, django_assert_max_num_queries
):
    url = area_url(area_a) if name == "area" else reverse(f"pages:{name}")
    client = client_for(personas[persona])
    client.get(url)  # warm up: content types, permissions cache of the session
    with django_assert_max_num_queries(MAX_QUERIES[name]):
        response = client.get(url)
    assert response.status_code == 200
    doc = parse(response.content)
    if name == "dashboard":
        assert len(area_rows(doc)) == many["size"]
    elif name == "area":
        interventions = section(doc, "interventions-title").one("tbody").find_all("tr")
        assert len(interventions) == many["size"]
    else:
        assert len(doc.find_all("section", class_="report-card")) == many["size"]


# --- 7. language -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dashboard", "area", "my-quarter", "login"])
def test_dutch_by_default_and_english_when_chosen(client_for, liaison_a, area_a, quarter, name):
    url = {"area": area_url(area_a), "login": LOGIN}.get(name) or reverse(f"pages:{name}")
    client = client_for(None if name == "login" else liaison_a)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert response.headers["Content-Language"] == "nl"
    assert parse(response.content).one("html").get("lang") == "nl"

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(url)
    assert response.headers["Content-Language"] == "en"
    doc = parse(response.content)
    assert doc.one("html").get("lang") == "en"
    assert doc.one("a", class_="skip-link").text == "Skip to the content"


def test_the_dashboard_in_english(client_for, liaison_a, quarter):
    client = client_for(liaison_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    doc = page(client, DASHBOARD)
    assert doc.one("h1").text == f"Dashboard: {quarter.label}"
    assert "Money committed" in key_figures(doc)
    assert "Thema Onderwijs A (en)" in doc.one("main").text  # themes in English too


def test_the_language_switch_returns_to_the_same_page(client_for, liaison_a, area_a, quarter):
    client = client_for(liaison_a)
    url = area_url(area_a)
    switch = next(
        form
        for form in page(client, url).one("header").find_all("form")
        if form.get("action") == reverse("set_language")
    )
    button = switch.one("button", name="language")
    assert button.get("value") == "en" and button.get("lang") == "en"
    response = client.post(
        switch.get("action"),
        {"language": button.get("value"), "next": switch.one("input", name="next").get("value")},
    )
    assert response.status_code == 302 and response.url == url
    assert page(client, url).one("html").get("lang") == "en"


def test_signing_out_leads_to_the_login_page(client_for, liaison_a, quarter):
    client = client_for(liaison_a)
    sign_out = next(
        form
        for form in page(client, DASHBOARD).one("header").find_all("form")
        if form.get("action") == reverse("logout")
    )
    assert sign_out.get("method") == "post"
    response = client.post(sign_out.get("action"))
    assert response.status_code == 302 and response.url == LOGIN
    assert client.get(DASHBOARD).status_code == 302


# --- 8. WCAG basics --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dashboard", "area", "my-quarter", "login", "my-quarter-empty"])
def test_wcag_basics(client_for, liaison_a, coordinator, area_a, quarter, name):
    url = {"area": area_url(area_a), "login": LOGIN, "my-quarter-empty": MY_QUARTER}.get(
        name
    ) or reverse(f"pages:{name}")
    user = {"login": None, "my-quarter-empty": coordinator}.get(name, liaison_a)
    doc = page(client_for(user), url)

    body = doc.one("body")
    first_link = body.find("a")
    assert first_link.get("href") == "#content" and first_link.text
    assert len(doc.find_all("h1")) == 1
    main = doc.one("main")
    assert main.get("id") == "content"
    assert doc.one("head").one("title").text
    ids = [element.get("id") for element in doc.iter() if element.get("id")]
    assert len(ids) == len(set(ids)), "ids are unique"
    labels = {label.get("for") for label in doc.find_all("label")}
    for field in doc.iter():
        if field.tag not in ("input", "select", "textarea") or field.get("type") == "hidden":
            continue
        named = (
            field.get("id") in labels
            or field.get("aria-label")
            or any(ancestor.tag == "label" for ancestor in field.ancestors())
        )
        assert named, f"{field} has no label"
    for button in doc.find_all("button"):
        assert button.text, f"{button} has no text"
    for table in main.find_all("table"):
        assert table.find("caption") is not None, "every table has a caption"
    for element in doc.iter():
        for reference in ("aria-labelledby", "aria-describedby"):
            for ident in element.get(reference, "").split():
                assert ident in ids, f"{element} refers to {ident}, which is not on the page"
    for label in doc.find_all("label"):
        assert label.get("for") in ids, f"{label} is for a field that is not on the page"
    current = [a.get("href") for a in doc.find_all("a", aria_current="page")]
    assert current == {
        "dashboard": [DASHBOARD],
        "my-quarter": [MY_QUARTER],
        "my-quarter-empty": [MY_QUARTER],
    }.get(name, [])


def test_the_track_choice_and_heading_name_lines_of_action(
    client_for, coordinator, quarter, track_2
):
    track_2.kind = track_2.Kind.ACTIELIJN
    track_2.save()
    track_2.programme.end_year = 2042
    track_2.programme.save()

    doc = page(client_for(coordinator), DASHBOARD, track=track_2.pk)

    options = [option.text for option in doc.one("select", name="track").find_all("option")]
    assert f"{nl('line of action')} 2. Pilots" in options
    assert f"{nl('track')} 1. {track_2.programme.tracks.get(number=1).name}" in options
    lead = doc.one("p", class_="lead").text
    assert f"({track_2.programme.start_year}–2042)" in lead
    assert f"{nl('line of action')} 2. Pilots" in lead
