"""The benches' bare-socket HTTP client reads every response shape gunicorn sends it."""

import socket
import threading

import pytest

from bench.api_import import Client

RESPONSES = {
    b"/length": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{\"ok\": true}",
    b"/chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3;x=y\r\nefg\r\n0\r\n\r\n",
    b"/none": b"HTTP/1.1 204 No Content\r\nServer: test\r\n\r\n",
    b"/close": b"HTTP/1.1 409 Conflict\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno",
}


@pytest.fixture
def server():
    """A local server answering each request from RESPONSES by path; records what it received."""
    listener = socket.create_server(("127.0.0.1", 0))
    received, connections = [], []

    def serve(conn):
        pending = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in pending:
                    data = conn.recv(65536)
                    if not data:
                        return
                    pending += data
                head, _, pending = pending.partition(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                while len(pending) < length:
                    pending += conn.recv(65536)
                body, pending = pending[:length], pending[length:]
                path = head.split(b" ")[1]
                received.append((head.split(b"\r\n")[0], body))
                conn.sendall(RESPONSES[path])
                if path == b"/close":
                    return

    def accept():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            connections.append(conn)
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1], received, connections
    listener.close()


def test_reads_each_response_shape_on_one_connection(server):
    port, received, connections = server
    client = Client(port, "secret")

    assert client.request("GET", "/length") == (200, b'{"ok": true}')
    assert client.request("PUT", "/chunked", b'{"a": 1}') == (200, b"abcdefg")
    assert client.request("GET", "/none") == (204, b"")

    assert received == [(b"GET /length HTTP/1.1", b""), (b"PUT /chunked HTTP/1.1", b'{"a": 1}'),
                        (b"GET /none HTTP/1.1", b"")]
    assert len(connections) == 1


def test_reconnects_after_the_server_closes(server):
    port, _, connections = server
    client = Client(port, "secret")

    assert client.request("GET", "/close") == (409, b"no")
    assert client.request("GET", "/length") == (200, b'{"ok": true}')

    assert len(connections) == 2


def test_closing_lets_the_next_request_open_a_new_connection(server):
    port, _, connections = server
    client = Client(port, "secret")
    client.request("GET", "/length")

    client.close()
    client.close()
    assert client.request("GET", "/none") == (204, b"")

    assert len(connections) == 2
