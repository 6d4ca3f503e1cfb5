"""A real HTTP server on 127.0.0.1 that speaks OpenAI chat completions (and Anthropic Messages) for judge tests.

It judges by a deterministic rule named by the request's model (the part before the first '-'):
- `longest`: the answer with the most words wins (pairwise, ranking); a rating is the word count, capped to 1..10;
- `shortest`: the answer with the fewest words wins; a rating is 11 minus the capped word count;
- `first`: always `[[A]]` (a judge with pure position bias); a rating of 5.
A step-level prompt (steps between `<step_N>` tags) is answered, whatever the rule, with the earliest step whose
text says "oops" (-1 when none does).
Its reasoning quotes a decoy verdict before the final one, so parsers must read the last line.

Faults are asked for inside the judged text, so they hit the same prompt whatever the order of concurrent requests:
`<fault:KIND:N>` makes the first N attempts of that prompt fail (N = `all`: every attempt). KIND is `429` (with a
Retry-After header), `500`, `hang` (answers only after `hang_seconds`, past the client's timeout), `badjson`, `empty`
(a 200 with no choice), `garbage` (a 200 whose text has no verdict: unparseable, not a transport fault) or
`echoauth` (a 400 whose body repeats the Authorization header, to check that keys are redacted).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["LoopbackJudge", "judge_reply", "words"]

_FAULT = re.compile(r"<fault:(\w+):(\d+|all)>")
_CHOICES = re.compile(r"\[Answer ([A-Z])\]\n(.*?)\n\[End of Answer \1\]", re.DOTALL)
_SINGLE = re.compile(r"\[Answer\]\n(.*?)\n\[End of Answer\]", re.DOTALL)
_STEPS = re.compile(r"<step_(\d+)>\n(.*?)\n</step_\1>", re.DOTALL)


def words(text: str) -> int:
    """The length the rules compare (fault markers do not count)."""
    return len(_FAULT.sub("", text).split())


def judge_reply(rule: str, prompt: str) -> str:
    """The judge's whole answer to a rendered prompt under `rule`."""
    choices = _CHOICES.findall(prompt)
    if choices:
        labels = [x for x, _ in choices]
        sizes = [words(a) for _, a in choices]
        if rule == "first":
            pick = labels[0]
        else:
            best = max(sizes) if rule == "longest" else min(sizes)
            pick = labels[sizes.index(best)]
        decoy = labels[-1] if pick != labels[-1] else labels[0]
        return f"Word counts: {sizes}. A careless judge might answer [[{decoy}]].\nFinal verdict:\n[[{pick}]]"
    single = _SINGLE.search(prompt)
    if single:
        size = min(10, max(1, words(single.group(1))))
        rating = 5 if rule == "first" else size if rule == "longest" else 11 - size
        return f"It has {size} words; a rating of [[1]] would be unfair.\nRating: [[{rating}]]"
    steps = _STEPS.findall(prompt)
    if steps:  # a step-level prompt: the earliest step that says "oops" is the wrong one
        wrong = next((int(n) for n, text in steps if "oops" in text), -1)
        return f"Step 0 looks fine, so not [[0]] unless it says so.\nThe earliest wrong step:\n[[{wrong}]]"
    return "I cannot find the answers in this prompt."


@dataclass
class ServerLog:
    """What the server saw: every request, attempts per prompt, and the most requests in flight at once."""

    requests: int = 0
    attempts: Counter[str] = field(default_factory=Counter)
    times: dict[str, list[float]] = field(default_factory=dict)
    authorization: set[str] = field(default_factory=set)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0


class LoopbackJudge:
    """Start with `with LoopbackJudge() as server:`; `server.url` is the OpenAI base URL (`.../v1`)."""

    def __init__(self, latency: float = 0.0, hang_seconds: float = 2.0, retry_after: str = "0.05") -> None:
        self.latency, self.hang_seconds, self.retry_after = latency, hang_seconds, retry_after
        self.log = ServerLog()
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True  # a hanging handler must not keep the test process alive
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the OpenAI-compatible API."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    @property
    def root(self) -> str:
        """Base URL without the `/v1` (what the Anthropic engine expects)."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> LoopbackJudge:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def attempt(self, key: str) -> int:
        """Count one attempt at a prompt; returns its 1-based number."""
        with self.lock:
            self.log.requests += 1
            self.log.attempts[key] += 1
            self.log.times.setdefault(key, []).append(time.monotonic())
            self.log.in_flight += 1
            self.log.max_in_flight = max(self.log.max_in_flight, self.log.in_flight)
            return self.log.attempts[key]

    def done(self) -> None:
        """One request finished."""
        with self.lock:
            self.log.in_flight -= 1


def _handler(server: LoopbackJudge) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real API servers do

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            messages = body.get("messages", [])
            text = "\n".join(str(m.get("content", "")) for m in messages) + str(body.get("system", ""))
            key = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()
            attempt = server.attempt(key)
            with server.lock:
                server.log.bodies.append(body)
                server.log.authorization.add(self.headers.get("Authorization") or self.headers.get("x-api-key") or "")
            try:
                if server.latency:
                    time.sleep(server.latency)
                self._answer(body, text, attempt)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout): nothing to send
                pass
            finally:
                server.done()

        def _answer(self, body: dict[str, Any], text: str, attempt: int) -> None:
            fault = _FAULT.search(text)
            kind = fault.group(1) if fault and (fault.group(2) == "all" or attempt <= int(fault.group(2))) else None
            if kind == "429":
                return self._send(429, b'{"error": "rate limited"}', {"Retry-After": server.retry_after})
            if kind == "500":
                return self._send(500, b'{"error": "internal"}')
            if kind == "echoauth":
                return self._send(400, f"bad request from {self.headers.get('Authorization')}".encode())
            if kind == "hang":
                time.sleep(server.hang_seconds)
            if kind == "badjson":
                return self._send(200, b'{"choices": [{"message": ')
            if kind == "empty":
                return self._send(200, b'{"choices": []}')
            reply = "I would rather not say." if kind == "garbage" else judge_reply(
                str(body.get("model", "")).split("-")[0], text)
            if self.path.endswith("/messages"):
                data: dict[str, Any] = {"type": "message", "content": [{"type": "text", "text": reply}]}
            else:
                data = {"object": "chat.completion", "model": body.get("model"),
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                                     "finish_reason": "stop"}]}
            return self._send(200, json.dumps(data).encode())

        def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

    return Handler
