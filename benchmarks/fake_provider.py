"""A stand-in for all nine provider APIs, serving synthetic people on loopback.

    python -m benchmarks.fake_provider --port 8799 --latency-ms 50 \\
        --error-rate 0.2 --rate-limit-rate 0.1 --timeout-rate 0.05 --malformed-rate 0.02

Every answer has the real API's shape: the recorded fixtures the adapters are
tested on serve as templates, with the numbers replaced by a synthetic person
derived from the handle (the same handle always gives the same person). A
handle containing "missing" is unknown, answered in that API's own not-found
way. Point Renown at it with RENOWN_PROVIDER_URL_<NETWORK>=http://127.0.0.1:PORT
and RENOWN_ALLOW_PRIVATE_HOSTS=1. It never describes a real person.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import hashlib
import json
import random
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from benchmarks.ports import STAND_IN_IDENTITY, STAND_IN_PATH

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "scoring" / "providers" / "fixtures"
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Faults:
    latency_ms: float = 0.0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    timeout_rate: float = 0.0
    malformed_rate: float = 0.0
    retry_after: int = 1
    timeout_seconds: float = 30.0
    seed: int | None = None
    counts: dict[str, int] = field(default_factory=dict)


def _template(network: str, name: str) -> Any:
    return json.loads((FIXTURES / network / name).read_text())


@dataclass(frozen=True)
class Person:
    """A synthetic account: numbers only, derived from (network, handle)."""

    key: int
    followers: int
    following: int
    posts: int
    likes: float
    created: datetime

    @classmethod
    def of(cls, network: str, handle: str) -> Person:
        digest = hashlib.sha256(f"{network}:{handle}".encode()).digest()
        rng = random.Random(digest)
        followers = int(rng.lognormvariate(6, 2)) % 5_000_000
        return cls(
            key=int.from_bytes(digest[:6], "big"),
            followers=followers,
            following=int(followers * rng.uniform(0.05, 1.1)) + rng.randint(0, 300),
            posts=rng.randint(0, 20_000),
            likes=round(max(0.0, followers * rng.uniform(0.001, 0.03)), 1),
            created=EPOCH - timedelta(days=rng.randint(30, 5000)),
        )


Answer = tuple[int, Any]


def _bluesky_profile(handle: str) -> Answer:
    p = Person.of("bluesky", handle)
    body = _template("bluesky", "get_profile.json")
    body.update(
        did=f"did:plc:{p.key:024x}"[:32],
        handle=handle,
        followersCount=p.followers,
        followsCount=p.following,
        postsCount=p.posts,
        createdAt=p.created.isoformat(),
    )
    return 200, body


def _bluesky_feed(handle: str) -> Answer:
    p = Person.of("bluesky", handle)
    template = _template("bluesky", "get_author_feed.json")
    item = template["feed"][0]
    feed = []
    for i in range(min(30, p.posts)):
        post = copy.deepcopy(item)
        post["post"].update(
            likeCount=int(p.likes * (1 + i % 3) / 2),
            repostCount=int(p.likes / 6),
            replyCount=int(p.likes / 10),
        )
        post["post"]["author"]["handle"] = handle
        feed.append(post)
    return 200, {"cursor": template.get("cursor"), "feed": feed}


def _mastodon_lookup(user: str) -> Answer:
    p = Person.of("mastodon", user)
    body = _template("mastodon", "lookup.json")
    body.update(
        id=str(p.key),
        username=user,
        acct=user,
        followers_count=p.followers,
        following_count=p.following,
        statuses_count=p.posts,
        created_at=p.created.replace(hour=0, minute=0, second=0).isoformat(),
    )
    return 200, body


def _mastodon_statuses(account_id: str) -> Answer:
    template = _template("mastodon", "statuses.json")[0]
    rng = random.Random(account_id)
    likes = rng.uniform(0, 200)
    statuses = []
    for i in range(20):
        status = copy.deepcopy(template)
        status.update(
            id=f"{account_id}{i:04d}",
            favourites_count=int(likes),
            reblogs_count=int(likes / 5),
            replies_count=int(likes / 8),
            reblog=None,
            in_reply_to_id=None,
        )
        statuses.append(status)
    return 200, statuses


def _github_user(login: str) -> Answer:
    p = Person.of("github", login)
    body = _template("github", "user.json")
    body.update(
        login=login,
        id=p.key,
        followers=p.followers // 10,
        following=p.following // 10,
        public_repos=min(100, p.posts % 100),
        created_at=p.created.isoformat().replace("+00:00", "Z"),
    )
    return 200, body


def _github_repos(login: str, page: str) -> Answer:
    if page not in {"", "1"}:
        return 200, []
    p = Person.of("github", login)
    template = _template("github", "repos.json")[0]
    repos = []
    for i in range(min(100, p.posts % 100)):
        repo = copy.deepcopy(template)
        repo.update(
            id=p.key + i,
            name=f"repo-{i}",
            full_name=f"{login}/repo-{i}",
            fork=i % 4 == 3,
            stargazers_count=int(p.likes) // (i + 1),
        )
        repos.append(repo)
    return 200, repos


def _hackernews(user: str) -> Answer:
    p = Person.of("hackernews", user)
    return 200, {
        "about": "",
        "created": int(p.created.timestamp()),
        "id": user,
        "karma": p.followers // 3,
        "submitted": list(range(p.posts % 500)),
    }


def _stackexchange(user_id: str) -> Answer:
    p = Person.of("stackexchange", user_id)
    body = _template("stackexchange", "users.json")
    body["items"][0].update(
        user_id=int(user_id), reputation=p.followers, creation_date=int(p.created.timestamp())
    )
    return 200, body


def _youtube(channel: str) -> Answer:
    p = Person.of("youtube", channel)
    body = _template("youtube", "channels.json")
    item = body["items"][0]
    item["id"] = channel if channel.startswith("UC") else f"UC{p.key:022x}"[:24]
    item["statistics"].update(
        subscriberCount=str(p.followers),
        viewCount=str(p.followers * 40),
        videoCount=str(p.posts % 2000),
        hiddenSubscriberCount=False,
    )
    item["snippet"]["publishedAt"] = p.created.isoformat().replace("+00:00", "Z")
    return 200, body


def _openalex(author: str) -> Answer:
    p = Person.of("openalex", author)
    body = _template("openalex", "author.json")
    body.update(
        id=f"https://openalex.org/{author}",
        works_count=p.posts % 300,
        cited_by_count=p.followers % 20_000,
    )
    body["summary_stats"]["h_index"] = min(p.posts % 300, int((p.followers % 20_000) ** 0.5))
    return 200, body


def _openlibrary_author(olid: str) -> Answer:
    body = _template("openlibrary", "author.json")
    body.update(key=f"/authors/{olid}", name=f"Synthetic Author {olid}")
    return 200, body


def _openlibrary_works(olid: str) -> Answer:
    body = _template("openlibrary", "works.json")
    body.update(size=Person.of("openlibrary", olid).posts % 60, entries=body["entries"][:1])
    return 200, body


def _orcid(orcid: str) -> Answer:
    p = Person.of("orcid", orcid)
    body = _template("orcid", "record.json")
    body["orcid-identifier"]["path"] = orcid
    works = body["activities-summary"]["works"]
    works["group"] = [copy.deepcopy(works["group"][0]) for _ in range(p.posts % 80)]
    if isinstance(body.get("history"), dict) and isinstance(
        body["history"].get("submission-date"), dict
    ):
        body["history"]["submission-date"]["value"] = int(p.created.timestamp() * 1000)
    return 200, body


NOT_FOUND: dict[str, Answer] = {
    "bluesky": (400, {"error": "InvalidRequest", "message": "Profile not found"}),
    "mastodon": (404, {"error": "Record not found"}),
    "github": (
        404,
        {
            "message": "Not Found",
            "documentation_url": "https://docs.github.com/rest",
            "status": "404",
        },
    ),
    "hackernews": (200, None),
    "stackexchange": (
        200,
        {"items": [], "has_more": False, "quota_max": 10000, "quota_remaining": 9999},
    ),
    "youtube": (
        200,
        {
            "kind": "youtube#channelListResponse",
            "etag": "x",
            "pageInfo": {"totalResults": 0, "resultsPerPage": 5},
        },
    ),
    "openalex": (404, {"error": "NotFoundError", "message": "Author not found"}),
    "openlibrary": (404, {"error": "notfound", "key": "/authors/missing"}),
    "orcid": (
        404,
        {
            "response-code": 404,
            "developer-message": "404 Not Found",
            "user-message": "The resource was not found.",
            "error-code": 9016,
            "more-info": "https://members.orcid.org/api/resources/troubleshooting",
        },
    ),
}


def _route(request: web.Request) -> tuple[str, str, Callable[[], Answer]] | None:
    """(network, handle, answer) for a request, or None for an unknown path."""
    path, q = request.path, request.query
    parts = path.strip("/").split("/")
    if path == "/xrpc/app.bsky.actor.getProfile":
        actor = q.get("actor", "")
        return "bluesky", actor, lambda: _bluesky_profile(actor)
    if path == "/xrpc/app.bsky.feed.getAuthorFeed":
        actor = q.get("actor", "")
        return "bluesky", actor, lambda: _bluesky_feed(actor)
    if path == "/api/v1/accounts/lookup":
        acct = q.get("acct", "").split("@")[0]
        return "mastodon", acct, lambda: _mastodon_lookup(acct)
    if len(parts) == 5 and parts[:3] == ["api", "v1", "accounts"] and parts[4] == "statuses":
        return "mastodon", parts[3], lambda: _mastodon_statuses(parts[3])
    if parts[0] == "users" and len(parts) == 2:
        return "github", parts[1], lambda: _github_user(parts[1])
    if parts[0] == "users" and len(parts) == 3 and parts[2] == "repos":
        return "github", parts[1], lambda: _github_repos(parts[1], q.get("page", ""))
    if parts[:2] == ["v0", "user"] and len(parts) == 3:
        user = parts[2].removesuffix(".json")
        return "hackernews", user, lambda: _hackernews(user)
    if parts[:2] == ["2.3", "users"] and len(parts) == 3:
        return "stackexchange", parts[2], lambda: _stackexchange(parts[2])
    if path == "/youtube/v3/channels":
        channel = q.get("id") or q.get("forHandle", "")
        return "youtube", channel, lambda: _youtube(channel)
    if parts[0] == "authors" and len(parts) == 2 and parts[1].startswith("A"):
        return "openalex", parts[1], lambda: _openalex(parts[1])
    if parts[0] == "authors" and len(parts) == 2 and parts[1].endswith(".json"):
        olid = parts[1].removesuffix(".json")
        return "openlibrary", olid, lambda: _openlibrary_author(olid)
    if parts[0] == "authors" and len(parts) == 3 and parts[2] == "works.json":
        return "openlibrary", parts[1], lambda: _openlibrary_works(parts[1])
    if parts[0] == "v3.0" and len(parts) == 3 and parts[2] == "record":
        return "orcid", parts[1], lambda: _orcid(parts[1])
    return None


def create_app(faults: Faults) -> web.Application:
    """The stand-in as an aiohttp application (faults and latency as configured)."""
    rng = random.Random(faults.seed)

    def count(name: str) -> None:
        faults.counts[name] = faults.counts.get(name, 0) + 1

    async def handle(request: web.Request) -> web.Response:
        count("requests")
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        routed = _route(request)
        if routed is None:
            return web.json_response({"error": "unknown path"}, status=404)
        network, handle_, answer = routed
        roll = rng.random()
        if roll < faults.error_rate:
            count("errors")
            return web.json_response(
                {"error": "InternalServerError", "message": "stand-in fault"}, status=503
            )
        roll -= faults.error_rate
        if roll < faults.rate_limit_rate:
            count("rate_limited")
            return web.json_response(
                {"error": "RateLimitExceeded", "message": "stand-in fault"},
                status=429,
                headers={"Retry-After": str(faults.retry_after)},
            )
        roll -= faults.rate_limit_rate
        if roll < faults.timeout_rate:
            count("timeouts")
            await asyncio.sleep(faults.timeout_seconds)
        roll -= faults.timeout_rate
        if roll < faults.malformed_rate:
            count("malformed")
            return web.Response(text="<html>stand-in fault</html>", content_type="application/json")
        if "missing" in handle_:
            count("not_found")
            status, body = NOT_FOUND[network]
        else:
            status, body = answer()
        return web.json_response(body, status=status)

    async def identify(request: web.Request) -> web.Response:
        return web.json_response(STAND_IN_IDENTITY)

    app = web.Application()
    app.router.add_route("GET", STAND_IN_PATH, identify)
    app.router.add_route("GET", "/{tail:.*}", handle)
    return app


@contextmanager
def serve_in_thread(faults: Faults | None = None, *, port: int = 0) -> Iterator[str]:
    """Run the stand-in on 127.0.0.1 in a background thread; yields its base URL."""
    faults = faults or Faults()
    ready = threading.Event()
    state: dict[str, Any] = {}

    def run() -> None:
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(create_app(faults), access_log=None)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", port)
        loop.run_until_complete(site.start())
        state["port"] = runner.addresses[0][1]
        state["loop"], state["runner"] = loop, runner
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield f"http://127.0.0.1:{state['port']}"
    finally:
        state["loop"].call_soon_threadsafe(state["loop"].stop)
        thread.join(10)


NETWORKS = (
    "BLUESKY",
    "MASTODON",
    "GITHUB",
    "STACKEXCHANGE",
    "HACKERNEWS",
    "YOUTUBE",
    "OPENALEX",
    "OPENLIBRARY",
    "ORCID",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--error-rate", type=float, default=0.0, help="share of HTTP 503 answers")
    parser.add_argument(
        "--rate-limit-rate", type=float, default=0.0, help="share of 429 + Retry-After"
    )
    parser.add_argument(
        "--timeout-rate", type=float, default=0.0, help="share of answers held past timeouts"
    )
    parser.add_argument(
        "--malformed-rate", type=float, default=0.0, help="share of malformed bodies"
    )
    parser.add_argument("--retry-after", type=int, default=1)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    faults = Faults(
        latency_ms=args.latency_ms,
        error_rate=args.error_rate,
        rate_limit_rate=args.rate_limit_rate,
        timeout_rate=args.timeout_rate,
        malformed_rate=args.malformed_rate,
        retry_after=args.retry_after,
        seed=args.seed,
    )
    base = f"http://{args.host}:{args.port}"
    print(f"stand-in provider on {base} (synthetic people only). Point Renown at it with:")
    for name in NETWORKS:
        print(f"  RENOWN_PROVIDER_URL_{name}={base}")
    print("  RENOWN_ALLOW_PRIVATE_HOSTS=1 RENOWN_YOUTUBE_API_KEY=stand-in", flush=True)
    try:
        web.run_app(create_app(faults), host=args.host, port=args.port, print=None, access_log=None)
    except OSError as exc:  # the port is taken: say so, no traceback
        sys.exit(
            f"The stand-in provider cannot listen on {args.host}:{args.port}: {exc.strerror}. "
            "Choose another port (make run STAND_IN_PORT=<port>)."
        )


if __name__ == "__main__":
    main()
