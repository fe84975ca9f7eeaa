"""PROTECT for many-to-many links.

A foreign key can say ``on_delete=PROTECT``; a many-to-many link cannot, so deleting a
theme would silently strip it from every intervention. A model lists the related
names it must not lose in ``protected_relations``; deleting a row that still has such
links raises ProtectedError before anything is written (as PROTECT does), and the
admin lists the links as protected.
"""

from django.db import models
from django.db.models import ProtectedError


def dependants(obj):
    """The rows that still link to ``obj`` through its protected relations."""
    found = []
    for name in getattr(type(obj), "protected_relations", ()):
        found.extend(getattr(obj, name).all()[:20])
    return found


def refuse_deleting_linked(objs):
    linked = [dependant for obj in objs for dependant in dependants(obj)]
    if linked:
        raise ProtectedError("Other records still link to the rows being deleted.", set(linked))


class ProtectedLinksMixin(models.Model):
    protected_relations = ()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        refuse_deleting_linked([self])
        return super().delete(*args, **kwargs)
