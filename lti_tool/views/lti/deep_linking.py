"""`GET|POST /lti/deep-link`: the facilitator's picker for a Deep Linking request (Deep Linking 2.0 §4).

The launch answers a deep-linking request with this picker; the facilitator ticks what to add and the
tool form-posts a signed response back to the platform (`lti.deep_linking.response_jwt`).

Extension point: what the picker offers comes from the sources in `OFFERS`, each giving `Offer`s in
groups: one group per subscribed toolkit (its L1 and its L2), then one group of the programmes whose
toolkits are all subscribed (`programme_offers`). Each offer's `make` builds an
`lti.deep_linking.LinkItem`; the form, the template and the response need no change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from markupsafe import Markup
from wtforms import Field, SelectMultipleField
from wtforms.validators import ValidationError

from lti_tool import web
from lti_tool.access import facilitator_required
from lti_tool.errors import Forbidden, NotFound
from lti_tool.forms import GovDateField, SwottForm, optional_day_not_past
from lti_tool.i18n import _l, in_content_language
from lti_tool.lti import claims, deep_linking
from lti_tool.lti.platforms import find_deployment
from lti_tool.lti.session import CurrentLaunch, launch_url_for, require_launch
from lti_tool.models import Deployment, Platform
from lti_tool.services import keys, l2, registry
from lti_tool.services.programmes import deep_link as programme_links
from lti_tool.services.programmes import templates
from lti_tool.views.lti.common import bp, tool_urls
from lti_tool.words import N_
from toolkits.model import Toolkit
from toolkits.programmes import Programme

NOTHING_CHOSEN = _l("Choose at least one part of a toolkit to add to your course")


@dataclass(frozen=True)
class Offer:
    """One checkbox in the picker: its value, its words, and the item it becomes when ticked."""

    value: str
    group: str  # the fieldset it is shown in (a toolkit's title)
    group_hint: str
    label: str
    hint: str
    make: Callable[[date | None], deep_linking.LinkItem]
    due_field: str = ""  # the name of the optional due date this offer uses ("" for none)


OfferSource = Callable[[Platform, Deployment | None], list[Offer]]


def toolkit_offers(platform: Platform, deployment: Deployment | None) -> list[Offer]:
    """Each subscribed toolkit's L1 (with an optional due date) and L2."""
    offers: list[Offer] = []
    for toolkit in web.catalogue():
        if not registry.is_subscribed(platform, deployment, toolkit.id):
            continue
        minutes = {"l1": toolkit.l1.minutes, "l2": toolkit.l2.minutes}
        for part, label in deep_linking.PARTS.items():
            offers.append(
                Offer(
                    value=f"{toolkit.id}:{part}",
                    group=toolkit.title,
                    group_hint=toolkit.summary,
                    label=gettext(label),
                    hint=gettext("About %(n)s minutes online, in short bursts", n=minutes[part])
                    if part == "l1"
                    else gettext("About %(n)s minutes, with your team", n=minutes[part]),
                    make=partial(_toolkit_choice, toolkit, part),
                    due_field=f"due-{toolkit.id}" if part == "l1" else "",
                )
            )
    return offers


def _toolkit_choice(toolkit: Toolkit, part: str, due: date | None) -> deep_linking.LinkItem:
    return deep_linking.Choice(toolkit=toolkit, part=part, due=due if part == "l1" else None)


PROGRAMMES_GROUP = N_("Programmes")  # the template translates it (other groups are toolkit titles)


def programme_offers(platform: Platform, deployment: Deployment | None) -> list[Offer]:
    """Each valid programme template whose toolkits this deployment is subscribed to, as one group."""
    offers: list[Offer] = []
    for programme in templates.available(web.catalogue()).values():
        if not all(registry.is_subscribed(platform, deployment, t) for t in programme.toolkit_ids):
            continue
        offers.append(
            Offer(
                value=f"{programme_links.PART}:{programme.id}",
                group=PROGRAMMES_GROUP,
                group_hint=gettext(
                    "A programme runs a cohort through weeks of group sessions, one-to-ones and "
                    "reflection, with one gradebook column for completing it."
                ),
                label=programme.title,
                # The summary is the programme's own (English) text: marked as such on a Welsh page.
                hint=Markup("{} {}").format(
                    gettext("%(n)s weeks.", n=len(programme.weeks)), in_content_language(programme.summary)
                ),
                make=partial(_programme_choice, programme),
            )
        )
    return offers


def _programme_choice(programme: Programme, _due: date | None) -> deep_linking.LinkItem:
    return programme_links.ProgrammeChoice(programme)


# Every kind of item the picker offers, in the order shown (see the module docstring).
OFFERS: tuple[OfferSource, ...] = (toolkit_offers, programme_offers)


class DeepLinkForm(SwottForm):
    """The picker: the ticked offers (`item`), and one optional due date per toolkit's L1."""

    item = SelectMultipleField(_l("What to add"), validate_choice=False)

    def __init__(self, offers: Sequence[Offer], accept_multiple: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.offers = list(offers)
        self.accept_multiple = accept_multiple

    def validate_item(self, field: SelectMultipleField) -> None:
        offered = {o.value for o in self.offers}
        # An offer never shown (not subscribed, or tampered with) is never returned.
        field.data = [v for v in field.data or [] if v in offered]
        if not field.data:
            raise ValidationError(NOTHING_CHOSEN)
        if len(field.data) > 1 and not self.accept_multiple:
            raise ValidationError(_l("Your course takes one item here: choose only one"))

    def due_fields(self) -> dict[str, Field]:
        return {name: self[name] for name in {o.due_field for o in self.offers if o.due_field}}

    def chosen(self) -> list[deep_linking.LinkItem]:
        by_value = {o.value: o for o in self.offers}
        items = []
        for value in self.item.data or []:
            offer = by_value[value]
            due = self[offer.due_field].data if offer.due_field else None
            items.append(offer.make(due))
        return items


_due_date_not_past = optional_day_not_past(
    _l("Enter the due date as a day, month and year, for example 31 3 2027"),
    _l("The due date must be today or in the future"),
)


def picker_form(offers: Sequence[Offer], accept_multiple: bool, **kwargs: Any) -> DeepLinkForm:
    """The form for these offers: `DeepLinkForm` with a GOV.UK date input for each due date they use."""
    due_names = sorted({o.due_field for o in offers if o.due_field})
    fields = {
        name: GovDateField(
            _l("Due date (optional)"),
            validators=[_due_date_not_past],
            description=_l("The LMS shows it to learners as the L1 deadline. For example, 31 3 2027"),
        )
        for name in due_names
    }
    form_class = type("PickerForm", (DeepLinkForm,), fields)
    form: DeepLinkForm = form_class(offers, accept_multiple, **kwargs)
    return form


def _accepts_multiple(current: CurrentLaunch) -> bool:
    # Deep Linking 2.0 §4.4.1 `accept_multiple`; Canvas sends it false in assignment selection.
    return current.deep_link.get("accept_multiple", True) not in (False, "false")


def _offers(current: CurrentLaunch) -> tuple[Platform, list[Offer]]:
    """The facilitator's platform and what it may add today (from the cached registry)."""
    if current.message_type != claims.DEEP_LINKING_REQUEST:
        raise Forbidden(N_("This page is for choosing toolkits from your course."), reason="deep_link_no_request")
    platform = registry.platform_by_id(web.db_session(), current.platform_id)
    if platform is None:
        raise NotFound(N_("Your platform’s registration was removed."), reason="deep_link_platform_gone")
    deployment = find_deployment(platform, current.deployment_id)
    return platform, [offer for source in OFFERS for offer in source(platform, deployment)]


def picker_page(current: CurrentLaunch, form: DeepLinkForm | None = None) -> ResponseReturnValue:
    _platform, offers = _offers(current)
    form = form or picker_form(offers, _accepts_multiple(current), formdata=None)
    groups: dict[str, list[Offer]] = {}
    for offer in offers:
        groups.setdefault(offer.group, []).append(offer)
    html = render_template(
        "lti/deep_link.html",
        form=form,
        groups=groups,
        action=launch_url_for("lti.deep_link", current),
        accept_multiple=form.accept_multiple,
    )
    return html, 400 if form.errors else 200


@bp.route("/deep-link", methods=["GET", "POST"])
@facilitator_required
def deep_link() -> ResponseReturnValue:
    current = require_launch()
    platform, offers = _offers(current)
    form = picker_form(offers, _accepts_multiple(current))
    if not form.validate_on_submit():
        return picker_page(current, form if form.is_submitted() else None)
    session = web.db_session()
    choices = form.chosen()
    # One L1 deadline (issue 10): the due date picked here is the plan page's deadline too.
    for choice in choices:
        if isinstance(choice, deep_linking.Choice) and choice.part == "l1" and choice.due is not None:
            l2.set_l1_deadline(
                session, context_id=current.context_id, toolkit_id=choice.toolkit.id,
                deadline=deep_linking.due_moment(choice.due),
            )  # fmt: skip
    session.commit()
    token = deep_linking.response_jwt(
        keys.signing_key(session),
        client_id=platform.client_id,
        issuer=platform.issuer,
        deployment_id=current.deployment_id,
        settings=current.deep_link,
        choices=choices,
        tool_url=tool_urls().tool_url,
    )
    return render_template("lti/deep_link_return.html", return_url=current.deep_link["deep_link_return_url"], jwt=token)
