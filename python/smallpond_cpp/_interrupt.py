"""Ctrl-C during an action: the job stops cleanly.

An action runs in C++ without the GIL, where Python's own SIGINT handling cannot reach it. So
in the main thread an action runs in a helper thread while the main thread waits; Ctrl-C there
(KeyboardInterrupt, also a notebook's interrupt button) asks the session to stop the job
(Session.interrupt: the running attempts are cancelled, nothing is left half-written, what
finished is kept for a rerun), waits for it to stop, and raises KeyboardInterrupt.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, TypeVar

T = TypeVar("T")


def run_action(session_core: Any, call: Callable[[], T]) -> T:
    if threading.current_thread() is not threading.main_thread():
        return call()  # signals reach only the main thread
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as e:  # handed to the main thread as it is
            outcome["error"] = e

    worker = threading.Thread(target=target, name="smallpond_cpp action", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        # The job may still be planning: ask until the action has returned.
        while worker.is_alive():
            session_core.interrupt()
            worker.join(0.5)
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
