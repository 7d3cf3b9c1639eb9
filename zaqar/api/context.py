"""The request context handed from a transport to the service layer."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class RequestContext:
    project_id: str
    client_id: str = None
    roles: tuple = ()
    user_id: str = None
    request_id: str = None
    is_admin: bool = False

    def policy_credentials(self):
        return {
            'project_id': self.project_id,
            'user_id': self.user_id,
            'roles': list(self.roles),
            'is_admin': self.is_admin,
            'client_id': self.client_id,
        }
