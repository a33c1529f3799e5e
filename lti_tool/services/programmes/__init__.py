"""Programmes in a course (issue 16): a cohort's weeks of CPD, run from a programme template.

Plain modules, no Flask: `templates` (the shipped templates), `runs` (a run, its participants and
timeline, dates that follow the start until fixed), `holidays` (UK bank holidays by nation), `cohort`
(the lead's participants × activities view and CSV), `timeline` (a participant's weeks), `meetings`
(one-to-ones, goals, set roles, per-occurrence reflections), `calendar` (iCalendar files and feeds),
`gradebook` (the programme's score through the outbox) and `deep_link` (the "Programme" content item).
"""
