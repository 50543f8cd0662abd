"""Ctrl-C during a solve: HiGHS stops, gridopt says nothing was written and exits 130.

A generated LP (4 buses in a ring, 2,000 hours, storage and wind to size, simplex without
presolve) takes far longer to solve than the test waits; SIGINT is sent as soon as HiGHS has
started writing its log (``--solver-log``, past the header gridopt writes first), i.e. while
it is solving.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from gridopt.results.folder import LOG_HEADER

BUSES, HOURS = 4, 2000


def wide(prefix: str, values: np.ndarray) -> str:
    head = "hour," + ",".join(f"{prefix}{i}" for i in range(values.shape[1]))
    rows = [f"{h + 1}," + ",".join(f"{v:.3f}" for v in row) for h, row in enumerate(values)]
    return head + "\n" + "\n".join(rows) + "\n"


def write_big_case(folder: Path) -> Path:
    """A ring of buses, each with gas, extendable wind and storage, random load and wind."""
    rng = np.random.default_rng(0)
    folder.mkdir()
    names = [f"b{i}" for i in range(BUSES)]
    (folder / "case.yaml").write_text(
        f"name: big\ncurrency: EUR\nvoll_per_mwh: 10000\nsnapshots:\n  start: 2030-01-01 "
        f"00:00\n  hours: {HOURS}\nsolver:\n  presolve: 'off'\n  solver: simplex\n")
    (folder / "buses.csv").write_text("name\n" + "\n".join(names) + "\n")
    gens = [f"gas{i},{b},gas,60,false,0,{50 + i}\nwind{i},{b},wind,0,true,{1e6 + 1e4 * i},0"
            for i, b in enumerate(names)]
    (folder / "generators.csv").write_text(
        "name,bus,carrier,p_nom_mw,extendable,capex_per_mw,vom_per_mwh\n" + "\n".join(gens))
    (folder / "storage.csv").write_text(
        "name,bus,extendable,capex_per_mw,capex_per_mwh,eff_charge\n"
        + "\n".join(f"s{i},{b},true,{5e5 + i},{1e5 + i},0.9" for i, b in enumerate(names)))
    (folder / "lines.csv").write_text("name,bus0,bus1,cap_fwd_mw\n" + "\n".join(
        f"l{i},{names[i]},{names[(i + 1) % BUSES]},30" for i in range(BUSES)))
    (folder / "loads.csv").write_text("name,bus\n" + "\n".join(f"d{i},{b}"
                                                              for i, b in enumerate(names)))
    (folder / "load_mw.csv").write_text(wide("d", 40 + 20 * rng.random((HOURS, BUSES))))
    (folder / "availability_pu.csv").write_text(wide("wind", rng.random((HOURS, BUSES))))
    return folder


def test_ctrl_c_stops_the_solve(tmp_path: Path) -> None:
    case, out, log = write_big_case(tmp_path / "big"), tmp_path / "out", tmp_path / "h.log"
    cmd = [sys.executable, "-c", "from gridopt.cli import main; main()", "run", str(case),
           "--out", str(out), "--solver-log", str(log)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120  # only against a hang
        while not (log.exists() and log.stat().st_size > len(LOG_HEADER)) \
                and proc.poll() is None:  # HiGHS has written past gridopt's header
            assert time.monotonic() < deadline, "HiGHS never started"
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    except BaseException:
        proc.kill()
        raise
    assert proc.returncode == 130, stderr
    assert "nothing was written" in stderr
    assert not out.exists()


pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX")
