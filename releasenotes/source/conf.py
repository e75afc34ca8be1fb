# Sphinx configuration of healapi's release notes (tox -e releasenotes).

extensions = [
    'openstackdocstheme',
    'reno.sphinxext',
]

project = 'healapi Release Notes'
copyright = 'healapi developers'
openstackdocs_repo_name = 'openstack/healapi'
openstackdocs_bug_project = 'healapi'
openstackdocs_bug_tag = 'releasenotes'
openstackdocs_auto_name = False

master_doc = 'index'
pygments_style = 'native'

html_theme = 'openstackdocs'
