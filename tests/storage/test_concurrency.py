"""Claims are atomic under concurrent consumers (threads and processes),
and FIFO order holds under concurrent producers.

Every consumer claims batches of 10 and deletes what it claimed, until
nothing is left to claim. No message may be claimed twice, and together
the consumers must have claimed every message.
"""

import multiprocessing
import queue as queue_module
import threading
import time
import traceback
from concurrent import futures

import pytest

from tests.storage.helpers import CLIENT, build_driver

MESSAGES = 400
BATCH = 10
THREADS = 8
PROCESSES = 4
PRODUCERS, POSTS, POST_SIZE = 6, 10, 5
TIMEOUT = 120  # seconds, for the whole run


def consume(driver, queue, project):
    """Claim and delete until nothing is left; return the ids claimed."""
    taken = []
    while True:
        claim_id, claimed = driver.claim_controller.create(
            queue, project, ttl=60, grace=60, limit=BATCH)
        if claim_id is None:
            return taken
        for item in claimed:
            taken.append(item['id'])
            driver.message_controller.delete(queue, item['id'], project,
                                             claim=claim_id)


def post_all(driver, queue, project):
    batch = [{'ttl': 300, 'body': i, 'delay': 0} for i in range(MESSAGES)]
    return driver.message_controller.post(queue, batch, CLIENT, project)


def assert_claimed_once_each(driver, queue, project, posted, takes):
    everything = [mid for taken in takes for mid in taken]
    assert len(everything) == len(set(everything)), 'a message was claimed twice'
    assert set(everything) == set(posted)
    assert driver.queue_controller.stats(queue, project)['total'] == 0


def test_threads(driver, project):
    posted = post_all(driver, 'q', project)
    barrier = threading.Barrier(THREADS)

    def worker():
        barrier.wait(timeout=TIMEOUT)
        return consume(driver, 'q', project)

    with futures.ThreadPoolExecutor(THREADS) as pool:
        jobs = [pool.submit(worker) for _ in range(THREADS)]
        takes = [job.result(timeout=TIMEOUT) for job in jobs]
    assert_claimed_once_each(driver, 'q', project, posted, takes)


def consumer_process(backend, queue, project, barrier, results):
    """Runs in a child process, with a driver of its own."""
    try:
        driver = build_driver(backend)
        driver.is_alive()  # connect (and create the schema) before the race
        barrier.wait(timeout=TIMEOUT)
        results.put(('ok', consume(driver, queue, project)))
        driver.close()
    except BaseException:
        results.put(('error', traceback.format_exc()))


def collect(results, procs):
    """One outcome per process; fail fast if a process died without one."""
    outcomes = []
    deadline = time.monotonic() + TIMEOUT
    while len(outcomes) < len(procs) and time.monotonic() < deadline:
        try:
            outcomes.append(results.get(timeout=0.5))
        except queue_module.Empty:
            if all(proc.exitcode is not None for proc in procs):
                codes = [proc.exitcode for proc in procs]
                pytest.fail(f'consumer processes exited with {codes} '
                            f'and gave {len(outcomes)} of {len(procs)} results')
    assert len(outcomes) == len(procs), 'consumer processes timed out'
    return outcomes


def test_processes(backend, driver, project):
    posted = post_all(driver, 'q', project)
    ctx = multiprocessing.get_context('spawn')
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [ctx.Process(target=consumer_process,
                         args=(backend, 'q', project, barrier, results))
             for _ in range(PROCESSES)]
    for proc in procs:
        proc.start()
    try:
        outcomes = collect(results, procs)
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
    errors = [detail for status, detail in outcomes if status == 'error']
    assert not errors, errors[0]
    assert_claimed_once_each(driver, 'q', project, posted,
                             [detail for _, detail in outcomes])


def test_concurrent_producers_keep_fifo_order(driver, project):
    """Producers post at once: each post's messages stay together and in
    order, each producer's posts keep the order it made them in, and every
    message is listed once, under the id its post returned."""
    barrier = threading.Barrier(PRODUCERS)

    def produce(producer):
        barrier.wait(timeout=TIMEOUT)
        return [driver.message_controller.post(
            'q', [{'ttl': 300, 'body': [producer, n, i], 'delay': 0}
                  for i in range(POST_SIZE)], CLIENT, project)
            for n in range(POSTS)]

    with futures.ThreadPoolExecutor(PRODUCERS) as pool:
        posted = list(pool.map(produce, range(PRODUCERS), timeout=TIMEOUT))
    listed, marker = [], None
    while True:
        page = driver.message_controller.list('q', project, marker=marker, limit=50,
                                              echo=True)
        if not page.items:
            break
        listed.extend(page.items)
        marker = page.marker
    assert len(listed) == PRODUCERS * POSTS * POST_SIZE
    where = {tuple(item['body']): (index, item['id']) for index, item in enumerate(listed)}
    for producer, posts in enumerate(posted):
        starts = []
        for n, ids in enumerate(posts):
            found = [where[(producer, n, i)] for i in range(POST_SIZE)]
            assert [mid for _, mid in found] == ids
            first = found[0][0]
            assert [index for index, _ in found] == list(range(first, first + POST_SIZE))
            starts.append(first)
        assert starts == sorted(starts)
