"""A one-page memo of the results shown: print-ready HTML the browser saves as a PDF.

It holds what a director's memo needs and nothing the page does not say: the case and its
settings in words; the headline with the calibrated-or-illustrative line and the paired verdict;
the adoption chart with its band (drawn as ``copsim-run`` draws it); the cards that matter and
the cost in dollars; the comparison with any saved scenarios; the command that reproduces the
numbers, the copsim version and the date. Every sentence comes from :mod:`copsim.app.wording`
and :mod:`copsim.app.saved`, so the memo's numbers are the page's. The page size is US Letter
with a layout that also fits A4; it is one page (the browser test prints it and counts).
"""

from __future__ import annotations

import base64
import html
import io
from datetime import UTC, datetime

import pandas as pd

from .. import __version__
from ..analysis.case_status import case_status
from ..analysis.costs import CostRates
from ..analysis.run_figure import plot_adoption
from . import export, saved, wording
from .cases import case_of
from .levers import Request
from .runner import JobOutput

CSS = """
@page { size: letter; margin: 0.5in; }
body { font-family: Helvetica, Arial, sans-serif; font-size: 9.5pt; color: #222; margin: 0; }
h1 { font-size: 14pt; margin: 0 0 2pt 0; }
.meta { color: #666; font-size: 8pt; margin-bottom: 6pt; }
.headline { font-size: 11.5pt; font-weight: bold; margin: 4pt 0; }
.status { font-weight: bold; color: #7a4d00; margin: 2pt 0; }
p { margin: 3pt 0; }
img { width: 100%; max-height: 3.1in; object-fit: contain; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 4pt 0; }
td, th { border: 1px solid #ccc; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
code { font-size: 8pt; }
ul { margin: 2pt 0; padding-left: 14pt; }
"""


def chart_png(output: JobOutput) -> bytes:
    """The adoption chart (middle run and band, with and without the community) as PNG bytes."""
    c = output.comparison
    series = pd.concat(
        [
            c.community.timeseries.assign(**{"community.enabled": True}),
            c.baseline.timeseries.assign(**{"community.enabled": False}),
        ],
        ignore_index=True,
    )
    buffer = io.BytesIO()
    plot_adoption(
        series, buffer, title=f"{case_of(c.scenario).title}: share of {case_of(c.scenario).unit} adopting"
    )
    return buffer.getvalue()


def memo_html(
    request: Request,
    output: JobOutput,
    rates: CostRates,
    saved_items: list[tuple[saved.Saved, JobOutput | None]] = (),
    today: datetime | None = None,
) -> str:
    """The memo of ``output`` (the answer to ``request``) as one self-contained HTML page."""
    c = output.comparison
    case = case_of(c.scenario)
    esc = html.escape
    when = (today or datetime.now(UTC)).strftime("%Y-%m-%d")
    cards = [*wording.cards(c), *wording.cost_cards(c, rates)]
    wanted = {
        case.outcome.short,
        "Time to 50 % adoption",
        "Coordinator time",
        f"Members after {wording.years_text(c.horizon_years)}",
    }
    wanted |= {card.label for card in cards[-2:]}  # the costs in dollars
    rows = "".join(
        f"<tr><th>{esc(card.label)}</th><td><b>{esc(card.value)}</b></td>"
        f"<td>{esc('; '.join(card.detail))}</td></tr>"
        for card in cards
        if card.label in wanted
    )
    compared = ""
    if saved_items:
        first, first_output = saved_items[0]
        lines = [saved.difference(first, first_output, item, out, chr(66 + i))
                 for i, (item, out) in enumerate(saved_items[1:])]  # fmt: skip
        names = "".join(
            f"<li>{esc(item.label(i))} ({esc(saved.default_name(item.request))})</li>"
            for i, (item, _) in enumerate(saved_items)
        )
        how = " (each compared with A run by run, on the same chance events)" if lines else ""
        compared = f"<p><b>Saved scenarios</b>{how}:</p><ul>{names}</ul>" + (
            f"<ul>{''.join(f'<li>{esc(line)}</li>' for line in lines)}</ul>" if lines else ""
        )
    image = base64.b64encode(chart_png(output)).decode("ascii")
    command = export.command_line(c.scenario, c.overrides, c.replicates, rates=rates)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>copsim memo: {esc(case.title)}</title>
<style>{CSS}</style></head><body>
<h1>What if we back a community of practice? {esc(case.title)}</h1>
<div class="meta">Settings: {esc(wording.describe_changes(c.overrides))}; {c.replicates} runs with the
community and {c.replicates} without, on the same chance events. {esc(case.kind)}</div>
<p class="headline">{esc(wording.headline_for(c))}</p>
<p class="status">{esc(case_status(c.scenario))}</p>
<p>{esc(wording.verdict_for(c))}</p>
<img alt="Share of {esc(case.unit)} that adopted, with and without the community"
 src="data:image/png;base64,{image}">
<p style="font-size:8pt;color:#555">Line: the middle run at each moment (it crosses 50 % at the time to 50 %);
shaded: where the middle runs lie. Grey: dissemination alone.</p>
<table>{rows}</table>
{compared}
<p style="font-size:8pt">A time is the time by which at least half of the runs got there; "95 % confidence"
says how sure it is, "in 8 of 10 runs" how much runs differ. The community is called sooner only when the
95 % interval of the run-by-run difference excludes zero. Costs: loaded annual cost per FTE of
${rates.coordinator:,.0f}
(coordinator), ${rates.support_staff:,.0f} (support staff), ${rates.sponsor:,.0f} (sponsor, at
{rates.sponsor_fte_at_full:g} FTE at full sponsorship).</p>
<p style="font-size:8pt">Reproduce: <code>{esc(command)}</code> &middot; copsim {esc(__version__)}
 &middot; {when}</p>
</body></html>
"""


def file_name(request: Request) -> str:
    """``memo-whatif-safecities-fte0.5-10runs.html``."""
    return f"memo-{export.file_stem(request)}.html"
