"""Portfolio exports: the tagged, page-numbered PDF (no label left without its value), the spreadsheet read
back (formula-looking text stays text), JSON, and names beyond Latin-1."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from sqlalchemy.orm import Session

from lti_tool.models import utcnow
from lti_tool.services import portfolio
from lti_tool.services.portfolio.external import ExternalEntry
from lti_tool.services.regulators import Export, ExportItem, ExportSection
from tests.lti_tool.factories import make_course
from tests.lti_tool.l2_factories import finish_l1
from tests.lti_tool.services.test_portfolio import SECRET, _l2_done, _overview, _pdf_text, _reflection_of


def test_the_pdf_is_tagged_numbered_and_holds_the_social_work_england_fields(session: Session) -> None:
    course = make_course(session, learners=2)
    a = course.learners[0]
    finish_l1(session, course, a)
    _l2_done(session, course, course.learners)
    pdf = portfolio.portfolio_pdf(portfolio.full_export(_overview(session, a), learner_name=a.name))
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.root_object
    assert "/StructTreeRoot" in root
    mark_info = root["/MarkInfo"].get_object()
    assert isinstance(mark_info, DictionaryObject)
    assert bool(mark_info["/Marked"])  # a pypdf BooleanObject
    assert str(root["/Lang"]) == "en-GB"
    flat = _pdf_text(pdf)
    for label in (
        "Title",
        "Date",
        "Type of CPD",
        "Description and why it is relevant to your practice",
        "What you learnt",
        "The positive impact on your practice and the people you work with",
        "Peer reflection: what you learnt from discussing it with a peer",
        "Time spent",
    ):
        assert label in flat, label
    assert "2 of 2 pieces of CPD, 1 of 1 with peer reflection" in flat
    assert SECRET in flat
    assert "Reflective group discussion" in flat
    assert f"Page 1 of {len(reader.pages)}" in flat


def test_no_label_is_left_at_the_foot_of_a_page_without_its_value(session: Session) -> None:
    export = Export(
        "swe",
        "Long portfolio",
        tuple(
            ExportSection(f"Record {n}", tuple(ExportItem(f"Label {n}-{i}", "value " * 40) for i in range(6)))
            for n in range(12)
        ),
    )
    reader = PdfReader(io.BytesIO(portfolio.portfolio_pdf(export)))
    assert len(reader.pages) > 2
    for page in reader.pages:
        lines = [line.strip() for line in (page.extract_text() or "").splitlines() if line.strip()]
        body = [line for line in lines if not line.startswith("Page ")]
        assert not body[-1].startswith("Label "), body[-1]


def test_json_and_spreadsheet_read_back(session: Session) -> None:
    course = make_course(session, learners=2)
    a = course.learners[0]
    _l2_done(session, course, course.learners)
    portfolio.external.add(
        session,
        user_id=a.id,
        entry=ExternalEntry('=HYPERLINK("http://x")', utcnow().date(), "Reading or research", 45, learnt="L"),
    )
    view = _overview(session, a)
    data = json.loads(portfolio.dumps(portfolio.portfolio_json(view)))
    assert data["regulator"]["code"] == "swe"
    assert data["period"]["with_peer_reflection"] == 1
    l2 = next(r for r in data["records"] if r["from"].endswith("/l2"))
    peer = next(f for f in l2["fields"] if f["label"].startswith("Peer reflection"))
    # The peer box starts empty (issue 11): what is recorded is the learner's own text.
    assert peer["text"].startswith("Peer reflection: ")
    book = load_workbook(io.BytesIO(portfolio.portfolio_xlsx(view, learner_name=a.name)))
    assert book.sheetnames == ["Summary", "Records"]
    summary = [tuple(c for c in row if c is not None) for row in book["Summary"].iter_rows(values_only=True)]
    assert ("Progress", "2 of 2 pieces of CPD, 1 of 1 with peer reflection — requirement met.") in summary
    rows = list(book["Records"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Title", "Date", "Type of CPD")
    assert "Time spent (hours)" in header
    titles = [row[0] for row in rows[1:]]
    # A learner's text that looks like a formula stays text.
    assert '=HYPERLINK("http://x")' in titles
    cell = next(c for c in book["Records"]["A"] if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"
    hours = {row[0]: row[header.index("Time spent (hours)")] for row in rows[1:]}
    assert hours['=HYPERLINK("http://x")'] == 0.75


def test_the_pdf_prints_names_beyond_latin_1(session: Session) -> None:
    course = make_course(session, learners=1)
    learner = course.learners[0]
    finish_l1(session, course, learner)
    reflection = _reflection_of(session, learner, course)
    reflection.fields = {**reflection.fields, "cpd_learnt": "Łukasz and Zoë taught me to ask Şahin first."}
    session.flush()
    pdf = portfolio.portfolio_pdf(portfolio.full_export(_overview(session, learner), learner_name="Łucja Nowak"))
    text = _pdf_text(pdf)
    assert "Łukasz and Zoë taught me to ask Şahin first." in text
    assert "Łucja Nowak" in text
