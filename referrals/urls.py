from django.urls import path

from referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("notifikasi/", views.notifications, name="notifications"),
    path("notifikasi/dibaca/", views.notifications_read, name="notifications_read"),
    path("baru/<uuid:code>/", views.create, name="create"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/ubah/", views.edit, name="edit"),
    path("<uuid:code>/ajukan/", views.submit, name="submit"),
    path("<uuid:code>/setujui/", views.approve, name="approve"),
    path("<uuid:code>/kembalikan/", views.return_, name="return"),
    path("<uuid:code>/terima/", views.accept, name="accept"),
    path("<uuid:code>/tolak/", views.decline, name="decline"),
    path("<uuid:code>/tindakan/", views.record_action, name="action"),
    path("<uuid:code>/selesai/", views.complete, name="complete"),
    path("<uuid:code>/batalkan/", views.cancel, name="cancel"),
]
