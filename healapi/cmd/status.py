"""``healapi-status upgrade check``: is this deployment ready to run?"""

import os
import sys

from oslo_db import exception as db_exc
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck
import sqlalchemy as sa

from healapi.api import policy_text
from healapi.common import exception
from healapi.common import secrets
from healapi.conf import CONF
from healapi.db import api as db_api
from healapi.db import migration


class Checks(upgradecheck.UpgradeCommands):
    """The checks operators run before starting a new release."""

    def _check_database_schema(self):
        try:
            current = migration.version()
        except (db_exc.DBError, sa.exc.SQLAlchemyError) as error:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'Cannot read the database schema version: %s: %s'
                % (type(error).__name__, error))
        head = migration.head()
        if current != head:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'The database schema is at revision %s but this release '
                'needs %s: run "healapi-manage db upgrade".'
                % (current, head))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    def _check_policy_rules(self):
        """Rules stored before they were checked may not be valid: such a
        policy can't be evaluated, nor its rules added to, until fixed."""
        try:
            stored = db_api.get_instance().list_policies()
        except (db_exc.DBError, sa.exc.SQLAlchemyError) as error:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'Cannot read the policies: %s' % type(error).__name__)
        invalid = []
        for policy in stored:
            try:
                policy_text.check([rule.rule for rule in policy.rules])
            except exception.Invalid as error:
                invalid.append('%s (%s, project %s): %s' % (
                    policy.name, policy.id, policy.project_id, error))
        if invalid:
            return upgradecheck.Result(
                upgradecheck.Code.WARNING,
                '%d policies have rules that are not valid policy '
                'language; replace their rules (PATCH /v1/policies/{id}):\n'
                '%s' % (len(invalid), '\n'.join(invalid)))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    def _check_datasource_secrets(self):
        """Every host needs the one credential key file: without it, or
        with another, the datasources' secrets can't be read."""
        try:
            stored = db_api.get_instance().list_all_datasources()
        except (db_exc.DBError, sa.exc.SQLAlchemyError) as error:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'Cannot read the datasources: %s' % type(error).__name__)
        holding = [datasource for datasource in stored
                   if secrets.masked(datasource.config) != datasource.config]
        path = CONF.datasources.credential_key_file
        if holding and not os.path.exists(path):
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                '%d datasources hold secrets but the credential key file '
                '%s does not exist: copy the one the other hosts use '
                '([datasources]/credential_key_file).' % (len(holding), path))
        unreadable = []
        for datasource in holding:
            try:
                secrets.opened(datasource.config)
            except secrets.Unreadable as error:
                unreadable.append('%s (%s, project %s): %s' % (
                    datasource.name, datasource.id, datasource.project_id,
                    error))
        if unreadable:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                '%d datasources have secrets that no key of %s decrypts; '
                'copy the key file the other hosts use:\n%s'
                % (len(unreadable), path, '\n'.join(unreadable)))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    _upgrade_checks = (
        ('Database schema', _check_database_schema),
        ('Policy rules', _check_policy_rules),
        ('Datasource secrets', _check_datasource_secrets),
        ('Policy file JSON to YAML migration',
         (common_checks.check_policy_json, {'conf': CONF})),
    )


def main():
    sys.exit(upgradecheck.main(CONF, project='healapi',
                               upgrade_command=Checks()))
