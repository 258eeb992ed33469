"""Publishing to a Telegram channel through the Bot API (``POST /bot<TOKEN>/sendMessage``).

httpx against the documented endpoints (``sendPhoto`` with the text as caption when the post
has an image; Telegram takes no alt text): one call, and its answer ``{"ok": true, "result":
Message}`` or ``{"ok": false, "error_code": ..., "description": ..., "parameters":
{"retry_after": N}}``. A 429's ``parameters.retry_after`` becomes the ``Retry-After`` the pipeline
waits for. The bot must be an administrator of the channel allowed to post.

The Bot API cannot read a channel's history, so :meth:`TelegramPublisher.find` cannot tell
whether a post whose answer was lost went out: such a publication is marked ``uncertain`` for a
human, never posted again. The token is part of every URL, so a logging filter keeps it out of
httpx's request log, and no URL goes into an error message.

Counts (issue #12 part 6): the Bot API gives a bot no views, reactions or forwards of a
channel's posts (only an MTProto client logged in as a user reads ``views``), so
:meth:`TelegramPublisher.metrics` makes no call and returns nothing, and the collection counts
Telegram's posts as ``unavailable`` (see :data:`~damai.publishers.base.METRICS_PLATFORMS`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import httpx

from damai.errors import PublishError
from damai.httpclient import RedactSecret
from damai.publishers.base import Channel, Metrics, Outgoing, Posted

__all__ = ["TelegramPublisher"]

#: what to do when Telegram refuses to delete a message (a bot may delete a channel message only
#: within 48 hours of posting it)
TOO_OLD = ("bot hanya bisa menghapus pesan kanal dalam 48 jam; hapus pesannya sendiri di Telegram "
           "/ a bot can delete a channel message only within 48 hours; delete it yourself in "
           "Telegram")


class TelegramPublisher:
    def __init__(self, channel: Channel, *, base_url: str, token: str,
                 timeout: float = 30.0) -> None:
        self.channel = channel
        self._http = httpx.Client(base_url=f"{base_url.rstrip('/')}/bot{token}",
                                  timeout=timeout)
        self._redact = RedactSecret(token)
        logging.getLogger("httpx").addFilter(self._redact)

    def post(self, item: Outgoing) -> Posted:
        try:
            if item.media:  # one image, the text as its caption
                image = item.media[0]
                response = self._http.post("/sendPhoto", data={
                    "chat_id": self.channel.account, "caption": item.text},
                    files={"photo": (image.name, image.data, image.mime)})
            else:
                response = self._http.post("/sendMessage", json={
                    "chat_id": self.channel.account, "text": item.text})
        except httpx.TransportError as exc:
            raise PublishError("network", type(exc).__name__) from None
        message = _result(response)
        chat = message.get("chat") or {}
        username = chat.get("username")
        url = f"https://t.me/{username}/{message['message_id']}" if username else None
        return Posted(f"{chat.get('id', self.channel.account)}:{message['message_id']}", url)

    def find(self, item: Outgoing) -> Posted | None:
        raise PublishError("unknown", "the Bot API cannot read a channel's history")

    def metrics(self, post_ids: Sequence[str]) -> dict[str, Metrics]:
        """Nothing: the Bot API has no method that reads a channel post's counts."""
        return {}

    def delete(self, post_id: str) -> bool:
        """``POST /bot<TOKEN>/deleteMessage`` with the chat id and message id of ``post_id``
        (``CHAT:MESSAGE``). "message to delete not found" is ``False``; a bot may delete a
        channel message only within 48 hours, and Telegram's refusal after that
        ("message can't be deleted") is raised as it came, with what to do."""
        chat, _, message = post_id.rpartition(":")
        if not message.isdigit():
            raise PublishError("invalid", f"not a Telegram message id: {post_id!r}")
        try:
            response = self._http.post("/deleteMessage", json={
                "chat_id": int(chat) if chat.lstrip("-").isdigit() else chat,
                "message_id": int(message)})
            _deleted(response)
        except httpx.TransportError as exc:
            raise PublishError("network", type(exc).__name__) from None
        except PublishError as exc:
            if "message to delete not found" in exc.detail:
                return False
            if "can't be deleted" in exc.detail:
                raise PublishError("invalid", f"{exc.detail} ({TOO_OLD})", status=exc.status
                                   ) from None
            raise
        return True

    def close(self) -> None:
        self._http.close()
        logging.getLogger("httpx").removeFilter(self._redact)


def _deleted(response: httpx.Response) -> None:
    """``deleteMessage``'s answer: ``{"ok": true, "result": true}``, or the error raised."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("ok") is True and body.get("result") is True:
        return
    if not isinstance(body, dict):
        raise PublishError("server" if response.status_code >= 500 else "invalid",
                           "the answer is not a Bot API JSON object", status=response.status_code)
    raise _error(int(body.get("error_code") or response.status_code), body)


def _result(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise PublishError("server" if response.status_code >= 500 or response.is_success
                           else "invalid", "the answer is not a Bot API JSON object",
                           status=response.status_code)
    result = body.get("result")
    if body.get("ok") is True and isinstance(result, dict):
        return result
    raise _error(int(body.get("error_code") or response.status_code), body)


def _error(status: int, body: dict[str, Any]) -> PublishError:
    detail = str(body.get("description") or "")
    if status == 429:
        wait = (body.get("parameters") or {}).get("retry_after")
        return PublishError("rate_limited", detail, status=status,
                            headers={"Retry-After": str(wait)} if wait else {})
    if status >= 500:
        return PublishError("server", detail, status=status)
    return PublishError("auth" if status in (401, 403) else "invalid", detail, status=status)
