"""The pages: the programme dashboard, an area's page and "my quarter" for a liaison.

Every row and every figure on them comes from ``for_user`` querysets, so a page shows
and counts only what the signed-in user may see. Each page runs a fixed number of
queries, whatever the number of areas, interventions or quarters.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts import access
from areas.models import Area

from . import pages
from .forms import DashboardForm


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
        context.update(
            pages.dashboard(
                user=request.user, period=period, track=track, today=timezone.localdate()
            )
        )
    context["exports"] = period is not None and access.may_export(request.user)
    return render(request, "pages/dashboard.html", context)


@login_required
def area_page(request, pk):
    area = get_object_or_404(
        Area.objects.for_user(request.user)
        .select_related("municipality")
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
def my_quarter(request):
    context = {
        "nav": "my-quarter",
        **pages.my_quarter(user=request.user, today=timezone.localdate()),
    }
    return render(request, "pages/my_quarter.html", context)
