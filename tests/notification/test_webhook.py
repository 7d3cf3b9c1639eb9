"""Webhook delivery to real HTTP receivers on loopback: payloads, templates,
retries (5xx, connection refused, timeouts), and that nothing blocks."""

import logging
import threading
import time

import pytest

from tests.notification.receivers import subscription

FAST_POLICY = {'retries_with_no_delay': 1, 'minimum_delay_retries': 1, 'minimum_delay': 5,
               'maximum_delay': 15, 'maximum_delay_retries': 1}  # 5 retries in 0.35 s


def post(notifier, subscriptions, messages=None, queue='fruits', metadata=None):
    messages = messages or [{'body': {'event': 'BackupStarted'}, 'ttl': 3600, 'delay': 0}]
    notifier.notify(queue, 'project-a', messages, subscriptions, metadata or {})


def test_payload_is_the_message_with_type_and_queue(make_notifier, receiver):
    hook = receiver()
    notifier = make_notifier()
    post(notifier, [subscription(hook.url)])
    [request] = hook.wait_for(1)
    assert request.path == '/hook'
    assert request.headers['Content-Type'] == 'application/json'
    assert request.json() == {'ttl': 3600, 'body': {'event': 'BackupStarted'},
                              'Message_Type': 'Notification', 'queue_name': 'fruits'}
    # No store-side fields, and the caller's messages are left as they were.
    assert 'X-Auth-Token' not in request.headers


def test_delay_is_sent_on_delayed_queues_only(make_notifier, receiver):
    hook = receiver()
    notifier = make_notifier()
    message = {'body': 1, 'ttl': 60, 'delay': 30, 'checksum': 'MD5:x'}
    post(notifier, [subscription(hook.url)], [message], metadata={})
    post(notifier, [subscription(hook.url)], [message],
         metadata={'_default_message_delay': 10})
    hook.wait_for(2)
    assert sorted(hook.bodies(), key=len) == [
        {'ttl': 60, 'body': 1, 'Message_Type': 'Notification', 'queue_name': 'fruits'},
        {'ttl': 60, 'body': 1, 'delay': 30, 'Message_Type': 'Notification',
         'queue_name': 'fruits'}]
    assert message == {'body': 1, 'ttl': 60, 'delay': 30, 'checksum': 'MD5:x'}


def test_every_message_reaches_every_subscriber_in_order(make_notifier, receiver):
    hooks = [receiver() for _ in range(3)]
    notifier = make_notifier()
    messages = [{'body': n, 'ttl': 60} for n in range(5)]
    post(notifier, [subscription(h.url, sid=f's{i}') for i, h in enumerate(hooks)],
         messages)
    for hook in hooks:
        hook.wait_for(5)
        assert [b['body'] for b in hook.bodies()] == [0, 1, 2, 3, 4]


def test_connections_to_a_subscriber_are_kept_alive(make_notifier, receiver):
    hook = receiver()
    notifier = make_notifier(max_notifier_workers=1)
    post(notifier, [subscription(hook.url)], [{'body': n, 'ttl': 60} for n in range(5)])
    hook.wait_for(5)
    assert len({r.client for r in hook.requests}) == 1


def test_post_data_template_and_post_headers(make_notifier, receiver):
    hook = receiver()
    notifier = make_notifier()
    options = {'post_data': '{"messages": [{"body": "$zaqar_message$", "ttl": 60}]}',
               'post_headers': {'X-Project-ID': 'other-project', 'Client-ID': 'c1'}}
    post(notifier, [subscription(hook.url, options)])
    [request] = hook.wait_for(1)
    assert request.json() == {'messages': [{'body': {
        'ttl': 3600, 'body': {'event': 'BackupStarted'},
        'Message_Type': 'Notification', 'queue_name': 'fruits'}, 'ttl': 60}]}
    assert request.headers['X-Project-ID'] == 'other-project'
    assert request.headers['Client-ID'] == 'c1'
    assert request.headers['Content-Type'] == 'application/json'


def test_post_headers_may_override_the_content_type(make_notifier, receiver):
    hook = receiver()
    notifier = make_notifier()
    post(notifier, [subscription(hook.url, {'post_data': 'm=$zaqar_message$',
                                            'post_headers': {'Content-Type': 'text/plain'}})])
    [request] = hook.wait_for(1)
    assert request.headers['Content-Type'] == 'text/plain'
    assert request.body.decode() == 'm=$zaqar_message$'  # no quotes: no placeholder


@pytest.mark.parametrize('status', [500, 502, 503, 429, 408])
def test_failing_answers_are_retried_until_delivered(make_notifier, receiver, status,
                                                     caplog):
    caplog.set_level(logging.INFO, logger='zaqar.notification')
    hook = receiver(fail_first=4, fail_status=status)
    notifier = make_notifier()
    post(notifier, [subscription(hook.url, {'_retry_policy': FAST_POLICY})])
    hook.wait_for(5)
    assert notifier.wait_idle(15)
    assert len(hook.requests) == 5
    assert len({r.body for r in hook.requests}) == 1  # the same notification each time
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 4
    assert f'not delivered to {hook.url}: HTTP {status}' in warnings[0]
    assert '(attempt 1); retrying in 0 s' in warnings[0]
    assert '(attempt 2); retrying in 5 s' in warnings[1]
    assert any(f'delivered to {hook.url} at attempt 5' in r.getMessage()
               for r in caplog.records if r.levelno == logging.INFO)


def test_retries_follow_the_policy_delays(make_notifier, receiver):
    hook = receiver(fail_first=5)
    notifier = make_notifier(delay_scale=0.05)
    post(notifier, [subscription(hook.url, {'_retry_policy': FAST_POLICY})])
    requests = hook.wait_for(6)
    gaps = [b.at - a.at for a, b in zip(requests, requests[1:], strict=False)]
    # Policy seconds: 0 (at once), 5 (minimum), 5 and 10 (the linear curve),
    # 15 (maximum); each second is 50 ms here. Never early; late only by
    # what a loaded machine may add (not by the 5 s of unscaled seconds).
    expected = [0, 0.25, 0.25, 0.5, 0.75]
    for gap, want in zip(gaps, expected, strict=True):
        assert want - 0.02 <= gap <= want + 2, (gaps, expected)


@pytest.mark.parametrize('status', [400, 403, 404, 410, 301])
def test_refusals_are_not_retried(make_notifier, receiver, status, caplog):
    hook = receiver(status=status)
    notifier = make_notifier()
    post(notifier, [subscription(hook.url, {'_retry_policy': FAST_POLICY})])
    hook.wait_for(1)
    assert notifier.wait_idle(15)
    time.sleep(0.1)
    assert len(hook.requests) == 1
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert f'not delivered to {hook.url}: HTTP {status}' in error
    assert 'not retried' in error


def test_retries_end_when_the_policy_is_spent(make_notifier, receiver, caplog):
    hook = receiver(fail_first=100)
    notifier = make_notifier()
    post(notifier, [subscription(hook.url, {'_retry_policy': FAST_POLICY})])
    assert notifier.wait_idle(15)
    assert len(hook.requests) == 6  # the first attempt and 5 retries
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert 'HTTP 500' in error and '(attempt 6; retries exhausted)' in error


def test_queue_policy_applies_when_the_subscription_has_none(make_notifier, receiver):
    hook = receiver(fail_first=100)
    notifier = make_notifier()
    queue_policy = dict(FAST_POLICY, retries_with_no_delay=0)
    post(notifier, [subscription(hook.url)], metadata={'_retry_policy': queue_policy})
    assert notifier.wait_idle(15)
    assert len(hook.requests) == 5


def test_subscriber_down_at_first_gets_its_messages_when_back(make_notifier, receiver):
    hook = receiver(listening=False)  # connections refused
    notifier = make_notifier()
    messages = [{'body': n, 'ttl': 60} for n in range(3)]
    post(notifier, [subscription(hook.url)], messages)  # default policy: 1.8 s here
    time.sleep(0.4)
    assert hook.requests == []
    hook.listen()
    hook.wait_for(3, timeout=5)
    assert [b['body'] for b in hook.bodies()] == [0, 1, 2]


def test_connection_refused_is_logged_with_the_reason(make_notifier, receiver, caplog):
    hook = receiver(listening=False)
    notifier = make_notifier()
    post(notifier, [subscription(hook.url, {'_retry_policy': {
        'retries_with_no_delay': 0, 'minimum_delay_retries': 0, 'maximum_delay_retries': 0,
        'minimum_delay': 5, 'maximum_delay': 5}})])
    assert notifier.wait_idle(15)
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert f'not delivered to {hook.url}: connection failed' in error
    assert 'refused' in error.lower()


def test_timeouts_are_retried(make_notifier, receiver, caplog):
    hook = receiver(sleep=2.0)
    notifier = make_notifier(delivery_timeout=0.2)
    policy = dict(FAST_POLICY, retries_with_no_delay=1, minimum_delay_retries=0,
                  maximum_delay_retries=0)  # 1 + 3 attempts
    post(notifier, [subscription(hook.url, {'_retry_policy': policy})])
    hook.wait_for(2)
    assert notifier.wait_idle(15)
    messages = [r.getMessage() for r in caplog.records]
    assert 'no answer within 0.2 s (attempt 1); retrying in 0 s' in messages[0]
    assert '(attempt 4; retries exhausted)' in messages[-1]


def test_notify_returns_at_once_while_the_subscriber_hangs(make_notifier, receiver):
    hook = receiver(sleep=2.0)
    notifier = make_notifier(max_notifier_workers=2)
    subs = [subscription(hook.url, sid=f's{n}') for n in range(10)]
    post(notifier, subs)  # threads start on first use: time a warm notifier too
    started = time.perf_counter()
    post(notifier, subs, [{'body': n, 'ttl': 60} for n in range(10)])
    elapsed = time.perf_counter() - started
    assert elapsed < 0.05, f'notify took {elapsed * 1000:.1f} ms'
    hook.wait_for(1)


def test_a_hanging_subscriber_does_not_delay_others(make_notifier, receiver):
    slow, fast = receiver(sleep=3.0), receiver()
    notifier = make_notifier(max_notifier_workers=2)
    post(notifier, [subscription(slow.url, sid='slow')])
    slow.wait_for(1)
    started = time.monotonic()
    post(notifier, [subscription(fast.url, sid='fast')])
    fast.wait_for(1, timeout=2)
    assert time.monotonic() - started < 1.0


def test_waiting_retries_hold_no_worker(make_notifier, receiver):
    # One worker; a subscriber that keeps failing waits 1.5 s before its
    # third attempt. Meanwhile another subscriber's notifications go through.
    failing, healthy = receiver(fail_first=100), receiver()
    notifier = make_notifier(max_notifier_workers=1, delay_scale=0.3)
    post(notifier, [subscription(failing.url, {'_retry_policy': FAST_POLICY}, sid='f')])
    failing.wait_for(2)  # the first attempt and the immediate retry
    started = time.monotonic()
    post(notifier, [subscription(healthy.url, sid='h')], [{'body': n, 'ttl': 60}
                                                        for n in range(3)])
    healthy.wait_for(3, timeout=2)
    assert time.monotonic() - started < 1.0
    assert len(failing.requests) == 2  # still waiting for its retry


def test_pending_deliveries_are_bounded(make_notifier, receiver, caplog):
    hook = receiver(sleep=1.0)
    notifier = make_notifier(max_notifier_workers=1, max_pending_deliveries=2)
    for n in range(5):
        post(notifier, [subscription(hook.url, sid=f's{n}')])
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 3
    assert 'dropped: the notifier is full (2 deliveries pending)' in errors[0]
    assert notifier.wait_idle(15)
    assert len(hook.requests) == 2


def test_unknown_scheme_is_dropped_with_an_error(make_notifier, caplog):
    notifier = make_notifier()
    post(notifier, [subscription('gopher://127.0.0.1/x')])
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert 'to gopher://127.0.0.1/x dropped: no delivery task for its scheme' in error


def test_passwords_in_subscriber_uris_stay_out_of_the_log(make_notifier, receiver, caplog):
    hook = receiver(status=404)
    notifier = make_notifier()
    url = hook.url.replace('http://', 'http://user:s3cret@')
    post(notifier, [subscription(url)])
    hook.wait_for(1)
    assert notifier.wait_idle(15)
    # As requests (upstream's client) does: the credentials become Basic auth.
    assert hook.requests[0].headers['Authorization'] == 'Basic dXNlcjpzM2NyZXQ='
    text = '\n'.join(r.getMessage() for r in caplog.records)
    assert 's3cret' not in text and 'user:***@127.0.0.1' in text


def test_stop_drops_waiting_retries_and_refuses_new_work(make_notifier, receiver, caplog):
    hook = receiver(fail_first=100)
    notifier = make_notifier(delay_scale=1.0)  # retries wait seconds
    post(notifier, [subscription(hook.url, {'_retry_policy': FAST_POLICY})])
    hook.wait_for(2)  # the first attempt and the immediate retry
    started = time.monotonic()
    assert notifier.stop(timeout=5)
    assert time.monotonic() - started < 1
    post(notifier, [subscription(hook.url)])
    time.sleep(0.1)
    assert len(hook.requests) == 2
    assert any('dropped: the notifier is stopped' in r.getMessage() for r in caplog.records)
    assert threading.active_count() < 50


def test_a_stopped_notifier_that_never_started_stops_at_once(make_notifier):
    assert make_notifier().stop(timeout=0.1)


def test_a_delivery_that_raises_is_dropped_and_the_worker_goes_on(make_notifier, receiver,
                                                                  caplog):
    hook = receiver()
    notifier = make_notifier(max_notifier_workers=1)
    broken = dict(subscription(hook.url, sid='broken'), options=['not', 'a', 'dict'])
    post(notifier, [broken, subscription(hook.url, sid='fine')])
    hook.wait_for(1)
    assert notifier.wait_idle(15)
    assert len(hook.requests) == 1
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR
               and 'not retried' in r.getMessage()]
    assert 'unexpected AttributeError' in error.getMessage()


def test_a_subscriber_that_never_answers_holds_one_worker(make_notifier, receiver):
    # It accepts connections and answers nothing: each attempt costs a
    # timeout. Once it has failed, it gets one worker at a time, so the other
    # worker stays free for everyone else.
    hanging, healthy = receiver(sleep=30), receiver()
    notifier = make_notifier(max_notifier_workers=2, delivery_timeout=0.5)
    for n in range(10):
        post(notifier, [subscription(hanging.url, sid=f'h{n}')])
    hanging.wait_for(2)
    time.sleep(0.6)  # the first attempts time out: the subscriber is struggling
    started = time.monotonic()
    for n in range(4):
        post(notifier, [subscription(healthy.url, sid=f'ok{n}')])
    healthy.wait_for(4, timeout=5)
    assert time.monotonic() - started < 0.5 + 0.5  # at worst one timeout's wait
    # One attempt at a time reached the hanging subscriber after the first two.
    assert len(hanging.requests) < 10


def test_a_struggling_subscriber_gets_everything_in_order_when_back(make_notifier, receiver):
    hook = receiver(fail_first=3, fail_status=503)
    notifier = make_notifier(max_notifier_workers=4)
    for n in range(8):
        post(notifier, [subscription(hook.url, sid=f's{n}')], [{'body': n, 'ttl': 60}])
    assert notifier.wait_idle(15)
    delivered = [r.json()['body'] for r in hook.requests[3:]]
    assert sorted(delivered) == list(range(8)) and len(delivered) == 8


def test_destinations():
    from zaqar.notification.delivery import destination

    assert destination('http://User:pw@Example.COM:8080/a?b=1') == 'http://example.com:8080'
    assert destination('trust+https://example.com/x') == 'https://example.com'
    assert destination('mailto:a@example.com') == destination('mailto:b@example.org')
