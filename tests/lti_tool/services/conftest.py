"""Fixtures the L1 service tests share: the small fixture toolkit and one learner on it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.lti_tool.l1_factories import Learner, make_learner, mini_toolkit
from toolkits.model import Toolkit


@pytest.fixture
def toolkit() -> Toolkit:
    """The mini fixture toolkit (three pages, two questions, a Gibbs reflection; pass mark 50)."""
    return mini_toolkit()


@pytest.fixture
def learner(session: Session) -> Learner:
    """A learner with their own platform, course and L1 link of the mini toolkit."""
    return make_learner(session)
