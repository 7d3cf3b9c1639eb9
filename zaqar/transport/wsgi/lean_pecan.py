"""Pecan, without the per-request work our controllers never need.

Every handler here is a method branch of a generic ``index`` that reads
the request itself (utils.read_json, utils.get_*) and returns a finished
JSON response (utils.respond). So for each request Pecan need not turn the
query string and body into handler arguments, negotiate a content type
against the handler's templates, or render. Routing is routing.py's;
security checks, hooks and error handling stay Pecan's own.
"""

import inspect

import pecan.core
from pecan import secure
from pecan import util as pecan_util
from webob import exc
from webob import response as webob_response

from zaqar.transport.wsgi import routing


class Pecan(routing.Pecan):
    def find_controller(self, state):
        local = pecan.core.state
        local.request, local.response = state.request, state.response
        req = state.request
        req.pecan['routing_path'] = path = req.path_info
        self.handle_hooks(self.hooks, 'on_route', state)
        req.pecan['extension'] = None
        controller, remainder = self.route(req, self.root, path)
        cfg = pecan_util._cfg(controller)
        if cfg.get('generic_handler'):
            raise exc.HTTPNotFound
        im_self = None
        if cfg.get('generic'):
            im_self = controller.__self__
            handlers = cfg['generic_handlers']
            controller = handlers.get(req.method, handlers['DEFAULT'])
            secure.handle_security(controller, im_self)
            cfg = pecan_util._cfg(controller)
        state.controller = local.controller = controller
        # Only the path remainder: a handler that takes none answers 404.
        args, varargs, kwargs = self.get_args(state, {}, remainder, cfg['argspec'],
                                              im_self)
        state.arguments = local.arguments = inspect.Arguments(args, varargs, kwargs)
        self.handle_hooks(self.determine_hooks(controller), 'before', state)
        return controller, args + varargs, kwargs

    def invoke_controller(self, controller, args, kwargs, state):
        result = controller(*args, **kwargs)
        if not isinstance(result, webob_response.Response):
            raise TypeError(f'{controller.__qualname__} must return a response, '
                            f'not {type(result).__name__}')
        state.response = result
