"""Where the synthetic group sits: provinces, cities, grids, climates, airports and data-centre sites.

Small public facts copied here so the generator needs nothing outside the project:
- provinces, ISO 3166-2:CN codes and the seven regional grids: the MEE/NBS grid-region list
  (also in dbt_project/seeds/reference/cn_province_grid_regions.csv);
- climate zones: GB 50176-2016 "民用建筑热工设计规范" (severe cold, cold, hot-summer/cold-winter,
  hot-summer/warm-winter, mild), simplified to one zone per province;
- district heating: the northern heating region (集中供暖, roughly north of the Qinling-Huaihe line);
- airports: IATA codes checked against the `airportsdata` package when travel is generated.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    zh: str
    en: str
    airport: str  # the IATA code travellers from this city fly from


@dataclass(frozen=True)
class Province:
    iso: str
    zh: str
    zh_full: str  # as official documents write it (省, 市, 自治区)
    pinyin: str  # as cn_province_aliases.csv accepts it
    grid: str  # regional grid id, for the docs and tests
    climate: str  # severe_cold | cold | hscw | hsww | mild
    weight: float  # share of a nationwide branch network (rough economic size)
    cities: tuple[City, ...]  # the capital first

    @property
    def district_heat(self) -> bool:
        """Northern sites buy heat from a district network in the heating season."""
        return self.climate in ("severe_cold", "cold")


def _p(iso, zh, zh_full, pinyin, grid, climate, weight, *cities):
    return Province(iso, zh, zh_full, pinyin, grid, climate, weight, tuple(City(*c) for c in cities))


PROVINCES: tuple[Province, ...] = (
    _p("CN-BJ", "北京", "北京市", "Beijing", "CN-GRID-NORTH", "cold", 6.0, ("北京", "Beijing", "PEK")),
    _p("CN-TJ", "天津", "天津市", "Tianjin", "CN-GRID-NORTH", "cold", 2.0, ("天津", "Tianjin", "TSN")),
    _p("CN-HE", "河北", "河北省", "Hebei", "CN-GRID-NORTH", "cold", 3.0, ("石家庄", "Shijiazhuang", "SJW"),
       ("廊坊", "Langfang", "PKX"), ("唐山", "Tangshan", "TSN")),
    _p("CN-SX", "山西", "山西省", "Shanxi", "CN-GRID-NORTH", "cold", 1.5, ("太原", "Taiyuan", "TYN")),
    _p("CN-SD", "山东", "山东省", "Shandong", "CN-GRID-NORTH", "cold", 4.5, ("济南", "Jinan", "TNA"),
       ("青岛", "Qingdao", "TAO"), ("烟台", "Yantai", "TAO")),
    _p("CN-NM", "内蒙古", "内蒙古自治区", "Inner Mongolia", "CN-GRID-NORTH", "severe_cold", 1.0,
       ("呼和浩特", "Hohhot", "HET"), ("包头", "Baotou", "HET")),
    _p("CN-LN", "辽宁", "辽宁省", "Liaoning", "CN-GRID-NORTHEAST", "cold", 2.5, ("沈阳", "Shenyang", "SHE"),
       ("大连", "Dalian", "DLC")),
    _p("CN-JL", "吉林", "吉林省", "Jilin", "CN-GRID-NORTHEAST", "severe_cold", 1.2, ("长春", "Changchun", "CGQ")),
    _p("CN-HL", "黑龙江", "黑龙江省", "Heilongjiang", "CN-GRID-NORTHEAST", "severe_cold", 1.2,
       ("哈尔滨", "Harbin", "HRB")),
    _p("CN-SH", "上海", "上海市", "Shanghai", "CN-GRID-EAST", "hscw", 8.0, ("上海", "Shanghai", "SHA")),
    _p("CN-JS", "江苏", "江苏省", "Jiangsu", "CN-GRID-EAST", "hscw", 7.0, ("南京", "Nanjing", "NKG"),
       ("苏州", "Suzhou", "SZV"), ("无锡", "Wuxi", "WUX")),
    _p("CN-ZJ", "浙江", "浙江省", "Zhejiang", "CN-GRID-EAST", "hscw", 6.0, ("杭州", "Hangzhou", "HGH"),
       ("宁波", "Ningbo", "NGB")),
    _p("CN-AH", "安徽", "安徽省", "Anhui", "CN-GRID-EAST", "hscw", 2.5, ("合肥", "Hefei", "HFE")),
    _p("CN-FJ", "福建", "福建省", "Fujian", "CN-GRID-EAST", "hsww", 3.0, ("福州", "Fuzhou", "FOC"),
       ("厦门", "Xiamen", "XMN")),
    _p("CN-HA", "河南", "河南省", "Henan", "CN-GRID-CENTRAL", "cold", 3.5, ("郑州", "Zhengzhou", "CGO")),
    _p("CN-HB", "湖北", "湖北省", "Hubei", "CN-GRID-CENTRAL", "hscw", 3.0, ("武汉", "Wuhan", "WUH")),
    _p("CN-HN", "湖南", "湖南省", "Hunan", "CN-GRID-CENTRAL", "hscw", 2.5, ("长沙", "Changsha", "CSX")),
    _p("CN-JX", "江西", "江西省", "Jiangxi", "CN-GRID-CENTRAL", "hscw", 1.8, ("南昌", "Nanchang", "KHN")),
    _p("CN-SN", "陕西", "陕西省", "Shaanxi", "CN-GRID-NORTHWEST", "cold", 2.2, ("西安", "Xi'an", "XIY")),
    _p("CN-GS", "甘肃", "甘肃省", "Gansu", "CN-GRID-NORTHWEST", "cold", 0.8, ("兰州", "Lanzhou", "LHW")),
    _p("CN-QH", "青海", "青海省", "Qinghai", "CN-GRID-NORTHWEST", "severe_cold", 0.3, ("西宁", "Xining", "XNN")),
    _p("CN-NX", "宁夏", "宁夏回族自治区", "Ningxia", "CN-GRID-NORTHWEST", "cold", 0.4, ("银川", "Yinchuan", "INC"),
       ("中卫", "Zhongwei", "ZHY")),
    _p("CN-XJ", "新疆", "新疆维吾尔自治区", "Xinjiang", "CN-GRID-NORTHWEST", "severe_cold", 1.0,
       ("乌鲁木齐", "Urumqi", "URC")),
    _p("CN-GD", "广东", "广东省", "Guangdong", "CN-GRID-SOUTH", "hsww", 9.0, ("广州", "Guangzhou", "CAN"),
       ("深圳", "Shenzhen", "SZX"), ("东莞", "Dongguan", "SZX")),
    _p("CN-GX", "广西", "广西壮族自治区", "Guangxi", "CN-GRID-SOUTH", "hsww", 1.8, ("南宁", "Nanning", "NNG")),
    _p("CN-YN", "云南", "云南省", "Yunnan", "CN-GRID-SOUTH", "mild", 1.8, ("昆明", "Kunming", "KMG")),
    _p("CN-GZ", "贵州", "贵州省", "Guizhou", "CN-GRID-SOUTH", "mild", 1.2, ("贵阳", "Guiyang", "KWE"),
       ("贵安", "Gui'an", "KWE")),
    _p("CN-HI", "海南", "海南省", "Hainan", "CN-GRID-SOUTH", "hsww", 0.6, ("海口", "Haikou", "HAK"),
       ("三亚", "Sanya", "SYX")),
    _p("CN-SC", "四川", "四川省", "Sichuan", "CN-GRID-SOUTHWEST", "hscw", 4.0, ("成都", "Chengdu", "CTU")),
    _p("CN-CQ", "重庆", "重庆市", "Chongqing", "CN-GRID-SOUTHWEST", "hscw", 2.5, ("重庆", "Chongqing", "CKG")),
    _p("CN-XZ", "西藏", "西藏自治区", "Xizang", "CN-GRID-SOUTHWEST", "severe_cold", 0.2, ("拉萨", "Lhasa", "LXA")),
)

PROVINCES_BY_ISO: dict[str, Province] = {p.iso: p for p in PROVINCES}

# The order in which an entity's branch network spreads over the country. Interleaved so that the
# first few branches of any company already sit in different grids (the demo's small networks must
# still cover all seven regional grids).
SPREAD_ORDER: tuple[str, ...] = (
    "CN-GD", "CN-ZJ", "CN-BJ", "CN-SC", "CN-HB", "CN-LN", "CN-SN", "CN-JS", "CN-SD", "CN-FJ", "CN-HA",
    "CN-CQ", "CN-HN", "CN-YN", "CN-GX", "CN-AH", "CN-JX", "CN-TJ", "CN-HE", "CN-SX", "CN-GZ", "CN-HL",
    "CN-JL", "CN-XJ", "CN-NM", "CN-GS", "CN-HI", "CN-NX", "CN-QH", "CN-XZ", "CN-SH",
)

# Chifeng is in Inner Mongolia but on the Northeast grid (蒙东), decided by city in the pipeline.
CHIFENG = City("赤峰", "Chifeng", "CIF")


@dataclass(frozen=True)
class Overseas:
    key: str
    country: str
    province: str  # as written in the facility file
    city: str
    airport: str
    climate: str


HONG_KONG = Overseas("HK", "HK", "香港", "香港", "HKG", "hsww")
LONDON = Overseas("LDN", "GB", "England", "London", "LHR", "mild")


@dataclass(frozen=True)
class DataCentreSite:
    """A data centre of the group. The first three exist at demo scale too."""

    number: int
    entity_id: str
    province_iso: str
    city: City
    opened: str  # ISO date; "+1" = 1 January of the year after the first generated year
    it_kw: float  # mean IT load at group scale
    pue: float  # typical annual PUE in the first generated year
    baseline_pue: float
    baseline_basis: str
    baseline_source: str
    price_cny_per_kwh: float


DATA_CENTRES: tuple[DataCentreSite, ...] = (
    DataCentreSite(1, "TECH", "CN-SH", City("上海", "Shanghai", "SHA"), "2012-06-01", 1800, 1.55, 1.80,
                   "measured_pre_retrofit", "2019 third-party energy audit before the chilled-water retrofit", 0.86),
    DataCentreSite(2, "TECH", "CN-GZ", City("贵安", "Gui'an", "KWE"), "2017-09-01", 2400, 1.40, 1.50,
                   "design_standard", "GB 50174-2017 class A design PUE in the feasibility study", 0.62),
    DataCentreSite(3, "TECH", "CN-NX", City("中卫", "Zhongwei", "ZHY"), "+1", 1500, 1.25, 1.50,
                   "design_standard", "MIIT green data centre guidance: new large DCs at or below 1.5", 0.60),
    DataCentreSite(4, "BANK", "CN-BJ", City("北京", "Beijing", "PEK"), "2009-03-01", 1300, 1.60, 2.00,
                   "measured_pre_retrofit", "2018 metered annual PUE before the free-cooling retrofit", 0.82),
    DataCentreSite(5, "TECH", "CN-GD", City("深圳", "Shenzhen", "SZX"), "2014-05-01", 1000, 1.50, 1.80,
                   "measured_pre_retrofit", "2019 metered annual PUE", 0.88),
    DataCentreSite(6, "TECH", "CN-SC", City("成都", "Chengdu", "CTU"), "2016-04-01", 900, 1.45, 1.60,
                   "other", "landlord's published annual PUE for the colocation hall", 0.70),
    DataCentreSite(7, "TECH", "CN-HE", City("廊坊", "Langfang", "PKX"), "2015-10-01", 1500, 1.45, 1.80,
                   "measured_pre_retrofit", "2019 metered annual PUE", 0.72),
    DataCentreSite(8, "TECH", "CN-NM", City("呼和浩特", "Hohhot", "HET"), "2018-07-01", 1000, 1.30, 1.50,
                   "design_standard", "Inner Mongolia new-build limit of 1.5 at design", 0.60),
)

# Business-travel destinations outside the mainland, with how often they are chosen.
INTERNATIONAL_AIRPORTS: tuple[tuple[str, float], ...] = (
    ("HKG", 30.0), ("SIN", 10.0), ("LHR", 8.0), ("NRT", 6.0), ("HND", 4.0), ("ICN", 5.0), ("JFK", 5.0),
    ("SFO", 3.0), ("FRA", 4.0), ("CDG", 3.0), ("SYD", 3.0), ("BKK", 3.0), ("DXB", 3.0), ("KUL", 3.0),
)

# Mainland hubs that draw extra business travel (head offices, exchanges, regulators).
HUB_AIRPORT_WEIGHTS: dict[str, float] = {"PEK": 8.0, "PKX": 3.0, "SHA": 6.0, "PVG": 4.0, "SZX": 6.0, "CAN": 3.0,
                                         "HGH": 2.0, "CTU": 2.0}

TIER1_CITIES = frozenset({"北京", "上海", "广州", "深圳"})
# Cities with a metro network in the survey years (used to make metro commuting plausible).
METRO_CITIES = frozenset({
    "北京", "上海", "广州", "深圳", "天津", "石家庄", "太原", "济南", "青岛", "呼和浩特", "沈阳", "大连", "长春",
    "哈尔滨", "南京", "苏州", "无锡", "杭州", "宁波", "合肥", "福州", "厦门", "郑州", "武汉", "长沙", "南昌", "西安",
    "兰州", "乌鲁木齐", "南宁", "昆明", "贵阳", "成都", "重庆", "东莞", "香港", "London",
})
