"""Målspor: target-versus-actual monitoring for the Capital Region of Denmark's RUS action plan.

Modules: ``model`` (vocabulary), ``store`` (DuckDB schema and the write path), ``ingest``
(imports), ``progress`` (the progress engine), ``cli`` (``python -m metrics``).
This package never imports streamlit.
"""

__version__ = "0.1.0"
