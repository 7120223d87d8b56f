"""Every request the loaders send is checked against the community OpenAPI description of IT Glue.

Where it and the seed reference disagree, the reference wins; the exceptions are listed in EXCEPTIONS.
Only the committed trimmed copy in tests/data is read; ``tests/data/trim_itglue_spec.py --check`` compares it with
the full spec by hand.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from apitoolkit.emulator import EmulatorServer
from apitoolkit.itglue import (
    ITGlueClient,
    load_expirations,
    load_logs,
    load_organizations,
    load_resource,
    load_user_metrics,
    load_users,
)
from tests.data.trim_itglue_spec import OUT as TRIMMED

SPEC = json.loads(TRIMMED.read_text())

#: Parameters we send that the spec does not list, with the reason the reference wins.
EXCEPTIONS: dict[str, str] = {}


def _template(path: str) -> str | None:
    for candidate in SPEC["paths"]:
        pattern = "^" + re.sub(r"\{[^}]+\}", r"[0-9]+", candidate) + "$"
        if re.match(pattern, path):
            return candidate
    return None


def test_spec__every_request_the_loaders_send_is_documented(itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    now = datetime.now(UTC)
    load_users(client=itglue, role_name="Editor")
    load_organizations(client=itglue, name="x")
    load_user_metrics(
        now - timedelta(days=20), now, user_id=[1, 2], organization_id=3, resource_type="Password", client=itglue
    )
    load_logs(now - timedelta(days=3), now, client=itglue)
    load_expirations(client=itglue, start="2026-01-01", end="2026-12-31", resource_type="Domain")
    org = int(load_organizations(client=itglue)["id"].iloc[0])
    load_expirations(client=itglue, organization_id=org)
    load_resource("organizations/:organization_id/relationships/expirations", organization_id=org, client=itglue)

    requests = [r for r in emulator.app.stats.requests if r.service == "itglue"]
    assert len(requests) >= 8
    problems = []
    for r in requests:
        template = _template(r.path if r.path.startswith("/") else "/" + r.path)
        if template is None:
            problems.append(f"undocumented path {r.path}")
            continue
        allowed = SPEC["paths"][template]
        for name, values in r.query.items():
            if name not in allowed and name not in EXCEPTIONS:
                problems.append(f"{template}: undocumented parameter {name}")
                continue
            rules = allowed.get(name, {})
            if "maximum" in rules and any(int(v) > rules["maximum"] for v in values):
                problems.append(f"{template}: {name}={values} above {rules['maximum']}")
            if "one_of" in rules:
                for v in values:
                    fields = [f.strip().lstrip("-") for f in v.split(",")]
                    if not set(fields) <= set(rules["one_of"]):
                        problems.append(f"{template}: {name}={v} not one of {rules['one_of']}")
    assert problems == []
