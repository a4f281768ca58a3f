"""Rows ready for display: the status table formatted in the user's language.

Pages stay thin by asking this module for what to show; it holds no streamlit code,
so its output is tested directly.
"""

from __future__ import annotations

import pandas as pd

from metrics import i18n, progress
from metrics.store import Store

GOOD_STATUSES = ("met", "on_track")


def status_table(store: Store, as_of: int, geography: str | None = None) -> pd.DataFrame:
    """The progress engine's output for the store's data."""
    with store.read() as cur:
        return progress.compute_status(cur, as_of=as_of, geography=geography)


def overview_rows(store: Store, as_of: int, lang: str) -> pd.DataFrame:
    """One row per target (its own geography), with display texts in ``lang``."""
    status = status_table(store, as_of)
    rows = status[status["is_primary_geography"]].copy()
    unit_col = "unit" if lang == "da" else "unit_en"

    def unit_of(r: pd.Series) -> str:
        return r[unit_col] if isinstance(r[unit_col], str) and r[unit_col] else r["unit"]

    rows["name"] = rows["name_da"] if lang == "da" else rows["name_en"]
    rows["latest"] = [
        "–" if pd.isna(r["latest_value"]) else
        f"{i18n.fmt_number(r['latest_value'], lang, unit=unit_of(r))} ({int(r['latest_year'])})"
        for _, r in rows.iterrows()
    ]
    rows["goal"] = [
        i18n.t("overview.monitored", lang) if r["kind"] == "none" else
        i18n.fmt_number(r["target_value"], lang, unit=unit_of(r))
        for _, r in rows.iterrows()
    ]
    rows["deadline"] = [
        "–" if pd.isna(r["target_year"]) else
        f"{int(r['target_year'])}" + (f" ({i18n.t('deadline.passed', lang)})" if r["deadline_passed"] else "")
        for _, r in rows.iterrows()
    ]
    rows["status_text"] = [
        i18n.status_label(s, lang) + (f": {i18n.t('reason.' + str(reason), lang)}" if isinstance(reason, str) else "")
        for s, reason in zip(rows["status"], rows["reason"])
    ]
    rows["data"] = [
        i18n.t(f"class.{c}", lang) + (" ⚠" if ill else "") if isinstance(c, str) else "–"
        for c, ill in zip(rows["data_class"], rows["has_illustrative"])
    ]
    return rows.reset_index(drop=True)


def summary(rows: pd.DataFrame) -> dict[str, int]:
    """How many targets (not monitored indicators) there are and how many are met or on track."""
    targets = rows[rows["kind"] != "none"]
    return {"targets": len(targets), "good": int(targets["status"].isin(GOOD_STATUSES).sum())}
