"""records.jsonl: every record in full (fields, metadata, suggestions, every response)."""

from .jsonl import JsonLinesWriter

EXTENSION = "jsonl"
CONTENT_TYPE = "application/x-ndjson"
ROWS = "records"
Writer = JsonLinesWriter


def row(record: dict) -> dict:
    """The record as the service assembled it: already plain JSON values."""
    return record
