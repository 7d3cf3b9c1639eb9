"""Storage errors: what a driver raises; transports map them to statuses."""


class StorageError(Exception):
    """Base of every storage error."""

    msg = 'Storage error'

    def __init__(self, msg=None, **kwargs):
        if 'project' in kwargs:
            kwargs['project'] = display_project(kwargs['project'])
        super().__init__(msg or self.msg.format(**kwargs))


def display_project(project):
    """The project id of a storage scope (api/context.py), for messages."""
    return project.split('\x1f', 1)[0] if isinstance(project, str) else project


class ConnectionError(StorageError):  # noqa: A001 - the backend is away
    """The backend cannot be reached, or failed to answer."""

    msg = 'The storage backend is unavailable.'


class DoesNotExist(StorageError):
    """A named resource does not exist (for this project)."""


class NotPermitted(StorageError):
    """The resource exists but the operation is refused."""


class Conflict(StorageError):
    """The operation clashes with the resource's current state."""


class QueueDoesNotExist(DoesNotExist):
    msg = 'Queue {name} does not exist for project {project}'

    def __init__(self, name, project):
        super().__init__(name=name, project=project)


class QueueIsEmpty(StorageError):
    msg = 'Queue {name} in project {project} is empty'

    def __init__(self, name, project):
        super().__init__(name=name, project=project)


class MessageDoesNotExist(DoesNotExist):
    msg = 'Message {mid} does not exist in queue {queue} for project {project}'

    def __init__(self, mid, queue, project):
        super().__init__(mid=mid, queue=queue, project=project)


class ClaimDoesNotExist(DoesNotExist):
    msg = 'Claim {cid} does not exist in queue {queue} for project {project}'

    def __init__(self, cid, queue, project):
        super().__init__(cid=cid, queue=queue, project=project)


class MessageIsClaimed(NotPermitted):
    msg = 'Message {mid} is claimed'

    def __init__(self, mid):
        super().__init__(mid=mid)


class MessageNotClaimed(StorageError):
    msg = 'Message {mid} is not claimed'

    def __init__(self, mid):
        super().__init__(mid=mid)


class MessageNotClaimedBy(NotPermitted):
    msg = 'Message {mid} is not claimed by {cid}'

    def __init__(self, mid, cid):
        super().__init__(mid=mid, cid=cid)


class MessageConflict(Conflict):
    msg = 'Messages could not be enqueued to queue {queue} for project {project}'

    def __init__(self, queue, project):
        super().__init__(queue=queue, project=project)


class QueueMetadataChanged(StorageError):
    """A post expected other queue metadata than the store holds now."""

    msg = 'The metadata of queue {queue} changed'

    def __init__(self, queue, metadata):
        super().__init__(queue=queue)
        self.metadata = metadata


class SubscriptionDoesNotExist(DoesNotExist):
    msg = 'Subscription {sid} does not exist'

    def __init__(self, sid):
        super().__init__(sid=sid)


class SubscriptionAlreadyExists(Conflict):
    msg = ('Such subscription already exists. Subscriptions are unique by '
           'project + queue + subscriber URI.')


class PoolDoesNotExist(DoesNotExist):
    msg = 'Pool {name} does not exist'

    def __init__(self, name):
        super().__init__(name=name)


class PoolUriInUse(Conflict):
    msg = 'The database URI is in use by another pool.'


class FlavorDoesNotExist(DoesNotExist):
    msg = 'Flavor {name} does not exist'

    def __init__(self, name):
        super().__init__(name=name)


class NoPoolFound(StorageError):
    msg = 'No pools registered'
