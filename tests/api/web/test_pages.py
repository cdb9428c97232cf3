"""The pages as HTML: what each shows, who may act, and that hostile values stay text."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from markupsafe import escape

from tests.api.web.app import page_client, signed_in
from tests.api.web.memory_reader import MemoryReader, make_build

HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def assert_no_injection(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "onerror=alert" not in html or "onerror=alert(2)&gt;" in html


async def test_dashboard_lists_active_waiting_and_recent_builds() -> None:
    running = make_build(
        "team/app", "main", state="running", finished_at=None, elapsed_seconds=None
    )
    queued = make_build("team/app", "feature/x", state="queued", started_at=None)
    done = make_build("other/lib", "main", state="failed", exit_code=3)
    reader = MemoryReader(keys=["team/app", "other/lib"], history=[running, queued, done])
    async with page_client(reader) as client:
        response = await client.get("/")
        html = await response.text()
    assert response.status == 200
    active = html.split('id="active"')[1].split("</section>")[0]
    waiting = html.split('id="waiting"')[1].split("</section>")[0]
    recent = html.split('id="recent"')[1].split("</section>")[0]
    assert running["build_id"] in active
    assert queued["build_id"] in active
    assert queued["build_id"] in waiting
    assert running["build_id"] not in waiting
    assert done["build_id"] in recent
    assert running["build_id"] in recent
    assert "state-failed" in recent
    assert "The queue is closed" not in html


async def test_dashboard_says_when_the_queue_is_closed_and_why() -> None:
    reader = MemoryReader(
        queue_state={
            "open": False,
            "reason": "<b>release</b>",
            "closed_by": "bob",
            "closed_at": "2026-11-25T06:00:00Z",
        }
    )
    async with page_client(reader) as client:
        html = await (await client.get("/")).text()
    assert "The queue is closed: &lt;b&gt;release&lt;/b&gt;" in html


async def test_project_page_shows_history_chart_and_launch_form_for_operators() -> None:
    builds = [make_build(elapsed_seconds=seconds) for seconds in (30, 60, 90)]
    reader = MemoryReader(history=builds)
    async with page_client(reader) as client:
        as_operator = await (
            await client.get("/projects/team/app", headers=signed_in("operator"))
        ).text()
        as_viewer = await (
            await client.get("/projects/team/app", headers=signed_in("viewer"))
        ).text()
        anonymous = await (await client.get("/projects/team/app")).text()
    assert 'id="launch-form"' in as_operator
    assert 'id="launch-form"' not in as_viewer
    assert 'id="launch-form"' not in anonymous
    assert as_operator.count('<rect class="bar') == 3
    assert "Durations of the last 3 builds" in as_operator
    for build in builds:
        assert f'href="/builds/{build["build_id"]}"' in as_operator
    assert "1m 30s" in as_operator
    assert "0123456789" in as_operator


async def test_project_history_pages_with_a_cursor_and_filters_by_branch() -> None:
    history = [make_build(branch="main") for _ in range(30)] + [make_build(branch="dev")]
    reader = MemoryReader(history=history)
    async with page_client(reader) as client:
        first = await (await client.get("/projects/team/app")).text()
        second = await (await client.get("/projects/team/app?cursor=25")).text()
        dev = await (await client.get("/projects/team/app?branch=dev")).text()
    assert first.count("<tr data-build-id") == 25
    assert 'href="/projects/team/app?cursor=25" rel="next"' in first
    assert second.count("<tr data-build-id") == 6
    assert "Newest" in second
    assert dev.count("<tr data-build-id") == 1
    assert history[-1]["build_id"] in dev


async def test_unknown_project_and_build_answer_404_pages_that_name_them() -> None:
    async with page_client(MemoryReader()) as client:
        project = await client.get("/projects/nobody/" + "%3Cscript%3E")
        malformed = await client.get("/builds/not-an-id")
        project_html = await project.text()
        unknown = await client.get("/builds/" + "0" * 32)
        unknown_html = await unknown.text()
    assert (project.status, malformed.status, unknown.status) == (404, 404, 404)
    assert "There is no project &#39;nobody/&lt;script&gt;&#39;" in project_html
    assert "0" * 32 in unknown_html


@pytest.mark.parametrize(
    "key", ["team/" + HOSTILE.replace("/", ""), "a/b/c d#e?f", "ünïcödé/プロジェクト"]
)
async def test_hostile_project_keys_are_escaped_and_their_links_lead_back(key: str) -> None:
    build = make_build(key, HOSTILE, commit=None, actor=HOSTILE, reason=HOSTILE)
    reader = MemoryReader(keys=[key], history=[build], config_errors={key: HOSTILE})
    async with page_client(reader) as client:
        pages = [await (await client.get(path)).text() for path in ("/", "/projects")]
        link = re.search(r'href="(/projects/[^"]+)"', pages[1])
        assert link is not None
        project_page = await client.get(link.group(1).replace("&amp;", "&"))
        build_page = await client.get(f"/builds/{build['build_id']}")
        pages += [await project_page.text(), await build_page.text()]
    assert project_page.status == 200
    for html in pages:
        assert_no_injection(html)
    assert escape(key) in pages[2]


async def test_build_page_offers_cancel_only_while_running_and_only_to_operators() -> None:
    running = make_build(state="running", finished_at=None, elapsed_seconds=None, exit_code=None)
    done = make_build(state="failed", exit_code=3, reason="the build script exited with 3")
    artifact = {
        "path": "dist/<x>.tar.gz",
        "size": 1536,
        "url": f"/api/v1/builds/{done['build_id']}/artifacts/dist/%3Cx%3E.tar.gz",
    }
    reader = MemoryReader(history=[running, done], artifact_lists={done["build_id"]: [artifact]})
    operator = signed_in("admin")
    async with page_client(reader) as client:
        live = await (await client.get(f"/builds/{running['build_id']}", headers=operator)).text()
        ended = await (await client.get(f"/builds/{done['build_id']}", headers=operator)).text()
        viewer = await (
            await client.get(f"/builds/{running['build_id']}", headers=signed_in("viewer"))
        ).text()
    assert 'id="cancel"' in live
    assert 'id="rebuild"' in live
    assert 'data-final="no"' in live
    assert 'id="cancel"' not in ended
    assert 'id="rebuild"' in ended
    assert 'data-final="yes"' in ended
    assert 'id="cancel"' not in viewer
    assert 'id="rebuild"' not in viewer
    assert 'role="log" aria-live="polite"' in live
    assert f'href="/api/v1/builds/{done["build_id"]}/log"' in ended
    assert '/log"' not in live
    assert "downloaded when the build ends" in live
    assert 'dist/&lt;x&gt;.tar.gz</a> <span class="size">1.5 KiB' in ended
    assert "exit code 3" in ended


async def test_queue_page_shows_state_and_the_form_to_operators() -> None:
    closed = {
        "open": False,
        "reason": "maintenance",
        "closed_by": "bob",
        "closed_at": "2026-11-25T06:00:00Z",
    }
    async with page_client(MemoryReader(queue_state=closed)) as client:
        operator = await (await client.get("/queue", headers=signed_in("operator"))).text()
        anonymous = await (await client.get("/queue")).text()
    assert "closed</strong> by bob" in operator
    assert "Reason: maintenance" in operator
    assert 'data-open="no"' in operator
    assert 'id="queue-form"' in operator
    assert 'id="queue-form"' not in anonymous


async def test_pages_redirect_to_sign_in_when_reading_needs_a_token() -> None:
    async with page_client(MemoryReader(), read_requires_token=True) as client:
        redirect = await client.get("/projects/team/app?branch=x", allow_redirects=False)
        sign_in = await client.get("/sign-in")
        allowed = await client.get("/projects", headers=signed_in("viewer"))
        static = await client.get("/static/app.css")
    assert redirect.status == 303
    location = urlsplit(redirect.headers["Location"])
    assert location.path == "/sign-in"
    assert parse_qs(location.query) == {"next": ["/projects/team/app?branch=x"]}
    assert sign_in.status == 200
    assert allowed.status == 200
    assert static.status == 200


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/builds/abc", "/builds/abc"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
        (None, "/"),
    ],
)
async def test_sign_in_goes_back_only_to_pages_of_this_site(given: str | None, kept: str) -> None:
    async with page_client(MemoryReader()) as client:
        html = await (
            await client.get("/sign-in", params={"next": given} if given else None)
        ).text()
    assert f'data-next="{kept}"' in html
    assert 'type="password"' in html
    assert '<label for="token">' in html


async def test_pages_carry_a_content_security_policy_and_sign_in_state() -> None:
    async with page_client(MemoryReader()) as client:
        anonymous = await client.get("/")
        operator = await client.get("/", headers=signed_in("operator", name="<eve>"))
        script = await client.get("/static/js/main.js")
        anonymous_html, operator_html = await anonymous.text(), await operator.text()
    assert "script-src 'self'" in anonymous.headers["Content-Security-Policy"]
    assert 'id="sign-in-link"' in anonymous_html
    assert 'id="sign-out"' not in anonymous_html
    assert "Signed in as <strong>&lt;eve&gt;</strong> (operator)" in operator_html
    assert script.status == 200
    assert "javascript" in script.headers["Content-Type"]


async def test_absurd_query_values_are_refused_with_400() -> None:
    async with page_client(MemoryReader()) as client:
        response = await client.get("/projects/team/app", params={"branch": "x" * 5000})
        text = await response.text()
    assert response.status == 400
    assert "longer than 1024" in text


async def test_a_cursor_we_never_gave_out_answers_400_with_a_way_back() -> None:
    async with page_client(MemoryReader()) as client:
        response = await client.get("/projects/team/app", params={"cursor": "<forged>"})
        html = await response.text()
    assert response.status == 400
    assert "not one we gave out" in html
    assert '<a href="/projects/team/app">Back to the newest builds</a>' in html
    assert "<forged>" not in html
