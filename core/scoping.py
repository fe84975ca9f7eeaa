"""Row scoping for every domain model: ``Model.objects.for_user(user)``.

Who may see what is decided in ``accounts/access.py`` alone. Apps depend one way
(programme <- areas <- accounts <- interventions <- monitor <- reporting), so the apps below
``accounts`` cannot import it; instead accounts registers its policy here when Django
starts (``AccountsConfig.ready``), and querysets and admin of every app ask through it.

A model declares where its rows live with ``area_path``: ``""`` for Area itself, a
lookup such as ``"area"`` or ``"intervention__area"`` for rows of one area (a null
area means programme-wide), or ``None`` (the default) for programme reference data.
"""

from django.db import models

from .protection import refuse_deleting_linked

_policy = None


def register_policy(policy):
    global _policy
    _policy = policy


def policy():
    if _policy is None:
        raise RuntimeError("No access policy registered; is 'accounts' in INSTALLED_APPS?")
    return _policy


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        """The rows of this queryset that ``user`` may see."""
        return policy().visible(user, self)

    def delete(self):
        if getattr(self.model, "protected_relations", ()):
            refuse_deleting_linked(self)
        return super().delete()
