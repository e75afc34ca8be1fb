"""Single-statement reads on a connection each thread keeps open.

A read through the enginefacade checks a connection out of the pool
(oslo.db pings it first), begins a transaction, and rolls it back and
returns the connection afterwards: four round trips and a thread yield
for one ``SELECT``. For the reads other services poll all day (the
status views) the thread keeps its own connection checked out, in
autocommit mode, so such a read is one round trip (two on MySQL, whose
driver sends the ROLLBACK that ends it). A kept connection
that has gone stale (the database restarted, an idle timeout) fails
once and is replaced: the read is retried on a fresh connection, which
the pool pings as usual, so a database that is down still fails fast.
"""

import threading

from oslo_db import exception as db_exc


class HeldConnections(threading.local):
    """Per thread: one autocommit connection on the engine given."""

    engine = None
    connection = None

    def first(self, engine, query, parameters):
        """The first row of ``query`` (a single statement) with
        ``parameters``, or None."""
        for attempt in range(2):
            connection = self._connection(engine)
            try:
                row = connection.execute(query, parameters).first()
                # No round trip in autocommit, but it ends the BEGIN that
                # oslo.db emits itself on SQLite.
                connection.rollback()
                return row
            except db_exc.DBConnectionError:
                # Stale: once more, on a new connection.
                self.discard()
                if attempt:
                    raise
            except BaseException:
                self.discard()
                raise

    def discard(self):
        """Give the thread's connection back to its pool, if it has one."""
        connection, self.connection = self.connection, None
        if connection is not None:
            connection.close()

    def _connection(self, engine):
        if self.engine is not engine:  # None yet, or tests patched it.
            self.discard()
            self.engine = engine
        if self.connection is None:
            self.connection = engine.connect().execution_options(
                isolation_level='AUTOCOMMIT')
        return self.connection
