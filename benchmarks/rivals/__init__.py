"""What users would use instead of apitoolkit, one module per service, runnable in the rivals' own venvs.

These modules import only the standard library at module level (never apitoolkit, nor `benchmarks.cases`,
whose package imports the project's dependencies), so `benchmarks.worker` can import them in a venv that
holds just the rival library and pandas (see `benchmarks.venvs`).
"""
