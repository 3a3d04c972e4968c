from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ppa.admin import NoWriteAdmin
from ppa.http import AuthedRequest
from privacy.models import AnonymisedCase, CaseExport, SubjectRequest
from privacy.services import SubjectRefused, subject_file, subject_people


@admin.register(CaseExport)
class CaseExportAdmin(NoWriteAdmin):
    list_display = ["created_at", "case", "requested_by", "reason", "expires_at", "downloaded_at"]
    date_hierarchy = "created_at"


@admin.register(SubjectRequest)
class SubjectRequestAdmin(admin.ModelAdmin):
    """Requests of data subjects; the action builds the file (or records the refusal)."""

    list_display = ["received_at", "case_number", "requester", "status", "answered_at"]
    list_filter = ["status"]
    fields = ["case_number", "person_code", "requester", "status", "refusal_reason"]
    readonly_fields = ["status"]
    actions = ["answer"]

    @admin.action(description=_("Buat berkas data subjek (ZIP)"))
    def answer(self, request: AuthedRequest, queryset: QuerySet) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Pilih tepat satu permintaan."), messages.ERROR)
            return None
        subject = queryset.get()
        people = subject_people(case_number=subject.case_number, person_code=subject.person_code)
        try:
            data = subject_file(actor=request.user, people=people, reason=subject.requester)
        except SubjectRefused as refusal:
            subject.status = SubjectRequest.Status.REFUSED
            subject.refusal_reason = str(refusal)[:500]
            subject.handled_by, subject.answered_at = request.user, timezone.now()
            subject.save()
            self.message_user(request, str(refusal), messages.WARNING)
            return None
        subject.status = SubjectRequest.Status.ANSWERED
        subject.handled_by, subject.answered_at = request.user, timezone.now()
        subject.save()
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="subjek-data-{subject.pk}.zip"'
        response["Cache-Control"] = "no-store"
        return response


@admin.register(AnonymisedCase)
class AnonymisedCaseAdmin(admin.ModelAdmin):
    list_display = ["case", "at", "retention_years"]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
