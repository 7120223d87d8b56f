"""Arrow tables to pandas with the loaders' dtypes; empty frames; the memory pool of our Arrow calls."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from apitoolkit.frames.schema import ARROW_TYPES, Schema

__all__ = ["POOL", "empty_frame", "table_to_frame", "to_pandas"]

#: Arrow's default allocator (mimalloc) keeps freed batches for reuse, so the peak grows with the input; our
#: own Arrow calls use the system allocator, which gives large blocks back. The user's other Arrow work keeps
#: the default.
POOL = pa.system_memory_pool()

_STR_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)
_PANDAS_TYPES: dict[pa.DataType, Any] = {
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
    pa.string(): _STR_DTYPE,
    pa.large_string(): _STR_DTYPE,
    pa.float64(): pd.Float64Dtype(),
    pa.date32(): pd.ArrowDtype(pa.date32()),
    pa.list_(pa.string()): pd.ArrowDtype(pa.list_(pa.string())),
    pa.list_(pa.int64()): pd.ArrowDtype(pa.list_(pa.int64())),
}


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a frame of the loaders' dtypes (``Int64``, ``boolean``, ``str``, ...), strings not copied.

    Example:
        >>> to_pandas(pa.table({"id": [1, None]})).dtypes.to_dict()
        {'id': Int64Dtype()}
    """
    return table.to_pandas(types_mapper=_PANDAS_TYPES.get, memory_pool=POOL)


def empty_frame(schema: Schema) -> pd.DataFrame:
    """A frame with the schema's columns and dtypes and no rows.

    Example:
        >>> from apitoolkit.frames import Field, Schema
        >>> empty_frame(Schema("t", (Field("id", "int"),))).dtypes.to_dict()
        {'id': Int64Dtype()}
    """
    table = pa.table({f.name: pa.array([], type=ARROW_TYPES[f.kind]) for f in schema.fields})
    return to_pandas(table)


def table_to_frame(table: pa.Table) -> pd.DataFrame:
    """A stored Arrow table (the frame cache, snapshots) back to the loaders' dtypes.

    Parquet names a list's items ``element`` where Arrow says ``item``; lists are brought back to one shape
    so they map to the same dtype as a fresh load.

    Example:
        >>> table_to_frame(pa.table({"tags": pa.array([["a"]], pa.large_list(pa.string()))}))["tags"].dtype
        list<item: string>[pyarrow]
    """
    fields = []
    for field in table.schema:
        kind = field.type
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            kind = pa.list_(kind.value_type)
        fields.append(pa.field(field.name, kind, field.nullable))
    return to_pandas(table.cast(pa.schema(fields)))
