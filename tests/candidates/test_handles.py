"""One spelling per account and network."""

from __future__ import annotations

import pytest

from candidates.handles import InvalidHandle, account_from_url, normalize_handle


@pytest.mark.parametrize(
    ("network", "raw", "expected"),
    [
        ("bluesky", "@Alice.BSKY.social", "alice.bsky.social"),
        ("bluesky", "did:plc:ewvi7nxzyoun6zhxrhs64oiz", "did:plc:ewvi7nxzyoun6zhxrhs64oiz"),
        ("mastodon", "@Alice@Mastodon.Social", "alice@mastodon.social"),
        ("mastodon", "https://mastodon.social/@Alice", "alice@mastodon.social"),
        ("github", "@Octocat", "octocat"),
        ("stackexchange", "StackOverflow.com:0022656", "stackoverflow:22656"),
        ("hackernews", "pg", "pg"),
        ("hackernews", "DanG", "DanG"),  # case-sensitive on HN
        ("youtube", "UC_x5XG1OV2P6uZZ5FSM9Ttw", "UC_x5XG1OV2P6uZZ5FSM9Ttw"),
        ("youtube", "GoogleDevelopers", "@googledevelopers"),
    ],
)
def test_normalises(network: str, raw: str, expected: str) -> None:
    assert normalize_handle(network, raw) == expected


@pytest.mark.parametrize(
    ("network", "raw"),
    [
        ("bluesky", "not a handle"),
        ("bluesky", "did:plc:short"),
        ("mastodon", "alice"),
        ("github", "-bad-"),
        ("github", "a" * 40),
        ("stackexchange", "stackoverflow"),
        ("stackexchange", "stackoverflow:abc"),
        ("hackernews", "x"),
        ("youtube", "@a"),
        ("bluesky", "<script>alert(1)</script>"),
    ],
)
def test_rejects_with_a_reason(network: str, raw: str) -> None:
    with pytest.raises(InvalidHandle):
        normalize_handle(network, raw)


def test_unknown_network() -> None:
    with pytest.raises(KeyError):
        normalize_handle("myspace", "tom")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://bsky.app/profile/Alice.bsky.social", ("bluesky", "alice.bsky.social")),
        ("github.com/Octocat", ("github", "octocat")),
        ("https://www.github.com/octocat/", ("github", "octocat")),
        (
            "https://stackoverflow.com/users/22656/jon-skeet",
            ("stackexchange", "stackoverflow:22656"),
        ),
        ("https://math.stackexchange.com/users/123/x", ("stackexchange", "math:123")),
        ("https://news.ycombinator.com/user?id=pg", ("hackernews", "pg")),
        ("https://www.youtube.com/@SomeChannel", ("youtube", "@somechannel")),
        (
            "https://youtube.com/channel/UCabcdefghijklmnopqrstuv",
            ("youtube", "UCabcdefghijklmnopqrstuv"),
        ),
        ("https://orcid.org/0000-0002-1825-0097", ("orcid", "0000-0002-1825-0097")),
        ("https://openalex.org/authors/A5023888391", ("openalex", "A5023888391")),
        ("https://openlibrary.org/authors/OL23919A", ("openlibrary", "OL23919A")),
        ("https://fosstodon.org/@alice", ("mastodon", "alice@fosstodon.org")),
    ],
)
def test_profile_urls_on_networks_renown_reads_become_handles(
    url: str, expected: tuple[str, str]
) -> None:
    assert account_from_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://twitter.com/alice",
        "linkedin.com/in/alice",
        "https://alice.example",
        "https://github.com/octocat/hello-world",  # a repository, not a person
        "https://github.com/",
        "https://bsky.app/profile/not a handle",
        "https://orcid.org/0000-0002-1825-0098",  # bad check digit
        "https://news.ycombinator.com/item?id=1",
        "",
        "http://[::1",
    ],
)
def test_anything_else_is_not_guessed(url: str) -> None:
    assert account_from_url(url) is None


@pytest.mark.parametrize(
    "instance",
    [
        "2130706433", "127.1", "0x7f.1", "0177.0.0.1", "0", "127.0.0.1", "127.000.000.001",
        "0x7f000001", "localhost", "localhost.", "ｌｏｃａｌｈｏｓｔ", "１２７.0.0.1", "[::1]",
        "[::ffff:127.0.0.1]", "169.254.169.254", "mastodon.social.", "under_score.example",
    ],
)  # fmt: skip
def test_a_mastodon_instance_must_be_a_dns_name(instance: str) -> None:
    from candidates.handles import RefusedHost

    with pytest.raises(RefusedHost, match="DNS name"):
        normalize_handle("mastodon", f"alice@{instance}")


def test_every_loopback_spelling_is_refused_as_a_mastodon_instance() -> None:
    from candidates.handles import RefusedHost
    from tests.scoring.test_host_spellings import LOOPBACK_SPELLINGS

    for spelling in LOOPBACK_SPELLINGS:
        with pytest.raises(RefusedHost):
            normalize_handle("mastodon", f"alice@{spelling}")
        with pytest.raises(InvalidHandle):
            normalize_handle("mastodon", f"https://{spelling}/@alice")


@pytest.mark.parametrize(
    ("network", "raw"), [("mastodon", "https://[bad/@alice"), ("orcid", "https://[bad/0000")]
)
def test_an_unparsable_profile_address_is_an_invalid_handle(network: str, raw: str) -> None:
    with pytest.raises(InvalidHandle, match="not a valid address"):
        normalize_handle(network, raw)
