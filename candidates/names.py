"""What a person's name may be (pure): something visible, and nothing that reorders text.

Refused:

- a name with no visible character: only whitespace, zero-width characters (U+200B
  ZERO WIDTH SPACE, U+200C/U+200D joiners, U+2060 WORD JOINER, U+FEFF), other
  format or control characters, combining marks with nothing to combine with, or
  the blank look-alikes (Hangul fillers, U+2800 BRAILLE PATTERN BLANK). Such a name
  shows as an empty cell in every list, so a recruiter cannot tell the person apart.
- a name with a bidirectional embedding, override or isolate (U+202A-U+202E,
  U+2066-U+2069): they reverse or reorder how the text after them is shown, in
  our pages, the admin, CSV exports and the ATS ("Trojan Source", CVE-2021-42574),
  so "Ada<U+202E>regnaL" is shown as "AdaLanger", not as what is stored.

Kept: zero-width joiners and non-joiners inside a name (Persian, Hindi, Bengali and
other scripts need them to spell names), and the directional marks U+200E LEFT-TO-
RIGHT MARK, U+200F RIGHT-TO-LEFT MARK and U+061C ARABIC LETTER MARK: they only tell
a neutral character next to them which way to go, open no scope that could flip the
text after them, and are used to write mixed Arabic or Hebrew and Latin names.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = {
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
}
# Letters and symbols by category that draw nothing.
BLANK_LOOKALIKES = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Categories that draw nothing by themselves: controls, format characters (the
# zero-width ones among them), separators, and marks (they draw on a base letter).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


def is_visible(char: str) -> bool:
    """True for a character that draws something on its own."""
    if char in BLANK_LOOKALIKES:
        return False
    return unicodedata.category(char) not in _INVISIBLE_CATEGORIES


def validate_person_name(name: str) -> None:
    """Raise ValueError, saying what is wrong, for a name no one could see or read as stored."""
    for position, char in enumerate(name):
        if char in BIDI_CONTROLS:
            raise ValueError(
                f"A name cannot contain U+{ord(char):04X} {BIDI_CONTROLS[char]} (character "
                f"{position + 1}): it changes the order in which the text around it is shown."
            )
    if not any(is_visible(char) for char in name):
        raise ValueError("A name needs at least one visible character.")
