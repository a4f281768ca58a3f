"""What the Upload page offers beside the upload: a template to fill in and the targets to import to."""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd

from metrics import i18n
from metrics.ingest.fields import TEMPLATE_HEADERS
from metrics.store import Store

def template_csv(store: Store, lang: str) -> bytes:
    """A template to fill in: Danish (semicolon, for a Danish Excel) or English (comma) headers.

    One row per known target with its id and own geography filled in; year and value are
    empty, so uploading the template unchanged skips every row and changes nothing.
    """
    from metrics.export import neutralise  # local: export sits above ingest
    headers = TEMPLATE_HEADERS["da" if lang == "da" else "en"]
    delimiter = ";" if lang == "da" else ","
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for target_id, geography in store.query_df("SELECT target_id, geography FROM targets ORDER BY target_id") \
            .itertuples(index=False):
        writer.writerow([target_id, "", "", neutralise(geography), "", "", ""])  # inert in any spreadsheet
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def target_reference(store: Store, lang: str) -> pd.DataFrame:
    """The targets an analyst can import to: id, name, unit, own geography and natural bounds."""
    targets = store.targets()
    name = targets["name_da"] if lang == "da" else targets["name_en"]
    unit = targets["unit"] if lang == "da" else targets["unit_en"].fillna(targets["unit"])

    def bounds(lo: Any, hi: Any) -> str:
        if pd.isna(lo) and pd.isna(hi):
            return ""
        return f"{i18n.fmt_number(lo, lang) if pd.notna(lo) else '−∞'} – {i18n.fmt_number(hi, lang) if pd.notna(hi) else '∞'}"

    return pd.DataFrame({
        "target_id": targets["target_id"], "name": name, "unit": unit, "geography": targets["geography"],
        "bounds": [bounds(lo, hi) for lo, hi in zip(targets["lower_bound"], targets["upper_bound"])],
    })
