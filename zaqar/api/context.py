"""The request context handed from a transport to the service layer."""

import dataclasses

SCOPE_SEPARATOR = '\x1f'  # a control character: never in a project id


@dataclasses.dataclass(frozen=True)
class RequestContext:
    project_id: str
    client_id: str = None
    roles: tuple = ()
    user_id: str = None
    request_id: str = None
    is_admin: bool = False
    # Resources of another kind than queues (topics) live in a namespace of
    # the project; storage sees it in ``scope``.
    namespace: str = ''

    @property
    def scope(self):
        """The project as storage knows it: the project id, or for a
        namespace ``<project id>\\x1f<namespace>``. A project id never holds
        control characters (transports refuse them), so no scope is
        another project's."""
        if not self.namespace:
            return self.project_id
        return f'{self.project_id}{SCOPE_SEPARATOR}{self.namespace}'

    def policy_credentials(self):
        return {
            'project_id': self.project_id,
            'user_id': self.user_id,
            'roles': list(self.roles),
            'is_admin': self.is_admin,
            'client_id': self.client_id,
        }
