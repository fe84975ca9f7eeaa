"""Personas: a coordinator, a liaison of area A, a liaison of area B, a viewer and an
anonymous visitor, each with a client. Areas A and B are on the same track."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from accounts import roles
from accounts.models import AreaMembership
from tests.factories import AreaFactory, TrackFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: the rolled-back rows of one test must not
    live on in another's cached figures (ids are reused)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def superuser(db):
    return UserFactory(email="beheer@example.org", is_superuser=True)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def track(db):
    return TrackFactory()


@pytest.fixture
def area_a(track):
    return AreaFactory(name="Gebied A", tracks=[track])


@pytest.fixture
def area_b(track):
    return AreaFactory(name="Gebied B", tracks=[track])


def make_user(email, role, areas=()):
    user = UserFactory(email=email)
    user.groups.add(Group.objects.get(name=role))
    for area in areas:
        AreaMembership.objects.create(user=user, area=area)
    return user


@pytest.fixture
def coordinator(db):
    return make_user("coordinator@example.org", roles.COORDINATOR)


@pytest.fixture
def liaison_a(area_a):
    return make_user("liaison-a@example.org", roles.LIAISON, [area_a])


@pytest.fixture
def liaison_b(area_b):
    return make_user("liaison-b@example.org", roles.LIAISON, [area_b])


@pytest.fixture
def viewer(db):
    return make_user("viewer@example.org", roles.VIEWER)


@pytest.fixture
def personas(coordinator, liaison_a, liaison_b, viewer):
    return {
        "coordinator": coordinator,
        "liaison_a": liaison_a,
        "liaison_b": liaison_b,
        "viewer": viewer,
        "anonymous": None,
    }


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the test client signed in as ``user`` (anonymous for None)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in
