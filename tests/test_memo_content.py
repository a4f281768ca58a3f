"""The memo's content (metrics.memo.content): counts, changes, furthest behind, themes, commentary, summary memo."""

from __future__ import annotations

import html

import pytest

from metrics import audit, commentary, ingest
from metrics import memo as memo_mod
from metrics.memo import content
from metrics.model import TARGET_STATUSES, Actor, MalsporError
from tests.conftest import ADMIN, ANALYST, write_csv
from tests.memo_support import YEAR, TODAY, expected_statuses, memo_da, no_cached_charts  # noqa: F401 - fixtures


def test_first_page_counts_changes_and_furthest_behind(memo_da):
    m = memo_da
    assert m.detail == "full" and m.n_targets == 11
    assert m.headline == "4 af 9 mål er nået eller på rette vej."
    assert [(s, n) for s, _, n in m.counts] == [("on_track", 4), ("insufficient", 1), ("moving_away", 2),
                                                ("not_assessable", 2)]
    assert m.counts[0][1] == "▲ på rette vej"                        # icon and words
    assert "2 indikatorer uden mål" in m.monitored
    assert m.changes == [] and m.changes_text == "Ingen mål har skiftet status siden status pr. 2025."
    # furthest behind: moving away first, then insufficient
    assert [row[0] for row in m.behind] == ["Unge der vælger en erhvervsuddannelse (EUD)",
                                            "Borgere der pendler med kollektiv trafik",
                                            "Passagerer med Movia (bus og lokalbaner)"]
    # the status with its marks (EUD's deadline 2025 has passed, its figure for 2025 is not out)
    assert m.behind[0][1].startswith("✖ bevæger sig væk fra målet (")
    assert "frist overskredet, tal for 2025 mangler" in m.behind[0][1]
    assert "fire femtedele af tiden" in m.behind[0][4]
    assert m.has_illustrative


def test_every_target_is_in_its_theme_and_focus_area_with_its_status(store, memo_da):
    expected = expected_statuses(store)
    seen = {}
    targets = store.targets().set_index("target_id")
    for theme in memo_da.themes:
        for focus in theme.focus_areas:
            for section in focus.targets:
                row = targets.loc[section.target_id]
                assert row["theme_id"] == theme.theme_id and row["focus_area_id"] == focus.focus_area_id
                seen[section.name] = section.status
                assert section.status_text.startswith(expected[section.name][1])
    assert seen == {name: code for name, (code, _) in expected.items()}


def test_theme_without_targets_is_handled(memo_da):
    health = next(th for th in memo_da.themes if th.theme_id == "sundt_liv")
    assert health.empty_note == "Ingen mål i dette tema endnu." and health.summary is None
    assert [f.focus_area_id for f in health.focus_areas] == ["folkesundhed", "forskning_innovation",
                                                             "personlig_medicin"]
    assert health.focus_areas[0].initiatives[0][2] == "6.000.000 kr."
    assert health.focus_areas[0].funding_total == "Samlet bevilling: 6.000.000 kr."


def test_english_memo(store):
    m = memo_mod.build_memo(store, YEAR, "en", charts=False, today=TODAY)
    assert m.headline == "4 of 9 targets are met or on track." and m.subtitle.startswith("Status as of 2026")
    assert m.date_text == "12 May 2026"
    html_text = memo_mod.to_html(m).decode()
    for name, (_, label) in expected_statuses(store, "en").items():
        assert html.escape(name) in html_text and html.escape(label) in html_text
    assert "procentpoint" not in html_text and "percentage points" in html_text


def test_changes_since_the_previous_year(store, tmp_path):
    path = write_csv(tmp_path / "dk.csv", "target_id,year,value,source\ndk2020_climate_plans,2026,29,KKR\n")
    ingest.import_observations(store, path, ANALYST)
    m = memo_mod.build_memo(store, YEAR, "da", charts=False)
    assert m.changes == [["Kommuner med DK2020-klimaplan", "▲ på rette vej", "✔ mål nået", "↑ bedre"]]
    assert "1 mål har skiftet status" in m.changes_text and "1 til det bedre, 0 til det værre" in m.changes_text


def test_commentary_goes_into_the_memo_with_author_and_year(store):
    commentary.save(store, ANALYST, target_id="eud_share", year=YEAR,
                    text="Søgningen ligger stabilt.\n\nCopenhagen Skills fortsætter.")
    commentary.save(store, ANALYST, focus_area_id="faglaerte", year=YEAR, text="Indsatsen fortsætter.")
    commentary.save(store, ANALYST, target_id="stem_admissions", year=YEAR - 1, text="Skrevet sidste år.")
    commentary.save(store, ANALYST, target_id="waste_recycling", year=YEAR, text="Only English.", lang="en")
    m = memo_mod.build_memo(store, YEAR, "da", charts=False)
    sections = {t.target_id: t for th in m.themes for f in th.focus_areas for t in f.targets}
    eud = sections["eud_share"].commentary
    assert eud.paragraphs == ["Søgningen ligger stabilt.", "Copenhagen Skills fortsætter."]
    assert eud.byline.startswith("Skrevet af ana, ")
    assert "skrevet til status pr. 2025" in sections["stem_admissions"].commentary.byline
    assert "kun på engelsk" in sections["waste_recycling"].commentary.byline
    assert sections["renewable_electricity_share"].commentary is None
    focus = next(f for th in m.themes for f in th.focus_areas if f.focus_area_id == "faglaerte")
    assert focus.commentary.paragraphs == ["Indsatsen fortsætter."]
    text = memo_mod.to_markdown(m)
    assert "> Søgningen ligger stabilt." in text and "Indsatsen fortsætter." in text


def test_summary_memo_for_a_large_database(store, monkeypatch):
    monkeypatch.setattr(content, "FULL_LIMIT", 5)
    commentary.save(store, ANALYST, focus_area_id="faglaerte", year=YEAR, text="Resumé-kommentar.")
    m = memo_mod.build_memo(store, YEAR, "da", today=TODAY)
    assert m.detail == "summary"
    assert all(not f.targets for th in m.themes for f in th.focus_areas)
    assert [f.focus_area_id for th in m.themes for f in th.focus_areas] == ["faglaerte"]
    mobility = next(th for th in m.themes if th.theme_id == "mobilitet")
    assert [row[0] for row in mobility.behind][:2] == ["Borgere der pendler med kollektiv trafik",
                                                       "Passagerer med Movia (bus og lokalbaner)"]
    for fmt in memo_mod.FORMATS:
        data = memo_mod.render(m, fmt)
        assert data
    assert "Resumé: databasen har 11 mål" in memo_mod.to_markdown(m)
    full = memo_mod.build_memo(store, YEAR, "da", detail="full", charts=False)
    assert full.detail == "full"


def test_unknown_language_and_detail_are_refused(store):
    with pytest.raises(MalsporError, match="language"):
        memo_mod.build_memo(store, YEAR, "de")
    with pytest.raises(MalsporError, match="detail"):
        memo_mod.build_memo(store, YEAR, "da", detail="everything")
    with pytest.raises(MalsporError, match="format"):
        memo_mod.memo_bytes(store, "odt", YEAR)


def test_furthest_behind_is_the_overviews_ranking(store, memo_da):
    from metrics import views

    overview = views.furthest_behind(views.overview_rows(store, YEAR, "da"), memo_mod.BEHIND_SHOWN)
    assert [row[0] for row in memo_da.behind] == list(overview["name"])


def test_a_missed_target_is_counted_as_not_met_in_the_methods_order(store, tmp_path):
    path = write_csv(tmp_path / "eud.csv", "target_id,year,value,source\neud_share,2025,15,UVM\n")
    ingest.import_observations(store, path, ANALYST)
    memo = memo_mod.build_memo(store, YEAR, "da", charts=False, today=TODAY)
    order = [s for s, _, _ in memo.counts]
    assert order == [s for s in TARGET_STATUSES if s in order]
    assert ("not_met", "⊘ ikke nået", 1) in memo.counts
    eud = next(t for th in memo.themes for f in th.focus_areas for t in f.targets if t.target_id == "eud_share")
    assert eud.status == "not_met" and eud.status_text.startswith("⊘ ikke nået")
    assert "frist overskredet" not in eud.status_text                # settled: the figure for 2025 is there
    assert dict(eud.facts)["Mål"] == "30 % i 2025 (afgjort med tallet for 2025)"
    assert memo.behind[0][0] == "Unge der vælger en erhvervsuddannelse (EUD)"   # the worst status first
    md = memo_mod.to_markdown(memo)
    assert "| ⊘ ikke nået | 1 |" in md


def test_viewer_cannot_write_commentary_for_the_memo(store):
    with pytest.raises(Exception, match="may not"):
        commentary.save(store, Actor("v", "viewer"), target_id="eud_share", year=YEAR, text="x")


def test_control_characters_and_unusual_scripts_do_not_break_any_format(store):
    with store.write(ADMIN, "edit_targets") as cur:
        cur.execute("UPDATE target_definitions SET name_da = ? WHERE target_id = 'eud_share'",
                    ["EUD \x07klokke \x00nul 😀 中文\ttab"])
        audit.record(cur, ADMIN, "test_odd_name", "targets", "eud_share", None, None)
    commentary.save(store, ANALYST, target_id="eud_share", year=YEAR, text="emoji 😀 styretegn \x01\x02 slut")
    assert commentary.current(store, year=YEAR, target_id="eud_share").text == "emoji 😀 styretegn  slut"
    memo = memo_mod.build_memo(store, YEAR, "da", charts=False)
    eud = next(t for th in memo.themes for f in th.focus_areas for t in f.targets if t.target_id == "eud_share")
    assert eud.name == "EUD klokke nul 😀 中文 tab"
    for fmt in memo_mod.FORMATS:
        assert len(memo_mod.render(memo, fmt)) > 1000


@pytest.mark.parametrize("detail", ["full", "summary"])
def test_the_memo_asks_the_engine_twice_whatever_the_number_of_targets(store, monkeypatch, detail):
    """One status computation for the as-of year and one for the year before, never one per target."""
    from metrics import progress, views

    calls = []
    real = progress.compute_status
    monkeypatch.setattr(progress, "compute_status", lambda *a, **k: calls.append(k) or real(*a, **k))
    monkeypatch.setattr(views, "target_detail", lambda *a, **k: pytest.fail("asked for one target's detail"))
    memo = memo_mod.build_memo(store, YEAR, "da", detail=detail, charts=False)
    assert memo.detail == detail
    assert [(c.get("as_of"), c.get("target_id")) for c in calls] == [(YEAR, None), (YEAR - 1, None)]


def test_a_large_database_names_a_few_marked_targets_per_status_and_counts_the_rest(tmp_path):
    """1,000 targets: the counts table names at most CAVEATS_NAMED marked targets beside a status, then
    "… og N mål mere med forbehold", so the first page is not a list of a hundred names; 1.000 in Danish."""
    from bench.synthetic import build
    from metrics.memo import layout as lay

    with build(tmp_path / "big.duckdb", n_targets=1000, n_geos=1, n_years=30) as big:
        memo = memo_mod.build_memo(big, YEAR, "da", charts=False, today=TODAY)
    assert memo.detail == "summary" and memo.caveats
    for text in [*memo.caveats.values(), *(v for th in memo.themes for v in th.caveats.values())]:
        lines = text.split("\n")
        assert len(lines) <= memo_mod.CAVEATS_NAMED + 1, lines
        if len(lines) == memo_mod.CAVEATS_NAMED + 1 and lines[-1].startswith("…"):
            assert lines[-1].endswith("mål mere med forbehold")
    assert any(text.split("\n")[-1].startswith("… og ") for text in memo.caveats.values())
    assert "… og " in memo.monitored and "indikatorer mere med forbehold" in memo.monitored
    notes = [b.text for b in lay.first_page(memo) if isinstance(b, lay.Para)]
    assert any("databasen har 1.000 mål" in n for n in notes), notes      # not "1000"
