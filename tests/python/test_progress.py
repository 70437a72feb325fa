"""Progress: readable from another thread while an action runs, and drawn in a notebook cell
(here with a stand-in for IPython's display)."""
import os
import threading
import time
from types import SimpleNamespace

from smallpond_cpp._actions import NotebookProgress


def test_progress_while_an_action_runs(sp, prices, tmp_path):
    marker = str(tmp_path / "slow")
    open(marker, "w").close()

    def keep(row):
        if os.path.exists(marker):
            time.sleep(0.002)
        return True

    df = sp.read_parquet(f"{prices}/*.parquet").repartition(4, hash_by="ticker").filter(keep)
    counted = {}
    action = threading.Thread(target=lambda: counted.setdefault("n", df.count()))
    action.start()
    seen = sp.progress()
    deadline = time.monotonic() + 60
    while not (seen.running and seen.tasks_done > 0) and time.monotonic() < deadline:
        time.sleep(0.01)
        seen = sp.progress()
    os.unlink(marker)
    action.join()
    assert seen.running and 0 < seen.tasks_done < seen.tasks_total
    after = sp.progress()
    assert not after.running and after.tasks_done == after.tasks_total
    assert [s.step for s in after.steps] == [s.step for s in seen.steps]
    assert counted["n"] == 100000


class FakeHandle:
    def __init__(self, shown):
        self.shown = shown

    def update(self, content):
        self.shown.append(content)


def progress(done, total, seconds):
    return SimpleNamespace(tasks_done=done, tasks_total=total, seconds=seconds,
                           steps=[SimpleNamespace(step="a<b", done=done, total=total)])


def test_notebook_progress_bar():
    shown = []
    bar = NotebookProgress(display=lambda content, display_id: (shown.append(content),
                                                                FakeHandle(shown))[1],
                           make_html=lambda text: text)
    bar.update(progress(1, 10, 0.5))
    assert shown == []  # a job shorter than a second shows nothing
    bar.update(progress(3, 10, 1.5))
    bar.update(progress(3, 10, 1.5))  # nothing moved: not drawn again
    bar.update(progress(10, 10, 2.0), final=True)
    assert len(shown) == 2
    assert '<progress value="3" max="10"' in shown[0] and "3/10 tasks" in shown[0]
    assert "a&lt;b 10/10" in shown[1]

    quick = []
    bar = NotebookProgress(display=lambda content, display_id: quick.append(content),
                           make_html=lambda text: text)
    bar.update(progress(4, 4, 0.2), final=True)
    assert quick == []
