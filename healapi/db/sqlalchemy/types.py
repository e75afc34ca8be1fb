"""Column types that behave the same on SQLite, PostgreSQL and MySQL.

Both the models and the migrations use these, so the two agree by
construction.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

#: Timestamps keep microseconds everywhere (MySQL's DATETIME drops them by
#: default), so ordering and ETags follow changes made within one second.
DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')

#: Surrogate keys of high-volume tables; SQLite only autoincrements INTEGER.
BigIntegerKey = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
