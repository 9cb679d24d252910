"""The page's headline figures as one HTML element (served, covered, rate, facilities).

Streamlit's ``st.metric`` draws each figure as its own element inside its own column: with four
figures that is nine elements the browser redraws on every what-if click (measured: ~0.07–0.1 s of
the front end's main thread per click on the 2-core machine, a quarter of the click). One
``st.html`` block with the same parts (label with its caveat mark and help, value, delta) costs one.

The block is plain HTML, escaped here: the labels are the catalogue's words, the help text names the
inputs (an uploaded file's name may be anything). Its look comes from :data:`FIGURE_STYLE` (drawn
once per page run, outside the page body). Each part carries a ``data-testid``
(:data:`LABEL_ID`, :data:`VALUE_ID`, :data:`DELTA_ID`) and ``data-code`` (the figure's code), read
by the browser tests and the benchmark.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Sequence

__all__ = ["Figure", "figures_html", "FIGURE_STYLE", "LABEL_ID", "VALUE_ID", "DELTA_ID"]

#: ``data-testid`` of a figure's label, value and delta.
LABEL_ID = "coverageFigureLabel"
VALUE_ID = "coverageFigureValue"
DELTA_ID = "coverageFigureDelta"

#: The figures' style sheet: one row of equal columns; labels may wrap (the caveat mark stays
#: whole) and the values stay on one line below them, as Streamlit's metrics look.
FIGURE_STYLE = """
.coverage-figures { display: grid; grid-template-columns: repeat(var(--n, 4), minmax(0, 1fr));
  grid-template-rows: auto auto auto; grid-auto-flow: column; column-gap: 1rem; margin: 0.25rem 0 0.5rem; }
.coverage-figure-label { align-self: end; font-size: 0.875rem; line-height: 1.4; }
.coverage-figure-tail { white-space: nowrap; }
.coverage-figure-help { display: inline-block; margin-left: 0.25rem; width: 1rem; height: 1rem;
  border: 1px solid currentColor; border-radius: 50%; font-size: 0.7rem; line-height: 0.95rem;
  text-align: center; opacity: 0.6; cursor: help; }
.coverage-figure-value { font-size: 2.25rem; line-height: 1.3; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.coverage-figure-delta { font-size: 1rem; min-height: 1.5rem; }
.coverage-figure-delta.up { color: rgb(9, 171, 59); }
.coverage-figure-delta.down { color: rgb(255, 43, 43); }
"""

#: A delta's arrow and style class, by its sign (none for 0).
SIGNS = {1: ("▲", " up"), -1: ("▼", " down"), 0: ("", "")}


@dataclass(frozen=True)
class Figure:
    """One headline figure, as shown.

    Parameters
    ----------
    code : str
        What it is (``"served"``, ``"covered"``, ``"rate"``, ``"facilities"``): ``data-code``.
    label : str
        Its label, with the caveat mark when the inputs are modelled.
    value : str
        The value as people read it.
    delta : str, optional
        The change against the data as loaded (shown below the value), e.g. ``"+1,234"``.
    sign : int
        ``1`` when the change is a gain (green, ▲), ``-1`` a loss (red, ▼), ``0`` neither.
    help : str, optional
        The tooltip of the label's help mark (which inputs are real, modelled or illustrative).
    """

    code: str
    label: str
    value: str
    delta: str | None = None
    sign: int = 0
    help: str | None = None


def figures_html(figures: Sequence[Figure]) -> str:
    """The figures as one HTML block (every text escaped).

    Parameters
    ----------
    figures : sequence of Figure
        In the order shown, left to right.

    Returns
    -------
    str
        A ``<div class="coverage-figures">`` with, per figure, its label, value and delta parts as
        the grid's three rows (an empty delta keeps its row, so the values stay in line).
    """
    parts = []
    for f in figures:
        code = html.escape(f.code, quote=True)
        helper = ("" if not f.help else
                  f'<span class="coverage-figure-help" title="{html.escape(f.help, quote=True)}">?</span>')
        # the label's last word and the help mark never part at a line break (no lone "?")
        head, space, tail = f.label.rpartition(" ")
        label = (f"{html.escape(head)}{space}<span class=\"coverage-figure-tail\">{html.escape(tail)}{helper}</span>"
                 if helper else html.escape(f.label))
        parts.append(f'<div class="coverage-figure-label" data-testid="{LABEL_ID}" data-code="{code}">'
                     f"{label}</div>")
        parts.append(f'<div class="coverage-figure-value" data-testid="{VALUE_ID}" data-code="{code}">'
                     f"{html.escape(f.value)}</div>")
        arrow, sign = SIGNS.get(f.sign, SIGNS[0])
        delta = "" if not f.delta else html.escape(f"{arrow} {f.delta}".strip())
        parts.append(f'<div class="coverage-figure-delta{sign}" data-testid="{DELTA_ID}" data-code="{code}">'
                     f"{delta}</div>")
    return f'<div class="coverage-figures" style="--n: {len(figures)}">' + "".join(parts) + "</div>"
