"""Reflective models and the Social Work England CPD record: the fields a reflection asks for.

The headings of each model follow docs/cpd-rules.md (Gibbs 1988; Kolb 1984; Schön 1983; Borton 1970 as used by
Driscoll; Fook & Gardner 2007). Schön named reflection *in* and *on* action; reflection *for* action, the
third heading of that model here, is Killion and Todnem's (1991, "A process for personal theory
building", Educational Leadership 48(6)), so the model's title credits both.

The CPD record fields follow Social Work England's CPD guidance: a record
has a title, a date, a type, a description and why it is relevant, what was learnt, the impact on
practice and on people who use services, and, for peer reflection, what was learnt from the discussion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Field:
    """One box on the reflection form."""

    id: str
    label: str
    hint: str
    required: bool = True


REFLECTIVE_MODELS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "gibbs": (
        "Gibbs' reflective cycle",
        (
            Field("description", "Description", "What happened? Keep people anonymous."),
            Field("feelings", "Feelings", "What were you thinking and feeling?"),
            Field("evaluation", "Evaluation", "What was good and bad about the experience?"),
            Field("analysis", "Analysis", "What sense can you make of it, using theory and research?"),
            Field("conclusion", "Conclusion", "What else could you have done?"),
            Field("action_plan", "Action plan", "If it arose again, what would you do?"),
        ),
    ),
    "kolb": (
        "Kolb's experiential learning cycle",
        (
            Field("experience", "Concrete experience", "What did you do or see?"),
            Field("observation", "Reflective observation", "Looking back, what do you notice?"),
            Field("conceptualisation", "Abstract conceptualisation", "Which ideas explain it?"),
            Field("experimentation", "Active experimentation", "What will you try next?"),
        ),
    ),
    "schon": (
        "Schön: reflection in and on action, with Killion and Todnem's reflection for action",
        (
            Field("in_action", "Reflection in action", "What did you adjust while it happened?"),
            Field("on_action", "Reflection on action", "Looking back, what do you understand now?"),
            Field("for_action", "Reflection for action", "What will you carry into future work?"),
        ),
    ),
    "driscoll": (
        "What? So what? Now what? (Borton, Driscoll)",
        (
            Field("what", "What?", "What happened, and what was your part in it?"),
            Field("so_what", "So what?", "Why does it matter? What does theory or research say?"),
            Field("now_what", "Now what?", "What will you do differently, and how will you know?"),
        ),
    ),
    "fook": (
        "Fook's critical reflection",
        (
            Field("incident", "The critical incident", "Describe an incident that stayed with you."),
            Field("assumptions", "Assumptions and values", "What did you assume? Whose values?"),
            Field("power", "Power", "How was power distributed, and how did you use yours?"),
            Field("differently", "What to do differently", "What would you change, and why?"),
        ),
    ),
}

# The kinds of CPD Social Work England's "What counts as CPD?" page names (training courses, podcasts,
# webinars, articles, research, project work, reviewing your own practice, programmes such as the ASYE,
# supervision, feedback) and the peer-reflection settings of its CPD guidance (reflective team meetings,
# group supervision): docs/cpd-rules.md. Social Work England publishes examples, not a closed list of
# types for its online form, so these are its own words grouped, not options copied from that form.
# The first is an L1's default (an online module); toolkit guidance names types from this tuple only
# (checked by `toolkits.loader`).
CPD_TYPES: tuple[str, ...] = (
    "Online learning, webinar or podcast",
    "Course or training",
    "Reflective group discussion",
    "Supervision",
    "Feedback on your practice",
    "Reading or research",
    "Project work",
    "Reviewing your own practice",
    "Post-qualifying programme (for example the ASYE)",
    "Other",
)

# The sentence toolkit guidance uses to suggest a type: `A suitable type of CPD is "…"`.
_SUGGESTED_TYPE = re.compile(r'type of CPD is\s+"([^"]+)"(?:\s+or\s+"([^"]+)")?', re.IGNORECASE)


def suggested_cpd_types(text: str) -> list[tuple[int, str]]:
    """The CPD types a piece of guidance suggests, each with its 0-based line in `text`, so the validator
    can check each is in `CPD_TYPES`."""
    found: list[tuple[int, str]] = []
    for match in _SUGGESTED_TYPE.finditer(text):
        for group in (1, 2):
            name = match.group(group)
            if name:
                found.append((text.count("\n", 0, match.start(group)), " ".join(name.split())))
    return found


def cpd_record_fields(peer_reflection: bool) -> tuple[Field, ...]:
    """The Social Work England CPD record fields, with the peer-reflection field when asked for."""
    fields: tuple[Field, ...] = (
        Field("cpd_title", "Title", "A short title for this CPD."),
        Field("cpd_date", "Date", "When you did it (inside the CPD year)."),
        Field("cpd_type", "Type of CPD", "For example: online learning, a course, a reflective group discussion."),
        Field("cpd_description", "Description and relevance", "What it was and why it matters to you."),
        Field("cpd_learnt", "What you learnt", "The main things you learnt."),
        Field(
            "cpd_impact",
            "Impact on your practice and on people who use services",
            "How it changes your practice, and the difference for the people you work with.",
        ),
    )
    if peer_reflection:
        fields += (
            Field(
                "cpd_peer",
                "Peer reflection",
                "What you learnt from discussing this with peers.",
            ),
        )
    return fields


# One form, not two (issue 11): which of a model's stages already answer each record box. The form
# offers to carry them across (only into empty boxes, then the learner edits), and the record box's
# hint says so instead of asking the same question again.
CARRY: dict[str, dict[str, tuple[str, ...]]] = {
    "gibbs": {"cpd_description": ("description",), "cpd_learnt": ("analysis", "conclusion"),
              "cpd_impact": ("action_plan",)},
    "kolb": {"cpd_description": ("experience",), "cpd_learnt": ("observation", "conceptualisation"),
             "cpd_impact": ("experimentation",)},
    "schon": {"cpd_description": ("in_action",), "cpd_learnt": ("on_action",), "cpd_impact": ("for_action",)},
    "driscoll": {"cpd_description": ("what",), "cpd_learnt": ("so_what",), "cpd_impact": ("now_what",)},
    "fook": {"cpd_description": ("incident",), "cpd_learnt": ("assumptions", "power"),
             "cpd_impact": ("differently",)},
}  # fmt: skip


def _carried_hint(model: str, field: Field) -> Field:
    sources = CARRY.get(model, {}).get(field.id)
    if not sources:
        return field
    labels = {f.id: f.label for f in REFLECTIVE_MODELS[model][1]}
    named = " and ".join(f"“{labels[s]}”" for s in sources)
    hint = f"{field.hint} Your {named} above can be carried into this box, then edited for the record."
    return Field(field.id, field.label, hint, field.required)


def reflection_fields(model: str, peer_reflection: bool) -> tuple[Field, ...]:
    """Every box of a reflection form: the model's headings, then the CPD record fields."""
    record = tuple(_carried_hint(model, f) for f in cpd_record_fields(peer_reflection))
    return REFLECTIVE_MODELS[model][1] + record


def carry_into_record(model: str, values: dict[str, str]) -> dict[str, str]:
    """Fill each *empty* record box from the model's stages that answer it (the learner's words are
    never overwritten); the learner then edits the record boxes into what Social Work England reads."""
    labels = {f.id: f.label for f in REFLECTIVE_MODELS[model][1]}
    carried = dict(values)
    for record_id, sources in CARRY.get(model, {}).items():
        if carried.get(record_id, "").strip():
            continue
        parts = [values.get(s, "").strip() for s in sources]
        if len(sources) == 1:
            text = parts[0]
        else:
            text = "\n\n".join(f"{labels[s]}: {t}" for s, t in zip(sources, parts, strict=True) if t)
        if text:
            carried[record_id] = text
    return carried


def cpd_year(day: date) -> tuple[date, date]:
    """The Social Work England registration year holding `day`: 1 December to 30 November."""
    start_year = day.year if day.month == 12 else day.year - 1
    return date(start_year, 12, 1), date(start_year + 1, 11, 30)


# Social Work England professional standards (2019), the short titles shown beside a toolkit.
STANDARD_TITLES: dict[str, str] = {
    "1": "Promote the rights, strengths and wellbeing of people, families and communities",
    "2": "Establish and maintain the trust and confidence of people",
    "3": "Be accountable for the quality of my practice and the decisions I make",
    "4": "Maintain my continuing professional development",
    "4.1": "Incorporate feedback into practice",
    "4.2": "Use supervision and support to reflect on practice",
    "4.3": "Keep practice up to date with research and theory",
    "4.4": "Keep subject knowledge current",
    "4.5": "Contribute to an open and creative learning culture",
    "4.6": "Reflect on my learning and its impact on practice",
    "4.7": "Record my learning and reflection",
    "4.8": "Reflect on my values and ethics",
    "5": "Act safely, respectfully and with professional integrity",
    "6": "Promote ethical practice and report concerns",
}


@dataclass(frozen=True)
class LearningElement:
    """An SSSC core learning element; `confirmed` is False where its name was not read at the source."""

    id: str
    title: str
    confirmed: bool = True


# SSSC core learning elements for social workers (continuous professional learning since June 2024).
# SSSC news, "New website to support your continuous professional learning (CPL)" and "Social Work Week
# 2025 - supporting your CPL journey" (news.sssc.uk.com, read 1 December 2026) say there are eight and
# name the first two as below; the stored copy of the page is cut off after them. The other six are
# placeholders until their names are read at learn.sssc.uk.com (TODO in docs/regulators.md): code
# counts any list, so replacing them changes no logic. Toolkits map to these ids in toolkit.yaml.
SSSC_SOCIAL_WORK_ELEMENTS: tuple[LearningElement, ...] = (
    LearningElement("ethics-values-rights", "Ethics, values and rights-based practice"),
    LearningElement("communication-engagement-relationships", "Communication, engagement and relationships"),
    *(
        LearningElement(f"element-{n}", f"Core learning element {n} (name to be confirmed with the SSSC)", False)
        for n in range(3, 9)
    ),
)

# SSSC mandatory learning for all registrants: trauma awareness, and adult and child protection (SSSC
# news, "A new approach for CPL", news.sssc.uk.com, read 1 December 2026).
SSSC_MANDATORY_LEARNING: dict[str, str] = {
    "trauma": "Trauma awareness",
    "protection": "Adult and child protection",
}
