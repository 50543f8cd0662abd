"""Validation rules: one broken case per rule, several mistakes at once, typed frames.

Most tests copy the valid folder ``tests/cases/tiny`` into ``tmp_path``, make one edit and
assert the *only* problem found (file, CSV row, column, rule), so a test also fails when one
mistake cascades into follow-on problems.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gridopt.case.build import case_from_tables
from gridopt.case.case import CaseError, Problem
from gridopt.case.io import validate_case
from gridopt.case.schema import TABLES
from gridopt.case.validate import MAX_SERIES_CELLS, validate_tables

TINY = Path(__file__).parent / "cases" / "tiny"

LONG_LOAD = """hour,name,value
1,city,40
2,city,50
3,city,60
4,city,45
1,works,10
2,works,10
3,works,10
4,works,10
"""

Edit = tuple[str, str | None, str | None]  # (file, old text or None = whole file, new or None)


def tiny_with(tmp_path: Path, *edits: Edit) -> Path:
    """A copy of the tiny case with text replaced in its files (or files written/removed)."""
    folder = tmp_path / "case"
    shutil.copytree(TINY, folder)
    for file, old, new in edits:
        path = folder / file
        if new is None:
            path.unlink()
        elif old is None:
            path.write_text(new)
        else:
            text = path.read_text()
            assert old in text, f"{old!r} is not in {file}"
            path.write_text(text.replace(old, new, 1))
    return folder


def where(problems: list[Problem]) -> list[tuple[str, int | None, str | None, str]]:
    return [(p.file, p.row, p.column, p.rule) for p in problems]


def test_tiny_is_valid() -> None:
    assert validate_case(TINY) == []


ONE_MISTAKE: dict[str, tuple[list[Edit], tuple[str, int | None, str | None, str]]] = {
    "config-required": ([("case.yaml", "voll_per_mwh: 3000\n", "")],
                        ("case.yaml", None, "voll_per_mwh", "config-required")),
    "config-required-start": ([("case.yaml", "  start: 2030-01-01 00:00\n", "")],
                              ("case.yaml", None, "snapshots.start", "config-required")),
    "config-type": ([("case.yaml", "hours: 4", "hours: four")],
                    ("case.yaml", None, "snapshots.hours", "config-type")),
    "config-type-annualise": ([("case.yaml", "hours: 4", "hours: 4\n  annualise: 'no'")],
                              ("case.yaml", None, "snapshots.annualise", "config-type")),
    "config-range": ([("case.yaml", "discount_rate: 0.05", "discount_rate: 1.0")],
                     ("case.yaml", None, "discount_rate", "config-range")),
    "config-range-voll": ([("case.yaml", "voll_per_mwh: 3000", "voll_per_mwh: -1")],
                          ("case.yaml", None, "voll_per_mwh", "config-range")),
    "config-value": ([("case.yaml", "start: 2030-01-01 00:00", "start: someday")],
                     ("case.yaml", None, "snapshots.start", "config-value")),
    "config-value-list": ([("case.yaml", "hours: 4", "list: ['2030-01-01 00:00', "
                            "'2030-01-01 02:00', '2030-01-01 01:00', '2030-01-01 03:00']")],
                          ("case.yaml", None, "snapshots.list", "config-value")),
    "config-conflict": ([("case.yaml", "hours: 4", "hours: 4\n  list: ['2030-01-01 00:00']")],
                        ("case.yaml", None, "snapshots.list", "config-conflict")),
    "required-table": ([("loads.csv", None, None)], ("loads.csv", None, None, "required-table")),
    "required-table-series": ([("load_mw.csv", None, None)],
                              ("load_mw.csv", None, None, "required-table")),
    "required-table-fuels": ([("fuels.csv", None, None)],
                             ("fuels.csv", None, None, "required-table")),
    "required-column": ([("generators.csv", None,
                          "name,bus,p_nom_mw\ngas_ccgt,north,100\nwind,south,0\n")],
                        ("generators.csv", None, "carrier", "required-column")),
    "required-column-series-key": ([("load_mw.csv", "hour,", "time,")],
                                   ("load_mw.csv", None, "snapshot", "required-column")),
    "duplicate-column": ([("loads.csv", None, "name,bus,bus\ncity,south,x\nworks,north,y\n")],
                         ("loads.csv", None, "bus", "duplicate-column")),
    "unknown-column": ([("loads.csv", None, "name,bus,buss\ncity,south,x\nworks,north,y\n")],
                       ("loads.csv", None, "buss", "unknown-column")),
    "required-value": ([("generators.csv", "wind,south,wind,", "wind,south,,")],
                       ("generators.csv", 3, "carrier", "required-value")),
    "required-value-series": ([("load_mw.csv", "3,60,10", "3,,10")],
                              ("load_mw.csv", 4, "city", "required-value")),
    "not-a-number": ([("generators.csv", "gas_ccgt,north,gas,100,", "gas_ccgt,north,gas,lots,")],
                     ("generators.csv", 2, "p_nom_mw", "not-a-number")),
    "not-a-number-series": ([("load_mw.csv", "2,50,10", "2,50,ten")],
                            ("load_mw.csv", 3, "works", "not-a-number")),
    "not-a-bool": ([("generators.csv", "100,false,", "100,maybe,")],
                   ("generators.csv", 2, "extendable", "not-a-bool")),
    "range": ([("storage.csv", "2,0.95,0.95", "2,1.2,0.95")],
              ("storage.csv", 2, "eff_charge", "range")),
    "range-negative-cost": ([("fuels.csv", "gas,8,", "gas,-8,")],
                            ("fuels.csv", 2, "price_per_gj", "range")),
    "range-infinite": ([("generators.csv", "gas_ccgt,north,gas,100,", "gas_ccgt,north,gas,inf,")],
                       ("generators.csv", 2, "p_nom_mw", "range")),
    "range-series": ([("availability_pu.csv", "3,0.1", "3,1.1")],
                     ("availability_pu.csv", 4, "wind", "range")),
    "unique": ([("buses.csv", "south,0,0\n", "south,0,0\nnorth,5,5\n")],
               ("buses.csv", 4, "name", "unique")),
    "unknown-reference": ([("generators.csv", "wind,south,", "wind,sooth,")],
                          ("generators.csv", 3, "bus", "unknown-reference")),
    "unknown-reference-fuel": ([("generators.csv", ",gas,7,", ",coal,7,")],
                               ("generators.csv", 2, "fuel", "unknown-reference")),
    "min-le-max": ([("generators.csv", "100,false,,0.2", "100,false,50,0.2")],
                   ("generators.csv", 2, "p_nom_mw", "min-le-max")),
    "duration-mismatch": ([("storage.csv", "10,20,2", "10,30,2")],
                          ("storage.csv", 2, "duration_h", "duration-mismatch")),
    "same-bus": ([("lines.csv", "north,south,50", "north,north,50")],
                 ("lines.csv", 2, "bus1", "same-bus")),
    "series-length": ([("load_mw.csv", "4,45,10\n", "")],
                      ("load_mw.csv", None, None, "series-length")),
    "series-index": ([("load_mw.csv", "3,60,10\n4,45,10", "4,60,10\n3,45,10")],
                     ("load_mw.csv", 4, "hour", "series-index")),
    "series-unknown-element": ([("availability_pu.csv", "hour,wind", "hour,solar")],
                               ("availability_pu.csv", None, "solar", "series-unknown-element")),
    "series-missing-element": ([("load_mw.csv", None, "hour,city\n1,40\n2,50\n3,60\n4,45\n")],
                               ("load_mw.csv", None, "works", "series-missing-element")),
    "series-duplicate": ([("load_mw.csv", None, LONG_LOAD.replace("4,city", "3,city"))],
                         ("load_mw.csv", 5, "hour", "series-duplicate")),
    "unreachable-load": ([("lines.csv", None, None),
                          ("generators.csv", "wind,south,", "wind,north,")],
                         ("buses.csv", 3, "name", "unreachable-load")),
}


@pytest.mark.parametrize("edits, expected", ONE_MISTAKE.values(), ids=ONE_MISTAKE.keys())
def test_one_mistake_gives_exactly_one_problem(tmp_path: Path, edits: list[Edit],
                                               expected: tuple) -> None:
    problems = validate_case(tiny_with(tmp_path, *edits))
    assert where(problems) == [expected], "\n".join(map(str, problems))


def test_a_self_owned_plant_supplies_its_bus(tmp_path: Path) -> None:
    """The load at 'south' has no generator and no line, but a self-owned plant there can
    supply it: not an unreachable load (the same edits without the plant are one)."""
    edits = [("lines.csv", None, None), ("generators.csv", "wind,south,", "wind,north,")]
    plant = ("self_owned_plants.csv", None,
             "name,bus,potential_mw,enrolled_mw\nchp_south,south,20,10\n")
    assert [p.rule for p in validate_case(tiny_with(tmp_path / "a", *edits))] == [
        "unreachable-load"]
    assert validate_case(tiny_with(tmp_path / "b", *edits, plant)) == []


def test_a_load_reached_over_a_line_is_not_unreachable(tmp_path: Path) -> None:
    """With wind moved to 'north', 'south' (load 'city') has no supply of its own, but the
    line north_south joins it to 'north' (gas, wind, battery): no problem. Without the line
    the same load is unreachable (the ONE_MISTAKE case above)."""
    edits = [("generators.csv", "wind,south,", "wind,north,")]
    assert validate_case(tiny_with(tmp_path, *edits)) == []


def test_no_bus_graph_when_every_load_has_supply_at_its_bus(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """In the tiny case both load buses have a generator ('north': gas, 'south': wind), so
    no path needs searching: the check answers without building the bus graph (networkx's
    ``Graph`` is patched on the networkx module itself, however the validator imports it)."""
    import networkx

    def no_graph() -> None:
        raise AssertionError("the bus graph was built")

    monkeypatch.setattr(networkx, "Graph", no_graph)
    assert validate_case(TINY) == []


def test_messages_name_the_element(tmp_path: Path) -> None:
    folder = tiny_with(tmp_path, ("generators.csv", "gas_ccgt,north,gas,100,false,,0.2,",
                                  "gas_ccgt,north,gas,100,false,,0.6,"),
                       ("generators.csv", "heat_rate_gj_per_mwh,", "heat_rate_gj_per_mwh,"
                        "p_max_pu,"),
                       ("generators.csv", "gas,7,2", "gas,7,0.5,2"),
                       ("generators.csv", "1000000,,,", "1000000,,,,"),
                       ("generators.csv", "wind,south,", "wind,sooth,"))
    messages = [p.message for p in validate_case(folder)]
    assert messages == [
        "generator 'gas_ccgt' has p_min_pu 0.6 > p_max_pu 0.5",
        "generator 'wind' names bus 'sooth', which is not in buses.csv "
        "(did you mean 'south'?)",
    ]


def test_several_mistakes_in_several_files_are_reported_together(tmp_path: Path) -> None:
    folder = tiny_with(
        tmp_path,
        ("case.yaml", "discount_rate: 0.05", "discount_rate: -0.1"),
        ("buses.csv", "south,0,0\n", "south,0,0\nnorth,5,5\n"),
        ("generators.csv", "gas_ccgt,north,gas,100,false", "gas_ccgt,north,gas,-100,maybe"),
        ("storage.csv", "10,20,2", "10,30,2"),
        ("loads.csv", "city,south", "city,soth"),
        ("availability_pu.csv", "2,0.5", "2,1.5"),
        ("load_mw.csv", None, "hour,city,works,ghost\n1,40,10,1\n2,50,10,1\n3,60,10,1\n"
                              "4,45,10,1\n"),
    )
    with pytest.raises(CaseError) as info:
        from gridopt.case.io import read_case

        read_case(folder)
    assert set(where(info.value.problems)) == {
        ("case.yaml", None, "discount_rate", "config-range"),
        ("buses.csv", 4, "name", "unique"),
        ("generators.csv", 2, "p_nom_mw", "range"),
        ("generators.csv", 2, "extendable", "not-a-bool"),
        ("storage.csv", 2, "duration_h", "duration-mismatch"),
        ("loads.csv", 2, "bus", "unknown-reference"),
        ("load_mw.csv", None, "ghost", "series-unknown-element"),
        ("availability_pu.csv", 3, "wind", "range"),
    }
    files = [p.file for p in info.value.problems]
    assert files[0] == "case.yaml" and files[-1] == "availability_pu.csv"  # grouped by file


def test_missing_buses_does_not_cascade(tmp_path: Path) -> None:
    """Without buses.csv no generator, load or line is reported for an unknown bus."""
    folder = tiny_with(tmp_path, ("buses.csv", None, None))
    assert where(validate_case(folder)) == [("buses.csv", None, None, "required-table")]


def test_missing_column_is_not_range_checked(tmp_path: Path) -> None:
    folder = tiny_with(tmp_path, ("lines.csv", None, "name,bus0,bus1\nnorth_south,north,south\n"))
    assert where(validate_case(folder)) == [("lines.csv", None, "cap_fwd_mw", "required-column")]


def test_bad_cells_in_a_long_column_are_capped(tmp_path: Path) -> None:
    rows = "".join(f"{h},{2.0 if h > 3 else 0.5}\n" for h in range(1, 31))
    folder = tiny_with(tmp_path, ("case.yaml", "hours: 4", "hours: 30"),
                       ("load_mw.csv", None, "hour,city,works\n"
                        + "".join(f"{h},1,1\n" for h in range(1, 31))),
                       ("availability_pu.csv", None, "hour,wind\n" + rows))
    problems = validate_case(folder)
    assert where(problems) == [("availability_pu.csv", row, "wind", "range")
                               for row in range(5, 5 + MAX_SERIES_CELLS)] + [
        ("availability_pu.csv", None, "wind", "range")]
    assert problems[-1].message.startswith("27 cells")


def test_long_series_rules(tmp_path: Path) -> None:
    text = LONG_LOAD.replace("4,works,10\n", "").replace("2,city,50", "2,city,-50")
    text += "1,ghost,3\n9,city,1\n"
    folder = tiny_with(tmp_path, ("load_mw.csv", None, text))
    assert where(validate_case(folder)) == [
        ("load_mw.csv", 9, "name", "series-unknown-element"),
        ("load_mw.csv", 10, "hour", "series-index"),
        ("load_mw.csv", None, None, "series-length"),  # city: 5 rows
        ("load_mw.csv", 3, "value", "range"),
        ("load_mw.csv", None, None, "series-length"),  # works: 3 rows
    ]


def test_snapshot_column_must_match_the_case(tmp_path: Path) -> None:
    text = ("snapshot,wind\n2030-01-01 00:00,0.3\n2030-01-01 01:00,0.5\n"
            "2030-01-01 02:00,0.1\n2031-01-01 03:00,0.8\n")
    folder = tiny_with(tmp_path, ("availability_pu.csv", None, text))
    assert where(validate_case(folder)) == [("availability_pu.csv", 5, "snapshot", "series-index")]


def test_blank_lines_keep_csv_line_numbers(tmp_path: Path) -> None:
    folder = tiny_with(tmp_path,
                       ("generators.csv", "\nwind,south,wind,0", "\n\n,,,\nwind,sooth,wind,0"))
    assert where(validate_case(folder)) == [("generators.csv", 5, "bus", "unknown-reference")]


# ---------------------------------------------------------------------------- typed frames


def typed_case() -> tuple[dict, dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The tiny case built in code with numeric, bool and datetime columns."""
    config = {"name": "typed", "currency": "EUR", "voll_per_mwh": 3000.0,
              "snapshots": {"start": pd.Timestamp("2030-01-01"), "hours": np.int64(3)}}
    tables = {
        "buses": pd.DataFrame({"name": ["a", "b"]}),
        "lines": pd.DataFrame({"name": ["ab"], "bus0": ["a"], "bus1": ["b"], "cap_fwd_mw": [5]}),
        "generators": pd.DataFrame({"name": ["g", "h"], "bus": ["a", "b"], "carrier": "gas",
                                    "p_nom_mw": [10.0, 5.0], "p_min_pu": [0.1, np.nan],
                                    "extendable": [True, np.nan]}),
        "storage": pd.DataFrame({"name": ["s"], "bus": ["b"], "p_nom_mw": [1.0],
                                 "e_nom_mwh": [2.0], "duration_h": [2], "cyclic": [0.0]}),
        "loads": pd.DataFrame({"name": ["l"], "bus": ["b"]}),
    }
    index = pd.date_range("2030-01-01", periods=3, freq="h")
    series = {"load_mw": pd.DataFrame({"hour": [1, 2, 3], "l": [1.0, 2.0, 3.0]}),
              "availability_pu": pd.DataFrame({"h": [0.5, 1.0, 0.0]}, index=index)}
    return config, tables, series


def test_typed_frames_are_valid_and_build() -> None:
    config, tables, series = typed_case()
    assert validate_tables(config, tables, series) == []
    case = case_from_tables(config, tables, series)
    assert case.table("storage").loc["s", "cyclic"] == np.False_
    assert bool(case.table("generators").loc["g", "extendable"]) is True
    assert case.series["availability_pu"]["h"].tolist() == [0.5, 1.0, 0.0]


def test_typed_frames_report_rows_from_line_two() -> None:
    config, tables, series = typed_case()
    tables["generators"].loc[1, "p_min_pu"] = 1.5
    tables["loads"] = None
    config["snapshots"]["hours"] = 0
    assert where(validate_tables(config, tables, series)) == [
        ("case.yaml", None, "snapshots.hours", "config-range"),
        ("generators.csv", 3, "p_min_pu", "range"),
        ("loads.csv", None, None, "required-table"),
    ]


def test_not_a_mapping_config() -> None:
    _, tables, series = typed_case()
    assert where(validate_tables(["not", "a", "mapping"], tables, series)) == [  # type: ignore[arg-type]
        ("case.yaml", None, None, "config-type")]


def test_case_from_tables_raises_every_problem() -> None:
    config, tables, series = typed_case()
    tables["generators"]["bus"] = ["x", "y"]
    with pytest.raises(CaseError) as info:
        case_from_tables(config, tables, series)
    assert [p.rule for p in info.value.problems] == ["unknown-reference"] * 2


@pytest.mark.skipif("interruptible" not in TABLES, reason="no demand-response tables yet")
def test_later_families_are_checked_from_the_schema(tmp_path: Path) -> None:
    """A table added to schema.TABLES is checked like the others, with no change here."""
    text = "name,bus,vpp,potential_mw,enrolled_mw\ncut,north,v1,10,20\nlost,nowhere,,-1,\n"
    problems = validate_case(tiny_with(tmp_path, ("interruptible.csv", None, text)))
    assert set(where(problems)) == {
        ("interruptible.csv", 2, "enrolled_mw", "min-le-max"),
        ("interruptible.csv", 3, "potential_mw", "range"),
        ("interruptible.csv", 3, "bus", "unknown-reference"),
        ("vpps.csv", None, None, "required-table"),
    }


def test_peak_response_settings_are_checked() -> None:
    """A share above 1, an unknown method and a typo in a key are each reported."""
    from gridopt.case.validate_config import check_config

    config = {"name": "x", "currency": "EUR", "voll_per_mwh": 1.0,
              "snapshots": {"start": "2030-01-01", "hours": 4},
              "peak_response": {"share": 5, "hours": "biggest", "enforc": True}}
    problems, _ = check_config(config)
    found = {(p.column, p.rule) for p in problems}
    assert found == {("peak_response.share", "config-range"),
                     ("peak_response.hours", "config-value"),
                     ("peak_response.enforc", "config-unknown-key")}
