from django.urls import path

from coordination import community_views as views

app_name = "community"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("baru/", views.report_create, name="create"),
    path("<uuid:code>/", views.report_detail, name="detail"),
    path("<uuid:code>/mulai-pengaduan/", views.report_start_intake, name="start_intake"),
    path("<uuid:code>/tutup/", views.report_close, name="close"),
]
