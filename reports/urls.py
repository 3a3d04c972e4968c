from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("unduh.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("unduh.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("unduhan/<uuid:code>/", views.export_detail, name="export_detail"),
    path("unduhan/<uuid:code>/status/", views.export_status, name="export_status"),
    path("unduhan/<uuid:code>/berkas/", views.export_download, name="export_download"),
    path("laporan/", views.run_create, name="run_create"),
    path("laporan/<uuid:code>/", views.run_detail, name="run_detail"),
    path("laporan/<uuid:code>/status/", views.run_status, name="run_status"),
    path("laporan/<uuid:code>/unduh/", views.run_download, name="run_download"),
]
urlpatterns += [
    path("rakor/<uuid:code>/paket/", views.meeting_pack, name="meeting_pack"),
    path("rakor/<uuid:code>/notulen.pdf", views.meeting_minutes, name="meeting_minutes"),
]
urlpatterns += [
    path("rekap/", views.recap_list, name="recap_list"),
    path("rekap/baru/", views.recap_create, name="recap_create"),
    path("rekap/<uuid:code>/", views.recap_detail, name="recap_detail"),
    path("rekap/<uuid:code>/tarik/", views.recap_withdraw, name="recap_withdraw"),
]
