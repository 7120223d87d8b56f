"""Speed and memory benchmarks of apitoolkit: ``python -m benchmarks [CASE ...]``, results in RESULTS.md."""
