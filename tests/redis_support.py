"""
A real Redis server for the tests, started on a free loopback port, and the redis-py clients to reach it.

Needs Debian's `redis-server` on the PATH. Without it the Redis tests are skipped on a developer's machine,
with a message saying what to install; under CI (`CI=true`) they fail instead, so CI cannot pass without them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
import redis.asyncio
import redis.asyncio.retry
import redis.backoff
import redis.retry

__all__ = [
    "AsyncRedisClient",
    "AsyncUnreachableRedis",
    "RedisClient",
    "UnreachableRedis",
    "anyio_backend",
    "fresh_redis",
    "redis_url",
]

# The clients the two test suites use: tests/_async names the first, and its derived twin the second.
AsyncRedisClient = redis.asyncio.Redis
RedisClient = redis.Redis


class AsyncUnreachableRedis(redis.asyncio.Redis):
    """A client of a Redis that is down (nothing listens on port 1), which fails at once, without retries."""

    def __init__(self) -> None:
        super().__init__(
            host="127.0.0.1", port=1, retry=redis.asyncio.retry.Retry(redis.backoff.NoBackoff(), 0)
        )


class UnreachableRedis(redis.Redis):
    """A blocking client of a Redis that is down, which fails at once, without retries."""

    def __init__(self) -> None:
        super().__init__(host="127.0.0.1", port=1, retry=redis.retry.Retry(redis.backoff.NoBackoff(), 0))


@pytest.fixture
def anyio_backend() -> str:
    """redis-py's awaitable client runs on asyncio only (not trio): the async Redis tests run there alone."""
    return "asyncio"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """`redis://127.0.0.1:<port>/0` of a redis-server that lives for the session, without persistence."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed: `apt-get install redis-server` to run the Redis tests"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: CI must install it)")
        pytest.skip(message)
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.02)
        client.close()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def fresh_redis(redis_url: str) -> str:
    """The session's Redis server, emptied for this test."""
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    client.close()
    return redis_url
