"""Benchmark the Datalog evaluator (healapi.engine.datalog.evaluation).

    python tools/bench/datalog.py [--n N] [--big N] [--edges N] [--quick]

Workload A, a join with negation over three base tables::

    error(v) :- vm(v, h), host_down(h), not exempt(v)

``vm`` has N rows (N/10 distinct hosts, each VM on a host drawn uniformly),
``host_down`` N/100 of those hosts (so about 10% of VMs are on a down
host) and ``exempt`` N/3 of the VMs drawn uniformly; ``error`` is then
about N/10 * 2/3 = N/15 rows. It measures creating an Evaluator from the
rows (full evaluation; the rows are built beforehand, not timed), then
single-row changes on each table, each one apply() call: deletes of an
existing row, inserts of a new one (half of each drawn where they change
``error``: a VM on a down host, say; half uniformly) and no-ops (a row
already there inserted, one not there deleted). It then checks the result
against a fresh evaluation (not timed). The same again, with fewer
repetitions, at --big rows (1,000,000).

Workload B, recursion (transitive closure)::

    reach(x, y) :- edge(x, y)
    reach(x, z) :- reach(x, y), edge(y, z)

over --edges edges (100,000) forming many small random DAGs: components of
20 nodes with 25 distinct forward edges (u < v) each, so the closure stays
small (it is printed) while most components have nodes with several
paths between them, which delete-and-rederive has to find again. It
measures the full evaluation, memory, and single-edge inserts (a new
forward edge inside a component: the graph stays a DAG) and deletes (an
existing edge: the DRed path), and checks a smaller instance against a
naive closure after every change.

Times are wall clock (time.perf_counter), with the garbage collector
enabled as users run it unless --no-gc; the time it spent collecting
(gc.callbacks) is shown apart. Memory: the resident set size (psutil, or
/proc/self/statm without it) once the rows are built, after creating the
first evaluator and after the changes; and tracemalloc's figures for a
separate, untimed evaluator, created and then given one change per table
(tracemalloc slows allocation down, so no time is taken under it). The
rows given to the evaluator exist before either is measured. Each
workload runs in a process of its own (see --section), so that its memory
figures are its own.

Nothing is asserted about times; the targets of the issue are printed
next to the figures. A wrong result is an error (exit status 1).
"""

import argparse
import gc
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

try:
    import psutil
except ImportError:  # pragma: no cover - psutil is optional
    psutil = None

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..'))

from healapi.engine.datalog import analysis  # noqa: E402
from healapi.engine.datalog import evaluation  # noqa: E402

POLICY_A = 'error(v) :- vm(v, h), host_down(h), not exempt(v)\n'
POLICY_B = ('reach(x, y) :- edge(x, y)\n'
            'reach(x, z) :- reach(x, y), edge(y, z)\n')

#: Nodes and edges of each component of workload B's graph.
NODES, EDGES = 20, 25

LOAD_TARGET = 0.2
CHANGE_TARGET = 1e-3


# Reporting.

def ms(seconds):
    return '%7.3f ms' % (seconds * 1e3)


def mib(size):
    return '%8.1f MiB' % (size / 2 ** 20) if size is not None else '      n/a'


def percentile(values, fraction):
    """Nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def heading(text):
    print()
    print(text)
    print('=' * len(text))


def verdict(value, target):
    return 'ok' if value < target else 'MISSED'



def print_changes(rows):
    """A table of single-row change timings: rows of (table, operation,
    [seconds], [derived rows changed])."""
    print('%-9s %-15s %5s %10s %10s %10s %10s %10s %4s %10s %7s  %s' % (
        'table', 'change', 'count', 'first', 'median', 'p90', 'p99', 'max',
        '>1ms', 'in gc', 'd(rows)', 'median < 1 ms?'))
    for table, operation, times, sizes, collecting in rows:
        median = statistics.median(times)
        print('%-9s %-15s %5d %s %s %s %s %s %4d %s %7.1f  %s' % (
            table, operation, len(times), ms(times[0]), ms(median),
            ms(percentile(times, 0.9)), ms(percentile(times, 0.99)),
            ms(max(times)), sum(time > 1e-3 for time in times),
            ms(sum(collecting)), statistics.mean(sizes),
            verdict(median, CHANGE_TARGET)))
    print('first: the first change of its kind; max: mostly the first '
          'change whose join needs\nan index not built yet (built then, '
          'once); >1ms: how many took over 1 ms; in gc:\ntotal time the '
          'garbage collector ran during them; d(rows): mean number of\n'
          'derived rows a change added or removed')


# Measuring.

def rss():
    """The resident set size of this process, in bytes."""
    if psutil is not None:
        return psutil.Process().memory_info().rss
    try:
        with open('/proc/self/statm') as statm:
            return int(statm.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
    except OSError:
        return None


def max_rss():
    """The peak resident set size of this process so far, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == 'darwin' else peak * 1024


class GcClock:
    """The time the garbage collector has spent collecting so far."""

    def __init__(self):
        self.seconds = 0.0
        self.full = 0
        self._started = None
        gc.callbacks.append(self._callback)

    def _callback(self, phase, info):
        if phase == 'start':
            self._started = time.perf_counter()
        elif self._started is not None:
            self.seconds += time.perf_counter() - self._started
            self.full += info['generation'] == 2
            self._started = None


GC = GcClock()


class Memory:
    """Resident set sizes taken along a workload."""

    def __init__(self):
        self.rows = self.loaded = self.changed = None

    def print(self):
        def grown(since, until):
            if None in (since, until):
                return 'n/a'
            return mib(until - since).strip()
        print('RSS (%s) with the rows built: %s; creating the first '
              'evaluator added %s;\nafter the changes (their indexes '
              'built), RSS is %s above the first figure' % (
                  'psutil' if psutil is not None else '/proc/self/statm',
                  mib(self.rows).strip(), grown(self.rows, self.loaded),
                  grown(self.rows, self.changed)))


def time_loads(compiled, rows, runs, memory):
    """Seconds to create an Evaluator and seconds of them in the garbage
    collector, per run; and the last evaluator."""
    times, collecting, evaluator = [], [], None
    for run in range(runs):
        evaluator = None
        gc.collect()
        if run == 0:
            memory.rows = rss()
        collected = GC.seconds
        start = time.perf_counter()
        evaluator = evaluation.Evaluator(compiled, rows)
        times.append(time.perf_counter() - start)
        collecting.append(GC.seconds - collected)
        if run == 0:
            # Later runs reuse the memory their predecessor freed.
            memory.loaded = rss()
    return times, collecting, evaluator


def print_loads(times, collecting, target=None):
    print('Evaluator(compiled, rows): best %s, median %s of %d runs%s' % (
        ms(min(times)).strip(), ms(statistics.median(times)).strip(),
        len(times), ('  [target < %s: %s]' % (
            ms(target).strip(), verdict(min(times), target))
            if target else '')))
    print('of which in the garbage collector: %s per run on average' % (
        ms(statistics.mean(collecting)).strip()))


def print_memory(compiled, rows, warm):
    """tracemalloc's figures for one more evaluator, created (untimed)
    and then given a deletion and reinsertion of each of ``warm``
    (``[(table, row)]``), which builds the indexes changes need."""
    gc.collect()
    tracemalloc.start()
    try:
        evaluator = evaluation.Evaluator(compiled, rows)
        loaded, peak = tracemalloc.get_traced_memory()
        for table, row in warm:
            evaluator.apply({table: ([], [row])})
            evaluator.apply({table: ([row], [])})
        changed, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del evaluator
    print('tracemalloc (another evaluator, untimed): %s allocated by '
          'Evaluator(), %s at its peak;\n%s once a change to each table '
          'built the indexes changes need' % (
              mib(loaded).strip(), mib(peak).strip(), mib(changed).strip()))
    print('peak RSS of this process (getrusage; rows, checks and all '
          'included): %s' % mib(max_rss()).strip())


def timed_apply(evaluator, table, inserts, deletes):
    """(seconds, of them in gc, derived rows changed) of one apply()."""
    collected = GC.seconds
    start = time.perf_counter()
    changes = evaluator.apply({table: (inserts, deletes)})
    elapsed = time.perf_counter() - start
    return elapsed, GC.seconds - collected, sum(
        len(change.added) + len(change.removed)
        for change in changes.values())


class Bag:
    """A set with uniform random choice in constant time."""

    def __init__(self, items=()):
        self.items = list(dict.fromkeys(items))
        self.where = {item: i for i, item in enumerate(self.items)}

    def __len__(self):
        return len(self.items)

    def __contains__(self, item):
        return item in self.where

    def add(self, item):
        if item not in self.where:
            self.where[item] = len(self.items)
            self.items.append(item)

    def remove(self, item):
        i = self.where.pop(item)
        last = self.items.pop()
        if i < len(self.items):
            self.items[i] = last
            self.where[last] = i

    def choice(self, rng):
        return self.items[rng.randrange(len(self.items))]


# Workload A.

class Inventory:
    """Workload A's base rows, and the random single-row changes to make
    to them. Half of the changes are drawn where they change ``error``
    (a VM on a down host, a host with VMs), half uniformly."""

    def __init__(self, n, seed):
        self.rng = random.Random(seed)  # noqa: S311 (not cryptography)
        rng = self.rng
        self.hosts = ['host-%07d' % i for i in range(max(1, n // 10))]
        self.vm_host = {'vm-%07d' % i: rng.choice(self.hosts)
                        for i in range(n)}
        self.vms = Bag(self.vm_host)
        self.down = Bag(rng.sample(self.hosts, max(1, n // 100)))
        self.up = Bag(host for host in self.hosts if host not in self.down)
        self.exempt = Bag(rng.sample(self.vms.items, n // 3))
        self.fresh = 0

    def rows(self):
        return {'vm': list(self.vm_host.items()),
                'host_down': [(host,) for host in self.down.items],
                'exempt': [(vm,) for vm in self.exempt.items]}

    def expected_error(self):
        return {(vm,) for vm, host in self.vm_host.items()
                if host in self.down and vm not in self.exempt}

    def _vm_on_down_host(self, among):
        """A random VM of ``among`` on a down host (or any, after a few
        tries)."""
        for _ in range(50):
            vm = among.choice(self.rng)
            if self.vm_host.get(vm) in self.down:
                break
        return vm

    def _biased(self):
        return self.rng.random() < 0.5

    def change(self, table, insert):
        """(inserts, deletes) for one random change, made here too."""
        rng = self.rng
        if table == 'vm' and insert:
            self.fresh += 1
            vm = 'vm-new-%07d' % self.fresh
            host = (self.down if self._biased() else self.up).choice(rng)
            self.vm_host[vm] = host
            self.vms.add(vm)
            return [(vm, host)], []
        if table == 'vm':
            vm = (self._vm_on_down_host(self.vms) if self._biased()
                  else self.vms.choice(rng))
            self.vms.remove(vm)
            # An exemption of the VM stays, as rows of other tables would.
            return [], [(vm, self.vm_host.pop(vm))]
        if table == 'host_down':
            source, target = ((self.up, self.down) if insert
                              else (self.down, self.up))
            host = source.choice(rng)
            source.remove(host)
            target.add(host)
            return ([(host,)], []) if insert else ([], [(host,)])
        if insert:
            biased = self._biased()
            while True:
                vm = self.vms.choice(rng)
                if vm not in self.exempt and (
                        not biased or self.vm_host[vm] in self.down):
                    break
            self.exempt.add(vm)
            return [(vm,)], []
        vm = (self._vm_on_down_host(self.exempt) if self._biased()
              else self.exempt.choice(rng))
        self.exempt.remove(vm)
        return [], [(vm,)]

    def noop(self, table):
        """(inserts, deletes) changing nothing: a row already there
        inserted, or one not there deleted."""
        if table == 'vm':
            vm = self.vms.choice(self.rng)
            return [(vm, self.vm_host[vm])], [('vm-absent', 'host-absent')]
        if table == 'host_down':
            return [(self.down.choice(self.rng),)], [('host-absent',)]
        return [(self.exempt.choice(self.rng),)], [('vm-absent',)]


def run_changes(evaluator, inventory, count):
    """Single-row changes on each table: timing rows for print_changes."""
    results = []
    for table in ('vm', 'host_down', 'exempt'):
        timings = {'insert new row': [], 'delete existing': [],
                   'no-op': []}
        for _ in range(count):
            for operation, insert in (('delete existing', False),
                                      ('insert new row', True)):
                timings[operation].append(timed_apply(
                    evaluator, table, *inventory.change(table, insert)))
            if len(timings['no-op']) < count // 4:
                timings['no-op'].append(timed_apply(
                    evaluator, table, *inventory.noop(table)))
        results.extend(timing_row(table, operation, measured)
                       for operation, measured in timings.items())
    return results


def timing_row(table, operation, measured):
    """A row for print_changes from timed_apply's results."""
    times, collecting, sizes = zip(*measured, strict=True)
    return table, operation, times, sizes, collecting


def check_a(compiled, evaluator, inventory):
    """Compare the maintained tables with a fresh evaluation and with
    Python's own answer."""
    fresh = evaluation.Evaluator(compiled, inventory.rows())
    expected = inventory.expected_error()
    got = evaluator.rows('error')
    for table in ('vm', 'host_down', 'exempt'):
        if evaluator.rows(table) != fresh.rows(table):
            raise SystemExit('FAIL: base table %s differs' % table)
    if got != fresh.rows('error') or got != expected:
        raise SystemExit('FAIL: error has %d rows, a fresh evaluation %d, '
                         'expected %d' % (len(got), len(fresh.rows('error')),
                                          len(expected)))
    print('correct: error matches a fresh evaluation and a direct '
          'computation (%d rows)' % len(got))


def workload_a(n, runs, changes):
    heading(f'Workload A, N = {n:,}')
    print(POLICY_A.strip())
    start = time.perf_counter()
    compiled = analysis.load(POLICY_A)
    print('policy compiled in %s' % ms(time.perf_counter() - start).strip())
    inventory = Inventory(n, seed=n)
    rows = inventory.rows()
    print('vm {:,} rows on {:,} hosts, host_down {:,}, exempt {:,}'.format(
        len(rows['vm']), len(inventory.hosts), len(rows['host_down']),
        len(rows['exempt'])))
    memory = Memory()
    times, collecting, evaluator = time_loads(compiled, rows, runs, memory)
    print('error: {:,} rows'.format(len(evaluator.rows('error'))))
    print_loads(times, collecting, LOAD_TARGET if n == 100000 else None)
    print()
    print('Single-row changes, one apply() each:')
    print_changes(run_changes(evaluator, inventory, changes))
    memory.changed = rss()
    memory.print()
    check_a(compiled, evaluator, inventory)
    (vm,) = min(evaluator.rows('error'))
    del evaluator
    print_memory(compiled, rows, [('vm', (vm, inventory.vm_host[vm])),
                                  ('host_down', rows['host_down'][0]),
                                  ('exempt', rows['exempt'][0])])


# Workload B.

class Graph:
    """Workload B's graph: components of NODES nodes, EDGES forward
    edges each."""

    def __init__(self, edges, seed):
        self.rng = random.Random(seed)  # noqa: S311 (not cryptography)
        self.components = max(1, edges // EDGES)
        self.edges = Bag()
        for component in range(self.components):
            pairs = [(u, v) for u in range(NODES)
                     for v in range(u + 1, NODES)]
            for u, v in self.rng.sample(pairs, EDGES):
                self.edges.add((self.node(component, u),
                                self.node(component, v)))

    @staticmethod
    def node(component, number):
        return 'n%06d.%02d' % (component, number)

    def rows(self):
        return {'edge': list(self.edges.items)}

    def insert(self):
        while True:
            component = self.rng.randrange(self.components)
            u, v = sorted(self.rng.sample(range(NODES), 2))
            edge = (self.node(component, u), self.node(component, v))
            if edge not in self.edges:
                self.edges.add(edge)
                return [edge], []

    def delete(self):
        edge = self.edges.choice(self.rng)
        self.edges.remove(edge)
        return [], [edge]

    def closure(self):
        """The transitive closure, naively (a search from every node)."""
        successors = {}
        for u, v in self.edges.items:
            successors.setdefault(u, []).append(v)
        pairs = set()
        for start in successors:
            seen, stack = set(), [start]
            while stack:
                for following in successors.get(stack.pop(), ()):
                    if following not in seen:
                        seen.add(following)
                        stack.append(following)
            pairs.update((start, node) for node in seen)
        return pairs


def run_edge_changes(evaluator, graph, count):
    timings = {'insert new edge': [], 'delete (DRed)': []}
    for _ in range(count):
        for operation, make in (('delete (DRed)', graph.delete),
                                ('insert new edge', graph.insert)):
            timings[operation].append(timed_apply(evaluator, 'edge',
                                                  *make()))
    return [timing_row('edge', operation, measured)
            for operation, measured in timings.items()]


def check_b_small(compiled, edges, changes, seed):
    """A smaller graph, checked against a naive closure after the full
    evaluation and after each change."""
    graph = Graph(edges, seed)
    evaluator = evaluation.Evaluator(compiled, graph.rows())
    for step in range(2 * changes + 1):
        if evaluator.rows('reach') != graph.closure():
            raise SystemExit('FAIL: reach differs from the naive closure '
                             'after %d changes' % step)
        inserts, deletes = (graph.insert() if step % 2 else graph.delete())
        evaluator.apply({'edge': (inserts, deletes)})
    print(f'correct: reach matches a naive closure on {len(graph.edges):,} '
          f'edges, after the full evaluation and each of {2 * changes:,} '
          'changes')


def workload_b(edges, runs, changes):
    heading(f'Workload B, transitive closure over {edges:,} edges')
    print(POLICY_B.strip())
    compiled = analysis.load(POLICY_B)
    graph = Graph(edges, seed=edges)
    rows = graph.rows()
    memory = Memory()
    times, collecting, evaluator = time_loads(compiled, rows, runs, memory)
    closure = len(evaluator.rows('reach'))
    print('{:,} components of {} nodes, {:,} edges; reach: {:,} rows '
          '(edges + {:,})'.format(graph.components, NODES, len(rows['edge']),
                                  closure, closure - len(rows['edge'])))
    print_loads(times, collecting)
    print()
    print('Single-edge changes, one apply() each:')
    print_changes(run_edge_changes(evaluator, graph, changes))
    memory.changed = rss()
    memory.print()
    if evaluator.rows('reach') != graph.closure():
        raise SystemExit('FAIL: reach differs from the naive closure')
    print('correct: reach matches a naive closure after the changes')
    check_b_small(compiled, 2000, 200, seed=1)
    del evaluator
    print_memory(compiled, rows, [('edge', rows['edge'][0])])


SECTIONS = ('a', 'big', 'b')


def run_section(args, runs, changes):
    if args.section == 'a':
        workload_a(args.n, runs, changes)
    elif args.section == 'big':
        workload_a(args.big, max(1, runs // 2), max(1, changes // 5))
    else:
        workload_b(args.edges, runs, changes)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--n', type=int, default=100000,
                        help='rows of vm in workload A (default 100,000)')
    parser.add_argument('--big', type=int, default=1000000,
                        help='rows of vm in the large run of workload A '
                             '(default 1,000,000; 0 to skip)')
    parser.add_argument('--edges', type=int, default=100000,
                        help='edges of workload B (default 100,000)')
    parser.add_argument('--runs', type=int,
                        help='full evaluations to time (default 7, '
                             '--quick 3; half as many at --big)')
    parser.add_argument('--changes', type=int,
                        help='changes per table and operation (default '
                             '1,000, --quick 200; a fifth at --big)')
    parser.add_argument('--quick', action='store_true',
                        help='fewer runs and changes, no --big run')
    parser.add_argument('--no-gc', action='store_true',
                        help='disable the garbage collector (default: '
                             'enabled, as users run)')
    parser.add_argument('--section', choices=SECTIONS,
                        help='run only this part, in this process (the '
                             'default runs each part in a process of its '
                             'own, so that memory figures are its own)')
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 7)
    changes = args.changes or (200 if args.quick else 1000)
    if args.no_gc:
        gc.disable()
    if args.section:
        run_section(args, runs, changes)
        return 0

    print('Python %s on %s, %d CPUs; gc %s; RSS from %s; load average '
          '%.2f %.2f %.2f' % (
              platform.python_version(), platform.platform(), os.cpu_count(),
              'enabled' if gc.isenabled() else 'DISABLED',
              'psutil' if psutil is not None else '/proc/self/statm',
              *os.getloadavg()))
    started = time.perf_counter()
    status = 0
    for section in SECTIONS:
        if section == 'big' and (args.quick or not args.big):
            continue
        sys.stdout.flush()
        command = [sys.executable, __file__, '--section', section]
        status = status or subprocess.run(  # noqa: S603 (our own script)
            command + list(argv if argv is not None else sys.argv[1:]),
            check=False).returncode
    print()
    print('total %.1f s; load average %.2f %.2f %.2f' % (
        time.perf_counter() - started, *os.getloadavg()))
    return status


if __name__ == '__main__':
    sys.exit(main())
