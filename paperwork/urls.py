from django.urls import path

from paperwork import views

app_name = "paperwork"
urlpatterns = [
    path("rujukan/<uuid:code>/surat/", views.letter_print, name="letter_print"),
    path("kasus/<uuid:code>/ringkasan/", views.summary_request, name="summary_request"),
    path("<uuid:code>/", views.document_detail, name="document_detail"),
    path("<uuid:code>/unduh/", views.document_download, name="document_download"),
    path("verifikasi/", views.letter_verify, name="letter_verify"),
    path("tanda-tangan/", views.signatures, name="signatures"),
    path("agenda/", views.agenda_page, name="agenda"),
    path("agenda/tautan/", views.agenda_feed_reset, name="agenda_feed_reset"),
    path("agenda/<str:token>.ics", views.agenda_feed, name="agenda_feed"),
    path("simfoni/", views.simfoni, name="simfoni"),
    path("simfoni/<uuid:code>/", views.simfoni_progress, name="simfoni_progress"),
    path("simfoni/<uuid:code>/status/", views.simfoni_status, name="simfoni_status"),
    path("simfoni/<uuid:code>/unduh/", views.simfoni_download, name="simfoni_download"),
    path("simfoni/<uuid:code>/tandai/", views.simfoni_mark, name="simfoni_mark"),
]
