"""The run's per-candidate combination writes, to the character, what ``judge`` says.

``hiring.screening.run`` judges each distinct input once and splices the candidate's own
newest time and, for a volatility band that changes nothing but the band, the
candidate's own noise into the remembered JSON. Random candidates (values on and off
the line, noise inside and outside the fixed band, stale and missing data, flags) must
give each rule's reason exactly as judging that candidate alone gives it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from hiring.screening import metrics, run
from hiring.screening.evaluation import Aggregate, RuleSpec, flag_applies, judge

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
LABEL = "Follower jump (2026-06-01)"
SPECS = [
    RuleSpec(metric="influence", operator="gte", threshold=Decimal(40), aggregation="median",
             near_band=Decimal(2), near_band_source="volatility"),
    RuleSpec(metric="reputation", operator="lt", threshold=Decimal("30.5"),
             missing_data_policy="fail"),
    RuleSpec(metric="vendor:klout", operator="gt", threshold=Decimal(35),
             near_band=Decimal("0.5")),
]  # fmt: skip

values = st.decimals(min_value=0, max_value=100, places=2)
noises = st.one_of(st.none(), st.decimals(min_value=0, max_value=12, places=4))
measures = st.one_of(
    st.none(),  # never measured, or an older point (stale)
    st.tuples(values, st.integers(1, 90), st.integers(0, 3)),  # value, used, hours old
    st.tuples(st.none(), st.just(0), st.sampled_from(["stale", "window"])),
)
candidate = st.tuples(*([st.tuples(measures, noises)] * len(SPECS)), st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(candidate, min_size=1, max_size=40))
def test_each_reason_is_what_judging_the_candidate_alone_gives(people: list[tuple]) -> None:
    prepared = []
    older: list[dict[int, datetime]] = [{} for _ in SPECS]
    measured: list[dict[int, metrics.Measured]] = [{} for _ in SPECS]
    noise: list[dict[int, Decimal] | None] = [
        {} if spec.near_band_source == "volatility" else None for spec in SPECS
    ]
    flags: dict[int, list[metrics.FlagFact]] = {}
    for candidate_id, (*per_rule, flagged) in enumerate(people, start=1):
        if flagged:
            flags[candidate_id] = [
                metrics.FlagFact("follower_jump", frozenset(), NOW.date(), LABEL)
            ]
        for index, (measure, own_noise) in enumerate(per_rule):
            newest = NOW - timedelta(hours=candidate_id % 5)
            if measure is None:
                if candidate_id % 2:
                    older[index][candidate_id] = NOW - timedelta(days=400)
                continue
            value, used, hours = measure
            missing = "" if value is not None else hours
            newest = NOW - timedelta(hours=hours if value is not None else 30 * 24)
            measured[index][candidate_id] = (value, used, missing, newest)
            if noise[index] is not None and own_noise is not None:
                noise[index][candidate_id] = own_noise  # type: ignore[index]
    for index, spec in enumerate(SPECS):
        prepared.append(
            run._Prepared(
                spec=spec, rule_id=index + 1, version=3, group_key=f"r{index}",
                action="screen_out", flag_since=date(2026, 5, 1), measured=measured[index],
                noise=noise[index], older=older[index],
            )
        )  # fmt: skip
    plan = run._Plan(
        candidate_ids=list(range(1, len(people) + 1)),
        rules=prepared,
        flags=flags,
        structure=tuple(("all", (i,)) for i in range(len(SPECS))),
    )
    for row in run._combine(plan):
        written = json.loads(row.reasons_json)
        for index, (spec, reason) in enumerate(zip(SPECS, written, strict=True)):
            found = measured[index].get(row.candidate_id)
            own_noise = None
            if found is not None:
                value, used, missing, newest = found
                if noise[index] is not None:
                    own_noise = noise[index].get(row.candidate_id, Decimal(0))  # type: ignore[union-attr]
            else:
                newest = older[index].get(row.candidate_id)
                value, used, missing = None, 0, "stale" if newest else "none"
            applies = (
                row.candidate_id in flags
                and value is not None
                and flag_applies(spec.metric, "follower_jump")
            )
            result = judge(
                spec,
                Aggregate(value, used, newest if value is None else None, missing),
                volatility=own_noise,
                flags=(LABEL,) if applies else (),
            )
            assert reason == {
                "rule": index + 1,
                "version": 3,
                "outcome": result.outcome,
                "value": None if result.value is None else str(result.value),
                "treated_as": result.treated_as,
                "points": result.points_used,
                "band": str(result.band),
                "data_at": newest.isoformat(timespec="seconds") if newest else None,
                "reason": result.reason,
            }
