"""Proof codes made and looked for (pure, no database): HTML stripped, any case, whole
words only, the account's own code only."""

from __future__ import annotations

import pytest

from hiring.portal import proof_codes
from scoring.providers.base import ProfileText, PublicProfile

CODE = "renown-k7qxm2vd4p"
PAGE = f"/proof/{CODE}/"


def profile(*texts: ProfileText) -> PublicProfile:
    return PublicProfile(handle="alice@mastodon.example", texts=texts)


def test_codes_are_prefixed_random_base32_and_differ() -> None:
    codes = {proof_codes.code_new() for _ in range(200)}
    assert len(codes) == 200
    assert all(proof_codes.CODE.match(code) for code in codes)


@pytest.mark.parametrize(
    ("network", "text", "method"),
    [
        ("mastodon", ProfileText("note", "the bio", f"<p>Hello</p><p>{CODE}</p>"), "mastodon_note"),
        (
            "mastodon",
            ProfileText("note", "the bio", f"<p>proof:{CODE.upper()}</p>"),
            "mastodon_note",
        ),
        (
            "mastodon",
            ProfileText("note", "the bio", "<p>renown-<span>k7qxm2vd4p</span></p>"),
            "mastodon_note",
        ),
        ("mastodon", ProfileText("note", "the bio", "renown-k7qxm2vd4p&#46;"), "mastodon_note"),
        ("mastodon", ProfileText("field", "the field “x”", CODE), "mastodon_field"),
        (
            "mastodon",
            ProfileText(
                "field",
                "the field “Renown”",
                f'<a href="https://renown.example{PAGE}" rel="me"><span class="invisible">'
                f'https://</span><span class="ellipsis">renown.example/proof/renown-k7</span>'
                f'<span class="invisible">qxm2vd4p/</span></a>',
                link_verified=True,
            ),
            "mastodon_rel_me",
        ),
        (
            "mastodon",  # linked, but the instance did not verify the link back: the code counts
            ProfileText("field", "the field “Renown”", f'<a href="https://r.example{PAGE}">x</a>'),
            "mastodon_field",
        ),
        (
            "mastodon",  # verified, but a link to another page: the code written there counts
            ProfileText(
                "field", "the field “Web”", f'<a href="https://me.example/">{CODE}</a>', True
            ),
            "mastodon_field",
        ),
        (
            "bluesky",
            ProfileText("description", "the description", f"hi 👋 {CODE}"),
            "bluesky_description",
        ),
        ("github", ProfileText("bio", "the bio", f"Dev. ({CODE})"), "github_bio"),
    ],
    ids=[
        "mastodon-note",
        "mastodon-note-upper-case",
        "mastodon-note-split-by-tags",
        "mastodon-note-entity-after",
        "mastodon-field",
        "mastodon-rel-me",
        "mastodon-link-unverified",
        "mastodon-verified-other-link",
        "bluesky-description",
        "github-bio",
    ],
)
def test_the_code_is_found_where_the_owner_wrote_it(
    network: str, text: ProfileText, method: str
) -> None:
    found = proof_codes.proof_find(
        network=network, code=CODE, profile=profile(text), proof_page_path=PAGE
    )
    assert found is not None
    assert found.method == method
    assert found.label == text.label


@pytest.mark.parametrize(
    ("network", "text"),
    [
        ("mastodon", ProfileText("note", "the bio", "<p>Compilers and long walks.</p>")),
        ("mastodon", ProfileText("note", "the bio", "renown-k7qxm2vd4")),  # one short
        ("mastodon", ProfileText("note", "the bio", "renown-k7qxm2vd4pq")),  # one more
        ("mastodon", ProfileText("note", "the bio", "xrenown-k7qxm2vd4p")),  # inside a word
        ("mastodon", ProfileText("note", "the bio", "renown-k7qxm2vd4p9")),
        ("mastodon", ProfileText("note", "the bio", "renown k7qxm2vd4p")),  # no hyphen
        ("mastodon", ProfileText("note", "the bio", "renown-k7qxm2vd5p")),  # one letter off
        ("mastodon", ProfileText("note", "the bio", "renown-k7qxm2vd4\u212a")),  # Kelvin sign
        ("mastodon", ProfileText("note", "the bio", "renown-aaaaaaaaaa")),  # another account's
        ("mastodon", ProfileText("note", "the bio", "<!-- renown-k7qxm2vd4p -->")),  # a comment
        ("bluesky", ProfileText("bio", "the bio", CODE)),  # not a Bluesky place
        ("github", ProfileText("note", "the bio", CODE)),  # not a GitHub place
    ],
    ids=[
        "no-code",
        "short",
        "long",
        "inside-a-word",
        "trailing-digit",
        "no-hyphen",
        "one-letter-off",
        "kelvin-sign",
        "another-accounts-code",
        "html-comment",
        "bluesky-wrong-place",
        "github-wrong-place",
    ],
)
def test_a_similar_or_foreign_code_proves_nothing(network: str, text: ProfileText) -> None:
    assert (
        proof_codes.proof_find(
            network=network, code=CODE, profile=profile(text), proof_page_path=PAGE
        )
        is None
    )


def test_the_places_looked_at_are_named() -> None:
    looked = proof_codes.places_looked(
        profile(
            ProfileText("note", "the bio", ""),
            ProfileText("field", "the profile field “Web”", ""),
        ),
        "mastodon",
    )
    assert looked == ["the bio", "the profile field “Web”"]
