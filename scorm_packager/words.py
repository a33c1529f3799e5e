"""Every word the packager adds to a package (its chrome), marked for the catalogue (issue 13).

Each is `N_("...")`: a no-op that Babel's extraction recognises (`pybabel extract` keyword `N_`), so the
message is found here, while the pages translate it where it is shown with `Chrome._(words.NAME)`.
(On Python 3.11 Babel cannot see a gettext call inside an f-string, so the pages never hold one.)
"""

from __future__ import annotations


def N_(message: str) -> str:  # gettext's conventional name for "mark, do not translate yet"
    return message


# L1 player (index.html)
SKIP_TO_PAGE = N_("Skip to the page")
KICKER_L1 = N_("SWOTT CPD toolkit · individual learning (L1) · about {minutes} minutes")
PAGES_OF_UNIT = N_("Pages of this unit")
SESSION_PACK_LINK = N_("Group session pack (L2, opens in a new window)")
LEARNING_OUTCOMES = N_("Learning outcomes")
REFERENCES = N_("References")
REFERENCES_AND_DATES = N_("References and review dates")
PREVIOUS_PAGE = N_("Previous page")
NEXT_PAGE = N_("Next page")
CHOOSE_ONE = N_("Choose one answer.")
CHOOSE_ALL = N_("Choose every answer that applies.")
CHECK_ANSWER = N_("Check my answer")
NOTES_STAY = N_("These notes stay in this browser and feed your reflection.")
CPD_RECORD = N_("Your Social Work England CPD record")
SAVE_REFLECTION = N_("Save my reflection")
DOWNLOAD_RECORD = N_("Download my CPD record")
REFLECTION_STAYS = N_(
    "Your reflection stays in this browser (and is never shown to your manager); download it for your CPD portfolio."
)
YOUR_PROGRESS = N_("Your progress")
PAGES_READ = N_("Pages read")
KNOWLEDGE_CHECKS = N_("Knowledge checks")
REFLECTION = N_("Reflection")
STATUS = N_("Status")
NEXT_STEP = N_("Next: the group session (L2), about {minutes} minutes with your team.")
OPEN_PACK = N_("Open the session pack")
SAVE_AND_CLOSE = N_("Save and close")
CONTENT_IN_ENGLISH_EN = (
    "The content of this unit is in English for now: the buttons, navigation and headings are in Welsh."
)
"""Shown at the top of a Welsh package, in English beside its Welsh (docs/welsh.md)."""
CONTENT_IN_ENGLISH = N_(
    "The content of this unit is in English for now: the buttons, navigation and headings are in Welsh."
)

# L2 session pack (session/*.html)
SKIP_TO_CONTENT = N_("Skip to the content")
KICKER_L2 = N_("SWOTT CPD toolkit · group session (L2)")
SESSION_PACK = N_("Session pack")
SESSION_PLAN = N_("Session plan")
CASE_STUDY = N_("Case study")
FACILITATOR_GUIDE = N_("Facilitator guide")
PARTICIPANT_SHEET = N_("Participant sheet")
PRINT_NOTE = N_("Print with your browser (Ctrl+P or Cmd+P): the page is laid out for A4.")
SESSION_PLAN_TITLE = N_("Session plan: {title}")
THE_PACK = N_("The pack")
PACK_CASE = N_("Case study, in stages, with discussion prompts")
FOR_SHARED_SCREEN = N_("(for a shared screen)")
PACK_SHEET = N_("Participant sheet and peer reflection form")
PRINT_ONE_EACH = N_("(print one each)")
PEER_FEEDBACK = N_("Peer feedback (current practice)")
PEER_FEEDFORWARD = N_("Peer feedforward (future practice)")
DISCUSSION_PROMPTS = N_("Discussion prompts")
PROMPTS_BY_STAGE = N_("Prompts by stage")
AGENDA_CAPTION = N_("Agenda ({minutes} minutes, {format} format)")
MINUTES = N_("Minutes")
WHAT_HAPPENS = N_("What happens")
LENGTH_MIN = N_("Length (min)")
THEN_YOUR_RECORD = N_("{model}, then your Social Work England CPD record ({title}).")

# What the runtime (swott/sco.js) writes on the page, handed to it in the page's data as `strings`.
RUNTIME = {
    "pageOf": N_("Page {n} of {total}"),
    "chooseFirst": N_("Choose an answer first."),
    "right": N_("Right."),
    "notQuite": N_("Not quite."),
    "tryAgain": N_("You can try again."),
    "fillIn": N_("Please fill in: {fields}."),
    "saved": N_("Reflection saved in this browser. Download your CPD record below."),
    "finished": N_("Your progress is saved. You can close this window."),
    "pagesOf": N_("{n} of {total}"),
    "noChecks": N_("none in this unit"),
    "reflectionSaved": N_("saved"),
    "reflectionNotSaved": N_("not saved yet"),
    "complete": N_("complete"),
    "completeBelow": N_("complete, below the pass mark"),
    "inProgress": N_("in progress"),
    "answeredRight": N_("{answered} of {total} answered, {right} right"),
    "passMark": N_("(pass mark {mark}%)"),
    "answerChecksFirst": N_(
        "You can save your reflection once you have answered every knowledge-check question: {count} still "
        "unanswered. What you wrote is kept in this browser."
    ),
    "recordTitle": N_("SWOTT CPD record — {title}"),
    "recordModel": N_("Reflective model: {model}"),
    "recordNotes": N_("Your notes from the unit"),
    "keptHere": N_("Your progress is kept in this browser only."),
    "noScorm12": N_("No SCORM 1.2 learning platform was found."),
    "noScorm2004": N_("No SCORM 2004 learning platform was found."),
    "noCmi5": N_("This page was opened without cmi5 launch details."),
    "standalone": N_("This is the standalone copy of the unit."),
    "notConfirmed": N_(
        "Your learning platform did not confirm the save ({problem}). Keep this window open and carry on: "
        "the unit tries again. Download your reflection if you have written one."
    ),
}
