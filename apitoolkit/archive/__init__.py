"""History the APIs do not keep: an append-only archive fed by scheduled syncs, read with pandas, DuckDB or Dask.

```python
from apitoolkit.archive import Archive

archive = Archive()                       # APITOOLKIT_ARCHIVE, or <user data directory>/archive; or s3://bucket/prefix
archive.sync()                            # cron: `apitoolkit archive sync`
logs = archive.scan("itglue", "logs", start="2026-01-01", end="2026-03-31")
archive.sql("SELECT action, count(*) FROM itglue_logs GROUP BY ALL")
archive.info(); archive.compact(); archive.prune(older_than=365 * 3)
```

Which module holds what:

```text
location.py   the location (directory or s3://), its AWS settings and the checks that it can be used
resources.py  what is kept of each resource: rule, time column, partitions (ARCHIVED)
store.py      one resource's Delta Lake table: atomic, exactly-once writes; compaction, deletes
sync.py       what each rule fetches through the loaders and writes
archive.py    Archive: sync, write, scan, sql, info, compact, prune
heatmap.py    the activity heatmap counted by DuckDB (and the grid Dask's answer is built into)
distributed.py  the same archive read by Dask (a LocalCluster or any cluster): to_dask, the heatmap
```
"""

from __future__ import annotations

from apitoolkit.archive.archive import Archive, SyncFailedError
from apitoolkit.archive.location import ArchiveLocation, archive_location
from apitoolkit.archive.resources import ARCHIVED, ArchivedResource, archived

__all__ = [
    "ARCHIVED",
    "Archive",
    "ArchiveLocation",
    "ArchivedResource",
    "SyncFailedError",
    "archive_location",
    "archived",
]
