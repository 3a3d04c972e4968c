from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("ekspor/kasus/<uuid:code>/", views.export_request, name="export_request"),
    path("ekspor/<uuid:code>/unduh/", views.export_download, name="export_download"),
]
