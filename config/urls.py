from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Programme register Liveability and Safety")
admin.site.site_title = _("Programme register Liveability and Safety")
admin.site.index_title = _("Areas, partners, governance and interventions")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

