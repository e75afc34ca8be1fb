"""Congress's builtins: tables the language defines, computed, not stored.

A builtin's first ``inputs`` arguments must be bound when it is evaluated;
the remaining ``outputs`` arguments are computed from them. One with no
outputs is a test (``lt(x, y)``). Congress wrote them bare (``lt(x, y)``)
or, since Ocata, as ``builtin:lt(x, y)``; the keys here are bare names.

Values are strings and numbers. A builtin given values it can't take (a
string to add, a malformed date or address, division by zero) has no
result, as in Congress: the literal fails, it never raises.

Datetimes are strings: ``2016-01-05 10:00:00`` as Congress writes them,
ISO 8601 (``2016-01-05T10:00:00Z``) as OpenStack's APIs do, or a time of
day alone (``10:00:00``). Naive times are UTC; an offset is converted to
UTC. ``now`` is the only builtin whose result depends on when it is
evaluated rather than on its inputs: the evaluator reads it as a table of
one row, :data:`CLOCK`, that it moves on when told to, so that what was
derived from the old time is deleted like any other consequence of a
change.
"""

import dataclasses
import datetime
import ipaddress
import math
import operator
import re


#: The builtin evaluated as a table of one row: the time (see above).
CLOCK = 'now'


@dataclasses.dataclass(frozen=True)
class Builtin:
    name: str
    #: The first ``inputs`` arguments must be bound when it is evaluated.
    inputs: int
    #: The last ``outputs`` arguments are computed; 0 for a test.
    outputs: int
    #: ``function(*inputs)``: a bool for a test, the output for one, a
    #: tuple of them for more. Raises TypeError, ValueError or
    #: ArithmeticError for inputs it can't take (see :func:`evaluate`).
    function: object
    category: str
    #: ``name(arguments): meaning``, one line for the policy guide.
    description: str

    @property
    def arity(self):
        return self.inputs + self.outputs


def evaluate(builtin, inputs):
    """The builtin's outputs for ``inputs`` as a tuple (``()`` for a test
    that holds), or None when there is none: a test that fails, or inputs
    it can't take."""
    try:
        result = builtin.function(*inputs)
    except (TypeError, ValueError, ArithmeticError):
        return None
    if not builtin.outputs:
        return () if result else None
    outputs = result if builtin.outputs > 1 else (result,)
    # NaN is not equal to itself, so a row holding it could never be
    # found again to delete; infinities are no more useful.
    if any(isinstance(value, float) and not math.isfinite(value)
           for value in outputs):
        return None
    return outputs


def _number(value):
    """``value``, if a number: Python would add and multiply strings, which
    is never what a policy means (``mul("a", 10**9)`` would exhaust memory).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError('not a number: %r' % (value,))
    return value


def _string(value):
    if not isinstance(value, str):
        raise TypeError('not a string: %r' % (value,))
    return value


def _arithmetic(operation):
    return lambda x, y: operation(_number(x), _number(y))


def _divide(x, y):
    """Integer division for integers, as in Congress."""
    x, y = _number(x), _number(y)
    if isinstance(x, int) and isinstance(y, int):
        return x // y
    return x / y


def _conversion(kind):
    """``int`` or ``float`` of a number or a string (``"12"``)."""
    return lambda x: kind(x if isinstance(x, str) else _number(x))


# Datetimes ---------------------------------------------------------------

_DATE = re.compile(r'(\d{4})-(\d\d?)-(\d\d?)(?:[T ](.*))?',
                   re.ASCII | re.IGNORECASE)
# Unpadded fields too: Congress's pack_time makes "1:2:3".
_TIME = re.compile(r'(\d\d?):(\d\d?)(?::(\d\d?)(?:\.(\d+))?)?'
                   r'\s*(Z|[+-]\d\d(?::?\d\d)?)?', re.ASCII | re.IGNORECASE)
#: The date of a time of day alone, and what datetime_to_seconds counts
#: from. Congress took today's date, making the result depend on the day.
_EPOCH = datetime.datetime(1900, 1, 1)
_NOW_FORMAT = '%Y-%m-%d %H:%M:%S'
#: A duration's fields, rightmost first: ``"1:30:00"`` is 90 minutes.
_DURATION_FIELDS = ('seconds', 'minutes', 'hours', 'days', 'weeks')


def _datetime(text):
    """The naive UTC datetime ``text`` writes."""
    text = _string(text).strip()
    date = _DATE.fullmatch(text)
    if date:
        day = datetime.datetime(*map(int, date.groups()[:3]))
        text = date[4]
    else:
        day = _EPOCH
    if text is None:
        return day
    time = _TIME.fullmatch(text)
    if not time:
        raise ValueError('not a datetime')
    hour, minute, second, fraction, zone = time.groups()
    moment = day.replace(hour=int(hour), minute=int(minute),
                         second=int(second or 0),
                         microsecond=int((fraction or '0').ljust(6, '0')[:6]))
    if zone and zone.upper() != 'Z':
        offset = datetime.timedelta(hours=int(zone[1:3]),
                                    minutes=int(zone[-2:] if zone[3:] else 0))
        moment += offset if zone[0] == '-' else -offset
    return moment


def _duration(value):
    """A number of seconds, or ``"[[[[weeks:]days:]hours:]minutes:]seconds"``
    as Congress writes durations."""
    if not isinstance(value, str):
        return datetime.timedelta(seconds=_number(value))
    fields = [int(field) for field in reversed(value.split(':'))]
    if len(fields) > len(_DURATION_FIELDS):
        raise ValueError('too many fields in a duration')
    return datetime.timedelta(**dict(zip(_DURATION_FIELDS, fields,
                                         strict=False)))


def now():
    """The current UTC time, as ``now`` gives it."""
    return datetime.datetime.now(datetime.timezone.utc).strftime(_NOW_FORMAT)


def _unpack_date(x):
    moment = _datetime(x)
    return moment.year, moment.month, moment.day


def _unpack_time(x):
    moment = _datetime(x)
    return moment.hour, moment.minute, moment.second


def _pack(template):
    """Congress's unpadded ``template`` of integers (or strings)."""
    def pack(*fields):
        for field in fields:
            if isinstance(field, bool) or not isinstance(field, (int, str)):
                raise TypeError('not an integer: %r' % (field,))
        return template.format(*fields)
    return pack


def _datetime_test(comparison):
    return lambda x, y: comparison(_datetime(x), _datetime(y))


# Network addresses -------------------------------------------------------

def _address(text):
    return ipaddress.ip_address(_string(text))


def _network(text):
    """The network of an address with a prefix; host bits are ignored, so
    ``10.0.0.1/24`` is ``10.0.0.0/24``, as in Congress."""
    return ipaddress.ip_network(_string(text), strict=False)


def _address_test(comparison):
    """Every IPv4 address sorts before every IPv6 one, as in netaddr."""
    def test(x, y):
        x, y = _address(x), _address(y)
        return comparison((x.version, int(x)), (y.version, int(y)))
    return test


def _networks_overlap(x, y):
    x, y = _network(x), _network(y)
    return x.version == y.version and x.overlaps(y)


def _ip_in_network(ip, network):
    ip, network = _address(ip), _network(network)
    return ip.version == network.version and ip in network


def _define(category, call, inputs, function, meaning):
    """The builtin ``call`` writes, such as ``plus(x, y, z)``."""
    name, _, arguments = call.partition('(')
    return Builtin(name, inputs, len(arguments.split(',')) - inputs,
                   function, category, '%s: %s' % (call, meaning))


BUILTINS = {builtin.name: builtin for builtin in [
    _define('comparison', 'lt(x, y)', 2, operator.lt, 'x < y'),
    _define('comparison', 'lteq(x, y)', 2, operator.le, 'x <= y'),
    _define('comparison', 'equal(x, y)', 2, operator.eq, 'x == y'),
    _define('comparison', 'gt(x, y)', 2, operator.gt, 'x > y'),
    _define('comparison', 'gteq(x, y)', 2, operator.ge, 'x >= y'),
    _define('comparison', 'max(x, y, z)', 2, max,
            'z is the greater of x and y'),

    _define('arithmetic', 'plus(x, y, z)', 2, _arithmetic(operator.add),
            'z = x + y'),
    _define('arithmetic', 'minus(x, y, z)', 2, _arithmetic(operator.sub),
            'z = x - y'),
    _define('arithmetic', 'mul(x, y, z)', 2, _arithmetic(operator.mul),
            'z = x * y'),
    _define('arithmetic', 'div(x, y, z)', 2, _divide,
            'z = x / y, rounded down if both are integers'),
    _define('arithmetic', 'float(x, y)', 1, _conversion(float),
            'y is x (a number or a string) as a float'),
    _define('arithmetic', 'int(x, y)', 1, _conversion(int),
            'y is x (a number or a string) as an integer, truncated'),

    _define('string', 'concat(x, y, z)', 2,
            lambda x, y: _string(x) + _string(y), 'z is x followed by y'),
    _define('string', 'len(x, y)', 1, lambda x: len(_string(x)),
            'y is the number of characters in x'),

    _define('datetime', 'now(x)', 0, now,
            'x is the current UTC time, "YYYY-MM-DD HH:MM:SS"'),
    _define('datetime', 'unpack_date(x, year, month, day)', 1, _unpack_date,
            'the date of datetime x'),
    _define('datetime', 'unpack_time(x, hours, minutes, seconds)', 1,
            _unpack_time, 'the time of day of datetime x'),
    _define('datetime', 'unpack_datetime(x, y, m, d, h, i, s)', 1,
            lambda x: _unpack_date(x) + _unpack_time(x),
            'the date and time of day of datetime x'),
    _define('datetime', 'pack_time(hours, minutes, seconds, x)', 3,
            _pack('{}:{}:{}'), 'x is "hours:minutes:seconds"'),
    _define('datetime', 'pack_date(year, month, day, x)', 3,
            _pack('{}-{}-{}'), 'x is "year-month-day"'),
    _define('datetime', 'pack_datetime(y, m, d, h, i, s, x)', 6,
            _pack('{}-{}-{} {}:{}:{}'), 'x is "y-m-d h:i:s"'),
    _define('datetime', 'extract_date(x, date)', 1,
            lambda x: _datetime(x).date().isoformat(),
            'date is the date of datetime x, "YYYY-MM-DD"'),
    _define('datetime', 'extract_time(x, time)', 1,
            lambda x: _datetime(x).time().isoformat(),
            'time is the time of day of datetime x, "HH:MM:SS"'),
    _define('datetime', 'datetime_to_seconds(x, secs)', 1,
            lambda x: int((_datetime(x) - _EPOCH).total_seconds()),
            'secs is the number of seconds from 1900-01-01 to datetime x'),
    _define('datetime', 'datetime_plus(x, y, z)', 2,
            lambda x, y: str(_datetime(x) + _duration(y)),
            'z is datetime x plus y (seconds, or "[[[[w:]d:]h:]m:]s")'),
    _define('datetime', 'datetime_minus(x, y, z)', 2,
            lambda x, y: str(_datetime(x) - _duration(y)),
            'z is datetime x minus y (seconds, or "[[[[w:]d:]h:]m:]s")'),
    _define('datetime', 'datetime_lt(x, y)', 2, _datetime_test(operator.lt),
            'datetime x is before y'),
    _define('datetime', 'datetime_lteq(x, y)', 2,
            _datetime_test(operator.le), 'datetime x is no later than y'),
    _define('datetime', 'datetime_gt(x, y)', 2, _datetime_test(operator.gt),
            'datetime x is after y'),
    _define('datetime', 'datetime_gteq(x, y)', 2,
            _datetime_test(operator.ge), 'datetime x is no earlier than y'),
    _define('datetime', 'datetime_equal(x, y)', 2,
            _datetime_test(operator.eq), 'datetimes x and y are the same'),

    _define('network', 'ips_equal(x, y)', 2, _address_test(operator.eq),
            'IP address x is y'),
    _define('network', 'ips_lt(x, y)', 2, _address_test(operator.lt),
            'IP address x is less than y (IPv4 before IPv6)'),
    _define('network', 'ips_lteq(x, y)', 2, _address_test(operator.le),
            'IP address x is less than or equal to y'),
    _define('network', 'ips_gt(x, y)', 2, _address_test(operator.gt),
            'IP address x is greater than y'),
    _define('network', 'ips_gteq(x, y)', 2, _address_test(operator.ge),
            'IP address x is greater than or equal to y'),
    _define('network', 'networks_equal(x, y)', 2,
            lambda x, y: _network(x) == _network(y),
            'networks x and y (CIDR) are the same'),
    _define('network', 'networks_overlap(x, y)', 2, _networks_overlap,
            'some IP address is in both networks x and y'),
    _define('network', 'ip_in_network(x, y)', 2, _ip_in_network,
            'IP address x is in network y'),
]}
