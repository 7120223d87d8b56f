"""The ``python -m benchmarks`` command: run cases, print the tables, append them to RESULTS.md."""

from __future__ import annotations

import argparse
import sys

from benchmarks import archive, report
from benchmarks.cases import CASES
from benchmarks.harness import run_case

#: The archive's figures (`benchmarks.archive`): its own archives and sizes (``--records`` does not apply).
ARCHIVE = "archive"


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    names = ", ".join([*CASES, ARCHIVE])
    parser.add_argument("cases", nargs="*", metavar="CASE", help=f"cases to run (default all): {names}")
    parser.add_argument("--rounds", type=int, default=5, help="runs of every contender, alternated")
    parser.add_argument("--records", type=int, default=200_000, help="records in the test data")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args(argv)
    unknown = [c for c in args.cases if c not in CASES and c != ARCHIVE]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {names}")
    if args.rounds < 1 or args.records < 1:
        parser.error("--rounds and --records must be at least 1")
    return args


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the cases; exit 0 even when a target fails (the tables say so), 1 when a run breaks."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    chosen = args.cases or [*CASES, ARCHIVE]
    try:
        results = [
            run_case(CASES[name](args.records), rounds=args.rounds, log=_log) for name in chosen if name in CASES
        ]
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    if ARCHIVE in chosen:
        archive_status = archive.main(["--rounds", str(args.rounds), *(["--no-record"] if args.no_record else [])])
        if archive_status or not results:
            return archive_status
    print(report.results_table(results))
    print()
    print(report.targets_table(results))
    if not args.no_record:
        report.append(report.section(results, rounds=args.rounds, records=args.records))
        print(f"\nAppended to {report.RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
