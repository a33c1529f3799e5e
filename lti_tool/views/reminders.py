"""Follow-up reminders as calendar events, for the learner's own feed and a programme participant's (issue 12),
and what both subscription feeds share: their words and their answer to an address no longer in use.

A common view helper: the learner calendar and the programme feed both show them, and neither imports the
other's views.
"""

from __future__ import annotations

from flask import request
from flask_babel import force_locale, gettext
from icalendar import Event
from sqlalchemy.orm import Session

from lti_tool import web
from lti_tool.clock import now
from lti_tool.errors import NotFound
from lti_tool.i18n import ENGLISH, language_of
from lti_tool.services.programmes import calendar
from lti_tool.words import N_


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


def feed_words() -> calendar.CalendarWords:
    """A subscription feed's words in the language its address names (`?lang=cy`), else English: a
    calendar app fetches the feed with no launch and no page language."""
    with force_locale(language_of(request.args.get("lang")) or ENGLISH):
        return calendar.CalendarWords.translated(gettext)


def unknown_feed() -> NotFound:
    """What a feed address whose secret matches nobody gets (replaced, or never issued)."""
    return NotFound(N_("This calendar address is not in use: it may have been replaced."), reason="unknown_feed")
