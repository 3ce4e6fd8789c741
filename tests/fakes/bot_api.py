"""A loopback server speaking the Telegram Bot API wire protocol, for driving the real
python-telegram-bot Application in tests: POST /bot<token>/<method>, form-encoded parameters,
`{"ok": true, "result": …}` replies or error envelopes with real HTTP status codes, and getUpdates
long polling that a test feeds with push_update()."""

from __future__ import annotations

import html
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl

from tests.fakes.loopback import LoopbackServer

BOT_USER = {"id": 777000111, "is_bot": True, "first_name": "monitor", "username": "monitor_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
# Who Telegram names as the sender of an anonymous group admin's message (sender_chat is the group).
ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
_ADMIN_RIGHTS = ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                 "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
                 "can_post_stories", "can_edit_stories", "can_delete_stories")


_TAG = re.compile(r"<(/?)([a-zA-Z-]+)((?:\s[^<>]*)?)>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")
_HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "span", "a", "code", "pre",
              "blockquote", "tg-emoji"}


def _parse_html(markup: str) -> str:
    """The visible text of Telegram HTML, or ApiError(400) where the real server would refuse it."""
    out, stack, at = [], [], 0
    for match in _TAG.finditer(markup):
        out.append(markup[at:match.start()])
        at = match.end()
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if tag not in _HTML_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported start tag \"{tag}\"")
        if closing:
            if not stack or stack.pop() != tag:
                raise ApiError(400, f"Bad Request: can't parse entities: unexpected end tag \"{tag}\"")
        else:
            stack.append(tag)
    out.append(markup[at:])
    if stack:
        raise ApiError(400, f"Bad Request: can't parse entities: can't find end tag corresponding to \"{stack[-1]}\"")
    text = "".join(out)
    if "<" in text or ">" in text:
        raise ApiError(400, "Bad Request: can't parse entities: unexpected < or > in text")
    for amp in re.finditer("&", text):
        if not _ENTITY.match(text, amp.start()):
            raise ApiError(400, "Bad Request: can't parse entities: unsupported entity")
    return html.unescape(text)


class ApiError(Exception):
    """An error envelope a method answers with, as the real server would."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass
class Call:
    method: str
    params: dict
    result: object = None  # what the server answered, once it has
    at: float = field(default_factory=time.monotonic)  # when it arrived


class FakeBotApi(LoopbackServer):
    def __init__(self, token: str = "123456:TEST-token-0123456789abcdefghijklmnopq") -> None:
        super().__init__()
        self.token = token
        self.calls: list[Call] = []
        self._updates: list[dict] = []
        self._next_update_id = 1
        self._next_message_id = 1
        self._failures: dict[str, list[tuple[int | None, int, str, dict]]] = {}
        self._changed = threading.Condition()
        self._closing = False
        self.messages: dict[tuple[int, int], str] = {}  # (chat id, message id) → current text, as the bot left it
        self.send_delay_s = 0.0  # how long sendMessage takes (a slower server, to catch a fan-out midway)
        self.members: dict[tuple[int, int], str] = {}  # (chat id, user id) → status; getChatMember says "member" else
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

    def user_says(self, chat_id: int, text: str, *, user_id: int | None = None, language_code: str = "en",
                  chat_type: str = "private", thread_id: int | None = None, title: str = "",
                  anonymous: bool = False) -> int:
        """A person writes `text` to the bot (a command when it starts with /); returns the update id.
        `anonymous`: a group admin writing as the group, as Telegram sends it (from GroupAnonymousBot)."""
        user = {"id": user_id or chat_id, "is_bot": False, "first_name": "Tester", "language_code": language_code}
        chat = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Tester"
        else:
            chat["title"] = title or "Newsroom group"
            chat["is_forum"] = thread_id is not None
        message = {"message_id": self._take_message_id(), "date": int(time.time()), "chat": chat, "from": user,
                   "text": text}
        if anonymous:
            message["from"], message["sender_chat"] = ANONYMOUS_ADMIN, chat
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        return self.push_update({"message": message})

    def user_presses(self, chat_id: int, message_id: int, data: str, language_code: str = "en", *,
                     user_id: int | None = None, chat_type: str = "private") -> int:
        """A person presses an inline button under one of the bot's messages."""
        user = {"id": user_id or chat_id, "is_bot": False, "first_name": "Tester", "language_code": language_code}
        chat = {"id": chat_id, "type": chat_type}
        chat.update({"first_name": "Tester"} if chat_type == "private" else {"title": "Newsroom group"})
        message = {"message_id": message_id, "date": int(time.time()), "from": BOT_USER, "chat": chat,
                   "text": self.messages.get((chat_id, message_id), "")}
        query = {"id": str(self._take_message_id()), "from": user, "chat_instance": "1", "message": message,
                 "data": data}
        return self.push_update({"callback_query": query})

    def sent(self, chat_id: int) -> list[Call]:
        """Messages delivered to a chat (sendMessage calls answered with a message), oldest first."""
        return [c for c in self.calls_of("sendMessage")
                if int(c.params["chat_id"]) == chat_id and c.result is not None]

    def wait_sent(self, chat_id: int, contains: str, timeout_s: float = 10.0, method: str = "sendMessage") -> Call:
        """The first message sent to the chat (or edit, with method="editMessageText") whose text contains
        `contains`, waiting for it to be answered."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for call in self.calls_of(method):
                if (int(call.params["chat_id"]) == chat_id and contains in call.params.get("text", "")
                        and call.result is not None):
                    return call
            time.sleep(0.02)
        texts = [c.params.get("text", "") for c in self.calls_of(method) if int(c.params["chat_id"]) == chat_id]
        raise AssertionError(f"no {method} to {chat_id} containing {contains!r}; sent: {texts}")

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember answers for this user in this chat: "creator", "administrator", "member",
        "left" or "kicked" (fail_next("getChatMember", …) makes a lookup fail)."""
        if status not in ("creator", "administrator", "member", "left", "kicked"):
            raise ValueError(f"unsupported chat member status {status!r}")
        self.members[(chat_id, user_id)] = status

    def fail_next(self, method: str, code: int, description: str, chat_id: int | None = None, **parameters) -> None:
        """The next call of `method` (for `chat_id`, if given) answers with this error envelope."""
        self._failures.setdefault(method, []).append((chat_id, code, description, parameters))

    def _failure(self, method: str, params: dict) -> tuple[int, str, dict] | None:
        queue = self._failures.get(method) or []
        for at, (chat_id, code, description, parameters) in enumerate(queue):
            if chat_id is None or str(chat_id) == str(params.get("chat_id")):
                del queue[at]
                return code, description, parameters
        return None

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
        call = Call(method, params)
        self.calls.append(call)
        failure = self._failure(method, params)
        if failure:
            code, description, parameters = failure
            body = {"ok": False, "error_code": code, "description": description}
            if parameters:
                body["parameters"] = parameters
            self._reply(h, code, body)
            return
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            self._reply(h, 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
            return
        try:
            result = handler(params)
        except ApiError as exc:
            self._reply(h, exc.code, {"ok": False, "error_code": exc.code, "description": exc.description})
            return
        call.result = result
        self._reply(h, 200, {"ok": True, "result": result})

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

    def _take_message_id(self) -> int:
        with self._changed:
            message_id = self._next_message_id
            self._next_message_id += 1
        return message_id

    @staticmethod
    def _message(chat_id: int, message_id: int, text: str) -> dict:
        return {"message_id": message_id, "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": BOT_USER, "text": text}

    @staticmethod
    def _check_text(params: dict) -> None:
        """What the real server refuses: bad Telegram HTML, and more than 4,096 characters once parsed."""
        text = params.get("text", "")
        if params.get("parse_mode") == "HTML":
            text = _parse_html(text)
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")

    def _m_sendMessage(self, params):  # noqa: N802
        if self.send_delay_s:
            time.sleep(self.send_delay_s)
        self._check_text(params)
        chat_id, text = int(params["chat_id"]), params.get("text", "")
        message_id = self._take_message_id()
        self.messages[(chat_id, message_id)] = text
        return self._message(chat_id, message_id, text)

    def _m_editMessageText(self, params):  # noqa: N802
        self._check_text(params)
        chat_id, message_id, text = int(params["chat_id"]), int(params["message_id"]), params.get("text", "")
        if (chat_id, message_id) not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        if self.messages[(chat_id, message_id)] == text and "reply_markup" not in params:
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                "markup are exactly the same as a current content and reply markup of the message")
        self.messages[(chat_id, message_id)] = text
        return self._message(chat_id, message_id, text)

    def _m_answerCallbackQuery(self, params):  # noqa: N802
        return True

    def _m_getChatMember(self, params):  # noqa: N802
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        status = self.members.get((chat_id, user_id), "member")
        member = {"status": status, "user": {"id": user_id, "is_bot": False, "first_name": "Tester"}}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(dict.fromkeys(_ADMIN_RIGHTS, False), can_manage_chat=True, can_change_info=True)
        elif status == "kicked":
            member["until_date"] = 0
        return member
