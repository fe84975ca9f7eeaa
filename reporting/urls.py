from django.urls import path

from . import views

app_name = "pages"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("gebieden/<int:pk>/", views.area_page, name="area"),
    path("mijn-kwartaal/", views.my_quarter, name="my-quarter"),
]
