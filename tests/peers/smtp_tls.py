"""A mail relay that speaks TLS, for the tests: aiosmtpd on 127.0.0.1 offering STARTTLS (or TLS
from the first byte, as on port 465) with a certificate the test made. It keeps what it receives
and, for each message, whether the session it came over was encrypted."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Literal

from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.peers.smtp import SmtpSink


class TlsSmtpSink(SmtpSink):
    """`mode` "starttls": the relay offers STARTTLS (and takes mail in the clear too, as many
    relays do, so that only the client's choice decides); "implicit": TLS from the first byte;
    "none": a relay without TLS at all. `encrypted` holds, per message received, whether its
    session was encrypted."""

    def __init__(
        self,
        port: int,
        cert: Path | None = None,
        key: Path | None = None,
        mode: Literal["starttls", "implicit", "none"] = "starttls",
    ) -> None:
        super().__init__(port)
        self.mode = mode
        self.encrypted: list[bool] = []
        self._context: ssl.SSLContext | None = None
        if mode != "none":
            assert cert is not None and key is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            self._context = context

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        assert isinstance(server, SMTP) and isinstance(session, Session)
        # session.ssl is set by STARTTLS; a connection that was TLS from the start shows on
        # its transport.
        transport = server.transport
        on_tls = transport is not None and transport.get_extra_info("ssl_object") is not None
        self.encrypted.append(session.ssl is not None or on_tls)
        return await super().handle_DATA(server, session, envelope)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        if self.mode == "implicit":
            controller = Controller(
                self, hostname="127.0.0.1", port=self.port, ssl_context=self._context
            )
        else:
            controller = Controller(
                self, hostname="127.0.0.1", port=self.port, tls_context=self._context
            )
        controller.start()
        self._controller = controller
