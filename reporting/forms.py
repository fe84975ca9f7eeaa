from django import forms
from django.utils.translation import gettext_lazy as _

from programme.models import Programme, ReportingPeriod, Track


class DashboardForm(forms.Form):
    """Which programme, quarter and track the dashboard shows. Empty fields fall back to
    the programme's current quarter; a choice that does not fit gets an error and the
    dashboard shows the current quarter meanwhile."""

    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False, empty_label=None
    )
    quarter = forms.ModelChoiceField(
        label=_("Quarter"), queryset=ReportingPeriod.objects.none(), required=False
    )
    track = forms.ModelChoiceField(
        label=_("Track"),
        queryset=Track.objects.none(),
        required=False,
        empty_label=_("All tracks"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        programmes = Programme.objects.for_user(user).order_by("-start_year", "name")
        self.fields["programme"].queryset = programmes
        self.programme = self._chosen_programme(programmes)
        self.fields["quarter"].queryset = ReportingPeriod.objects.for_user(user).filter(
            programme=self.programme
        )
        self.fields["quarter"].empty_label = _("Current quarter")
        self.fields["quarter"].label_from_instance = quarter_label
        self.fields["track"].queryset = Track.objects.for_user(user).filter(
            programme=self.programme
        )
        self.fields["track"].label_from_instance = lambda track: track.label
        if self.programme is not None:
            self.initial.setdefault("programme", self.programme.pk)

    def _chosen_programme(self, programmes):
        """The programme asked for, else the one whose quarter is open most recently."""
        chosen = self.data.get("programme", "")
        if str(chosen).isdigit():
            programme = programmes.filter(pk=chosen).first()
            if programme is not None:
                return programme
        latest = (
            ReportingPeriod.objects.filter(programme__in=programmes)
            .order_by("-year", "-quarter")
            .select_related("programme")
        )
        period = latest.filter(status=ReportingPeriod.Status.OPEN).first() or latest.first()
        return period.programme if period else programmes.first()

    def choice(self):
        """``(programme, quarter, track)`` to show; the quarter is None when the programme
        has none yet."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        period = data.get("quarter") or self._current_quarter()
        return self.programme, period, data.get("track")

    def _current_quarter(self):
        quarters = self.fields["quarter"].queryset.order_by("-year", "-quarter")
        return quarters.filter(status=ReportingPeriod.Status.OPEN).first() or quarters.first()


def quarter_label(period):
    return f"{period.label} ({period.get_status_display()})"
