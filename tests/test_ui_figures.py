"""The headline figures' HTML block: every part shown, every text escaped, read back whole."""

from __future__ import annotations

from types import SimpleNamespace

from conftest import headline

from coverage.ui.figures import DELTA_ID, FIGURE_STYLE, LABEL_ID, VALUE_ID, Figure, figures_html

HOSTILE = '<img src=x onerror="alert(1)">&"\''


def _read(block: str) -> list:
    """``headline`` on a fake AppTest holding only ``block``."""
    return headline(SimpleNamespace(html=[SimpleNamespace(proto=SimpleNamespace(body=block))]))


def test_every_figure_is_shown_with_its_label_value_delta_and_help():
    block = figures_html([
        Figure("served", "服务对象人口 (60岁及以上) ᵃ示意数据", "1,234,567", help="人口格网: 推算"),
        Figure("covered", "覆盖人口", "800,001", delta="+1,200", sign=1, help="x"),
        Figure("rate", "覆盖率", "64.8%", delta="-0.3 个百分点", sign=-1),
        Figure("facilities", "设施数", "581"),
    ])
    shown = _read(block)
    assert [(f.code, f.label, f.value, f.delta) for f in shown] == [
        ("served", "服务对象人口 (60岁及以上) ᵃ示意数据", "1,234,567", None),
        ("covered", "覆盖人口", "800,001", "▲ +1,200"),
        ("rate", "覆盖率", "64.8%", "▼ -0.3 个百分点"),
        ("facilities", "设施数", "581", None),
    ]
    assert 'title="人口格网: 推算"' in block  # the help as the mark's tooltip
    assert block.count(f'data-testid="{VALUE_ID}"') == 4 == block.count(f'data-testid="{LABEL_ID}"')
    # A figure without a change keeps its (empty) delta row: the values stay in line.
    assert block.count(f'data-testid="{DELTA_ID}"') == 4
    assert 'coverage-figure-delta up"' in block and 'coverage-figure-delta down"' in block
    assert "--n: 4" in block


def test_hostile_text_is_escaped_in_labels_values_and_help():
    block = figures_html([Figure(HOSTILE, HOSTILE, HOSTILE, delta=HOSTILE, sign=1, help=HOSTILE)])
    assert "<img" not in block and 'onerror="' not in block
    (fig,) = _read(block)
    assert fig.label == HOSTILE and fig.value == HOSTILE and fig.delta == "▲ " + HOSTILE
    assert fig.code == HOSTILE


def test_the_help_mark_stays_on_the_line_of_the_labels_last_word():
    """A label that wraps never leaves its help mark alone on a line: the last word and the mark are
    one unbreakable piece (the rest of the label wraps as it may); the label still reads whole."""
    block = figures_html([Figure("served", "服务对象人口 (60岁及以上) ᵃ示意数据", "1", help="note"),
                          Figure("facilities", "设施数", "581")])
    assert '<span class="coverage-figure-tail">ᵃ示意数据<span class="coverage-figure-help"' in block
    assert ".coverage-figure-tail { white-space: nowrap; }" in FIGURE_STYLE
    assert [f.label for f in _read(block)] == ["服务对象人口 (60岁及以上) ᵃ示意数据", "设施数"]
    assert "coverage-figure-tail" not in block.split('data-code="facilities"')[1]  # no help: plain label
