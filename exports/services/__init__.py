"""Export and import jobs (DESIGN §5): `export_jobs`, `import_jobs`, and the lifecycle both share in `jobs`."""
