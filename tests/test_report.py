"""``gridopt report``: one self-contained HTML page of a result folder (and ``run --report``),
and the two tables ``gridopt run`` writes for it (``demand.csv``,
``peak_response_by_element.csv``)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import gridopt
from gridopt.cli import app
from gridopt.results.report import SECTIONS, build_report, chosen_weeks, write_report
from gridopt.results.write import write_results
from tests.factory import LOAD, gen, make_case

runner = CliRunner()
EVIL = "<script>alert('x')</script>\"&\x1b[31m $\\undefined$"
#: Section ids of a single-year page.
SINGLE = [s for s in SECTIONS if s != "capacity-path"]


def dr_case():
    """One bus, load [80, 100, 90, 70] MW, gas 200 MW at 50/MWh; an interruptible load of
    6 MW enrolled, at most 1 h per event; T1: 5 % of the peak over the top hour."""
    row = {"name": "ci", "bus": "b", "potential_mw": 6.0, "enrolled_mw": 6.0,
           "max_hours_per_event": 1.0}
    case = make_case(hours=4, generators=[gen("gas", p_nom_mw=200.0, vom_per_mwh=50.0)],
                     loads={"load": LOAD}, interruptible=[row])
    return case.replace(config={**case.config, "peak_response": {
        "k": 1, "event_duration_h": 1, "share": 0.05}})


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_run_writes_demand_and_the_t1_response_by_resource(backend: str, tmp_path: Path) -> None:
    """By hand: D_t is the load, [80, 100, 90, 70] MW. The peak is hour 1 (100 MW), the event
    that hour only; the 6 MW interruptible load is held through its 1 h event, so
    r_ci = R = 6 MW = 6 % of 100 MW ≥ 5 % (PASS): the by-resource table is one row, ci,
    interruptible, no VPP, 6 MW, and it sums to targets.csv's achieved_model."""
    r = gridopt.solve(dr_case(), backend=backend)
    out = write_results(r, tmp_path / "out")
    demand = (out / "demand.csv").read_text().splitlines()
    assert demand[0] == "snapshot,b"
    assert [float(x.split(",")[1]) for x in demand[1:]] == LOAD
    by = r.tables()["peak_response_by_element"]
    assert by.index.tolist() == ["ci"]
    assert by.loc["ci", "family"] == "interruptible" and by.loc["ci", "vpp"] == ""
    assert by.loc["ci", "mw"] == pytest.approx(6.0)
    t1 = r.targets.loc["T1-peak-response"]
    assert t1["achieved_model"] == pytest.approx(6.0) and t1["verdict"] == "PASS"
    assert (out / "peak_response_by_element.csv").read_text().splitlines()[1] \
        .startswith("ci,interruptible,")


def three_weeks():
    """Two buses, 504 h (a bus, a generator, the DR resource and the case named with markup):
    the load peaks (240 MW) in week 2 and week 3 is the median one; gas, wind (curtailed at
    night), a battery, an interruptible load and the T1 target."""
    t = np.arange(504)
    daily = 150 + 50 * np.sin(2 * np.pi * (t % 24) / 24)
    scale = np.repeat([0.8, 1.2, 1.0], 168)
    load = (daily * scale).round(1)
    wind = np.where(t % 24 < 6, 1.0, 0.2)
    row = {"name": f"ci {EVIL}", "bus": EVIL, "potential_mw": 10.0, "enrolled_mw": 10.0,
           "max_hours_per_event": 2.0}
    case = make_case(
        hours=504, buses=[EVIL, "s"],
        generators=[gen(EVIL, bus=EVIL, p_nom_mw=400.0, vom_per_mwh=50.0),
                    gen("wind", carrier="wind", bus="s", p_nom_mw=250.0)],
        loads={"load": load.tolist()}, load_bus={"load": EVIL},
        lines=[{"name": "l", "bus0": EVIL, "bus1": "s", "cap_fwd_mw": 100.0}],
        storage=[{"name": "bat", "bus": "s", "p_nom_mw": 20.0, "e_nom_mwh": 80.0}],
        availability={"wind": wind.tolist()}, interruptible=[row])
    return case.replace(name=EVIL, config={**case.config, "peak_response": {
        "k": 1, "event_duration_h": 1, "share": 0.05}})


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[str, Path]:
    out = write_results(gridopt.solve(three_weeks()), tmp_path_factory.mktemp("r") / "out")
    return (write_report(out).read_text(), out)


def sections(text: str) -> dict[str, str]:
    return dict(re.findall(r'<section id="([^"]+)">(.*?)</section>', text, re.S))


def test_every_section_with_a_figure_and_a_caption(page) -> None:
    text, _ = page
    found = sections(text)
    assert list(found) == SINGLE
    for key, body in found.items():
        assert "<h2>" in body and "could not be drawn" not in body, key
        assert 'src="data:image/png;base64,' in body and "<figcaption>" in body, key
        assert 'class="missing"' not in body, key


def test_units_in_the_captions(page) -> None:
    s = sections(page[0])
    assert "(MWh)" in s["storage"] and "EUR/MWh" in s["prices"]
    assert "MWh a year" in s["curtailment"] and "million EUR" in s["costs"]
    assert "MW" in s["capacity"] and "5 % of peak load" in s["peak-response"]


def test_the_peak_and_typical_weeks(page) -> None:
    """The daily load peaks at 150 + 50 = 200 MW (06:00), × 1.2 in week 2: the peak week is
    week 2 (240 MW at 2030-01-08 06:00); the week totals are in ratio 0.8 : 1.2 : 1.0, so the
    median week is week 3."""
    text, out = page
    import pandas as pd

    demand = pd.read_csv(out / "demand.csv", index_col=0).sum(axis=1)
    peak, typical = chosen_weeks(demand)
    assert (peak.start, peak.stop) == (168, 336) and (typical.start, typical.stop) == (336, 504)
    assert "240 MW at 2030-01-08 06:00:00" in sections(text)["dispatch"]


def test_case_text_is_escaped_and_nothing_is_fetched(page) -> None:
    """The markup, quotes and ampersand of the names are escaped, the terminal escape dropped;
    in the figures a ``$\\undefined$`` is text, not mathematics that matplotlib fails on (the
    page has every section drawn, test above); every src/href/url is a data: URL."""
    text, _ = page
    assert "<script" not in text.lower() and "\x1b" not in text
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&quot;&amp;[31m $\\undefined$"
    assert f"<h1>gridopt report: {escaped}</h1>" in text
    assert f"<td>ci {escaped}</td>" in sections(text)["peak-response"]
    refs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', text) + re.findall(r"url\(([^)]*)\)",
                                                                           text)
    assert refs and all(r.startswith("data:") for r in refs)
    assert "http" not in re.sub(r"data:[^\"]*", "", text)


def test_a_section_without_its_data_says_so(tmp_path: Path) -> None:
    """No storage, no targets, no curtailment: each of those sections is one line saying so."""
    case = make_case(hours=4, generators=[gen("gas", p_nom_mw=200.0, vom_per_mwh=50.0)],
                     loads={"load": LOAD})
    out = write_results(gridopt.solve(case), tmp_path / "out")
    found = sections(build_report(out))
    assert list(found) == SINGLE
    for key, line in (("storage", "No storage"), ("peak-response", "No peak-response target"),
                      ("targets", "No targets"), ("curtailment", "No curtailment")):
        assert f'<p class="missing">{line}' in found[key], key
        assert "<img" not in found[key]
    assert "<img" in found["dispatch"] and "<img" in found["summary"]


def test_report_command_lists_the_page_in_the_marker(page, tmp_path: Path) -> None:
    """``gridopt report`` writes report.html into the folder and adds it to the marker, so
    that ``gridopt run --out`` may still replace the folder."""
    _, out = page
    folder = tmp_path / "copy"
    shutil.copytree(out, folder)
    res = runner.invoke(app, ["report", str(folder)])
    assert res.exit_code == 0, res.output
    marker = json.loads((folder / ".gridopt-result").read_text())
    assert "report.html" in marker["files"] and marker["complete"] is True
    assert runner.invoke(app, ["report", str(tmp_path / "nothing")]).exit_code != 0


def test_run_report_on_the_default_case(tmp_path: Path) -> None:
    """``gridopt run --hours 168 --report`` on the shipped default case: every section is there,
    with a figure, and the T1 chart names the default case's resources."""
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", "--hours", "168", "--report", "--out", str(out)])
    assert res.exit_code == 0, res.output
    found = sections((out / "report.html").read_text())
    assert list(found) == SINGLE
    for key, body in found.items():
        assert "<img" in body and "could not be drawn" not in body, key
    assert "ci_interruptible_north" in found["peak-response"]
    assert "尖峰负荷响应能力不低于5%" in found["targets"]
    assert "The horizon holds one week" in found["dispatch"]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(chromium() is None, reason="chromium is not installed (apt-get install "
                                               "chromium; .ci/run installs it)")
def test_the_page_in_a_real_browser(page) -> None:
    """Headless Chromium loads the page without a console message and shows every section."""
    _, out = page
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
             "--enable-logging=stderr", "--v=0", "--dump-dom",
             (out / "report.html").resolve().as_uri()],
            capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
    dom = done.stdout
    for key in SINGLE:
        assert f'<section id="{key}">' in dom
    assert dom.count("<img") >= len(SINGLE) and "<script" not in dom.lower()


def test_a_pathway_result(tmp_path: Path) -> None:
    """The pathway case of ``tests/test_pathway.py`` (2025 and 2030; wind built to 40 MW in
    2030 for its target): the page has the capacity path by year (wind 0 then 40 MW) and the
    verdicts of every year (wind-2025 FAIL, wind-2030 PASS, wind-2035 not modelled); the other
    sections show 2030 and say so."""
    from tests.test_pathway import write_folder as write_pathway_case

    write_pathway_case(tmp_path / "case", None)
    out = tmp_path / "out"
    res = runner.invoke(app, ["run", str(tmp_path / "case"), "--out", str(out), "--report"])
    assert res.exit_code == 0, res.output
    text = (out / "report.html").read_text()
    found = sections(text)
    assert list(found) == list(SECTIONS)
    path = found["capacity-path"]
    assert "<img" in path and "<th>2025</th><th>2030</th>" in path
    assert re.search(r"<td>wind</td><td class=\"n\">0</td><td class=\"n\">40</td>", path)
    rows = re.findall(r'<tr class="(\w+)"><td>([^<]+)</td><td>(\d+)</td>', found["targets"])
    assert [(c, n) for c, n, _ in rows] == [("fail", "wind-2025"), ("pass", "wind-2030"),
                                           ("other", "wind-2035")]
    assert "the other sections show the last modelled year, 2030" in text
    assert "could not be drawn" not in text


def test_representative_periods_are_shown_as_solved(tmp_path: Path) -> None:
    """On 3 typical days of the three-week case (snapshots.csv written), the dispatch is one
    figure of the 72 snapshots in order, and the page says so instead of choosing weeks."""
    from gridopt.periods import aggregate

    out = write_results(gridopt.solve(aggregate(three_weeks(), 3, 24)), tmp_path / "out")
    assert (out / "snapshots.csv").exists()
    found = sections(build_report(out))
    assert list(found) == SINGLE
    dispatch = found["dispatch"]
    assert dispatch.count("<img") == 1 and "(snapshots.csv present)" in dispatch
    assert "the snapshots are shown as they are" in dispatch and "Peak week" not in dispatch
    assert "could not be drawn" not in "".join(found.values())
