"""The Prometheus Alertmanager driver: its webhook (payload version 4).

Each firing alert is a row of ``alerts``, its labels and annotations rows
of ``alert_labels`` and ``alert_annotations``, all keyed by the alert's
fingerprint; a resolved alert's rows are removed. Point a receiver at the
datasource's webhook::

    receivers:
    - name: healapi
      webhook_configs:
      - url: https://healapi.example.com/v1/datasources/<id>/webhook
        send_resolved: true
        http_config:
          authorization: {credentials: <the datasource's webhook_token>}
"""

from healapi.engine.datasources import base

#: What Alertmanager sends as the endsAt of an alert that has not ended.
_NO_END = '0001-01-01T00:00:00Z'
_STRINGS = {'type': 'object', 'additionalProperties': {'type': 'string'}}


class AlertmanagerDriver(base.Driver):

    name = 'alertmanager'
    kind = base.WEBHOOK
    description = ('Prometheus Alertmanager webhooks: the alerts firing, '
                   'with their labels and annotations.')
    tables = {
        'alerts': ['fingerprint', 'alertname', 'status', 'severity',
                   'instance', 'starts_at', 'ends_at', 'generator_url'],
        'alert_labels': ['fingerprint', 'name', 'value'],
        'alert_annotations': ['fingerprint', 'name', 'value'],
    }
    config_schema = base.WEBHOOK_CONFIG_SCHEMA
    payload_schema = {
        'type': 'object',
        'required': ['version', 'alerts'],
        'properties': {
            'version': {'const': '4'},
            'alerts': {'type': 'array', 'items': {
                'type': 'object',
                'required': ['status', 'labels', 'fingerprint', 'startsAt'],
                'properties': {
                    'status': {'enum': ['firing', 'resolved']},
                    'labels': _STRINGS,
                    'annotations': _STRINGS,
                    'fingerprint': {'type': 'string', 'minLength': 1,
                                    'maxLength': 255},
                    'startsAt': {'type': 'string', 'maxLength': 64},
                    'endsAt': {'type': 'string', 'maxLength': 64},
                    'generatorURL': {'type': 'string', 'maxLength': 4096},
                },
            }},
        },
    }

    @classmethod
    def translate(cls, payload):
        alerts, labels, annotations = {}, {}, {}
        for alert in payload['alerts']:
            fingerprint = alert['fingerprint']
            if alert['status'] == 'resolved':
                for rows in (alerts, labels, annotations):
                    rows[fingerprint] = []
                continue
            given = alert['labels']
            ends_at = alert.get('endsAt')
            alerts[fingerprint] = [[
                fingerprint, given.get('alertname'), alert['status'],
                given.get('severity'), given.get('instance'),
                alert['startsAt'], None if ends_at == _NO_END else ends_at,
                alert.get('generatorURL')]]
            labels[fingerprint] = [[fingerprint, name, value]
                                   for name, value in sorted(given.items())]
            annotations[fingerprint] = [
                [fingerprint, name, value] for name, value
                in sorted((alert.get('annotations') or {}).items())]
        return [base.TableChange('alerts', 0, alerts),
                base.TableChange('alert_labels', 0, labels),
                base.TableChange('alert_annotations', 0, annotations)]
