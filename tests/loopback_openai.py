"""A real HTTP server on 127.0.0.1 that speaks OpenAI chat completions and completions (and Anthropic Messages) for
judge tests, answering like a judge, a reasoning judge among them.

It judges by a deterministic rule named by the request's model, `RULE[-FLAG...][@FORMAT]`:
- RULE `longest`: the answer with the most words wins (pairwise, ranking); a rating is the word count, capped to
  1..10; `shortest`: the answer with the fewest words wins; a rating is 11 minus the capped word count; `first`:
  always the first answer (a judge with pure position bias); a rating of 5;
- FLAG `think`: a thinking part first (`<think>` ... `</think>`, 20 to 80 words long by the prompt's hash, with a
  decoy verdict in it); `sep`: that thinking comes back apart, as `message.reasoning_content` (vLLM's reasoning
  parsers); `noisy`: with a temperature above 0, a quarter of the samples (by seed and prompt) pick the other
  answer; any other flag (`longest-1`) only names another judge;
- @FORMAT: the shipped judge format whose prompt the request holds (its answers found from the format's template)
  and whose syntax the verdict is written in (`judge_replies`); without it, rmeval's own prompts.
A step-level prompt (steps between `<step_N>` tags) is answered, whatever the rule, with the earliest step whose
text says "oops" (-1 when none does).
Its reasoning quotes a decoy verdict before the final one, so parsers must read the last line. Tokens are words:
`max_tokens` cuts the reply (finish_reason `length`), and `usage` counts the prompt's, the reply's and the
thinking's words.

Faults are asked for inside the judged text, so they hit the same prompt whatever the order of concurrent requests:
`<fault:KIND:N>` makes the first N attempts of that prompt fail (N = `all`: every attempt). KIND is `429` (with a
Retry-After header), `500`, `hang` (answers only after `hang_seconds`, past the client's timeout), `badjson`, `empty`
(a 200 with no choice), `garbage` (a 200 whose text has no verdict: unparseable, not a transport fault), `ramble`
(thinks for 400 words: cut by a small budget), `echoauth` (a 400 whose body repeats the Authorization header,
to check that keys are redacted), `echolong` (a 500 whose long body holds the credentials at character 290, across
the 300 a message keeps), `echoanswer` (a good verdict whose text also quotes the credentials, whole and cut at many
bytes) or `drip` (a 200 whose body is sent a byte every `drip_seconds`: each read is quick, the whole answer slow).
The credentials are the Authorization or x-api-key header.
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

__all__ = ["LoopbackJudge", "echoed", "judge_reply", "reply_for", "words"]

_FAULT = re.compile(r"<fault:(\w+):(\d+|all)>")
_CHOICES = re.compile(r"\[Answer ([A-Z])\]\n(.*?)\n\[End of Answer \1\]", re.DOTALL)
_SINGLE = re.compile(r"\[Answer\]\n(.*?)\n\[End of Answer\]", re.DOTALL)
_STEPS = re.compile(r"<step_(\d+)>\n(.*?)\n</step_\1>", re.DOTALL)


def words(text: str) -> int:
    """The length the rules compare (fault markers do not count)."""
    return len(_FAULT.sub("", text).split())


def judge_reply(rule: str, prompt: str, flip: bool = False) -> str:
    """The judge's whole answer to a rendered prompt in rmeval's own format under `rule`."""
    choices = _CHOICES.findall(prompt)
    if choices:
        labels = [x for x, _ in choices]
        sizes = [words(a) for _, a in choices]
        if rule == "first":
            pick = labels[0]
        else:
            best = max(sizes) if rule == "longest" else min(sizes)
            pick = labels[sizes.index(best)]
        if flip:
            pick = labels[(labels.index(pick) + 1) % len(labels)]
        decoy = labels[-1] if pick != labels[-1] else labels[0]
        return f"Word counts: {sizes}. A careless judge might answer [[{decoy}]].\nFinal verdict:\n[[{pick}]]"
    single = _SINGLE.search(prompt)
    if single:
        size = min(10, max(1, words(single.group(1))))
        rating = 5 if rule == "first" else size if rule == "longest" else 11 - size
        rating = 11 - rating if flip else rating
        return f"It has {size} words; a rating of [[1]] would be unfair.\nRating: [[{rating}]]"
    steps = _STEPS.findall(prompt)
    if steps:  # a step-level prompt: the earliest step that says "oops" is the wrong one
        wrong = next((int(n) for n, text in steps if "oops" in text), -1)
        return f"Step 0 looks fine, so not [[0]] unless it says so.\nThe earliest wrong step:\n[[{wrong}]]"
    return "I cannot find the answers in this prompt."


def echoed(credentials: str) -> str:
    """The credentials as a careless server quotes them: whole, and cut at every byte from either end (pieces of
    at least 8 characters), so a mask that only looks for the whole key leaves pieces of it."""
    key = credentials.split(" ", 1)[-1]
    pieces = [credentials, *(key[:n] for n in range(8, len(key))), *(key[n:] for n in range(1, len(key) - 7))]
    return " | ".join(pieces)


def _hash(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()[:8], "big")


def _prefer(rule: str, sizes: list[int]) -> list[int]:
    """Positions from the rule's favourite to its least favourite (ties keep their order)."""
    if rule == "first":
        return list(range(len(sizes)))
    return sorted(range(len(sizes)), key=lambda i: -sizes[i] if rule == "longest" else sizes[i])


def format_reply(fmt: str, rule: str, mode: str, answers: list[str], flip: bool) -> str:
    """The verdict of `rule` on `answers` written in format `fmt` (`flip`: the noisy sample's other pick)."""
    from judge_replies import verdict_text

    sizes = [words(a) for a in answers]
    order = _prefer(rule, sizes)
    if flip:
        order = order[1:] + order[:1]
    best = order[0]
    tie = rule != "first" and len(sizes) > 1 and sizes[order[0]] == sizes[order[1]]
    scores = [0] * len(sizes)
    for rank, i in enumerate(order):
        scores[i] = max(1, 9 - 5 * rank)
    if tie:
        scores = [scores[best] if sizes[i] == sizes[best] else scores[i] for i in range(len(sizes))]
    size = min(10, max(1, sizes[0]))
    rating = 5 if rule == "first" else size if rule == "longest" else 11 - size
    if flip and mode == "rating":
        rating = 11 - rating
    return verdict_text(fmt, None if tie else best, scores, rating)


def reply_for(model: str, text: str, seed: int, temperature: float) -> tuple[str, str | None]:
    """The answer and the thinking part (None: none) of judge `model` to the prompt `text`."""
    from judge_replies import decoy, fmt_of, locate

    name, _, fmt = model.partition("@")
    rule, *flags = name.split("-")
    flip = "noisy" in flags and temperature > 0 and _hash(seed, text) % 4 == 0
    if not fmt:
        reply = judge_reply(rule, text, flip)
    else:
        modes = fmt_of(fmt).modes
        found = next(((m, a) for m in modes if (a := locate(fmt, m, text)) is not None), None)
        reply = "I cannot find the answers in this prompt." if found is None else format_reply(
            fmt, rule, found[0], found[1], flip)
    fault = _FAULT.search(text)
    long = fault is not None and fault.group(1) == "ramble"
    if "think" not in flags and not long:
        return reply, None
    length = 400 if long else 20 + _hash(text) % 61
    filler = " ".join(["weighing"] * (length - 10))
    return reply, f"Let me compare them. A hasty judge would write {decoy(fmt)} here. {filler} Now I am sure."


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

    def __init__(self, latency: float = 0.0, hang_seconds: float = 2.0, retry_after: str = "0.05",
                 drip_seconds: float = 0.2) -> None:
        self.latency, self.hang_seconds, self.retry_after = latency, hang_seconds, retry_after
        self.drip_seconds = drip_seconds
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


def _response(path: str, model: str, answer: str, thinking: str | None, prompt: str,
              body: dict[str, Any]) -> dict[str, Any]:
    """The response body: the reply cut at `max_tokens` words (finish `length`), with its usage in words."""
    name, _, fmt = model.partition("@")
    apart = "sep" in name.split("-") and "prompt" not in body
    opened = bool(fmt) and __import__("judge_replies").fmt_of(fmt).think_opened
    full = answer if thinking is None else ("" if apart else ("" if opened else "<think>\n") + thinking
                                            + "\n</think>\n\n") + answer
    pieces = ([] if thinking is None or not apart else thinking.split(" ")) + full.split(" ")
    budget = int(body.get("max_tokens") or body.get("max_completion_tokens") or 10**9)
    cut = len(pieces) > budget
    kept = pieces[:budget]
    think_words = 0 if thinking is None else len(thinking.split(" "))
    if apart:
        reasoning, content = " ".join(kept[:think_words]), " ".join(kept[think_words:]) or None
    else:
        reasoning, content = None, " ".join(kept)
    usage = {"prompt_tokens": len(prompt.split()), "completion_tokens": len(kept),
             "completion_tokens_details": {"reasoning_tokens": min(think_words, len(kept))}}
    finish = "length" if cut else "stop"
    if path.endswith("/messages"):
        return {"type": "message", "content": [{"type": "text", "text": content or ""}],
                "stop_reason": "max_tokens" if cut else "end_turn",
                "usage": {"input_tokens": usage["prompt_tokens"], "output_tokens": len(kept)}}
    if path.endswith("/completions") and not path.endswith("/chat/completions"):
        return {"object": "text_completion", "model": model, "usage": usage,
                "choices": [{"index": 0, "text": content or "", "finish_reason": finish}]}
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if apart:
        message["reasoning_content"] = reasoning
    return {"object": "chat.completion", "model": model, "usage": usage,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}]}


def _handler(server: LoopbackJudge) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real API servers do

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            messages = body.get("messages", [])
            text = "\n".join(str(m.get("content", "")) for m in messages) + str(body.get("system", ""))
            if "prompt" in body:  # /completions: a raw prompt
                text = str(body["prompt"])
            material = messages if "prompt" not in body else text
            key = hashlib.sha256(json.dumps([material, body.get("seed", 0)], sort_keys=True).encode()).hexdigest()
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
            credentials = self.headers.get("Authorization") or self.headers.get("x-api-key") or ""
            if kind == "echoauth":
                return self._send(400, f"bad request from {self.headers.get('Authorization')}".encode())
            if kind == "echolong":
                return self._send(500, ("x" * 290 + credentials + " " + "y" * 400).encode())
            if kind == "drip":
                return self._drip(json.dumps(self._reply(body, text, None)).encode())
            if kind == "hang":
                time.sleep(server.hang_seconds)
            if kind == "badjson":
                return self._send(200, b'{"choices": [{"message": ')
            if kind == "empty":
                return self._send(200, b'{"choices": []}')
            quoted = echoed(credentials) if kind == "echoanswer" else None
            return self._send(200, json.dumps(self._reply(body, text, kind, quoted)).encode())

        def _reply(self, body: dict[str, Any], text: str, kind: str | None, quoted: str | None = None
                   ) -> dict[str, Any]:
            model = str(body.get("model", ""))
            messages = body.get("messages", [])
            user = next((str(m.get("content", "")) for m in reversed(messages) if m.get("role") == "user"), text)
            answer, thinking = reply_for(model, text if "prompt" in body else user, int(body.get("seed", 0)),
                                         float(body.get("temperature", 0.0)))
            if kind == "garbage":
                answer = "I would rather not say."
            if quoted:
                answer = f"Your credentials were {quoted}.\n{answer}"
            return _response(self.path, model, answer, thinking, text, body)

        def _drip(self, payload: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            for i in range(len(payload)):
                self.wfile.write(payload[i:i + 1])
                self.wfile.flush()
                time.sleep(server.drip_seconds)

        def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

    return Handler
