"""Every browser test finds the roles the migrations made, though the one before it
emptied the database (a transactional test), and Playwright's event loop in this thread
gives Django other connections than the ones the test database was set up with."""

import pytest
from django.contrib.auth.models import Group

from accounts import roles


@pytest.mark.parametrize("turn", ["first", "second"])
def test_the_migrated_roles_are_there_in_each_browser_test(turn, playwright):
    names = set(Group.objects.values_list("name", flat=True))
    assert {roles.COORDINATOR, roles.LIAISON, roles.VIEWER} <= names
