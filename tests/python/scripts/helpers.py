"""A module of the user's own, imported by scripts beside it: functions defined here travel to
the executors by reference (the executors import this module)."""


def is_expensive(row):
    return row["price"] is not None and row["price"] > 900
