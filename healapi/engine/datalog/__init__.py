"""healapi's policy language: Congress-compatible Datalog.

A library with no dependency on the API or the database:

* :mod:`.parser` turns policy text into the syntax tree of :mod:`.ast`;
* :mod:`.analysis` checks a parsed program (safety, stratification, table
  schemas, builtins) and compiles it for evaluation;
* :mod:`.builtins` are Congress's builtins (comparison, arithmetic, string,
  datetime, network);
* :mod:`.evaluation` keeps every derived table up to date, incrementally,
  as base rows are inserted and deleted, and explains derived rows.

Every error a user can cause is a :class:`.errors.PolicyError` with the line
and column it was found at.
"""
