# smallpond's quick start (its README), with only the import changed.
import sys

import smallpond_cpp as smallpond

sp = smallpond.init()

df = sp.read_parquet(f"{sys.argv[1]}/*.parquet")
df = df.repartition(3, hash_by="ticker")
df = sp.partial_sql(
    "SELECT ticker, min(price) AS min_price, max(price) AS max_price FROM {0} GROUP BY ticker", df)
df.write_parquet(sys.argv[2])
print(df.to_pandas())
