from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("templat.xlsx", views.template_download, name="template"),
    path("templat-csv.zip", views.csv_template_download, name="csv_template"),
    path("penduduk/", views.population, name="population"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/konfirmasi/", views.confirm, name="confirm"),
]
