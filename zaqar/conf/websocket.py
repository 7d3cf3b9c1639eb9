"""[drivers:transport:websocket] options: the WebSocket listener and the
loop-back listener that receives notifications for subscribed connections.

Names are upstream's; in a file, the dashed ones are written with underscores
(``notification_bind``), as oslo.config reads them. ``max_frame_size`` and
``threads`` are additions.
"""

from oslo_config import cfg

GROUP = 'drivers:transport:websocket'

OPTS = [
    cfg.HostAddressOpt('bind', default='127.0.0.1',
                       help='Address on which the WebSocket server listens.'),
    cfg.PortOpt('port', default=9000,
                help='Port on which the WebSocket server listens (0: any free port).'),
    cfg.PortOpt('external-port',
                help='Port on which the service is reached by users, when a proxy '
                     'puts it elsewhere. Accepted for compatibility; unused.'),
    cfg.HostAddressOpt('notification-bind',
                       help='Address of the loop-back listener that receives '
                            'notifications for subscribed connections, and the host '
                            'put in their subscriber URL (the host name for a '
                            'wildcard address). Unset: the same as bind. '
                            'Set it to an address other Zaqar servers can reach when '
                            'they run on other hosts.'),
    cfg.PortOpt('notification-port', default=0,
                help='Port of the loop-back notification listener (0: any free port).'),
    cfg.IntOpt('max_frame_size', default=1048576, min=1024,
               help='Largest frame accepted, in bytes; a larger one closes the '
                    'connection with code 1009 (message too big).'),
    cfg.IntOpt('threads', default=16, min=1,
               help='Threads that run storage and Keystone calls for all the '
                    'connections of a server process.'),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
