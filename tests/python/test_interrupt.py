"""Ctrl-C during an action: the program stops within seconds with KeyboardInterrupt, no
executor outlives it, nothing is half-written, and running it again finishes the job."""
import glob
import os
import signal
import subprocess
import sys
import time
import uuid

from conftest import SCRIPTS, assert_same_rows, truth


def attempts(job_dir):
    return sum(max(0, len(open(f).read().splitlines()) - 1)
               for f in glob.glob(f"{job_dir}/log/tasks-*.csv"))


def processes_with(mark):
    found = []
    for environ in glob.glob("/proc/[0-9]*/environ"):
        try:
            if mark.encode() in open(environ, "rb").read():
                found.append(environ.split("/")[2])
        except OSError:
            pass
    return found


def test_ctrl_c_stops_the_job_and_a_rerun_finishes_it(prices, tmp_path):
    mark = f"SMALLPOND_TEST_RUN={uuid.uuid4()}"
    env = dict(os.environ, SP_DATA_ROOT=str(tmp_path / "root"), SP_NUM_EXECUTORS="2",
               SMALLPOND_TEST_RUN=mark.split("=", 1)[1])
    marker = tmp_path / "slow"
    marker.write_text("")
    out = tmp_path / "out"
    cmd = [sys.executable, str(SCRIPTS / "slow_job.py"), str(prices), str(out), str(marker)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    job_dir = tmp_path / "root" / "slow_job"
    deadline = time.monotonic() + 120
    # The shuffle's tasks finish first; the filter's are slow: interrupt those.
    while attempts(job_dir) < 1 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    time.sleep(1)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    interrupted = time.monotonic()
    _, stderr = proc.communicate(timeout=60)
    assert time.monotonic() - interrupted < 10
    assert proc.returncode != 0
    assert "KeyboardInterrupt" in stderr, stderr
    assert not out.exists()
    time.sleep(0.5)  # executors die with their driver (a kill signal on its death)
    assert processes_with(mark) == []

    marker.unlink()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert_same_rows(truth(f"SELECT * FROM '{out}/*.parquet'"),
                     truth(f"SELECT * FROM '{prices}/*.parquet' WHERE volume % 2 = 0"))
