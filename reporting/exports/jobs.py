"""The quarterly report as a background job: a programme-wide file, or a large area's,
is made by a worker, kept privately until it expires, and fetched by its requester
alone, who is asked about again at download (accounts/access.py).

A single area's file with at most ``EXPORT_IN_REQUEST_MAX_INTERVENTIONS`` (2,000)
interventions is still made in the request: bench/exports.py measured the busiest area
of the national data set (1,490 interventions) at 6 to 12 s as XLSX on a machine at
load 8 to 11 (bench/results.md), inside a proxy's 30 to 60 s; the whole quarter took
200 s there.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import access
from core.jobs import JobFailed
from interventions.models import Intervention

from ..models import ExportJob
from .service import CONTENT_TYPES, export_quarter

logger = logging.getLogger(__name__)


def made_in_the_request(*, user, period, area) -> bool:
    """Whether this export is small enough to stream in the request: one area, with at
    most EXPORT_IN_REQUEST_MAX_INTERVENTIONS interventions the user may see."""
    if area is None:
        return False
    count = (
        Intervention.objects.for_user(user)
        .filter(track__programme_id=period.programme_id, area=area)
        .count()
    )
    return count <= settings.EXPORT_IN_REQUEST_MAX_INTERVENTIONS


@transaction.atomic
def start_export(*, user, period, fmt, area=None, via, page_url) -> ExportJob:
    """Queue the quarterly report of ``period`` (or one area) as ``fmt`` for ``user``.
    ``page_url(job)`` is the job's page, named in the e-mail when it is done."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format {fmt!r}")
    job = ExportJob.objects.create(
        user=user,
        period=period,
        area=area,
        format=fmt,
        via=via,
        areas=access.scope_of(user, area),
    )
    job.page_url = page_url(job)
    job.save(update_fields=["page_url"])
    job.enqueue()
    return job


def run_export(job):
    """The worker's side: the file made over what the requester may see now."""
    if not access.may_use_job(job.user, job):
        raise JobFailed(_("You may no longer see everything this export would hold."))
    export = export_quarter(
        user=job.user,
        period=job.period,
        fmt=job.format,
        area=job.area,
        via=job.via,
        progress=job.set_progress,
    )
    job.keep_file(export.name, export.file, export.content_type)


def mail_requester(job):
    """Tell the person who asked that the file is ready, or why it failed."""
    if not job.user.email or not job.user.is_active:
        return
    if job.status == ExportJob.Status.DONE:
        subject = _("Your export %(name)s is ready") % {"name": job.file_name}
        body = _(
            "The quarterly report you asked for is ready. Download it here until "
            "%(expires)s:\n\n%(url)s\n"
        ) % {"expires": job.expires_at.strftime("%d-%m-%Y %H:%M"), "url": job.page_url}
    else:
        subject = _("Your export of %(quarter)s failed") % {"quarter": job.period.label}
        body = _("The export could not be made: %(error)s\n\nTry it again here:\n\n%(url)s\n") % {
            "error": job.error,
            "url": job.page_url,
        }
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [job.user.email])
    except OSError:
        logger.exception("export job %s: the e-mail could not be sent", job.pk)
