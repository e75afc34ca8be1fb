"""The installed healapi version, as pbr computes it from git or metadata."""

import pbr.version

version_info = pbr.version.VersionInfo('healapi')
version_string = version_info.version_string()
