import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Group
from django.core import mail
from django.urls import reverse

from accounts import access, roles
from accounts.models import AreaMembership, User
from areas.models import Partner
from core.scoping import ScopedQuerySet
from interventions.models import FundingLine, Intervention
from tests import factories
from tests.admin_forms import admin_form_data


def test_every_domain_model_has_for_user():
    domain_apps = {"programme", "areas", "accounts", "interventions", "reporting"}
    unscoped = [
        model.__name__
        for model in apps.get_models()
        if model._meta.app_label in domain_apps
        and not model.__name__.startswith("Historical")
        and not isinstance(model._default_manager.all(), ScopedQuerySet)
    ]
    assert unscoped == []


def test_liaison_sees_own_area_and_programme_wide_work_only(liaison_a, area_a, area_b, track):
    own = factories.InterventionFactory(area=area_a)
    factories.InterventionFactory(area=area_b)
    programme_wide = factories.InterventionFactory(area=None, track=track)
    factories.FundingLineFactory(intervention=own)
    factories.FundingLineFactory(intervention=programme_wide)

    assert set(Intervention.objects.for_user(liaison_a)) == {own, programme_wide}
    assert {line.intervention for line in FundingLine.objects.for_user(liaison_a)} == {
        own,
        programme_wide,
    }


@pytest.mark.parametrize("persona", ["coordinator", "viewer"])
def test_coordinator_and_viewer_see_every_area(persona, personas, area_a, area_b):
    factories.InterventionFactory(area=area_a)
    factories.InterventionFactory(area=area_b)
    assert Intervention.objects.for_user(personas[persona]).count() == 2


def test_anonymous_and_inactive_users_see_nothing(liaison_a, area_a):
    factories.InterventionFactory(area=area_a)
    liaison_a.is_active = False
    assert not Intervention.objects.for_user(liaison_a).exists()
    assert not Intervention.objects.for_user(AnonymousUser()).exists()


def test_regio_deal_covering_two_own_areas_is_listed_once(liaison_a, area_a, track):
    second = factories.AreaFactory(tracks=[track])
    AreaMembership.objects.create(user=liaison_a, area=second)
    deal = factories.RegioDealFactory()
    deal.areas.add(area_a, second)
    liaison_a = User.objects.get(pk=liaison_a.pk)  # a new request: memberships read afresh

    assert list(type(deal).objects.for_user(liaison_a)) == [deal]


def test_only_coordinators_see_other_users(coordinator, liaison_a, viewer):
    assert set(User.objects.for_user(coordinator)) >= {coordinator, liaison_a, viewer}
    assert list(User.objects.for_user(liaison_a)) == [liaison_a]
    assert list(User.objects.for_user(viewer)) == [viewer]


def test_liaison_edits_own_area_rows_but_not_others(liaison_a, area_a, area_b, track):
    own = factories.InterventionFactory(area=area_a)
    theirs = factories.InterventionFactory(area=area_b)
    programme_wide = factories.InterventionFactory(area=None, track=track)

    assert access.can(liaison_a, "change", own)
    assert not access.can(liaison_a, "change", theirs)
    assert not access.can(liaison_a, "change", programme_wide)
    assert not access.can(liaison_a, "delete", own), "stopping is a status, not a delete"


def test_moving_a_row_is_checked_as_it_would_be_after_the_move(liaison_a, area_a, area_b):
    own = factories.InterventionFactory(area=area_a)
    own.area = area_b
    assert not access.can(liaison_a, "change", own)


def test_shared_partner_is_edited_only_by_a_liaison_whose_areas_it_serves_alone(
    liaison_a, area_a, area_b
):
    only_ours = factories.AreaPartnerFactory(area=area_a).partner
    shared = factories.AreaPartnerFactory(area=area_a).partner
    factories.AreaPartnerFactory(area=area_b, partner=shared)

    assert access.can(liaison_a, "change", only_ours)
    assert not access.can(liaison_a, "change", shared)
    assert access.can(liaison_a, "add", Partner(name="Nieuw", kind="other"))
    assert set(Partner.objects.for_user(liaison_a)) == {only_ours, shared}


def test_reference_data_is_changed_by_coordinators_only(coordinator, liaison_a, viewer):
    theme = factories.ThemeFactory()
    assert access.can(coordinator, "change", theme)
    assert not access.can(liaison_a, "change", theme)
    assert not access.can(viewer, "change", theme)


def test_viewer_changes_nothing(viewer, area_a):
    assert not access.can(viewer, "change", factories.InterventionFactory(area=area_a))
    assert not access.can(viewer, "change", area_a)


def test_coordinator_invites_a_liaison_who_chooses_a_password(
    coordinator, area_a, client_for, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_add"),
            {
                "email": "nieuw@gemeente.example",
                "full_name": "Nieuwe Contactpersoon",
                "organisation": "Gemeente",
                "is_staff": "on",
                "groups": [Group.objects.get(name=roles.LIAISON).pk],
                "area_memberships-TOTAL_FORMS": "1",
                "area_memberships-INITIAL_FORMS": "0",
                "area_memberships-0-area": area_a.pk,
            },
        )
    assert response.status_code == 302
    invited = User.objects.get(email="nieuw@gemeente.example")
    assert not invited.has_usable_password()
    assert list(invited.area_memberships.values_list("area", flat=True)) == [area_a.pk]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nieuw@gemeente.example"]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_coordinator_cannot_grant_superuser_or_change_a_superuser(
    coordinator, superuser, client_for
):
    client = client_for(coordinator)
    response = client.get(reverse("admin:accounts_user_change", args=[coordinator.pk]))
    assert "is_superuser" not in response.context["adminform"].form.fields
    response = client.get(reverse("admin:accounts_user_change", args=[superuser.pk]))
    assert response.context["has_change_permission"] is False


def test_coordinator_deactivates_a_user(coordinator, liaison_a, client_for):
    client = client_for(coordinator)
    change_url = reverse("admin:accounts_user_change", args=[liaison_a.pk])
    data = admin_form_data(client.get(change_url))
    data.pop("is_active", None)
    response = client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    liaison_a.refresh_from_db()
    assert liaison_a.is_active is False
