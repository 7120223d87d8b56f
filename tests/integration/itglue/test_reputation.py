"""Reputation against the running emulator: recomputed from every metric since the account began, it matches."""

from __future__ import annotations

from datetime import timedelta

from apitoolkit.analysis import compare_reputation, reputation_leaderboard
from apitoolkit.emulator import EmulatorServer
from apitoolkit.itglue import ITGlueClient, load_user_metrics, load_users


def test_compare_reputation__every_users_reported_score_is_recomputed_from_all_metrics(
    itglue: ITGlueClient, emulator: EmulatorServer
) -> None:
    backend = emulator.app.itglue
    account = backend.accounts[backend.api_key]
    end = backend.now.date()  # the emulator's today, which need not be the test machine's (e.g. near midnight)
    start = end - timedelta(days=account.counts.metric_days - 1)  # metrics go back this far, no further
    users = load_users(client=itglue)
    metrics = load_user_metrics(start, end, client=itglue)
    assert len(metrics) == len(account.user_metrics)  # the range holds every metric the account has
    comparison = compare_reputation(users, metrics)
    assert len(comparison) == len(users)
    assert comparison["difference"].tolist() == [0] * len(users)
    assert (comparison["reported"] > 0).sum() > len(users) // 2
    assert reputation_leaderboard(users)["reputation"].is_monotonic_decreasing
