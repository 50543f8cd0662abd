"""The shipped RTS-GMLC case (data/rts-gmlc) and its importer (gridopt.importers.rts_gmlc).

Only the byte-for-byte reconversion needs the RTS-GMLC source folder (``../shared/data/rts-gmlc``
beside the repository, absent in CI: skipped there); every other test reads the shipped case.
Reference figures are those of the source's PROVENANCE.md ("Quick facts") and of gen.csv,
quoted where they are used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import gridopt
from gridopt.case.case import Case
from gridopt.case.io import read_case
from gridopt.checks import case_problems
from gridopt.cli import app
from gridopt.data import case_path, resolve_case
from gridopt.importers.rts_gmlc import (
    GJ_PER_MMBTU,
    RtsGmlcError,
    differences,
    heat_rate_at_pmax,
    read_rts,
    start_state,
    write,
)

FOLDER = case_path("rts-gmlc")
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "rts-gmlc"
needs_source = pytest.mark.skipif(not (SHARED / "SourceData").is_dir(),
                                  reason="the RTS-GMLC source folder ../shared is absent")
runner = CliRunner()


@pytest.fixture(scope="module")
def case() -> Case:
    return read_case(FOLDER)


def committable(case: Case) -> bool:
    return "committable" in pd.read_csv(FOLDER / "generators.csv", nrows=0).columns


@needs_source
def test_the_importer_reproduces_the_shipped_case(tmp_path: Path, case: Case) -> None:
    """``gridopt import rts-gmlc`` on the source writes the shipped files byte for byte, and
    ``--check`` finds the shipped folder up to date (in the shipped case's mode: with or
    without the unit-commitment columns)."""
    mode = [] if committable(case) else ["--lp"]
    out = tmp_path / "rts"
    done = runner.invoke(app, ["import", "rts-gmlc", str(SHARED), "--out", str(out), *mode])
    assert done.exit_code == 0, done.output
    written = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    assert differences(written, FOLDER) == []
    check = runner.invoke(app, ["import", "rts-gmlc", str(SHARED), "--out", str(FOLDER),
                                "--check", *mode])
    assert check.exit_code == 0, check.output
    assert "up to date" in check.output


@needs_source
def test_the_load_is_the_regional_series_spread_by_bus_share(case: Case) -> None:
    """Σ over buses of the shipped hourly load = Σ of the three regional DAY_AHEAD columns,
    hour by hour, within the 0.01 MW rounding of 51 loads."""
    regional = pd.read_csv(SHARED / "timeseries_data_files" / "Load" /
                           "DAY_AHEAD_regional_Load.csv")[["1", "2", "3"]].sum(axis=1)
    shipped = case.series["load_mw"].sum(axis=1).to_numpy()
    assert np.abs(shipped - regional.to_numpy()).max() <= 51 * 0.005 + 1e-9


def test_counts_and_capacities_match_the_source(case: Case) -> None:
    """73 buses; 120 AC branches + 1 DC line; 158 units of gen.csv = 154 generators + the
    storage unit + 3 synchronous condensers (left out). Installed MW per kind as in
    PROVENANCE.md: CC 3,550; steam 2,401; CT 1,725; nuclear 400; hydro 950 + ROR 50; wind
    2,508; PV 1,555; RTPV 1,161; CSP 200; storage 50; 14,550 in all."""
    assert len(case.table("buses")) == 73
    lines = case.table("lines")
    assert len(lines) == 121
    assert lines["x_pu"].isna().sum() == 1  # the DC line
    gens = case.table("generators")
    counts = gens["carrier"].value_counts().to_dict()
    assert counts == {"gas_cc": 10, "gas_ct": 27, "oil_ct": 12, "coal": 16, "oil_steam": 7,
                      "nuclear": 1, "hydro": 19, "hydro_ror": 1, "solar": 25,
                      "solar_rooftop": 31, "wind": 4, "solar_csp": 1}
    mw = gens.groupby("carrier")["p_nom_mw"].sum()
    expected = {("gas_cc",): 3550, ("coal", "oil_steam"): 2401, ("gas_ct", "oil_ct"): 1725,
                ("nuclear",): 400, ("hydro",): 950, ("hydro_ror",): 50, ("wind",): 2508,
                ("solar",): 1555, ("solar_rooftop",): 1161, ("solar_csp",): 200}
    for carriers, total in expected.items():
        assert mw[list(carriers)].sum() == pytest.approx(total, abs=0.6), carriers
    store = case.table("storage")
    assert store["p_nom_mw"].sum() == 50
    assert mw.sum() + store["p_nom_mw"].sum() == pytest.approx(14_550, abs=1)


def test_one_coal_unit_by_hand(case: Case) -> None:
    """123_STEAM_3 in gen.csv: PMax 350, PMin 140 MW; heat-rate curve at 40/60/80/100 % of
    PMax: HR_avg_0 12,106, HR_incr 9,453, 10,240, 11,087 BTU/kWh; ramp 4 MW/min; coal
    2.11399 $/MMBtu, 210 lb CO2/MMBtu; min up 24 h, min down 48 h; start times hot 8, warm
    12, cold 96 h; start heat warm 10,114.4 MMBtu; non-fuel start cost 0.

    Fuel at PMax = 140·12,106 + 70·(9,453 + 10,240 + 11,087) = 3,849,440 MW·BTU/kWh, so the
    average heat rate is 3,849,440 / 350 = 10,998.4 BTU/kWh = 11.603926 GJ/MWh and the fuel
    cost 10,998.4 · 2.11399 / 1000 = 23.2505 USD/MWh. Ramp 4 · 60 / 350 = 0.685714 p.u./h.
    Restart after the 48 h minimum down time: past warm (12 h), before cold (96 h), so the
    warm start heat, 10,114.4 · 1.05505585262 = 10,671.2569 GJ.
    """
    g = case.table("generators").loc["123_STEAM_3"]
    fuel = case.table("fuels").loc[g["fuel"]]
    assert (g["bus"], g["carrier"], g["p_nom_mw"]) == ("123", "coal", 350.0)
    assert g["heat_rate_gj_per_mwh"] == pytest.approx(11.603926, abs=1e-6)
    assert g["heat_rate_gj_per_mwh"] == pytest.approx(10_998.4 * GJ_PER_MMBTU / 1000, abs=1e-6)
    assert fuel["price_per_gj"] == pytest.approx(2.11399 / GJ_PER_MMBTU, abs=1e-6)
    assert g["marginal_cost_per_mwh"] == pytest.approx(23.2505, abs=1e-4)
    assert fuel["co2_t_per_gj"] == pytest.approx(210 * 0.45359237e-3 / GJ_PER_MMBTU, rel=1e-6)
    assert g["ramp_up_pu_per_h"] == g["ramp_down_pu_per_h"] == pytest.approx(0.685714)
    if committable(case):
        assert g["committable"]
        assert g["p_min_pu"] == pytest.approx(0.4)
        assert (g["unit_size_mw"], g["min_up_h"], g["min_down_h"]) == (350.0, 24.0, 48.0)
        assert g["startup_cost"] == 0.0
        assert g["startup_fuel_gj"] == pytest.approx(10_671.2569, abs=1e-4)
    else:
        assert g["p_min_pu"] == 0.0


def test_heat_rate_and_start_state_rules() -> None:
    """Two made-up units: a curve 50 % at 10,000 then 9,000 BTU/kWh averages 9,500 at PMax;
    a unit whose minimum down time reaches the cold time starts cold, one that stops short
    of the warm time starts hot."""
    units = pd.DataFrame({
        "PMax MW": [100.0, 100.0], "Output_pct_0": [0.5, 0.5], "Output_pct_1": [1.0, 1.0],
        "HR_avg_0": [10_000.0, 10_000.0], "HR_incr_1": [9_000.0, 9_000.0],
        "Min Down Time Hr": [4.0, 2.0], "Start Time Cold Hr": [4.0, 10.0],
        "Start Time Warm Hr": [1.0, 3.0]})
    assert heat_rate_at_pmax(units).tolist() == [9_500.0, 9_500.0]
    assert start_state(units).tolist() == ["Cold", "Hot"]


def test_the_importer_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(RtsGmlcError, match="no SourceData"):
        read_rts(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(RtsGmlcError, match="not empty"):
        write({"case.yaml": "name: rts-gmlc\n"}, other)
    done = runner.invoke(app, ["import", "rts-gmlc", str(tmp_path), "--out",
                               str(tmp_path / "new")])
    assert done.exit_code == 1 and "SourceData" in done.output
    assert not (tmp_path / "new").exists()


def test_profiles_follow_the_source(case: Case) -> None:
    """Hydro and rooftop PV must take their profile (p_min_pu 1, the RTS's PMin series);
    wind, PV and CSP may spill; every unit of those kinds has an hourly column."""
    gens = case.table("generators")
    avail = case.series["availability_pu"]
    fixed = gens["carrier"].isin(["hydro", "hydro_ror", "solar_rooftop"])
    assert (gens.loc[fixed, "p_min_pu"] == 1.0).all()
    varying = gens.index[gens["carrier"].isin(
        ["hydro", "hydro_ror", "solar_rooftop", "solar", "wind", "solar_csp"])]
    assert (avail[varying].std() > 0).all()
    assert avail["303_WIND_1"].max() == 1.0  # the wind series peak at PMax


def test_the_year_of_load(case: Case) -> None:
    """2020 is a leap year: 8,784 hours from 2020-01-01 00:00; 37.66 TWh, peak 8,192 MW and
    minimum 2,729 MW (PROVENANCE.md)."""
    assert case.n_snapshots == 8784
    assert case.snapshots[0] == pd.Timestamp("2020-01-01 00:00")
    assert case.snapshots[-1] == pd.Timestamp("2020-12-31 23:00")
    total = case.series["load_mw"].sum(axis=1)
    assert total.sum() / 1e6 == pytest.approx(37.66, abs=0.005)
    assert total.max() == pytest.approx(8192, abs=0.5)
    assert total.min() == pytest.approx(2729, abs=0.5)


def test_the_shipped_case_is_valid_by_name(case: Case) -> None:
    assert case.name == "rts-gmlc" and case.currency == "USD"
    assert case_problems(case) == []
    done = runner.invoke(app, ["validate", "rts-gmlc"])
    assert done.exit_code == 0, done.output
    assert "valid case" in done.output


def test_a_case_argument_is_a_folder_first_then_a_shipped_name(tmp_path: Path,
                                                               monkeypatch) -> None:
    """``gridopt run rts-gmlc``: the shipped case unless a folder of that name exists; other
    arguments are left as given (a missing folder is reported by the reader as before)."""
    monkeypatch.chdir(tmp_path)
    assert resolve_case(Path("rts-gmlc")) == FOLDER
    assert resolve_case(None) is None
    for given in ("no-such-case", "sub/rts-gmlc", "china-profiles"):  # the last: no case.yaml
        assert resolve_case(Path(given)) == Path(given)
    (tmp_path / "rts-gmlc").mkdir()
    assert resolve_case(Path("rts-gmlc")) == Path("rts-gmlc")
    done = runner.invoke(app, ["validate", "no-such-case"])
    assert done.exit_code == 1


def test_every_number_has_a_source() -> None:
    """Each numeric cell of a table, and each column of a series, is covered by a row of
    sources.csv (by name or ``*``, by column or ``*``)."""
    src = pd.read_csv(FOLDER / "sources.csv", dtype=str).fillna("")

    def covered(table: str, name: str, column: str) -> bool:
        rows = src[(src["table"] == table) & src["name"].isin([name, "*"])
                   & src["column"].isin([column, "*"])]
        return bool((rows["source"].str.strip() != "").any())

    missing = []
    for path in sorted(FOLDER.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str).fillna("")
        if path.name == "sources.csv":
            continue
        if frame.columns[0] == "snapshot":
            missing += [(path.name, c) for c in frame.columns[1:]
                        if not covered(path.name, "*", c)]
            continue
        for col in frame.columns.drop(["name", "description"], errors="ignore"):
            numeric = pd.to_numeric(frame[col], errors="coerce").notna()
            missing += [(path.name, n, col) for n in frame.loc[numeric, "name"]
                        if not covered(path.name, n, col)]
    assert missing == []


def first_hours(case: Case, hours: int) -> Case:
    return case.replace(snapshots=case.snapshots[:hours],
                        series={k: v.iloc[:hours] for k, v in case.series.items()})


def as_lp(case: Case) -> Case:
    """The case as ``gridopt import rts-gmlc --lp`` writes it: no unit committable, thermal
    units without a minimum output (hydro and rooftop PV keep taking their profile)."""
    gens = case.table("generators").copy()
    thermal = gens["heat_rate_gj_per_mwh"] > 0
    gens.loc[thermal, "p_min_pu"] = 0.0
    if "committable" in gens:
        gens["committable"] = False
    return case.replace(tables={**case.tables, "generators": gens})


def solve_both(case: Case, **options: object) -> float:
    a = gridopt.solve(case, backend="highs", **options)
    b = gridopt.solve(case, backend="pyomo", **options)
    assert a.status == b.status == "optimal"
    assert b.objective == pytest.approx(a.objective, rel=1e-6)
    for r in (a, b):
        assert r.summary()["load_shed_mwh"] == pytest.approx(0.0, abs=1e-6)
    return a.objective


def test_a_day_solves_as_an_lp_without_shedding_on_both_backends(case: Case) -> None:
    """The first day as an LP dispatch: optimal, no load shed, one optimum on both backends."""
    assert solve_both(as_lp(first_hours(case, 24))) > 0


def test_the_commitment_relaxation_solves_on_both_backends(case: Case) -> None:
    """The first two days with the units committable, integers relaxed: optimal, no shed, the
    same optimum on both backends, and not below the LP without commitment (the relaxation
    keeps minimum outputs and start-up fuel)."""
    if not committable(case):
        pytest.skip("the shipped case has no unit-commitment columns")
    days = first_hours(case, 48)
    relaxed = solve_both(days, relax_integrality=True)
    assert relaxed >= gridopt.solve(as_lp(days)).objective - 1e-6
