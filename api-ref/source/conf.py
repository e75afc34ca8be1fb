# Sphinx configuration of healapi's API reference (tox -e api-ref).

extensions = [
    'os_api_ref',
    'openstackdocstheme',
]

project = 'healapi API Reference'
copyright = 'healapi developers'
openstackdocs_repo_name = 'openstack/healapi'
openstackdocs_bug_project = 'healapi'
openstackdocs_bug_tag = 'api-ref'
openstackdocs_auto_name = False

master_doc = 'index'
pygments_style = 'native'

html_theme = 'openstackdocs'
html_theme_options = {
    'sidebar_mode': 'toc',
}
