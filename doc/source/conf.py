# Sphinx configuration of healapi's documentation (tox -e docs).

extensions = [
    'openstackdocstheme',
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
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
