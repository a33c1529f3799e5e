"""iCalendar (RFC 5545) files for programme dates: one per session, and a per-learner subscription feed.

- Each event keeps one UID for life (RFC 5545 §3.8.4.7; a random UUID, as RFC 7986 §5.3 recommends)
  and a SEQUENCE that grows with every change
  (§3.8.7.4), with DTSTAMP (§3.8.7.2) the time of writing: a calendar that fetches the feed again
  replaces its copy of a moved session rather than adding a second one.
- A cancelled session stays in the feed with STATUS:CANCELLED (§3.8.1.11), so calendars drop it.
- The feed address carries a per-learner secret; only its SHA-256 hash is stored. Resetting it replaces
  the hash, so the old address stops working at once. The feed holds the learner's own programme dates
  only: the cohort's shared sessions and their own one-to-ones, never anyone else's notes or names.
See docs/programmes.md.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import EventStatus, ProgrammeEvent, ProgrammeParticipant, ProgrammeRun
from lti_tool.services.programmes import runs

PRODID = "-//SWOTT Connect//Programmes//EN"
TOKEN_BYTES = 32


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


def _vevent(run: ProgrammeRun, event: ProgrammeEvent, stamp: datetime) -> Event:
    item = Event()
    item.add("uid", event.uid)
    item.add("dtstamp", stamp)
    item.add("sequence", event.sequence)
    if event.due_at is not None:
        # A toolkit L1: the entry marks the time it is due.
        item.add("summary", f"Due: {event.title}")
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
    item.add("description", f"{run.cohort_name}: programme {run.template_id}")
    item.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    return item


def calendar_bytes(run: ProgrammeRun, found: Iterable[ProgrammeEvent], now: datetime, name: str = "") -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    for event in found:
        cal.add_component(_vevent(run, event, now))
    return bytes(cal.to_ical())


def event_file(run: ProgrammeRun, event: ProgrammeEvent, now: datetime) -> bytes:
    """The .ics of one session."""
    return calendar_bytes(run, [event], now)


def feed(session: Session, participant: ProgrammeParticipant, now: datetime) -> bytes:
    """Every date of the participant's programme as one calendar."""
    run = session.get(ProgrammeRun, participant.run_id)
    assert run is not None
    return calendar_bytes(run, runs.events(session, run), now, name=f"Programme: {run.cohort_name}")
