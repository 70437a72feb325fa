# Python functions in the plan, in smallpond's style: lambdas with closures, a function of the
# user's own module, and map_batches over pyarrow tables.
import sys

import pyarrow as pa
import pyarrow.compute as pc

import smallpond_cpp as smallpond
from helpers import is_expensive

sp = smallpond.init()
df = sp.read_parquet(f"{sys.argv[1]}/*.parquet").repartition(4, hash_by="ticker")

low = 100  # captured by the lambda below
cheap = df.filter(lambda r: r["price"] is not None and r["price"] < low)
cheap = cheap.map(lambda r: {"ticker": r["ticker"], "cents": int(round(r["price"] * 100))})
cheap.write_parquet(sys.argv[2] + "/cheap")

df.filter(is_expensive).write_parquet(sys.argv[2] + "/expensive")


def with_turnover(table: pa.Table) -> pa.Table:
    return table.append_column("turnover", pc.multiply(table["price"], table["volume"]))


df.map_batches(with_turnover, batch_size=1000).write_parquet(sys.argv[2] + "/turnover")
df.flat_map(lambda r: [{"ticker": r["ticker"], "k": k} for k in range(r["volume"] % 3)]) \
  .write_parquet(sys.argv[2] + "/repeated")
print("driver done")
