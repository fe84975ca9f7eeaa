from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import User


def user_invite(*, user: User, base_url: str) -> None:
    """Give a new user an unusable password and mail them a link to choose their own,
    once the transaction that created them has committed."""
    user.set_unusable_password()
    user.save(update_fields=["password"])
    link = base_url + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    message = _(
        "You have been given access to the programme register Liveability and Safety.\n\n"
        "Choose your password here:\n%(link)s\n"
    ) % {"link": link}
    transaction.on_commit(
        lambda: send_mail(
            _("Your account for the programme register"),
            message,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    )
