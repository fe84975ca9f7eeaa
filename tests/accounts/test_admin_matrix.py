"""Every registered ModelAdmin × every persona × every admin door.

The list of admins is read from the admin site, so a new admin that is not placed in
``CATEGORY`` below fails ``test_every_admin_is_in_the_matrix`` until someone decides
how it is scoped.
"""

from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import User
from interventions.models import Intervention
from tests import factories
from tests.doors import CATEGORY, reference_row, row_in

SUPERUSER_ONLY_APPS = {"auth", "axes", "otp_totp"}


def admin_models():
    return [model for model in admin.site._registry]


def url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def autocomplete_source(model):
    """An (admin, field) that autocompletes ``model``, if any admin does."""
    for source_model, model_admin in admin.site._registry.items():
        for name in model_admin.autocomplete_fields:
            if source_model._meta.get_field(name).related_model is model:
                return source_model, name
    return None


def test_every_admin_is_in_the_matrix():
    unplaced = [
        model
        for model in admin_models()
        if model not in CATEGORY and model._meta.app_label not in SUPERUSER_ONLY_APPS
    ]
    assert unplaced == [], "Decide how these admins are scoped and add them to CATEGORY"


def not_found(response):
    """The admin's answer for a row that does not exist: back to the index."""
    return response.status_code == 302 and response.url == reverse("admin:index")


def same_answer(response, other):
    return response.status_code == other.status_code and response.get("Location") == other.get(
        "Location"
    )


PERSONAS = ["coordinator", "liaison_a", "liaison_b", "viewer", "anonymous"]
SCOPED = [
    model
    for model, category in CATEGORY.items()
    if category in ("area", "shared", "deal") and model in admin.site._registry
]


def expectation(persona, category, model, home):
    """What ``persona`` may do with a row of area ``home`` ('a' or 'b'):
    None (cannot reach it: not found), 'view' or 'edit'."""
    own = persona == f"liaison_{home}"
    if persona == "coordinator":
        return "edit"
    if persona == "viewer":
        return "view"
    if category == "shared":
        return "edit" if own else "view"
    # a liaison
    return "edit" if own else None


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_scoped_admin_doors(model, persona, personas, area_a, area_b, client_for):
    rows = {"a": row_in(model, area_a), "b": row_in(model, area_b)}
    category = CATEGORY[model]
    client = client_for(personas[persona])

    response = client.get(url(model, "changelist"))
    if persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response.url
        for view in ("change", "delete", "history"):
            response = client.get(url(model, view, rows["a"].pk))
            assert response.status_code == 302 and "/login/" in response.url
        return
    if category == "deal" and persona.startswith("liaison"):
        assert response.status_code == 403
        assert client.get(url(model, "change", rows["a"].pk)).status_code == 403
        return

    assert response.status_code == 200
    listed = {obj.pk for obj in response.context["cl"].result_list}
    for home, row in rows.items():
        allowed = expectation(persona, category, model, home)
        assert (row.pk in listed) == (allowed is not None), (home, allowed)

        change = client.get(url(model, "change", row.pk))
        history = client.get(url(model, "history", row.pk))
        delete = client.get(url(model, "delete", row.pk))
        if allowed is None:
            # Exactly the answer for a row that does not exist.
            assert not_found(change) and not_found(history)
            for view, response in (("change", change), ("history", history), ("delete", delete)):
                assert same_answer(response, client.get(url(model, view, 999999))), view
            continue
        assert change.status_code == 200
        may_change = personas[persona].has_perm(
            f"{model._meta.app_label}.change_{model._meta.model_name}"
        )
        assert change.context["has_change_permission"] == (allowed == "edit" and may_change)
        assert history.status_code == 200
        model_admin = admin.site._registry[model]
        may_delete = allowed == "edit" and model_admin.has_delete_permission(
            type("R", (), {"user": personas[persona]})()
        )
        assert delete.status_code == (200 if may_delete else 403)

    add = client.get(url(model, "add"))
    may_add = personas[persona].has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}")
    assert add.status_code == (200 if may_add else 403)

    source = autocomplete_source(model)
    if source is not None:
        source_model, field_name = source
        response = client.get(
            reverse("admin:autocomplete")
            + "?"
            + urlencode(
                {
                    "app_label": source_model._meta.app_label,
                    "model_name": source_model._meta.model_name,
                    "field_name": field_name,
                }
            )
        )
        assert response.status_code == 200
        found = {int(result["id"]) for result in response.json()["results"]}
        for home, row in rows.items():
            allowed = expectation(persona, category, model, home)
            assert (row.pk in found) == (allowed is not None), (home, "autocomplete")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "model",
    [
        model
        for model, category in CATEGORY.items()
        if category in ("reference", "users") and model in admin.site._registry
    ],
    ids=lambda m: m.__name__,
)
def test_reference_and_user_admin_doors(model, persona, personas, client_for):
    row = reference_row(model)
    user = personas[persona]
    client = client_for(user)
    responses = {
        "changelist": client.get(url(model, "changelist")),
        "change": client.get(url(model, "change", row.pk)),
        "history": client.get(url(model, "history", row.pk)),
        "add": client.get(url(model, "add")),
        "delete": client.get(url(model, "delete", row.pk)),
    }
    if user is None:
        assert all(r.status_code == 302 and "/login/" in r.url for r in responses.values())
        return
    sees = persona == "coordinator" or CATEGORY[model] == "reference"
    edits = persona == "coordinator" and user.has_perm(
        f"{model._meta.app_label}.change_{model._meta.model_name}"
    )
    if not sees:
        assert responses["changelist"].status_code == 403
        assert responses["add"].status_code == 403
        for view in ("change", "history", "delete"):
            missing = client.get(url(model, view, 999999))
            assert responses[view].status_code in (302, 403)
            assert same_answer(responses[view], missing), view
        return
    assert responses["changelist"].status_code == 200
    assert row.pk in {obj.pk for obj in responses["changelist"].context["cl"].result_list}
    assert responses["change"].status_code == 200
    assert responses["change"].context["has_change_permission"] == edits
    assert responses["history"].status_code == 200
    may = {
        action: user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")
        for action in ("add", "delete")
    }
    assert responses["add"].status_code == (200 if may["add"] else 403)
    # Users are deactivated, never deleted, so their history keeps its author.
    may_delete = may["delete"] and model is not User
    assert responses["delete"].status_code == (200 if may_delete else 403)


@pytest.mark.parametrize("persona", ["coordinator", "liaison_a", "viewer"])
def test_technical_admins_are_for_superusers_only(persona, personas, client_for):
    client = client_for(personas[persona])
    technical = [m for m in admin_models() if m._meta.app_label in SUPERUSER_ONLY_APPS]
    assert technical, "expected the group, axes and otp admins to be registered"
    for model in technical:
        assert client.get(url(model, "changelist")).status_code == 403, model


def test_liaison_list_filter_offers_only_own_areas(liaison_a, area_a, area_b, client_for):
    factories.InterventionFactory(area=area_a)
    factories.InterventionFactory(area=area_b)
    response = client_for(liaison_a).get(url(Intervention, "changelist"))
    area_filter = next(
        spec for spec in response.context["cl"].filter_specs if spec.field_path == "area"
    )
    assert [label for _pk, label in area_filter.lookup_choices] == [str(area_a)]


def test_liaison_cannot_widen_scope_with_a_filter_in_the_url(liaison_a, area_a, area_b, client_for):
    factories.InterventionFactory(area=area_b)
    response = client_for(liaison_a).get(url(Intervention, "changelist"), {"area": area_b.pk})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_programme_wide_intervention_is_read_only_to_a_liaison(liaison_a, track, client_for):
    programme_wide = factories.InterventionFactory(area=None, track=track)
    client = client_for(liaison_a)
    response = client.get(url(Intervention, "change", programme_wide.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False


def test_history_revert_is_refused(coordinator, area_a, client_for):
    intervention = factories.InterventionFactory(area=area_a)
    version = intervention.history.first()
    response = client_for(coordinator).post(
        reverse(
            "admin:interventions_intervention_simple_history",
            args=[intervention.pk, version.history_id],
        ),
        {"title": "Teruggezet"},
    )
    assert response.status_code == 405
    intervention.refresh_from_db()
    assert intervention.title != "Teruggezet"


def test_history_version_of_another_area_is_not_found(liaison_a, area_b, client_for):
    intervention = factories.InterventionFactory(area=area_b)
    version = intervention.history.first()
    response = client_for(liaison_a).get(
        reverse(
            "admin:interventions_intervention_simple_history",
            args=[intervention.pk, version.history_id],
        )
    )
    assert not_found(response)
