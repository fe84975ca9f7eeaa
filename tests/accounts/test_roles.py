"""The roles exist under their Dutch names, as the migrations leave them."""

from django.contrib.auth.models import Group

from accounts import roles


def test_the_three_roles_have_their_dutch_names(db):
    names = set(Group.objects.values_list("name", flat=True))

    assert {roles.COORDINATOR, roles.LIAISON, roles.VIEWER} <= names
    assert roles.LIAISON == "Gemeentelijke contactpersoon"
    assert "Gemeentelijk contactpersoon" not in names


def test_the_renamed_liaison_role_keeps_its_permissions(db):
    liaison = Group.objects.get(name=roles.LIAISON)

    codenames = set(liaison.permissions.values_list("codename", flat=True))

    assert {"change_area", "submit_areareport", "view_contextvalue"} <= codenames


def test_a_role_left_under_the_old_name_is_folded_into_the_renamed_one(db):
    """A database that ran these migrations in an earlier order has both groups: the
    rename merges them rather than failing on the unique name."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    rename = import_module("reporting.migrations.0013_rename_liaison_role")
    stale = Group.objects.create(name=rename.OLD)
    extra = Permission.objects.get(codename="delete_regiodeal")
    stale.permissions.add(extra)
    member = UserFactory()
    member.groups.add(stale)

    rename.rename(rename.OLD, rename.NEW)(apps, None)

    liaison = Group.objects.get(name=roles.LIAISON)
    assert not Group.objects.filter(name=rename.OLD).exists()
    assert extra in liaison.permissions.all() and member in liaison.user_set.all()
