"""The API versions the WSGI app serves: v2, and v1.1 from the same code.

One set of controllers serves every version; a ``Version`` names each
place where v1.1 differs from v2 (api-v2.md section 8), and the
controllers ask it instead of being copied per version. Every difference
is a field below, so this file is the list of them.

Intended difference from upstream: v1.1 enforces policy like v2 (upstream's
v1.1 handlers checked none), because every action of this service is
policy-checked in the service layer, whatever the transport or version.
v1.1 also keeps v2's limit checks on pool and flavor listings.
"""

import dataclasses
import logging

from zaqar.api import errors, kinds

LOG = logging.getLogger(__name__)

# What sits under /queues/{q} besides messages, claims and stats.
QUEUE_EXTRAS = ('purge', 'share', 'subscriptions')


class SameFields:
    """v2: pool and flavor documents are the service layer's own."""

    def pool_in(self, document, update=False):
        return document

    def pool_out(self, pool):
        return pool

    def flavor_in(self, document, flavors, name, update=False):
        return document

    def flavor_out(self, flavor):
        return flavor


class PoolGroupFields:
    """v1.1: a pool names its ``group``, a flavor its ``pool_group`` (or
    ``pool``), where v2 has ``flavor`` and ``pool_list``.

    Here a flavor and its pool group are one set of pools: a pool's group is
    v2's ``flavor`` field, and a v1.1 flavor takes the pools of the group it
    names, which then belong to it (so their group becomes its name).
    """

    POOL_FIELDS = ('weight', 'uri', 'group', 'options')
    FLAVOR_FIELDS = ('pool_group', 'pool', 'capabilities')

    def pool_in(self, document, update=False):
        if not isinstance(document, dict):
            return document  # the service layer refuses it
        _known(document, self.POOL_FIELDS)
        if update and not any(field in document for field in self.POOL_FIELDS):
            raise errors.InvalidBody(
                'One of `uri`, `weight`, `group`, or `options` needs to be specified')
        return {('flavor' if key == 'group' else key): value
                for key, value in document.items()}

    def pool_out(self, pool):
        return {('group' if key == 'flavor' else key): value for key, value in pool.items()}

    def flavor_in(self, document, flavors, name, update=False):
        if not isinstance(document, dict):
            return document
        _known(document, self.FLAVOR_FIELDS)
        group = document.get('pool_group') or document.get('pool')
        if group is None:
            if update and 'capabilities' in document:
                return {'pool_list': flavors.pool_list(name)}  # capabilities are derived
            raise errors.InvalidBody(
                'One of `pool_group` or `capabilities` or `pool` needs to be specified'
                if update else '"pool_group" is a required property.')
        if not isinstance(group, str):
            raise errors.InvalidBody('"pool_group" must be a string.')
        pools = flavors.pool_list(group)
        if not pools:
            raise errors.BadRequest(f'Flavor {name} could not be created. Pool group '
                                    f'{group} does not exist', title='Unable to create')
        return {'pool_list': pools}

    def flavor_out(self, flavor):
        shown = {key: value for key, value in flavor.items() if key != 'pool_list'}
        shown['pool_group'] = shown['pool'] = flavor['name'] if flavor.get('pool_list') else None
        return shown


def _known(document, fields):
    unknown = sorted(set(document) - set(fields))
    if unknown:
        raise errors.InvalidBody(f'Unknown fields: {", ".join(unknown)}.')


@dataclasses.dataclass(frozen=True)
class Version:
    id: str
    status: str
    updated: str
    kinds: tuple  # container kinds routed (api/kinds.py)
    queue_extras: tuple  # of QUEUE_EXTRAS, routed under /queues/{q}
    queue_patch: bool  # PATCH /queues/{q} (JSON-Patch of the metadata)
    reserved_defaults: bool  # queue GET and detailed listings fill reserved keys in
    queue_filters: bool  # queue listings take name, with_count and metadata filters
    queue_limits: bool  # a post obeys the queue's _default_message_ttl,
    #                     _max_messages_post_size and _default_message_delay
    include_delayed: bool  # message listings take include_delayed
    claim_ids: bool  # bulk delete takes claim_ids
    fields: object  # pool and flavor documents (SameFields or PoolGroupFields)

    @property
    def segment(self):
        return f'v{self.id}'

    @property
    def prefix(self):
        return f'/v{self.id}'

    @property
    def deprecated(self):
        return self.status == 'DEPRECATED'

    @property
    def queue_methods(self):
        return ('GET', 'PUT', 'PATCH', 'DELETE') if self.queue_patch else ('GET', 'PUT', 'DELETE')

    def kind(self, name):
        """The container kind a collection segment names, or None."""
        kind = kinds.BY_NAME.get(name)
        return kind if kind in self.kinds else None

    def describe(self):
        """This version's entry in the versions document (GET /)."""
        media_type = f'application/vnd.openstack.messaging-{self.segment.replace(".", "_")}+json'
        return {'id': self.id, 'status': self.status, 'updated': self.updated,
                'media-types': [{'base': 'application/json', 'type': media_type}],
                'links': [{'href': f'{self.prefix}/', 'rel': 'self'}]}


V2 = Version(
    id='2', status='CURRENT', updated='2014-9-24T04:06:47Z',
    kinds=(kinds.QUEUES, kinds.TOPICS), queue_extras=QUEUE_EXTRAS, queue_patch=True,
    reserved_defaults=True, queue_filters=True, queue_limits=True,
    include_delayed=True, claim_ids=True, fields=SameFields())

V1_1 = Version(
    id='1.1', status='DEPRECATED', updated='2016-7-29T02:22:47Z',
    kinds=(kinds.QUEUES,), queue_extras=(), queue_patch=False,
    reserved_defaults=False, queue_filters=False, queue_limits=False,
    include_delayed=False, claim_ids=False, fields=PoolGroupFields())

BY_SEGMENT = {version.segment: version for version in (V2, V1_1)}


def enabled(conf):
    """The versions to serve, in the order of the versions document: v2,
    and before it the deprecated ones named by
    ``[DEFAULT] enable_deprecated_api_versions``."""
    chosen = [V1_1] if V1_1.id in conf.enable_deprecated_api_versions else []
    for version in chosen:
        LOG.warning('Serving the deprecated API v%s at %s/ (enable_deprecated_api_versions).',
                    version.id, version.prefix)
    return chosen + [V2]
