"""PTB's HTTP layer on aiohttp instead of httpx (``ApplicationBuilder().request(...)``).

python-telegram-bot lets an application bring its own ``BaseRequest``. Measured against the
fake Bot API (docs/benchmarks.md), httpx with httpcore and anyio spends ~0.7 ms of CPU on a
request alone and ~1.0 ms with 32 in flight (it checks every pooled connection on each
request); aiohttp, which the bot already ships for its webhook server, spends 0.2-0.3 ms. A
rush of residents is CPU-bound, so this is the largest single cost of a reply after the
database. Errors map as PTB's own ``HTTPXRequest`` maps them: timeouts to ``TimedOut``,
anything else on the wire to ``NetworkError``; proxies come from the environment as with httpx.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """``connections``: at most this many requests on the wire at once (others wait)."""

    def __init__(
        self,
        *,
        connections: int = 8,
        read_timeout: float | None = 5.0,
        connect_timeout: float = 5.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            # Proxies from the environment, as httpx takes them; read once here, since aiohttp
            # would scan the environment on every request.
            self._session = aiohttp.ClientSession(
                connector=connector,
                trust_env=bool(urllib.request.getproxies()),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
        try:
            data, headers = _body(request_data)
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err


def _body(request_data: RequestData | None) -> tuple[Any, dict[str, str] | None]:
    """A JSON body (cheaper to write and to read than percent-encoded Chinese), or a multipart
    form when files are attached."""
    if request_data is None:
        return None, None
    files = request_data.multipart_data
    if not files:
        return json.dumps(request_data.parameters, ensure_ascii=False).encode(), JSON
    fields = request_data.json_parameters
    form = aiohttp.FormData(quote_fields=False)  # file names as UTF-8, as httpx and Telegram do
    for name, value in fields.items():
        form.add_field(name, value)
    for name, upload in files.items():
        filename, content = upload[0], upload[1]
        mime = upload[2] if len(upload) > 2 else "application/octet-stream"
        form.add_field(name, content, filename=filename, content_type=mime)
    return form, None


JSON = {"Content-Type": "application/json"}
