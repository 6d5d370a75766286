"""The test proxy itself: what it forwards is the whole request, however the client sends it.

A request whose body reaches the proxy in a later TCP segment than its head (urllib sends the
two separately; on a busy machine they arrive apart) once went upstream without that body: the
server waited a minute for it and then refused the truncated request's signature.
"""

from __future__ import annotations

import socket
import threading
import time

from tests.sdk.proxy import Proxy

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


class Upstream:
    """A server that reads one request by its Content-Length and records it."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _addr = self.listener.accept()
        with conn:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, _sep, body = data.partition(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            try:
                while len(body) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    body += chunk
            except TimeoutError:
                pass
            self.received = head + b"\r\n\r\n" + body
            conn.sendall(ANSWER)
        self.listener.close()


def _send_in_two_segments(port: int, head: bytes, body: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(head)
        time.sleep(0.2)  # the proxy has read the head alone by now
        client.sendall(body)
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
        return answer


def test_a_body_sent_after_the_head_goes_upstream_whole():
    upstream = Upstream()
    proxy = Proxy(upstream.port)
    proxy.restore()
    body = b'{"reports": ["' + b"x" * 5000 + b'"]}'
    head = b"POST /batch/ HTTP/1.1\r\nHost: portal\r\nContent-Length: %d\r\n\r\n" % len(body)
    try:
        answer = _send_in_two_segments(proxy.port, head, body)
    finally:
        proxy.cut()
    upstream.thread.join(timeout=10)
    assert upstream.received == head + body
    assert answer == ANSWER
