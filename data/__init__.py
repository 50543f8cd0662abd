"""Shipped case folders, installed as the package ``gridopt_cases`` (see pyproject.toml)."""
