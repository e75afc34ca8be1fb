"""Congress's builtins give Congress's answers, and no answer (never an
exception) for inputs they can't take."""

import datetime
import itertools

import pytest

from healapi.engine.datalog import builtins

#: Every builtin of Congress (congress/datalog/builtin.py, less its config
#: validator's): name, inputs, outputs. Policies written for Congress
#: depend on these names and argument positions.
CONGRESS = {
    'lt': (2, 0), 'lteq': (2, 0), 'equal': (2, 0), 'gt': (2, 0),
    'gteq': (2, 0), 'max': (2, 1),
    'plus': (2, 1), 'minus': (2, 1), 'mul': (2, 1), 'div': (2, 1),
    'float': (1, 1), 'int': (1, 1),
    'concat': (2, 1), 'len': (1, 1),
    'now': (0, 1), 'unpack_date': (1, 3), 'unpack_time': (1, 3),
    'unpack_datetime': (1, 6), 'pack_time': (3, 1), 'pack_date': (3, 1),
    'pack_datetime': (6, 1), 'extract_date': (1, 1), 'extract_time': (1, 1),
    'datetime_to_seconds': (1, 1), 'datetime_plus': (2, 1),
    'datetime_minus': (2, 1), 'datetime_lt': (2, 0), 'datetime_lteq': (2, 0),
    'datetime_gt': (2, 0), 'datetime_gteq': (2, 0), 'datetime_equal': (2, 0),
    'ips_equal': (2, 0), 'ips_lt': (2, 0), 'ips_lteq': (2, 0),
    'ips_gt': (2, 0), 'ips_gteq': (2, 0), 'networks_equal': (2, 0),
    'networks_overlap': (2, 0), 'ip_in_network': (2, 0),
}

HOLDS = ()
FAILS = None
MOMENT = '2016-01-05 10:20:30'

#: (builtin, inputs, what evaluate gives)
ANSWERS = [
    ('lt', (1, 2), HOLDS),
    ('lt', (1, 1), FAILS),
    ('lt', ('a', 'b'), HOLDS),
    ('lteq', (1, 1), HOLDS),
    ('lteq', (2, 1), FAILS),
    ('equal', (1, 1.0), HOLDS),
    ('equal', ('1', 1), FAILS),
    ('gt', (2, 1), HOLDS),
    ('gt', (1, 1), FAILS),
    ('gteq', (1, 1), HOLDS),
    ('gteq', (0, 1), FAILS),
    ('max', (3, 7), (7,)),
    ('max', ('b', 'a'), ('b',)),

    ('plus', (2, 3), (5,)),
    ('plus', (0.5, 1), (1.5,)),
    ('minus', (2, 5), (-3,)),
    ('mul', (4, 2.5), (10.0,)),
    ('div', (7, 2), (3,)),
    ('div', (-7, 2), (-4,)),
    ('div', (7.0, 2), (3.5,)),
    ('float', ('1.5',), (1.5,)),
    ('float', (2,), (2.0,)),
    ('int', ('12',), (12,)),
    ('int', (3.9,), (3,)),
    ('int', (-3.9,), (-3,)),

    ('concat', ('ab', 'cd'), ('abcd',)),
    ('len', ('héllo',), (5,)),
    ('len', ('',), (0,)),

    ('unpack_date', (MOMENT,), (2016, 1, 5)),
    ('unpack_date', ('2016-01-05',), (2016, 1, 5)),
    ('unpack_time', (MOMENT,), (10, 20, 30)),
    ('unpack_time', ('2016-01-05',), (0, 0, 0)),
    ('unpack_time', ('9:05',), (9, 5, 0)),
    ('unpack_datetime', ('2016-01-05T10:20:30Z',), (2016, 1, 5, 10, 20, 30)),
    ('unpack_datetime', ('2016-01-05T10:20:30.123456+02:00',),
     (2016, 1, 5, 8, 20, 30)),
    ('unpack_datetime', ('2016-01-05 23:20:30 -0130',),
     (2016, 1, 6, 0, 50, 30)),
    ('pack_time', (1, 2, 3), ('1:2:3',)),
    ('pack_date', (2016, 1, 5), ('2016-1-5',)),
    ('pack_datetime', (2016, 1, 5, 1, 2, 3), ('2016-1-5 1:2:3',)),
    ('extract_date', (MOMENT,), ('2016-01-05',)),
    ('extract_time', (MOMENT,), ('10:20:30',)),
    ('extract_time', ('2016-01-05T10:20:30.5Z',), ('10:20:30.500000',)),
    ('datetime_to_seconds', ('1900-01-02 00:00:01',), (86401,)),
    ('datetime_to_seconds', ('10:00',), (36000,)),
    ('datetime_plus', (MOMENT, 90), ('2016-01-05 10:22:00',)),
    ('datetime_plus', (MOMENT, 0.5), ('2016-01-05 10:20:30.500000',)),
    ('datetime_plus', (MOMENT, '1:0:0:0'), ('2016-01-06 10:20:30',)),
    ('datetime_plus', (MOMENT, '2:0:0:0:0'), ('2016-01-19 10:20:30',)),
    ('datetime_minus', ('2016-01-01 00:00:00', '0:30:0'),
     ('2015-12-31 23:30:00',)),
    ('datetime_minus', (MOMENT, 30), ('2016-01-05 10:20:00',)),
    ('datetime_lt', ('2016-01-05T10:00:00Z', '2016-01-05 10:00:01'), HOLDS),
    ('datetime_lt', (MOMENT, MOMENT), FAILS),
    ('datetime_lt', ('09:00', '17:30:00'), HOLDS),
    ('datetime_lteq', (MOMENT, '2016-01-05T10:20:30Z'), HOLDS),
    ('datetime_lteq', ('2016-01-06', MOMENT), FAILS),
    ('datetime_gt', ('2016-1-6', '2016-01-05 23:59:59'), HOLDS),
    ('datetime_gt', (MOMENT, MOMENT), FAILS),
    ('datetime_gteq', (MOMENT, MOMENT), HOLDS),
    ('datetime_gteq', ('2016-01-04', MOMENT), FAILS),
    ('datetime_equal', ('2016-01-05T12:20:30+02:00', MOMENT), HOLDS),
    ('datetime_equal', ('2016-01-05', MOMENT), FAILS),

    ('ips_equal', ('10.0.0.1', '10.0.0.1'), HOLDS),
    ('ips_equal', ('::1', '0:0:0:0:0:0:0:1'), HOLDS),
    ('ips_equal', ('0.0.0.1', '::1'), FAILS),
    ('ips_lt', ('10.0.0.2', '10.0.0.10'), HOLDS),
    ('ips_lt', ('255.255.255.255', '::'), HOLDS),
    ('ips_lt', ('10.0.0.1', '10.0.0.1'), FAILS),
    ('ips_lteq', ('10.0.0.1', '10.0.0.1'), HOLDS),
    ('ips_lteq', ('10.0.0.10', '10.0.0.2'), FAILS),
    ('ips_gt', ('10.0.0.10', '10.0.0.2'), HOLDS),
    ('ips_gt', ('::', '255.255.255.255'), HOLDS),
    ('ips_gt', ('10.0.0.1', '10.0.0.1'), FAILS),
    ('ips_gteq', ('10.0.0.1', '10.0.0.1'), HOLDS),
    ('ips_gteq', ('10.0.0.2', '10.0.0.10'), FAILS),
    ('networks_equal', ('10.0.0.1/24', '10.0.0.0/24'), HOLDS),
    ('networks_equal', ('10.0.0.0/24', '10.0.0.0/16'), FAILS),
    ('networks_overlap', ('10.0.0.0/8', '10.0.1.0/24'), HOLDS),
    # Congress (comparing only the second network's ends) said no here.
    ('networks_overlap', ('10.0.1.0/24', '10.0.0.0/8'), HOLDS),
    ('networks_overlap', ('10.0.0.0/24', '10.0.1.0/24'), FAILS),
    ('networks_overlap', ('0.0.0.0/0', '::/0'), FAILS),
    ('ip_in_network', ('10.0.1.7', '10.0.0.0/16'), HOLDS),
    ('ip_in_network', ('fd00::1', 'fd00::/64'), HOLDS),
    ('ip_in_network', ('10.1.0.1', '10.0.0.0/16'), FAILS),
    ('ip_in_network', ('10.0.0.1', '::/0'), FAILS),
]

#: Inputs a builtin can't take: no answer, not an exception.
UNACCEPTABLE = [
    ('lt', (1, '2')),
    ('max', ('a', 1)),
    ('plus', ('a', 'b')),
    ('plus', (True, 1)),
    ('mul', ('a', 3)),
    ('mul', (1e308, 10)),
    ('div', (1, 0)),
    ('div', (1.5, 0)),
    ('float', ('abc',)),
    ('float', ('nan',)),
    ('float', ('inf',)),
    ('int', ('3.7',)),
    ('int', (float('inf'),)),
    ('concat', ('a', 1)),
    ('len', (12,)),
    ('unpack_date', ('2016-02-30',)),
    ('unpack_date', ('yesterday',)),
    ('unpack_date', (20160105,)),
    ('unpack_time', ('25:00',)),
    ('pack_time', (1.5, 0, 0)),
    ('extract_time', ('2016-01-05T',)),
    ('datetime_plus', (MOMENT, '1:2:3:4:5:6')),
    ('datetime_plus', (MOMENT, '1.5')),
    ('datetime_plus', ('9999-12-31 23:59:59', 1)),
    ('datetime_minus', (MOMENT, 'an hour')),
    ('datetime_lt', (MOMENT, 'soon')),
    ('ips_equal', ('10.0.0.256', '10.0.0.1')),
    ('ips_lt', (167772161, '10.0.0.2')),
    ('networks_equal', ('10.0.0.0/33', '10.0.0.0/24')),
    ('networks_overlap', ('10.0.0.0/8', 'nowhere')),
    ('ip_in_network', ('10.0.0.1/32', '10.0.0.0/8')),
]


def test_congress_builtins_all_there_with_congress_arguments():
    assert {name: (builtin.inputs, builtin.outputs)
            for name, builtin in builtins.BUILTINS.items()} == CONGRESS


@pytest.mark.parametrize('name', sorted(builtins.BUILTINS))
def test_entry_describes_itself(name):
    builtin = builtins.BUILTINS[name]
    call, _, meaning = builtin.description.partition(': ')
    arguments = call.removeprefix(name + '(').removesuffix(')').split(', ')

    assert builtin.name == name and call.startswith(name + '(')
    assert len(arguments) == builtin.arity
    assert meaning and '\n' not in builtin.description
    assert builtin.category in {'comparison', 'arithmetic', 'string',
                                'datetime', 'network'}


def test_every_builtin_has_known_answers():
    answered = {name for name, _, _ in ANSWERS} | {'now'}
    assert answered == set(builtins.BUILTINS)


@pytest.mark.parametrize('name, inputs, expected', ANSWERS)
def test_known_answer(name, inputs, expected):
    assert builtins.evaluate(builtins.BUILTINS[name], inputs) == expected


@pytest.mark.parametrize('name, inputs', UNACCEPTABLE)
def test_no_answer_for_unacceptable_inputs(name, inputs):
    assert builtins.evaluate(builtins.BUILTINS[name], inputs) is None


def test_packed_datetime_is_a_datetime_to_the_other_builtins():
    fields = (2016, 1, 5, 1, 2, 3)
    (packed,) = builtins.evaluate(builtins.BUILTINS['pack_datetime'], fields)

    assert builtins.evaluate(builtins.BUILTINS['unpack_datetime'],
                             (packed,)) == fields


def test_packed_time_is_a_duration():
    (packed,) = builtins.evaluate(builtins.BUILTINS['pack_time'], (0, 90, 0))

    assert builtins.evaluate(builtins.BUILTINS['datetime_plus'],
                             (MOMENT, packed)) == ('2016-01-05 11:50:30',)


def test_now_is_the_current_utc_time_in_congress_format():
    before = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None,
                                                         microsecond=0)
    (now,) = builtins.evaluate(builtins.BUILTINS['now'], ())
    after = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)

    assert before <= datetime.datetime.strptime(now, '%Y-%m-%d %H:%M:%S') \
        <= after


ODD_VALUES = ['', 'nonsense', 0, -1, 2.5, float('nan'), 10 ** 30]


@pytest.mark.parametrize('name', sorted(set(builtins.BUILTINS) - {'now'}))
def test_never_raises(name):
    builtin = builtins.BUILTINS[name]
    for pair in itertools.product(ODD_VALUES, repeat=2):
        inputs = tuple(pair[i % 2] for i in range(builtin.inputs))
        outputs = builtins.evaluate(builtin, inputs)
        assert outputs is None or len(outputs) == builtin.outputs
