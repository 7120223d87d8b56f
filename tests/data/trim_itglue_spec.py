"""Writes itglue-openapi-get.json: the GET paths and query parameters of the community IT Glue OpenAPI spec.

The full spec (570 KB) lives in ../shared/reference/; tests validate requests against this trimmed copy so
they also run from a clone without shared/ beside it. Regenerate after the spec changes:
``python tests/data/trim_itglue_spec.py ../shared/reference/itglue-openapi.yaml``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).with_name("itglue-openapi-get.json")


def trim(spec: dict[str, Any]) -> dict[str, Any]:
    """Keep, per GET path, each query parameter's name, maximum, and allowed values listed in its text."""
    paths: dict[str, Any] = {}
    for path, item in sorted(spec["paths"].items()):
        get = item.get("get")
        if not get:
            continue
        params = {}
        for p in get.get("parameters", []):
            if p.get("in") != "query":
                continue
            entry: dict[str, Any] = {}
            maximum = (p.get("schema") or {}).get("maximum")
            if maximum is not None:
                entry["maximum"] = maximum
            found = re.search(r"Must be one of:\s*([^\n.]+)", p.get("description") or "")
            if found:
                entry["one_of"] = sorted({v.strip() for v in found.group(1).split(",") if v.strip()})
            params[p["name"]] = entry
        paths[path] = params
    return {"servers": [s["url"] for s in spec.get("servers", [])], "paths": paths}


def load_full(path: Path) -> dict[str, Any]:
    """Parse the full YAML spec."""
    return yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


if __name__ == "__main__":
    OUT.write_text(json.dumps(trim(load_full(Path(sys.argv[1]))), indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}")
