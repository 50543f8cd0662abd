"""pyproject.toml's floors and the versions that CI tests them with (.ci/minimum-versions.txt)
stay in step: every core dependency, tsam and the studies extra (dask, pyarrow) is pinned there,
in the release series its floor
names (``scipy>=1.11`` → ``scipy==1.11.x``), and nothing else is."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]


def floors() -> dict[str, Version]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in ("periods", "studies"):
        reqs += [Requirement(r) for r in project["optional-dependencies"][extra]]
    out = {}
    for req in reqs:
        (floor,) = [s.version for s in req.specifier if s.operator == ">="]
        out[req.name.lower()] = Version(floor)
    return out


def pins() -> dict[str, Version]:
    out = {}
    for line in (REPO / ".ci" / "minimum-versions.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line).groups()
            out[name.lower()] = Version(version)
    return out


def test_every_floor_is_pinned_at_its_release_series() -> None:
    f, p = floors(), pins()
    assert sorted(f) == sorted(p)
    for name, floor in f.items():
        assert p[name] >= floor, name
        assert p[name].release[:len(floor.release)] == floor.release, name
