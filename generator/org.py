"""The organisation: legal entities (org/entities) and their sites (org/facilities).

The group: a root, a bank, life and property insurers, a securities house with an asset manager
under it, a technology company running the data centres, a consumer-finance joint venture (50%, no
operational control), an associate broker (25%) and a pension insurer acquired in the second year
(the structural change that base-year recalculation tests). Sites are built with a Python loop over
facilities (at most a few thousand); every later table is vectorised.

Columns starting with `_` are facts the other generators use (climate, airport, planned staff...);
they are dropped before a file is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from generator import geography as geo
from generator.ids import rng_for
from generator.months import change_year
from generator.scales import Scale


@dataclass(frozen=True)
class EntitySpec:
    entity_id: str
    name: str
    name_zh: str
    parent: str
    business_line: str
    relationship: str
    equity_pct: float
    operational_control: bool
    financial_control: bool
    founded: str  # valid_from; "acquired" = 1 July of the change year
    staff_share: float  # of the group's employees
    hq_province: str
    hq_city: int  # index into the province's cities
    province_style: str  # how its files spell provinces: zh, zh_full, pinyin, iso
    network_type: str  # facility_type of its local sites: branch or office
    staff_prefix: str  # two letters before an employee's seven-digit staff number


ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec("GRP", "Carbon Ledger Financial Group", "碳账金融集团", "", "group", "root", 100.0, True, True,
               "1988-03-21", 0.015, "CN-SH", 0, "zh", "office", "GP"),
    EntitySpec("BANK", "Carbon Ledger Bank", "碳账银行", "GRP", "banking", "subsidiary", 58.0, True, True,
               "1995-06-01", 0.400, "CN-GD", 1, "zh_full", "branch", "BK"),
    EntitySpec("LIFE", "Carbon Ledger Life Insurance", "碳账人寿保险", "GRP", "life_insurance", "subsidiary", 99.51,
               True, True, "2002-12-17", 0.200, "CN-BJ", 0, "pinyin", "branch", "LF"),
    EntitySpec("PROP", "Carbon Ledger Property & Casualty", "碳账财产保险", "GRP", "property_insurance", "subsidiary",
               99.55, True, True, "2002-12-24", 0.120, "CN-SH", 0, "zh", "branch", "PC"),
    EntitySpec("SEC", "Carbon Ledger Securities", "碳账证券", "GRP", "securities", "subsidiary", 96.86, True, True,
               "1996-07-18", 0.060, "CN-GD", 1, "iso", "branch", "SC"),
    EntitySpec("AM", "Carbon Ledger Asset Management", "碳账资产管理", "SEC", "asset_management", "subsidiary", 75.0,
               True, True, "2005-11-01", 0.020, "CN-SH", 0, "pinyin", "office", "AM"),
    EntitySpec("TECH", "Carbon Ledger Technology", "碳账金融科技", "GRP", "technology", "subsidiary", 100.0, True,
               True, "2008-08-08", 0.050, "CN-ZJ", 0, "zh", "office", "TC"),
    EntitySpec("JV", "Carbon Ledger Consumer Finance (JV)", "碳账消费金融", "BANK", "consumer_finance",
               "joint_venture", 50.0, False, False, "2015-03-01", 0.030, "CN-SC", 0, "iso", "office", "JV"),
    EntitySpec("ASSOC", "Huaxin Insurance Brokers", "华信保险经纪", "GRP", "insurance_brokerage", "associate", 25.0,
               False, False, "2010-05-20", 0.035, "CN-HB", 0, "pinyin", "office", "AS"),
    EntitySpec("PENSION", "Ankang Pension Insurance", "安康养老保险", "GRP", "pension_insurance", "subsidiary", 70.0,
               True, True, "acquired", 0.070, "CN-TJ", 0, "zh_full", "office", "PN"),
)

ENTITIES_BY_ID = {e.entity_id: e for e in ENTITIES}

# Staff per m2 differ by site type: branches have customer halls, offices are dense.
M2_PER_EMPLOYEE = {"office": (8.0, 1.0, 6.5, 10.5), "branch": (13.0, 2.5, 9.0, 20.0)}
# Annual electricity intensity, kWh per m2 (offices 100-150 in public benchmarks of Chinese offices).
EUI_KWH_PER_M2 = {"office": (100.0, 150.0), "branch": (110.0, 160.0), "canteen": (220.0, 280.0),
                  "other": (80.0, 110.0)}

HEAD_OFFICE_NAMES = {
    "GRP": "碳账金融集团总部大厦", "BANK": "碳账银行总行大厦", "LIFE": "Carbon Ledger Life Head Office",
    "PROP": "碳账财险总公司", "SEC": "CL Securities Head Office", "AM": "CL Asset Management Head Office",
    "TECH": "碳账科技总部园区", "JV": "CL Consumer Finance Head Office", "ASSOC": "Huaxin Brokers Head Office",
    "PENSION": "安康养老保险总部",
}

ROADS_ZH = ("人民路", "中山路", "解放路", "建设路", "和平路", "滨江", "高新区", "城东", "城西", "开发区", "新华路",
            "长江路", "黄河路", "迎宾路", "世纪大道", "金融街")
ROADS_EN = ("Renmin", "Zhongshan", "Jiefang", "Jianshe", "Heping", "Binjiang", "Gaoxin", "Chengdong", "Chengxi",
            "Kaifaqu", "Xinhua", "Changjiang", "Huanghe", "Yingbin", "Shiji", "Jinrong")


def acquisition_date(years: tuple[int, int]) -> date:
    return date(change_year(years), 7, 1)


def entity_headcounts(scale: Scale) -> dict[str, int]:
    """Employees per entity at the start (the acquired entity: at acquisition)."""
    return {e.entity_id: max(10, round(scale.employees * e.staff_share)) for e in ENTITIES}


def entity_valid_from(spec: EntitySpec, years: tuple[int, int]) -> date:
    return acquisition_date(years) if spec.founded == "acquired" else date.fromisoformat(spec.founded)


def build_entities(years: tuple[int, int]) -> pl.DataFrame:
    rows = [
        {
            "entity_id": e.entity_id,
            "entity_name": f"{e.name} {e.name_zh}",
            "parent_entity_id": e.parent,
            "business_line": e.business_line,
            "country": "CN",
            "relationship_type": e.relationship,
            "equity_share_pct": e.equity_pct,
            "operational_control": "true" if e.operational_control else "false",
            "financial_control": "true" if e.financial_control else "false",
            "valid_from": entity_valid_from(e, years).isoformat(),
            "valid_to": "",
        }
        for e in ENTITIES
    ]
    return pl.DataFrame(rows)


# --- facilities ----------------------------------------------------------------------------------


def _written_province(province: geo.Province, style: str) -> str:
    return {"zh": province.zh, "zh_full": province.zh_full, "pinyin": province.pinyin, "iso": province.iso}[style]


def _written_city(city: geo.City, style: str) -> str:
    return city.zh if style in ("zh", "zh_full") else city.en


def _site_name(entity: EntitySpec, city: geo.City, kind: str, road: int) -> str:
    """Names as each company's own register writes them (Chinese for the Chinese-style files)."""
    zh, en = ROADS_ZH[road], ROADS_EN[road]
    names = {
        "BANK": (f"碳账银行{city.zh}分行", f"碳账银行{city.zh}{zh}支行"),
        "LIFE": (f"Carbon Ledger Life {city.en} Branch", f"Carbon Ledger Life {city.en} {en} Sales Office"),
        "PROP": (f"碳账财险{city.zh}分公司", f"碳账财险{city.zh}{zh}营业部"),
        "SEC": (f"CL Securities {city.en} Branch", f"CL Securities {city.en} {en} Rd Sales Dept"),
        "AM": (f"CL Asset Management {city.en} Office", f"CL Asset Management {city.en} {en} Office"),
        "TECH": (f"碳账科技{city.zh}研发中心", f"碳账科技{city.zh}{zh}办公室"),
        "JV": (f"CL Consumer Finance {city.en} Centre", f"CL Consumer Finance {city.en} {en} Service Point"),
        "ASSOC": (f"Huaxin Brokers {city.en} Office", f"Huaxin Brokers {city.en} {en} Office"),
        "PENSION": (f"安康养老{city.zh}分公司", f"安康养老{city.zh}{zh}营业部"),
        "GRP": (f"碳账金融集团{city.zh}办公室", f"碳账金融集团{city.zh}{zh}办公室"),
    }
    regional, local = names[entity.entity_id]
    return regional if kind == "regional" else local


def _random_date(rng: np.random.Generator, start: date, end: date) -> date:
    return start + timedelta(days=int(rng.integers(0, max(1, (end - start).days))))


def build_facilities(scale: Scale, years: tuple[int, int], seed: int) -> pl.DataFrame:
    """Every site with its public columns and the `_` facts the other generators need."""
    rng = rng_for(seed, "facilities")
    headcounts = entity_headcounts(scale)
    first_day = date(years[0], 1, 1)
    rows: list[dict] = []

    def add(entity: EntitySpec, number: str, name: str, facility_type: str, tenure: str, province, city,
            staff_weight: float, opened: date, kind: str, **extra) -> None:
        style = entity.province_style
        if isinstance(province, geo.Overseas):
            country, province_text, city_text = province.country, province.province, province.city
            climate, iso, airport, city_zh, heat = province.climate, "", province.airport, province.city, False
        else:
            country, province_text, city_text = "CN", _written_province(province, style), _written_city(city, style)
            climate, iso, airport, city_zh, heat = (province.climate, province.iso, city.airport, city.zh,
                                                    province.district_heat)
        rows.append({
            "facility_id": f"{entity.entity_id}-{number}", "entity_id": entity.entity_id, "facility_name": name,
            "facility_type": facility_type, "tenure": tenure, "country": country, "province": province_text,
            "city": city_text, "_opened": opened, "_province_iso": iso, "_climate": climate, "_airport": airport,
            "_city_zh": city_zh, "_district_heat": heat, "_staff_weight": staff_weight, "_kind": kind,
            "_dc_number": extra.get("dc_number", 0), "_it_kw": extra.get("it_kw", 0.0),
            "_fixed_area": extra.get("area", 0.0), "_fixed_share": extra.get("share", 0.0),
        })

    for entity in ENTITIES:
        joined = entity_valid_from(entity, years)
        earliest = max(joined, date(1998, 1, 1))
        # Sites of the acquired company join the group register on the acquisition date.
        def opened_date() -> date:
            return joined if entity.founded == "acquired" else _random_date(rng, earliest, first_day)

        hq = geo.PROVINCES_BY_ISO[entity.hq_province]
        hq_name = HEAD_OFFICE_NAMES[entity.entity_id]
        add(entity, "F0001", hq_name, "office", "owned", hq, hq.cities[entity.hq_city], 1.0,
            joined if entity.founded == "acquired" else earliest, "head_office",
            share=0.6 if entity.entity_id == "GRP" else 0.12)
        number = 2
        if entity.entity_id == "GRP":
            add(entity, "F0002", "Group Hong Kong Office 集团香港办事处", "office", "leased", geo.HONG_KONG, None,
                1.0, date(2012, 4, 1), "overseas", share=0.08)
            add(entity, "F0003", "Group London Representative Office", "office", "leased", geo.LONDON, None,
                1.0, date(2016, 9, 1), "overseas", share=0.04)
            # The canteen's cooks are a caterer's staff, not the group's: no employees there.
            add(entity, "F0004", "集团总部员工餐厅", "canteen", "owned", hq, hq.cities[0], 0.0, date(2006, 1, 1),
                "canteen", area=max(400.0, round(scale.employees * 0.01)))
            shenzhen = geo.PROVINCES_BY_ISO["CN-GD"]
            add(entity, "F0005", "碳账金融集团深圳培训中心", "other", "owned", shenzhen, shenzhen.cities[1], 1.0,
                date(2011, 5, 1), "training", area=max(1500.0, round(scale.employees * 0.03)), share=0.03)
            number = 6
        if entity.entity_id == "BANK":
            inner_mongolia = geo.PROVINCES_BY_ISO["CN-NM"]
            add(entity, "F0002", "碳账银行赤峰分行", "branch", "leased", inner_mongolia, geo.CHIFENG, 1.5,
                opened_date(), "local")
            number = 3
        offset = geo.SPREAD_ORDER.index(entity.hq_province) + 1
        seen: set[str] = {entity.hq_province}
        weights = np.array([p.weight for p in geo.PROVINCES])
        for k in range(scale.sites_per_entity[entity.entity_id]):
            if k < len(geo.SPREAD_ORDER) - 1:
                province = geo.PROVINCES_BY_ISO[geo.SPREAD_ORDER[(offset + k) % len(geo.SPREAD_ORDER)]]
            else:
                province = geo.PROVINCES[int(rng.choice(len(geo.PROVINCES), p=weights / weights.sum()))]
            regional = province.iso not in seen
            seen.add(province.iso)
            city = province.cities[0] if regional else province.cities[int(rng.integers(len(province.cities)))]
            kind = "regional" if regional else "local"
            # An insurer's provincial company is an office; its local sales points are branches.
            facility_type = "office" if regional and entity.entity_id in ("LIFE", "PROP") else entity.network_type
            tenure = "owned" if (regional and rng.random() < 0.6) else ("owned" if rng.random() < 0.15 else "leased")
            staff_weight = (3.0 if regional else 1.0) * float(rng.lognormal(0.0, 0.35))
            add(entity, f"F{number:04d}", _site_name(entity, city, kind, int(rng.integers(len(ROADS_ZH)))),
                facility_type, tenure, province, city, staff_weight, opened_date(), kind)
            number += 1

    for site in geo.DATA_CENTRES[: scale.data_centres]:
        entity = ENTITIES_BY_ID[site.entity_id]
        province = geo.PROVINCES_BY_ISO[site.province_iso]
        opened = date(change_year(years), 1, 1) if site.opened == "+1" else date.fromisoformat(site.opened)
        prefix = "碳账银行" if site.entity_id == "BANK" else "碳账科技"
        it_kw = site.it_kw * scale.dc_load_factor
        add(entity, f"DC{site.number:02d}", f"{prefix}{site.city.zh}数据中心", "data_center", "owned", province,
            site.city, 0.0, opened, "data_center", dc_number=site.number, it_kw=it_kw, area=round(it_kw * 2.5, 0))

    frame = pl.DataFrame(rows)
    return _with_areas(frame, headcounts, rng)


def _with_areas(frame: pl.DataFrame, headcounts: dict[str, int], rng: np.random.Generator) -> pl.DataFrame:
    """Planned staff from the weights, floor area from staff (or fixed), and an electricity intensity."""
    n = frame.height
    # Head offices and pinned sites hold a fixed share of their company's staff; the branch network
    # shares the rest in proportion to its weights.
    fixed = pl.col("_fixed_share") > 0
    network = (pl.col("_staff_weight") > 0) & ~fixed
    totals = frame.group_by("entity_id").agg(
        pl.col("_fixed_share").sum().alias("_fixed_total"),
        pl.col("_staff_weight").filter(network).sum().alias("_network_total"),
    )
    frame = frame.join(totals, on="entity_id", how="left", maintain_order="left")
    share = (
        pl.when(pl.col("_network_total") == 0).then(pl.col("_fixed_share") / pl.col("_fixed_total"))
        .when(fixed).then(pl.col("_fixed_share"))
        .when(network).then(pl.col("_staff_weight") / pl.col("_network_total") * (1 - pl.col("_fixed_total")))
        .otherwise(0.0)
    )
    frame = frame.with_columns(share.alias("_staff_weight")).drop("_fixed_share", "_fixed_total", "_network_total")
    planned = (frame["_staff_weight"] * frame["entity_id"].replace_strict(headcounts)).to_numpy()
    def m2_per_employee(kind: str) -> np.ndarray:
        mean, sd, low, high = M2_PER_EMPLOYEE[kind]
        return np.clip(rng.normal(mean, sd, n), low, high)

    office, branch = m2_per_employee("office"), m2_per_employee("branch")
    types = frame["facility_type"].to_numpy()
    m2_per_staff = np.where(types == "branch", branch, office)
    # Small branches still have a customer hall: at least 120 m2.
    area = np.where(frame["_fixed_area"].to_numpy() > 0, frame["_fixed_area"].to_numpy(),
                    np.maximum(planned * m2_per_staff, np.where(types == "branch", 120.0, 60.0)))
    eui = np.zeros(n)
    for facility_type, (low, high) in EUI_KWH_PER_M2.items():
        eui = np.where(types == facility_type, rng.uniform(low, high, n), eui)
    return frame.drop("_fixed_area").with_columns(
        pl.Series("_planned_staff", planned),
        pl.Series("floor_area_m2", np.round(area, 0)),
        pl.Series("_eui", np.round(eui, 1)),
        pl.col("_opened").cast(pl.String).alias("valid_from"),
        pl.lit("").alias("valid_to"),
    )


FACILITY_COLUMNS = ("facility_id", "entity_id", "facility_name", "facility_type", "tenure", "country", "province",
                    "city", "floor_area_m2", "valid_from", "valid_to")


def facility_files(facilities: pl.DataFrame) -> pl.DataFrame:
    """One register per company: the bank's in GB18030 (Chinese names), the P&C insurer's as XLSX."""
    extension = pl.when(pl.col("entity_id") == "PROP").then(pl.lit(".xlsx")).otherwise(pl.lit(".csv"))
    return facilities.select(
        *FACILITY_COLUMNS,
        (pl.col("entity_id") + extension).alias("_file"),
        pl.when(pl.col("entity_id") == "BANK").then(pl.lit("gb18030")).otherwise(pl.lit("utf-8")).alias("_encoding"),
    )
