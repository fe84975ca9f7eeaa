"""Every admin page opens for a superuser, with real data present."""

from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from areas.models import Area, GovernanceArrangement
from interventions.models import FundingLine, Intervention
from tests.factories import (
    AreaDocumentFactory,
    AreaPartnerFactory,
    FundingLineFactory,
    IndicatorFactory,
    InterventionFactory,
    KnowledgeItemFactory,
    PartnerFactory,
    ReportingPeriodFactory,
    TargetGroupFactory,
)

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
DOMAIN_APPS = {"programme", "areas", "interventions"}


def url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.fixture
def admin_data(db, superuser):
    call_command("load_reference_data", stdout=StringIO())
    area = Area.objects.get(name="Rotterdam-Zuid")
    lead = PartnerFactory(name="Woonstad Rotterdam")
    running = InterventionFactory(
        title="Huiswerkbegeleiding Feijenoord",
        area=area,
        status=Intervention.Status.RUNNING,
        lead_partner=lead,
    )
    running.partners.add(PartnerFactory())
    running.target_groups.add(TargetGroupFactory())
    InterventionFactory(
        title="Buurtsportcoach Bloemhof",
        area=area,
        status=Intervention.Status.IDEA,
        start_date=None,
    )
    FundingLineFactory(intervention=running, source=FundingLine.Source.HOUSING, funder=lead)
    IndicatorFactory(intervention=running)
    KnowledgeItemFactory(areas=[area], interventions=[running])
    AreaPartnerFactory(area=area, partner=lead)
    AreaDocumentFactory(area=area, title="Convenant Rotterdam-Zuid")
    ReportingPeriodFactory(programme=area.tracks.first().programme)
    Group.objects.create(name="Coördinatoren")


@pytest.mark.parametrize(
    "model, model_admin", REGISTERED, ids=[model._meta.label for model, _ in REGISTERED]
)
def test_admin_pages_open_for_superuser(
    admin_data, superuser, superuser_client, model, model_admin
):
    assert superuser_client.get(url(model, "changelist")).status_code == 200

    request = RequestFactory().get("/")
    request.user = superuser
    expected_add_status = 200 if model_admin.has_add_permission(request) else 403
    assert superuser_client.get(url(model, "add")).status_code == expected_add_status

    obj = model._default_manager.first()
    if obj is not None:
        assert superuser_client.get(url(model, "change", obj.pk)).status_code == 200
        assert superuser_client.get(url(model, "history", obj.pk)).status_code == 200


def test_every_registered_domain_model_has_a_row_to_open(admin_data):
    empty = [
        model._meta.label
        for model, _ in REGISTERED
        if (model._meta.app_label in DOMAIN_APPS or model is Group)
        and not model._default_manager.exists()
    ]

    assert empty == []


@pytest.mark.parametrize(
    "model, model_admin", REGISTERED, ids=[model._meta.label for model, _ in REGISTERED]
)
def test_admin_changelist_sends_anonymous_visitor_to_login(client, db, model, model_admin):
    response = client.get(url(model, "changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_index_shows_the_site_header(superuser_client):
    response = superuser_client.get(reverse("admin:index"))

    assert response.status_code == 200
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        header = escape(str(admin.site.site_header))
    assert header in response.content.decode()


def test_area_changelist_search_finds_by_municipality(admin_data, superuser_client):
    response = superuser_client.get(url(Area, "changelist"), {"q": "Rotterdam"})

    assert response.status_code == 200
    names = [area.name for area in response.context["cl"].result_list]
    assert names == ["Rotterdam-Zuid"]


def test_intervention_changelist_filters_by_status(admin_data, superuser_client):
    response = superuser_client.get(url(Intervention, "changelist"), {"status__exact": "idea"})

    assert response.status_code == 200
    titles = [intervention.title for intervention in response.context["cl"].result_list]
    assert titles == ["Buurtsportcoach Bloemhof"]


def test_governance_changelist_filters_by_kind(admin_data, superuser_client):
    response = superuser_client.get(
        url(GovernanceArrangement, "changelist"), {"kind__exact": "regio_deal"}
    )

    shown = list(response.context["cl"].result_list)
    assert len(shown) == GovernanceArrangement.objects.filter(kind="regio_deal").count() > 0
    assert {arrangement.kind for arrangement in shown} == {"regio_deal"}
