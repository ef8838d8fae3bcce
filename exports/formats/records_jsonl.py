"""records.jsonl: every record in full (fields, metadata, suggestions, every response)."""

from .jsonl import JsonLinesWriter, dumps

EXTENSION = "jsonl"
CONTENT_TYPE = "application/x-ndjson"
ROWS = "records"
Writer = JsonLinesWriter


def row(record: dict) -> str:
    """The record as the service assembled it (plain JSON values), as JSON text."""
    return dumps(record)
