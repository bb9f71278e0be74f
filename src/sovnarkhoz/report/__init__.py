"""The report: one self-contained HTML page with the pictures that answer the question of
each command (plan, compare, earliest, explain, frontier, decide), read from an output
folder. Needs Jinja2 (``pip install 'sovnarkhoz[report]'``).

- :mod:`.folder` reads an output folder; :mod:`.plan`, :mod:`.horizon`, :mod:`.councils`
  and :mod:`.decision` build the sections for each kind of output; :mod:`.charts` draws
  (matplotlib SVG); :mod:`.page` and ``templates/report.html.j2`` make the page;
  :mod:`.build` chooses the sections and writes the file.
"""

from .build import REPORT_NAME, Written, build_report, write_report
from .folder import OutputFolder, ReportError, read_folder

__all__ = ["REPORT_NAME", "OutputFolder", "ReportError", "Written", "build_report",
           "read_folder", "write_report"]
