"""Assignment and Grade Services 2.0 score rules, as Moodle applies them.

Spec: https://www.imsglobal.org/spec/lti-ags/v2p0 §3.4 (Score publish service). Where the spec
leaves room, we copy Moodle (mod/lti/service/gradebookservices/classes/local/resources/scores.php)
because it is the strictest platform SWOTT's councils use:
- `userId`, `timestamp`, `activityProgress` and `gradingProgress` are required;
- a missing `scoreMaximum` counts as 1;
- unless `gradingProgress` is FullyGraded, `scoreGiven` is blanked;
- a score whose timestamp is not newer than the stored one (compared to the second, as Moodle keeps
  `timemodified` in whole seconds) is refused with 409 Conflict.

A line item PUT replaces the line item (§3.2.8: the tool sends the whole line item it read, changed):
`label` and `scoreMaximum` are required and an optional field it leaves out is cleared.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox_platform.model import Grade, LineItem

SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEM_CONTAINER_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
RESULT_CONTAINER_MEDIA_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"

ACTIVITY_PROGRESS = ("Initialized", "Started", "InProgress", "Submitted", "Completed")
GRADING_PROGRESS = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")


SAME_TIMESTAMP = "a score with the same timestamp (to the second) is already recorded"
OLDER_TIMESTAMP = "a score with a newer timestamp is already recorded"


class ScoreError(Exception):
    """A refused score: the HTTP status and a plain reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScoreError(400, f"{name} must be a number")
    return float(value)


def parse_timestamp(value: Any) -> datetime:
    """An ISO 8601 timestamp with a time zone (AGS §3.4.4 `timestamp`)."""
    if not isinstance(value, str):
        raise ScoreError(400, "timestamp is required")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ScoreError(400, "timestamp must be ISO 8601") from None
    if parsed.tzinfo is None:
        raise ScoreError(400, "timestamp must include a time zone")
    return parsed


def apply_score(body: Any, *, members: set[str], current: Grade | None) -> Grade:
    """The grade a score POST leaves behind, or a `ScoreError` saying why it is refused."""
    if not isinstance(body, dict):
        raise ScoreError(400, "the score must be a JSON object")
    user_id = body.get("userId")
    if not isinstance(user_id, str) or not user_id:
        raise ScoreError(400, "userId is required")
    if user_id not in members:
        raise ScoreError(400, "userId is not a member of the course")
    timestamp = parse_timestamp(body.get("timestamp"))
    activity = body.get("activityProgress")
    if activity not in ACTIVITY_PROGRESS:
        raise ScoreError(400, "activityProgress is missing or not one of " + ", ".join(ACTIVITY_PROGRESS))
    grading = body.get("gradingProgress")
    if grading not in GRADING_PROGRESS:
        raise ScoreError(400, "gradingProgress is missing or not one of " + ", ".join(GRADING_PROGRESS))
    score_maximum = _number(body["scoreMaximum"], "scoreMaximum") if "scoreMaximum" in body else 1.0
    if score_maximum <= 0:
        raise ScoreError(400, "scoreMaximum must be greater than zero")
    score_given = None
    if body.get("scoreGiven") is not None:
        score_given = _number(body["scoreGiven"], "scoreGiven")
        if score_given < 0:
            raise ScoreError(400, "scoreGiven must not be negative")
    if grading != "FullyGraded":
        score_given = None
    if current is not None:
        stamp, stored = int(timestamp.timestamp()), int(current.timestamp.timestamp())
        if stamp <= stored:
            raise ScoreError(409, SAME_TIMESTAMP if stamp == stored else OLDER_TIMESTAMP)
    comment = body.get("comment")
    return Grade(
        user_id=user_id,
        score_given=score_given,
        score_maximum=score_maximum,
        activity_progress=str(activity),
        grading_progress=str(grading),
        timestamp=timestamp,
        comment=comment if isinstance(comment, str) else "",
    )


def scaled_score(grade: Grade, line_item: LineItem) -> float | None:
    """The score on the line item's scale, as the gradebook shows it (Moodle scales the same way)."""
    if grade.score_given is None:
        return None
    return grade.score_given / grade.score_maximum * line_item.score_maximum


def line_item_json(line_item: LineItem, url: str) -> dict[str, Any]:
    """A line item as AGS §3.2 represents it."""
    body: dict[str, Any] = {"id": url, "label": line_item.label, "scoreMaximum": line_item.score_maximum}
    for key, value in (
        ("resourceId", line_item.resource_id),
        ("tag", line_item.tag),
        ("resourceLinkId", line_item.resource_link_id),
        ("startDateTime", line_item.start_date_time),
        ("endDateTime", line_item.end_date_time),
    ):
        if value:
            body[key] = value
    return body


def validate_line_item(body: Any) -> dict[str, Any]:
    """Check a line item POST/PUT body; returns the fields to store (AGS §3.2.7–3.2.8)."""
    if not isinstance(body, dict):
        raise ScoreError(400, "the line item must be a JSON object")
    fields: dict[str, Any] = {}
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ScoreError(400, "label is required")
    fields["label"] = label
    if "scoreMaximum" not in body:
        raise ScoreError(400, "scoreMaximum is required")
    maximum = _number(body["scoreMaximum"], "scoreMaximum")
    if maximum <= 0:
        raise ScoreError(400, "scoreMaximum must be greater than zero")
    fields["score_maximum"] = maximum
    for key, name in (("resourceId", "resource_id"), ("tag", "tag"), ("resourceLinkId", "resource_link_id")):
        if key in body:
            if not isinstance(body[key], str):
                raise ScoreError(400, f"{key} must be a string")
            fields[name] = body[key]
    for key, name in (("startDateTime", "start_date_time"), ("endDateTime", "end_date_time")):
        if key in body:
            parse_timestamp_field(body[key], key)
            fields[name] = body[key]
    return fields


def line_item_replacement(body: Any) -> dict[str, Any]:
    """The fields a PUT leaves on a line item: the optional ones it omits are cleared.

    `resourceLinkId` stays when omitted: it ties the column to a placement, which a PUT does not move.
    """
    return {"resource_id": "", "tag": "", "start_date_time": "", "end_date_time": "", **validate_line_item(body)}


def parse_timestamp_field(value: Any, name: str) -> None:
    try:
        parse_timestamp(value)
    except ScoreError:
        raise ScoreError(400, f"{name} must be an ISO 8601 date-time with a time zone") from None
