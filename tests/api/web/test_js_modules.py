"""Our JavaScript where it matters, run in Chromium: the ANSI parser, the SSE parser, and a
console that resumes a dropped log stream without losing or repeating a line."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page

from aftomato.api.web.routes import STATIC

HARNESS = """<!doctype html><html><head><meta charset="utf-8"></head>
<body><input type="checkbox" id="follow" checked><pre id="console"></pre></body></html>"""

LINES = [
    "plain start",
    "\x1b[32mgreen begins",
    "still green\x1b[0m",
    '<img src=x onerror="window.pwned=1">',
    "\x1b[1;31mFAILED\x1b[0m 3 tests",
]


class LogServer:
    """Serves the harness, our static files, and a log stream that drops once mid-way."""

    def __init__(self) -> None:
        self.resumed_after: list[str | None] = []
        self.drop = asyncio.Event()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/harness", self.harness)
        app.router.add_get("/log-events", self.log_events)
        app.router.add_get("/regions", self.regions)
        app.router.add_static("/static/", STATIC)
        return app

    async def harness(self, _: web.Request) -> web.Response:
        return web.Response(text=HARNESS, content_type="text/html")

    async def regions(self, _: web.Request) -> web.Response:
        """A fresh render of a page: one live region changed, one plain element changed."""
        return web.Response(
            text='<div id="status" data-live data-final="yes"><b>succeeded</b></div>'
            '<div id="plain">changed</div>',
            content_type="text/html",
        )

    async def log_events(self, request: web.Request) -> web.StreamResponse:
        last = request.headers.get("Last-Event-ID")
        self.resumed_after.append(last)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        # At-least-once: after a drop the server repeats the last line the client already has.
        start = 1 if last is None else int(last)
        stop = 3 if last is None else len(LINES)
        for n in range(start, stop + 1):
            payload = json.dumps({"n": n, "text": LINES[n - 1]})
            await response.write(
                f": keep-alive\r\nevent: line\r\nid: {n}\r\ndata: {payload}\r\n\r\n".encode()
            )
        if last is None:
            await self.drop.wait()  # the test says when the browser has shown what it was sent
            if request.transport is not None:
                request.transport.close()
            return response
        await response.write(b'event: end\ndata: {"state": "failed"}\n\n')
        await response.write_eof()
        return response


@pytest.fixture
async def log_server() -> AsyncIterator[tuple[LogServer, str]]:
    server = LogServer()
    async with TestServer(server.app()) as test_server:
        yield server, str(test_server.make_url("/"))


@pytest.fixture
async def page(browser: Browser, log_server: tuple[LogServer, str]) -> AsyncIterator[Page]:
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(log_server[1] + "harness")
    yield page
    assert errors == []


async def run(page: Page, body: str) -> Any:
    """Runs ``body`` (an async function body that may import our modules) in the page."""
    return await page.evaluate(f"async () => {{ {body} }}")


async def test_ansi_parser_styles_colours_and_drops_other_sequences(page: Page) -> None:
    result = await run(
        page,
        r"""
        const { parseAnsi, PLAIN } = await import("/static/js/ansi.js");
        const texts = (parsed) => parsed.segments.map((s) => [s.text, s.style.fg, s.style.bold]);
        const colours = (parsed) => parsed.segments.map((s) => [s.style.fg, s.style.bg]);
        const words = (parsed) => parsed.segments.map((s) => s.text);
        const first = parseAnsi("\x1b[1;31mred\x1b[0m plain");
        const opened = parseAnsi("\x1b[32mgreen");
        const carried = parseAnsi("more", opened.state);
        return {
          first: texts(first),
          carried: texts(carried),
          extended: colours(parseAnsi("\x1b[38;5;208ma\x1b[48;2;1;2;300mb")),
          grey: parseAnsi("\x1b[38;5;232mx").segments[0].style.fg,
          bright: parseAnsi("\x1b[91;104mx").segments[0].style,
          cleared: words(parseAnsi("\x1b[2K\x1b[1G\x1b]0;title\x07done\x1b[?25l")),
          redrawn: parseAnsi("10%\r50%\r100%").segments.map((s) => s.text).join(""),
          malformed: parseAnsi("\x1b[38;5m\x1b[38;2;1mok\x1b[mend").segments.map((s) => s.text),
          resetAll: parseAnsi("\x1b[1;4;7;31;42mx\x1b[0m").state,
          plain: PLAIN,
        };
        """,
    )
    assert result["first"] == [["red", 1, True], [" plain", None, False]]
    assert result["carried"] == [["more", 2, False]]
    assert result["extended"] == [
        ["rgb(255, 135, 0)", None],
        ["rgb(255, 135, 0)", "rgb(1, 2, 255)"],
    ]
    assert result["grey"] == "rgb(8, 8, 8)"
    assert (result["bright"]["fg"], result["bright"]["bg"]) == (9, 12)
    assert result["cleared"] == ["done"]
    assert result["redrawn"] == "100%"
    assert "".join(result["malformed"]) == "okend"
    assert result["resetAll"] == result["plain"]


async def test_rendered_segments_are_text_never_markup(page: Page) -> None:
    result = await run(
        page,
        r"""
        const { parseAnsi, renderSegments } = await import("/static/js/ansi.js");
        const hostile =
          '\x1b[31m<img src=x onerror="window.pwned=1"></pre><script>window.pwned=2</script>';
        const host = document.createElement("div");
        host.append(renderSegments(parseAnsi(hostile).segments));
        const inverse = document.createElement("div");
        inverse.append(renderSegments(parseAnsi("\x1b[7;33mw\x1b[38;5;200;7mx").segments));
        document.body.append(host, inverse);
        await new Promise((resolve) => setTimeout(resolve, 50));
        return {
          elements: host.querySelectorAll("img, script").length,
          text: host.textContent,
          classes: host.firstElementChild.className,
          inverse: [...inverse.children].map((s) => [s.className, s.style.backgroundColor]),
          pwned: window.pwned ?? null,
        };
        """,
    )
    assert result["elements"] == 0
    assert result["pwned"] is None
    assert (
        result["text"]
        == '<img src=x onerror="window.pwned=1"></pre><script>window.pwned=2</script>'
    )
    assert result["classes"] == "ansi-fg-1"
    assert result["inverse"] == [
        ["ansi-inverse-fg ansi-bg-3", ""],
        ["ansi-inverse-fg", "rgb(255, 0, 215)"],
    ]


async def test_sse_parser_handles_any_chunking_comments_and_multiline_data(page: Page) -> None:
    result = await run(
        page,
        r"""
        const { SseParser } = await import("/static/js/sse.js");
        const stream = ": keep-alive\r\nevent: line\r\nid: 7\r\ndata: {\"n\": 7}\r\n\r\n" +
          "data: one\ndata:two\n\nevent: ignored-without-data\n\nid: 9\rdata: cr\r\r\n";
        const whole = new SseParser().feed(stream);
        const split = new SseParser();
        const pieces = [];
        for (const char of stream) pieces.push(...split.feed(char));
        return { whole, pieces };
        """,
    )
    expected = [
        {"type": "line", "data": '{"n": 7}', "id": "7"},
        {"type": "message", "data": "one\ntwo", "id": None},
        {"type": "message", "data": "cr", "id": "9"},
    ]
    assert result["whole"] == expected
    assert result["pieces"] == expected


async def test_console_resumes_after_a_drop_with_every_line_once_and_in_colour(
    page: Page, log_server: tuple[LogServer, str]
) -> None:
    server = log_server[0]
    following = asyncio.create_task(
        run(
            page,
            r"""
        const { followEvents } = await import("/static/js/sse.js");
        const { LogConsole } = await import("/static/js/console.js");
        const logConsole = new LogConsole(
          document.getElementById("console"), document.getElementById("follow"));
        const states = [];
        let ended = null;
        await followEvents("/log-events", {
          retryMs: 50,
          onState: (state) => states.push(state),
          onEvent(event) {
            if (event.type === "line") logConsole.append(JSON.parse(event.data));
            if (event.type === "end") { ended = JSON.parse(event.data).state; return "stop"; }
          },
        });
        const lines = [...document.querySelectorAll("#console .line")];
        return {
          numbers: lines.map((line) => Number(line.dataset.n)),
          texts: lines.map((line) => line.textContent.replace(/\n$/, "")),
          greenSecond: lines[2].querySelector(".ansi-fg-2") !== null,
          images: document.querySelectorAll("#console img").length,
          states, ended, pwned: window.pwned ?? null,
        };
        """,
        )
    )
    await page.wait_for_function("document.querySelectorAll('#console .line').length === 3")
    server.drop.set()
    result = await following
    assert server.resumed_after == [None, "3"]
    assert result["numbers"] == [1, 2, 3, 4, 5]
    assert result["texts"] == [
        "plain start",
        "green begins",
        "still green",
        '<img src=x onerror="window.pwned=1">',
        "FAILED 3 tests",
    ]
    assert result["greenSecond"], "a colour set on one line carries to the next"
    assert result["images"] == 0
    assert result["pwned"] is None
    assert result["ended"] == "failed"
    assert result["states"][:3] == ["open", "retry", "open"]
    assert result["states"][-1] == "closed"


async def test_follow_events_gives_up_only_when_aborted(page: Page) -> None:
    result = await run(
        page,
        r"""
        const { followEvents } = await import("/static/js/sse.js");
        const controller = new AbortController();
        let calls = 0;
        const failing = async () => { calls += 1; throw new TypeError("network down"); };
        const done = followEvents("/nowhere", { retryMs: 10, maxRetryMs: 20, fetchImpl: failing,
          signal: controller.signal, onEvent: () => {} });
        await new Promise((resolve) => setTimeout(resolve, 200));
        controller.abort();
        await done;
        const after = calls;
        await new Promise((resolve) => setTimeout(resolve, 100));
        return { calls: after, stillCalling: calls !== after };
        """,
    )
    assert result["calls"] >= 5, "it kept retrying, with a bounded delay"
    assert not result["stillCalling"]


async def test_refresh_swaps_live_regions_only_and_says_so(page: Page) -> None:
    result = await run(
        page,
        r"""
        const { refreshRegions } = await import("/static/js/refresh.js");
        document.body.insertAdjacentHTML("beforeend",
          '<div id="status" data-live data-final="no">running</div><div id="plain">kept</div>');
        let told = 0;
        document.addEventListener("regions-refreshed", () => { told += 1; });
        const swapped = await refreshRegions(document, "/regions");
        const status = document.getElementById("status");
        return { swapped, told, html: status.innerHTML, final: status.dataset.final,
                 plain: document.getElementById("plain").textContent };
        """,
    )
    assert result == {
        "swapped": True,
        "told": 1,
        "html": "<b>succeeded</b>",
        "final": "yes",
        "plain": "kept",
    }


async def test_coalesce_runs_once_per_burst_never_twice_at_once_never_dropping(
    page: Page,
) -> None:
    result = await run(
        page,
        r"""
        const { coalesce } = await import("/static/js/refresh.js");
        const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
        let runs = 0, running = 0, overlapped = false;
        const schedule = coalesce(async () => {
          running += 1;
          overlapped ||= running > 1;
          runs += 1;
          await wait(80);
          running -= 1;
        }, 20);
        for (let i = 0; i < 10; i++) schedule();   // a burst: one run
        await wait(50);
        schedule();                                 // while it runs: one more run afterwards
        await wait(300);
        return { runs, overlapped };
        """,
    )
    assert result == {"runs": 2, "overlapped": False}


async def test_cookie_reads_the_csrf_value(page: Page) -> None:
    result = await run(
        page,
        r"""
        const { cookie } = await import("/static/js/api.js");
        const jar = "a=1; aftomato_csrf=abc%3D%3D=x; aftomato_session_x=no";
        return [cookie("aftomato_csrf", jar), cookie("missing", jar), cookie("a", jar)];
        """,
    )
    assert result == ["abc===x", "", "1"]


async def test_console_follows_until_the_reader_scrolls_up_and_again_when_asked(page: Page) -> None:
    result = await run(
        page,
        r"""
        const { LogConsole } = await import("/static/js/console.js");
        const element = document.getElementById("console");
        element.style.cssText = "height: 100px; overflow: auto; white-space: pre";
        const follow = document.getElementById("follow");
        const logConsole = new LogConsole(element, follow);
        const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
        for (let n = 1; n <= 50; n++) logConsole.append({ n, text: `line ${n}` });
        await frame();
        const followedToEnd = logConsole.atEnd();
        element.scrollTop = 0;
        element.dispatchEvent(new Event("scroll"));
        const afterScrollUp = follow.checked;
        logConsole.append({ n: 51, text: "line 51" });
        const stayedUp = element.scrollTop === 0;
        follow.checked = true;
        follow.dispatchEvent(new Event("change"));
        return { followedToEnd, afterScrollUp, stayedUp, backAtEnd: logConsole.atEnd(),
                 repeated: logConsole.append({ n: 51, text: "again" }) };
        """,
    )
    assert result == {
        "followedToEnd": True,
        "afterScrollUp": False,
        "stayedUp": True,
        "backAtEnd": True,
        "repeated": False,
    }
