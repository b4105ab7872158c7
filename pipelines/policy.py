"""Reads and validates the reporting policy (`carbonledger.yml`).

The policy is the one place a user states how the inventory is drawn up. It is validated strictly
(unknown keys and unknown factor sets are errors naming the key) and turned into small tables that
dbt reads as the `silver.policy_*` sources. Its SHA-256 travels with every run and fact row.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assets.accounts.policy_config import ACCOUNT_POLICY_TABLES, AccountsPolicy, accounts_policy_tables

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FACTOR_SEEDS_DIR = PROJECT_ROOT / "dbt_project" / "seeds" / "factors"
EXAMPLE_POLICY = PROJECT_ROOT / "carbonledger.example.yml"

SCOPE3_CATEGORIES = (
    "s3_01_purchased_goods",
    "s3_02_capital_goods",
    "s3_03_fuel_energy",
    "s3_04_upstream_transport",
    "s3_05_waste",
    "s3_06_business_travel",
    "s3_07_employee_commuting",
    "s3_08_upstream_leased_assets",
    "s3_09_downstream_transport",
    "s3_10_processing_of_sold_products",
    "s3_11_use_of_sold_products",
    "s3_12_end_of_life_of_sold_products",
    "s3_13_downstream_leased_assets",
    "s3_14_franchises",
    "s3_15_investments",
)


POLICY_TABLES = ("policy_settings", "policy_factor_pins", "policy_scope3_categories", "policy_custom_factors",
                 "policy_datacenters")
POLICY_TABLES += ACCOUNT_POLICY_TABLES  # the scenario carbon accounts (assets/accounts/policy_config.py)


class PolicyError(ValueError):
    """The policy file is missing, unreadable or invalid; the message names the file and key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organisation(_Strict):
    root_entity_id: str
    consolidation_approach: Literal["operational_control", "financial_control", "equity_share"] = (
        "operational_control"
    )


class Reporting(_Strict):
    timezone: str = "Asia/Shanghai"
    base_year: int = Field(ge=1990, le=2100)
    recalculation_threshold_pct: float = Field(default=5.0, gt=0, le=100)
    gwp_set: Literal["AR4", "AR5", "AR6"] = "AR5"
    scope2_headline_method: Literal["location_based", "market_based"] = "location_based"
    include_radiative_forcing: bool = True
    scope3_categories_reported: tuple[str, ...] = ()
    operational_scope3_categories: tuple[str, ...] = ()
    materiality_threshold_pct: float = Field(default=1.0, ge=0, le=100)
    # Market-based Scope 2: certificates count for a year only if their vintage is that year or up to
    # this many years earlier (0 = same year only).
    instrument_vintage_window_years: int = Field(default=0, ge=0, le=5)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Asia/Shanghai)") from exc
        return value

    @field_validator("scope3_categories_reported", "operational_scope3_categories")
    @classmethod
    def _known_categories(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [c for c in value if c not in SCOPE3_CATEGORIES]
        if unknown:
            raise ValueError(f"unknown Scope 3 categories {unknown}; known: {list(SCOPE3_CATEGORIES)}")
        return value


class Scope3(_Strict):
    """Choices of the Scope 3 methods (see docs/methodology.md)."""

    air_short_haul_max_km: float = Field(default=3700.0, gt=0)  # DEFRA: flights to/from the UK under this are short-haul
    commuting_leave_days: float = Field(default=10.0, ge=0, le=60)  # annual leave days off the working-day calendar
    commuting_min_response_rate_pct: float = Field(default=10.0, ge=0, le=100)  # below: stratum flagged low response
    commuting_min_respondents: int = Field(default=5, ge=1)
    spend_based_fallback: bool = True  # travel without distance: spend x a spend factor, flagged (quality 5)


class CustomFactor(_Strict):
    factor_id: str
    factor_set: str
    activity: str
    geography: str = "*"
    activity_variant: str = ""
    gas: str = "CO2"
    kg_per_unit: float = Field(ge=0)
    activity_unit: str
    gwp_set: str = ""
    data_year: int
    source: str = Field(min_length=3)


class EmissionFactors(_Strict):
    # activity pin key -> reporting year -> one factor set, or several in priority order (a row takes
    # the first set that has a factor for its place, e.g. [cn_mee_2022_regional, desnz_2022_gb_electricity]).
    # Years may be written as a range: `2021-2023: cn_fuel_defaults`.
    pins: dict[str, dict[int, str | tuple[str, ...]]] = Field(default_factory=dict)

    @field_validator("pins", mode="before")
    @classmethod
    def _expand_year_ranges(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        expanded: dict = {}
        for pin_key, by_year in value.items():
            if not isinstance(by_year, dict):
                raise ValueError(f"{pin_key}: expected a mapping of reporting year (or YYYY-YYYY) to factor set")
            years: dict = {}
            for year, pinned in by_year.items():
                text = str(year)
                first, sep, last = text.partition("-")
                if not (first.isdigit() and (not sep or last.isdigit())):
                    raise ValueError(f"{pin_key}: {text!r} is not a year or a YYYY-YYYY range")
                for y in range(int(first), int(last or first) + 1):
                    if y in years:
                        raise ValueError(f"{pin_key}: year {y} is pinned twice")
                    years[y] = pinned
            expanded[pin_key] = years
        return expanded
    custom_factors: tuple[CustomFactor, ...] = ()


# --- data centres (docs/policy.md, "datacenters"; docs/methodology.md, "Data centres") ----------------

# ISO/IEC 30134-2 PUE categories by where IT energy is metered: 1 basic, 2 intermediate, 3 advanced.
IT_MEASUREMENT_POINTS = {"ups_output": 1, "pdu_output": 2, "it_equipment_input": 3}
DATACENTER_DEFAULT_KEY = "default"


def _with_default(value: dict, default: object) -> dict:
    """A per-data-centre mapping always has its `default` entry (the one the user gave, else ours)."""
    if any(not str(key).strip() for key in value):
        raise ValueError("data-centre keys must be facility_ids (or `default`)")
    return {DATACENTER_DEFAULT_KEY: default, **{str(k).strip(): v for k, v in value.items()}}


class DataCentres(_Strict):
    """How data-centre telemetry is cleaned, how PUE is labelled and where their electricity comes from.

    Per-data-centre keys map a facility_id to a value; `default` covers every other data centre
    (a facility of type data_center, or any facility that sends telemetry).
    """

    # The one source of a data centre's Scope 2 electricity: its telemetry (total facility energy per
    # interval) or its invoices/meter lines in landing/energy. The other is reconciled, never added.
    authoritative_source: dict[str, Literal["telemetry", "invoices"]] = Field(
        default_factory=lambda: {DATACENTER_DEFAULT_KEY: "invoices"})
    # Where IT energy is metered: ups_output (PUE category 1), pdu_output (2), it_equipment_input (3).
    it_measurement_point: dict[str, Literal["ups_output", "pdu_output", "it_equipment_input"]] = Field(
        default_factory=lambda: {DATACENTER_DEFAULT_KEY: "ups_output"})
    # A constant office (non-data-centre) load, kW, metered inside facility_energy_kwh; subtracted from
    # the total facility energy of PUE only (Scope 2 keeps all electricity).
    office_load_kw: dict[str, float] = Field(default_factory=lambda: {DATACENTER_DEFAULT_KEY: 0.0})
    # Missing intervals between two received ones: neighbour_mean (each missing minute at the mean power
    # of the received interval before and after, flagged as an estimate) or none (left as gaps).
    gap_fill_method: Literal["neighbour_mean", "none"] = "neighbour_mean"
    max_fill_gap_minutes: int = Field(default=1440, ge=0)  # longer gaps stay unfilled (reported)
    # An interval whose power is more than this many times that of both neighbours is a counter reset.
    counter_reset_spike_ratio: float = Field(default=10.0, gt=1)
    # Other energy entering the data centre, as kWh (EN 50600-4-2 / ISO/IEC 30134-2 conversions).
    diesel_kwh_per_litre: float = Field(default=9.9, gt=0)
    chilled_water_conversion_factor: float = Field(default=1.0, gt=0)  # kWh per kWh of cooling delivered
    # A design_standard baseline above this PUE is flagged (GB 40879-2021 limit value 1.5).
    design_standard_pue: float = Field(default=1.5, ge=1.0, le=3.0)

    @field_validator("authoritative_source")
    @classmethod
    def _default_source(cls, value: dict) -> dict:
        return _with_default(value, value.get(DATACENTER_DEFAULT_KEY, "invoices"))

    @field_validator("it_measurement_point")
    @classmethod
    def _default_point(cls, value: dict) -> dict:
        return _with_default(value, value.get(DATACENTER_DEFAULT_KEY, "ups_output"))

    @field_validator("office_load_kw")
    @classmethod
    def _default_office_load(cls, value: dict) -> dict:
        if any(v < 0 for v in value.values()):
            raise ValueError("an office load cannot be negative")
        return _with_default(value, value.get(DATACENTER_DEFAULT_KEY, 0.0))


class Targets(_Strict):
    """The road to operational carbon neutrality (rpt_neutrality_progress)."""

    neutrality_year: int = Field(default=2030, ge=2000, le=2100)
    # Gross operational emissions in the neutrality year, as a % of the base year's; the target path is
    # linear from the base year to it. The rest is to be covered by retired carbon credits.
    gross_operational_target_pct_of_base: float = Field(default=50.0, ge=0, le=100)
    # Registries whose credits come from the group's own carbon accounts: never counted as offsets.
    own_account_registries: tuple[str, ...] = ()


class Policy(_Strict):
    policy_version: Literal[1]
    organisation: Organisation
    reporting: Reporting
    scope3: Scope3 = Scope3()
    emission_factors: EmissionFactors = EmissionFactors()
    targets: Targets = Targets()
    datacenters: DataCentres = DataCentres()
    accounts: AccountsPolicy = AccountsPolicy()


@dataclass(frozen=True)
class LoadedPolicy:
    """A validated policy with where it came from and its fingerprint."""

    policy: Policy
    path: Path
    sha256: str

    @property
    def timezone(self) -> str:
        return self.policy.reporting.timezone


def resolve_policy_path(config: str | Path | None) -> Path:
    """The policy the user named, else `carbonledger.yml`, else the committed example."""
    if config:
        return Path(config)
    local = Path("carbonledger.yml")
    return local if local.exists() else EXAMPLE_POLICY


def known_factor_sets(seeds_dir: Path = FACTOR_SEEDS_DIR) -> dict[str, dict[str, str]]:
    """Every factor set of the library: factor_set -> its catalogue row (activity, level, year...)."""
    sets: dict[str, dict[str, str]] = {}
    for path in sorted(seeds_dir.glob("factor_sets_*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                sets[row["factor_set"]] = row
    return sets


def _format_validation_error(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: the policy is invalid:"]
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"])
        if err["type"] == "extra_forbidden":
            lines.append(f"  - {key}: unknown key (see docs/policy.md for the keys this version reads)")
        elif err["type"] == "missing":
            lines.append(f"  - {key}: required key is missing")
        else:
            lines.append(f"  - {key}: {err['msg']} (got {err.get('input')!r})")
    return "\n".join(lines)


def load_policy(config: str | Path | None = None) -> LoadedPolicy:
    """Parse and validate the policy; raise PolicyError with every problem named by key."""
    path = resolve_policy_path(config)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file ({exc.strerror})") from exc
    try:
        document = yaml.safe_load(raw_bytes.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: not valid UTF-8 YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise PolicyError(f"{path}: the policy must be a YAML mapping with policy_version: 1")
    try:
        policy = Policy.model_validate(document)
    except ValidationError as exc:
        raise PolicyError(_format_validation_error(path, exc)) from exc
    _check_factor_pins(path, policy)
    return LoadedPolicy(policy=policy, path=path, sha256=hashlib.sha256(raw_bytes).hexdigest())


def _check_factor_pins(path: Path, policy: Policy) -> None:
    library = known_factor_sets()
    custom_sets = {f.factor_set: f for f in policy.emission_factors.custom_factors}
    pinnable = {row["activity"] for row in library.values()} | {f.activity for f in custom_sets.values()}
    problems = []
    for pin_key, by_year in policy.emission_factors.pins.items():
        activity = _pin_activity(pin_key)
        if activity not in pinnable:
            problems.append(f"emission_factors.pins.{pin_key}: unknown activity {activity!r}; known: {sorted(pinnable)}")
            continue
        for year, pinned in by_year.items():
            key = f"emission_factors.pins.{pin_key}.{year}"
            problems += [_pin_problem(key, pin_key, activity, factor_set, library, custom_sets)
                         for factor_set in _as_list(pinned)]
    problems = [p for p in problems if p]
    if problems:
        raise PolicyError(f"{path}: the policy is invalid:\n" + "\n".join(f"  - {p}" for p in problems))


def _pin_problem(key: str, pin_key: str, activity: str, factor_set: str, library: dict, custom_sets: dict) -> str | None:
    entry = library.get(factor_set)
    if entry is None:
        return None if factor_set in custom_sets else f"{key}: unknown factor set {factor_set!r}"
    if entry["activity"] != activity:
        return f"{key}: factor set {factor_set!r} is for {entry['activity']!r}, not {activity!r}"
    if pin_key.endswith(("_location_based", "_market_based")):
        method = pin_key.rsplit("_", 2)[-2] + "_based"
        if entry.get("scope2_method") and entry["scope2_method"] != method:
            return f"{key}: factor set {factor_set!r} is a {entry['scope2_method']} set, pinned as {method}"
    return None


def _as_list(pinned: str | tuple[str, ...]) -> tuple[str, ...]:
    return (pinned,) if isinstance(pinned, str) else tuple(pinned)


def _pin_activity(pin_key: str) -> str:
    """`electricity_location_based` pins factors of activity `electricity`."""
    for suffix in ("_location_based", "_market_based"):
        if pin_key.endswith(suffix):
            return pin_key[: -len(suffix)]
    return pin_key


def policy_tables(loaded: LoadedPolicy) -> dict[str, pl.DataFrame]:
    """The policy as the small `silver.policy_*` tables dbt reads (each row carries the hash)."""
    p = loaded.policy
    settings = {
        "root_entity_id": p.organisation.root_entity_id,
        "consolidation_approach": p.organisation.consolidation_approach,
        "timezone": p.reporting.timezone,
        "base_year": str(p.reporting.base_year),
        "recalculation_threshold_pct": str(p.reporting.recalculation_threshold_pct),
        "gwp_set": p.reporting.gwp_set,
        "scope2_headline_method": p.reporting.scope2_headline_method,
        "include_radiative_forcing": str(p.reporting.include_radiative_forcing).lower(),
        "materiality_threshold_pct": str(p.reporting.materiality_threshold_pct),
        "instrument_vintage_window_years": str(p.reporting.instrument_vintage_window_years),
        "neutrality_year": str(p.targets.neutrality_year),
        "gross_operational_target_pct_of_base": str(p.targets.gross_operational_target_pct_of_base),
        "own_account_registries": ",".join(p.targets.own_account_registries),
        **{f"scope3_{key}": str(value).lower() if isinstance(value, bool) else str(value)
           for key, value in p.scope3.model_dump().items()},
        "policy_path": str(loaded.path),
    }
    pins = [
        {"pin_key": key, "activity": _pin_activity(key), "reporting_year": year, "factor_set": factor_set,
         "priority": priority}
        for key, by_year in p.emission_factors.pins.items()
        for year, pinned in by_year.items()
        for priority, factor_set in enumerate(_as_list(pinned), start=1)
    ]
    categories = [
        {"category": c, "is_reported": c in p.reporting.scope3_categories_reported,
         "is_operational": c in p.reporting.operational_scope3_categories}
        for c in SCOPE3_CATEGORIES
    ]
    custom = [f.model_dump() for f in p.emission_factors.custom_factors]
    datacenters = datacenter_rows(p.datacenters)
    tables = {
        "policy_settings": pl.DataFrame(
            {"setting": list(settings), "value": list(settings.values())}, schema={"setting": pl.String, "value": pl.String}
        ),
        "policy_factor_pins": pl.DataFrame(
            pins, schema={"pin_key": pl.String, "activity": pl.String, "reporting_year": pl.Int32, "factor_set": pl.String,
                          "priority": pl.Int32}
        ),
        "policy_scope3_categories": pl.DataFrame(
            categories, schema={"category": pl.String, "is_reported": pl.Boolean, "is_operational": pl.Boolean}
        ),
        "policy_custom_factors": pl.DataFrame(
            custom,
            schema={
                "factor_id": pl.String, "factor_set": pl.String, "activity": pl.String, "geography": pl.String,
                "activity_variant": pl.String, "gas": pl.String, "kg_per_unit": pl.Float64,
                "activity_unit": pl.String, "gwp_set": pl.String, "data_year": pl.Int32, "source": pl.String,
            },
        ),
        "policy_datacenters": pl.DataFrame(datacenters, schema=DATACENTER_TABLE_SCHEMA),
    }
    tables.update(accounts_policy_tables(p.accounts))
    return {name: df.with_columns(pl.lit(loaded.sha256).alias("policy_sha256")) for name, df in tables.items()}


DATACENTER_TABLE_SCHEMA = {
    "facility_id": pl.String, "authoritative_source": pl.String, "it_measurement_point": pl.String,
    "pue_category": pl.Int32, "office_load_kw": pl.Float64, "gap_fill_method": pl.String,
    "max_fill_gap_minutes": pl.Int32, "counter_reset_spike_ratio": pl.Float64, "diesel_kwh_per_litre": pl.Float64,
    "chilled_water_conversion_factor": pl.Float64, "design_standard_pue": pl.Float64,
}


def datacenter_rows(dc: DataCentres) -> list[dict]:
    """`silver.policy_datacenters`: one row per facility_id the section names, plus the `default` row.

    Per-data-centre columns are null where that data centre takes the default; the section-wide
    settings repeat on every row, so dbt resolves a data centre with one join and a coalesce.
    """
    keys = [DATACENTER_DEFAULT_KEY] + sorted(
        ({*dc.authoritative_source, *dc.it_measurement_point, *dc.office_load_kw} - {DATACENTER_DEFAULT_KEY}))
    rows = []
    for key in keys:
        point = dc.it_measurement_point.get(key)
        rows.append({
            "facility_id": key,
            "authoritative_source": dc.authoritative_source.get(key),
            "it_measurement_point": point,
            "pue_category": IT_MEASUREMENT_POINTS[point] if point else None,
            "office_load_kw": dc.office_load_kw.get(key),
            "gap_fill_method": dc.gap_fill_method,
            "max_fill_gap_minutes": dc.max_fill_gap_minutes,
            "counter_reset_spike_ratio": dc.counter_reset_spike_ratio,
            "diesel_kwh_per_litre": dc.diesel_kwh_per_litre,
            "chilled_water_conversion_factor": dc.chilled_water_conversion_factor,
            "design_standard_pue": dc.design_standard_pue,
        })
    return rows
