"""The grade service: the only module that speaks Assignment and Grade Services 2.0 over HTTP.

- Scores (AGS 2.0 §3.4, Score publish service): POST to `{lineitem}/scores` with media type
  `application/vnd.ims.lis.v1.score+json`. `/scores` goes into the path, before any query string,
  because Moodle's line item URLs carry `?type_id=N`.
- Line items (AGS 2.0 §3.2): when the launch carried no `lineitem`, the context's line item container is
  searched with `resource_link_id=…` (§3.2.5 filters) and a line item is created for the link if none
  is found; the end date can be changed later (PUT, §3.2.7).

Moodle quirks this module respects (see mod/lti/service/gradebookservices in Moodle's source):
- `scoreMaximum` is always sent: Moodle reads a missing maximum as 1.
- timestamps must strictly increase at one-second resolution, or Moodle answers 409; timestamps here
  are whole seconds, and the outbox makes them increase per learner and line item.
- any `gradingProgress` but FullyGraded blanks the stored grade, so once graded the outbox only ever
  queues FullyGraded scores (checked in `outbox.enqueue_score`).

- Results (AGS 2.0 §3.3): `GET {lineitem}/results?user_id=…` (scope `result.readonly`) reads back what
  the gradebook holds, so a platform's "I already have this score" answer can be checked
  (`outbox` reconciles with it).

Every request goes through the one LTI service client (`lti.service_client`): token, bearer, 401 retry
and the retry rule live there. Errors are that client's `ServiceError` (`AgsError` here), with
`retryable` saying whether trying again later can help.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lti_tool.lti.service_client import LtiServiceClient, PlatformEndpoint, ServiceError
from lti_tool.models import ActivityProgress, GradingProgress

log = logging.getLogger(__name__)

SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEM_CONTAINER_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
RESULT_CONTAINER_MEDIA_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
AGS_SCOPES = frozenset({SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE})

# AGS 2.0 §3.4.7 and §3.4.8.
ACTIVITY_PROGRESS = frozenset(ActivityProgress)
GRADING_PROGRESS = frozenset(GradingProgress)

MAX_PAGES = 50


AgsError = ServiceError  # the one error class of the LTI services, under the name this module used


class ScoreAlreadyRecorded(ServiceError):
    """The platform says it already holds a score with this timestamp (or a newer one).

    Moodle answers 409 (its `timemodified` is not older than our timestamp); Open edX answers
    `400 {"timestamp": ["Score already exists for the provided timestamp"]}`; other platforms name the
    timestamp in some other 4xx. Not a failure in itself: the outbox reads the result back to check.
    """


ScoreConflict = ScoreAlreadyRecorded


def names_the_timestamp(error: ServiceError) -> bool:
    """A 4xx about the timestamp: Moodle's 409, Open edX's 400, or another platform's wording."""
    if error.status == 409:
        return True
    return error.status is not None and 400 <= error.status < 500 and "timestamp" in error.body.lower()


@dataclass(frozen=True)
class Result:
    """What the gradebook holds for one learner on a line item (AGS 2.0 §3.3)."""

    result_score: float | None
    result_maximum: float | None


@dataclass(frozen=True)
class Score:
    """One AGS score (§3.4): `user_id` is the platform's `sub` for the learner."""

    user_id: str
    score_given: float | None
    score_maximum: float
    activity_progress: str
    grading_progress: str
    timestamp: datetime
    comment: str = ""

    def __post_init__(self) -> None:
        if self.activity_progress not in ACTIVITY_PROGRESS:
            raise ValueError(f"unknown activityProgress {self.activity_progress!r}")
        if self.grading_progress not in GRADING_PROGRESS:
            raise ValueError(f"unknown gradingProgress {self.grading_progress!r}")
        if not self.score_maximum > 0:
            raise ValueError("scoreMaximum must be greater than 0 (AGS 2.0 §3.4.5)")
        if self.score_given is not None and self.score_given < 0:
            raise ValueError("scoreGiven must not be negative (AGS 2.0 §3.4.4)")
        if self.timestamp.tzinfo is None:
            raise ValueError("a score timestamp needs a time zone")

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "userId": self.user_id,
            # Moodle quirk: always send scoreMaximum, even without scoreGiven, or Moodle assumes 1.
            "scoreMaximum": self.score_maximum,
            "activityProgress": self.activity_progress,
            "gradingProgress": self.grading_progress,
            "timestamp": iso_timestamp(self.timestamp),
        }
        if self.score_given is not None:
            body["scoreGiven"] = self.score_given
        if self.comment:
            body["comment"] = self.comment
        return body


def iso_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC at whole seconds: Moodle compares timestamps at one-second resolution."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def scores_url(lineitem_url: str) -> str:
    """`{lineitem}/scores`, inserted before the query string (Moodle: `…/lineitem?type_id=3`)."""
    return _service_url(lineitem_url, "scores")


def results_url(lineitem_url: str) -> str:
    """`{lineitem}/results`, inserted before the query string like `scores_url`."""
    return _service_url(lineitem_url, "results")


def _service_url(lineitem_url: str, name: str) -> str:
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/" + name))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def with_query(url: str, **params: str) -> str:
    """`url` with extra query parameters, keeping the ones it has (Moodle's `type_id`)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def same_origin(a: str, b: str) -> bool:
    """A paging link is followed only to the origin we were given: it carries our bearer token."""
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.netloc) == (pb.scheme, pb.netloc)


class GradeService(LtiServiceClient):
    """AGS calls for one platform at a time, authenticated with shared, reused access tokens.

    The requests themselves (token, bearer, 401 retry, the retry rule) are the `LtiServiceClient`'s.
    """

    def submit_score(
        self, platform: PlatformEndpoint, lineitem_url: str, score: Score, scopes: Sequence[str] = (SCOPE_SCORE,)
    ) -> None:
        """Publish one score (AGS 2.0 §3.4). Raises `ScoreAlreadyRecorded` when the platform says it has
        this timestamp already, `AgsError` otherwise."""
        try:
            self.request(
                platform,
                scopes,
                "POST",
                scores_url(lineitem_url),
                what="score",
                json_body=score.to_json(),
                content_type=SCORE_MEDIA_TYPE,
            )
        except ServiceError as error:
            if type(error) is ServiceError and names_the_timestamp(error):
                raise ScoreAlreadyRecorded(str(error), status=error.status, retryable=False, body=error.body) from None
            raise

    def read_result(
        self, platform: PlatformEndpoint, lineitem_url: str, user_id: str, scopes: Sequence[str]
    ) -> Result | None:
        """The learner's result on the line item (AGS 2.0 §3.3), or None when the platform lists none."""
        response = self.request(
            platform,
            scopes,
            "GET",
            with_query(results_url(lineitem_url), user_id=user_id),
            what="result read",
            accept=RESULT_CONTAINER_MEDIA_TYPE,
        )
        try:
            items = response.json()
        except ValueError:
            raise AgsError("the result container is not JSON", status=response.status_code, retryable=False) from None
        if not isinstance(items, list):
            raise AgsError("the result container is not a JSON array", status=response.status_code, retryable=False)
        # Some platforms ignore the user_id filter: pick the learner's result ourselves.
        for item in items:
            if isinstance(item, dict) and item.get("userId") == user_id:
                return Result(_number(item.get("resultScore")), _number(item.get("resultMaximum")))
        return None

    def find_line_item(
        self,
        platform: PlatformEndpoint,
        lineitems_url: str,
        resource_link_id: str,
        scopes: Sequence[str],
        resource_id: str = "",
    ) -> str | None:
        """The id (URL) of the first line item of this resource link in the container, if any (§3.2.5).

        With `resource_id`, only a line item with that `resourceId` too: a link with several columns (a
        programme's own and one per activity) tells them apart by it.
        """
        filters = {"resource_link_id": resource_link_id, **({"resource_id": resource_id} if resource_id else {})}
        url: str | None = with_query(lineitems_url, **filters)
        for _page in range(MAX_PAGES):
            if url is None:
                break
            response = self.request(
                platform, scopes, "GET", url, what="line item search", accept=LINEITEM_CONTAINER_MEDIA_TYPE
            )
            items = response.json()
            if not isinstance(items, list):
                raise AgsError("line item container is not a JSON array", status=response.status_code, retryable=False)
            # Some platforms ignore the filter: check each item's resourceLinkId ourselves.
            for item in items:
                if (
                    isinstance(item, dict)
                    and item.get("resourceLinkId") == resource_link_id
                    and (not resource_id or item.get("resourceId") == resource_id)
                    and item.get("id")
                ):
                    return str(item["id"])
            next_url = response.links.get("next", {}).get("url")
            url = next_url if next_url and same_origin(next_url, lineitems_url) else None
        return None

    def find_or_create_line_item(
        self,
        platform: PlatformEndpoint,
        lineitems_url: str,
        *,
        resource_link_id: str,
        label: str,
        score_maximum: float,
        resource_id: str = "",
        tag: str = "",
        scopes: Sequence[str] = (SCOPE_LINEITEM,),
        distinct_resource: bool = False,
    ) -> str:
        """The link's line item: found by `resource_link_id` (and `resource_id` when `distinct_resource`),
        or created bound to the resource link when the platform has none (§3.2.6)."""
        found = self.find_line_item(
            platform, lineitems_url, resource_link_id, scopes, resource_id if distinct_resource else ""
        )
        if found:
            return found
        log.info("creating a line item on platform %s for a resource link", platform.platform_id)
        body: dict[str, Any] = {
            "scoreMaximum": score_maximum,
            "label": label or "SWOTT toolkit",
            "resourceLinkId": resource_link_id,
        }
        if resource_id:
            body["resourceId"] = resource_id
        if tag:
            body["tag"] = tag
        return self._create_line_item(platform, lineitems_url, body, scopes)

    def _create_line_item(
        self, platform: PlatformEndpoint, lineitems_url: str, body: dict[str, Any], scopes: Sequence[str]
    ) -> str:
        """POST the line item `body` to the container (§3.2.6) and return the new item's id (URL)."""
        response = self.request(
            platform,
            scopes,
            "POST",
            lineitems_url,
            what="line item creation",
            json_body=body,
            content_type=LINEITEM_MEDIA_TYPE,
            accept=LINEITEM_MEDIA_TYPE,
        )
        created = response.json()
        if not isinstance(created, dict) or not created.get("id"):
            raise AgsError(
                "the platform created a line item without an id", status=response.status_code, retryable=False
            )
        return str(created["id"])

    def update_line_item_end_date(
        self,
        platform: PlatformEndpoint,
        lineitem_url: str,
        end: datetime | None,
        scopes: Sequence[str] = (SCOPE_LINEITEM,),
    ) -> dict[str, Any]:
        """Set (or, with None, clear) the line item's `endDateTime` (§3.2.7): read it, change it, PUT it."""
        response = self.request(
            platform, scopes, "GET", lineitem_url, what="line item read", accept=LINEITEM_MEDIA_TYPE
        )
        item = response.json()
        if not isinstance(item, dict):
            raise AgsError("line item is not a JSON object", status=response.status_code, retryable=False)
        if end is None:
            item.pop("endDateTime", None)
        else:
            item["endDateTime"] = iso_timestamp(end)
        response = self.request(
            platform,
            scopes,
            "PUT",
            lineitem_url,
            what="line item update",
            json_body=item,
            content_type=LINEITEM_MEDIA_TYPE,
            accept=LINEITEM_MEDIA_TYPE,
        )
        updated = response.json() if response.content else item
        return updated if isinstance(updated, dict) else item

    def close(self) -> None:
        """Close the HTTP session and the token cache's connections."""
        super().close()
        self.tokens.close()
