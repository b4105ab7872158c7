"""The Carbon Ledger Dagster code location (see pipelines/definitions.py)."""
