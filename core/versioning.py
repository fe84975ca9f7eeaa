"""Optimistic concurrency: of two people saving the same record, the second is refused.

Every save carries the version it started from; the row is locked, its stored version
compared, and the version raised by one. A form shows the version as a hidden field,
so a stale form gets a clear error and keeps what was typed.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

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
        queryset = type(self)._base_manager.filter(pk=self.pk)
        if lock:
            queryset = queryset.select_for_update()
        return queryset.values_list("version", flat=True).first()

    def clean(self):
        super().clean()
        if self.pk and not self._state.adding and self.stored_version() != self.version:
            raise ConcurrentEditError()
