"""A synthetic database of N targets x G geographies x Y years, for benchmarks.

Default 1,000 x 29 x 30 = 870,000 observations. Values follow a noisy compound path
per target and geography, so every status occurs: target years 2022-2036, so a part is
settled (met or not met) as of 2026; one value in 20 is illustrative. Deterministic (hash-based noise).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from metrics import audit
from metrics.model import Actor
from metrics.store import Store

OUT_DIR = Path(__file__).resolve().parent / "out"


def build(path: Path, n_targets: int = 1000, n_geos: int = 29, n_years: int = 30) -> Store:
    """Create (or replace) the synthetic database at ``path`` and return it open."""
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    store = Store.open(path, seed=False)
    first_year = 2026 - n_years
    with store.write(Actor("bench", "admin", via="system"), "seed") as cur:
        cur.execute("INSERT INTO themes SELECT 'theme_' || i, i, 'Tema ' || i, 'Theme ' || i FROM range(4) r(i)")
        cur.execute("INSERT INTO focus_areas SELECT 'fa_' || i, 'theme_' || (i % 4), i, 'Fokus ' || i, 'Focus ' || i "
                    "FROM range(20) r(i)")
        cur.execute("INSERT INTO import_batches (file_name, sha256, user_name) VALUES ('synthetic', repeat('0', 64), 'bench')")
        cur.execute(
            """CREATE TEMP TABLE spec AS
               SELECT i, 'target_' || lpad(i::VARCHAR, 5, '0') AS target_id,
                      CASE WHEN i % 20 < 12 THEN 'level' WHEN i % 20 < 17 THEN 'relative' ELSE 'none' END AS kind,
                      CASE WHEN i % 7 = 0 THEN 'decrease' ELSE 'increase' END AS direction,
                      10 + (hash(i) % 1000)::INTEGER / 10.0 AS start_value,
                      ((hash(i * 31) % 200)::INTEGER - 60) / 2000.0 AS growth,
                      $first + 5 AS baseline_year
               FROM range($n) r(i)""",
            {"n": n_targets, "first": first_year},
        )
        cur.execute(
            """CREATE TEMP TABLE synth_obs AS
               SELECT s.target_id,
                      CASE WHEN g = 0 THEN 'Region Hovedstaden' ELSE 'Kommune ' || lpad(g::VARCHAR, 2, '0') END AS geography,
                      $first + k AS year,
                      round(s.start_value * (1 + g / 100.0) * pow(1 + s.growth, k)
                            * (1 + ((hash(s.i, g, k) % 100)::INTEGER - 50) / 2500.0), 3) AS value
               FROM spec s, range($g) gr(g), range($y) yr(k)""",
            {"first": first_year, "g": n_geos, "y": n_years},
        )
        cur.execute(
            """INSERT INTO target_definitions (target_id, sort_order, name_da, name_en, unit, kind, geography,
                   baseline_year, baseline_value, target_year, target_value, direction, lower_bound, source)
               SELECT s.target_id, s.i, 'Mål ' || s.i, 'Target ' || s.i, 'enheder', s.kind, 'Region Hovedstaden',
                      s.baseline_year, o.value,
                      CASE WHEN s.kind <> 'none' THEN 2022 + s.i % 15 END,
                      CASE s.kind WHEN 'level' THEN o.value * CASE WHEN s.direction = 'increase' THEN 1.8 ELSE 0.5 END
                                  WHEN 'relative' THEN CASE WHEN s.direction = 'increase' THEN 20 ELSE -20 END END,
                      s.direction, 0, 'synthetic'
               FROM spec s JOIN synth_obs o ON o.target_id = s.target_id
                AND o.geography = 'Region Hovedstaden' AND o.year = s.baseline_year"""
        )
        cur.execute("INSERT INTO target_placement SELECT target_id, 'fa_' || (i % 20) FROM spec")
        cur.execute(
            """INSERT INTO observations (target_id, geography, year, value, data_class, source, series_break, batch_id)
               SELECT target_id, geography, year, value,
                      CASE WHEN hash(target_id, geography, year) % 20 = 0 THEN 'I' ELSE 'R' END, 'synthetic', false, 1
               FROM synth_obs"""
        )
        cur.execute("DROP TABLE synth_obs")
        cur.execute("DROP TABLE spec")
        audit.record(cur, Actor("bench", "admin", via="system"), "seed", "database", path.name, None,
                     {"targets": n_targets, "geographies": n_geos, "years": n_years}, detail="synthetic benchmark data")
    return store


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--geographies", type=int, default=29)
    parser.add_argument("--years", type=int, default=30)
    parser.add_argument("--out", type=Path, default=OUT_DIR / "synthetic.duckdb")
    a = parser.parse_args()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    with build(a.out, a.targets, a.geographies, a.years) as s:
        print(f"{a.out}: {s.scalar('SELECT count(*) FROM observations'):,} observations")
