from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("pengaduan/", views.intake, name="intake"),
    path("pengaduan/draf/", views.drafts, name="drafts"),
    path("kualitas-data/", views.data_quality, name="data_quality"),
    path("pengaduan/<uuid:code>/hapus/", views.draft_delete, name="draft_delete"),
    path("pengaduan/<uuid:code>/<slug:step>/", views.intake_step, name="intake_step"),
    path("dokumen/<uuid:code>/", views.document_download, name="document"),
    path("<uuid:code>/", views.case_detail, name="detail"),
    path("<uuid:code>/cetak/", views.case_print, name="print"),
    path("<uuid:code>/riwayat/", views.case_history, name="history"),
    path("<uuid:code>/formulir/<slug:action>/", views.case_action_form, name="action_form"),
    path("<uuid:code>/ubah/", views.case_edit, name="edit"),
    path("<uuid:code>/orang/<uuid:person>/ubah/", views.person_edit, name="person_edit"),
    path("<uuid:code>/tahap/", views.case_advance, name="advance"),
    path("<uuid:code>/catatan/", views.case_record, name="record"),
    path("<uuid:code>/terminasi/", views.closure_request, name="closure_request"),
    path("<uuid:code>/terminasi/keputusan/", views.closure_decide, name="closure_decide"),
    path("<uuid:code>/buka-kembali/", views.case_reopen, name="reopen"),
    path("<uuid:code>/manajer-kasus/", views.case_assign, name="assign"),
    path("<uuid:code>/layanan/", views.service_add, name="service_add"),
    path("<uuid:code>/proses-hukum/", views.legal_add, name="legal_add"),
    path("<uuid:code>/dokumen/", views.document_upload, name="document_upload"),
    path("<uuid:code>/batas-waktu/<slug:kind>/", views.deadline_done, name="deadline_done"),
]
