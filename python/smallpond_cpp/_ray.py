"""Running on a Ray cluster: executors as Ray actors.

Each actor is one executor node (exec/tcp_pool.h): its process serves the driver's tasks
through smallpond_cpp.serve_executor_node, connected to an address the driver listens on, with
a local executor process of its own. Ray places the actors (one CPU each by default) and
restarts one that dies; the restarted actor connects again and takes its place. Ray's
dashboard and `ray list actors` show them as `smallpond-<job>-executor-<i>`.
"""
from __future__ import annotations

import itertools
import os
import socket
import sys
from typing import Any, Dict, List, Optional, Tuple


_sessions = itertools.count()


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _actor_class() -> Any:
    import ray

    @ray.remote(max_restarts=-1, max_task_retries=0)
    class SmallpondExecutor:
        """An executor node inside a Ray actor: serves until the driver says stop."""

        def __init__(self, driver_address: str, env: Dict[str, str]) -> None:
            import threading

            os.environ.update(env)
            for entry in reversed(env.get("SMALLPOND_PYTHON_PATH", "").split(os.pathsep)):
                if entry and entry not in sys.path:
                    sys.path.insert(0, entry)
            import smallpond_cpp

            self._thread = threading.Thread(
                target=smallpond_cpp.serve_executor_node, args=(driver_address, 120),
                name="smallpond executor node", daemon=True)
            self._thread.start()

        def serving(self) -> bool:
            return self._thread.is_alive()

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
              .remote(address, env)
              for i in range(max(1, n))]
    return address, max(1, n), actors


def stop_executors(actors: List[Any]) -> None:
    import ray

    for actor in actors:
        try:
            ray.kill(actor)
        except Exception:  # already gone
            pass
