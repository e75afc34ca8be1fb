"""healapi-manage db ... and healapi-status upgrade check, on each backend."""

from cryptography import fernet
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from healapi.common import secrets
from healapi.conf import CONF
from healapi.db import migration
from healapi.db.sqlalchemy import models
from tests.functional.commands.conftest import command
from tests.functional.commands.conftest import run


def _conf(config_file, engine):
    return config_file({'database': {
        'connection': engine.url.render_as_string(hide_password=False)}})


def test_db_upgrade_then_version(empty_database, config_file):
    conf = _conf(config_file, empty_database)

    before = run(command('healapi-manage'), '--config-file', conf,
                 'db', 'version')
    upgrade = run(command('healapi-manage'), '--config-file', conf,
                  'db', 'upgrade')
    after = run(command('healapi-manage'), '--config-file', conf,
                'db', 'version')
    again = run(command('healapi-manage'), '--config-file', conf,
                'db', 'upgrade')

    assert before.returncode == 0, before.stderr
    assert before.stdout.startswith('None')
    assert upgrade.returncode == 0, upgrade.stderr
    assert after.stdout.strip() == migration.head()
    assert migration.version(engine=empty_database) == migration.head()
    assert again.returncode == 0, again.stderr


def test_db_without_subcommand_is_a_usage_error(empty_database, config_file):
    result = run(command('healapi-manage'), '--config-file',
                 _conf(config_file, empty_database), 'db')

    assert result.returncode == 2
    assert 'upgrade' in result.stderr


def test_upgrade_check_fails_until_the_schema_is_current(empty_database,
                                                         config_file):
    conf = _conf(config_file, empty_database)

    before = run(command('healapi-status'), '--config-file', conf,
                 'upgrade', 'check')
    run(command('healapi-manage'), '--config-file', conf, 'db', 'upgrade')
    after = run(command('healapi-status'), '--config-file', conf,
                'upgrade', 'check')

    assert before.returncode == 2
    assert 'healapi-manage db upgrade' in before.stdout
    assert after.returncode == 0, after.stdout


def test_upgrade_check_reports_an_unreachable_database(config_file):
    conf = config_file({'database': {
        'connection': 'mysql+pymysql://healapi:s3cret@127.0.0.1:1/healapi',
        'max_retries': '0'}})

    result = run(command('healapi-status'), '--config-file', conf,
                 'upgrade', 'check')

    assert result.returncode == 2
    assert 'Cannot read the database schema version' in result.stdout
    assert 's3cret' not in result.stdout


def test_upgrade_check_warns_of_stored_rules_that_are_not_valid(
        empty_database, config_file):
    conf = _conf(config_file, empty_database)
    run(command('healapi-manage'), '--config-file', conf, 'db', 'upgrade')
    now = timeutils.utcnow()
    ids = {}
    with empty_database.begin() as connection:
        for name, rule in (('good', 'error(x) :- a(x)'),
                           ('broken', 'error(x) :- a(x')):
            policy_id = ids[name] = uuidutils.generate_uuid()
            connection.execute(sa.insert(models.Policy.__table__).values(
                id=policy_id, project_id='p', name=name, description='',
                enabled=True, severity='low', violation_table='error',
                actions=[], revision=1, created_at=now, updated_at=now))
            connection.execute(sa.insert(models.Rule.__table__).values(
                id=uuidutils.generate_uuid(), policy_id=policy_id,
                position=0, rule=rule, comment='', created_at=now))

    result = run(command('healapi-status'), '--config-file', conf,
                 'upgrade', 'check')

    assert result.returncode == 1, result.stdout
    # The table wraps long lines: compare the words.
    words = ' '.join(result.stdout.replace('|', ' ').split())
    assert ('1 policies have rules that are not valid policy language'
            in words)
    assert ('broken (%s, project p): Rule 1 is not valid: line 1, column 16'
            % ids['broken']) in words
    assert ids['good'] not in words


def _datasource_with_a_secret(engine):
    now = timeutils.utcnow()
    with engine.begin() as connection:
        connection.execute(sa.insert(models.Datasource.__table__).values(
            id=uuidutils.generate_uuid(), project_id='p', name='nova',
            description='', driver='nova', enabled=True,
            config=secrets.sealed({'auth_url': 'https://k/v3',
                                   'username': 'u', 'password': 's3cret'}),
            created_at=now, updated_at=now))


def test_upgrade_check_fails_without_the_credential_keys(
        empty_database, config_file, tmp_path):
    keys = tmp_path / 'credential-keys'
    CONF.set_override('credential_key_file', str(keys), group='datasources')
    conf = config_file({
        'database': {'connection': empty_database.url.render_as_string(
            hide_password=False)},
        'datasources': {'credential_key_file': str(keys)}})
    run(command('healapi-manage'), '--config-file', conf, 'db', 'upgrade')
    _datasource_with_a_secret(empty_database)

    passed = run(command('healapi-status'), '--config-file', conf,
                 'upgrade', 'check')
    keys.write_text(fernet.Fernet.generate_key().decode() + '\n')
    other_key = run(command('healapi-status'), '--config-file', conf,
                    'upgrade', 'check')
    keys.unlink()
    no_key = run(command('healapi-status'), '--config-file', conf,
                 'upgrade', 'check')

    assert passed.returncode == 0, passed.stdout
    for result, reason in ((other_key, 'no key of'),
                           (no_key, 'does not exist')):
        assert result.returncode == 2, result.stdout
        words = ' '.join(result.stdout.replace('|', ' ').split())
        assert '1 datasources' in words and reason in words
    assert not keys.exists(), 'the check must not create a key'
