from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ContextMeasure


class CompareForm(forms.Form):
    """Which measure and year the compare page shows."""

    measure = forms.ModelChoiceField(
        label=_("Measure"),
        queryset=ContextMeasure.objects.all(),
        to_field_name="code",
        empty_label=None,
        required=False,
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, year) for year in reversed(years)]
