"""The landing tables: which folder, which columns and types, which column dates a row.

This is the structure of each table (what silver stores and how a row is dated). What makes a row
*valid* (not null, allowed values, ranges, keys) is declared only in the suites under
`expectations/`; see `assets/ingest/rules.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["string", "date", "timestamp", "float", "int", "bool", "month", "place"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "string"
    required: bool = True  # the file must have this column (its values may still be empty)


@dataclass(frozen=True)
class Overlap:
    """Lines of the same `key` must not cover the same day twice (periods are inclusive of both ends).

    A line whose period shares a day with an earlier line (earlier period start, then file and row) of
    the same key is flagged in the derived column `overlaps_earlier_period`; the suite decides what
    that means (see expectations/silver/<table>.json).
    """

    key: tuple[str, ...]
    start: str
    end: str


@dataclass(frozen=True)
class LandingTable:
    folder: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    month_column: str | None = None  # the date/time whose month partitions a row; None = a dimension
    personal_columns: tuple[str, ...] = ()  # kept in bronze only, never in silver
    required: bool = False  # the run fails without at least one file
    unit_column: str | None = None  # normalised through the unit_conversions seed
    quantity_column: str | None = None
    # Derived columns the suites may check (never stored in silver): period_days for a period,
    # pue for telemetry, overlaps_earlier_period (+ overlap_detail) where `overlap` is set.
    period: tuple[str, str] | None = None  # (start, end) dates, end inclusive
    overlap: Overlap | None = None
    pue: tuple[str, str] | None = None  # (facility energy, IT energy)

    @property
    def name(self) -> str:
        return self.folder.replace("/", "_")

    @property
    def partitioned(self) -> bool:
        return self.month_column is not None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _cols(spec: str) -> tuple[Column, ...]:
    """`name:type?` pairs; a trailing `?` marks a column the file may omit."""
    out = []
    for token in spec.split():
        name, _, typ = token.partition(":")
        optional = typ.endswith("?") or name.endswith("?")
        out.append(Column(name.rstrip("?"), (typ.rstrip("?") or "string"), required=not optional))  # type: ignore[arg-type]
    return tuple(out)


TABLES: tuple[LandingTable, ...] = (
    LandingTable(
        "org/entities",
        _cols(
            "entity_id entity_name parent_entity_id business_line country relationship_type "
            "equity_share_pct:float operational_control:bool financial_control:bool valid_from:date valid_to:date"
        ),
        key=("entity_id",),
        required=True,
    ),
    LandingTable(
        "org/facilities",
        _cols(
            "facility_id entity_id facility_name facility_type tenure country province city "
            "floor_area_m2:float valid_from:date valid_to:date"
        ),
        key=("facility_id",),
        required=True,
    ),
    LandingTable("org/headcount", _cols("entity_id period:month headcount:int"), key=("entity_id", "period"),
                 month_column="period", required=True),
    LandingTable(
        "employees",
        _cols("employee_id entity_id facility_id hire_date:date leave_date:date name? phone?"),
        key=("employee_id",),
        personal_columns=("name", "phone"),
    ),
    LandingTable(
        "energy",
        _cols("record_id facility_id period_start:date period_end:date energy_type quantity:float unit data_source"),
        key=("record_id",),
        month_column="period_start",
        unit_column="unit",
        quantity_column="quantity",
        period=("period_start", "period_end"),
        overlap=Overlap(key=("facility_id", "energy_type"), start="period_start", end="period_end"),
    ),
    LandingTable(
        "energy_instruments",
        _cols(
            "instrument_id entity_id facility_id? instrument_type period_start:date period_end:date mwh:float "
            "vintage_year:int serial_start serial_end supplier_factor_kg_per_kwh:float? cancelled_for_entity"
        ),
        key=("instrument_id",),
        period=("period_start", "period_end"),
    ),
    LandingTable(
        "refrigerants",
        _cols("record_id facility_id date:date refrigerant kg:float event"),
        key=("record_id",),
        month_column="date",
    ),
    LandingTable(
        "fleet",
        _cols("record_id entity_id vehicle_id date:date fuel_type quantity:float unit"),
        key=("record_id",),
        month_column="date",
        unit_column="unit",
        quantity_column="quantity",
    ),
    LandingTable(
        "datacenter/telemetry",
        _cols("facility_id interval_start:timestamp interval_minutes:int it_energy_kwh:float facility_energy_kwh:float"),
        key=("facility_id", "interval_start"),
        month_column="interval_start",
        pue=("facility_energy_kwh", "it_energy_kwh"),
    ),
    LandingTable(
        "datacenter/baselines",
        _cols("facility_id baseline_pue:float baseline_basis baseline_source electricity_price_cny_per_kwh:float"),
        key=("facility_id",),
    ),
    LandingTable(
        "travel",
        _cols(
            "trip_id employee_id entity_id start_date:date mode origin:place destination:place cabin_class distance_km:float? "
            "nights:int country spend_cny:float?"
        ),
        key=("trip_id",),
        month_column="start_date",
    ),
    LandingTable(
        "commute",
        _cols("employee_id entity_id city survey_date:date mode one_way_km:float days_per_week:float remote_days_per_week:float"),
        key=("employee_id", "survey_date"),
        month_column="survey_date",
    ),
    LandingTable(
        "materials",
        _cols("record_id facility_id period_start:date period_end:date material quantity:float unit"),
        key=("record_id",),
        month_column="period_start",
        unit_column="unit",
        quantity_column="quantity",
        period=("period_start", "period_end"),
    ),
    LandingTable(
        "behaviour",
        _cols("event_id account_id scenario behaviour_code occurred_at:timestamp quantity:float unit channel"),
        key=("event_id",),
        month_column="occurred_at",
        unit_column="unit",
        quantity_column="quantity",
    ),
    LandingTable(
        "credits",
        _cols(
            "credit_id registry standard project_id project_type credit_type vintage_year:int tonnes:float status "
            "retired_on:date retired_for_year:int retired_for_entity serial_start serial_end"
        ),
        key=("credit_id",),
    ),
)

TABLES_BY_NAME: dict[str, LandingTable] = {t.name: t for t in TABLES}


def table(name: str) -> LandingTable:
    return TABLES_BY_NAME[name]
