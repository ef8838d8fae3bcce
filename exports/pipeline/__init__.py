"""The export pipeline, one module per step: options, reading, examples, writing, report (DESIGN §5)."""
