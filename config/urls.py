from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from reporting.api.views import QuarterlyReportView

from .api import router

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/quarterly-report/", QuarterlyReportView.as_view(), name="quarterly-report"),
    path("api/v1/", include("config.api")),  # uploads and templates, before the router
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("monitor/", include("monitor.urls")),
    path("", include("reporting.urls")),
]
