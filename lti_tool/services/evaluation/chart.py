"""A server-side SVG chart of confidence before and after, per learning outcome (no script, no library).

Each outcome has two 100% bars, before and after, split by the five points of the scale. The chart is
an image with a text alternative (`role="img"`, a title and a description): the page's data table
beside it carries every figure, so nothing is only in the picture (WCAG 2.2 SC 1.1.1, 1.4.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from lti_tool.services.evaluation.reports import Distribution, OutcomeChange
from toolkits.model import CONFIDENCE_SCALE

# Light to dark blue: the order of the scale reads as the order of the shades (plus the legend's text).
COLOURS = ("#d2e2f1", "#9ec2e6", "#5694ca", "#1d70b8", "#003078")
# Narrow on purpose: on a 320 px phone the text stays readable; the page caps the width on wide screens.
WIDTH = 360
PAD = 8
BAR_HEIGHT = 20
LINE = 18
LEGEND_ROW = 22


def _bar(y: int, label: str, dist: Distribution) -> list[str]:
    parts = [f'<text x="{PAD}" y="{y + 13}" font-size="13">{escape(label)}: average {dist.mean:.1f}</text>']
    y += LINE
    x = float(PAD)
    span = WIDTH - 2 * PAD
    for index, count in enumerate(dist.counts):
        if not count:
            continue
        w = span * count / dist.total
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR_HEIGHT}" fill="{COLOURS[index]}"/>')
        x += w
    return parts


def before_after_svg(outcomes: Sequence[OutcomeChange], *, title_id: str = "chart-title") -> str:
    """The chart as SVG markup (every text escaped), for outcomes with enough responses to show."""
    shown = [o for o in outcomes if o.before.total]
    legend = LEGEND_ROW * len(CONFIDENCE_SCALE) + PAD
    per_outcome = LINE + 2 * (LINE + BAR_HEIGHT + 6) + 14
    height = legend + len(shown) * per_outcome + PAD
    summary = "; ".join(
        f"outcome {o.number}: average {o.before.mean:.1f} before, {o.after.mean:.1f} after" for o in shown
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {title_id}-desc" class="swott-chart" style="max-width: 36rem" '
        'font-family="system-ui, sans-serif">',
        f'<title id="{title_id}">Confidence before and after, by learning outcome</title>',
        f'<desc id="{title_id}-desc">{escape(summary)}. The table below gives every figure.</desc>',
    ]
    for index, label in enumerate(CONFIDENCE_SCALE):
        y = PAD + index * LEGEND_ROW
        parts.append(f'<rect x="{PAD}" y="{y}" width="16" height="16" fill="{COLOURS[index]}" stroke="#0b0c0c"/>')
        parts.append(f'<text x="{PAD + 24}" y="{y + 13}" font-size="13">{index + 1} {escape(label)}</text>')
    y = legend
    for outcome in shown:
        parts.append(f'<text x="{PAD}" y="{y + 14}" font-size="14" font-weight="bold">Outcome {outcome.number}</text>')
        y += LINE + 4
        for label, dist in (("Before", outcome.before), ("After", outcome.after)):
            parts.extend(_bar(y, label, dist))
            y += LINE + BAR_HEIGHT + 6
        y += 10
    parts.append("</svg>")
    return "\n".join(parts)
