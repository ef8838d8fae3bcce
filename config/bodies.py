"""JSON request bodies, parsed within bounds before any view sees them (DESIGN §9 "Bad input").

Both APIs parse through `json_loads_bounded`: /api/ through `config.api.BoundedJSONParser`, /argilla
through its `Call.body`. Each bound exists because of what lies behind the parser:

- Nesting depth: Python's json module recurses once per level, and a few thousand levels raise
  RecursionError, a 500. The depth is counted first by a scan that does not recurse (strings removed,
  brackets counted), so a deep body is refused before the parser starts.
- NUL characters: PostgreSQL stores them neither in text nor in jsonb. They are refused in every
  string and key, on SQLite too, so that both databases answer alike; the message names where.
- Numbers: integers beyond 64 bits and non-finite numbers (NaN, Infinity, 1e400) fit no column and
  no jsonb value.
"""

import json
import math
import re
from collections.abc import Iterator
from itertools import accumulate

from django.conf import settings

from .errors import InvalidInput, PayloadTooLarge

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
# A JSON string, escapes included; the unrolled form keeps the regex engine from backtracking.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def body_too_large() -> PayloadTooLarge:
    """The answer to a body over DATA_UPLOAD_MAX_MEMORY_SIZE (Django refuses to read it: RequestDataTooBig)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return PayloadTooLarge(
        f"The request body is larger than {limit} bytes; send fewer items per call.", details={"max_bytes": limit}
    )


def max_depth() -> int:
    return settings.DATA_UPLOAD_MAX_JSON_DEPTH


def nests_deeper_than(raw: bytes, limit: int) -> bool:
    """Whether `raw` nests arrays and objects more than `limit` levels deep, counted without recursion."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return any(depth > limit for depth in accumulate(map(_STEP.__getitem__, brackets)))


def _integer(text: str) -> int:
    value = int(text)
    if not INT_MIN <= value <= INT_MAX:
        raise InvalidInput(
            f"Integers must lie between {INT_MIN} and {INT_MAX}; {text[:30]} does not.",
            details={"value": text[:30]},
        )
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InvalidInput(f"Numbers must be finite; {text[:30]} is not.", details={"value": text[:30]})
    return value


def _constant(name: str):
    raise InvalidInput(f"{name} is not valid JSON; send a finite number or null.", details={"value": name})


def _strings(data) -> Iterator[tuple[str, str]]:
    """(where, string) for every key and string value in `data`, walked without recursion."""
    pending = [("", data)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            for key, item in value.items():
                path = f"{where}.{key}" if where else key
                yield path, key
                pending.append((path, item))
        elif isinstance(value, list):
            pending.extend((f"{where}[{index}]", item) for index, item in enumerate(value))


def refuse_nul(data) -> None:
    """InvalidInput naming the first key or string value of `data` that holds a NUL character."""
    for where, text in _strings(data):
        if "\x00" in text:
            shown = where.replace("\x00", "\\u0000") or "body"
            raise InvalidInput(
                f"'{shown}' contains a NUL character (\\u0000), which cannot be stored; remove it.",
                details={"field": shown},
            )


def json_loads_bounded(raw: bytes):
    """Parse a request body as JSON within the bounds above; InvalidInput says which one it broke.

    Malformed JSON is InvalidInput too, with the parser's own description of where it failed.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("The request body must be UTF-8 encoded JSON.", code="parse_error") from None
    limit = max_depth()
    if nests_deeper_than(raw, limit):
        raise InvalidInput(
            f"The JSON body nests deeper than {limit} levels; flatten it.", details={"max_depth": limit}
        )
    try:
        data = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except ValueError as exc:
        raise InvalidInput(f"The request body is not valid JSON: {exc}.", code="parse_error") from None
    # A NUL reaches the parsed data only through a \u0000 escape: most bodies skip the walk.
    if "\\u0000" in text:
        refuse_nul(data)
    return data
