"""Documents and figures of the annual review: the Word report, static maps and charts.

* :func:`build_report` / :func:`write_report` — the review as a .docx (python-docx);
* :func:`indicator_map` — a choropleth of one indicator (towns or districts);
* :func:`trajectory_chart` — an indicator's year-by-year path against its 2023 / 2025 milestones;
* :func:`district_chart` — an indicator by district against its target.

Figures are drawn offline with matplotlib in the Noto CJK font shipped by the pip package
``mplfonts`` (:mod:`coverage.report.fonts`).
"""

from coverage.report.charts import district_chart, trajectory_chart
from coverage.report.document import build_report, report_steps, write_report
from coverage.report.maps import indicator_map

__all__ = ["build_report", "write_report", "report_steps", "indicator_map", "trajectory_chart", "district_chart"]
