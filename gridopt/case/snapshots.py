"""Snapshot timestamps of a case, from ``case.yaml: snapshots`` (imports nothing of gridopt,
so that the reader, the validator and the builder can all use it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd


def make_snapshots(config: Mapping[str, Any]) -> pd.DatetimeIndex:
    """Snapshot timestamps from ``config['snapshots']`` (``start`` + ``hours`` or ``list``)."""
    snap = config.get("snapshots", {})
    if snap.get("list") is not None:
        return pd.DatetimeIndex(pd.to_datetime(list(snap["list"])), name="snapshot")
    step = float(snap.get("step_h", 1.0))
    start = pd.Timestamp(snap.get("start", "2030-01-01 00:00"))
    return pd.date_range(start, periods=int(snap["hours"]), freq=pd.Timedelta(hours=step),
                         name="snapshot")
