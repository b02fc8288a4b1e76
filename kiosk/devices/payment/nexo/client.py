"""The kiosk's side of one nexo exchange: send a request to the terminal, read its answer.

Failures come in kinds, and the difference decides whether a citizen may have been charged:
`TerminalNotReached` means the request never got to the terminal (connection refused, connect
timeout) and `RequestRefused` that the terminal refused it unread (HTTP 4xx), so nothing
happened there; `AnswerLost` means it was sent but no usable answer came back (timeout, dropped
connection, a server error, a garbled or mismatched answer), so the terminal may have acted on
it and only a TransactionStatusRequest can tell.

Every message is logged by category, ServiceID, result and error condition; never card data.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TypeVar

import aiohttp

from kiosk.devices.payment.nexo.messages import (
    Body,
    MessageType,
    NexoMessage,
    NexoProtocolError,
    ResponseBody,
    decode,
    encode,
)

log = logging.getLogger(__name__)

R = TypeVar("R", bound=ResponseBody)

XML = "application/xml"


class TerminalNotReached(Exception):
    """The request did not reach the terminal; the terminal did nothing."""


class AnswerLost(Exception):
    """The request was sent, but no usable answer came: what the terminal did is unknown."""


class RequestRefused(Exception):
    """The terminal refused the request unread (HTTP 4xx: malformed, not for it): it did
    nothing, and sending the same again would be refused again."""


class NexoClient:
    """Sends nexo requests to one terminal URL on the loop it was started on."""

    def __init__(
        self,
        url: str,
        *,
        sale_id: str,
        poi_id: str,
        connect_timeout: float,
        log_extra: Mapping[str, str],
    ) -> None:
        self.url = url
        self.sale_id = sale_id
        self.poi_id = poi_id
        self._connect_timeout = connect_timeout
        self._extra = dict(log_extra)
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        # A new connection per request: a kept-alive connection the terminal has closed in the
        # meantime fails like a lost answer, and a Payment must only ever look lost when it was.
        connector = aiohttp.TCPConnector(force_close=True)
        self._session = aiohttp.ClientSession(connector=connector)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def exchange(
        self,
        body: Body,
        expect: type[R],
        *,
        service_id: str,
        timeout: float,
        sale_reference: str | None = None,
    ) -> R:
        """Send `body` and return the terminal's response body of type `expect`."""
        message = self._message(body, service_id)
        data = await self._post(message, timeout, sale_reference)
        try:
            answer = decode(data)
        except NexoProtocolError as exc:
            log.warning("nexo answer unusable: %s", exc, extra=self._extra)
            raise AnswerLost(f"unusable answer: {exc}") from None
        header = answer.header
        if (
            header.type is not MessageType.RESPONSE
            or header.category is not body.CATEGORY
            or header.service_id != service_id
            or not isinstance(answer.body, expect)
        ):
            log.warning(
                "nexo answer does not match: %s %s service_id=%s",
                header.category,
                header.type,
                header.service_id,
                extra=self._extra,
            )
            raise AnswerLost("the answer is not for this request")
        response = answer.body.response
        log.info(
            "nexo <- %s response service_id=%s result=%s error_condition=%s",
            header.category,
            header.service_id,
            response.result,
            response.error_condition or "-",
            extra={**self._extra, "sale_reference": sale_reference},
        )
        return answer.body

    async def send(self, body: Body, *, service_id: str, timeout: float) -> None:
        """Send a request that nexo gives no answer to (AbortRequest)."""
        await self._post(self._message(body, service_id), timeout, None)

    def _message(self, body: Body, service_id: str) -> NexoMessage:
        return NexoMessage.build(
            body, service_id=service_id, sale_id=self.sale_id, poi_id=self.poi_id
        )

    async def _post(
        self, message: NexoMessage, timeout: float, sale_reference: str | None
    ) -> bytes:
        if self._session is None:
            raise TerminalNotReached("not started")
        header = message.header
        extra = {**self._extra, "sale_reference": sale_reference}
        log.info(
            "nexo -> %s request service_id=%s", header.category, header.service_id, extra=extra
        )
        limits = aiohttp.ClientTimeout(total=timeout, connect=self._connect_timeout)
        try:
            async with self._session.post(
                self.url, data=encode(message), headers={"Content-Type": XML}, timeout=limits
            ) as response:
                data = await response.read()
                status = response.status
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            log.warning("nexo %s not sent: %s", header.category, type(exc).__name__, extra=extra)
            raise TerminalNotReached(type(exc).__name__) from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.warning(
                "nexo %s service_id=%s: no answer (%s)",
                header.category,
                header.service_id,
                type(exc).__name__,
                extra=extra,
            )
            raise AnswerLost(type(exc).__name__) from None
        if not 200 <= status < 300:
            log.warning("nexo %s: HTTP %d", header.category, status, extra=extra)
            if 400 <= status < 500:
                raise RequestRefused(f"HTTP {status}")
            raise AnswerLost(f"HTTP {status}")
        return data
