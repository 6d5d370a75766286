"""A TCP proxy between the SDK and the server, to cut and restore the network under a terminal.

Real sockets, real server: the proxy only decides what reaches whom. ``cut()`` closes the
listening socket and every open connection (the terminal sees refused or reset connections, as
when its network goes away); ``restore()`` listens again on the same port. Faults a flaky link or
a load balancer produce on the way back:

- ``drop_responses = n``: the next n requests reach the server, which stores and answers them,
  but the answer is lost (the connection is reset): the terminal must resend, same report_id;
- ``gateway_errors = n``: the next n requests get a 503 with Retry-After: 1 from the proxy (as a
  load balancer answers while its upstream is down);
- ``cut_after = n``: the network goes away after n more requests have been answered.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

GATEWAY_ERROR = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 1\r\n"
    b"Content-Length: 13\r\nConnection: close\r\n\r\nupstream down"
)


class Proxy:
    def __init__(self, upstream_port: int, *, host: str = "127.0.0.1") -> None:
        self.upstream = (host, upstream_port)
        self.host = host
        self.port = 0
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None
        self.open: set[socket.socket] = set()
        self.drop_responses = 0
        self.gateway_errors = 0
        self.cut_after: int | None = None
        self.forwarded = 0
        self.dropped = 0
        self.refused_503 = 0

    @classmethod
    def before(cls, url: str) -> Proxy:
        """A proxy, listening, in front of the server at ``url`` (http://127.0.0.1:port)."""
        proxy = cls(int(url.rsplit(":", 1)[1]))
        proxy.restore()
        return proxy

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self.lock:
            listener, self.listener = self.listener, None
            connections, self.open = self.open, set()
        if listener is not None:
            listener.close()
        for conn in connections:
            _reset(conn, wake=True)

    @property
    def is_up(self) -> bool:
        return self.listener is not None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:
                return  # cut
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with self.lock:
            if self.listener is None:
                _reset(client)
                return
            self.open.add(client)
            if self.gateway_errors:
                self.gateway_errors -= 1
                self.refused_503 += 1
                mode = "503"
            elif self.drop_responses:
                self.drop_responses -= 1
                self.dropped += 1
                mode = "drop"
            else:
                mode = "forward"
        upstream: socket.socket | None = None
        try:
            request = _read_request(client)
            if mode == "503":
                client.sendall(GATEWAY_ERROR)
                client.close()
                return
            upstream = socket.create_connection(self.upstream, timeout=60)
            with self.lock:
                self.open.add(upstream)
            upstream.sendall(request)
            if mode == "drop":
                # The server stores the request and answers; the answer never arrives.
                while upstream.recv(65536):
                    pass
                _reset(client)
            else:
                while data := upstream.recv(65536):
                    client.sendall(data)
                client.close()
                self._answered()
        except OSError:
            _reset(client)
        finally:
            with self.lock:
                self.open.discard(client)
                self.open.discard(upstream)  # type: ignore[arg-type]
            if upstream is not None:
                upstream.close()

    def _answered(self) -> None:
        with self.lock:
            self.forwarded += 1
            if self.cut_after is not None:
                self.cut_after -= 1
                cut = self.cut_after <= 0
            else:
                cut = False
        if cut:
            self.cut_after = None
            self.cut()


def _read_request(client: socket.socket) -> bytes:
    """The whole request: its head and its body (Content-Length; the SDK sends no chunks)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            raise ConnectionResetError("the client went away mid-request")
        data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            raise ConnectionResetError("the client went away mid-request")
        body += chunk
    return head + b"\r\n\r\n" + body


def _reset(conn: socket.socket, *, wake: bool = False) -> None:
    """Close with a TCP reset, as a link that went away does (no orderly FIN).

    ``wake``: another thread may be blocked reading the socket; shut it down first, or the
    close would wait for that read.
    """
    with contextlib.suppress(OSError):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    if wake:
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        conn.close()
