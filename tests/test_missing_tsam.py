"""Without tsam (the ``periods`` extra), representative periods end with a message naming the
extra to install; everything else in gridopt imports and works without it.

tsam is made unimportable by ``sys.modules["tsam"] = None`` (``import tsam`` then raises
``ImportError``), in-process for the library and in a child process for the command line.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from gridopt.periods import INSTALL, MissingExtraError, aggregate
from tests.factory import gen, make_case

REPO = Path(__file__).resolve().parents[1]

# A child that hides tsam, then runs the gridopt command with the arguments given.
NO_TSAM = ("import sys; sys.modules['tsam'] = None; from gridopt.cli import app; "
           "app(sys.argv[1:], prog_name='gridopt')")


def two_days():
    return make_case(48, [gen("gas", "gas", p_nom_mw=10.0, vom_per_mwh=30.0)],
                     {"l": [1.0] * 48})


def test_the_message_names_an_extra_that_installs_tsam() -> None:
    """The extra that the message names exists in pyproject.toml and holds tsam."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extra = INSTALL.split("[")[1].split("]")[0]
    assert any(dep.startswith("tsam") for dep in project["optional-dependencies"][extra])
    assert not any(dep.startswith("tsam") for dep in project["dependencies"])


def test_aggregate_without_tsam_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tsam", None)
    with pytest.raises(MissingExtraError, match=r"gridopt\[periods\]") as info:
        aggregate(two_days(), 1, keep_peak=False)
    assert isinstance(info.value, ImportError) and info.value.name == "tsam"


def test_aggregate_with_tsam_does_not_raise_it() -> None:
    """The guard lets a present tsam through (two identical days, one period of weight 2)."""
    pytest.importorskip("tsam")
    assert aggregate(two_days(), 1, keep_peak=False).n_snapshots == 24


@pytest.mark.parametrize("command", [["run"], ["peak-response", "--no-curve"]])
def test_cli_periods_without_tsam_exit_1_with_the_extra_named(command: list[str],
                                                              tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-c", NO_TSAM, *command, "--periods", "8",
                          "--out", str(out)], capture_output=True, text=True, cwd=REPO,
                         timeout=300)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "pip install 'gridopt[periods]'" in " ".join(res.stderr.split())  # rich wraps lines
    assert "Traceback" not in res.stderr + res.stdout
    assert not out.exists()


def test_gridopt_imports_without_tsam() -> None:
    """Nothing but representative periods needs tsam: the package, the command line and the
    periods module itself import without it."""
    code = ("import sys; sys.modules['tsam'] = None; import gridopt, gridopt.cli, "
            "gridopt.periods, gridopt.peak; print('ok')")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, timeout=300)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr
