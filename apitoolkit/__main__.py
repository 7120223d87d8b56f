"""``python -m apitoolkit``: the apitoolkit command line."""

from __future__ import annotations

from apitoolkit.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
