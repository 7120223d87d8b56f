"""Integration tests of the history archive: S3 (moto), Dask clusters, concurrent and killed writers."""
