"""Follow-up reminders as calendar events, for the learner's own feed and a programme participant's (issue 12).

A common view helper: the learner calendar and the programme feed both show them, and neither imports the
other's views.
"""

from __future__ import annotations

from icalendar import Event
from sqlalchemy.orm import Session

from lti_tool import web
from lti_tool.clock import now
from lti_tool.services.programmes import calendar


def _title(toolkit_id: str) -> str:
    toolkit = web.catalogue().get(toolkit_id)
    return toolkit.title if toolkit else toolkit_id


def follow_up_events(
    session: Session, user_id: int, words: calendar.CalendarWords = calendar.ENGLISH_WORDS
) -> list[Event]:
    """The learner's follow-up reminders as calendar events (none when follow-ups are turned off), in
    `words`' language (the toolkit's title stays as written)."""
    days = web.settings().follow_up_days
    return calendar.follow_up_events(session, user_id=user_id, days=days, now=now(), title_of=_title, words=words)
