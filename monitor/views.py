"""The compare page: one measure in one year across every area the user may see."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors
from .forms import CompareForm


@login_required
def compare(request):
    code = request.GET.get("measure") or selectors.HEADLINE
    measure = selectors.measure_by_code(code) or selectors.measure_by_code(selectors.HEADLINE)
    years = selectors.years_of(user=request.user, measure=measure) if measure else []
    form = CompareForm(request.GET or None, years=years)
    year = years[-1] if years else None
    if request.GET and form.is_valid():
        measure = form.cleaned_data["measure"] or measure
        years = selectors.years_of(user=request.user, measure=measure)
        year = form.cleaned_data["year"] or (years[-1] if years else None)
    context = {"nav": "monitor", "form": form, "measure": measure, "year": year}
    if measure is not None and year is not None:
        context.update(selectors.compare(user=request.user, measure=measure, year=year))
    return render(request, "monitor/compare.html", context)
