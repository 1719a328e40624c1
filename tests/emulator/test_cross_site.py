"""
Tests that a browser cannot be turned against the key-less surfaces (CSRF, framing), and that the reviewer
form is read with a cap. Requests carry the headers a browser would send for each situation.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.emulator._support import data_of, error_of
from tests.emulator.conftest import MakeReview, MakeTemplate
from tests.emulator.test_ui import FORM, form_tokens, submit

OPTIONAL_FIELDS = [{"name": "feedback", "type": "text", "label": "Feedback"}]

# What browsers send with a request that another site's page starts (form post, fetch, sandboxed iframe).
CROSS_SITE_HEADERS = [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://hitl.test.evil.example"},
    {"Origin": "https://hitl.test"},  # same host, other scheme: another origin
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://hitl.test"},
    {"X-HITL-Delivery": "dlv_1"},  # a webhook delivery pointed at the emulator itself
]
SAME_ORIGIN = {"Origin": "http://hitl.test", "Sec-Fetch-Site": "same-origin"}


@pytest.mark.parametrize("headers", CROSS_SITE_HEADERS)
@pytest.mark.asyncio
async def test_cross_site_reset_is_refused(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """An empty cross-site POST to `/_emulator/reset` is a 403 and wipes nothing."""
    data_of(await client.post("/v1/teams", json={"name": "Keep me"}), 201)
    response = await client.post("/_emulator/reset", headers=headers)
    assert response.status_code == 403
    assert error_of(response)["code"] == "cross_site_request"
    assert data_of(await client.get("/_emulator/stats"))["teams"] == 1


@pytest.mark.parametrize("headers", CROSS_SITE_HEADERS)
@pytest.mark.asyncio
async def test_cross_site_control_writes_are_refused(
    client: httpx.AsyncClient, make_review: MakeReview, headers: dict[str, str]
) -> None:
    """Completing a review, starting it or changing settings from another site is refused."""
    review = await make_review()
    path = f"/_emulator/reviews/{review['id']}"
    for response in (
        await client.post(f"{path}/complete", headers=headers, json={"reviewer": "attacker@evil.example"}),
        await client.post(f"{path}/complete", headers={**headers, **FORM}, content="reviewer=x"),
        await client.post(f"{path}/start", headers=headers),
        await client.patch("/_emulator/config", headers=headers, json={"faults": {"rate": 1}}),
    ):
        assert response.status_code == 403, response.text
    assert data_of(await client.get(f"/v1/reviews/{review['id']}"))["status"] == "created"
    assert data_of(await client.get("/_emulator/config"))["faults"]["rate"] == 0


@pytest.mark.parametrize("headers", CROSS_SITE_HEADERS)
@pytest.mark.asyncio
async def test_cross_site_form_posts_are_refused(
    client: httpx.AsyncClient, make_template: MakeTemplate, make_review: MakeReview, headers: dict[str, str]
) -> None:
    """Another site's form cannot complete a review through `/ui`, even with a correct token."""
    review = await make_review((await make_template(OPTIONAL_FIELDS))["id"])
    tokens = await form_tokens(client, review["id"])
    for action in ("start", "complete"):
        body = f"token={tokens[action]}&reviewer=attacker%40evil.example"
        response = await client.post(
            f"/ui/reviews/{review['id']}/{action}", content=body, headers={**FORM, **headers}
        )
        assert response.status_code == 403
    assert data_of(await client.get(f"/v1/reviews/{review['id']}"))["status"] == "created"


@pytest.mark.parametrize("token", [None, "", "0" * 64, "wrong", "é"])
@pytest.mark.asyncio
async def test_a_form_without_its_token_is_refused(
    client: httpx.AsyncClient, make_template: MakeTemplate, make_review: MakeReview, token: str | None
) -> None:
    """Even with no Origin (older browsers, privacy tools), a form needs the token its page carried."""
    review = await make_review((await make_template(OPTIONAL_FIELDS))["id"])
    body = "reviewer=attacker%40evil.example" + ("" if token is None else f"&token={token}")
    for action in ("start", "complete"):
        response = await client.post(f"/ui/reviews/{review['id']}/{action}", content=body, headers=FORM)
        assert response.status_code == 403
        assert "stale" in response.text
    assert data_of(await client.get(f"/v1/reviews/{review['id']}"))["status"] == "created"


@pytest.mark.asyncio
async def test_a_token_is_bound_to_its_review_and_action(
    client: httpx.AsyncClient, make_template: MakeTemplate, make_review: MakeReview
) -> None:
    """One review's token does not open another, and the start token does not complete."""
    template = await make_template(OPTIONAL_FIELDS)
    first, second = await make_review(template["id"]), await make_review(template["id"])
    tokens = await form_tokens(client, first["id"])
    other = await client.post(
        f"/ui/reviews/{second['id']}/complete", content=f"token={tokens['complete']}", headers=FORM
    )
    swapped = await client.post(
        f"/ui/reviews/{first['id']}/complete", content=f"token={tokens['start']}", headers=FORM
    )
    assert (other.status_code, swapped.status_code) == (403, 403)


@pytest.mark.asyncio
async def test_the_browser_flow_still_works(
    client: httpx.AsyncClient, make_template: MakeTemplate, make_review: MakeReview
) -> None:
    """The page's own forms, posted with a browser's same-origin headers, start and complete the review."""
    review = await make_review((await make_template(OPTIONAL_FIELDS))["id"])
    client.headers.update(SAME_ORIGIN)
    assert (await submit(client, review["id"], "start")).status_code == 303
    assert (await submit(client, review["id"], "complete", "f_feedback=fine")).status_code == 303
    assert data_of(await client.get(f"/v1/reviews/{review['id']}"))["result"] == {"feedback": "fine"}
    assert (await client.post("/_emulator/reset", headers={"Sec-Fetch-Site": "none"})).status_code == 200


@pytest.mark.asyncio
async def test_reads_stay_open_to_any_site(client: httpx.AsyncClient) -> None:
    """Cross-site headers on reads change nothing: only state-changing methods are guarded."""
    for path in ("/ui", "/_emulator/health", "/_emulator/stats"):
        assert (await client.get(path, headers=CROSS_SITE_HEADERS[0])).status_code == 200


@pytest.mark.parametrize("path", ["/ui", "/_emulator/health", "/v1/reviews", "/nowhere"])
@pytest.mark.asyncio
async def test_every_answer_forbids_framing_and_sniffing(client: httpx.AsyncClient, path: str) -> None:
    """Anti-framing (X-Frame-Options and CSP frame-ancestors), nosniff and no-store on every answer."""
    response = await client.get(path)
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.asyncio
async def test_the_csp_allows_the_page_style_and_nothing_else(client: httpx.AsyncClient) -> None:
    """The page's one inline stylesheet is allowed by hash; scripts and other sources are not."""
    from hitl_emulator._ui import STYLE

    policy = (await client.get("/ui")).headers["content-security-policy"]
    digest = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy and "script-src" not in policy and "unsafe" not in policy


async def _chunks(count: int, size: int, sent: list[int]) -> AsyncIterator[bytes]:
    yield b"token=x&f_feedback="
    for _ in range(count):
        sent.append(size)
        yield b"a" * size


@pytest.mark.asyncio
async def test_an_oversized_form_is_refused_while_reading(
    client: httpx.AsyncClient, make_template: MakeTemplate, make_review: MakeReview
) -> None:
    """A 64 MiB form is a 413 after about 256 KiB are read; the review stays open, never result={}."""
    review = await make_review((await make_template(OPTIONAL_FIELDS))["id"])
    sent: list[int] = []
    response = await client.post(
        f"/ui/reviews/{review['id']}/complete", content=_chunks(1024, 64 * 1024, sent), headers=FORM
    )
    assert response.status_code == 413
    assert sum(sent) <= 512 * 1024
    stored = data_of(await client.get(f"/v1/reviews/{review['id']}"))
    assert (stored["status"], stored["result"]) == ("created", None)


@pytest.mark.parametrize(
    ("content", "headers", "status"),
    [
        (b"f_feedback=\xff\xfe", FORM, 400),
        (b"f_feedback=%FF%FE", FORM, 303),  # percent-escapes decode leniently, as browsers expect
        (b"&".join(b"f%d=1" % index for index in range(2000)), FORM, 400),
        (b"f_feedback=x", {"Content-Type": "multipart/form-data; boundary=x"}, 415),
        (b"f_feedback=x", {"Content-Type": "text/plain"}, 415),
        (b"f_feedback=x", {}, 415),
    ],
)
@pytest.mark.asyncio
async def test_an_unreadable_form_is_refused_and_the_review_stays_open(
    client: httpx.AsyncClient,
    make_template: MakeTemplate,
    make_review: MakeReview,
    content: bytes,
    headers: dict[str, str],
    status: int,
) -> None:
    """Bytes that are not UTF-8, too many fields or another content type are 4xx pages, not an empty form."""
    review = await make_review((await make_template(OPTIONAL_FIELDS))["id"])
    token = (await form_tokens(client, review["id"]))["complete"]
    body = f"token={token}&".encode() + content
    response = await client.post(f"/ui/reviews/{review['id']}/complete", content=body, headers=headers)
    assert response.status_code == status
    expected = "completed" if status == 303 else "created"
    assert data_of(await client.get(f"/v1/reviews/{review['id']}"))["status"] == expected
