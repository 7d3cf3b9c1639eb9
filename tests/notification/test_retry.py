"""Retry policies: the published backoff curves, the phases, which policy
applies, and validation with upstream's messages."""

import pytest

from zaqar.notification import notifier, retry

# api-v2.md 13.4: upstream's published test vectors.
CURVES = [
    ('linear', 5, 30, [5, 10, 15, 20, 25]),
    ('exponential', 10, 60, [10, 12, 14, 18, 22, 27, 33, 40, 49, 60]),
    ('geometric', 20, 80, [20, 22, 25, 29, 33, 37, 42, 48, 54, 62, 70, 80]),
    ('arithmetic', 30, 100, [30, 30, 32, 34, 37, 41, 46, 51, 57, 64, 72, 80, 90, 100]),
]


@pytest.mark.parametrize('name, minimum, maximum, expected', CURVES)
def test_backoff_curves_match_the_published_vectors(name, minimum, maximum, expected):
    assert retry.backoff(name, minimum, maximum) == expected


def delays(policy):
    return [policy.delay(n) for n in range(policy.retries + 1)]


def test_default_policy_phases():
    policy = retry.RetryPolicy()
    # 3 at once, 3 after minimum_delay, the linear curve, 3 after maximum_delay.
    assert delays(policy) == [0, 0, 0, 5, 5, 5, 5, 10, 15, 20, 25, 30, 30, 30, None]
    assert policy.retries == 14


def test_policy_phases_follow_the_policy():
    policy = retry.RetryPolicy({'retries_with_no_delay': 1, 'minimum_delay_retries': 2,
                                'minimum_delay': 10, 'maximum_delay': 60,
                                'maximum_delay_retries': 1,
                                'retry_backoff_function': 'exponential'})
    assert delays(policy) == [0, 10, 10, 10, 12, 14, 18, 22, 27, 33, 40, 49, 60, 60, None]


def test_no_retries_at_all():
    policy = retry.RetryPolicy({'retries_with_no_delay': 0, 'minimum_delay_retries': 0,
                                'minimum_delay': 5, 'maximum_delay': 5,
                                'maximum_delay_retries': 0})
    assert policy.retries == 0 and policy.delay(0) is None


def test_huge_policies_cost_no_memory():
    policy = retry.RetryPolicy({'retries_with_no_delay': 10 ** 12, 'minimum_delay': 1,
                                'maximum_delay': 10 ** 9, 'retry_backoff_function':
                                'geometric'})
    assert policy.delay(10 ** 11) == 0
    assert policy.delay(10 ** 12 + 3) == 1          # first minimum-delay retry
    assert policy.retries > 10 ** 12 + 10 ** 8


def test_unusable_stored_values_fall_back_to_defaults():
    policy = retry.RetryPolicy({'retries_with_no_delay': 'many', 'minimum_delay': -4,
                                'retry_backoff_function': 'cubic', 'unknown': 1})
    assert delays(policy) == delays(retry.RetryPolicy())


def test_curve_from_zero_seconds_starts_at_one():
    assert retry.backoff('geometric', 0, 20) == [1, 2, 7, 20]


SUB = {'retries_with_no_delay': 1, 'minimum_delay_retries': 0, 'maximum_delay_retries': 0,
       'minimum_delay': 5, 'maximum_delay': 15}
QUEUE = {'retries_with_no_delay': 2, 'minimum_delay_retries': 0, 'maximum_delay_retries': 0,
         'minimum_delay': 5, 'maximum_delay': 15}


@pytest.mark.parametrize('sub, queue, expected', [
    (SUB, QUEUE, SUB),
    ({}, QUEUE, QUEUE),
    (SUB, {}, SUB),
    (None, None, {}),
    (dict(SUB, ignore_subscription_override=True), QUEUE, QUEUE),
    (SUB, dict(QUEUE, ignore_subscription_override=True), dict(QUEUE)),
    # The queue wins even when it has no policy to offer: then the defaults.
    (dict(SUB, ignore_subscription_override=True), {}, {}),
])
def test_which_policy_applies(sub, queue, expected):
    assert delays(retry.resolve(sub, queue)) == delays(retry.RetryPolicy(expected))


OK_POLICIES = [
    None, {}, {'minimum_delay': 5, 'maximum_delay': 15},
    {'retries_with_no_delay': 0, 'retry_backoff_function': 'geometric',
     'ignore_subscription_override': True},
    {'retry_backoff_function': ''},   # falsy values count as unset, as upstream
    {'minimum_delay': 0, 'maximum_delay': 10},
]


@pytest.mark.parametrize('policy', OK_POLICIES)
def test_valid_policies(policy):
    retry.validate(policy)
    notifier.validate_options({'_retry_policy': policy})


BAD_POLICIES = [
    ('slow', 'retry_policy must be a dict.'),
    ([1], 'retry_policy must be a dict.'),
    ({'retry_backoff_function': 3}, 'retry_backoff_function must be a string.'),
    ({'retry_backoff_function': 'cubic'}, 'invalid retry_backoff_function.'),
    ({'ignore_subscription_override': 'yes'},
     'ignore_subscription_override must be a boolean.'),
    ({'retries_with_no_delay': '3'}, 'Retry policy: retries_with_no_delay must be a integer.'),
    ({'minimum_delay': 2.5}, 'Retry policy: minimum_delay must be a integer.'),
    ({'maximum_delay_retries': True},
     'Retry policy: maximum_delay_retries must be a integer.'),
    ({'minimum_delay_retries': -1}, 'Retry policy: minimum_delay_retries must not be negative.'),
    ({'minimum_delay': 40, 'maximum_delay': 30}, 'minimum_delay must less than maximum_delay.'),
    ({'minimum_delay': 5, 'maximum_delay': 14}, 'invalid minimum_delay and maximum_delay.'),
    ({'maximum_delay': 10}, 'invalid minimum_delay and maximum_delay.'),
]


@pytest.mark.parametrize('policy, message', BAD_POLICIES)
def test_invalid_policies(policy, message):
    with pytest.raises(ValueError) as raised:
        notifier.validate_options({'_retry_policy': policy})
    assert str(raised.value) == message


@pytest.mark.parametrize('options, message', [
    ('x', 'Options must be a dict.'),
    ({'post_data': {'messages': []}}, 'post_data must be a string.'),
    ({'post_headers': 'X-A: 1'}, 'post_headers must be a dict.'),
    ({'post_headers': {'X-Count': 1}}, 'post_headers names and values must be strings.'),
])
def test_invalid_post_options(options, message):
    with pytest.raises(ValueError) as raised:
        notifier.validate_options(options)
    assert str(raised.value) == message


def test_valid_post_options():
    notifier.validate_options(None)
    notifier.validate_options({'post_data': '{"m": "$zaqar_message$"}',
                               'post_headers': {'X-Project-ID': 'p'}, 'other': 1})
