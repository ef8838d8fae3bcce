"""sft-prompt-completion.jsonl: `{"prompt", "completion"}` rows for TRL's SFTTrainer.

Plain strings by default (TRL's "standard" prompt-completion). With a system prompt the rows
become conversational prompt-completion (lists of messages), since a plain prompt string has
no place for a system turn and gluing it into the prompt would change what the model sees.
"""

from . import Example
from .jsonl import JsonLinesWriter

EXTENSION = "jsonl"
CONTENT_TYPE = "application/x-ndjson"
ROWS = "examples"
Writer = JsonLinesWriter


def row(example: Example) -> dict:
    if not example.system:
        return {"prompt": example.prompt, "completion": example.completion}
    return {
        "prompt": [{"role": "system", "content": example.system}, {"role": "user", "content": example.prompt}],
        "completion": [{"role": "assistant", "content": example.completion}],
    }
