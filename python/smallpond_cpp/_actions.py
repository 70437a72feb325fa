"""Running an action: Ctrl-C stops its job, and a notebook shows its progress.

An action runs in C++ without the GIL, where Python's own SIGINT handling cannot reach it. So
in the main thread an action runs in a helper thread while the main thread waits; Ctrl-C there
(KeyboardInterrupt, also a notebook's interrupt button) asks the session to stop the job
(Session.interrupt: the running attempts are cancelled, nothing is left half-written, what
finished is kept for a rerun), waits for it to stop, and raises KeyboardInterrupt. While it
waits, the main thread draws the job's progress where the session says (NotebookProgress);
in a terminal the engine draws it on stderr itself.
"""
from __future__ import annotations

import html
import threading
import time
from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")


def in_notebook() -> bool:
    """Whether this is a Jupyter kernel (where the process's stderr is not shown)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class NotebookProgress:
    """A progress bar in a notebook cell: shown once a job has run for a second, updated in
    place, left with the final counts."""

    def __init__(self, display: Optional[Callable[..., Any]] = None,
                 make_html: Optional[Callable[[str], Any]] = None) -> None:
        if display is None or make_html is None:
            from IPython.display import HTML, display as ipython_display

            display, make_html = ipython_display, HTML
        self._display = display
        self._html = make_html
        self._handle: Any = None
        self._shown = ""

    @staticmethod
    def render(p: Any) -> str:
        steps = " &middot; ".join(f"{html.escape(s.step)} {s.done}/{s.total}" for s in p.steps)
        return (f'<div><progress value="{p.tasks_done}" max="{max(p.tasks_total, 1)}" '
                f'style="width: 30em"></progress> {p.tasks_done}/{p.tasks_total} tasks '
                f"&middot; {steps} &middot; {p.seconds:.1f} s</div>")

    def update(self, p: Any, final: bool = False) -> None:
        if p.tasks_total == 0 or (self._handle is None and not final and p.seconds < 1.0):
            return
        if self._handle is None and final:
            return  # a quick job: nothing to show
        text = self.render(p)
        if text == self._shown:
            return
        if self._handle is None:
            self._handle = self._display(self._html(text), display_id=True)
        else:
            self._handle.update(self._html(text))
        self._shown = text


def run_action(session: Any, call: Callable[[], T]) -> T:
    """Runs call() (an action of session, a Session wrapper) as described above."""
    core = session._core
    if threading.current_thread() is not threading.main_thread():
        return call()  # signals reach only the main thread
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as e:  # handed to the main thread as it is
            outcome["error"] = e

    progress = NotebookProgress() if session._notebook_progress else None
    worker = threading.Thread(target=target, name="smallpond_cpp action", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
            if progress:
                progress.update(core.progress())
    except KeyboardInterrupt:
        # The job may still be planning: ask until the action has returned.
        while worker.is_alive():
            core.interrupt()
            worker.join(0.5)
        raise
    finally:
        if progress:
            progress.update(core.progress(), final=True)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
