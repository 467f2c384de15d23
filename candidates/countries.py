"""ISO 3166-1 alpha-2: the country codes Renown accepts (pure).

The 249 officially assigned codes of ISO 3166-1, current as of ISO/TC 46 N1127
(2024-02-29): the list the IANA time zone database ships as ``iso3166.tab``, which
``tests/candidates/test_names_and_countries.py`` compares this one with (through the
pinned ``tzdata`` package), so a new code arriving with a tzdata upgrade is noticed.

Refused, because they name no country: the user-assigned codes (AA, QM-QZ, XA-XZ,
ZZ: XX, XK, ZZ and the like mean whatever one organisation decides), and the
exceptionally reserved ones (UK, EU, EL, ...: ISO keeps them for other bodies'
use; the United Kingdom is GB, Greece GR, and the EU is not a country of
residence). Nothing in Renown uses a reserved code.
"""

from __future__ import annotations

ISO_3166_1_ALPHA_2 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI
    BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN
    CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK
    FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK
    ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP
    NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905 - a table to read against ISO's, not 249 quoted strings
)

# Codes people type that ISO reserves for something else, with what they meant.
RESERVED_HINTS = {
    "UK": "the United Kingdom is GB",
    "EL": "Greece is GR",
    "EU": "give the member state, e.g. DE or FR",
}
