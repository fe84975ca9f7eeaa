import pytest

from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(email="beheer@example.org", is_superuser=True)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client
