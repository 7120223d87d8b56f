"""Raw pages to one typed, flat DataFrame through Arrow, with an explicit column schema per resource.

The fast path hands all pages to ``pyarrow.json`` in one call with the resource's schema (known fields
typed exactly, unknown ones inferred and kept), then flattens and casts in Arrow and converts to pandas
without copying strings. When a page surprises the schema (a number where a string was promised, a
naive timestamp, an id that is not numeric), the slow path parses with orjson and coerces value by value;
values that cannot be coerced become missing and a `SchemaDriftWarning` says how many.

Output: snake_case columns in schema order, then any unexpected columns (one rule on both paths: see
`apitoolkit.frames.extras`); ids are ``Int64``, datetimes ``datetime64[us, UTC]``, dates ``date32[pyarrow]``,
booleans ``boolean``, text ``str``; an empty result has the same columns and dtypes.

Which module holds what (import the public names from here):

```text
schema.py    Field, Schema, the column kinds (Kind, Raw) and their Arrow types, snake_case
builder.py   FrameBuilder, pages_to_frame, pages_to_table, drop_duplicate_records, BATCH_BYTES
arrow.py     the fast path: pages read by Arrow's JSON reader, flattened and cast in Arrow
python.py    the coercing (slow) path: pages parsed by orjson, columns coerced value by value
convert.py   the coercing path's converters: one function per column kind (CONVERTERS)
extras.py    the rule for unknown fields (extra columns), shared by both paths
dtypes.py    Arrow to pandas with the loaders' dtypes: empty_frame, table_to_frame
dates.py     utc_timestamp and the reading of JSON dates and datetimes
```

The warnings `SchemaDriftWarning` and `DuplicateRecordsWarning` live in `apitoolkit.exceptions` and are
importable from here too.
"""

from __future__ import annotations

from apitoolkit.exceptions import DuplicateRecordsWarning, SchemaDriftWarning
from apitoolkit.frames.builder import (
    BATCH_BYTES,
    FrameBuilder,
    drop_duplicate_records,
    pages_to_frame,
    pages_to_table,
)
from apitoolkit.frames.dates import utc_timestamp
from apitoolkit.frames.dtypes import empty_frame, table_to_frame
from apitoolkit.frames.schema import Field, Kind, Raw, Schema, snake_case

__all__ = [
    "BATCH_BYTES",
    "DuplicateRecordsWarning",
    "Field",
    "FrameBuilder",
    "Kind",
    "Raw",
    "Schema",
    "SchemaDriftWarning",
    "drop_duplicate_records",
    "empty_frame",
    "pages_to_frame",
    "pages_to_table",
    "snake_case",
    "table_to_frame",
    "utc_timestamp",
]
