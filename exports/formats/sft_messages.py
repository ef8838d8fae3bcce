"""sft-messages.jsonl: conversational examples, the `messages` shape TRL's SFTTrainer reads."""

from . import Example
from .jsonl import JsonLinesWriter

EXTENSION = "jsonl"
CONTENT_TYPE = "application/x-ndjson"
ROWS = "examples"
Writer = JsonLinesWriter


def row(example: Example) -> dict:
    messages = []
    if example.system:
        messages.append({"role": "system", "content": example.system})
    messages.append({"role": "user", "content": example.prompt})
    messages.append({"role": "assistant", "content": example.completion})
    return {"messages": messages}
