"""Proof codes: made, and looked for in a profile's public texts (pure, no database).

A code is ``renown-`` and ten characters of the RFC 4648 base32 alphabet (50 random
bits from ``secrets``), made per account and never derived from the private link: it
is meant to be published. A profile proves the account when one of its texts, HTML
stripped and compared case-insensitively, carries the account's code as a whole word:
``renown-`` followed by exactly those ten characters and no further letter or digit,
so a similar code, a longer one or another account's code proves nothing.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser

from scoring.providers.base import ProfileText, PublicProfile

PREFIX = "renown-"
ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # RFC 4648 base32, lower case
LENGTH = 10
CODE = re.compile(rf"^{PREFIX}[{ALPHABET}]{{{LENGTH}}}$")
# Every "renown-<letters and digits>" word of a text, ASCII only: under re.IGNORECASE
# without re.ASCII the Kelvin sign would match "k".
_WORD = re.compile(rf"(?<![a-z0-9]){PREFIX}([a-z0-9]+)", re.IGNORECASE | re.ASCII)

# Where a code was found, as ``AccountProof.method`` records it.
METHODS = {
    ("mastodon", "note"): "mastodon_note",
    ("mastodon", "field"): "mastodon_field",
    ("bluesky", "description"): "bluesky_description",
    ("github", "bio"): "github_bio",
}
MASTODON_REL_ME = "mastodon_rel_me"


def code_new() -> str:
    """A fresh random proof code (the caller stores it under a unique constraint)."""
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs.extend(value for name, value in attrs if name == "href" and value)
        if tag in {"br", "p"}:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> tuple[str, list[str]]:
    """(the text a reader sees, the links' targets) of an HTML fragment; plain text passes."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts), parser.hrefs


def carries(code: str, text: str) -> bool:
    """Whether ``text`` (plain) carries ``code`` as a whole word, in any case."""
    wanted = code.lower().removeprefix(PREFIX)
    return any(found.lower() == wanted for found in _WORD.findall(text))


@dataclass(frozen=True)
class ProofFound:
    """Where the code was: the method recorded, and the place in words."""

    method: str
    label: str


def proof_find(
    *, network: str, code: str, profile: PublicProfile, proof_page_path: str = ""
) -> ProofFound | None:
    """The first place of ``profile`` that carries ``code``, or None.

    A Mastodon field that links to the code's page (``proof_page_path``, its path on
    any host) and that the instance marked verified (a ``rel="me"`` link back) is
    ``mastodon_rel_me``; the code written anywhere else is the place's own method.
    """
    for place in profile.texts:
        method = METHODS.get((network, place.where))
        if method is None:
            continue
        text, hrefs = plain_text(place.text)
        in_link = any(carries(code, href) for href in hrefs)
        if not (carries(code, text) or in_link):
            continue
        if _rel_me(network, place, hrefs, proof_page_path):
            return ProofFound(MASTODON_REL_ME, place.label)
        return ProofFound(method, place.label)
    return None


def _rel_me(network: str, place: ProfileText, hrefs: list[str], proof_page_path: str) -> bool:
    if network != "mastodon" or place.where != "field" or not place.link_verified:
        return False
    return bool(proof_page_path) and any(
        href.split("?")[0].split("#")[0].endswith(proof_page_path) for href in hrefs
    )


def places_looked(profile: PublicProfile, network: str) -> list[str]:
    """The places of ``profile`` a code was looked for in, in words (for the candidate)."""
    return [place.label for place in profile.texts if (network, place.where) in METHODS]
