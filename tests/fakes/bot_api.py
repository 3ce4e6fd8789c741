"""A loopback server speaking the Telegram Bot API wire protocol, for driving the real
python-telegram-bot Application in tests: POST /bot<token>/<method>, form-encoded parameters,
`{"ok": true, "result": …}` replies or error envelopes with real HTTP status codes, and getUpdates
long polling that a test feeds with push_update()."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl

from tests.fakes.loopback import LoopbackServer

BOT_USER = {"id": 777000111, "is_bot": True, "first_name": "monitor", "username": "monitor_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class Call:
    method: str
    params: dict


class FakeBotApi(LoopbackServer):
    def __init__(self, token: str = "123456:TEST-token") -> None:
        super().__init__()
        self.token = token
        self.calls: list[Call] = []
        self._updates: list[dict] = []
        self._next_update_id = 1
        self._next_message_id = 1
        self._failures: dict[str, list[tuple[int, str, dict]]] = {}
        self._changed = threading.Condition()
        self._closing = False
    # -- test side ---------------------------------------------------------------------------

    def stop(self) -> None:
        with self._changed:
            self._closing = True
            self._changed.notify_all()  # release parked long polls, or shutdown waits for their timeout
        super().stop()

    def push_update(self, update: dict) -> int:
        with self._changed:
            update_id = self._next_update_id
            self._next_update_id += 1
            self._updates.append({"update_id": update_id, **update})
            self._changed.notify_all()
        return update_id

    def fail_next(self, method: str, code: int, description: str, **parameters) -> None:
        """The next call of `method` answers with this error envelope."""
        self._failures.setdefault(method, []).append((code, description, parameters))

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in list(self.calls) if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout_s: float = 10.0) -> list[Call]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.calls_of(method)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"expected {count} {method} calls, saw {len(self.calls_of(method))}")

    def wait_until_taken(self, update_id: int, timeout_s: float = 10.0) -> None:
        """Wait until the bot confirmed an update (asked for a later offset)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if any(int(c.params.get("offset", 0)) > update_id for c in self.calls_of("getUpdates")):
                return
            time.sleep(0.02)
        raise AssertionError(f"update {update_id} was not taken")

    # -- wire side ---------------------------------------------------------------------------

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        prefix = f"/bot{self.token}/"
        if not h.path.startswith(prefix):
            self._reply(h, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        method = h.path[len(prefix):].split("?")[0]
        params = self._params(h.headers.get("Content-Type") or "", raw)
        self.calls.append(Call(method, params))
        failures = self._failures.get(method)
        if failures:
            code, description, parameters = failures.pop(0)
            body = {"ok": False, "error_code": code, "description": description}
            if parameters:
                body["parameters"] = parameters
            self._reply(h, code, body)
            return
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            self._reply(h, 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
            return
        self._reply(h, 200, {"ok": True, "result": handler(params)})

    @staticmethod
    def _params(content_type: str, raw: bytes) -> dict:
        if not raw:
            return {}
        if "json" in content_type:
            return json.loads(raw)
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))

    @staticmethod
    def _reply(h: BaseHTTPRequestHandler, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # -- methods -------------------------------------------------------------------------------

    def _m_getMe(self, params):  # noqa: N802
        return BOT_USER

    def _m_deleteWebhook(self, params):  # noqa: N802
        return True

    def _m_setMyCommands(self, params):  # noqa: N802
        return True

    def _m_close(self, params):
        return True

    def _m_getUpdates(self, params):  # noqa: N802
        offset = int(params.get("offset") or 0)
        timeout_s = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout_s
        with self._changed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._closing:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return self._updates[:limit]

    def _m_sendMessage(self, params):  # noqa: N802
        message_id = self._next_message_id
        self._next_message_id += 1
        chat_id = int(params["chat_id"])
        return {"message_id": message_id, "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": BOT_USER, "text": params.get("text", "")}
