"""Tests for `AsyncPaginator`: every item across pages, page by page, the first page, and resuming."""

from __future__ import annotations

import httpx
import pytest

from hitl_async import (
    APIResponseValidationError,
    AsyncPaginator,
    InternalServerError,
    Page,
    Review,
    ReviewStatus,
    TeamMember,
)
from tests.helpers import Handler, error, page, review

from ._support import make_client

pytestmark = pytest.mark.anyio

# Three pages of reviews, keyed by the cursor that fetches them.
PAGES = {
    None: page([review("rev_1"), review("rev_2")], next_cursor="c2"),
    "c2": page([review("rev_3"), review("rev_4")], next_cursor="c3"),
    "c3": page([review("rev_5")]),
}


def three_pages() -> tuple[list[httpx.Request], Handler]:
    """The request log and a handler serving PAGES."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = PAGES[request.url.params.get("cursor")]
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    return seen, handler


async def test_iterating_yields_every_item_across_three_pages() -> None:
    """`async for` walks all pages in order, passing the filters and the next cursor each time."""
    seen, handler = three_pages()
    hitl = make_client(handler)
    ids = [item.id async for item in hitl.reviews.list(status="completed", limit=2)]
    assert ids == ["rev_1", "rev_2", "rev_3", "rev_4", "rev_5"]
    assert [dict(request.url.params) for request in seen] == [
        {"status": "completed", "limit": "2"},
        {"status": "completed", "limit": "2", "cursor": "c2"},
        {"status": "completed", "limit": "2", "cursor": "c3"},
    ]
    assert all(request.url.path == "/v1/reviews" for request in seen)


async def test_pages_walks_page_by_page() -> None:
    """`pages()` gives each page with its items, `has_more` and `next_cursor`."""
    seen, handler = three_pages()
    paginator = make_client(handler).reviews.list()
    pages = [p async for p in paginator.pages()]
    assert [[item.id for item in p] for p in pages] == [["rev_1", "rev_2"], ["rev_3", "rev_4"], ["rev_5"]]
    assert [(p.has_more, p.next_cursor) for p in pages] == [(True, "c2"), (True, "c3"), (False, None)]
    assert all(isinstance(p, Page) and isinstance(p.items[0], Review) for p in pages)
    assert len(seen) == 3


async def test_awaiting_a_list_call_gives_its_first_page() -> None:
    """`await hitl.reviews.list(...)` is the first page, one request, as `first_page()` is."""
    seen, handler = three_pages()
    hitl = make_client(handler)
    first = await hitl.reviews.list(limit=2)
    if isinstance(first, AsyncPaginator):  # the blocking twin, where the call itself is the paginator
        first = first.first_page()
    assert isinstance(first, Page)
    assert ([item.id for item in first.items], first.has_more, first.next_cursor) == (
        ["rev_1", "rev_2"],
        True,
        "c2",
    )
    assert len(seen) == 1
    # The paginator still walks every page when iterated instead.
    assert [item.id async for item in hitl.reviews.list(limit=2)] == [
        "rev_1",
        "rev_2",
        "rev_3",
        "rev_4",
        "rev_5",
    ]


async def test_first_page_fetches_one_page() -> None:
    """`first_page()` makes one request and returns that page."""
    seen, handler = three_pages()
    first = await make_client(handler).reviews.list(limit=2).first_page()
    assert [item.id for item in first] == ["rev_1", "rev_2"]
    assert (len(first), first.has_more, first.next_cursor) == (2, True, "c2")
    assert len(seen) == 1


async def test_resuming_from_a_cursor() -> None:
    """Passing a page's `next_cursor` as `cursor=` continues from there, in both styles."""
    seen, handler = three_pages()
    hitl = make_client(handler)
    first = await hitl.reviews.list().first_page()
    resumed = [item.id async for item in hitl.reviews.list(cursor=first.next_cursor)]
    second = await hitl.reviews.list(cursor="c2").first_page()
    assert resumed == ["rev_3", "rev_4", "rev_5"]
    assert [item.id for item in second] == ["rev_3", "rev_4"]
    assert [request.url.params.get("cursor") for request in seen] == [None, "c2", "c3", "c2"]


async def test_nothing_is_fetched_before_use_and_stopping_early_fetches_no_more() -> None:
    """A paginator is lazy: making it sends nothing, and leaving the loop early fetches no further page."""
    seen, handler = three_pages()
    paginator = make_client(handler).reviews.list()
    assert isinstance(paginator, AsyncPaginator)
    assert seen == []
    async for item in paginator:
        assert item.id == "rev_1"
        break
    assert len(seen) == 1


async def test_a_paginator_can_be_iterated_again() -> None:
    """Each iteration starts over from the first page."""
    seen, handler = three_pages()
    paginator = make_client(handler).reviews.list()
    first = [item.id async for item in paginator]
    second = [item.id async for item in paginator]
    assert first == second
    assert len(seen) == 6


async def test_enum_filters_are_sent_as_their_values() -> None:
    """A ReviewStatus member goes on the query string as its value."""
    seen, handler = three_pages()
    await make_client(handler).reviews.list(status=ReviewStatus.COMPLETED).first_page()
    assert seen[0].url.params["status"] == "completed"


async def test_an_error_on_a_later_page_is_raised_after_the_earlier_items() -> None:
    """The items of the pages before are delivered, then the error of the failing page is raised."""
    answers = iter([page([review("rev_1")], next_cursor="c2"), error(500, "internal_error")])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers)

    received = []
    with pytest.raises(InternalServerError):
        async for item in make_client(handler, max_retries=0).reviews.list():
            received.append(item.id)
    assert received == ["rev_1"]


async def test_a_repeated_cursor_is_an_error_not_an_endless_loop() -> None:
    """A server that hands back the cursor it was given would loop forever; the paginator raises."""

    def handler(request: httpx.Request) -> httpx.Response:
        return page([review("rev_1")], next_cursor="same")

    with pytest.raises(APIResponseValidationError, match="same cursor twice"):
        async for _ in make_client(handler).reviews.list():
            pass


async def test_other_list_methods_paginate_too() -> None:
    """teams.list_members walks pages with the team id in the path."""
    member = {"email": "a@b.c", "role": "reviewer", "added_at": "2024-01-15T08:05:00Z"}
    answers = {None: page([member], next_cursor="m2"), "m2": page([{**member, "email": "d@e.f"}])}
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[request.url.params.get("cursor")]

    members = [m async for m in make_client(handler).teams.list_members("team_1")]
    assert [m.email for m in members] == ["a@b.c", "d@e.f"]
    assert all(isinstance(m, TeamMember) for m in members)
    assert {request.url.path for request in seen} == {"/v1/teams/team_1/members"}
