#!/usr/bin/env python3
"""An OpenAI-compatible judge server for the tests (standard library only).

POST /v1/chat/completions (any prefix ending in /chat/completions; Authorization: Bearer KEY)
and /openai/deployments/<name>/chat/completions (Azure form; api-key: KEY). GET /stats gives
the request counts and the largest number of requests handled at once.

The reply is deterministic: for a last user message with "Predicted Answer:" and "Correct
Answer:" lines, "{'pred': 'yes', 'score': 4}" when the two lines share a word of three or more
letters (lower-cased), else "{'pred': 'no', 'score': 1}". DREAM-1K messages end with a
"Description:" line (the text after it, to an "Events:" line or the end): with an "Events:" line
(a JSON list) the reply is JSON {"events": [{"event", "relationship", "reason"}]}, the
relationship "entailment" when the event shares such a word with the description, else
"neutral"; without one it is the Python dict {'events': [...]} of the description's sentences
(split at '.', blanks stripped, empty ones dropped, at most 10). Any other message gets
"{'score': 3}".

Faults are asked for in the last user message with a marker [fault:KIND] or
[fault:KIND:key=value,...]. KIND is a status number (429, 500, 503, 400, ...), quota (429
insufficient_quota), stall (no answer for stall_s seconds, default 30), reset (the connection is
reset), malformed (a 200 with a cut JSON body), null (content null), refusal (content null and a
refusal), length (finish_reason length), garbage (a normal completion whose text is in no judge
format), echo_key (a 400 whose message repeats the credential header the server received, as a
careless proxy might: the client must redact it). Keys: times=N (fault only the first N attempts of that
message; by default every attempt), retry_after=S (Retry-After header, verbatim),
retry_after_ms=M (retry-after-ms header), should_retry=true|false (x-should-retry header).

Prints the port on stdout once it listens (bind to port 0 by default).
"""
import argparse
import json
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.by_message = {}
        self.in_flight = 0
        self.max_in_flight = 0

    def enter(self, key):
        with self.lock:
            self.requests += 1
            self.by_message[key] = self.by_message.get(key, 0) + 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.by_message[key]

    def leave(self):
        with self.lock:
            self.in_flight -= 1

    def snapshot(self):
        with self.lock:
            return {"requests": self.requests, "in_flight": self.in_flight,
                    "max_in_flight": self.max_in_flight, "by_message": dict(self.by_message)}


def parse_fault(text):
    m = re.search(r"\[fault:([^\]]+)\]", text)
    if not m:
        return None, {}
    parts = m.group(1).split(":", 1)
    kind = parts[0].strip()
    params = {}
    if len(parts) > 1:
        for item in parts[1].split(","):
            if "=" in item:
                k, v = item.split("=", 1)
                params[k.strip()] = v.strip()
    return kind, params


def words(line):
    return {w for w in re.findall(r"[a-z]+", line.lower()) if len(w) >= 3}


def judge_reply(text):
    pred = correct = None
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("Predicted Answer:"):
            pred = s[len("Predicted Answer:"):]
        elif s.startswith("Correct Answer:"):
            correct = s[len("Correct Answer:"):]
    if pred is None or correct is None:
        return dream_reply(text) or "{'score': 3}"
    if words(pred) & words(correct):
        return "{'pred': 'yes', 'score': 4}"
    return "{'pred': 'no', 'score': 1}"


def dream_reply(text):
    at = text.rfind("Description:")
    if at < 0:
        return None
    body = text[at + len("Description:"):]
    events_at = body.find("\nEvents:")
    if events_at < 0:
        sentences = [x.strip() for x in body.split(".")]
        return repr({"events": [x for x in sentences if x][:10]})
    description = body[:events_at]
    line = body[events_at + len("\nEvents:"):].split("\n", 1)[0]
    events = json.loads(line)
    judged = [{"event": e, "relationship": "entailment" if words(e) & words(description) else "neutral",
               "reason": "shared words" if words(e) & words(description) else "no shared word"} for e in events]
    return json.dumps({"events": judged})


def resolved_model(model):
    if re.search(r"-(\d{4}-\d{2}-\d{2}|\d{4})(-preview)?$", model or ""):
        return model
    return (model or "deployment") + "-2024-01-01"


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # A client that gave up on a stalled answer leaves a broken pipe: not worth a traceback.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; with Nagle's algorithm on, the body waits for
    # the client's delayed ACK (about 40 ms) and every call looks 40 ms slower than it is.
    disable_nagle_algorithm = True
    server_version = "ppb-judge-test/1"

    def log_message(self, fmt, *args):  # keep the test output quiet
        pass

    def send_json(self, status, obj, headers=None):
        body = json.dumps(obj).encode() if not isinstance(obj, bytes) else obj
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def error_body(self, status, message, kind, code, headers=None):
        self.send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": code}}, headers)

    def do_GET(self):
        if self.path.split("?")[0] == "/stats":
            self.send_json(200, self.server.state.snapshot())
        else:
            self.error_body(404, "not found", "invalid_request_error", None)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = self.path.split("?")[0]
        azure = re.fullmatch(r"/openai/deployments/[^/]+/chat/completions", path) is not None
        if not azure and not path.endswith("/chat/completions"):
            self.error_body(404, "not found", "invalid_request_error", None)
            return
        key = self.server.api_key
        got = self.headers.get("api-key") if azure else self.headers.get("Authorization")
        want = key if azure else "Bearer " + key
        if got != want:
            self.error_body(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
            return
        try:
            req = json.loads(raw)
            messages = req["messages"]
        except (ValueError, KeyError, TypeError):
            self.error_body(400, "could not parse the JSON body", "invalid_request_error", None)
            return
        last_user = ""
        for m in messages:
            if m.get("role") == "user":
                last_user = m.get("content") or ""
        attempt = self.server.state.enter(last_user)
        try:
            self.answer(req, last_user, attempt, azure)
        finally:
            self.server.state.leave()

    def answer(self, req, text, attempt, azure):
        credential = self.headers.get("api-key") if azure else self.headers.get("Authorization")
        if self.server.latency_s > 0:
            time.sleep(self.server.latency_s)
        kind, params = parse_fault(text)
        if kind is not None and "times" in params and attempt > int(params["times"]):
            kind = None
        headers = {}
        if "retry_after" in params:
            headers["Retry-After"] = params["retry_after"]
        if "retry_after_ms" in params:
            headers["retry-after-ms"] = params["retry_after_ms"]
        if "should_retry" in params:
            headers["x-should-retry"] = params["should_retry"]
        if kind == "stall":
            time.sleep(float(params.get("stall_s", "30")))
            kind = None
        if kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if kind == "quota":
            self.error_body(429, "You exceeded your current quota.", "insufficient_quota", "insufficient_quota",
                            headers)
            return
        if kind is not None and kind.isdigit():
            status = int(kind)
            code = "rate_limit_exceeded" if status == 429 else None
            self.error_body(status, "injected fault %d" % status, "server_error" if status >= 500 else
                            "invalid_request_error", code, headers)
            return
        if kind == "echo_key":
            self.error_body(400, "bad request with credential %s" % credential, "invalid_request_error", None)
            return
        content = judge_reply(text)
        finish = "stop"
        refusal = None
        if kind == "malformed":
            self.send_json(200, b'{"id": "chatcmpl-test", "choices": [{"message": {"content": "{\'pred', headers)
            return
        if kind == "null":
            content = None
        elif kind == "refusal":
            content, refusal = None, "I can't help with that."
        elif kind == "garbage":
            content = "I would rather describe the weather."
        elif kind == "length":
            content, finish = content[:8], "length"
        prompt_tokens = sum(len((m.get("content") or "").split()) for m in req.get("messages", []))
        completion_tokens = len(content.split()) if content else 0
        self.send_json(200, {
            "id": "chatcmpl-test-%d" % self.server.state.requests,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": resolved_model(req.get("model")),
            "system_fingerprint": "fp_test",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": refusal},
                         "finish_reason": finish, "logprobs": None}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        }, headers)

    def finish(self):
        try:
            super().finish()
        except (OSError, ValueError):
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--api-key", default="sk-test-judge-key")
    ap.add_argument("--latency-ms", type=float, default=0.0, help="fixed delay before every answer")
    args = ap.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.state = State()
    server.api_key = args.api_key
    server.latency_s = args.latency_ms / 1000.0
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
