"""
The processes of the fleet tests, run as `python -m tests.redis._worker ROLE ...`.

`receive PORT SECRET REDIS_URL`: a webhook receiver, as each web worker of a service runs it: verify, keep
the first delivery of each event (the duplicate guard's store is in Redis, shared by every worker), count it
in Redis (`handled:<event id>`), and publish decisions for the waiters.

`wait BASE_URL API_KEY REDIS_URL REVIEW_ID...`: a worker waiting for decisions, one thread per review, through
the decisions in Redis. Prints a JSON line per decision (`review_id`, `status`, `at`: unix time) and, last,
`{"polls": <GET requests sent>}`.
"""

from __future__ import annotations

import json
import sys
import threading
import time

import httpx


def receive(port: int, secret: str, redis_url: str) -> None:
    import redis.asyncio
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from hitl import SIGNATURE_HEADER, WebhookVerificationError, construct_event
    from hitl_async import AsyncDuplicateGuard, AsyncRedisDecisions, AsyncRedisDedupeStore

    client = redis.asyncio.Redis.from_url(redis_url)
    guard = AsyncDuplicateGuard(AsyncRedisDedupeStore(client))
    decisions = AsyncRedisDecisions(client)

    async def hook(request: Request) -> Response:
        try:
            event = construct_event(await request.body(), request.headers.get(SIGNATURE_HEADER), secret)
        except WebhookVerificationError:
            return Response(status_code=400)
        if await guard.first_time(event):
            await client.incr(f"handled:{event.id}")
            await decisions.publish(event)
        return Response(status_code=204)

    app = Starlette(routes=[Route("/hooks", hook, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def wait(base_url: str, api_key: str, redis_url: str, review_ids: list[str]) -> None:
    import redis

    from hitl_sync import HITL, RedisDecisions

    polls = 0
    lock = threading.Lock()

    def say(line: dict[str, object]) -> None:
        with lock:  # one whole line at a time: print() from several threads may interleave
            print(json.dumps(line), flush=True)

    def count(request: httpx.Request) -> None:
        nonlocal polls
        if request.method == "GET":
            with lock:
                polls += 1
            say({"polled": request.url.path.rsplit("/", 1)[-1]})

    http = httpx.Client(event_hooks={"request": [count]})
    decisions = RedisDecisions(redis.Redis.from_url(redis_url), block=1.0)
    with HITL(api_key=api_key, base_url=base_url, http_client=http) as client:

        def one(review_id: str) -> None:
            review = client.reviews.wait(review_id, via=decisions, timeout=60)
            say({"review_id": review_id, "status": str(review.status), "at": time.time()})

        threads = [threading.Thread(target=one, args=(review_id,)) for review_id in review_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    say({"polls": polls})


if __name__ == "__main__":
    role, *arguments = sys.argv[1:]
    if role == "receive":
        receive(int(arguments[0]), arguments[1], arguments[2])
    else:
        wait(arguments[0], arguments[1], arguments[2], arguments[3:])
