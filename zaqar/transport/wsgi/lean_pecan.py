"""Pecan, without the per-request work our controllers never need.

Every controller's ``index`` is generic (base.allow), and each of its
method handlers reads the request itself (utils.read_json, utils.get_*)
and returns a finished JSON response (utils.respond). So for each request
this app routes (routing.py), runs the hooks and calls the handler, and
nothing more: no query string or body turned into handler arguments, no
content negotiation or rendering, no default response built and thrown
away. The thread-local ``pecan.request`` is kept, which the controllers
read. The app's hooks are all there are: no controller declares its own.
"""

import pecan.core
import pecan.hooks
from pecan import secure
from webob import response as webob_response

from zaqar.transport.wsgi import routing


class Pecan(pecan.Pecan):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Bound once: the hook methods each step runs, in Pecan's order
        # (by priority; after and on_error in reverse).
        self._on_route = self._hook_methods('on_route')
        self._before = self._hook_methods('before')
        self._after = self._hook_methods('after', reverse=True)
        self._on_error = self._hook_methods('on_error', reverse=True)

    def _hook_methods(self, step, reverse=False):
        noop = getattr(pecan.hooks.PecanHook, step)
        hooks = reversed(self.hooks) if reverse else self.hooks
        return [getattr(hook, step) for hook in hooks if getattr(type(hook), step) is not noop]

    def __call__(self, environ, start_response):
        req = self.request_cls(environ)
        req.context = {}
        req.pecan = {'content_type': None}
        state = pecan.core.RoutingState(req, None, self)
        # Looked up per call: each Pecan app made replaces pecan.core.state.
        local = pecan.core.state
        local.request = req
        try:
            try:
                state.response = self._handle(req, state)
            except Exception as e:
                state.response = self._error(state, e)
            for hook in self._after:
                hook(state)
        finally:
            del local.request
        return state.response(environ, start_response)

    def _handle(self, req, state):
        for hook in self._on_route:
            hook(state)
        node = routing.resolve(self.root, req.path_info)
        handlers = node.index._pecan['generic_handlers']
        handler = handlers.get(req.method, handlers['DEFAULT'])
        secure.handle_security(handler, node)
        state.controller = handler
        for hook in self._before:
            hook(state)
        result = handler(node)
        if not isinstance(result, webob_response.Response):
            raise TypeError(f'{handler.__qualname__} must return a response, '
                            f'not {type(result).__name__}')
        return result

    def _error(self, state, e):
        for hook in self._on_error:
            result = hook(state, e)
            if isinstance(result, webob_response.Response):
                return result
        raise e
