"""Tables as the evaluator keeps them: sets of rows with hash indexes.

A row is a tuple of values. A lookup names the positions it knows and
their values (the *key*): a bare value for one position, a tuple for more.
Indexes are built on first use of a set of positions and then kept up to
date, so a join costs what it finds, not what the table holds.

An index maps each key to its rows: to the row itself while there is only
one (as for a key that is an id), to a set of them from the second on, so
that an index by a unique column costs no set per row.
"""

import operator

_NO_ROWS = ()


def key_function(positions):
    """The function giving a row's key for ``positions`` (not empty)."""
    return operator.itemgetter(*positions)


def _index_add(index, key, row):
    bucket = index.get(key)
    if bucket is None:
        index[key] = row
    elif type(bucket) is set:
        bucket.add(row)
    else:
        index[key] = {bucket, row}


def _index_discard(index, key, row):
    bucket = index[key]
    if type(bucket) is not set:
        del index[key]
        return
    bucket.discard(row)
    if len(bucket) == 1:
        index[key] = next(iter(bucket))


class Relation:
    """The rows of one table."""

    def __init__(self, rows=()):
        self.rows = set(rows)
        self._indexes = {}

    def __len__(self):
        return len(self.rows)

    def __contains__(self, row):
        return row in self.rows

    def matching(self, positions, key):
        """The rows whose values at ``positions`` are ``key``."""
        if not positions:
            return self.rows
        bucket = self.index(positions).get(key, _NO_ROWS)
        return bucket if type(bucket) is not tuple or not bucket else (
            bucket,)

    def index(self, positions):
        """The index by ``positions`` (not empty), built if need be."""
        indexed = self._indexes.get(positions)
        if indexed is None:
            index = {}
            key_of = key_function(positions)
            for row in self.rows:
                _index_add(index, key_of(row), row)
            indexed = self._indexes[positions] = key_of, index
        return indexed[1]

    def add(self, row):
        """Add ``row``; False if it was already there."""
        if row in self.rows:
            return False
        self.rows.add(row)
        for key_of, index in self._indexes.values():
            _index_add(index, key_of(row), row)
        return True

    def discard(self, row):
        """Remove ``row``; False if it wasn't there."""
        if row not in self.rows:
            return False
        self.rows.remove(row)
        for key_of, index in self._indexes.values():
            _index_discard(index, key_of(row), row)
        return True


class PastRelation:
    """A relation as it was before ``added`` were added and ``removed``
    removed: what maintenance needs to find the derivations that used
    rows which are now gone."""

    def __init__(self, relation, added, removed):
        self.relation = relation
        self.added = added
        self.removed = removed
        #: The removed rows by key, per positions looked up.
        self._removed_by = {}

    def __len__(self):
        return len(self.relation) - len(self.added) + len(self.removed)

    def __contains__(self, row):
        if row in self.removed:
            return True
        return row in self.relation and row not in self.added

    def matching(self, positions, key):
        rows = self.relation.matching(positions, key)
        if self.added:
            rows = [row for row in rows if row not in self.added]
        if not self.removed:
            return rows
        if not positions:
            return list(rows) + list(self.removed)
        removed_by = self._removed_by.get(positions)
        if removed_by is None:
            removed_by = self._removed_by[positions] = {}
            key_of = key_function(positions)
            for row in self.removed:
                removed_by.setdefault(key_of(row), []).append(row)
        return list(rows) + removed_by.get(key, [])
