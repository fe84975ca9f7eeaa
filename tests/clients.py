"""The API's test client, signed in: one way for every test module."""

from rest_framework.test import APIClient


def api_client(user=None, **options):
    """An APIClient signed in as ``user`` (anonymous for None); ``options`` go to
    APIClient, e.g. ``raise_request_exception=False`` to see a 500 as a response."""
    client = APIClient(**options)
    if user is not None:
        client.force_login(user)
    return client
