# Deduplication by hash: rows with the same url land in the same partition, where the latest
# visit of each url is kept.
import sys

import smallpond_cpp as smallpond

sp = smallpond.init()
visits = sp.read_parquet(f"{sys.argv[1]}/*.parquet")
visits = visits.repartition(4, hash_by="url")
latest = sp.partial_sql("SELECT DISTINCT ON (url) url, ts, status FROM {0} ORDER BY url, ts DESC",
                        visits)
latest.write_parquet(sys.argv[2])
print(latest.count(), "distinct urls")
