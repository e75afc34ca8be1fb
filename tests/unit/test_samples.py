"""The committed sample files match the code, and the code documents itself.

The samples are generated, not written: a changed option or policy default
must come with a regenerated sample, or operators read stale defaults.
"""

import os
import pathlib
import subprocess
import sys

import pytest

from healapi.conf import opts
from healapi import policies

ROOT = pathlib.Path(__file__).resolve().parents[2]
#: (generator, its config file, the committed sample, the tox env to run)
SAMPLES = {
    'config': ('oslo-config-generator',
               'etc/oslo-config-generator/healapi.conf',
               'etc/healapi/healapi.conf.sample', 'genconfig'),
    'policy': ('oslopolicy-sample-generator',
               'etc/oslo-policy-generator/healapi.conf',
               'etc/healapi/policy.yaml.sample', 'genpolicy'),
}


@pytest.mark.parametrize('kind', sorted(SAMPLES))
def test_sample_is_up_to_date(kind, tmp_path):
    generator, config_file, sample, tox_env = SAMPLES[kind]
    # The generators installed beside this interpreter: the ones tox uses.
    executable = os.path.join(os.path.dirname(sys.executable), generator)
    generated = tmp_path / os.path.basename(sample)

    subprocess.run([executable, '--config-file', str(ROOT / config_file),
                    '--output-file', str(generated)],
                   check=True, cwd=ROOT, capture_output=True)

    assert generated.read_text() == (ROOT / sample).read_text(), (
        '%s is out of date: run "tox -e %s" and commit the result'
        % (sample, tox_env))


def test_every_option_has_help():
    undocumented = ['[%s] %s' % (getattr(group, 'name', group), opt.dest)
                    for group, group_opts in opts.list_opts()
                    for opt in group_opts if not (opt.help or '').strip()]
    assert undocumented == []


def test_every_policy_rule_is_described():
    undescribed = [rule.name for rule in policies.list_rules()
                   if not (rule.description or '').strip()]
    assert undescribed == []


def test_every_api_rule_names_its_operations():
    """Rules named healapi:* guard API operations; the rest are shared."""
    api_rules = [rule for rule in policies.list_rules()
                 if rule.name.startswith('healapi:')]
    assert api_rules
    for rule in api_rules:
        operations = getattr(rule, 'operations', None)
        assert operations, '%s lists no operations' % rule.name
        for operation in operations:
            assert operation['method'] in ('GET', 'HEAD', 'POST', 'PUT',
                                           'PATCH', 'DELETE')
            assert operation['path'].startswith('/v1/')
