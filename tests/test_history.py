"""Every change to domain data is kept in the audit history: who, when, what changed."""

import pytest
from django.urls import reverse

from areas.models import Municipality
from interventions.models import Intervention
from tests.factories import (
    AreaFactory,
    InterventionFactory,
    MunicipalityFactory,
    NeighbourhoodFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def change_form_data(response):
    """The POST data the admin change form on this page sends back when nothing is edited,
    inline management forms included."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def post_change_form(client, obj, **changes):
    page = client.get(change_url(obj))
    assert page.status_code == 200
    response = client.post(change_url(obj), {**change_form_data(page), **changes})
    if response.status_code != 302:
        errors = [response.context["adminform"].form.errors]
        errors += [i.formset.errors for i in response.context["inline_admin_formsets"]]
        pytest.fail(f"The admin refused the change: {errors}")
    return response


def latest_change(obj):
    record = obj.history.first()
    return record, record.diff_against(record.prev_record)


def test_admin_change_records_who_changed_which_field(superuser, superuser_client):
    municipality = MunicipalityFactory(cbs_code="GM0599", name="Rotterdm")

    post_change_form(superuser_client, municipality, name="Rotterdam")

    record, delta = latest_change(Municipality.objects.get(pk=municipality.pk))
    assert record.history_type == "~"
    assert record.history_user == superuser
    assert delta.changed_fields == ["name"]
    assert (delta.changes[0].old, delta.changes[0].new) == ("Rotterdm", "Rotterdam")


def test_admin_change_with_inlines_records_the_area_and_its_neighbourhood(
    superuser, superuser_client
):
    area = AreaFactory(population_thousands=200, population_year=2024)
    neighbourhood = NeighbourhoodFactory(area=area, name="Feijnoord")
    page = superuser_client.get(change_url(area))
    data = change_form_data(page)
    name_key = next(
        key for key, value in data.items() if key.endswith("-name") and value == "Feijnoord"
    )

    post_change_form(superuser_client, area, population_thousands="215", **{name_key: "Feijenoord"})

    area_record, area_delta = latest_change(area)
    assert area_record.history_user == superuser
    assert area_delta.changed_fields == ["population_thousands"]
    neighbourhood_record, neighbourhood_delta = latest_change(neighbourhood)
    assert neighbourhood_record.history_user == superuser
    assert neighbourhood_delta.changed_fields == ["name"]


def test_admin_change_of_intervention_themes_is_recorded(superuser, superuser_client):
    old_theme, new_theme = ThemeFactory(), ThemeFactory()
    intervention = InterventionFactory(themes=[old_theme])
    before = intervention.history.first()

    post_change_form(superuser_client, intervention, themes=[str(new_theme.pk)])

    latest = intervention.history.first()
    assert latest.history_user == superuser
    assert [row.theme_id for row in latest.themes.all()] == [new_theme.pk]
    assert [row.theme_id for row in before.themes.all()] == [old_theme.pk]
    assert "themes" in latest.diff_against(before).changed_fields


def test_admin_refuses_an_intervention_without_themes(superuser_client):
    intervention = InterventionFactory()
    page = superuser_client.get(change_url(intervention))
    data = change_form_data(page)
    del data["themes"]
    history_before = intervention.history.count()

    response = superuser_client.post(change_url(intervention), data)

    assert response.status_code == 200
    assert "themes" in response.context["adminform"].form.errors
    assert intervention.themes.exists()
    assert intervention.history.count() == history_before


def test_theme_change_outside_the_admin_records_the_acting_user():
    coordinator = UserFactory()
    theme = ThemeFactory()
    intervention = InterventionFactory()

    intervention._history_user = coordinator
    intervention.themes.add(theme)

    latest = intervention.history.first()
    assert latest.history_user == coordinator
    assert theme.pk in {row.theme_id for row in latest.themes.all()}


def test_stopping_an_intervention_is_recorded_as_a_status_change():
    intervention = InterventionFactory(status=Intervention.Status.RUNNING)

    intervention.status = Intervention.Status.STOPPED
    intervention.save()

    record, delta = latest_change(intervention)
    assert delta.changed_fields == ["status"]
    assert (delta.changes[0].old, delta.changes[0].new) == ("running", "stopped")
