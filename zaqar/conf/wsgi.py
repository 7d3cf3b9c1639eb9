"""[drivers:transport:wsgi] options: the HTTP listener."""

from oslo_config import cfg

GROUP = 'drivers:transport:wsgi'

OPTS = [
    cfg.HostAddressOpt('bind', default='127.0.0.1',
                       help='Address on which zaqar-server listens.'),
    cfg.PortOpt('port', default=8888, help='Port on which zaqar-server listens.'),
    cfg.IntOpt('workers', default=2, min=1,
               help='Worker processes started by zaqar-server.'),
    cfg.IntOpt('threads', default=8, min=1,
               help='Request threads per worker process.'),
    cfg.FloatOpt('client_timeout', default=30.0, min=0.1,
                 help='Seconds zaqar-server waits on each read from (or write to) a '
                      "client's connection, once its request has begun; a client "
                      'that stalls longer is disconnected (a stalled body is '
                      'answered 408). Idle kept-alive connections hold no thread '
                      'and close after 60 s.'),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return {GROUP: OPTS}
