"""Assertions and builders the API tests share."""

import hashlib
import json

from oslo_utils import timeutils
from oslo_utils import uuidutils
from sqlalchemy import orm

from healapi.common import secrets
from healapi.db.sqlalchemy import api as sqla_api
from healapi.db.sqlalchemy import models


def assert_error(response, status, code=None):
    """``response`` is an API-SIG error document for ``status``."""
    assert response.status_int == status
    assert response.content_type == 'application/json'
    (error,) = response.json['errors']
    assert error['status'] == status
    assert error['request_id'] == response.headers['X-OpenStack-Request-Id']
    assert error['title'] and error['detail']
    assert error['links'] == []
    if code is not None:
        assert error['code'] == code
    return error


def create_policy(api, name='vm_health', **fields):
    body = {'name': name,
            'rules': [{'rule': 'error(vm) :- nova:servers(vm, "ERROR")'}]}
    body.update(fields)
    return api.post_json('/v1/policies', body).json


def create_datasource(api, name='nova', **fields):
    body = {'name': name, 'driver': 'push'}
    body.update(fields)
    return api.post_json('/v1/datasources', body).json


def insert_violation(policy, values, status='active', **fields):
    """Store a violation as the engine would (the API can't create one)."""
    now = timeutils.utcnow()
    tuple_hash = hashlib.sha256(json.dumps(values).encode()).hexdigest()
    violation = models.Violation(
        id=uuidutils.generate_uuid(), policy_id=policy['id'],
        project_id=policy['project_id'], table_name='error',
        tuple_hash=tuple_hash,
        active_key=tuple_hash if status == 'active' else None,
        values=values, severity=policy['severity'], status=status,
        first_seen_at=now, last_seen_at=now,
        resolved_at=now if status == 'resolved' else None)
    for key, value in fields.items():
        setattr(violation, key, value)
    with orm.Session(sqla_api.get_engine()) as session, session.begin():
        session.add(violation)
        return violation.id


def stored_datasource(datasource_id):
    """The datasource as stored, secrets encrypted."""
    with orm.Session(sqla_api.get_engine()) as session:
        return session.get(models.Datasource, datasource_id)


def stored_config(datasource_id):
    """The config of a datasource as stored, secrets decrypted."""
    return secrets.opened(stored_datasource(datasource_id).config)


def rows_url(datasource, table):
    return '/v1/datasources/%s/tables/%s/rows' % (datasource['id'], table)


def all_rows(api, datasource, table):
    """Every row of a datasource table, following next links, sorted."""
    rows = []
    url = rows_url(datasource, table) + '?limit=1000'
    while url:
        body = api.get(url).json
        rows.extend(body['rows'])
        url = body['links'][0]['href'] if body['links'] else None
    return sorted(rows, key=json.dumps)
