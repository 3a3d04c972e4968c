"""Who may print, download and verify the office's documents. Built on `ppa.access` (the
case and referral rules); views ask these functions only."""

import uuid

from django.http import Http404

from cases import access as case_rules
from cases.models import Case
from paperwork.models import DocumentKind, PrintedDocument, SimfoniExport
from ppa import access as roles
from ppa.models import Role, User
from referrals import access as referral_rules
from referrals.models import Referral, ReferralStatus

__all__ = [
    "LETTER_STATES",
    "PRINTING_ROLES",
    "VERIFYING_ROLES",
    "can_print_referral_letter",
    "can_print_case_summary",
    "can_verify_letter",
    "can_set_agency_head",
    "get_document_for_user",
    "can_export_simfoni",
    "can_see_agenda",
    "get_simfoni_export_for_user",
    "get_own_simfoni_export_for_user",
]

# A letter exists only for an approved referral (and stays printable after the answer).
LETTER_STATES = (
    ReferralStatus.APPROVED,
    ReferralStatus.DELIVERED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
    ReferralStatus.COMPLETED,
)
PRINTING_ROLES = (Role.CASE_WORKER, Role.SUPERVISOR)
VERIFYING_ROLES = (Role.PARTNER, Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR)


def can_print_referral_letter(user: User, referral: Referral) -> bool:
    """Case workers and supervisors of the sending UPTD, once a supervisor approved it."""
    return (
        referral.status in LETTER_STATES
        and referral.approved_by_id is not None
        and referral_rules.referral_side(user, referral) == "sender"
        and roles.has_role(user, *PRINTING_ROLES)
    )


def can_print_case_summary(user: User, case: Case) -> bool:
    """Case workers and supervisors of the owning UPTD (`case` from get_case_for_user)."""
    return case.access.is_owner and roles.has_role(user, *PRINTING_ROLES)


def can_verify_letter(user: User, referral: Referral) -> bool:
    """Signed-in staff of the sending UPTD or of the receiving agency (once delivered)."""
    return referral_rules.referral_side(user, referral) in ("sender", "receiver")


def can_set_agency_head(user: User) -> bool:
    """Supervisors of an UPTD and officials of an office name their agency's head (the
    signature of its reports); everyone sets their own title and NIP."""
    return (
        roles.has_role(user, Role.SUPERVISOR, Role.OFFICIAL)
        and user.agency is not None
        and user.agency.is_active
    )


def get_document_for_user(user: User, code: uuid.UUID | str) -> PrintedDocument:
    """A printed document: a letter for the sending UPTD's printing staff (403 for its other
    staff), a summary for the user who asked for it; 404 for everyone else."""
    document = (
        PrintedDocument.objects.select_related("case", "referral", "agency")
        .filter(code=code)
        .first()
    )
    if document is None:
        raise Http404
    if document.kind == DocumentKind.REFERRAL_LETTER:
        referral = document.referral
        assert referral is not None, "a referral letter has its referral (check constraint)"
        if referral_rules.referral_side(user, referral) != "sender":
            raise Http404
        # Sending staff who may look at the referral but not print (intake officers): 403.
        roles.deny_unless(can_print_referral_letter(user, referral))
        return document
    case = case_rules.get_case_for_user(user, document.case.code)
    if not (can_print_case_summary(user, case) and document.requested_by_id == user.pk):
        raise Http404
    return document


def can_export_simfoni(user: User) -> bool:
    """Supervisors and the data officer of an UPTD PPA (the case owner) export its cases for
    SIMFONI (personal data: a reason, a log row, a one-time expiring link)."""
    return (
        roles.has_role(user, Role.SUPERVISOR, Role.DATA_OFFICER)
        and user.agency is not None
        and user.agency.is_case_owner
        and user.agency.is_active
    )


def get_simfoni_export_for_user(user: User, code: uuid.UUID | str) -> SimfoniExport:
    """An export of the user's agency: 403 for roles without the export, 404 otherwise."""
    roles.deny_unless(can_export_simfoni(user))
    assert user.agency_id is not None, "can_export_simfoni requires an agency"
    export = SimfoniExport.objects.filter(code=code, agency_id=user.agency_id).first()
    if export is None:
        raise Http404
    return export


def get_own_simfoni_export_for_user(user: User, code: uuid.UUID | str) -> SimfoniExport:
    """An export's progress page is its requester's alone: 404 for anyone else."""
    export = get_simfoni_export_for_user(user, code)
    if export.requested_by_id != user.pk or export.run_id is None:
        raise Http404
    return export


def can_see_agenda(user: User) -> bool:
    """Case workers and supervisors of an UPTD PPA see their deadlines."""
    return roles.is_staff_of_case_owner(user) and roles.has_role(user, *PRINTING_ROLES)
