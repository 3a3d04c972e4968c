"""A coordination meeting of the own city's DP3AP2KB (official_own), with the own UPTD and the
own police unit invited, one decision and one action assigned to the police unit."""

import datetime as dt

from django.utils import timezone

from coordination import services
from coordination.models import Decision, FollowUpAction, Meeting
from coordination.services import ActionData, MeetingData
from tests.world import World


def make_meeting(
    w: World,
    *,
    days_ago: int = 0,
    title: str = "Rakor PPA triwulan I",
    starts_at: dt.datetime | None = None,
) -> Meeting:
    return services.meeting_create(
        actor=w.users["official_own"],
        data=MeetingData(
            title=title,
            starts_at=starts_at or timezone.now() - dt.timedelta(days=days_ago),
            place="Aula Balai Kota",
            invited=[w.agencies["uptd_own"], w.agencies["police_own"]],
            guests="Kepala Desa Koto Baru",
            agenda=["Paparan data tahunan", "Penanganan kasus lintas sektor"],
        ),
    )


def make_decision(
    w: World, meeting: Meeting, *, due: dt.date | None = None
) -> tuple[Decision, FollowUpAction]:
    decision = services.decision_record(
        actor=w.users["official_own"],
        meeting=meeting,
        text="Percepat pemeriksaan kasus anak.",
        agenda_item=meeting.agenda.first(),
        actions=[
            ActionData(
                agency=w.agencies["police_own"],
                description="Unit PPA menjadwalkan pemeriksaan saksi.",
                due_date=due or timezone.localdate() + dt.timedelta(days=14),
            )
        ],
    )
    return decision, decision.actions.get()
