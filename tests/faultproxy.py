"""A fault-injecting loopback TCP proxy between two real processes: the hub and a node
(tests/hub), a node and its PostgreSQL server (tests/e2e)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class FaultyProxy:
    """A loopback TCP proxy that forwards to ``target_port`` with the fault of ``mode``:
    ``clean``, ``latency`` (0.8 s before the answer starts), ``slow`` (2 KB/s), ``reset`` (the
    connection is reset after 3 KB of the answer), ``blackhole`` (accept, never answer) or
    ``down`` (the far end is unreachable: every new connection is reset at once, and setting
    the mode cuts the live ones, as a server that went away does)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._mode = "clean"
        self._lock = threading.Lock()
        self._live: set[socket.socket] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        with self._lock:
            self._mode = mode
            live = list(self._live) if mode == "down" else []
        for sock in live:
            self._cut(sock)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._handle, args=(client, self.mode), daemon=True).start()

    def _handle(self, client: socket.socket, mode: str) -> None:
        if mode == "down":
            self._reset(client)
            return
        if mode == "blackhole":
            self._stop.wait(60)
            client.close()
            return
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        with self._lock:
            self._live.update((client, upstream))
            went_down = self._mode == "down"  # set while this connection was being opened
        if went_down:
            self._cut(client)
            self._cut(upstream)
        threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
        sent = 0
        try:
            while chunk := upstream.recv(1024):
                if mode == "latency" and sent == 0:
                    time.sleep(0.8)
                elif mode == "slow":
                    time.sleep(0.5)  # 1 KB every half second
                if mode == "reset" and sent + len(chunk) > 3072:
                    client.sendall(chunk[: 3072 - sent])
                    self._reset(client)
                    return
                client.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        finally:
            with self._lock:
                self._live.difference_update((client, upstream))
            upstream.close()
            client.close()

    @staticmethod
    def _reset(sock: socket.socket) -> None:
        # SO_LINGER 0: close with a TCP reset, as a dropped mobile link does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
        sock.close()

    @staticmethod
    def _cut(sock: socket.socket) -> None:
        # shutdown, not close: it ends the connection at once and wakes the thread reading it.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(4096):
                target.sendall(data)
        except OSError:
            pass
