"""The CJK font of the report's maps and charts: Noto Sans CJK SC from the pip package ``mplfonts``.

``mplfonts`` (SIL OFL fonts, installed by ``requirements.txt``) ships ``NotoSansCJKsc-Regular.otf``,
so the figures draw Chinese on a fresh machine with no system font. Its ``SimHei.ttf`` is not
openly licensed and is never used. :func:`caveat_footnote` is the figures' shared footnote.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from coverage.errors import ExportError
from coverage.i18n import t

__all__ = ["FONT_FILE", "cjk_font_path", "cjk_family", "cjk_rc", "caveat_footnote"]

#: The font file inside the ``mplfonts`` package.
FONT_FILE = "NotoSansCJKsc-Regular.otf"


def cjk_font_path() -> Path:
    """Path of ``NotoSansCJKsc-Regular.otf`` inside the installed ``mplfonts`` package.

    Raises
    ------
    ExportError
        If the package (or the font in it) is missing.
    """
    try:
        path = Path(str(files("mplfonts") / "fonts" / FONT_FILE))
    except ModuleNotFoundError:
        raise ExportError("the report needs the pip package mplfonts (pip install mplfonts==0.0.11)") from None
    if not path.exists():
        raise ExportError(f"{FONT_FILE} not found in the mplfonts package ({path})")
    return path


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """Register the Noto CJK font with matplotlib once and return its family name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return FontProperties(fname=str(path)).get_name()


def cjk_rc() -> "rc_context":
    """A matplotlib ``rc_context`` whose text uses the CJK font (figures made inside it keep it)."""
    return rc_context({"font.family": [cjk_family()], "axes.unicode_minus": False})


def caveat_footnote(fig: Figure, lang: str) -> None:
    """Write the caveat's explanation (``† 含推算或示意数据``) in the figure's bottom-left corner."""
    fig.text(0.01, 0.01, t("review.caveat.short", lang), fontsize=6, color="#868e96", ha="left", va="bottom")
