# A join of two partitioned inputs: both hash-partitioned on the join key into the same number
# of partitions, then joined partition by partition.
import sys

import smallpond_cpp as smallpond

sp = smallpond.init()
orders = sp.read_parquet(f"{sys.argv[1]}/orders/*.parquet").repartition(4, hash_by="customer_id")
customers = sp.read_parquet(f"{sys.argv[1]}/customers/*.parquet").repartition(
    4, hash_by="customer_id")
totals = sp.partial_sql(
    """SELECT c.customer_id, c.name, count(*) AS orders, sum(o.amount) AS total
       FROM {0} o JOIN {1} c ON o.customer_id = c.customer_id
       GROUP BY c.customer_id, c.name""",
    orders, customers)
totals.write_parquet(sys.argv[2])
print(totals.take(3))
