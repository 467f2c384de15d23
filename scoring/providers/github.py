"""GitHub through the REST API (version 2022-11-28; a token is optional).

Endpoints: ``GET /users/{login}`` (a user or an organisation: both are fetched; its
``bio`` is where a proof code is looked for) and
``GET /users/{login}/repos?type=owner&per_page=100&page=N`` (stars summed over the
account's own non-fork repositories; at most MAX_PAGES pages, stopping at a short page).
Not found is 404 ``{"message": "Not Found", "documentation_url": ...}``.
Rate limited is 403 or 429: with ``x-ratelimit-remaining: 0`` wait until
``x-ratelimit-reset`` (UTC epoch seconds); a secondary limit sends ``retry-after``
seconds, or only a message naming it (then wait at least a minute). Any other 403
is permanent.
Docs: docs.github.com/rest/users/users#get-a-user,
.../rest/repos/repos#list-repositories-for-a-user,
.../rest/using-the-rest-api/rate-limits-for-the-rest-api.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from renown.http import Response, retry_after_seconds
from scoring import conf
from scoring.providers.base import (
    Observation,
    ObservedMetrics,
    ProfileReader,
    ProfileText,
    Provider,
    ProviderPermanent,
    ProviderRateLimited,
    ProviderTerms,
    PublicProfile,
    iso_time,
)

PER_PAGE = 100  # the API's maximum
MAX_PAGES = 5  # stars beyond the first 500 repositories are not counted
SECONDARY_LIMIT_WAIT = 60.0  # "wait for at least one minute before retrying"


def _message(response: Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("message", "")) if isinstance(body, dict) else ""


class GitHub(Provider, ProfileReader):
    network = "github"
    terms = ProviderTerms(
        summary="Public user and repository data through the REST API; "
        "60 requests/hour without a token, 5,000 with one.",
        source_url="https://docs.github.com/en/site-policy/acceptable-use-policies/"
        "github-acceptable-use-policies#7-information-usage-restrictions",
        notes=[
            "Acceptable Use Policies §7: information from the Service may not be used for "
            "spamming purposes, 'including for the purposes of sending unsolicited emails to "
            "users or selling personal information, such as to recruiters, headhunters, and "
            "job boards'.",
            "Look up only the login the candidate supplied, with consent, and never resell "
            "the data; §8: use personal information only for the purpose the user authorised.",
        ],
    )

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        token = conf.get("RENOWN_GITHUB_TOKEN")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _check(self, response: Response) -> None:
        if response.status in {403, 429}:
            headers = {k.lower(): v for k, v in response.headers.items()}
            if headers.get("x-ratelimit-remaining", "").strip() == "0" or "retry-after" in headers:
                raise ProviderRateLimited(
                    f"github: HTTP {response.status} rate limited",
                    retry_after=retry_after_seconds(headers),
                )
            message = _message(response)
            if "rate limit" in message.lower():
                raise ProviderRateLimited(
                    f"github: HTTP {response.status}: {message}", retry_after=SECONDARY_LIMIT_WAIT
                )
        self.raise_for_status(response)

    async def public_profile(self, handle: str) -> PublicProfile:
        """The user's ``bio`` (plain text; null when empty), from ``GET /users/{login}``."""
        response = await self.get(
            f"{self.base_url}/users/{quote(handle, safe='')}", headers=self._headers()
        )
        self._check(response)
        user = self.json_object(response, "users/{login}")
        login = user.get("login")
        if not isinstance(login, str):
            raise ProviderPermanent("github: user lacks a login")
        bio = user.get("bio")
        texts = (
            (ProfileText(where="bio", label="the bio", text=bio),) if isinstance(bio, str) else ()
        )
        return PublicProfile(handle=login, texts=texts)

    async def fetch(self, handle: str) -> Observation:
        """Profile counts plus stars over the account's own non-fork repositories."""
        users = f"{self.base_url}/users/{quote(handle, safe='')}"
        headers = self._headers()

        response = await self.get(users, headers=headers)
        self._check(response)
        user = self.json_object(response, "users/{login}")
        if not isinstance(user.get("login"), str):
            raise ProviderPermanent("github: user lacks a login")
        metrics: ObservedMetrics = {
            "followers": self.count(user, "followers"),
            "following": self.count(user, "following"),
            "public_repos": self.count(user, "public_repos"),
        }

        stars = 0
        for page in range(1, MAX_PAGES + 1):
            response = await self.get(
                f"{users}/repos",
                {"type": "owner", "per_page": PER_PAGE, "page": page},
                headers,
            )
            self._check(response)
            try:
                repos = response.json()
            except ValueError:
                raise ProviderPermanent("github: repos answered a body that is not JSON") from None
            if not isinstance(repos, list) or not all(isinstance(r, dict) for r in repos):
                raise ProviderPermanent("github: repos answered no array of repositories")
            stars += sum(self.count(r, "stargazers_count") for r in repos if r.get("fork") is False)
            if len(repos) < PER_PAGE:
                break

        metrics["stars"] = stars
        created = iso_time(user.get("created_at"))
        if created is not None:
            metrics["account_created"] = created
        return Observation(metrics=metrics, observed_at=datetime.now(tz=UTC))
