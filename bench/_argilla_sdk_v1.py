"""SDK side of bench.argilla_sdk for argilla-v1==1.29.1 (run inside var/sdk-v1): push N records with
suggestions and an annotator's response each, then pull them back; prints one JSON line of timings."""

import json
import os
import sys
import time

import argilla_v1 as rg

N, RUN = int(os.environ["BENCH_N"]), os.environ["RUN_ID"]
WS, NAME = f"bench-v1-{RUN}", f"bench-v1-{RUN}"
waiting = {"s": 0.0}


def on_request(request):
    request.extensions["bench_t0"] = time.perf_counter()


def on_response(response):
    response.read()  # the server's answer, transfer included, is what we time
    waiting["s"] += time.perf_counter() - response.request.extensions["bench_t0"]


def timed(fn):
    waiting["s"] = 0.0
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started, waiting["s"]


def main() -> None:
    hooks = {"event_hooks": {"request": [on_request], "response": [on_response]}}
    key = os.environ["ARGILLA_API_KEY"]
    rg.init(api_url=os.environ["ARGILLA_API_URL"], api_key=key, httpx_extra_kwargs=hooks)
    rg.Workspace.create(WS)
    rg.init(api_url=os.environ["ARGILLA_API_URL"], api_key=key, workspace=WS, httpx_extra_kwargs=hooks)
    annotator = rg.User.create(username=f"bench-ann-v1-{RUN}", password="correct-horse-bench", role="annotator",
                               workspaces=[WS])
    ds = rg.FeedbackDataset(
        fields=[rg.TextField(name="prompt")],
        questions=[rg.TextQuestion(name="demonstration", required=True),
                   rg.RatingQuestion(name="quality", values=[1, 2, 3, 4, 5], required=False)],
    )
    ds.add_records([
        rg.FeedbackRecord(
            fields={"prompt": f"prompt {i}: explain something worth explaining"}, external_id=f"p{i}",
            suggestions=[{"question_name": "quality", "value": 1 + i % 5, "agent": "model-x"}],
            responses=[{"user_id": annotator.id, "status": "submitted",
                        "values": {"demonstration": {"value": f"answer {i}"}, "quality": {"value": 1 + i % 5}}}],
        )
        for i in range(N)
    ])
    _, push_s, push_wait = timed(lambda: ds.push_to_argilla(name=NAME, workspace=WS))
    remote = rg.FeedbackDataset.from_argilla(name=NAME, workspace=WS)
    local, pull_s, pull_wait = timed(remote.pull)
    responses = sum(len(r.responses) for r in local.records)
    if len(local.records) != N or responses != N:
        raise AssertionError(f"pulled {len(local.records)} records with {responses} responses, expected {N}")
    remote.delete()
    annotator.delete()
    rg.Workspace.from_name(WS).delete()
    print(json.dumps({"push_s": push_s, "push_server_s": push_wait, "pull_s": pull_s, "pull_server_s": pull_wait}))


if __name__ == "__main__":
    sys.exit(main())
