"""How an engine's coordination backend URL is made and shown."""

import pytest

from healapi.engine import coordination


@pytest.mark.parametrize('url, expected', [
    ('redis://127.0.0.1:6379',
     'redis://127.0.0.1:6379?membership_timeout=5.0&socket_timeout=2.5'),
    # What the operator set is kept; the rest is added.
    ('redis://h:6379?namespace=a&membership_timeout=9',
     'redis://h:6379?namespace=a&membership_timeout=9&socket_timeout=2.5'),
    ('file:///var/lib/healapi/coordination',
     'file:///var/lib/healapi/coordination?timeout=5'),
    ('zookeeper://zk1:2181?timeout=20', 'zookeeper://zk1:2181?timeout=20'),
])
def test_the_membership_timeout_is_given_to_the_driver(url, expected):
    assert coordination.backend_url(url, 5.0) == expected


def test_a_fractional_timeout_is_rounded_up_for_whole_second_drivers():
    assert coordination.backend_url('file:///tmp/c', 4.2) == (
        'file:///tmp/c?timeout=5')


@pytest.mark.parametrize('url, shown', [
    ('redis://:s3cret@redis.example:6379?namespace=x',
     'redis://:***@redis.example:6379?namespace=x'),
    ('redis://healapi:s3cret@redis.example:6379',
     'redis://healapi:***@redis.example:6379'),
    ('zookeeper://zk1:2181', 'zookeeper://zk1:2181'),
])
def test_logged_urls_hide_the_password(url, shown):
    assert coordination.redact(url) == shown
