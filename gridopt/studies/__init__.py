"""Studies at scale: scenario sweeps (:mod:`gridopt.studies.sweep`) and solver benchmarks
(:mod:`gridopt.studies.bench`) run as Dask tasks (:mod:`gridopt.studies.cluster`)."""
