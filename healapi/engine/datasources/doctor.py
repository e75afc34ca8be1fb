"""The doctor driver: events in the format of Congress's doctor driver,
as OPNFV Doctor's inspector sends them (Zabbix host-down events, say).

The payload is the list of events the monitor knows now; it replaces the
``events`` table, as a ``PUT`` of Congress's doctor table did::

    [{"id": "0123-4567-89ab", "time": "2016-04-12T08:00:00",
      "type": "compute.host.down",
      "details": {"hostname": "compute1", "status": "down",
                  "monitor": "zabbix1", "monitor_event_id": "111"}}]

Congress policies read it unchanged: ``host_down(host) :-
doctor:events(hostname=host, type="compute.host.down", status="down")``.
"""

from healapi.engine.datasources import base

_VALUE = {'type': ['string', 'number', 'boolean', 'null'], 'maxLength': 4096}
_DETAILS = ('hostname', 'status', 'monitor', 'monitor_event_id')


class DoctorDriver(base.Driver):

    name = 'doctor'
    kind = base.WEBHOOK
    description = ('OPNFV Doctor events (the format of Congress\'s doctor '
                   'driver), such as Zabbix host-down events.')
    tables = {'events': ['id', 'time', 'type', *_DETAILS]}
    config_schema = base.WEBHOOK_CONFIG_SCHEMA
    payload_schema = {
        'type': 'array',
        'items': {
            'type': 'object',
            'required': ['id', 'time', 'type', 'details'],
            'properties': {
                'id': _VALUE, 'time': _VALUE, 'type': _VALUE,
                'details': {'type': 'object',
                            'properties': {name: _VALUE
                                           for name in _DETAILS}},
            },
        },
    }

    @classmethod
    def translate(cls, payload):
        rows = [[event['id'], event['time'], event['type'],
                 *(event['details'].get(name) for name in _DETAILS)]
                for event in payload]
        return [base.TableChange('events', None, {None: rows})]
