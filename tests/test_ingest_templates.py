"""The template and reference the Upload page offers (:mod:`metrics.ingest.templates`)."""

from __future__ import annotations

from metrics import ingest
from tests.conftest import ANALYST
from tests.ingest_support import data_checksum, seeded_file, store  # noqa: F401 - store needs seeded_file


def test_templates_in_both_languages_change_nothing_when_uploaded_unchanged(store):
    def data_checksum() -> dict[str, str]:  # the audit trail records even an import that changed nothing
        return {table: digest for table, digest in store.checksum().items() if table != "audit_log"}

    before = data_checksum()
    for lang, header in (("da", "indikator;år;værdi"), ("en", "target_id,year,value")):
        data = ingest.template_csv(store, lang)
        assert data.decode("utf-8-sig").startswith(header)
        result = ingest.import_observations(store, data, ANALYST, file_name=f"template_{lang}.csv")
        assert result.batch_id is None and result.plan.counts["skipped"] == 11
    assert data_checksum() == before
