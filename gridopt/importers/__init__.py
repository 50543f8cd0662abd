"""Importers: build a gridopt case folder from another tool's or dataset's files.

- :mod:`gridopt.importers.rts_gmlc`: the RTS-GMLC test system (``gridopt import rts-gmlc``).
"""
