import time

from django.conf import settings
from django.contrib.auth import logout

from .signals import SESSION_STARTED_AT


class AbsoluteSessionLifetimeMiddleware:
    """Ends a session a fixed time after sign-in, however active it stayed.

    The idle timeout is Django's own: SESSION_COOKIE_AGE renewed on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_AT)
            if started is None or time.time() - started > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
        return self.get_response(request)
