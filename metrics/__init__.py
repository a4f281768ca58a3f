"""Målspor: target-versus-actual monitoring for the Capital Region of Denmark's RUS action plan.

Modules: ``model`` (vocabulary, roles, coded errors), ``store`` (DuckDB schema, migrations and
the one write path), ``seed`` (the action plan's seed CSVs into a new database), ``ingest`` (a
package that follows a file's way: reading, fields and numbers, the plan, writing and undo, target
files), ``progress`` (the progress engine, method version 2), ``marks`` (what a status rests on),
``views`` (display rows), ``cache`` (computed once per data version, shared by every session),
``html_table`` (escaped, keyboard-usable tables), ``charts`` (Plotly figures), ``i18n`` (texts,
the ``Lang`` object, number formats) and ``messages`` (error texts), ``memo`` (the status memo:
content, one layout, thin PDF/Word/HTML/Markdown writers), ``export``, ``backup``, ``auth``,
``audit``, ``commentary`` and ``cli`` (``python -m metrics``). This package never imports
streamlit. ARCHITECTURE.md shows how they fit together.
"""

__version__ = "0.2.0"
