# Sphinx configuration of healapi's documentation (tox -e docs).

import os
import sys

# doc/ext: the directives that take the policy-language guide's builtins
# and example errors from the library.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'ext'))

extensions = [
    'openstackdocstheme',
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
    'policy_language',
]

project = 'healapi'
copyright = 'healapi developers'
openstackdocs_repo_name = 'openstack/healapi'
openstackdocs_bug_project = 'healapi'
openstackdocs_bug_tag = 'doc'
openstackdocs_auto_name = False

master_doc = 'index'
exclude_patterns = ['_build']
pygments_style = 'native'

html_theme = 'openstackdocs'
