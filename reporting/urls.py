from django.urls import path

from . import views

app_name = "pages"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("gebieden/<int:pk>/", views.area_page, name="area"),
    path("gebieden/documenten/<int:pk>/", views.area_document, name="area-document"),
    path("mijn-kwartaal/", views.my_quarter, name="my-quarter"),
    path("exports/<int:pk>/", views.export_job, name="export-job"),
    path("exports/<int:pk>/download/", views.export_job_download, name="export-job-download"),
    path("exports/<int:pk>/retry/", views.export_job_retry, name="export-job-retry"),
]
