"""API token authentication: django-rest-knox's, without its clean-up on every request."""

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox deletes a user's expired tokens whenever one of their tokens is used: a
    query and writes on every API read. Here an expired token is only refused; the
    schedule deletes expired tokens (accounts.tasks.clear_expired_tokens)."""

    def _cleanup_token(self, auth_token) -> bool:
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI schema describes the token as knox's own."""

    target_class = TokenAuthentication
