import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SESSION_STARTED_AT = "session_started_at"


@receiver(user_logged_in)
def remember_when_the_session_started(sender, request, user, **kwargs):
    request.session[SESSION_STARTED_AT] = int(time.time())
