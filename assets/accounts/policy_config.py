"""The `accounts` section of the reporting policy (carbonledger.yml) and the silver tables it becomes.

Everything a user may change about the scenario carbon accounts without touching code lives here
(docs/policy.md, "accounts"; docs/methodology.md, "Carbon accounts"):

- points_rules      the versioned rule g CO2e -> points (a rule applies from its valid_from; old
                    versions stay, so any entry can be replayed with the rule of its day)
- campaigns         point multipliers for a period (points only, never grams)
- points_expiry_months, min_group_size, commuting_inventory_basis
- scenario_places   where a scenario's reductions happen when its accounts have no facility
- factors           per-action figures (value, unit, source, status) for configured methodologies
- methodologies     methodologies added, or new versions of shipped ones ("configuration only")
- schemes           exchange schemes: the places and the methodologies each recognises
- filings           reductions filed with an exchange (become `transfer` ledger entries)
- reversals         credited events withdrawn after the fact (become `reversal` ledger entries)

The shipped registry (dbt_project/seeds/accounts/account_methodologies.csv and
account_behaviour_factors.csv) is validated row by row with the same models (tests/unit).
Dagster-free: pipelines/policy.py embeds `AccountsPolicy` and calls `accounts_policy_tables`.
"""

from __future__ import annotations

import csv
import functools
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ACCOUNT_SEEDS_DIR = PROJECT_ROOT / "dbt_project" / "seeds" / "accounts"
METHODOLOGY_SEED = ACCOUNT_SEEDS_DIR / "account_methodologies.csv"
FACTOR_SEED = ACCOUNT_SEEDS_DIR / "account_behaviour_factors.csv"
BEHAVIOUR_CODES_SEED = ACCOUNT_SEEDS_DIR / "behaviour_codes.csv"

METHODS = ("fixed_per_unit", "substitution", "own_baseline", "points_only", "redemption")
# Canonical units of unit_conversions.csv that a behaviour event can be in.
CANONICAL_UNITS = ("each", "km", "step", "kWh", "m3", "kg", "h")
APPROVAL_STATUSES = ("internal_unverified", "exchange_recognised", "government_approved")
FACTOR_STATUSES = ("published", "internal_unverified", "assumption")
ELIGIBILITY_RULES = ("any_account", "active_employee")
INVENTORY_OVERLAP_RULES = ("none", "when_reported", "when_metered_electricity", "when_commuting_trip_based")

ACCOUNT_POLICY_TABLES = (
    "policy_account_settings",
    "policy_account_points_rules",
    "policy_account_campaigns",
    "policy_account_factors",
    "policy_account_methodologies",
    "policy_account_schemes",
    "policy_account_filings",
    "policy_account_reversals",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccountFactor(_Strict):
    """A per-action figure a methodology uses: g CO2e per unit, or a conversion (km per step...)."""

    factor_id: str = Field(min_length=3, pattern=r"^[a-z0-9_]+$")
    value: float = Field(ge=0)
    unit: str = Field(min_length=1)  # e.g. "g CO2e/trip", "g CO2e/km", "km/step"
    status: Literal["published", "internal_unverified", "assumption"]
    year: int | None = Field(default=None, ge=1990, le=2100)
    source: str = Field(min_length=3)
    notes: str | None = None


class Methodology(_Strict):
    """One version of a behaviour's methodology (see docs/methodology.md for each method's formula)."""

    methodology_id: str = Field(min_length=3, pattern=r"^[A-Z0-9_]+$")
    version: int = Field(ge=1)
    behaviour_code: str = Field(min_length=1)
    scenario: str = Field(min_length=1)
    description: str = Field(min_length=3)
    method: Literal["fixed_per_unit", "substitution", "own_baseline", "points_only", "redemption"]
    unit: Literal["each", "km", "step", "kWh", "m3", "kg", "h"]
    # avoided g = quantity x quantity_factor x (baseline - alternative); own_baseline: the
    # quantity is (own trailing mean - reading), floored at 0. Factor ids name account factors.
    quantity_factor_id: str | None = None
    baseline_factor_id: str | None = None
    alternative_factor_id: str | None = None
    baseline_periods: int | None = Field(default=None, ge=1, le=24)  # own_baseline: readings in the mean
    points_per_unit: float | None = Field(default=None, gt=0)  # points_only (earned) and redemption (spent)
    daily_cap: float | None = Field(default=None, ge=0)
    monthly_cap: float | None = Field(default=None, ge=0)
    cap_unit: Literal["g_co2e", "unit"] = "g_co2e"
    max_quantity_per_event: float | None = Field(default=None, gt=0)
    max_quantity_per_day: float | None = Field(default=None, gt=0)
    max_speed_kmh: float | None = Field(default=None, gt=0)
    fingerprint_class: str | None = None  # claims of one class by one account are compared for duplicates
    duplicate_window_minutes: int | None = Field(default=None, ge=0, le=1440)  # 0 = one claim a day
    eligibility_rule: Literal["any_account", "active_employee"] = "any_account"
    eligibility: str = Field(min_length=3)
    approval_status: Literal["internal_unverified", "exchange_recognised", "government_approved"]
    inventory_category: str | None = None
    inventory_overlap_rule: Literal["none", "when_reported", "when_metered_electricity",
                                    "when_commuting_trip_based"] = "none"
    # The share of the avoided figure whose activity the inventory measures when the rule applies
    # (null = all of it), e.g. only the landfill part of a meal's food waste is in category 5.
    inventory_overlap_share: float | None = Field(default=None, ge=0, le=1)
    valid_from: date
    valid_to: date | None = None
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _parameters_fit_the_method(self) -> "Methodology":
        m = self.method
        quantified = m in ("fixed_per_unit", "substitution", "own_baseline")
        if quantified and not self.baseline_factor_id:
            raise ValueError(f"method {m} needs baseline_factor_id (g CO2e per unit)")
        if not quantified and (self.baseline_factor_id or self.alternative_factor_id or self.quantity_factor_id):
            raise ValueError(f"method {m} earns or spends points only: it takes no factor ids")
        if m != "substitution" and self.alternative_factor_id:
            raise ValueError("alternative_factor_id is for the substitution method only")
        if m == "own_baseline":
            if not self.baseline_periods:
                raise ValueError("method own_baseline needs baseline_periods (readings in the trailing mean)")
            if self.cap_unit != "g_co2e":
                raise ValueError("own_baseline caps are in g_co2e (a reading is not a count of savings)")
        elif self.baseline_periods is not None:
            raise ValueError("baseline_periods is for the own_baseline method only")
        if m in ("points_only", "redemption") and not self.points_per_unit:
            raise ValueError(f"method {m} needs points_per_unit")
        if quantified and self.points_per_unit is not None:
            raise ValueError("quantified methods earn points by the points rule, not points_per_unit")
        if m == "points_only" and self.cap_unit != "unit" and (self.daily_cap or self.monthly_cap):
            raise ValueError("a points_only method has no grams: its caps are in units (cap_unit: unit)")
        if m == "redemption" and (self.daily_cap is not None or self.monthly_cap is not None):
            raise ValueError("a redemption is not capped")
        if self.max_speed_kmh is not None and self.unit != "km":
            raise ValueError("max_speed_kmh needs a distance unit (km)")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if self.inventory_overlap_rule != "none" and not self.inventory_category:
            raise ValueError("an inventory_overlap_rule needs the inventory_category it overlaps")
        return self

    @property
    def key(self) -> tuple[str, int]:
        return (self.methodology_id, self.version)


class PointsRule(_Strict):
    version: int = Field(ge=1)
    valid_from: date
    g_co2e_per_point: float = Field(gt=0)  # credited grams per point (points are rounded down per entry)
    description: str = ""


class Campaign(_Strict):
    campaign_id: str = Field(min_length=1)
    scenario: str = "*"  # '*' = every scenario
    behaviour_codes: tuple[str, ...] = ()  # empty = every behaviour of the scenario
    start_date: date
    end_date: date
    multiplier: float = Field(gt=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> "Campaign":
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


# A place: an ISO 3166-1 country code ("CN") or an ISO 3166-2 subdivision ("CN-GD", "CN-SH").
PLACE_PATTERN = r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"
Place = Annotated[str, Field(pattern=PLACE_PATTERN)]


class Scheme(_Strict):
    scheme_id: str = Field(min_length=1)
    exchange: str = Field(min_length=3)
    # Where the scheme recognises reductions (a country covers its subdivisions). Required: a carbon-inclusive
    # scheme is run by a local exchange for its own region.
    places: tuple[Place, ...] = Field(min_length=1)
    scenarios: tuple[str, ...] = ()  # empty = every scenario
    recognised_methodologies: tuple[str, ...] = ()  # methodology ids (every version)


class Filing(_Strict):
    filing_id: str = Field(min_length=1)
    scheme_id: str
    period_start: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")  # first month of the credits filed
    period_end: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    filed_on: date

    @model_validator(mode="after")
    def _ordered(self) -> "Filing":
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        if self.filed_on.strftime("%Y-%m") <= self.period_end:
            raise ValueError("filed_on must fall after the period it files (a filing covers closed months)")
        return self


class Reversal(_Strict):
    event_id: str = Field(min_length=1)
    reversed_on: date
    reason: str = Field(min_length=3)


def _default_points_rules() -> tuple[PointsRule, ...]:
    return (PointsRule(version=1, valid_from=date(2000, 1, 1), g_co2e_per_point=10.0,
                       description="1 point per 10 g CO2e credited"),)


class AccountsPolicy(_Strict):
    points_rules: tuple[PointsRule, ...] = Field(default_factory=_default_points_rules)
    campaigns: tuple[Campaign, ...] = ()
    points_expiry_months: int = Field(default=24, ge=0, le=120)  # 0 = points never expire
    min_group_size: int = Field(default=10, ge=1)  # aggregates of fewer accounts are suppressed
    commuting_inventory_basis: Literal["survey", "trips"] = "survey"  # how Scope 3 category 7 is built
    # Where a scenario's reductions happen when its accounts have no facility (an employee's is the province of
    # the employee's facility): e.g. {bank_card: CN}. A reduction with no place cannot be filed.
    scenario_places: dict[str, Place] = Field(default_factory=dict)
    factors: tuple[AccountFactor, ...] = ()
    methodologies: tuple[Methodology, ...] = ()
    schemes: tuple[Scheme, ...] = ()
    filings: tuple[Filing, ...] = ()
    reversals: tuple[Reversal, ...] = ()

    @field_validator("points_rules")
    @classmethod
    def _rules(cls, value: tuple[PointsRule, ...]) -> tuple[PointsRule, ...]:
        if not value:
            raise ValueError("at least one points rule is needed")
        versions = [r.version for r in value]
        if len(set(versions)) != len(versions):
            raise ValueError("points rule versions must be unique")
        ordered = sorted(value, key=lambda r: r.version)
        if any(b.valid_from <= a.valid_from for a, b in zip(ordered, ordered[1:])):
            raise ValueError("a later points rule version must start after the earlier one (history is never rewritten)")
        return value

    @model_validator(mode="after")
    def _consistent_with_the_registry(self) -> "AccountsPolicy":
        problems = registry_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


# --- the shipped registry ----------------------------------------------------------------------


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _blank_to_none(row: dict[str, str]) -> dict[str, str | None]:
    return {k: (v if v not in ("", None) else None) for k, v in row.items()}


@functools.cache
def shipped_factors() -> tuple[AccountFactor, ...]:
    return tuple(AccountFactor.model_validate(_blank_to_none(r)) for r in _read_csv(FACTOR_SEED))


@functools.cache
def shipped_methodologies() -> tuple[Methodology, ...]:
    return tuple(Methodology.model_validate(_blank_to_none(r)) for r in _read_csv(METHODOLOGY_SEED))


@functools.cache
def known_behaviour_codes() -> frozenset[str]:
    return frozenset(r["behaviour_code"] for r in _read_csv(BEHAVIOUR_CODES_SEED))


def registry_problems(accounts: AccountsPolicy) -> list[str]:
    """What is wrong with the configured methodologies, factors, schemes and filings, given the seeds."""
    problems: list[str] = []
    seed_factors = {f.factor_id for f in shipped_factors()}
    own_factors = [f.factor_id for f in accounts.factors]
    problems += [f"factors: {f!r} is already a shipped factor (give a new id)" for f in own_factors if f in seed_factors]
    if len(set(own_factors)) != len(own_factors):
        problems.append("factors: factor ids must be unique")
    factor_ids = seed_factors | set(own_factors)
    shipped = {m.key: m for m in shipped_methodologies()}
    keys = [m.key for m in accounts.methodologies]
    if len(set(keys)) != len(keys):
        problems.append("methodologies: a methodology_id and version appear twice")
    codes = known_behaviour_codes()
    for m in accounts.methodologies:
        where = f"methodologies.{m.methodology_id}.v{m.version}"
        if m.key in shipped:
            problems.append(f"{where}: version {m.version} is already in the registry and never changes; "
                            f"add version {max(v for (i, v) in shipped if i == m.methodology_id) + 1} with a later valid_from")
        earlier = [s for s in (*shipped.values(), *accounts.methodologies)
                   if s.methodology_id == m.methodology_id and s.version < m.version]
        if any(e.valid_from >= m.valid_from for e in earlier):
            problems.append(f"{where}: valid_from must be after every earlier version's valid_from")
        if any(e.behaviour_code != m.behaviour_code or e.scenario != m.scenario for e in earlier):
            problems.append(f"{where}: a new version keeps the behaviour_code and scenario of the methodology")
        for column in ("quantity_factor_id", "baseline_factor_id", "alternative_factor_id"):
            factor = getattr(m, column)
            if factor and factor not in factor_ids:
                problems.append(f"{where}.{column}: unknown factor {factor!r} (shipped or under accounts.factors)")
        if codes and m.behaviour_code not in codes:
            problems.append(f"{where}.behaviour_code: {m.behaviour_code!r} is not in behaviour_codes.csv, so its "
                            "events are quarantined before they reach the accounts")
    methodology_ids = {i for (i, _) in shipped} | {m.methodology_id for m in accounts.methodologies}
    schemes = {s.scheme_id for s in accounts.schemes}
    if len(schemes) != len(accounts.schemes):
        problems.append("schemes: scheme ids must be unique")
    for s in accounts.schemes:
        problems += [f"schemes.{s.scheme_id}: unknown methodology {m!r}" for m in s.recognised_methodologies
                     if m not in methodology_ids]
    filing_ids = [f.filing_id for f in accounts.filings]
    if len(set(filing_ids)) != len(filing_ids):
        problems.append("filings: filing ids must be unique")
    problems += [f"filings.{f.filing_id}: unknown scheme {f.scheme_id!r}" for f in accounts.filings
                 if f.scheme_id not in schemes]
    events = [r.event_id for r in accounts.reversals]
    if len(set(events)) != len(events):
        problems.append("reversals: an event is reversed twice")
    return problems


# --- silver tables -----------------------------------------------------------------------------

METHODOLOGY_SCHEMA = {
    "methodology_id": pl.String, "version": pl.Int32, "behaviour_code": pl.String, "scenario": pl.String,
    "description": pl.String, "method": pl.String, "unit": pl.String, "quantity_factor_id": pl.String,
    "baseline_factor_id": pl.String, "alternative_factor_id": pl.String, "baseline_periods": pl.Int32,
    "points_per_unit": pl.Float64, "daily_cap": pl.Float64, "monthly_cap": pl.Float64, "cap_unit": pl.String,
    "max_quantity_per_event": pl.Float64, "max_quantity_per_day": pl.Float64, "max_speed_kmh": pl.Float64,
    "fingerprint_class": pl.String, "duplicate_window_minutes": pl.Int32, "eligibility_rule": pl.String,
    "eligibility": pl.String, "approval_status": pl.String, "inventory_category": pl.String,
    "inventory_overlap_rule": pl.String, "inventory_overlap_share": pl.Float64, "valid_from": pl.Date, "valid_to": pl.Date, "source": pl.String,
}
FACTOR_SCHEMA = {"factor_id": pl.String, "value": pl.Float64, "unit": pl.String, "status": pl.String,
                 "year": pl.Int32, "source": pl.String, "notes": pl.String}
TABLE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "policy_account_settings": {"setting": pl.String, "value": pl.String},
    "policy_account_points_rules": {"version": pl.Int32, "valid_from": pl.Date, "g_co2e_per_point": pl.Float64,
                                    "description": pl.String},
    "policy_account_campaigns": {"campaign_id": pl.String, "scenario": pl.String, "behaviour_code": pl.String,
                                 "start_date": pl.Date, "end_date": pl.Date, "multiplier": pl.Float64},
    "policy_account_factors": FACTOR_SCHEMA,
    "policy_account_methodologies": METHODOLOGY_SCHEMA,
    "policy_account_schemes": {"scheme_id": pl.String, "exchange": pl.String, "scenario": pl.String,
                               "methodology_id": pl.String, "place": pl.String},
    "policy_account_filings": {"filing_id": pl.String, "scheme_id": pl.String, "period_start_month": pl.String,
                               "period_end_month": pl.String, "filed_on": pl.Date},
    "policy_account_reversals": {"event_id": pl.String, "reversed_on": pl.Date, "reason": pl.String},
}


def accounts_policy_tables(accounts: AccountsPolicy) -> dict[str, pl.DataFrame]:
    """The `silver.policy_account_*` tables (the caller adds policy_sha256 to each)."""
    settings = {
        "points_expiry_months": str(accounts.points_expiry_months),
        "min_group_size": str(accounts.min_group_size),
        "commuting_inventory_basis": accounts.commuting_inventory_basis,
        **{f"scenario_place.{scenario}": place for scenario, place in sorted(accounts.scenario_places.items())},
    }
    rows: dict[str, list[dict]] = {
        "policy_account_settings": [{"setting": k, "value": v} for k, v in settings.items()],
        "policy_account_points_rules": [r.model_dump() for r in accounts.points_rules],
        "policy_account_campaigns": [
            {"campaign_id": c.campaign_id, "scenario": c.scenario, "behaviour_code": code, "start_date": c.start_date,
             "end_date": c.end_date, "multiplier": c.multiplier}
            for c in accounts.campaigns for code in (c.behaviour_codes or ("*",))
        ],
        "policy_account_factors": [f.model_dump() for f in accounts.factors],
        "policy_account_methodologies": [m.model_dump() for m in accounts.methodologies],
        "policy_account_schemes": [
            {"scheme_id": s.scheme_id, "exchange": s.exchange, "scenario": scenario, "methodology_id": m, "place": place}
            for s in accounts.schemes for scenario in (s.scenarios or ("*",)) for m in s.recognised_methodologies
            for place in s.places
        ],
        "policy_account_filings": [
            {"filing_id": f.filing_id, "scheme_id": f.scheme_id, "period_start_month": f.period_start,
             "period_end_month": f.period_end, "filed_on": f.filed_on}
            for f in accounts.filings
        ],
        "policy_account_reversals": [r.model_dump() for r in accounts.reversals],
    }
    return {name: pl.DataFrame(rows[name], schema=TABLE_SCHEMAS[name]) for name in ACCOUNT_POLICY_TABLES}
