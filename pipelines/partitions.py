"""Month partitions of activity, event and fact assets (never by employee or account)."""

import warnings

from dagster import BackfillPolicy, BetaWarning, MonthlyPartitionsDefinition

# backfill_policy is marked beta in this Dagster; it is exactly the single-run behaviour we rely on.
warnings.filterwarnings("ignore", category=BetaWarning)

# Months are cut in the reporting time zone; partition keys are 'YYYY-MM-01' as Dagster writes them.
monthly_partitions = MonthlyPartitionsDefinition(start_date="2000-01-01", end_offset=0)

# A month close and a backfill of many months are each a single run.
single_run = BackfillPolicy.single_run()


def month_of_key(partition_key: str) -> str:
    """'2022-03-01' -> '2022-03' (the lake's activity_month)."""
    return partition_key[:7]


def months_between(first: str, last: str) -> list[str]:
    """Every 'YYYY-MM' from first to last, inclusive."""
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
