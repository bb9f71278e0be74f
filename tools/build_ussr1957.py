"""Build the bundled ``ussr1957`` scenario's tables from the figures documented in its
SOURCES.md (run from the repository root: ``python3 tools/build_ussr1957.py``), and
``ussr1957_plenum``: the same tables, except that the pledge's extra meat, milk and butter
move from targets.csv to the priority ``pledge`` of priorities.csv, beside ``heavy_defence``
and ``virgin_lands``, with the factions and members of June 1957 (decision/data/ussr1957).

Every number below is either cited in SOURCES.md or marked there as an estimate. The script
calibrates a consistent base year (1957): national gross outputs of the tradable products are
set to published or estimated 1956/57 levels, those of the non-tradable products (fodder,
milk, electricity, construction, transport) follow from each council's own needs (a small
Leontief solve per council), capital stocks are what the base-year outputs need plus a
margin, and labour and land supplies are what they use plus a margin.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1] / "src" / "sovnarkhoz"
OUT = ROOT / "scenarios" / "ussr1957"
PLENUM = ROOT / "scenarios" / "ussr1957_plenum"  # the same economy, the pledge a priority
BODIES = ROOT / "decision" / "data" / "ussr1957"  # factions and members of June 1957
FIRST, LAST = 1957, 1970
YEARS = np.arange(FIRST, LAST + 1)

# --- the councils (regions.csv) --------------------------------------------------------------
# (id, English name, republic, area, population 1959 in millions (estimate), land zone)
# land zone: weight of arable land per head (0 city, 0.3 north, 1 non-black-earth,
# 2.5 black earth / steppe, 4 Virgin Lands)
RSFSR = [
    ("moscow_city", "Moscow city", "centre", 5.05, 0.0),
    ("moscow", "Moscow oblast", "centre", 5.9, 0.5),
    ("bryansk", "Bryansk", "centre", 1.55, 1.2),
    ("vladimir", "Vladimir", "centre", 1.40, 1.0),
    ("ivanovo", "Ivanovo", "centre", 1.32, 0.8),
    ("kalinin", "Kalinin", "centre", 1.81, 1.2),
    ("kaluga", "Kaluga", "centre", 0.94, 1.2),
    ("kostroma", "Kostroma", "centre", 0.92, 1.0),
    ("oryol", "Oryol", "centre", 0.93, 2.0),
    ("ryazan", "Ryazan", "centre", 1.45, 1.8),
    ("smolensk", "Smolensk", "centre", 1.14, 1.3),
    ("tula", "Tula", "centre", 1.91, 1.2),
    ("yaroslavl", "Yaroslavl", "centre", 1.40, 0.8),
    ("leningrad", "Leningrad", "northwest", 4.57, 0.2),
    ("arkhangelsk", "Arkhangelsk", "northwest", 1.28, 0.3),
    ("vologda", "Vologda", "northwest", 1.31, 0.8),
    ("kaliningrad", "Kaliningrad", "northwest", 0.61, 1.0),
    ("murmansk", "Murmansk", "northwest", 0.57, 0.0),
    ("novgorod", "Novgorod", "northwest", 0.74, 1.0),
    ("pskov", "Pskov", "northwest", 0.95, 1.2),
    ("karelia", "Karelian ASSR", "northwest", 0.65, 0.1),
    ("komi", "Komi ASSR", "northwest", 0.81, 0.1),
    ("gorky", "Gorky", "volga_vyatka", 3.59, 1.0),
    ("kirov", "Kirov", "volga_vyatka", 1.92, 1.3),
    ("mari", "Mari ASSR", "volga_vyatka", 0.65, 1.3),
    ("mordovia", "Mordovian ASSR", "volga_vyatka", 1.00, 2.0),
    ("chuvashia", "Chuvash ASSR", "volga_vyatka", 1.10, 1.5),
    ("voronezh", "Voronezh", "black_earth", 2.37, 2.5),
    ("belgorod", "Belgorod", "black_earth", 1.23, 2.5),
    ("kursk", "Kursk", "black_earth", 1.48, 2.5),
    ("lipetsk", "Lipetsk", "black_earth", 1.14, 2.5),
    ("tambov", "Tambov", "black_earth", 1.55, 2.5),
    ("kuibyshev", "Kuibyshev", "volga", 2.26, 2.5),
    ("astrakhan", "Astrakhan", "volga", 0.70, 0.8),
    ("stalingrad", "Stalingrad", "volga", 1.85, 3.0),
    ("penza", "Penza", "volga", 1.51, 2.3),
    ("saratov", "Saratov", "volga", 2.16, 3.0),
    ("ulyanovsk", "Ulyanovsk", "volga", 1.12, 2.3),
    ("tataria", "Tatar ASSR", "volga", 2.85, 2.0),
    ("rostov", "Rostov", "north_caucasus", 3.31, 2.5),
    ("krasnodar", "Krasnodar", "north_caucasus", 3.76, 2.0),
    ("stavropol", "Stavropol", "north_caucasus", 1.88, 3.0),
    ("dagestan", "Dagestan ASSR", "north_caucasus", 1.06, 0.6),
    ("kabardino_balkaria", "Kabardino-Balkar ASSR", "north_caucasus", 0.42, 1.2),
    ("north_ossetia", "North Ossetian ASSR", "north_caucasus", 0.45, 0.8),
    ("chechen_ingushetia", "Chechen-Ingush ASSR", "north_caucasus", 0.71, 1.2),
    ("sverdlovsk", "Sverdlovsk", "urals", 4.04, 0.6),
    ("chelyabinsk", "Chelyabinsk", "urals", 2.98, 1.5),
    ("chkalov", "Chkalov (Orenburg)", "urals", 1.83, 4.0),
    ("kurgan", "Kurgan", "urals", 1.00, 4.0),
    ("molotov", "Molotov (Perm)", "urals", 2.99, 0.8),
    ("bashkiria", "Bashkir ASSR", "urals", 3.34, 2.0),
    ("udmurtia", "Udmurt ASSR", "urals", 1.34, 1.2),
    ("novosibirsk", "Novosibirsk", "west_siberia", 2.30, 2.5),
    ("altai", "Altai krai", "west_siberia", 2.68, 4.0),
    ("kemerovo", "Kemerovo", "west_siberia", 2.79, 0.7),
    ("omsk", "Omsk", "west_siberia", 1.65, 4.0),
    ("tomsk", "Tomsk", "west_siberia", 0.75, 0.8),
    ("tyumen", "Tyumen", "west_siberia", 1.09, 1.5),
    ("irkutsk", "Irkutsk", "east_siberia", 1.98, 0.7),
    ("krasnoyarsk", "Krasnoyarsk krai", "east_siberia", 2.62, 1.5),
    ("chita", "Chita", "east_siberia", 1.04, 0.8),
    ("buryatia", "Buryat-Mongol ASSR", "east_siberia", 0.67, 0.8),
    ("yakutia", "Yakut ASSR", "east_siberia", 0.49, 0.1),
    ("khabarovsk", "Khabarovsk krai", "far_east", 1.14, 0.2),
    ("amur", "Amur", "far_east", 0.72, 2.0),
    ("kamchatka", "Kamchatka", "far_east", 0.22, 0.0),
    ("magadan", "Magadan", "far_east", 0.24, 0.0),
    ("primorye", "Primorsky krai", "far_east", 1.38, 0.6),
    ("sakhalin", "Sakhalin", "far_east", 0.65, 0.1),
]
UKRAINE = [
    ("kyiv", "Kyiv", "ukraine_west", 8.87, 1.4),  # with Kirovohrad (1.22 M; issue 19)
    ("kharkiv", "Kharkiv", "donets_dnieper", 5.64, 1.6),
    ("lviv", "Lviv", "ukraine_west", 5.90, 1.0),
    ("vinnytsia", "Vinnytsia", "ukraine_west", 3.75, 1.4),
    ("voroshilovgrad", "Voroshilovgrad", "donets_dnieper", 2.45, 0.7),
    ("dnipropetrovsk", "Dnipropetrovsk", "donets_dnieper", 2.70, 1.0),
    ("zaporizhzhia", "Zaporizhzhia", "donets_dnieper", 1.46, 1.8),
    ("odesa", "Odesa", "ukraine_west", 3.04, 1.9),
    ("stalino", "Stalino", "donets_dnieper", 4.26, 0.5),
    ("stanislav", "Stanislav", "ukraine_west", 2.78, 0.7),
    ("kherson", "Kherson", "donets_dnieper", 2.02, 2.0),
]
KAZAKHSTAN = [  # names of the nine Kazakh councils: uncertain (see SOURCES.md)
    ("alma_ata", "Alma-Ata", "kazakhstan", 1.60, 0.8),
    ("akmolinsk", "Akmolinsk", "kazakhstan", 1.50, 4.0),
    ("aktyubinsk", "Aktyubinsk", "kazakhstan", 0.80, 2.5),
    ("east_kazakhstan", "East Kazakhstan", "kazakhstan", 1.20, 1.5),
    ("guryev", "Guryev", "kazakhstan", 0.30, 0.1),
    ("karaganda", "Karaganda", "kazakhstan", 1.00, 1.0),
    ("kustanai", "Kustanai", "kazakhstan", 0.70, 4.0),
    ("pavlodar", "Pavlodar", "kazakhstan", 0.50, 4.0),
    ("south_kazakhstan", "South Kazakhstan", "kazakhstan", 1.80, 0.6),
]
UZBEKISTAN = [  # names of the four Uzbek councils: uncertain (see SOURCES.md)
    ("tashkent", "Tashkent", "central_asia", 3.00, 1.0),
    ("samarkand", "Samarkand", "central_asia", 2.00, 1.0),
    ("fergana", "Fergana", "central_asia", 2.30, 1.0),
    ("bukhara", "Bukhara", "central_asia", 0.80, 1.0),
]
OTHERS = [  # (id, name, republic, area, population 1959)
    ("belarus", "Byelorussian SSR", "BSSR", "belarus", 8.06),
    ("georgia", "Georgian SSR", "GSSR", "transcaucasia", 4.04),
    ("azerbaijan", "Azerbaijan SSR", "AzSSR", "transcaucasia", 3.70),
    ("lithuania", "Lithuanian SSR", "LitSSR", "baltic", 2.71),
    ("moldavia", "Moldavian SSR", "MSSR", "ukraine_west", 2.88),
    ("latvia", "Latvian SSR", "LatSSR", "baltic", 2.09),
    ("kirghizia", "Kirghiz SSR", "KirSSR", "central_asia", 2.07),
    ("tajikistan", "Tajik SSR", "TadSSR", "central_asia", 1.98),
    ("armenia", "Armenian SSR", "ArmSSR", "transcaucasia", 1.76),
    ("turkmenia", "Turkmen SSR", "TurSSR", "central_asia", 1.52),
    ("estonia", "Estonian SSR", "EstSSR", "baltic", 1.20),
]
REPUBLIC_POPULATION_1959 = {  # census of 15 January 1959, millions
    "RSFSR": 117.5, "UkrSSR": 41.9, "BSSR": 8.06, "UzSSR": 8.12, "KazSSR": 9.30,
    "GSSR": 4.04, "AzSSR": 3.70, "LitSSR": 2.71, "MSSR": 2.88, "LatSSR": 2.09,
    "KirSSR": 2.07, "TadSSR": 1.98, "ArmSSR": 1.76, "TurSSR": 1.52, "EstSSR": 1.20,
}
REPUBLIC_SOWN_AREA = {  # Mha, 1956-57, estimates (USSR total about 195 Mha)
    "RSFSR": 118.0, "UkrSSR": 33.0, "KazSSR": 28.0, "BSSR": 6.0, "UzSSR": 2.9,
    "GSSR": 0.8, "AzSSR": 1.2, "LitSSR": 2.4, "MSSR": 1.8, "LatSSR": 1.6, "KirSSR": 1.1,
    "TadSSR": 0.6, "ArmSSR": 0.45, "TurSSR": 0.4, "EstSSR": 0.9,
}
OTHER_LAND_ZONE = {"belarus": 1.0, "georgia": 0.5, "azerbaijan": 0.8, "lithuania": 1.2,
                   "moldavia": 1.8, "latvia": 1.0, "kirghizia": 0.8, "tajikistan": 0.5,
                   "armenia": 0.4, "turkmenia": 0.4, "estonia": 1.0}
# the large areas over which the economy is aggregated, and the council holding each one's
# production (its hub); the areas of the tables above map onto them
MACRO = {"centre": "centre", "northwest": "centre", "volga_vyatka": "centre",
         "black_earth": "south_russia", "volga": "south_russia",
         "north_caucasus": "south_russia", "urals": "urals", "west_siberia": "siberia",
         "east_siberia": "siberia", "far_east": "siberia", "ukraine_west": "ukraine",
         "donets_dnieper": "ukraine", "belarus": "west", "baltic": "west",
         "transcaucasia": "transcaucasia", "kazakhstan": "kazakhstan",
         "central_asia": "central_asia"}
HUBS = {"centre": "moscow_city", "south_russia": "kuibyshev", "urals": "sverdlovsk",
        "siberia": "novosibirsk", "ukraine": "kharkiv", "west": "belarus",
        "transcaucasia": "azerbaijan", "kazakhstan": "karaganda", "central_asia": "tashkent"}
TRUNK = [("centre", "south_russia"), ("centre", "urals"), ("centre", "ukraine"),
         ("centre", "west"), ("south_russia", "urals"), ("south_russia", "ukraine"),
         ("south_russia", "transcaucasia"), ("south_russia", "kazakhstan"),
         ("ukraine", "west"), ("urals", "siberia"), ("urals", "kazakhstan"),
         ("siberia", "kazakhstan"), ("kazakhstan", "central_asia")]

# --- products, base outputs and technology ------------------------------------------------
# (id, name, unit, branch, tradable, base-year national output)
PRODUCTS = [
    ("grain", "Grain", "Mt", "agriculture", True, 110.0),
    ("fodder", "Fodder (hay, silage, roots, pasture)", "Mt feed units", "agriculture", False,
     None),
    ("meat", "Meat (slaughter weight); also the herd", "Mt", "agriculture", True, 6.6),
    ("milk", "Milk", "Mt", "agriculture", True, 49.0),
    ("butter", "Butter", "Mt", "food", True, 0.56),
    ("coal", "Coal", "Mt", "fuel", True, 429.0),
    ("oil", "Crude oil", "Mt", "fuel", True, 84.0),
    ("electricity", "Electricity", "TWh", "power", False, None),
    ("steel", "Steel", "Mt", "metallurgy", True, 48.7),
    ("machinery", "Machinery and equipment", "bn rub (1955)", "machine building", True, 60.0),
    ("construction", "Construction", "bn rub (1955)", "construction", False, None),
    ("consumer_goods", "Consumer goods", "bn rub (1955)", "light industry", True, 400.0),
    ("defence", "Defence goods", "bn rub (1955)", "defence", True, 90.0),
    ("transport", "Freight transport", "100 bn t-km", "transport", False, None),
]
P = [p[0] for p in PRODUCTS]
IDX = {p: k for k, p in enumerate(P)}
# the household food basket of 1956 is part of consumer goods (per bn rub of them): 32 kg of
# meat, 183 kg of milk drunk as milk and 2.7 kg of butter per head at 400 bn rub for 200 M
FOOD = {"meat": 6.4 / 400, "milk": 36.7 / 400, "butter": 0.54 / 400}
# techniques: (id, product, {input: amount per unit}, {capital good: (amount per unit, dep)})
_TECHNIQUES = [
    ("grain", "grain", {"land": 1.10, "labour": 0.14, "oil": 0.03, "transport": 0.02},
     {"machinery": (0.10, 0.12), "construction": (0.05, 0.04)}),
    ("grain_intensive", "grain", {"land": None, "labour": 0.10, "oil": 0.05,
                                  "electricity": 0.20, "transport": 0.03},
     {"machinery": (0.55, 0.12), "construction": (0.35, 0.04)}),
    ("fodder", "fodder", {"land": 0.40, "labour": 0.12, "oil": 0.01},
     {"machinery": (0.05, 0.12), "construction": (0.04, 0.04)}),
    ("fodder_intensive", "fodder", {"land": None, "labour": 0.09, "oil": 0.03,
                                    "electricity": 0.10},
     {"machinery": (0.30, 0.12), "construction": (0.20, 0.04)}),
    ("meat", "meat", {"grain": 3.5, "fodder": None, "labour": 1.0, "transport": 0.05,
                      "electricity": 0.3},
     {"meat": (1.5, 0.0), "construction": (1.0, 0.04)}),
    ("milk", "milk", {"grain": 0.2, "fodder": 1.2, "labour": 0.15, "electricity": 0.05},
     {"meat": (0.12, 0.0), "construction": (0.15, 0.04)}),
    ("butter", "butter", {"milk": 22.0, "labour": 0.05, "electricity": 0.3, "transport": 0.02},
     {"machinery": (0.6, 0.10), "construction": (0.4, 0.03)}),
    ("coal", "coal", {"labour": 0.0030, "electricity": 0.04, "steel": 0.004,
                      "transport": 0.007},
     {"machinery": (0.12, 0.10), "construction": (0.20, 0.03)}),
    ("oil", "oil", {"labour": 0.0015, "electricity": 0.02, "steel": 0.01, "transport": 0.008},
     {"machinery": (0.25, 0.10), "construction": (0.30, 0.03)}),
    ("electricity", "electricity", {"coal": 0.55, "oil": 0.03, "labour": 0.0015},
     {"machinery": (0.6, 0.05), "construction": (1.2, 0.02)}),
    ("steel", "steel", {"coal": 1.0, "electricity": 0.5, "labour": 0.012, "transport": 0.03},
     {"machinery": (0.9, 0.08), "construction": (1.0, 0.03)}),
    ("machinery", "machinery", {"steel": 0.22, "electricity": 0.6, "labour": 0.07,
                                "transport": 0.01},
     {"machinery": (0.6, 0.10), "construction": (0.6, 0.03)}),
    ("construction", "construction", {"steel": 0.04, "coal": 0.08, "electricity": 0.1,
                                      "labour": 0.03, "transport": 0.01},
     {"machinery": (0.15, 0.12)}),
    ("consumer_goods", "consumer_goods", {"grain": 0.03, "meat": FOOD["meat"],
                                          "milk": FOOD["milk"], "butter": FOOD["butter"],
                                          "labour": 0.02, "electricity": 0.08,
                                          "coal": 0.05, "transport": 0.004},
     {"machinery": (0.25, 0.10), "construction": (0.35, 0.03)}),
    ("defence", "defence", {"steel": 0.05, "electricity": 0.2, "labour": 0.04,
                            "transport": 0.005},
     {"machinery": (0.4, 0.10), "construction": (0.4, 0.03)}),
    ("transport", "transport", {"coal": 2.0, "oil": 0.6, "electricity": 0.5, "steel": 0.1,
                                "labour": 0.15},
     {"machinery": (2.0, 0.06), "construction": (6.0, 0.02)}),
]

# --- the figures corrected in issue 19 (SOURCES.md, "Corrections"); VARIANTS rebuild the
# scenario with the figures before the correction, for the comparisons in the README
FEED_PER_MEAT = 14.0  # feed units per kg of meat (Soviet practice: 12-14 per kg of cattle gain)
GRAIN_YIELD = 1.3  # t/ha of the intensive grain technique (1966 record: 1.37 t/ha)
FODDER_YIELD = 3.3  # t feed units/ha of intensive fodder (silage maize)
LAND_GROWS = True  # the sown area grew until 1964 (grain area 128 Mha 1956, ~133 Mha 1964)
GRAIN_AREA = {1956: 128.0, 1964: 133.0}  # Mha (SOURCES.md), held from 1964 on (estimate)
VARIANTS = {
    "old": dict(FEED_PER_MEAT=8.0, GRAIN_YIELD=1 / 0.65, FODDER_YIELD=1 / 0.22, LAND_GROWS=False,
                US_MILK=362.5 * 0.946353 * 1.032),
    "issue": dict(LAND_GROWS=False),  # the check: 14 feed units, capped yields
}
# uncertainty ranges of the estimates (low, high), read by `sovnarkhoz sensitivity`
FEED_RANGE = (12.0, 14.0)  # feed units per kg of meat (Soviet practice of the time)
GRAIN_YIELD_RANGE = (1.1, 1.37)  # t/ha (1966 record 1.37)
FODDER_YIELD_RANGE = (2.7, 4.0)  # t feed units/ha
FACTOR_RANGE = {"labour": (0.95, 1.05), "land": (0.97, 1.03)}  # share of the supply
FACTORS = ["labour", "land"]
BASE_TECH = {"grain": "grain", "fodder": "fodder"}  # in 1957 the extensive ones run
CONSUMER_SHARE = 0.97  # consumer goods target in 1957 per unit of their base net output
SPARE = 1.05  # capital installed in 1957 per unit the base year needs
SLACK = {"labour": 1.02, "land": 1.03}  # factor supply per unit the base year uses
LABOUR_GROWTH = 0.015
# where the specialised industries lie (shares of national output; estimates)
SPECIAL = {
    "coal": {"stalino": 0.23, "voroshilovgrad": 0.15, "rostov": 0.06, "kemerovo": 0.16,
             "karaganda": 0.07, "komi": 0.04, "tula": 0.09, "sverdlovsk": 0.03,
             "chelyabinsk": 0.05, "molotov": 0.03, "irkutsk": 0.03, "krasnoyarsk": 0.02,
             "primorye": 0.02, "lviv": 0.01, "georgia": 0.01, "sakhalin": 0.01},
    "oil": {"tataria": 0.29, "bashkiria": 0.26, "kuibyshev": 0.14, "azerbaijan": 0.18,
            "molotov": 0.03, "chkalov": 0.02, "chechen_ingushetia": 0.03, "turkmenia": 0.03,
            "guryev": 0.02},
    "steel": {"dnipropetrovsk": 0.16, "stalino": 0.12, "zaporizhzhia": 0.07,
              "voroshilovgrad": 0.03, "chelyabinsk": 0.17, "sverdlovsk": 0.09, "chkalov": 0.02,
              "kemerovo": 0.08, "moscow_city": 0.03, "gorky": 0.03, "leningrad": 0.03,
              "lipetsk": 0.01, "tula": 0.01, "stalingrad": 0.03, "molotov": 0.02,
              "georgia": 0.02, "karaganda": 0.01},
}
# the pledge: US production per head in 1956 (Time, 3 June 1957), kg
US_MEAT, US_BUTTER = 103.0, 3.9
US_MILK = 343.0  # kg (Time's "362 1/2 quarts" are these 343 kg taken as litres)
BUTTER_MILK = 22.0  # kg of milk per kg of butter
POP_1957, POP_1959, POP_1970 = 200.2, 208.8, 241.7


def population_by_year() -> np.ndarray:
    """USSR population (millions) 1957..1970: geometric between 1957, 1959 and 1970."""
    years = YEARS.astype(float)
    early = POP_1957 * (POP_1959 / POP_1957) ** ((years - 1957) / 2)
    late = POP_1959 * (POP_1970 / POP_1959) ** ((years - 1959) / 11)
    return np.where(years <= 1959, early, late)


def regions() -> pd.DataFrame:
    rows = [(i, n, "RSFSR", a, p, z) for i, n, a, p, z in RSFSR]
    rows += [(i, n, "UkrSSR", a, p, z) for i, n, a, p, z in UKRAINE]
    rows += [(i, n, "KazSSR", a, p, z) for i, n, a, p, z in KAZAKHSTAN]
    rows += [(i, n, "UzSSR", a, p, z) for i, n, a, p, z in UZBEKISTAN]
    rows += [(i, n, r, a, p, OTHER_LAND_ZONE[i]) for i, n, r, a, p in OTHERS]
    frame = pd.DataFrame(rows, columns=["region", "short", "republic", "area", "pop59", "zone"])
    # scale the councils' estimates to the census totals of their republics, then to 1957
    total = frame.groupby("republic")["pop59"].transform("sum")
    census = frame["republic"].map(REPUBLIC_POPULATION_1959)
    frame["pop59"] = frame["pop59"] * census / total
    frame["population"] = (frame["pop59"] * POP_1957 / frame["pop59"].sum()).round(4)
    weight = frame["pop59"] * frame["zone"]
    area = frame["republic"].map(REPUBLIC_SOWN_AREA)
    frame["sown"] = weight / weight.groupby(frame["republic"]).transform("sum") * area
    frame["name"] = frame["short"] + " (" + frame["republic"] + ")"
    frame["area"] = frame["area"].map(MACRO)
    frame["council"] = frame["republic"]
    return frame


def filled_techniques() -> list:
    """The techniques with the corrected figures filled in: the meat technique's fodder
    (FEED_PER_MEAT feed units per kg less its 3.5 kg of grain) and the intensive techniques'
    land per unit (1 / yield)."""
    filled = {"meat": ("fodder", FEED_PER_MEAT - 3.5),
              "grain_intensive": ("land", round(1.0 / GRAIN_YIELD, 6)),
              "fodder_intensive": ("land", round(1.0 / FODDER_YIELD, 6))}
    out = []
    for name, product, inputs, capital in _TECHNIQUES:
        inputs = dict(inputs)
        if name in filled:
            item, amount = filled[name]
            inputs[item] = amount
        out.append((name, product, inputs, capital))
    return out


def land_index() -> np.ndarray:
    """(years,) the sown area of each year per unit of 1957's: the grain area's growth from
    128 Mha (1956) to about 133 Mha (1964), linear in between (estimate), held after 1964
    (estimate); all ones when LAND_GROWS is off (the scenario before the correction)."""
    if not LAND_GROWS:
        return np.ones(len(YEARS))
    (y0, a0), (y1, a1) = sorted(GRAIN_AREA.items())
    area = np.interp(YEARS, [y0, y1], [a0, a1])
    return area / area[0]


INPUT_PROVENANCE = {  # (technique kind, input) -> (status, source); default: estimate
    ("butter", "milk"): ("cited", "20-25 kg of milk per kg of butter (issue 5); 22 taken"),
    ("meat", "fodder"): ("cited", "with grain: 14 feed units per kg, Soviet practice of 12-14 "
                         "per kg of cattle gain (issue 19; SOURCES.md, Corrections)"),
    ("grain_intensive", "land"): ("estimate", "1.3 t/ha; the 1.55 t/ha of the first version "
                                  "was never reached (1966 record 1.37 t/ha, SOURCES.md)"),
    ("fodder_intensive", "land"): ("estimate", "3.3 t feed units/ha (SOURCES.md)"),
}


def input_columns(inputs: pd.DataFrame) -> pd.DataFrame:
    """inputs.csv with source, status, low and high: ranges on the meat technique's fodder
    (FEED_RANGE) and the intensive techniques' land (the yield ranges)."""
    kind = inputs["technique"].str.split("@").str[0]
    pairs = list(zip(kind, inputs["input"], strict=True))
    found = [INPUT_PROVENANCE.get(pair) for pair in pairs]
    inputs = inputs.assign(
        source=[f[1] if f else "estimate (SOURCES.md, Techniques)" for f in found],
        status=[f[0] if f else "estimate" for f in found], low=np.nan, high=np.nan)
    ranges = {("meat", "fodder"): (FEED_RANGE[0] - 3.5, FEED_RANGE[1] - 3.5),
              ("grain_intensive", "land"): (1 / GRAIN_YIELD_RANGE[1], 1 / GRAIN_YIELD_RANGE[0]),
              ("fodder_intensive", "land"): (1 / FODDER_YIELD_RANGE[1],
                                             1 / FODDER_YIELD_RANGE[0])}
    for (k, item), (low, high) in ranges.items():
        rows = (kind == k) & (inputs["input"] == item)
        inputs.loc[rows, "low"] = round(min(low, inputs.loc[rows, "amount"].min()), 6)
        inputs.loc[rows, "high"] = round(max(high, inputs.loc[rows, "amount"].max()), 6)
    return inputs


def coefficient_matrices() -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """A (products × techniques) inputs, F (factors × techniques), R (replacement per unit)."""
    TECHNIQUES = filled_techniques()
    n_t = len(TECHNIQUES)
    A = np.zeros((len(P), n_t))
    F = np.zeros((len(FACTORS), n_t))
    R = np.zeros((len(P), n_t))
    makes = {}
    for k, (name, product, inputs, capital) in enumerate(TECHNIQUES):
        makes[name] = product
        for item, amount in inputs.items():
            if item in FACTORS:
                F[FACTORS.index(item), k] = amount
            else:
                A[IDX[item], k] = amount
        for good, (amount, dep) in capital.items():
            R[IDX[good], k] = amount * dep
    return A, F, R, makes


def areas(frame: pd.DataFrame) -> pd.DataFrame:
    """The large areas: production is aggregated here, at the area's hub council."""
    grouped = frame.groupby("area", sort=False).agg(population=("population", "sum"),
                                                   sown=("sown", "sum"))
    grouped["hub"] = [HUBS[a] for a in grouped.index]
    for p, where in SPECIAL.items():
        share = frame["region"].map(where).fillna(0.0)
        grouped[p] = share.groupby(frame["area"], sort=False).sum()
    return grouped.reset_index()


def base_year(area: pd.DataFrame):
    """Base-year gross output (areas × products) of the base techniques."""
    A, F, R, makes = coefficient_matrices()
    names = [t[0] for t in filled_techniques()]
    base = [names.index(BASE_TECH.get(p, p)) for p in P]  # technique of each product
    M = (A + R)[:, base]  # (P × P): use per unit of each product by its base technique
    tradable = np.array([t[4] for t in PRODUCTS])
    nontrad = ~tradable
    pop = area["population"].to_numpy()
    land = area["sown"].to_numpy()
    share = np.repeat((pop / pop.sum())[:, None], len(P), axis=1)
    for p in ("grain", "meat", "milk", "butter"):
        share[:, IDX[p]] = land / land.sum()
    for p in SPECIAL:
        share[:, IDX[p]] = area[p].to_numpy() / area[p].sum()
    national = np.array([t[5] if t[5] is not None else 0.0 for t in PRODUCTS])
    X = share * national  # tradables
    # final demand of the non-tradables in each area (housing construction, households)
    y_n = np.zeros((len(area), len(P)))
    y_n[:, IDX["construction"]] = 0.25 * pop  # housing and services, bn rub per M people
    y_n[:, IDX["electricity"]] = 0.12 * pop  # households, TWh per M people
    # non-tradables: x_N = M_NN x_N + M_NT x_T + y_N, area by area (vectorised)
    Mnn = M[np.ix_(nontrad, nontrad)]
    Mnt = M[np.ix_(nontrad, tradable)]
    rhs = X[:, tradable] @ Mnt.T + y_n[:, nontrad]
    X[:, nontrad] = np.linalg.solve(np.eye(nontrad.sum()) - Mnn, rhs.T).T
    return X, M, base, y_n




def build(plenum: bool = True) -> None:
    """Write ussr1957's tables into OUT (and, with ``plenum``, ussr1957_plenum's)."""
    frame = regions()
    area = areas(frame)
    X, M, base, y_n = base_year(area)
    A, F, R, makes = coefficient_matrices()
    nat_x = X.sum(0)
    net = nat_x - M @ nat_x
    print("national base outputs and net outputs (after inputs and replacement):")
    for p in P:
        print(f"  {p:15s} {nat_x[IDX[p]]:10.2f} net {net[IDX[p]]:10.2f}")

    # techniques at each area's hub: agriculture where land, specialised industry where it is
    tech_rows, input_rows, capital_rows = [], [], []
    for k, (name, product, inputs, capital) in enumerate(filled_techniques()):
        if product in SPECIAL:
            present = X[:, IDX[product]] > 0
        elif product in ("grain", "fodder", "meat", "milk", "butter"):
            present = area["sown"].to_numpy() > 0.01
        else:
            present = np.ones(len(area), bool)
        level = X[:, IDX[product]] if base[IDX[product]] == k else np.zeros(len(area))
        for a in np.flatnonzero(present):
            hub = area["hub"].iat[a]
            tid = f"{name}@{area['area'].iat[a]}"
            tech_rows.append((tid, hub, product))
            for item, amount in inputs.items():
                input_rows.append((tid, item, amount))
            for good, (amount, dep) in capital.items():
                capital_rows.append((tid, good, amount, round(amount * level[a] * SPARE, 6),
                                     dep))
    techniques = pd.DataFrame(tech_rows, columns=["technique", "region", "product"])
    inputs = pd.DataFrame(input_rows, columns=["technique", "input", "amount"])
    capital = pd.DataFrame(capital_rows, columns=["technique", "good", "amount", "stock",
                                                  "depreciation"])
    factor_use = X @ F[:, base].T  # areas × factors
    supplies = pd.DataFrame({
        "region": np.repeat(area["hub"].to_numpy(), len(FACTORS)),
        "factor": np.tile(FACTORS, len(area)),
        "amount": (factor_use * np.array([SLACK[f] for f in FACTORS])).ravel().round(5),
    })
    supplies = supplies[supplies["amount"] > 0]
    supplies = supplies.assign(
        source=supplies["factor"].map({
            "labour": "what the base year uses plus 2 % (SOURCES.md, Factors)",
            "land": "sown area of 1956-57 by republic (SOURCES.md, Factors)"}),
        status="estimate",
        low=(supplies["amount"] * supplies["factor"].map(
            {f: r[0] for f, r in FACTOR_RANGE.items()})).round(5),
        high=(supplies["amount"] * supplies["factor"].map(
            {f: r[1] for f, r in FACTOR_RANGE.items()})).round(5))
    if LAND_GROWS:  # land by year: the grain area's growth to 1964 (rows with a year)
        land = supplies[supplies["factor"] == "land"]
        index = land_index()
        yearly = pd.concat([land.assign(year=int(y), amount=(land["amount"] * i).round(5),
                                        low=(land["low"] * i).round(5),
                                        high=(land["high"] * i).round(5),
                                        source="1957 land times the grain area's growth, "
                                        "128 Mha (1956) to 133 Mha (1964), then held "
                                        "(SOURCES.md, Corrections)")
                            for y, i in zip(YEARS, index, strict=True)], ignore_index=True)
        supplies = pd.concat([supplies[supplies["factor"] != "land"].assign(year=pd.NA),
                              yearly], ignore_index=True)
        supplies["year"] = supplies["year"].astype("Int64")
    growth = pd.DataFrame({"region": area["hub"], "factor": "labour", "rate": LABOUR_GROWTH,
                           "source": "the issue's figure; population grew 1.5-2 % a year",
                           "status": "estimate"})
    print(f"labour used {factor_use[:, 0].sum():.1f} M, land {factor_use[:, 1].sum():.1f} Mha")

    # targets: baseline needs grow with the population; the pledge in every year
    pop_y = population_by_year()
    growth_y = pop_y / POP_1957
    area_pop = area["population"].to_numpy()
    national = {  # national amounts in 1957 and whether they grow with the population
        "grain": (0.32 * POP_1957, True),
        "consumer_goods": (CONSUMER_SHARE * net[IDX["consumer_goods"]], True),
        "defence": (0.95 * net[IDX["defence"]], False),
        "construction": (y_n[:, IDX["construction"]].sum(), True),
        "electricity": (y_n[:, IDX["electricity"]].sum(), True),
        "coal": (0.5 * net[IDX["coal"]], False),
        "oil": (0.5 * net[IDX["oil"]], False),
    }
    # the pledge: US 1956 production per head x Soviet population, less what the consumer
    # goods target already delivers (the 1956 basket), as meat, milk and butter themselves
    basket = CONSUMER_SHARE * net[IDX["consumer_goods"]] / POP_1957  # bn rub per M people
    us_per_head = {"meat": US_MEAT, "milk": US_MILK - BUTTER_MILK * US_BUTTER,
                   "butter": US_BUTTER}  # kg; milk drunk as milk (butter's milk apart)
    pledge = {p: (us_per_head[p] / 1000 - basket * FOOD[p]) * pop_y for p in us_per_head}
    for p in pledge:
        print(f"pledge {p}: US {us_per_head[p]:.1f} kg/head, basket "
              f"{1000 * basket * FOOD[p]:.1f} kg/head, extra 1957 {pledge[p][0]:.2f} Mt")
    per_year = {p: a * (growth_y if grows else np.ones(len(YEARS)))
                for p, (a, grows) in national.items()}
    per_year.update(pledge)
    rows = []
    where, weights = area["hub"].to_numpy(), area_pop / area_pop.sum()
    for p, amounts in per_year.items():
        rows.append(pd.DataFrame({
            "region": np.tile(where, len(YEARS)), "product": p,
            "amount": np.round(np.outer(amounts, weights).ravel(), 6),
            "year": np.repeat(YEARS, len(where))}))
    targets = pd.concat(rows, ignore_index=True)
    is_pledge = targets["product"].isin(list(pledge))
    targets["source"] = np.where(
        is_pledge, "US 1956 per head (meat 103 kg, butter 3.9 kg: Time, 3 June 1957; milk "
        "343 kg: SOURCES.md, Corrections) less the 1956 basket, times the population",
        "needs per head or of the base year's net output (SOURCES.md, Targets)")
    targets["status"] = "estimate"

    # links: the hubs along the trunk lines, both ways
    link_rows = []
    for a, b in TRUNK:
        link_rows += [(HUBS[a], HUBS[b], 0.03), (HUBS[b], HUBS[a], 0.03)]
    links = pd.DataFrame(link_rows, columns=["origin", "destination", "loss"])
    links = links.assign(source="trunk rail lines; 3 % handling and transit losses",
                         status="estimate")
    inputs = input_columns(inputs)
    capital = capital.assign(source="SOURCES.md, Techniques and Modelling choices",
                             status="estimate")

    products = pd.DataFrame([(p, n, u, b, "true" if t else "false")
                             for p, n, u, b, t, _ in PRODUCTS],
                            columns=["product", "name", "unit", "branch", "tradable"])
    factors = pd.DataFrame({"factor": FACTORS, "name": ["Labour", "Arable land"],
                            "unit": ["million person-years", "Mha"]})
    frame["hub"] = frame["area"].map(HUBS)
    frame["source"] = ("census of 15 January 1959 by republic; councils' shares estimated; "
                       "scaled to 200.2 M in 1957")
    frame["status"] = "estimate"
    regions_out = frame[["region", "name", "council", "population", "republic", "area", "hub",
                         "source", "status"]]
    OUT.mkdir(parents=True, exist_ok=True)
    for name, table in (("products", products), ("regions", regions_out),
                        ("factors", factors), ("techniques", techniques), ("inputs", inputs),
                        ("capital", capital), ("supplies", supplies), ("growth", growth),
                        ("targets", targets), ("links", links)):
        table.to_csv(OUT / f"{name}.csv", index=False)
    print(f"{len(frame)} regions ({len(area)} areas), {len(techniques)} techniques, "
          f"{len(capital)} capital rows, {len(links)} links, {len(targets)} target rows")
    if plenum:
        write_plenum(targets, nat_x, pledge_products=list(pledge), where=where,
                     weights=weights)
        write_seven_year(targets, nat_x, pledge_products=list(pledge), where=where,
                         weights=weights)
    del makes, R


HEAVY = ("steel", "machinery", "defence")
"""The heavy-industry-and-defence bundle: these products' 1957 national output."""


def write_plenum(targets: pd.DataFrame, output: np.ndarray, pledge_products: list[str],
                 where: np.ndarray, weights: np.ndarray) -> None:
    """ussr1957_plenum: ussr1957's tables (copied), the pledge's target rows moved to the
    priority ``pledge`` (same regions, products, amounts and years: level 1 is the pledge
    met in full), ``heavy_defence`` (the 1957 national output of steel, machinery and
    defence: level 0.01 is 1 % of it more, every year) and ``virgin_lands`` (the 1957
    national grain output: level 0.01 is 1 % of it more, every year), both spread over the
    area hubs by population as the targets are (``output``: (P,) national 1957 output,
    the calibrated base year's); factions.csv and members.csv from
    decision/data/ussr1957 (members with their source, and a status: cited where the source
    is the record; factions a modelling choice, status estimate)."""
    PLENUM.mkdir(parents=True, exist_ok=True)
    for name in ("products", "regions", "factors", "techniques", "inputs", "capital",
                 "supplies", "growth", "links"):
        (PLENUM / f"{name}.csv").write_text((OUT / f"{name}.csv").read_text())
    is_pledge = targets["product"].isin(pledge_products)
    targets[~is_pledge].to_csv(PLENUM / "targets.csv", index=False)
    pledge = targets[is_pledge].assign(priority="pledge")
    rows = [pledge[["priority", "region", "product", "amount", "year"]]]
    for p in HEAVY:
        rows.append(pd.DataFrame({"priority": "heavy_defence", "region": where, "product": p,
                                  "amount": np.round(output[IDX[p]] * weights, 6)}))
    rows.append(pd.DataFrame({"priority": "virgin_lands", "region": where, "product": "grain",
                              "amount": np.round(output[IDX["grain"]] * weights, 6)}))
    priorities = pd.concat(rows, ignore_index=True)
    priorities["year"] = priorities["year"].astype("Int64")
    priorities.to_csv(BODIES / "priorities.csv", index=False)  # the draft there, filled in
    priorities["source"] = priorities["priority"].map({
        "pledge": "the pledge's extra meat, milk and butter (ussr1957 targets)",
        "heavy_defence": "the 1957 output of steel, machinery and defence goods",
        "virgin_lands": "the 1957 grain output"})
    priorities["status"] = "estimate"
    priorities.to_csv(PLENUM / "priorities.csv", index=False)
    factions = pd.read_csv(BODIES / "factions.csv")
    factions = factions[["faction", "priority", "weight"]].assign(
        source="a modelling choice (docs/ussr1957_bodies.md)", status="estimate")
    factions.to_csv(PLENUM / "factions.csv", index=False)
    members = pd.read_csv(BODIES / "members.csv")
    members["status"] = np.where(members["source"].str.startswith("record"), "cited",
                                 "estimate")
    members[["body", "member", "faction", "vote", "source", "status"]].to_csv(
        PLENUM / "members.csv", index=False)
    toml = (OUT / "scenario.toml").read_text()
    toml = toml.replace('name = "ussr1957"', 'name = "ussr1957_plenum"')
    toml = toml.replace('description = "', 'description = "June 1957: the pledge as a '
                        'priority beside heavy industry and defence and the Virgin Lands; '
                        'the Presidium and the Central Committee plenum decide (sovnarkhoz '
                        'decide). ', 1)
    (PLENUM / "scenario.toml").write_text(toml)
    print(f"ussr1957_plenum: {int((~is_pledge).sum())} target rows, {len(priorities)} "
          f"priority rows, {len(members)} members")


SEVEN_YEAR = ROOT / "scenarios" / "ussr1959_seven_year"
JOHNSON = ("D. Gale Johnson, table 8 (goals for 1965), Pontificiae Academiae Scientiarum Scripta "
           "Varia 28, citing TsSU, Sel'skoe khozyaistvo SSSR (1960) and Pravda, 26 January 1963")
GOALS = [  # the Seven-Year Plan's goals for 1965 (21st Congress, February 1959): low, high
    ("grain", 164.0, 180.0, "Mt", "cited", JOHNSON),
    ("meat", 16.0, 16.0, "Mt", "cited", JOHNSON),
    ("milk", 100.0, 105.0, "Mt", "cited", JOHNSON),
    ("steel", 86.0, 91.0, "Mt", "cited", "control figures for 1959-1965 approved by the 21st "
     "Congress: pig iron 65-70, steel 86-91, rolled metal 65-70 Mt (as summarised in a Soviet "
     "paper on capital investment in iron and steel, 1959)"),
    ("coal", 596.0, 609.0, "Mt", "estimate", "control figures of the 21st Congress as reprinted "
     "in Nove (1992); recalled, not checked"),
    ("oil", 230.0, 240.0, "Mt", "estimate", "control figures of the 21st Congress as reprinted "
     "in Nove (1992); recalled, not checked"),
    ("electricity", 500.0, 520.0, "TWh", "estimate", "control figures of the 21st Congress as "
     "reprinted in Nove (1992); recalled, not checked"),
]
SEVEN_YEAR_FROM = 1959  # the goals are asked from the plan's first year on


def write_seven_year(targets: pd.DataFrame, output: np.ndarray, pledge_products: list[str],
                     where: np.ndarray, weights: np.ndarray) -> None:
    """ussr1959_seven_year: ussr1957's economy and needs (the pledge left out) with the
    Seven-Year Plan's goals for 1965: each goal's output less the calibrated 1957 output
    (``output``, (P,)) is asked as extra final product, spread over the area hubs by
    population, in every year from 1959 (so that ``earliest`` says by when each goal could
    be met), at the goal's low end (``amount``) with its high end in ``high``; goals.csv
    keeps the goals themselves."""
    SEVEN_YEAR.mkdir(parents=True, exist_ok=True)
    for name in ("products", "regions", "factors", "techniques", "inputs", "capital",
                 "supplies", "growth", "links"):
        (SEVEN_YEAR / f"{name}.csv").write_text((OUT / f"{name}.csv").read_text())
    needs = targets[~targets["product"].isin(pledge_products)].copy()
    needs["low"], needs["high"] = np.nan, np.nan
    extra = []
    for product, low, high, _, status, source in GOALS:
        base = output[IDX[product]]
        for year in YEARS[YEARS >= SEVEN_YEAR_FROM]:
            extra.append(pd.DataFrame({
                "region": where, "product": product, "year": int(year),
                "amount": np.round((low - base) * weights, 6),
                "high": np.round((high - base) * weights, 6),
                "source": f"Seven-Year Plan goal for 1965 less the 1957 output ({base:.1f}); "
                          + source, "status": status}))
    extra = pd.concat(extra, ignore_index=True)
    merged = needs.merge(extra, on=["region", "product", "year"], how="outer",
                         suffixes=("", "_goal"))
    has_need = merged["amount"].notna()
    has_goal = merged["amount_goal"].notna()
    need = merged["amount"].fillna(0.0)
    merged["amount"] = (need + merged["amount_goal"].fillna(0.0)).round(6)
    merged["high"] = np.where(has_goal, (need + merged["high_goal"]).round(6), np.nan)
    merged["low"] = np.where(has_goal, merged["amount"], np.nan)
    merged["source"] = np.where(has_goal & has_need, merged["source"].fillna("") + "; plus "
                                + merged["source_goal"].fillna(""),
                                merged["source"].fillna(merged["source_goal"]))
    merged["status"] = merged["status"].fillna(merged["status_goal"])
    merged.loc[has_goal & has_need, "status"] = "estimate"
    out = merged[["region", "product", "amount", "year", "source", "status", "low", "high"]]
    out.sort_values(["year", "product", "region"]).to_csv(SEVEN_YEAR / "targets.csv",
                                                           index=False)
    goals = pd.DataFrame([(p, 1965, lo, hi, u, src, st) for p, lo, hi, u, st, src in GOALS],
                         columns=["product", "year", "low", "high", "unit", "source", "status"])
    goals.to_csv(SEVEN_YEAR / "goals.csv", index=False)
    toml = (OUT / "scenario.toml").read_text()
    toml = toml.replace('name = "ussr1957"', 'name = "ussr1959_seven_year"')
    start = toml.index('description = "')
    end = toml.index('"\n', start + 15)
    toml = (toml[:start] + 'description = "The Seven-Year Plan (1959-1965) on the ussr1957 '
            "economy: its 1965 goals for grain, meat, milk, steel, coal, oil and electricity "
            "(low ends; high ends in targets.csv's high column) asked from 1959 on, beside "
            "the needs held every year. Was the plan feasible, and by when? (sovnarkhoz "
            'earliest ussr1959_seven_year --each --from 1959 --targets ...). Sources in '
            'SOURCES.md and goals.csv."'
            + toml[end + 1:])
    (SEVEN_YEAR / "scenario.toml").write_text(toml)
    print(f"ussr1959_seven_year: {len(out)} target rows, {len(goals)} goals")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", choices=sorted(VARIANTS),
                        help="old: the figures before issue 19's corrections; issue: the "
                        "issue's check (14 feed units, capped yields, land not growing)")
    parser.add_argument("--out", type=Path, help="write ussr1957's tables here instead (no "
                        "ussr1957_plenum); scenario.toml is copied")
    args = parser.parse_args()
    globals().update(VARIANTS.get(args.variant, {}))
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "scenario.toml").write_text((OUT / "scenario.toml").read_text())
        OUT = args.out
    build(plenum=args.out is None)
