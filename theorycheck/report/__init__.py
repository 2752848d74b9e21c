"""Reports: ``results.json``, Markdown for a code forge, self-contained offline HTML, figures.

- :func:`write_report` / :class:`ReportStaging` — the verification report, written atomically;
- :func:`write_activation_report` — the property-test report of one activation;
- :mod:`theorycheck.report.figures` — the figure helpers claims call (PNG + SVG).
"""

from theorycheck.report.writer import (
    FORMATS,
    ReportStaging,
    parse_formats,
    write_activation_report,
    write_report,
)

__all__ = ["FORMATS", "ReportStaging", "parse_formats", "write_activation_report",
           "write_report"]
