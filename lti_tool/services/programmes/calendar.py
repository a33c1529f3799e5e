"""iCalendar (RFC 5545) files for programme dates: one per session, and a per-learner subscription feed.

- Each event keeps one UID for life (RFC 5545 §3.8.4.7; a random UUID, as RFC 7986 §5.3 recommends)
  and a SEQUENCE that grows with every change
  (§3.8.7.4), with DTSTAMP (§3.8.7.2) the time of writing: a calendar that fetches the feed again
  replaces its copy of a moved session rather than adding a second one.
- A cancelled session stays in the feed with STATUS:CANCELLED (§3.8.1.11), so calendars drop it.
- The feed address carries a per-learner secret; only its SHA-256 hash is stored. Resetting it replaces
  the hash, so the old address stops working at once. The feed holds the learner's own programme dates
  only: the cohort's shared sessions and their own one-to-ones, never anyone else's notes or names.
- Follow-up reminders (issue 12): the day a follow-up on an L2 action will be asked appears in the
  participant's feed, and in the learner feed every learner can have outside a programme
  (`LearnerFeed`, same secret and reset rules). Its UID is derived from course, learner and toolkit
  (a UUID 5, naming none of them), so it stays one event; "ask me later" moves it with a higher SEQUENCE.
See docs/programmes.md and docs/evaluation.md.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import EventStatus, LearnerFeed, ProgrammeEvent, ProgrammeParticipant, ProgrammeRun
from lti_tool.services.evaluation.followups import Reminder, reminders
from lti_tool.services.programmes import runs
from lti_tool.words import N_

PRODID = "-//SWOTT Connect//Programmes//EN"
TOKEN_BYTES = 32


@dataclass(frozen=True)
class CalendarWords:
    """The words the tool adds to programme calendar entries, English by default; the views fill them in
    the learner's language (`translated`): the page's for a one-date file, the feed address's `lang`."""

    due: str = N_("Due: %(title)s")
    description: str = N_("%(cohort)s: programme %(programme)s")
    name: str = N_("Programme: %(cohort)s")
    follow_up: str = N_("Follow-up: did you carry out your action? (%(toolkit)s)")
    follow_up_description: str = N_(
        "Open the toolkit in your course from this day: SWOTT Connect will ask whether you carried out the action "
        "you planned in your L2 reflection. It takes two minutes."
    )
    learner_feed: str = N_("SWOTT Connect: your dates")

    @classmethod
    def translated(cls, gettext: Callable[[str], str]) -> CalendarWords:
        english = cls()
        return cls(**{f.name: gettext(getattr(english, f.name)) for f in fields(cls)})


ENGLISH_WORDS = CalendarWords()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reset_feed_token(session: Session, participant: ProgrammeParticipant) -> str:
    """A new feed secret for this participant (returned once); the previous address stops working."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    participant.feed_token_hash = _hash(token)
    session.flush()
    return token


def participant_by_token(session: Session, token: str) -> ProgrammeParticipant | None:
    if not token or len(token) > 128:
        return None
    query = select(ProgrammeParticipant).where(ProgrammeParticipant.feed_token_hash == _hash(token))
    return session.scalars(query).first()


def _vevent(run: ProgrammeRun, event: ProgrammeEvent, stamp: datetime, words: CalendarWords) -> Event:
    item = Event()
    item.add("uid", event.uid)
    item.add("dtstamp", stamp)
    item.add("sequence", event.sequence)
    if event.due_at is not None:
        # A toolkit L1: the entry marks the time it is due.
        item.add("summary", words.due % {"title": event.title})
        item.add("dtstart", event.due_at - timedelta(minutes=event.minutes))
        item.add("dtend", event.due_at)
    else:
        item.add("summary", event.title)
        item.add("dtstart", event.starts_at)
        item.add("dtend", event.starts_at + timedelta(minutes=event.minutes))
    if event.place:
        item.add("location", event.place)
    if event.video_link:
        item.add("url", event.video_link)
    item.add("description", words.description % {"cohort": run.cohort_name, "programme": run.template_id})
    item.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    return item


def calendar_bytes(
    run: ProgrammeRun | None, found: Iterable[ProgrammeEvent], now: datetime, name: str = "",
    extra: Sequence[Event] = (), words: CalendarWords = ENGLISH_WORDS,
) -> bytes:  # fmt: skip
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    for event in found:
        assert run is not None
        cal.add_component(_vevent(run, event, now, words))
    for item in extra:
        cal.add_component(item)
    return bytes(cal.to_ical())


# --- Follow-up reminders ------------------------------------------------------------------------------

_FOLLOW_UP_NAMESPACE = uuid.UUID("8f1d6b0e-5b52-4c3e-9f0a-6d1f4b7e2a11")  # this tool's own, fixed for life


def follow_up_uid(user_id: int, reminder: Reminder) -> str:
    key = f"follow-up/{reminder.context_id}/{user_id}/{reminder.toolkit_id}"
    return f"{uuid.uuid5(_FOLLOW_UP_NAMESPACE, key)}@swott-connect"


def follow_up_events(
    session: Session,
    *,
    user_id: int,
    days: int,
    now: datetime,
    title_of: Callable[[str], str],
    words: CalendarWords = ENGLISH_WORDS,
) -> list[Event]:
    """One all-day event per follow-up to come: the day the learner's next launch will ask about it."""
    found = []
    for reminder in reminders(session, user_id=user_id, days=days):
        item = Event()
        item.add("uid", follow_up_uid(user_id, reminder))
        item.add("dtstamp", now)
        # Each "ask me later" moves the day on: the minutes it moved make a SEQUENCE that only grows.
        base = reminder.on if reminder.later_from is None else reminder.later_from
        item.add("sequence", max(0, int((reminder.on - base).total_seconds() // 60)))
        item.add("dtstart", reminder.on.date())
        item.add("dtend", reminder.on.date() + timedelta(days=1))
        item.add("summary", words.follow_up % {"toolkit": title_of(reminder.toolkit_id)})
        item.add("description", words.follow_up_description)
        item.add("transp", "TRANSPARENT")
        item.add("status", "CONFIRMED")
        found.append(item)
    return found


# --- A learner's own feed, outside any programme ----------------------------------------------------------


def reset_learner_feed_token(session: Session, user_id: int) -> str:
    """A new feed secret for this learner (returned once); the previous address stops working."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = session.scalars(select(LearnerFeed).where(LearnerFeed.user_id == user_id)).first()
    if row is None:
        row = LearnerFeed(user_id=user_id, token_hash=_hash(token))
        session.add(row)
    row.token_hash = _hash(token)
    session.flush()
    return token


def has_learner_feed(session: Session, user_id: int) -> bool:
    return session.scalar(select(LearnerFeed.id).where(LearnerFeed.user_id == user_id)) is not None


def learner_by_token(session: Session, token: str) -> LearnerFeed | None:
    if not token or len(token) > 128:
        return None
    return session.scalars(select(LearnerFeed).where(LearnerFeed.token_hash == _hash(token))).first()


def event_file(run: ProgrammeRun, event: ProgrammeEvent, now: datetime, words: CalendarWords = ENGLISH_WORDS) -> bytes:
    """The .ics of one session."""
    return calendar_bytes(run, [event], now, words=words)


def feed(
    session: Session, participant: ProgrammeParticipant, now: datetime, extra: Sequence[Event] = (),
    words: CalendarWords = ENGLISH_WORDS,
) -> bytes:  # fmt: skip
    """Every date of the participant's programme as one calendar (and `extra`: their follow-ups)."""
    run = session.get(ProgrammeRun, participant.run_id)
    assert run is not None
    name = words.name % {"cohort": run.cohort_name}
    return calendar_bytes(run, runs.events(session, run), now, name=name, extra=extra, words=words)
