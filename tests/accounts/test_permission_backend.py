"""The permission backend finds exactly what Django's ModelBackend finds, with its
look-ups compiled once instead of built per request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from accounts import roles
from accounts.backends import PermissionBackend
from tests.factories import UserFactory


def fresh(user):
    """The user as the next request loads them: nothing cached on the object."""
    return get_user_model().objects.get(pk=user.pk)


def granted(user, codename):
    user.user_permissions.add(Permission.objects.get(codename=codename))


def test_a_user_has_their_roles_and_their_own_permissions_as_django_finds_them(db):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.VIEWER))
    granted(user, "delete_regiodeal")

    found = PermissionBackend().get_all_permissions(fresh(user))

    assert found == ModelBackend().get_all_permissions(fresh(user))
    assert {"areas.view_area", "areas.delete_regiodeal"} <= found
    assert "areas.change_area" not in found


def test_the_look_up_runs_the_same_two_queries_without_building_them_again(
    db, django_assert_num_queries, monkeypatch
):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.LIAISON))
    PermissionBackend().get_all_permissions(fresh(user))  # compiled here, if not before
    user = fresh(user)

    def built(*args):
        raise AssertionError("the permission query was built again")

    monkeypatch.setattr(ModelBackend, "_get_user_permissions", built)
    monkeypatch.setattr(ModelBackend, "_get_group_permissions", built)
    with django_assert_num_queries(2):
        assert user.has_perm("areas.change_area")
        assert user.has_perm("reporting.submit_areareport")
        assert not user.has_perm("areas.delete_area")


def test_a_role_taken_away_counts_from_the_next_request(db):
    user = UserFactory()
    liaison = Group.objects.get(name=roles.LIAISON)
    user.groups.add(liaison)
    assert fresh(user).has_perm("areas.change_area")

    user.groups.remove(liaison)

    assert not fresh(user).has_perm("areas.change_area")
    assert fresh(user).get_all_permissions() == set()


def test_users_do_not_share_what_was_found_for_another(db):
    coordinator, viewer = UserFactory(), UserFactory()
    coordinator.groups.add(Group.objects.get(name=roles.COORDINATOR))
    viewer.groups.add(Group.objects.get(name=roles.VIEWER))

    assert fresh(coordinator).has_perm("interventions.add_intervention")
    assert not fresh(viewer).has_perm("interventions.add_intervention")


def test_an_inactive_user_has_no_permission_and_a_superuser_has_all(db):
    inactive = UserFactory(is_active=False)
    inactive.groups.add(Group.objects.get(name=roles.COORDINATOR))
    superuser = UserFactory(is_superuser=True)

    assert fresh(inactive).get_all_permissions() == set()
    assert fresh(superuser).has_perm("areas.delete_area")
