"""Retry policies (api-v2.md section 13.4): which one applies, and its delays.

A policy is a dict from a subscription's ``options._retry_policy`` or a
queue's ``_retry_policy`` metadata. After a first attempt fails, retries run
in four phases: ``retries_with_no_delay`` at once, ``minimum_delay_retries``
after ``minimum_delay`` seconds each, one retry per point of the backoff
curve from ``minimum_delay`` towards ``maximum_delay``, then
``maximum_delay_retries`` after ``maximum_delay`` seconds each.

Delays are computed one at a time (``RetryPolicy.delay(n)``), never as a
list: a policy asking for a billion retries costs no memory.
"""

import math

DEFAULTS = {
    'retries_with_no_delay': 3,
    'minimum_delay_retries': 3,
    'minimum_delay': 5,
    'maximum_delay': 30,
    'maximum_delay_retries': 3,
    'retry_backoff_function': 'linear',
    'ignore_subscription_override': False,
}
INTERVAL = 5  # seconds between two points of a backoff curve, on average
INTEGER_KEYS = ('retries_with_no_delay', 'minimum_delay_retries', 'minimum_delay',
                'maximum_delay', 'maximum_delay_retries')


class Curve:
    """The backoff delays between ``minimum`` and ``maximum``, by index.

    The formulas reproduce upstream's published sequences exactly,
    including where float rounding lands (the float operations are done in
    the same order), so a policy backs off the same way on both servers.
    """

    def __init__(self, name, minimum, maximum, interval=INTERVAL):
        if name not in FUNCTIONS:
            raise ValueError('invalid retry_backoff_function.')
        self.name = name
        self.minimum, self.maximum, self.interval = minimum, maximum, interval
        if name == 'linear':
            self.points = len(range(minimum, maximum, interval))
        else:
            self.points = int((maximum - minimum) / interval)
            if self.points < 2:  # the curves need two ends; validation ensures it
                self.points = 0
        if name in ('geometric', 'exponential') and self.points:
            # A curve from 0 has no ratio: start it at one second.
            start = max(minimum, 1)
            self._ratio = math.pow(10, math.log10(maximum / start) / (self.points - 1))
            self._start = start
        elif name == 'arithmetic' and self.points:
            self._step = 2.0 * (maximum - minimum) / (self.points * (self.points - 1))

    def __len__(self):
        return self.points

    def __getitem__(self, index):
        if not 0 <= index < self.points:
            raise IndexError(index)
        return FUNCTIONS[self.name](self, index)

    def __iter__(self):
        return (self[i] for i in range(self.points))


def _linear(curve, i):
    return curve.minimum + i * curve.interval


def _arithmetic(curve, i):
    # Gaps grow by a constant: minimum + step * (1 + 2 + ... + i).
    return int(curve.minimum + i * (i + 1) * curve._step / 2)


def _geometric(curve, i):
    return int(curve._start * math.pow(curve._ratio, i))


def _exponential(curve, i):
    # The geometric curve again, computed from one step below its start:
    # mathematically equal, but it rounds differently, and its published
    # sequence is this one.
    return int(curve._start / curve._ratio * math.pow(curve._ratio, i + 1))


FUNCTIONS = {'linear': _linear, 'arithmetic': _arithmetic,
             'geometric': _geometric, 'exponential': _exponential}


def backoff(name, minimum, maximum, interval=INTERVAL):
    """The whole curve as a list (for tests and documentation)."""
    return list(Curve(name, minimum, maximum, interval))


class RetryPolicy:
    """The delays of one resolved policy; ``delay(n)`` before retry ``n``."""

    def __init__(self, policy=None):
        values = dict(DEFAULTS)
        for key, value in (policy or {}).items():
            if key in DEFAULTS and _acceptable(key, value):
                values[key] = value
        if values['maximum_delay'] < values['minimum_delay']:
            values['maximum_delay'] = values['minimum_delay']
        self.values = values
        self._phases = (
            (values['retries_with_no_delay'], lambda i: 0),
            (values['minimum_delay_retries'], lambda i: values['minimum_delay']),
            self._curve_phase(values),
            (values['maximum_delay_retries'], lambda i: values['maximum_delay']),
        )

    @staticmethod
    def _curve_phase(values):
        curve = Curve(values['retry_backoff_function'], values['minimum_delay'],
                      values['maximum_delay'])
        return len(curve), curve.__getitem__

    @property
    def retries(self):
        """How many retries the policy allows after the first attempt."""
        return sum(count for count, _ in self._phases)

    def delay(self, retry):
        """Seconds to wait before retry number ``retry`` (0-based); None past the end."""
        for count, value in self._phases:
            if retry < count:
                return value(retry)
            retry -= count
        return None


def _acceptable(key, value):
    # Queue metadata may hold a policy that was never validated (stored
    # before validation, or by another server): unusable values fall back to
    # the defaults instead of breaking delivery.
    if key == 'retry_backoff_function':
        return value in FUNCTIONS
    if key == 'ignore_subscription_override':
        return isinstance(value, bool)
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def resolve(subscription_policy, queue_policy):
    """The policy that applies: the subscription's unless either side says
    ``ignore_subscription_override``, then the queue's. Whole policies are
    chosen, never merged key by key."""
    subscription_policy = subscription_policy if isinstance(subscription_policy, dict) else {}
    queue_policy = queue_policy if isinstance(queue_policy, dict) else {}
    if (subscription_policy.get('ignore_subscription_override')
            or queue_policy.get('ignore_subscription_override')):
        return RetryPolicy(queue_policy)
    return RetryPolicy(subscription_policy or queue_policy)


def validate(policy):
    """Raise ValueError, with upstream's message, for an unusable policy.

    As upstream, falsy values (0, '', None, False) pass the type checks and
    count as unset; negative delays or counts, which upstream accepted and
    then could not honour, are refused.
    """
    if not policy:
        return
    if not isinstance(policy, dict):
        raise ValueError('retry_policy must be a dict.')
    function = policy.get('retry_backoff_function')
    if function and not isinstance(function, str):
        raise ValueError('retry_backoff_function must be a string.')
    if function and function not in FUNCTIONS:
        raise ValueError('invalid retry_backoff_function.')
    override = policy.get('ignore_subscription_override')
    if override and not isinstance(override, bool):
        raise ValueError('ignore_subscription_override must be a boolean.')
    for key in INTEGER_KEYS:
        value = policy.get(key)
        if value and (not isinstance(value, int) or isinstance(value, bool)):
            raise ValueError(f'Retry policy: {key} must be a integer.')
        if isinstance(value, int) and value < 0:
            raise ValueError(f'Retry policy: {key} must not be negative.')
    minimum, maximum = (_integer(policy, key) for key in ('minimum_delay', 'maximum_delay'))
    if maximum < minimum:
        raise ValueError('minimum_delay must less than maximum_delay.')
    if maximum - minimum < 2 * INTERVAL:
        raise ValueError('invalid minimum_delay and maximum_delay.')


def _integer(policy, key):
    # Falsy non-integers (None, '') passed the type check: they mean "unset".
    value = policy.get(key)
    return value if isinstance(value, int) else DEFAULTS[key]
