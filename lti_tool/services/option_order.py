"""Each learner's order of a question's options: shuffled once per attempt, pinned options in place.

Seeded by the learner, the placement and the question, and stored in `Attempt.option_orders` when first
shown or answered, so feedback, the summary and the learner's exported data all use the order they saw.
"""

from __future__ import annotations

import random

from lti_tool.models import Attempt
from toolkits.model import Option, Question


def shuffled(attempt: Attempt, question: Question) -> list[str]:
    """A fresh order for this attempt and question: pinned options stay put, the rest are shuffled.

    Seeded by the learner, the placement and the question (not the attempt's id: a GET shows a page
    from an unsaved attempt, which has none yet), so the order is the same on every device and request
    even before it is stored, and differs between learners.
    """
    free = [o.id for o in question.options if not o.pinned]
    random.Random(f"swott:{attempt.user_id}:{attempt.resource_link_id}:{question.id}").shuffle(free)
    order = iter(free)
    return [o.id if o.pinned else next(order) for o in question.options]


def option_order(attempt: Attempt, question: Question) -> list[str]:
    """The option ids of `question` in the order this learner sees them (stored, else seeded)."""
    stored = (attempt.option_orders or {}).get(question.id)
    if stored and sorted(stored) == sorted(o.id for o in question.options):
        return list(stored)
    return shuffled(attempt, question)


def ordered_options(attempt: Attempt, question: Question) -> list[Option]:
    """The question's options in this learner's order, for the page, the feedback and the summary."""
    by_id = {o.id: o for o in question.options}
    return [by_id[i] for i in option_order(attempt, question)]


def record_option_orders(attempt: Attempt, questions: tuple[Question, ...]) -> None:
    """Store the order shown for each question that has none yet (or whose options have changed)."""
    orders = dict(attempt.option_orders or {})
    changed = False
    for question in questions:
        order = option_order(attempt, question)
        if orders.get(question.id) != order:
            orders[question.id] = order
            changed = True
    if changed:
        attempt.option_orders = orders
