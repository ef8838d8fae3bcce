"""Reads for one use case each, always from a tenancy-scoped queryset (STYLE §3), one module per use."""
