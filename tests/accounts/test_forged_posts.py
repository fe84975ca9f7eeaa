"""Forged POSTs through the admin: a liaison cannot reach into another area."""

from django.urls import reverse

from areas.models import AreaPartner
from interventions.models import FundingLine, Intervention
from tests import factories
from tests.admin_forms import admin_form_data


def test_liaison_cannot_create_an_intervention_in_another_area(
    liaison_a, area_b, track, client_for
):
    client = client_for(liaison_a)
    theme = factories.ThemeFactory()
    response = client.post(
        reverse("admin:interventions_intervention_add"),
        {
            "title": "Ingeschoven",
            "code": "IV-FORGED01",
            "track": track.pk,
            "area": area_b.pk,
            "status": "idea",
            "evidence_level": "not_assessed",
            "themes": [theme.pk],
            **empty_intervention_inlines(),
        },
    )
    assert response.status_code == 200  # the form again, with its error
    assert "area" in response.context["adminform"].form.errors
    assert not Intervention.objects.filter(code="IV-FORGED01").exists()


def test_liaison_cannot_create_a_programme_wide_intervention(liaison_a, track, client_for):
    client = client_for(liaison_a)
    response = client.post(
        reverse("admin:interventions_intervention_add"),
        {
            "title": "Landelijk",
            "code": "IV-FORGED02",
            "track": track.pk,
            "status": "idea",
            "evidence_level": "not_assessed",
            "themes": [factories.ThemeFactory().pk],
            **empty_intervention_inlines(),
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not Intervention.objects.filter(code="IV-FORGED02").exists()


def test_liaison_cannot_move_own_intervention_into_another_area(
    liaison_a, area_a, area_b, client_for
):
    intervention = factories.InterventionFactory(area=area_a)
    client = client_for(liaison_a)
    change_url = reverse("admin:interventions_intervention_change", args=[intervention.pk])
    data = admin_form_data(client.get(change_url), area=str(area_b.pk))

    response = client.post(change_url, data)

    assert response.status_code == 200
    assert "area" in response.context["adminform"].form.errors
    intervention.refresh_from_db()
    assert intervention.area == area_a


def test_own_intervention_change_is_saved(liaison_a, area_a, client_for):
    """The control for the forged cases: the same form, honestly filled, saves."""
    intervention = factories.InterventionFactory(area=area_a)
    client = client_for(liaison_a)
    change_url = reverse("admin:interventions_intervention_change", args=[intervention.pk])
    data = admin_form_data(client.get(change_url), title="Nieuwe titel")

    response = client.post(change_url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    intervention.refresh_from_db()
    assert intervention.title == "Nieuwe titel"


def test_liaison_cannot_change_a_row_of_another_area(liaison_a, area_b, client_for):
    intervention = factories.InterventionFactory(area=area_b, title="Van B")
    client = client_for(liaison_a)
    response = client.post(
        reverse("admin:interventions_intervention_change", args=[intervention.pk]),
        {"title": "Overschreven"},
    )
    assert response.status_code == 302 and response.url == reverse("admin:index")
    intervention.refresh_from_db()
    assert intervention.title == "Van B"


def test_inline_row_pointing_into_another_area_is_refused(liaison_a, area_a, area_b, client_for):
    theirs = factories.AreaPartnerFactory(area=area_b, role_description="van B")
    client = client_for(liaison_a)
    change_url = reverse("admin:areas_area_change", args=[area_a.pk])
    data = admin_form_data(client.get(change_url))
    data.update(
        {
            "partnerships-TOTAL_FORMS": "1",
            "partnerships-INITIAL_FORMS": "1",
            "partnerships-0-id": str(theirs.pk),
            "partnerships-0-area": str(area_a.pk),
            "partnerships-0-partner": str(theirs.partner_id),
            "partnerships-0-role": "lead",
            "partnerships-0-role_description": "gekaapt",
        }
    )

    client.post(change_url, data)

    theirs.refresh_from_db()
    assert (theirs.area, theirs.role_description) == (area_b, "van B")
    assert not AreaPartner.objects.filter(role_description="gekaapt").exists()


def test_liaison_cannot_link_a_partner_to_another_area(liaison_a, area_b, client_for):
    partner = factories.PartnerFactory()
    response = client_for(liaison_a).post(
        reverse("admin:areas_areapartner_add"),
        {"area": area_b.pk, "partner": partner.pk, "role": "lead"},
    )
    assert response.status_code == 200
    assert "area" in response.context["adminform"].form.errors
    assert not AreaPartner.objects.filter(partner=partner).exists()


def test_liaison_cannot_add_money_to_another_areas_intervention(liaison_a, area_b, client_for):
    theirs = factories.InterventionFactory(area=area_b)
    response = client_for(liaison_a).post(
        reverse("admin:interventions_fundingline_add"),
        {"intervention": theirs.pk, "source": "state", "amount": "100.00"},
    )
    assert response.status_code == 200
    assert not FundingLine.objects.filter(intervention=theirs).exists()


def test_liaison_cannot_add_money_to_programme_wide_work(liaison_a, track, client_for):
    programme_wide = factories.InterventionFactory(area=None, track=track)
    response = client_for(liaison_a).post(
        reverse("admin:interventions_fundingline_add"),
        {"intervention": programme_wide.pk, "source": "state", "amount": "100.00"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not FundingLine.objects.filter(intervention=programme_wide).exists()


def test_delete_action_skips_rows_of_another_area(liaison_a, area_a, area_b, client_for):
    own = factories.NeighbourhoodFactory(area=area_a)
    theirs = factories.NeighbourhoodFactory(area=area_b)
    client_for(liaison_a).post(
        reverse("admin:areas_neighbourhood_changelist"),
        {"action": "delete_selected", "_selected_action": [own.pk, theirs.pk], "post": "yes"},
    )
    assert not type(own).objects.filter(pk=own.pk).exists()
    assert type(theirs).objects.filter(pk=theirs.pk).exists()


def test_delete_action_refuses_visible_rows_the_liaison_may_not_delete(
    liaison_a, track, client_for
):
    programme_wide = factories.InterventionFactory(area=None, track=track)
    line = factories.FundingLineFactory(intervention=programme_wide)
    response = client_for(liaison_a).post(
        reverse("admin:interventions_fundingline_changelist"),
        {"action": "delete_selected", "_selected_action": [line.pk], "post": "yes"},
    )
    assert response.status_code in (200, 403)
    assert FundingLine.objects.filter(pk=line.pk).exists()


def test_viewer_cannot_change_anything(viewer, area_a, client_for):
    intervention = factories.InterventionFactory(area=area_a, title="Ongewijzigd")
    response = client_for(viewer).post(
        reverse("admin:interventions_intervention_change", args=[intervention.pk]),
        {"title": "Gewijzigd"},
    )
    assert response.status_code == 403
    intervention.refresh_from_db()
    assert intervention.title == "Ongewijzigd"


def empty_intervention_inlines():
    return {
        f"{prefix}-{field}": "0"
        for prefix in ("funding_lines", "indicators")
        for field in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
