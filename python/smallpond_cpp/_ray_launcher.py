"""Executors on Ray for a driver that is not Python (`smallpond run --ray ADDRESS`, a C++
program with Options::ray_address): started by the driver as

    python -m smallpond_cpp._ray_launcher --address RAY_ADDRESS --executors N --job NAME

it starts the executor actors (smallpond_cpp._ray), prints one line, `listen HOST:PORT
executors N`, for the driver to listen there and wait for N nodes, and keeps the actors until
its standard input closes (the driver ended), then removes them.
"""
import argparse
import sys

from smallpond_cpp import _core, _ray


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--address", required=True)
    p.add_argument("--executors", type=int, default=0)
    p.add_argument("--job", default="smallpond")
    args = p.parse_args()
    try:
        address, n, actors = _ray.start_executors(args.address, args.job, args.executors or None)
    except _core.Error as e:
        print(f"error {e}", flush=True)
        sys.exit(1)
    print(f"listen {address} executors {n}", flush=True)
    try:
        sys.stdin.read()  # until the driver closes it
    finally:
        _ray.stop_executors(actors)


if __name__ == "__main__":
    main()
