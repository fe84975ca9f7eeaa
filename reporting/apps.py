from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Quarterly reporting")

    def ready(self):
        from . import cache, signals  # noqa: F401  (signals connects its receivers)

        cache.connect()
