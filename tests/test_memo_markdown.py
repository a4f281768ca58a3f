"""The Markdown memo (metrics.memo.markdown) read back."""

from __future__ import annotations

from metrics import memo as memo_mod
from metrics.memo.markdown import _m
from tests.memo_support import expected_statuses, memo_da, no_cached_charts  # noqa: F401 - fixtures


def test_markdown_has_every_target(store, memo_da):
    text = memo_mod.to_markdown(memo_da)
    for name, (_, label) in expected_statuses(store).items():
        assert f"#### {_m(name)}\n\n**{_m(label)}" in text
