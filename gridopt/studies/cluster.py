"""Where studies run: a Dask distributed cluster, local by default.

Every study (sweep, solver benchmark) submits one task per unit of work to a
``distributed.Client``: a :class:`~distributed.LocalCluster` of ``workers`` processes (one
thread each: HiGHS is given its own threads) when no scheduler is given, else the cluster at
``scheduler`` (``tcp://host:8786``), whose workers have gridopt installed like any user.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)


class MissingExtraError(ImportError):
    """Dask distributed is not installed (the ``studies`` extra)."""


def require_distributed() -> Any:
    """The ``distributed`` module, or a :class:`MissingExtraError` naming the extra."""
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise MissingExtraError("studies run on Dask distributed: pip install "
                                "'gridopt[studies]'") from exc
    return distributed


@contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2,
                threads_per_worker: int = 1, memory_limit: str | None = None
                ) -> Iterator[Any]:
    """A ``distributed.Client``: to ``scheduler`` when given, else to a new local cluster of
    ``workers`` processes (closed on exit). Dask's own logging is kept at warnings."""
    distributed = require_distributed()
    logging.getLogger("distributed").setLevel(logging.WARNING)
    # a worker still busy when the cluster closes is killed: say nothing of it
    logging.getLogger("distributed.nanny").setLevel(logging.ERROR)
    if scheduler:
        with distributed.Client(scheduler) as client:
            yield client
        return
    kwargs: dict[str, Any] = {"n_workers": workers, "threads_per_worker": threads_per_worker,
                              "processes": True, "dashboard_address": ":0"}
    if memory_limit is not None:
        kwargs["memory_limit"] = memory_limit
    with distributed.LocalCluster(**kwargs) as cluster, distributed.Client(cluster) as client:
        yield client
