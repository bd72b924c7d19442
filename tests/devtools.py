"""Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`).

Chromium reads commands on file descriptor 3 and writes answers on 4, each a JSON
message ended by a NUL byte; nothing beyond the standard library is needed.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

WAIT = 60.0  # seconds an answer may take before the browser is given up on


class Browser:
    """One headless Chromium with one page, closed on leaving the `with` block."""

    def __init__(self, binary: str, profile: Path) -> None:
        commands_read, self._commands = os.pipe()
        self._answers, answers_write = os.pipe()

        def wire() -> None:  # in the child: the two ends Chromium expects, as fds 3 and 4
            read, write = os.dup(commands_read), os.dup(answers_write)
            os.dup2(read, 3)
            os.dup2(write, 4)

        self._process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=wire,
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_read)
        os.close(answers_write)
        self._buffer = b""
        self._next_id = 0
        self._session: str | None = None

    def __enter__(self) -> Browser:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._session = None
            self.call("Browser.close")
            self._process.wait(timeout=WAIT)
        finally:
            if self._process.poll() is None:
                self._process.kill()
            os.close(self._commands)
            os.close(self._answers)

    def call(self, method: str, **params: object) -> dict:
        """Send one command (to the page once attached) and return its result."""
        self._next_id += 1
        message: dict[str, object] = {"id": self._next_id, "method": method, "params": params}
        if self._session:
            message["sessionId"] = self._session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + WAIT
        while True:
            answer = self._read(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def open(self, url: str) -> None:
        """Load a page and wait until its document and fonts are ready."""
        self.call("Page.enable")
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + WAIT
        while self.evaluate("document.readyState + ':' + document.fonts.status") != "complete:loaded":
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not finish loading")
            time.sleep(0.05)

    def evaluate(self, expression: str) -> object:
        """The value of a JavaScript expression in the page."""
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def fonts_drawing(self, selector: str) -> dict[str, int]:
        """The platform fonts Chromium drew the text of each element matching selector in,
        with how many glyphs it drew in each."""
        self.call("DOM.enable")
        self.call("CSS.enable")
        root = self.call("DOM.getDocument", depth=-1)["root"]["nodeId"]
        fonts: dict[str, int] = {}
        for node in self.call("DOM.querySelectorAll", nodeId=root, selector=selector)["nodeIds"]:
            for font in self.call("CSS.getPlatformFontsForNode", nodeId=node)["fonts"]:
                fonts[font["familyName"]] = fonts.get(font["familyName"], 0) + font["glyphCount"]
        return fonts
