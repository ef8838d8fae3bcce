"""sft-prompt-completion.jsonl: `{"prompt", "completion"}` rows for TRL's SFTTrainer.

Plain strings by default (TRL's "standard" prompt-completion). With a system prompt the rows
become conversational prompt-completion (lists of messages), since a plain prompt string has
no place for a system turn and gluing it into the prompt would change what the model sees.
"""

from . import Example
from .jsonl import JsonLinesWriter, string

EXTENSION = "jsonl"
CONTENT_TYPE = "application/x-ndjson"
ROWS = "examples"
Writer = JsonLinesWriter


def row(example: Example) -> str:
    """The line as JSON text, the bytes json.dumps would write."""
    if not example.system:
        return f'{{"prompt": {string(example.prompt)}, "completion": {string(example.completion)}}}'
    return (
        f'{{"prompt": [{{"role": "system", "content": {string(example.system)}}}, '
        f'{{"role": "user", "content": {string(example.prompt)}}}], '
        f'"completion": [{{"role": "assistant", "content": {string(example.completion)}}}]}}'
    )
