"""Format name → module, and the file name a download gets."""

from types import ModuleType

from . import alpaca, csv, parquet, records_jsonl, sft_messages, sft_prompt_completion

FORMATS: dict[str, ModuleType] = {
    "records": records_jsonl,
    "sft-messages": sft_messages,
    "sft-prompt-completion": sft_prompt_completion,
    "alpaca": alpaca,
    "csv": csv,
    "parquet": parquet,
}

# Flat formats carry the split in a column; the others get one file per split.
FLAT_FORMATS = ("csv", "parquet")


def file_name(format_name: str, role: str) -> str:
    """`sft-messages.jsonl`, `sft-messages-train.jsonl`, `records.jsonl`, `data.csv`…"""
    module = FORMATS[format_name]
    stem = format_name if format_name not in FLAT_FORMATS else "data"
    if role in ("train", "test"):
        stem = f"{stem}-{role}"
    return f"{stem}.{module.EXTENSION}"
