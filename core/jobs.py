"""Background jobs: work too long for a web request (a programme-wide export, a large
import) done by a Celery worker, or in-process when no broker is set.

A job is a row: who asked, its status (queued, running, done, failed) and progress,
why it failed, and its file, kept in the private file storage (``STORAGES["private"]``,
never served by URL: only through a view that asks ``accounts/access.py``) until it
expires. Concrete jobs subclass ``Job`` and implement ``run()``; ``enqueue()`` hands
the job to a worker once the transaction that made it has committed. A job the worker
lost (its process died) is delivered again; a finished one is never run twice.
"""

import datetime
import logging
import uuid

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import storages
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)


def private_storage():
    return storages["private"]


def job_file_path(job, filename):
    # A random name: nothing about the file can be guessed from its path.
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"jobs/{job._meta.model_name}/{uuid.uuid4().hex}.{extension}"


class JobFailed(Exception):
    """A job that cannot be done, with a reason the person who asked can act on."""


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("queued")
        RUNNING = "running", gettext_lazy("running")
        DONE = "done", gettext_lazy("done")
        FAILED = "failed", gettext_lazy("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("asked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        gettext_lazy("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(gettext_lazy("progress (%)"), default=0)
    error = models.TextField(gettext_lazy("why it failed"), blank=True)
    created_at = models.DateTimeField(gettext_lazy("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(gettext_lazy("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(gettext_lazy("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(gettext_lazy("file kept until"), null=True, blank=True)
    file = models.FileField(
        gettext_lazy("file"),
        storage=private_storage,
        upload_to=job_file_path,
        max_length=200,
        blank=True,
    )
    file_name = models.CharField(gettext_lazy("file name"), max_length=200, blank=True)
    content_type = models.CharField(gettext_lazy("content type"), max_length=100, blank=True)
    # The areas whose rows the job reads or writes, as its requester could see them when
    # asking (accounts.access.scope_of); null: every area. Asked again at download.
    areas = models.JSONField(gettext_lazy("areas"), null=True, blank=True, editable=False)

    owner_path = "user"
    # Nobody, a coordinator included, sees or downloads another person's job.
    private_to_owner = True

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def run(self):
        """Do the work: report progress with ``set_progress`` and keep the outcome with
        ``keep_file``. Raise JobFailed with a reason the person can act on."""
        raise NotImplementedError

    def finished(self):
        """Called once the job is done or failed and saved (an e-mail, say)."""

    def enqueue(self):
        label = self._meta.label_lower
        pk = self.pk
        transaction.on_commit(lambda: run_job.delay(label, pk))

    def retry(self):
        """Queue a failed job again, as it was asked."""
        if self.status != self.Status.FAILED:
            raise ValidationError(_("Only a failed job can be tried again."), code="not_failed")
        self.status, self.progress, self.error = self.Status.QUEUED, 0, ""
        self.started_at = self.finished_at = None
        self.save()
        self.enqueue()

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def file_expired(self):
        return self.status == self.Status.DONE and not self.file

    def _progress_key(self):
        return f"job-progress:{self._meta.label_lower}:{self.pk}"

    def set_progress(self, percent):
        """Tell how far the job is. The shared cache carries it at once; the row too,
        unless the work runs in a transaction that others cannot read into yet."""
        percent = max(0, min(100, int(percent)))
        self.progress = percent
        cache.set(self._progress_key(), percent, timeout=24 * 3600)
        if not connection.in_atomic_block:
            type(self)._base_manager.filter(pk=self.pk).update(progress=percent)

    def current_progress(self):
        if self.status == self.Status.RUNNING:
            return cache.get(self._progress_key(), self.progress)
        return 100 if self.status == self.Status.DONE else self.progress

    def keep_file(self, name, content, content_type):
        """Store the job's outcome (a file object) privately under ``name``."""
        content.seek(0)
        self.file.save(name, File(content, name=name), save=False)
        self.file_name, self.content_type = name, content_type


def too_large_for_a_request(upload):
    """Whether an uploaded file (None: no file) is imported by a worker rather than in
    the request."""
    return upload is not None and upload.size > settings.IMPORT_IN_REQUEST_MAX_BYTES


def kept_until(now=None):
    return (now or timezone.now()) + datetime.timedelta(days=settings.JOB_FILES_KEPT_DAYS)


@shared_task(name="core.jobs.run_job")
def run_job(label, pk):
    model = apps.get_model(label)
    with transaction.atomic():
        job = model._base_manager.select_for_update().filter(pk=pk).first()
        if job is None or job.is_finished:
            return  # gone, or delivered twice: done once is enough
        job.status, job.started_at, job.progress = Job.Status.RUNNING, timezone.now(), 0
        job.save(update_fields=["status", "started_at", "progress"])
    try:
        job.run()
    except (JobFailed, ValidationError) as error:
        reason = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        _finish(job, Job.Status.FAILED, reason)
    except Exception:
        logger.exception("job %s %s failed", label, pk)
        _finish(
            job,
            Job.Status.FAILED,
            _(
                "An unexpected error stopped the job. Try again; if it fails again, tell the "
                "programme's administrators."
            ),
        )
    else:
        _finish(job, Job.Status.DONE, "")


def _finish(job, status, error):
    now = timezone.now()
    job.status, job.error, job.finished_at = status, error, now
    if status == Job.Status.DONE:
        job.progress = 100
    job.expires_at = kept_until(now)
    job.save()
    cache.delete(job._progress_key())
    logger.info("job %s %s %s", job._meta.label_lower, job.pk, status)
    job.finished()


def job_models():
    return [model for model in apps.get_models() if issubclass(model, Job)]


@shared_task(name="core.jobs.remove_expired_files")
def remove_expired_files(now=None):
    """Hourly (CELERY_BEAT_SCHEDULE): delete the files of jobs past their expiry; the
    rows stay, saying the file has expired. Returns how many files went."""
    now = now or timezone.now()
    removed = 0
    for model in job_models():
        fields = [f for f in model._meta.fields if isinstance(f, models.FileField)]
        for job in model._base_manager.filter(expires_at__lt=now):
            changed = []
            for field in fields:
                stored = getattr(job, field.name)
                if stored:
                    stored.delete(save=False)
                    changed.append(field.name)
                    removed += 1
            if changed:
                job.save(update_fields=changed)
    return removed
