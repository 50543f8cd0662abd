"""Reading case folders: the tiny case, wide vs long series, and garbage that must not crash."""

from __future__ import annotations

import math
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

from gridopt.case.case import CaseError
from gridopt.case.io import read_case, read_config, validate_case
from gridopt.case.schema import TABLES
from tests.test_validation import LONG_LOAD, TINY, tiny_with, where


def test_tiny_reads_with_the_documented_defaults() -> None:
    case = read_case(TINY)
    assert (case.name, case.currency, case.n_snapshots, case.step_h) == ("tiny", "EUR", 4, 1.0)
    assert case.snapshots[0] == pd.Timestamp("2030-01-01 00:00")
    assert case.discount_rate == 0.05 and case.annualise and (case.weights == 8760 / 4).all()
    assert case.path == TINY
    assert case.table("buses")["voll_per_mwh"].tolist() == [3000.0, 3000.0]
    assert case.table("lines").loc["north_south", "cap_rev_mw"] == 50.0
    gens = case.table("generators")
    assert gens.loc["wind", "p_nom_max_mw"] == 200.0
    assert math.isinf(gens.loc["gas_ccgt", "p_nom_max_mw"])
    assert gens.loc["gas_ccgt", "p_max_pu"] == 1.0 and gens.loc["wind", "p_min_pu"] == 0.0
    assert gens.loc["gas_ccgt", "marginal_cost_per_mwh"] == pytest.approx(8 * 7 + 2)
    assert gens["lifetime_yr"].tolist() == [25.0, 25.0]
    assert bool(gens.loc["wind", "extendable"]) and not bool(gens.loc["gas_ccgt", "extendable"])
    bat = case.table("storage").loc["battery"]
    assert (bat["carrier"], bool(bat["cyclic"]), bat["lifetime_yr"]) == ("battery", True, 15.0)
    assert case.series["load_mw"]["city"].tolist() == [40.0, 50.0, 60.0, 45.0]
    assert case.series["availability_pu"]["gas_ccgt"].tolist() == [1.0] * 4
    assert list(case.sources.columns[:4]) == ["table", "name", "column", "value"]


def test_read_case_accepts_the_yaml_file_and_validate_case_does_not_raise(tmp_path: Path) -> None:
    assert read_case(TINY / "case.yaml").digest() == read_case(TINY).digest()
    folder = tiny_with(tmp_path, ("loads.csv", "city,south", "city,nowhere"))
    assert where(validate_case(folder)) == [("loads.csv", 2, "bus", "unknown-reference")]


def test_long_and_wide_series_give_the_same_case(tmp_path: Path) -> None:
    availability = "hour,name,value\n4,wind,0.8\n1,wind,0.3\n3,wind,0.1\n2,wind,0.5\n"
    folder = tiny_with(tmp_path, ("load_mw.csv", None, LONG_LOAD),
                       ("availability_pu.csv", None, availability))
    wide, long = read_case(TINY), read_case(folder)
    for kind in ("load_mw", "availability_pu"):
        pd.testing.assert_frame_equal(wide.series[kind], long.series[kind])
    assert wide.digest() == long.digest()


def test_long_hours_sort_as_numbers_and_snapshots_as_times(tmp_path: Path) -> None:
    """Twelve hours: a long file sorted as text ('1', '10', '11', '12', '2', …) stays in order."""
    hours = range(1, 13)
    wide = "hour,city,works\n" + "".join(f"{h},{h},{100 - h}\n" for h in hours)
    long = "hour,name,value\n" + "".join(
        f"{h},{n},{h if n == 'city' else 100 - h}\n"
        for n in ("works", "city") for h in sorted(hours, key=str))
    stamps = pd.date_range("2030-01-01", periods=12, freq="h")
    dated = "snapshot,works,city\n" + "".join(
        f"{t:%Y-%m-%d %H:%M},{100 - h},{h}\n" for h, t in zip(hours, stamps, strict=True))
    edits = [("case.yaml", "hours: 4", "hours: 12"), ("availability_pu.csv", None, None)]
    cases = [read_case(tiny_with(tmp_path / name, *edits, ("load_mw.csv", None, text)))
             for name, text in (("wide", wide), ("long", long), ("dated", dated))]
    assert cases[0].series["load_mw"]["city"].tolist() == [float(h) for h in hours]
    assert cases[0].digest() == cases[1].digest() == cases[2].digest()


def test_unknown_csv_files_are_refused_unless_ignored_and_free_text_columns_pass(
        tmp_path: Path) -> None:
    folder = tiny_with(tmp_path, ("loads.csv", None, "name,bus,source\ncity,south,plan\n"
                                  "works,north,survey\n"))
    assert "future_family" not in TABLES
    (folder / "future_family.csv").write_text("name,load,p_max_mw\nshed,city, 5 \n")
    (folder / "notes.txt").write_text("not a CSV file: never looked at\n")
    assert where(validate_case(folder)) == [("future_family.csv", None, None, "unknown-file")]
    config = (folder / "case.yaml").read_text()
    (folder / "case.yaml").write_text(config + "ignore: [future_*.csv]\n")
    case = read_case(folder)
    assert "future_family" not in case.tables
    assert set(case.table("loads").columns) == {"bus"}


def test_whitespace_bom_and_trailing_commas_are_tolerated(tmp_path: Path) -> None:
    folder = tiny_with(tmp_path)
    (folder / "loads.csv").write_bytes("\ufeff name , bus ,\n city , south ,\nworks,north,\n"
                                       .encode())
    case = read_case(folder)
    assert case.table("loads")["bus"].to_dict() == {"city": "south", "works": "north"}


def test_read_config(tmp_path: Path) -> None:
    assert read_config(TINY)["snapshots"]["hours"] == 4
    assert read_config(TINY / "case.yaml")["name"] == "tiny"
    with pytest.raises(CaseError) as info:
        read_config(tmp_path)
    assert where(info.value.problems) == [("case.yaml", None, None, "missing-file")]


GARBAGE: dict[str, tuple[str, bytes | None, tuple]] = {
    "binary buses": ("buses.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
                     ("buses.csv", None, None, "unreadable-file")),
    "empty generators": ("generators.csv", b"", ("generators.csv", None, None, "empty-file")),
    "blank loads": ("loads.csv", b"  \n\n", ("loads.csv", None, None, "empty-file")),
    "invalid yaml": ("case.yaml", b"name: tiny\nsnapshots: [oops\n",
                     ("case.yaml", 3, None, "unreadable-file")),
    "yaml list": ("case.yaml", b"- name\n- tiny\n", ("case.yaml", None, None, "config-type")),
    "empty yaml": ("case.yaml", b"# nothing\n", ("case.yaml", None, None, "empty-file")),
    "gbk text": ("fuels.csv", "name,price_per_gj\n天然气,8\n".encode("gbk"),
                 ("fuels.csv", 2, None, "encoding")),
    "utf-16": ("storage.csv", "name,bus\nb,north\n".encode("utf-16"),
               ("storage.csv", None, None, "unreadable-file")),
    "ragged csv": ("lines.csv", b"name,bus0\nl1,north\nl2,north,south,9\n",
                   ("lines.csv", 3, None, "row-length")),
    "open quote": ("availability_pu.csv", b'hour,wind\n1,"0.3\n2,0.5\n',
                   ("availability_pu.csv", 2, None, "unreadable-file")),
    "missing yaml": ("case.yaml", None, ("case.yaml", None, None, "missing-file")),
    "nameless column": ("loads.csv", b"name,bus,\ncity,south,7\nworks,north,\n",
                        ("loads.csv", None, None, "required-column")),
    "sources without source": ("sources.csv", b"table,name,column\ncase.yaml,*,*\n",
                               ("sources.csv", None, "source", "required-column")),
}


@pytest.mark.parametrize("file, content, expected", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_raises_case_error(tmp_path: Path, file: str, content: bytes | None,
                                   expected: tuple) -> None:
    folder = tiny_with(tmp_path)
    if content is None:
        (folder / file).unlink()
    else:
        (folder / file).write_bytes(content)
    with pytest.raises(CaseError) as info:
        read_case(folder)
    assert where(info.value.problems) == [expected], str(info.value)


def test_unreadable_files_do_not_hide_other_problems(tmp_path: Path) -> None:
    folder = tiny_with(tmp_path, ("generators.csv", "wind,south,", "wind,sooth,"))
    (folder / "case.yaml").write_text("name: [\n")
    (folder / "fuels.csv").write_bytes(b"\x00\x01")
    with pytest.raises(CaseError) as info:
        read_case(folder)
    assert where(info.value.problems) == [
        ("case.yaml", 2, None, "unreadable-file"),
        ("fuels.csv", None, None, "unreadable-file"),
        ("generators.csv", 3, "bus", "unknown-reference"),
    ]


@pytest.mark.parametrize("seed", range(12))
def test_random_bytes_never_escape_as_another_exception(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    folder = tmp_path / "case"
    shutil.copytree(TINY, folder)
    victim = rng.choice(sorted(p.name for p in folder.iterdir()))
    data = bytearray((folder / victim).read_bytes())
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    (folder / victim).write_bytes(bytes(data))
    try:
        read_case(folder)
    except CaseError as exc:
        assert exc.problems
    assert isinstance(validate_case(folder), list)


def test_missing_folder_is_a_case_error(tmp_path: Path) -> None:
    with pytest.raises(CaseError) as info:
        read_case(tmp_path / "nope")
    assert [p.rule for p in info.value.problems] == ["missing-file"]
