"""The behaviours of the two scenario accounts, and how often each happens.

The codes, descriptions, units and "quantified" flags are mirrored in the dbt seed
`dbt_project/seeds/accounts/behaviour_codes.csv` (a unit test keeps the two identical); the event
rates and quantity distributions are the generator's own. Units are aliases in
`unit_conversions.csv`. Published per-action figures cited in the seed's notes are from the
Ant Forest rules (secondary sources, 2019-2022), Huang Ying et al. 2017 (Guangzhou metro,
DOI 10.12006/j.issn.1673-1719.2016.176) and Ping An's 2023 sustainability report.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Behaviour:
    code: str
    scenario: str  # employee | bank_card
    description_en: str
    description_zh: str
    unit: str  # as events write it
    quantified: bool  # False: earns points only, no avoided emissions
    notes: str
    per_account_month: float  # expected events per enrolled account and month
    median: float  # quantity: median of a lognormal (1 for a count of one)
    spread: float  # lognormal sigma; 0 = always the median
    decimals: int
    days: str  # workday | any | weekend
    hours: str  # a key of HOUR_PROFILES
    channel: str


# Relative chance of each hour of the day (0-23).
HOUR_PROFILES: dict[str, tuple[float, ...]] = {
    "commute": (0, 0, 0, 0, 0, 0.2, 1, 4, 6, 3, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 3, 5, 4, 1.5, 0.5, 0.2, 0),
    "office": (0, 0, 0, 0, 0, 0, 0, 0.2, 1, 3, 3, 2.5, 1, 2, 3, 3, 2.5, 2, 1, 0.3, 0.1, 0, 0, 0),
    "lunch": (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 6, 2, 0, 0, 0, 1, 2, 0.5, 0, 0, 0, 0),
    "evening": (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 1, 2, 3, 3, 2, 1),
    "daytime": (0.1, 0, 0, 0, 0, 0, 0.2, 0.5, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1.5, 1, 0.5),
    "night": (0, 2, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
}

_ANT = "Ant Forest rules 2019-2022 (secondary sources)"

BEHAVIOURS: tuple[Behaviour, ...] = (
    # --- employee scenario ---------------------------------------------------------------------
    Behaviour("EMP_OFFICE_POWER_SAVING", "employee",
              "Office electricity saving: desk devices and lights off after hours (metered)",
              "办公节电：下班关闭设备与照明（计量）", "kWh", True,
              "metered at the desk socket; the saving of a metered group office is already lower Scope 2",
              1.0, 0.6, 0.5, 2, "workday", "evening", "smart_meter"),
    Behaviour("EMP_WATER_SAVING", "employee", "Water saving at office taps and pantry", "办公节水", "L", True,
              "litres below the floor's daily baseline", 1.0, 5.0, 0.5, 1, "workday", "office", "staff_app"),
    Behaviour("EMP_PAPER_SAVING", "employee", "Paper saved by printing below the print quota", "减少打印节约用纸", "sheet",
              True, "Ping An 2023 report implies about 16 g CO2 per A4 sheet avoided", 1.0, 12.0, 0.6, 0,
              "workday", "office", "print_management"),
    Behaviour("EMP_DOUBLE_SIDED_PRINT", "employee", "Double-sided printing (sheets saved)", "双面打印（节约纸张）", "sheet",
              True, "sheets saved = pages printed on the back", 1.5, 8.0, 0.6, 0, "workday", "office",
              "print_management"),
    Behaviour("EMP_PAPERLESS_APPROVAL", "employee", "Paperless approval instead of a printed form", "无纸化审批", "each",
              True, "one approval flow completed online", 2.0, 1.0, 0.0, 0, "workday", "office", "oa_system"),
    Behaviour("EMP_CANTEEN_NO_LEFTOVER", "employee", "Cloud-canteen meal finished with no leftovers", "云食堂光盘打卡",
              "each", True, "photo check-in of an empty tray (光盘行动)", 2.0, 1.0, 0.0, 0, "workday", "lunch",
              "canteen_app"),
    Behaviour("EMP_PLANT_BASED_MEAL", "employee", "Plant-based meal chosen in the canteen", "食堂选择素食餐", "each", True,
              "one meal", 0.6, 1.0, 0.0, 0, "workday", "lunch", "canteen_app"),
    Behaviour("EMP_CYCLING_COMMUTE", "employee", "Cycling commute (shared or own bicycle)", "骑行通勤", "km", True,
              "distance from the bike-share ride record", 0.6, 4.5, 0.5, 1, "workday", "commute", "bike_share_api"),
    Behaviour("EMP_WALKING_STEPS", "employee", "Walking: daily steps synced from a phone", "步行（每日步数）", "step", True,
              f"one event per day; {_ANT}: 296 g per day at most", 0.0, 7000.0, 0.45, 0, "any", "evening",
              "staff_app"),
    Behaviour("EMP_METRO_COMMUTE", "employee", "Metro commute trip", "地铁通勤", "each", True,
              "Huang et al. 2017: 0.5155 kg CO2 per Guangzhou metro trip (mean-mode method)", 1.5, 1.0, 0.0, 0,
              "workday", "commute", "transit_card_api"),
    Behaviour("EMP_BUS_COMMUTE", "employee", "Bus commute trip", "公交通勤", "each", True, f"{_ANT}: 80 g per bus ride",
              0.6, 1.0, 0.0, 0, "workday", "commute", "transit_card_api"),
    Behaviour("EMP_VIDEO_CONF_NOT_FLIGHT", "employee", "Video conference instead of a flight (flight distance avoided)",
              "视频会议替代出差航班", "km", True, "great-circle distance of the flight not taken", 0.15, 1100.0, 0.5, 0,
              "workday", "office", "travel_system"),
    Behaviour("EMP_RAIL_NOT_FLIGHT", "employee", "High-speed rail instead of a flight (rail distance)", "高铁替代航班出行",
              "km", True, "the rail trip is in business travel (Scope 3 category 6) already", 0.06, 800.0, 0.4, 0,
              "workday", "daytime", "travel_system"),
    Behaviour("EMP_MANGROVE_VOLUNTEER", "employee", "Green volunteering: mangrove protection", "绿色志愿：红树林保护", "h",
              True, "volunteer hours at a mangrove reserve (e.g. Shenzhen Futian)", 0.01, 4.0, 0.3, 1, "weekend",
              "daytime", "volunteer_platform"),
    Behaviour("EMP_TREE_PLANTING", "employee", "Green volunteering: tree planting", "绿色志愿：植树", "each", True,
              "trees planted; most in March around Tree Planting Day (植树节)", 0.02, 3.0, 0.5, 0, "weekend",
              "daytime", "volunteer_platform"),
    Behaviour("EMP_TIME_BANK_VOLUNTEER", "employee", "Time-bank volunteering (points only)", "时间银行志愿服务（仅积分）", "h",
              False, "hours of community service; earns points, no avoided emissions", 0.03, 2.0, 0.4, 1, "weekend",
              "daytime", "volunteer_platform"),
    # --- bank card-holder scenario: 21 behaviours, 9 quantified -------------------------------
    Behaviour("CARD_E_STATEMENT", "bank_card", "E-statement instead of a paper statement", "电子账单替代纸质账单", "次", True,
              "one monthly statement not printed or posted", 0.06, 1.0, 0.0, 0, "any", "night", "credit_card_app"),
    Behaviour("CARD_ONLINE_BILL_PAY", "bank_card", "Utility bill paid online (water, electricity, gas)", "线上缴纳水电燃气费",
              "次", True, f"{_ANT}: 262 g per payment, at most 10 a month", 0.05, 1.0, 0.0, 0, "any", "daytime",
              "mobile_banking"),
    Behaviour("CARD_MOBILE_PAY_NO_CASH", "bank_card", "Mobile payment instead of a cash withdrawal", "移动支付替代取现", "次",
              True, f"{_ANT}: 5 g per in-store payment, at most 10 a day", 0.075, 1.0, 0.0, 0, "any", "daytime",
              "mobile_banking"),
    Behaviour("CARD_DIGITAL_RECEIPT", "bank_card", "Digital receipt instead of a paper slip", "电子签购单替代纸质小票", "次",
              True, "one card-terminal slip not printed", 0.06, 1.0, 0.0, 0, "any", "daytime", "pos"),
    Behaviour("CARD_ONLINE_CARD_APPLICATION", "bank_card", "Credit card applied for online (no paper form)",
              "线上申请信用卡", "次", True, "one paper application form and courier trip avoided", 0.001, 1.0, 0.0, 0,
              "any", "daytime", "credit_card_app"),
    Behaviour("CARD_METRO_RIDE", "bank_card", "Metro ride paid by card or QR code", "刷卡或扫码乘坐地铁", "次", True,
              f"{_ANT}: 52 g per ride, at most 5 a day; Huang et al. 2017: 0.5155 kg per trip", 0.05, 1.0, 0.0, 0,
              "any", "commute", "metro_qr"),
    Behaviour("CARD_BUS_RIDE", "bank_card", "Bus ride paid by card", "刷卡乘坐公交", "次", True, f"{_ANT}: 80 g per ride",
              0.025, 1.0, 0.0, 0, "any", "commute", "bus_card"),
    Behaviour("CARD_E_INVOICE", "bank_card", "E-invoice instead of a paper invoice", "电子发票替代纸质发票", "次", True,
              f"{_ANT}: 5 g per invoice, at most 5 a day", 0.02, 1.0, 0.0, 0, "any", "daytime", "e_invoice_platform"),
    Behaviour("CARD_ONLINE_TRAIN_TICKET", "bank_card", "Train ticket bought online", "线上购买火车票", "次", True,
              f"{_ANT}: 136 g per purchase, at most 10 a month", 0.01, 1.0, 0.0, 0, "any", "daytime",
              "mobile_banking"),
    Behaviour("CARD_ACTIVATION", "bank_card", "Card activated in the app", "线上激活卡片", "次", False, "points only",
              0.0015, 1.0, 0.0, 0, "any", "daytime", "credit_card_app"),
    Behaviour("CARD_LOGIN_STREAK", "bank_card", "Seven-day login streak", "连续七天登录", "次", False, "points only",
              0.025, 1.0, 0.0, 0, "any", "daytime", "mobile_banking"),
    Behaviour("CARD_DAILY_CHECKIN", "bank_card", "Daily check-in in the carbon account", "低碳账户每日签到", "次", False,
              "points only", 0.10, 1.0, 0.0, 0, "any", "daytime", "mobile_banking"),
    Behaviour("CARD_SHARE_ARTICLE", "bank_card", "Shared a low-carbon article", "分享低碳文章", "次", False, "points only",
              0.01, 1.0, 0.0, 0, "any", "evening", "wechat_mini_program"),
    Behaviour("CARD_QUIZ", "bank_card", "Completed a low-carbon quiz", "完成低碳知识问答", "次", False, "points only",
              0.01, 1.0, 0.0, 0, "any", "evening", "mobile_banking"),
    Behaviour("CARD_WATCH_VIDEO", "bank_card", "Watched a low-carbon video", "观看低碳视频", "次", False, "points only",
              0.01, 1.0, 0.0, 0, "any", "evening", "mobile_banking"),
    Behaviour("CARD_INVITE_FRIEND", "bank_card", "Invited a friend to open a carbon account", "邀请好友开通碳账户", "次",
              False, "points only", 0.0025, 1.0, 0.0, 0, "any", "evening", "wechat_mini_program"),
    Behaviour("CARD_GREEN_PLEDGE", "bank_card", "Signed the green-living pledge", "签署绿色生活承诺", "次", False,
              "points only", 0.0015, 1.0, 0.0, 0, "any", "daytime", "mobile_banking"),
    Behaviour("CARD_PROFILE_COMPLETE", "bank_card", "Completed the carbon-account profile", "完善碳账户资料", "次", False,
              "points only", 0.0015, 1.0, 0.0, 0, "any", "daytime", "mobile_banking"),
    Behaviour("CARD_CARBON_REPORT_VIEW", "bank_card", "Viewed the monthly carbon report", "查看月度碳报告", "次", False,
              "points only", 0.03, 1.0, 0.0, 0, "any", "evening", "mobile_banking"),
    Behaviour("CARD_POINTS_DONATION", "bank_card", "Donated points to a tree-planting charity", "积分捐赠植树公益", "次",
              False, "points only", 0.0025, 1.0, 0.0, 0, "any", "evening", "mobile_banking"),
    Behaviour("CARD_GREEN_PRODUCT_VIEW", "bank_card", "Browsed green financial products", "浏览绿色金融产品", "次", False,
              "points only", 0.015, 1.0, 0.0, 0, "any", "daytime", "mobile_banking"),
)

BEHAVIOURS_BY_CODE = {b.code: b for b in BEHAVIOURS}
SCENARIOS = ("employee", "bank_card")
SEED_COLUMNS = ("behaviour_code", "scenario", "description_en", "description_zh", "default_unit", "is_quantified",
                "notes")


def seed_rows() -> list[dict[str, str]]:
    """The rows of dbt_project/seeds/accounts/behaviour_codes.csv, as the catalogue defines them."""
    return [
        {"behaviour_code": b.code, "scenario": b.scenario, "description_en": b.description_en,
         "description_zh": b.description_zh, "default_unit": b.unit,
         "is_quantified": "true" if b.quantified else "false", "notes": b.notes}
        for b in BEHAVIOURS
    ]
