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
WIDTH = 640
LABEL_WIDTH = 120
BAR_HEIGHT = 22
ROW_GAP = 6
OUTCOME_GAP = 22
LEGEND_HEIGHT = 64


def _bar(y: int, label: str, dist: Distribution) -> list[str]:
    parts = [f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" font-size="14">{escape(label)}</text>']
    x = float(LABEL_WIDTH)
    span = WIDTH - LABEL_WIDTH - 10
    for index, count in enumerate(dist.counts):
        if not count:
            continue
        w = span * count / dist.total
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR_HEIGHT}" fill="{COLOURS[index]}"/>')
        x += w
    parts.append(f'<text x="{WIDTH - 10}" y="{y - 4}" text-anchor="end" font-size="12">average {dist.mean:.1f}</text>')
    return parts


def before_after_svg(outcomes: Sequence[OutcomeChange], *, title_id: str = "chart-title") -> str:
    """The chart as SVG markup (every text escaped), for outcomes with enough responses to show."""
    shown = [o for o in outcomes if o.before.total]
    height = LEGEND_HEIGHT + len(shown) * (2 * BAR_HEIGHT + ROW_GAP + OUTCOME_GAP + 18) + 10
    summary = "; ".join(
        f"outcome {o.number}: average {o.before.mean:.1f} before, {o.after.mean:.1f} after" for o in shown
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {title_id}-desc" class="swott-chart" font-family="sans-serif">',
        f'<title id="{title_id}">Confidence before and after, by learning outcome</title>',
        f'<desc id="{title_id}-desc">{escape(summary)}. The table below gives every figure.</desc>',
    ]
    for index, label in enumerate(CONFIDENCE_SCALE):
        col, row = index % 3, index // 3
        x, y = 10 + col * 210, 10 + row * 26
        parts.append(f'<rect x="{x}" y="{y}" width="16" height="16" fill="{COLOURS[index]}" stroke="#0b0c0c"/>')
        parts.append(f'<text x="{x + 22}" y="{y + 13}" font-size="13">{index + 1} {escape(label)}</text>')
    y = LEGEND_HEIGHT
    for outcome in shown:
        parts.append(f'<text x="10" y="{y + 12}" font-size="14" font-weight="bold">Outcome {outcome.number}</text>')
        y += 18
        parts.extend(_bar(y, "Before", outcome.before))
        y += BAR_HEIGHT + ROW_GAP
        parts.extend(_bar(y, "After", outcome.after))
        y += BAR_HEIGHT + OUTCOME_GAP
    parts.append("</svg>")
    return "\n".join(parts)
