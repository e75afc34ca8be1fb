"""The Aodh driver: alarm notifications from Aodh's HTTP notifier.

An alarm whose ``alarm_actions`` (or ``insufficient_data_actions``) names
the datasource's webhook is a row of ``alarms`` in its current state; when
it returns to ``ok`` its row is removed. Aodh posts without a token unless
the action is ``trust+https://``, so give the webhook_token as the basic
auth password: ``https://aodh:<webhook_token>@healapi.example.com/v1/
datasources/<id>/webhook``.
"""

from healapi.engine.datasources import base

_TEXT = {'type': ['string', 'null'], 'maxLength': 65535}


class AodhDriver(base.Driver):

    name = 'aodh'
    kind = base.WEBHOOK
    description = 'Aodh alarm notifications: the alarms not in state ok.'
    tables = {
        'alarms': ['alarm_id', 'alarm_name', 'severity', 'state',
                   'previous_state', 'reason'],
    }
    config_schema = base.WEBHOOK_CONFIG_SCHEMA
    payload_schema = {
        'type': 'object',
        'required': ['alarm_id', 'current'],
        'properties': {
            'alarm_id': {'type': 'string', 'minLength': 1, 'maxLength': 255},
            'alarm_name': _TEXT,
            'severity': _TEXT,
            'current': {'enum': ['ok', 'alarm', 'insufficient data']},
            'previous': {'type': ['string', 'null'], 'maxLength': 255},
            'reason': _TEXT,
        },
    }

    @classmethod
    def translate(cls, payload):
        alarm_id = payload['alarm_id']
        rows = [] if payload['current'] == 'ok' else [[
            alarm_id, payload.get('alarm_name'), payload.get('severity'),
            payload['current'], payload.get('previous'),
            payload.get('reason')]]
        return [base.TableChange('alarms', 0, {alarm_id: rows})]
