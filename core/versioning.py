"""Optimistic concurrency: of two people saving the same record, the second is refused.

Every save carries the version it started from; the row is locked, its stored version
compared, and the version raised by one. A form shows the version as a hidden field,
so a stale form gets a clear error and keeps what was typed.
"""

import contextvars
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

# Versions read under lock for a check of many rows (see ``loaded_under_lock``).
_locked_versions = contextvars.ContextVar("locked_versions", default=None)

CONFLICT = _(
    "Someone else saved this record while you were editing it. Your changes have not "
    "been saved: copy what you typed, reload the page and enter it again."
)


class ConcurrentEditError(ValidationError):
    def __init__(self):
        super().__init__(CONFLICT, code="concurrent_edit")


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by one on every save.")
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic():
            editing = bool(self.pk) and not self._state.adding
            if editing:
                if self.stored_version(lock=True) != self.version:
                    raise ConcurrentEditError()
                self.version += 1
            try:
                super().save(*args, **kwargs)
            except Exception:
                if editing:
                    self.version -= 1
                raise

    def stored_version(self, lock=False):
        known = _locked_versions.get()
        if not lock and known is not None and (type(self), self.pk) in known:
            return known[type(self), self.pk]
        queryset = type(self)._base_manager.filter(pk=self.pk)
        if lock:
            queryset = queryset.select_for_update()
        return queryset.values_list("version", flat=True).first()

    def clean(self):
        super().clean()
        if self.pk and not self._state.adding and self.stored_version() != self.version:
            raise ConcurrentEditError()


@contextmanager
def loaded_under_lock(rows):
    """For a check of many rows read with ``select_for_update()`` in the transaction that
    is still open: their stored versions are the ones loaded, so ``clean()`` need not read
    each again. Leave the block before that transaction ends."""
    token = _locked_versions.set({(type(row), row.pk): row.version for row in rows})
    try:
        yield
    finally:
        _locked_versions.reset(token)


def raise_versions(model, rows):
    """For a write of many rows at once, as ``save()`` does for one: each row's stored
    version must still be the one it carries (the rows stay locked until the transaction
    ends), and rises by one. Raises ConcurrentEditError otherwise."""
    stored = dict(
        model._base_manager.select_for_update()
        .filter(pk__in=[row.pk for row in rows])
        .values_list("pk", "version")
    )
    if any(stored.get(row.pk) != row.version for row in rows):
        raise ConcurrentEditError()
    for row in rows:
        row.version += 1
