"""``python -m metrics report``: each format written, charts beside Markdown, errors, help."""

from __future__ import annotations


import pytest

from metrics import charts, cli
from metrics import memo as memo_mod
from tests.memo_support import YEAR, run, _tiny_png, no_cached_charts  # noqa: F401 - fixtures


def test_cli_report_writes_each_format(store, tmp_path):
    for fmt in memo_mod.FORMATS:
        out = tmp_path / f"notat.{fmt}"
        code, text, err = run("report", "--format", fmt, "--year", str(YEAR), "--out", str(out), "--no-charts")
        assert code == 0, err
        assert out.stat().st_size > 1000 and "11 targets" in text and "full status memo" in text
    assert (tmp_path / "notat.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "notat.docx").read_bytes()[:2] == b"PK"
    code, text, _ = run("report", "--format", "html", "--lang", "en", "--out", str(tmp_path / "m.html"),
                        "--no-charts", "--detail", "summary")
    assert code == 0 and "summary status memo" in text
    assert "Status of the targets" in (tmp_path / "m.html").read_text(encoding="utf-8")


def test_cli_report_markdown_writes_charts_beside_it(store, tmp_path, monkeypatch):
    monkeypatch.setattr(charts, "figure_png", lambda fig, width=1200, height=600: _tiny_png())
    code, _, err = run("report", "--format", "md", "--year", str(YEAR), "--out", str(tmp_path / "notat.md"))
    assert code == 0, err
    pngs = sorted(p.name for p in (tmp_path / "notat_grafer").iterdir())
    assert "eud_share.png" in pngs
    assert "](notat_grafer/eud_share.png)" in (tmp_path / "notat.md").read_text(encoding="utf-8")


def test_cli_report_errors(store, tmp_path):
    code, _, err = run("report", "--format", "pdf", "--out", str(tmp_path / "nowhere" / "x.pdf"))
    assert code == 1 and "does not exist" in err
    code, _, _ = run("report", "--format", "odt", "--out", str(tmp_path / "x.odt"))
    assert code == 2


@pytest.mark.parametrize("command", [["report"], ["backup"], ["restore"], ["commentary"], ["commentary", "set"],
                                     ["commentary", "list"]])
def test_new_subcommands_have_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        cli.build_parser().parse_args([*command, "--help"])
    assert info.value.code == 0
    assert "--db" in capsys.readouterr().out
