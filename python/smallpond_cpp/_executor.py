"""An executor process of a smallpond_cpp session: serves tasks and exits.

The session starts these as ``python -m smallpond_cpp._executor`` (Options.executor_command),
not as copies of the user's script: a notebook, an interactive session or a test runner has no
script to run again.
"""
import os
import sys

from smallpond_cpp import _core


def main() -> None:
    # The driver's module search path, so that functions of the plan pickled by reference
    # (defined in the user's modules) import here as they did there.
    for entry in reversed(os.environ.get("SMALLPOND_PYTHON_PATH", "").split(os.pathsep)):
        if entry and entry not in sys.path:
            sys.path.insert(0, entry)
    _core.serve_if_executor()  # returns only when this process was not started as an executor
    sys.exit("smallpond_cpp._executor: not started by a smallpond_cpp session")


if __name__ == "__main__":
    main()
