"""Tests for `hitl._types`: NOT_GIVEN, RateLimit, Page and APIResponse."""

from __future__ import annotations

import copy
import datetime as dt
import pickle

import httpx
import pytest

from hitl import NOT_GIVEN, APIResponse, NotGiven, Page, RateLimit


def test_not_given_is_one_falsy_value_apart_from_none() -> None:
    """NOT_GIVEN is a singleton, falsy, not None, and stays itself through copy and pickle."""
    assert NotGiven() is NOT_GIVEN
    assert NOT_GIVEN is not None
    assert not NOT_GIVEN
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert copy.copy(NOT_GIVEN) is NOT_GIVEN
    assert copy.deepcopy(NOT_GIVEN) is NOT_GIVEN
    assert pickle.loads(pickle.dumps(NOT_GIVEN)) is NOT_GIVEN


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1705314600"},
            RateLimit(limit=1000, remaining=0, reset=dt.datetime(2024, 1, 15, 10, 30, tzinfo=dt.UTC)),
        ),
        (
            {"X-RateLimit-Reset": "1705314600.5"},
            RateLimit(
                limit=None, remaining=None, reset=dt.datetime(2024, 1, 15, 10, 30, 0, 500000, tzinfo=dt.UTC)
            ),
        ),
        ({"X-RateLimit-Limit": "lots", "X-RateLimit-Remaining": "12"}, RateLimit(None, 12, None)),
        ({"X-RateLimit-Limit": "x", "X-RateLimit-Reset": "nan"}, None),
        ({"X-RateLimit-Reset": "99999999999999999999"}, None),
        ({}, None),
    ],
)
def test_rate_limit_from_headers(headers: dict[str, str], expected: RateLimit | None) -> None:
    """The three headers parse to ints and an aware UTC datetime; garbled values read as None."""
    assert RateLimit.from_headers(httpx.Headers(headers)) == expected


def test_page_iterates_its_items() -> None:
    """A page is iterable and sized by its items."""
    page = Page(items=[1, 2, 3], has_more=True, next_cursor="c")
    assert list(page) == [1, 2, 3]
    assert len(page) == 3


def test_api_response_parses_once_on_demand() -> None:
    """parse() runs the parser the first time only; the response's status and headers are at hand."""
    calls = []

    def parse() -> str:
        calls.append(1)
        return "parsed"

    response = httpx.Response(201, headers={"X-RateLimit-Limit": "5"})
    api_response = APIResponse(response, request_id="req_1", retries_taken=2, parse=parse)
    assert calls == []
    assert api_response.parse() == "parsed"
    assert api_response.parse() == "parsed"
    assert calls == [1]
    assert (api_response.status_code, api_response.retries_taken) == (201, 2)
    assert api_response.headers["x-ratelimit-limit"] == "5"
    assert api_response.rate_limit == RateLimit(limit=5, remaining=None, reset=None)
    assert repr(api_response) == "<APIResponse [201] request_id='req_1'>"
