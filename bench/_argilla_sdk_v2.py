"""SDK side of bench.argilla_sdk for argilla==2.8.0 (run inside var/sdk-v2): log N records with
suggestions and an annotator's response each, then read them back; prints one JSON line of timings."""

import json
import os
import sys
import time

import argilla as rg

N, RUN = int(os.environ["BENCH_N"]), os.environ["RUN_ID"]
WS, NAME = f"bench-v2-{RUN}", f"bench-v2-{RUN}"
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
    client = rg.Argilla(api_url=os.environ["ARGILLA_API_URL"], api_key=os.environ["ARGILLA_API_KEY"])
    client.http_client.event_hooks["request"].append(on_request)
    client.http_client.event_hooks["response"].append(on_response)
    ws = rg.Workspace(name=WS).create()
    created = client.http_client.post("/api/v1/users", json={
        "username": f"bench-ann-v2-{RUN}", "password": "correct-horse-bench", "role": "annotator"}).json()
    annotator = client.users(username=created["username"])
    annotator.add_to_workspace(ws)
    settings = rg.Settings(fields=[rg.TextField(name="prompt")],
                           questions=[rg.TextQuestion(name="demonstration"),
                                      rg.RatingQuestion(name="quality", values=[1, 2, 3, 4, 5], required=False)])
    ds = rg.Dataset(name=NAME, workspace=WS, settings=settings).create()
    records = [
        rg.Record(
            id=f"p{i}", fields={"prompt": f"prompt {i}: explain something worth explaining"},
            suggestions=[rg.Suggestion("quality", 1 + i % 5, agent="model-x")],
            responses=[rg.Response("demonstration", f"answer {i}", user_id=annotator.id, status="submitted"),
                       rg.Response("quality", 1 + i % 5, user_id=annotator.id, status="submitted")],
        )
        for i in range(N)
    ]
    _, push_s, push_wait = timed(lambda: ds.records.log(records))
    read, pull_s, pull_wait = timed(lambda: list(ds.records(with_responses=True, with_suggestions=True)))
    responses = sum(1 for r in read for x in r.responses if x.question_name == "demonstration")
    if len(read) != N or responses != N:
        raise AssertionError(f"read {len(read)} records with {responses} responses, expected {N}")
    ds.delete()
    annotator.delete()
    ws.delete()
    print(json.dumps({"push_s": push_s, "push_server_s": push_wait, "pull_s": pull_s, "pull_server_s": pull_wait}))


if __name__ == "__main__":
    sys.exit(main())
