"""sft-messages.jsonl: conversational examples, the `messages` shape TRL's SFTTrainer reads."""

from . import Example
from .jsonl import JsonLinesWriter, string

EXTENSION = "jsonl"
CONTENT_TYPE = "application/x-ndjson"
ROWS = "examples"
Writer = JsonLinesWriter


def row(example: Example) -> str:
    """The line `{"messages": [system?, user, assistant]}` as JSON text, the bytes json.dumps would write."""
    system = f'{{"role": "system", "content": {string(example.system)}}}, ' if example.system else ""
    return (
        f'{{"messages": [{system}{{"role": "user", "content": {string(example.prompt)}}}, '
        f'{{"role": "assistant", "content": {string(example.completion)}}}]}}'
    )
