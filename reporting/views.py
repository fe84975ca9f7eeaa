"""The pages: the programme dashboard, an area's page and "my quarter" for a liaison.

Every row and every figure on them comes from ``for_user`` querysets, so a page shows
and counts only what the signed-in user may see. Each page runs a fixed number of
queries, whatever the number of areas, interventions or quarters.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from accounts import access
from areas.models import Area, AreaDocument
from core import documents

from . import cache as figures_cache
from . import pages
from .forms import DashboardForm
from .models import ExportJob


@login_required
def dashboard(request):
    form = DashboardForm(request.GET or None, user=request.user)
    programme, period, track = form.choice()
    context = {
        "nav": "dashboard",
        "form": form,
        "programme": programme,
        "period": period,
        "track": track,
    }
    if period is not None:
        today = timezone.localdate()
        # Computed only when the rendered figures are not in the cache (the template's
        # {% cache %} block, keyed by what they are made of: reporting/cache.py).
        context["dashboard"] = SimpleLazyObject(
            lambda: pages.dashboard(user=request.user, period=period, track=track, today=today)
        )
        context["figures_key"] = figures_cache.dashboard_key(
            user=request.user, period=period, track=track, today=today
        )
    context["exports"] = period is not None and access.may_export(request.user)
    return render(request, "pages/dashboard.html", context)


@login_required
def area_page(request, pk):
    area = get_object_or_404(
        Area.objects.for_user(request.user)
        .select_related("municipality", "rijk_contact_ministry")
        .prefetch_related("tracks__programme", "neighbourhoods"),
        pk=pk,
    )
    context = {
        "area": area,
        **pages.area(user=request.user, area=area, page_number=request.GET.get("pagina")),
    }
    context["editable"] = access.may_edit_in_admin(request.user, area)
    return render(request, "pages/area.html", context)


@login_required
def area_document(request, pk):
    """A document of an area's dossier, for those who may see the area; anyone else is
    told it does not exist."""
    document = get_object_or_404(AreaDocument.objects.for_user(request.user), pk=pk)
    if not access.may_take_document(request.user, document):
        raise Http404
    return documents.download(
        document.file, title=document.title, content_type=document.content_type
    )


@login_required
def my_quarter(request):
    context = {
        "nav": "my-quarter",
        **pages.my_quarter(user=request.user, today=timezone.localdate()),
    }
    return render(request, "pages/my_quarter.html", context)


def _own_export(request, pk):
    """The export job, if it is the user's and they may still see all it holds."""
    job = get_object_or_404(
        ExportJob.objects.for_user(request.user).select_related("period", "area"), pk=pk
    )
    if not access.may_use_job(request.user, job):
        raise Http404
    return job


@login_required
def export_job(request, pk):
    """A quarterly report in the making: its progress, then its download (or why it
    failed, with a button to try again)."""
    job = _own_export(request, pk)
    return render(request, "pages/export_job.html", {"job": job})


@login_required
def export_job_download(request, pk):
    job = _own_export(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.file_name,
        content_type=job.content_type,
    )


@login_required
@require_POST
def export_job_retry(request, pk):
    job = _own_export(request, pk)
    try:
        job.retry()
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("pages:export-job", pk=job.pk)
