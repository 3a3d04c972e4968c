from django.urls import path

from coordination import views

app_name = "coordination"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("baru/", views.meeting_create, name="create"),
    path("<uuid:code>/", views.meeting_detail, name="detail"),
    path("<uuid:code>/kehadiran/", views.attendance, name="attendance"),
    path("<uuid:code>/notulen/", views.minutes, name="minutes"),
    path("<uuid:code>/keputusan/", views.decision, name="decision"),
    path("<uuid:code>/tindak-lanjut/", views.action_create, name="action_create"),
    path("tindak-lanjut/", views.actions, name="actions"),
    path("tindak-lanjut/<uuid:code>/", views.action_detail, name="action"),
]
