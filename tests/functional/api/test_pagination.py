"""limit/marker pagination, next links and sort=key:dir on every list."""

from urllib import parse

import pytest

from healapi.conf import CONF
from tests.functional.api import helpers


def _make(api, resource, count):
    """``count`` objects of ``resource`` named/valued item-0.. item-N."""
    if resource == 'policies':
        return [helpers.create_policy(api, name='item-%d' % i)['id']
                for i in range(count)]
    if resource == 'datasources':
        return [helpers.create_datasource(api, name='item-%d' % i)['id']
                for i in range(count)]
    policy = helpers.create_policy(api)
    return [helpers.insert_violation(policy, ['item-%d' % i])
            for i in range(count)]


def _walk(api, url):
    """Follow next links from ``url``; the ids of every page."""
    pages = []
    while url:
        body = api.get(url).json
        resource = [key for key in body if key != 'links'][0]
        pages.append([item['id'] for item in body[resource]])
        next_links = [link['href'] for link in body['links']
                      if link['rel'] == 'next']
        url = next_links[0] if next_links else None
    return pages


@pytest.mark.parametrize('resource', ['policies', 'datasources',
                                      'violations'])
@pytest.mark.parametrize('sort', ['created_at:asc', 'created_at:desc'])
def test_next_links_walk_every_item_once(api, resource, sort):
    ids = _make(api, resource, 7)

    pages = _walk(api, '/v1/%s?limit=3&sort=%s' % (resource, sort))

    assert [len(page) for page in pages] == [3, 3, 1]
    walked = [object_id for page in pages for object_id in page]
    assert walked == (ids if sort.endswith('asc') else ids[::-1])


def test_next_link_keeps_filters_and_sort(api):
    _make(api, 'policies', 3)

    body = api.get('/v1/policies?limit=2&sort=name:desc&enabled=true').json

    (link,) = body['links']
    query = parse.parse_qs(parse.urlparse(link['href']).query)
    assert query == {'limit': ['2'], 'sort': ['name:desc'],
                     'enabled': ['true'], 'marker': [body['policies'][-1]
                                                     ['id']]}


def test_no_next_link_on_a_partial_page(api):
    _make(api, 'datasources', 2)
    assert api.get('/v1/datasources?limit=3').json['links'] == []


def test_limit_is_capped_by_max_limit(api):
    CONF.set_override('max_limit', 2, group='api')
    _make(api, 'policies', 3)
    body = api.get('/v1/policies?limit=100').json
    assert len(body['policies']) == 2
    assert 'limit=2' in body['links'][0]['href']


def test_default_limit(api):
    CONF.set_override('default_limit', 2, group='api')
    _make(api, 'policies', 3)
    assert len(api.get('/v1/policies').json['policies']) == 2


def test_sort_by_several_keys(api):
    for name, severity in [('a', 'low'), ('b', 'high'), ('c', 'low')]:
        helpers.create_policy(api, name=name, severity=severity)

    body = api.get('/v1/policies?sort=severity:asc,name:desc').json

    assert [p['name'] for p in body['policies']] == ['b', 'c', 'a']


@pytest.mark.parametrize('query', [
    'sort=name:up', 'sort=description:asc', 'sort=name:asc,name:desc',
    'limit=0', 'marker=0b2f6f0e-9a4e-4a86-9d6a-1b3d8f5a3c11',
    'marker=not-an-id'])
def test_invalid_paging_is_400(api, query):
    error = helpers.assert_error(
        api.get('/v1/policies?' + query, expect_errors=True), 400)
    assert query.split('=')[0] in error['detail']
