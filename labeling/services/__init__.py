"""Every write to datasets, records, suggestions, responses, claims and assignments, one module per capability (STYLE §2)."""
