"""Running on a Ray cluster: executors as Ray actors.

Each actor is one executor node (exec/tcp_pool.h): its process serves the driver's tasks
through smallpond_cpp.serve_executor_node, connected to an address the driver listens on, with
a local executor process of its own. Ray places the actors (one CPU each by default) and
restarts one that dies; the restarted actor connects again and takes its place. Ray's
dashboard and `ray list actors` show them as `smallpond-<job>-...-executor-<i>`, and every task
attempt they run as a task named `<job>: <step>[<partition>]` (RayTaskSpans). In-memory
outputs that another actor reads go through Ray's object store (RayObjectStore).
"""
from __future__ import annotations

import itertools
import os
import socket
import sys
import threading
from typing import Any, Dict, List, Optional, Tuple


_sessions = itertools.count()


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


# How long a consumer waits for an in-memory input from another actor: far less than the
# driver's heartbeat timeout, since the node's relay sends no heartbeats meanwhile.
_FETCH_TIMEOUT_SECONDS = 30


class RayObjectStore:
    """Method 1 of handing data over: an in-memory output that another executor reads is put
    into Ray's object store by the actor that holds it, which owns the object; the driver gets
    only a reference (this actor's name and the table's), and the consumer's actor asks the
    owner for the ObjectRef and gets the object from Ray, which moves it between nodes. When
    the owner dies its objects are lost; the driver notices the lost executor and computes the
    output again (lineage)."""

    def __init__(self, actor_name: str) -> None:
        self._name = actor_name
        self._refs: Dict[str, Any] = {}
        self._owners: Dict[str, Any] = {}

    # Called by the node's relay thread (exec/executor_relay.h).
    def put(self, table: str, data: bytes) -> bytes:
        import ray

        self._refs[table] = ray.put(data)
        return f"{self._name}\n{table}".encode()

    def get(self, reference: bytes) -> bytes:
        import ray

        owner, table = reference.decode().split("\n", 1)
        try:
            handle = self._owners.get(owner) or ray.get_actor(owner)
            self._owners[owner] = handle
            refs = ray.get(handle.object_ref.remote(table), timeout=_FETCH_TIMEOUT_SECONDS)
            if refs is None:
                raise LookupError(f"{owner} no longer holds it (restarted?)")
            return ray.get(refs[0], timeout=_FETCH_TIMEOUT_SECONDS)
        except Exception as e:
            self._owners.pop(owner, None)
            raise LookupError(f"table {table} of {owner}: {type(e).__name__}: {e}") from None

    def release(self, table: str) -> None:
        # Ray frees the object once no consumer borrows it any more.
        self._refs.pop(table, None)

    # Called by Ray in the owner's actor, for a consumer.
    def object_ref(self, table: str) -> Optional[List[Any]]:
        ref = self._refs.get(table)
        return None if ref is None else [ref]  # in a list: Ray hands the ObjectRef itself over


class SmallpondTaskError(Exception):
    """A task attempt that failed on its executor node (the scheduler decides what follows)."""


class RayTaskSpans:
    """Makes each task attempt that this actor's node runs a task of Ray's own, named
    "<job>: <step>[<partition>]" (with " (attempt N)" after the first), so that `ray list
    tasks`, the dashboard and `ray timeline` show the job by its steps: the actor runs a method
    (`task_span`) that lasts as long as the attempt and fails with its error. Ray does not run
    the attempt itself: the scheduler's retries, the in-memory hand-over and the node's
    executor process stay smallpond's."""

    def __init__(self, job_name: str) -> None:
        self._job = job_name
        self._actor: Any = None
        self._spans: Dict[int, List[Any]] = {}  # open spans: id -> [threading.Event, error]
        self._ids = itertools.count()
        self._open: Optional[int] = None

    # Called by the node's relay thread (exec/executor_relay.h): must return at once.
    def started(self, label: str, attempt: int) -> None:
        self.finished("")  # never more than one open: each waits in one of the actor's threads
        if self._actor is None:
            import ray

            self._actor = ray.get_runtime_context().current_actor
        self._open = next(self._ids)
        self._spans[self._open] = [threading.Event(), ""]
        name = f"{self._job}: {label}" + (f" (attempt {attempt})" if attempt > 1 else "")
        self._actor.task_span.options(name=name).remote(self._open)

    def finished(self, error: str) -> None:
        span = self._spans.get(self._open) if self._open is not None else None
        self._open = None
        if span:
            span[1] = error
            span[0].set()

    # Called by Ray in this actor, as the task of one attempt.
    def wait(self, span_id: int) -> None:
        span = self._spans.get(span_id)
        if span is None:
            return
        span[0].wait()
        del self._spans[span_id]
        if span[1]:
            raise SmallpondTaskError(span[1])


def _actor_class() -> Any:
    import ray

    # Threaded: a task span waits in one thread while others answer object_ref() for consumers.
    @ray.remote(max_restarts=-1, max_task_retries=0, max_concurrency=4)
    class SmallpondExecutor:
        """An executor node inside a Ray actor: serves until the driver says stop."""

        def __init__(self, driver_address: str, env: Dict[str, str], name: str,
                     job_name: str) -> None:
            os.environ.update(env)
            for entry in reversed(env.get("SMALLPOND_PYTHON_PATH", "").split(os.pathsep)):
                if entry and entry not in sys.path:
                    sys.path.insert(0, entry)
            import smallpond_cpp

            self._store = RayObjectStore(name)
            self._spans = RayTaskSpans(job_name)
            self._thread = threading.Thread(
                target=smallpond_cpp.serve_executor_node,
                args=(driver_address, 120, self._store, self._spans),
                name="smallpond executor node", daemon=True)
            self._thread.start()

        def serving(self) -> bool:
            return self._thread.is_alive()

        def object_ref(self, table: str) -> Optional[List[Any]]:
            return self._store.object_ref(table)

        def task_span(self, span_id: int) -> None:
            self._spans.wait(span_id)

        def where(self) -> Dict[str, Any]:
            """The Ray node this actor runs on and its process id."""
            return {"node_id": ray.get_runtime_context().get_node_id(), "pid": os.getpid()}

    return SmallpondExecutor


def start_executors(ray_address: str, job_name: str, num_executors: Optional[int],
                    cpus_per_executor: float = 1) -> Tuple[str, int, List[Any]]:
    """Connects to the Ray cluster and starts the executor actors. Returns the address the
    driver must listen on, the number of executors and the actors."""
    from smallpond_cpp import _core

    try:
        import ray
    except ImportError as e:
        raise _core.InvalidInputError(
            "init: ray_address needs the ray package in this Python (pip install ray)") from e
    if not ray.is_initialized():
        try:
            ray.init(address=ray_address, logging_level="WARNING", log_to_driver=False)
        except Exception as e:  # Ray's own errors: unreachable, refused, version mismatch
            raise _core.InvalidInputError(
                f"init: cannot connect to the Ray cluster at {ray_address}: "
                f"{type(e).__name__}: {e}") from e
    host = ray.util.get_node_ip_address()
    address = f"{host}:{_free_port(host)}"
    n = num_executors or int(ray.cluster_resources().get("CPU", 1) // cpus_per_executor)
    env = {k: os.environ[k] for k in ("PYTHONPATH", "SMALLPOND_PYTHON_PATH") if k in os.environ}
    cls = _actor_class()
    prefix = f"smallpond-{job_name}-{os.getpid()}-{next(_sessions)}"
    actors = [cls.options(name=f"{prefix}-executor-{i}", num_cpus=cpus_per_executor)
              .remote(address, env, f"{prefix}-executor-{i}", job_name)
              for i in range(max(1, n))]
    return address, max(1, n), actors


def stop_executors(actors: List[Any], grace_seconds: float = 10) -> None:
    """Ends the actors (their nodes were already told to stop): each leaves on its own, which
    also sends Ray the last of its task records (a killed actor's last tasks would show as
    failed); one that does not within grace_seconds is killed."""
    import ray

    leaving = []
    for actor in actors:
        try:
            leaving.append(actor.__ray_terminate__.remote())
        except Exception:  # already gone
            pass
    if leaving:
        ray.wait(leaving, num_returns=len(leaving), timeout=grace_seconds)
    for actor in actors:
        try:
            ray.kill(actor, no_restart=True)
        except Exception:  # already gone
            pass
