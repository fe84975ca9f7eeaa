from django.conf import settings
from django.contrib.admin import AdminSite
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite


class RegisterAdminSite(OTPAdminSite):
    """The admin, with a TOTP second factor when REQUIRE_SECOND_FACTOR is on
    (production); without it in development and the demo."""

    site_header = _("Programme register Liveability and Safety")
    site_title = _("Programme register Liveability and Safety")
    index_title = _("Areas, partners, governance and interventions")
    site_url = reverse_lazy("pages:dashboard")  # "View site" leads to the dashboard

    @property
    def login_form(self):
        return OTPAdminSite.login_form if settings.REQUIRE_SECOND_FACTOR else None

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.REQUIRE_SECOND_FACTOR else None

    def has_permission(self, request):
        if settings.REQUIRE_SECOND_FACTOR:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)
