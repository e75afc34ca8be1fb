"""healapi-manage db ... and healapi-status upgrade check, on each backend."""

from healapi.db import migration
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
