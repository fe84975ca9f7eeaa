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
