"""The hooks OpenStackClient calls to load the ``healing`` commands."""

from osc_lib import utils

API_NAME = 'healing'
API_VERSION_OPTION = 'os_healing_api_version'
DEFAULT_API_VERSION = '1'
API_VERSIONS = {'1': 'healapi.osc.client.Client'}


def make_client(instance):
    """The client of ``openstack healing`` commands, on OSC's session."""
    client_class = utils.get_client_class(
        API_NAME, instance._api_version[API_NAME], API_VERSIONS)
    return client_class(
        instance.session, region_name=instance.region_name,
        interface=instance.interface,
        endpoint_override=instance.get_configuration().get('healing_url'))


def build_option_parser(parser):
    parser.add_argument(
        '--os-healing-api-version', metavar='<version>',
        default=utils.env('OS_HEALING_API_VERSION',
                          default=DEFAULT_API_VERSION),
        help='The healing API version (default: %s; env '
             'OS_HEALING_API_VERSION).' % DEFAULT_API_VERSION)
    parser.add_argument(
        '--os-healing-url', metavar='<url>',
        default=utils.env('OS_HEALING_URL'),
        help='The healing API\'s URL, instead of the one of the Keystone '
             'catalog (env OS_HEALING_URL).')
    return parser
