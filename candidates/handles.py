"""Normalise the identifier a candidate gives for each network (pure, no database).

One spelling per account, so that the unique constraint on (candidate, network,
handle) means what it says and a fetch asks the provider for exactly that account.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit


class InvalidHandle(ValueError):
    """The text is not a valid identifier for the network; the message says why."""


class RefusedHost(InvalidHandle):
    """The handle names a host Renown will not contact: an address, not a DNS name."""


_DOMAIN_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"^(?:{_DOMAIN_LABEL}\.)+[a-z][a-z0-9-]*[a-z0-9]$")
_DID = re.compile(r"^did:(plc:[a-z2-7]{24}|web:[a-z0-9.:%-]+)$")
_MASTODON_USER = re.compile(r"^[a-z0-9_]+(?:[a-z0-9_.-]*[a-z0-9_])?$")
_GITHUB_LOGIN = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,38}$")
_SE_SITE = re.compile(r"^[a-z0-9.-]+$")
_HN_USER = re.compile(r"^[A-Za-z0-9_-]{2,15}$")
_YT_CHANNEL = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
_YT_HANDLE = re.compile(r"^@[a-z0-9._-]{3,30}$")


def _bluesky(raw: str) -> str:
    value = raw.strip().removeprefix("@")
    if value.lower().startswith("did:"):
        did = value.lower() if value.lower().startswith("did:plc:") else value
        if not _DID.match(did):
            raise InvalidHandle("not a valid DID (did:plc:... or did:web:...)")
        return did
    handle = value.lower()
    if not _DOMAIN.match(handle) or len(handle) > 253:
        raise InvalidHandle("a Bluesky handle is a domain name, e.g. alice.bsky.social")
    return handle


def _mastodon(raw: str) -> str:
    value = raw.strip()
    if value.startswith(("https://", "http://")):
        try:
            parts = urlsplit(value)
        except ValueError as exc:  # e.g. an unclosed "[" in the host
            raise InvalidHandle(f"not a valid address: {exc}") from None
        user = parts.path.strip("/").removeprefix("@")
        value = f"{user}@{parts.hostname or ''}"
    value = value.removeprefix("@").lower()
    user, sep, instance = value.partition("@")
    if not sep or not _MASTODON_USER.match(user) or not instance:
        raise InvalidHandle("a Mastodon account is user@instance, e.g. alice@mastodon.social")
    # Renown connects to the instance named here: only a DNS name will do (the same
    # rule as renown.http.parse_host, stricter), never 2130706433, 127.1 or [::1].
    if not _DOMAIN.match(instance) or len(instance) > 253:
        raise RefusedHost(
            f"the instance must be a DNS name such as mastodon.social; {instance!r} is not "
            "one (Renown does not contact IP addresses or numeric hosts)"
        )
    return f"{user}@{instance}"


def _github(raw: str) -> str:
    login = raw.strip().removeprefix("@").lower()
    if not _GITHUB_LOGIN.match(login):
        raise InvalidHandle("a GitHub login is 1-39 letters, digits or single hyphens")
    return login


def _stackexchange(raw: str) -> str:
    site, sep, user_id = raw.strip().lower().partition(":")
    site = site.removesuffix(".com")
    if not sep or not _SE_SITE.match(site) or not user_id.isdigit():
        raise InvalidHandle("a Stack Exchange account is site:user_id, e.g. stackoverflow:22656")
    return f"{site}:{int(user_id)}"


def _hackernews(raw: str) -> str:
    # Hacker News user ids are case-sensitive: keep the case.
    user = raw.strip()
    if not _HN_USER.match(user):
        raise InvalidHandle("a Hacker News id is 2-15 letters, digits, '-' or '_'")
    return user


def _youtube(raw: str) -> str:
    value = raw.strip()
    if _YT_CHANNEL.match(value):
        return value  # channel ids are case-sensitive
    handle = value.lower()
    if not handle.startswith("@"):
        handle = f"@{handle}"
    if not _YT_HANDLE.match(handle):
        raise InvalidHandle("a YouTube account is a channel id (UC...) or an @handle")
    return handle


_OPENALEX = re.compile(r"^A\d{4,12}$")
_OPENLIBRARY = re.compile(r"^OL\d{1,10}A$")
_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def _last_path_part(value: str) -> str:
    value = value.strip()
    if value.startswith(("https://", "http://")):
        try:
            return urlsplit(value).path.rstrip("/").rsplit("/", 1)[-1]
        except ValueError as exc:
            raise InvalidHandle(f"not a valid address: {exc}") from None
    return value


def _openalex(raw: str) -> str:
    author = _last_path_part(raw).upper()
    if not _OPENALEX.match(author):
        raise InvalidHandle("an OpenAlex author id is A followed by digits, e.g. A5023888391")
    return author


def _openlibrary(raw: str) -> str:
    olid = _last_path_part(raw).removesuffix(".json").upper()
    if not _OPENLIBRARY.match(olid):
        raise InvalidHandle("an Open Library author id is OL...A, e.g. OL23919A")
    return olid


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 11,2 check digit, as ORCID computes it."""
    digits = orcid.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def _orcid(raw: str) -> str:
    orcid = _last_path_part(raw).upper()
    if not _ORCID.match(orcid) or not orcid_checksum_ok(orcid):
        raise InvalidHandle("an ORCID iD is 0000-0000-0000-000X with a valid check digit")
    return orcid


_NORMALISERS = {
    "bluesky": _bluesky,
    "mastodon": _mastodon,
    "github": _github,
    "stackexchange": _stackexchange,
    "hackernews": _hackernews,
    "youtube": _youtube,
    "openalex": _openalex,
    "openlibrary": _openlibrary,
    "orcid": _orcid,
}


def normalize_handle(network: str, raw: str) -> str:
    """Return the one canonical spelling of ``raw`` on ``network``.

    Raises InvalidHandle when the text cannot be an identifier on that network,
    and KeyError for an unknown network.
    """
    return _NORMALISERS[network](raw)


def _url_parts(value: str) -> tuple[str, list[str], str]:
    text = value.strip()
    if not text.lower().startswith(("https://", "http://")):
        text = "https://" + text  # ATSs often store "github.com/alice" without a scheme
    parts = urlsplit(text)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    return host, [p for p in parts.path.split("/") if p], parts.query


def account_from_url(url: str) -> tuple[str, str] | None:
    """The (network, normalised handle) a profile URL points to, or None if Renown cannot read it.

    Recognises profile addresses on the networks Renown reads: bsky.app/profile/…,
    github.com/…, stackoverflow.com/users/ID (and other Stack Exchange sites),
    news.ycombinator.com/user?id=…, youtube.com/@… and /channel/UC…, orcid.org/…,
    openalex.org/authors/A…, openlibrary.org/authors/OL…A, and any
    https://instance/@user as Mastodon. Anything else (LinkedIn, X, a personal
    site, a malformed address) gives None: keep it as a link, never guess.
    """
    try:
        host, path, query = _url_parts(url)
    except ValueError:
        return None
    if not host or (not path and host != "news.ycombinator.com"):
        return None
    try:
        if host == "bsky.app" and len(path) >= 2 and path[0] == "profile":
            return "bluesky", normalize_handle("bluesky", path[1])
        if host == "github.com" and len(path) == 1:
            return "github", normalize_handle("github", path[0])
        if host in {"youtube.com", "youtu.be"}:
            if path[0].startswith("@"):
                return "youtube", normalize_handle("youtube", path[0])
            if path[0] == "channel" and len(path) >= 2:
                return "youtube", normalize_handle("youtube", path[1])
            return None
        if host == "news.ycombinator.com" and path == ["user"]:
            for pair in query.split("&"):
                key, _, value = pair.partition("=")
                if key == "id" and value:
                    return "hackernews", normalize_handle("hackernews", value)
            return None
        if path[0] == "users" and len(path) >= 2 and path[1].isdigit():
            if host.endswith(".stackexchange.com"):
                site = host.removesuffix(".stackexchange.com")
            elif host in {"stackoverflow.com", "serverfault.com", "superuser.com", "askubuntu.com"}:
                site = host.removesuffix(".com")
            else:
                site = ""
            if site:
                return "stackexchange", normalize_handle("stackexchange", f"{site}:{path[1]}")
        if host == "orcid.org" and len(path) == 1:
            return "orcid", normalize_handle("orcid", path[0])
        if host == "openalex.org" and path[-1].upper().startswith("A"):
            return "openalex", normalize_handle("openalex", path[-1])
        if host == "openlibrary.org" and len(path) >= 2 and path[0] == "authors":
            return "openlibrary", normalize_handle("openlibrary", path[1])
        if len(path) == 1 and path[0].startswith("@") and _DOMAIN.match(host):
            return "mastodon", normalize_handle("mastodon", f"{path[0]}@{host}")
    except InvalidHandle:
        return None
    return None
