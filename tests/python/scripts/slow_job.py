# A job whose filter is slow while a marker file exists: interrupted with Ctrl-C in the test,
# then run again without the marker.
import os
import sys
import time

import smallpond_cpp as smallpond

marker = sys.argv[3]


def keep_even(row):
    if os.path.exists(marker):
        time.sleep(0.01)
    return row["volume"] % 2 == 0


sp = smallpond.init()
df = sp.read_parquet(f"{sys.argv[1]}/*.parquet").repartition(4, hash_by="ticker")
df.filter(keep_even).write_parquet(sys.argv[2])
print("done")
