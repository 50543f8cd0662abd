"""Strict, bounded input: every mistake that used to pass silently (or crash, or hang) is a
Problem naming file, row, column/key and rule.

Each test copies ``tests/cases/tiny`` (two buses, four hours; see its ``case.yaml``), makes
one edit and asserts the only problems found. Tests that used to hang or exhaust memory run
under :func:`deadline` (a SIGALRM guard), so a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import gridopt
from gridopt.case import io as case_io
from gridopt.case import safe_read
from gridopt.case.case import Problem
from gridopt.case.io import read_case, validate_case
from gridopt.case.validate import validate_tables
from tests.factory import four_hour_case, gen, make_case
from tests.test_validation import TINY, tiny_with, where

DOCS = Path(__file__).resolve().parents[1] / "docs" / "case-format.md"


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail (instead of hanging) when the test runs longer than 20 s."""
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError("the reader hung")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def append_yaml(folder: Path, text: str) -> None:
    path = folder / "case.yaml"
    path.write_text(path.read_text() + text)


def yaml_line(folder: Path, starts: str, nth: int = 1) -> int:
    """The 1-based line of ``case.yaml`` that is the ``nth`` to start with ``starts``."""
    lines = (folder / "case.yaml").read_text().splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if line.startswith(starts)]
    return hits[nth - 1]


# ---------------------------------------------------------------------------- case.yaml keys

MISSPELT_KEYS = {
    "peak_respons": ("peak_respons:\n  k: 3\n", "peak_respons", "peak_response"),
    "discount_rat": ("discount_rat: 0.1\n", "discount_rat", "discount_rate"),
    "snapshots.anualise": (None, "snapshots.anualise", "annualise"),
    "peak_response.shar": ("peak_response:\n  shar: 0.1\n", "peak_response.shar", "share"),
}


@pytest.mark.parametrize("added, key, meant", MISSPELT_KEYS.values(), ids=MISSPELT_KEYS.keys())
def test_unknown_keys_anywhere_in_case_yaml_are_errors_with_did_you_mean(
        tmp_path: Path, added: str | None, key: str, meant: str) -> None:
    if added is None:
        folder = tiny_with(tmp_path, ("case.yaml", "  hours: 4\n", "  hours: 4\n  anualise: no\n"))
    else:
        folder = tiny_with(tmp_path)
        append_yaml(folder, added)
    problems = validate_case(folder)
    assert where(problems) == [("case.yaml", None, key, "config-unknown-key")]
    assert f"did you mean '{meant}'?" in problems[0].message


def test_a_duplicated_key_is_an_error_at_its_second_line(tmp_path: Path) -> None:
    folder = tiny_with(tmp_path, ("case.yaml", "  hours: 4\n", "  hours: 4\n  hours: 5\n"))
    second = yaml_line(folder, "  hours:", 2)
    assert where(validate_case(folder)) == [("case.yaml", second, "snapshots.hours",
                                             "duplicate-key")]
    top = tiny_with(tmp_path / "top")
    append_yaml(top, "voll_per_mwh: 10\n")
    assert where(validate_case(top)) == [("case.yaml", yaml_line(top, "voll_per_mwh", 2),
                                          "voll_per_mwh", "duplicate-key")]


def test_a_huge_value_of_lost_load_is_out_of_range(tmp_path: Path) -> None:
    folder = tiny_with(tmp_path, ("case.yaml", "voll_per_mwh: 3000", "voll_per_mwh: 1e308"))
    assert where(validate_case(folder)) == [("case.yaml", None, "voll_per_mwh", "config-range")]


# ---------------------------------------------------------------------------- YAML bounds

ALIAS_BOMB = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9))


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path, deadline: None) -> None:
    """Level 0 stands for 1 + 9 = 10 values, level k for 1 + 9 · (level k − 1): 91, 820,
    7,381, 66,430, 597,871, then level 6 passes the 1,000,000 cap at its second alias
    (1 + 2 · 597,871), on line l6; level 8 would stand for ≈ 4.4e8."""
    folder = tiny_with(tmp_path)
    append_yaml(folder, "l0: &l0 [x, x, x, x, x, x, x, x, x]\n" + ALIAS_BOMB)
    assert where(validate_case(folder)) == [("case.yaml", yaml_line(folder, "l6:"), None,
                                             "yaml-size")]


def test_deep_nesting_is_refused_without_recursion(tmp_path: Path, deadline: None) -> None:
    folder = tiny_with(tmp_path)
    append_yaml(folder, "deep: " + "[" * 1000 + "]" * 1000 + "\n")
    assert where(validate_case(folder)) == [("case.yaml", yaml_line(folder, "deep:"), None,
                                             "yaml-depth")]


def test_a_self_referring_alias_is_refused(tmp_path: Path, deadline: None) -> None:
    folder = tiny_with(tmp_path)
    append_yaml(folder, "loop: &me [1, *me]\n")
    assert where(validate_case(folder)) == [("case.yaml", yaml_line(folder, "loop:"), None,
                                             "yaml-alias")]


def test_depth_cap_counts_levels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``peak_response.events`` is 3 levels deep (mapping → mapping → list → list = 4 with the
    document): a cap of 3 refuses it, a cap of 4 does not."""
    folder = tiny_with(tmp_path)
    append_yaml(folder, "peak_response:\n  hours: events\n"
                        "  events: [['2030-01-01 01:00', '2030-01-01 02:00']]\n")
    monkeypatch.setattr(safe_read, "MAX_YAML_DEPTH", 4)
    assert validate_case(folder) == []
    monkeypatch.setattr(safe_read, "MAX_YAML_DEPTH", 3)
    assert where(validate_case(folder)) == [("case.yaml", yaml_line(folder, "  events:"), None,
                                             "yaml-depth")]


# ---------------------------------------------------------------------------- files


@pytest.mark.parametrize("misspelt, meant", [("interuptible.csv", "interruptible.csv"),
                                             ("storages.csv", "storage.csv")])
def test_an_unknown_csv_file_is_an_error_with_did_you_mean(tmp_path: Path, misspelt: str,
                                                           meant: str) -> None:
    folder = tiny_with(tmp_path)
    (folder / misspelt).write_text("name,bus\nx,north\n")
    problems = validate_case(folder)
    assert where(problems) == [(misspelt, None, None, "unknown-file")]
    assert f"did you mean '{meant}'?" in problems[0].message


def test_ignored_files_by_name_or_pattern_and_other_files_are_left_alone(tmp_path: Path) -> None:
    folder = tiny_with(tmp_path)
    for name in ("notes.csv", "scratch_1.csv", "scratch_2.csv", "storage.csv.bak"):
        (folder / name).write_text("anything,at all\n1\n")
    (folder / "README.md").write_text("# a case\n")
    assert {p.file for p in validate_case(folder)} == {"notes.csv", "scratch_1.csv",
                                                       "scratch_2.csv"}
    append_yaml(folder, 'ignore: [notes.csv, "scratch_*.csv"]\n')
    assert validate_case(folder) == []


def test_ignoring_a_file_of_the_case_is_an_error(tmp_path: Path) -> None:
    folder = tiny_with(tmp_path)
    append_yaml(folder, "ignore: [storage.csv]\n")
    assert where(validate_case(folder)) == [("case.yaml", None, "ignore", "config-value")]


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path, deadline: None) -> None:
    folder = tiny_with(tmp_path)
    (folder / "storage.csv").unlink()
    os.mkfifo(folder / "storage.csv")
    assert where(validate_case(folder)) == [("storage.csv", None, None, "not-a-file")]


def test_a_link_to_dev_zero_is_refused(tmp_path: Path, deadline: None) -> None:
    folder = tiny_with(tmp_path)
    (folder / "fuels.csv").unlink()
    (folder / "fuels.csv").symlink_to("/dev/zero")
    assert where(validate_case(folder)) == [("fuels.csv", None, None, "outside-folder")]


def test_links_inside_the_folder_are_read_and_links_leaving_it_are_not(tmp_path: Path) -> None:
    folder = tiny_with(tmp_path)
    (folder / "data").mkdir()
    os.rename(folder / "loads.csv", folder / "data" / "loads.csv")
    (folder / "loads.csv").symlink_to(Path("data") / "loads.csv")
    assert validate_case(folder) == []
    outside = tmp_path / "lines.csv"
    os.rename(folder / "lines.csv", outside)
    (folder / "lines.csv").symlink_to(outside)
    assert where(validate_case(folder)) == [("lines.csv", None, None, "outside-folder")]


def test_a_folder_or_a_broken_link_named_like_a_table(tmp_path: Path) -> None:
    folder = tiny_with(tmp_path)
    (folder / "storage.csv").unlink()
    (folder / "storage.csv").mkdir()
    (folder / "lines.csv").unlink()
    (folder / "lines.csv").symlink_to(folder / "nowhere.csv")
    assert where(validate_case(folder)) == [("lines.csv", None, None, "missing-file"),
                                            ("storage.csv", None, None, "not-a-file")]


def test_a_link_loop_is_unreadable(tmp_path: Path, deadline: None) -> None:
    folder = tiny_with(tmp_path)
    (folder / "fuels.csv").unlink()
    (folder / "fuels.csv").symlink_to(folder / "fuels.csv")
    assert where(validate_case(folder)) == [("fuels.csv", None, None, "unreadable-file")]


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, deadline: None) -> None:
    """The tiny load_mw.csv has 5 lines of ~8 bytes; a cap of 20 bytes refuses it."""
    folder = tiny_with(tmp_path)
    monkeypatch.setattr(case_io, "MAX_CSV_BYTES", 20)
    found = where(validate_case(folder))
    assert ("load_mw.csv", None, None, "file-too-large") in found
    monkeypatch.setattr(case_io, "MAX_CSV_BYTES", 10**6)
    monkeypatch.setattr(case_io, "MAX_YAML_BYTES", 100)
    assert where(validate_case(folder)) == [("case.yaml", None, None, "file-too-large")]


# ---------------------------------------------------------------------------- rows and numbers


def test_a_short_row_is_an_error_not_padded_with_defaults(tmp_path: Path) -> None:
    """A coal unit without its heat-rate, VOM (and so cost) cells used to be free and
    CO2-free; now its line (4: header, gas, wind, coal) is refused."""
    folder = tiny_with(tmp_path)
    with (folder / "generators.csv").open("a") as f:
        f.write("coal,north,coal,500,false,,0.4,,gas\n")
    problems = validate_case(folder)
    assert where(problems) == [("generators.csv", 4, None, "row-length")]
    assert "9 cells but the header has 11" in problems[0].message


def test_a_long_row_and_a_quoted_cell_spanning_lines(tmp_path: Path) -> None:
    """A quoted two-line cell keeps the line numbers of the rows after it right."""
    folder = tiny_with(tmp_path, ("loads.csv", None, 'name,bus,note\ncity,south,"two\nlines"\n'
                                                     "works,north,x,extra\n"))
    assert where(validate_case(folder)) == [("loads.csv", 4, None, "row-length")]


def test_a_huge_capacity_names_the_element_row_and_column(tmp_path: Path) -> None:
    folder = tiny_with(tmp_path, ("generators.csv", "gas_ccgt,north,gas,100,",
                                  "gas_ccgt,north,gas,1e308,"))
    problems = validate_case(folder)
    assert where(problems) == [("generators.csv", 2, "p_nom_mw", "magnitude")]
    assert "generator 'gas_ccgt'" in problems[0].message


def test_huge_series_values_are_errors_and_inf_only_where_documented(tmp_path: Path) -> None:
    folder = tiny_with(tmp_path, ("load_mw.csv", "3,60,10", "3,2e12,10"),
                       ("generators.csv", "gas_ccgt,north,gas,100,false,",
                        "gas_ccgt,north,gas,100,false,inf"))
    assert where(validate_case(folder)) == [("load_mw.csv", 4, "city", "magnitude")]


@pytest.mark.parametrize("text", ["1e309", "-1E400"])
def test_a_number_too_large_for_a_float_is_not_read_as_inf(tmp_path: Path, text: str) -> None:
    """1e309 parses as infinity; p_nom_max_mw's default is inf ("no limit"), so it would pass
    as that. Only ``inf`` written as such means infinity."""
    folder = tiny_with(tmp_path, ("generators.csv", "wind,south,wind,0,true,200,",
                                  f"wind,south,wind,0,true,{text},"))
    problems = validate_case(folder)
    assert where(problems) == [("generators.csv", 3, "p_nom_max_mw", "magnitude")]
    assert f"p_nom_max_mw {text}, beyond" in problems[0].message


def test_magnitude_is_checked_on_typed_frames_too() -> None:
    with pytest.raises(gridopt.CaseError) as info:
        make_case(1, [gen("g", p_nom_mw=10.0, vom_per_mwh=-2e13)], {"l": [1.0]})
    assert where(info.value.problems) == [("generators.csv", 2, "vom_per_mwh", "magnitude")]


# ---------------------------------------------------------------------------- timestamps

DATED = "snapshot,city,works\n" + "".join(f"2030-01-01 0{h}:00{{{h}}},40,10\n" for h in range(4))


@pytest.mark.parametrize("offsets, row", [
    (("", "", "", ""), None),
    (("+08:00",) * 4, None),
    (("+08:00", "+08:00", "+09:00", "+08:00"), 4),
    (("", "Z", "", ""), 3),
])
def test_series_timestamps_with_one_offset_or_none_but_not_mixed(
        tmp_path: Path, offsets: tuple[str, ...], row: int | None) -> None:
    folder = tiny_with(tmp_path, ("load_mw.csv", None, DATED.format(*offsets)))
    expected = [] if row is None else [("load_mw.csv", row, "snapshot", "timestamp")]
    assert where(validate_case(folder)) == expected


def test_series_timestamps_that_do_not_parse_or_run_backwards(tmp_path: Path) -> None:
    bad = tiny_with(tmp_path / "bad", ("load_mw.csv", None, DATED.format("", "", "", "")
                                       .replace("2030-01-01 03:00", "soon")))
    assert where(validate_case(bad)) == [("load_mw.csv", 5, "snapshot", "timestamp")]
    back = tiny_with(tmp_path / "back", ("load_mw.csv", None, DATED.format("", "", "", "")
                                         .replace("03:00", "01:30")))
    assert where(validate_case(back)) == [("load_mw.csv", 5, "snapshot", "timestamp")]


def test_long_series_with_mixed_offsets(tmp_path: Path) -> None:
    long = ("snapshot,name,value\n" + "".join(
        f"2030-01-01 0{h}:00{'+01:00' if (n, h) == ('works', 2) else ''},{n},10\n"
        for n in ("city", "works") for h in range(4)))
    folder = tiny_with(tmp_path, ("load_mw.csv", None, long))
    assert where(validate_case(folder)) == [("load_mw.csv", 8, "snapshot", "timestamp")]


def test_a_snapshot_list_running_backwards_names_the_item(tmp_path: Path) -> None:
    folder = tiny_with(tmp_path, ("case.yaml", "  hours: 4", "  list: ['2030-01-01 00:00', "
                                  "'2030-01-01 01:00', '2030-01-01 03:00', "
                                  "'2030-01-01 02:00']"))
    problems = validate_case(folder)
    assert where(problems) == [("case.yaml", None, "snapshots.list", "config-value")]
    assert "item 4 (2030-01-01 02:00:00) is not after item 3" in problems[0].message


# ---------------------------------------------------------------------------- messages


def test_problem_text_is_cut_and_cleaned(tmp_path: Path) -> None:
    """A 100,000-character bus name holding a terminal escape: the message shows at most
    200 characters of it, and no control character."""
    name = "\x1b[2J" + "x" * 100_000
    folder = tiny_with(tmp_path, ("loads.csv", "city,south", f"city,{name}"))
    (problem,) = validate_case(folder)
    assert where([problem]) == [("loads.csv", 2, "bus", "unknown-reference")]
    assert "\x1b" not in problem.message and len(problem.message) < 400
    assert "'[2J" + "x" * 195 + "… which" in problem.message  # the word cut to 199 + …
    direct = Problem("a\tb.csv", 1, "c\x07", "r", "line\none\u202e")
    assert (direct.file, direct.column, direct.message) == ("a b.csv", "c", "line one")


# ---------------------------------------------------------------------------- window_h = inf


def test_window_inf_is_valid_for_shiftable_and_buildings() -> None:
    """Typed and as text from a CSV cell; 0 is still out of range."""
    shift = {"name": "s", "bus": "b", "potential_mw": 1.0, "enrolled_mw": 1.0}
    build = {**shift, "name": "f", "energy_band_mwh_per_mw": 1.0}
    config = dict(four_hour_case().config)
    base = {"buses": [{"name": "b"}], "generators": [gen("g", p_nom_mw=1.0)],
            "loads": [{"name": "l", "bus": "b"}]}
    load = pd.DataFrame({"hour": [1, 2, 3, 4], "l": [1.0] * 4})

    def problems(window: object) -> list[tuple]:
        tables = {**{k: pd.DataFrame(v) for k, v in base.items()},
                  "shiftable": pd.DataFrame([{**shift, "window_h": window}]),
                  "flexible_buildings": pd.DataFrame([{**build, "window_h": window}])}
        found = validate_tables(config, tables, {"load_mw": load})
        return [(p.file, p.column, p.rule) for p in found]

    assert problems(float("inf")) == [] and problems("inf") == []
    assert problems(0.0) == [("shiftable.csv", "window_h", "range"),
                             ("flexible_buildings.csv", "window_h", "range")]


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_window_inf_is_the_whole_horizon(backend: str) -> None:
    """25 hours: load 100 MW in hours 1–24, 70 MW in hour 25; 'cheap' 90 MW at 10/MWh, 'dear'
    at 100/MWh; a free 10 MW shiftable load. Without shifting each of hours 1–24 costs
    90·10 + 10·100 = 1,900 and hour 25 70·10 = 700: 46,300. With window_h 24 the windows are
    hours 1–24 (all above 90 MW: moving load inside gains nothing) and hour 25 alone: 46,300.
    With window_h inf the one window spans the horizon: 10 MWh moved from a dear hour to
    hour 25 (cheap up to 90 MW, u ≤ 10 MW) saves 10·(100 − 10) = 900: 45,400."""
    load = [100.0] * 24 + [70.0]
    objective = {}
    for window in (24.0, float("inf")):
        case = make_case(25, [gen("cheap", p_nom_mw=90.0, vom_per_mwh=10.0),
                              gen("dear", p_nom_mw=100.0, vom_per_mwh=100.0)], {"load": load},
                         shiftable=[{"name": "s", "bus": "b", "potential_mw": 10.0,
                                     "enrolled_mw": 10.0, "window_h": window}])
        objective[window] = gridopt.solve(case, backend=backend).objective
    assert objective[24.0] == pytest.approx(46_300.0)
    assert objective[float("inf")] == pytest.approx(45_400.0)


# ---------------------------------------------------------------------------- docs


RULES = ("config-unknown-key", "duplicate-key", "yaml-size", "yaml-depth", "yaml-alias",
         "unknown-file", "not-a-file", "outside-folder", "file-too-large", "row-length",
         "magnitude", "timestamp", "missing-file")


@pytest.mark.parametrize("rule", RULES)
def test_docs_state_each_rule(rule: str) -> None:
    assert f"`{rule}`" in DOCS.read_text()


def test_docs_state_the_limits() -> None:
    text = DOCS.read_text()
    for limit in ("512 MiB", "4 MiB", "1e12", "20 levels", "1,000,000", "`ignore`"):
        assert limit in text, limit


def test_the_shipped_cases_stay_valid() -> None:
    root = Path(__file__).resolve().parents[1]
    for folder in (root / "data" / "luzhou-2030", *sorted(TINY.parent.iterdir())):
        assert validate_case(folder) == [], folder
    assert read_case(TINY).n_snapshots == 4


def test_a_step_shorter_than_a_second_is_a_range_problem() -> None:
    """step_h 1e-300 h rounds to no time at all (it ended in "range() arg 3 must not be
    zero"): a config-range problem naming the key."""
    from gridopt.case.validate_config import check_config

    config = {"name": "x", "currency": "EUR", "voll_per_mwh": 1.0,
              "snapshots": {"start": "2030-01-01 00:00", "hours": 4, "step_h": 1e-300}}
    problems, snapshots = check_config(config)
    assert snapshots is None
    assert [(p.column, p.rule) for p in problems] == [("snapshots.step_h", "config-range")]
