"""Writes itglue-openapi-get.json: the GET paths and query parameters of the community IT Glue OpenAPI spec.

The full spec (570 KB) is not in this repository; tests read only the committed trimmed copy. Run by hand with
the full spec's path: ``python tests/data/trim_itglue_spec.py --check SPEC.yaml`` says whether the trimmed copy
still matches it (exit status 1 if not), and ``python tests/data/trim_itglue_spec.py SPEC.yaml`` rewrites it.
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


def main(argv: list[str]) -> int:
    """Rewrite the trimmed copy from the full spec, or with ``--check`` only compare them; return the exit status."""
    check = "--check" in argv
    paths = [arg for arg in argv if arg != "--check"]
    if len(paths) != 1:
        print("usage: python tests/data/trim_itglue_spec.py [--check] PATH/TO/itglue-openapi.yaml", file=sys.stderr)
        return 2
    text = json.dumps(trim(load_full(Path(paths[0]))), indent=1, sort_keys=True) + "\n"
    if not check:
        OUT.write_text(text)
        print(f"wrote {OUT}")
        return 0
    if json.loads(text) == json.loads(OUT.read_text()):
        print(f"{OUT.name} matches {paths[0]}")
        return 0
    print(f"{OUT.name} differs from {paths[0]}: rerun without --check to rewrite it", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
