"""Installed package versions, for the report's environment and the performance figures."""

from __future__ import annotations

from importlib import metadata


def package_version(package: str) -> str:
    """The installed version of ``package``, or ``not installed``."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"
