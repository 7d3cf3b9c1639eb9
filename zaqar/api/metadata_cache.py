"""Queue metadata remembered per process, for the post hot path.

Posting needs the queue's metadata (size cap, default TTL, delay) to build
the messages. Reading it first would cost a round trip on every post; so
the service remembers it here and hands it to the store with the post,
which checks it atomically (MessageController.post ``expect_metadata``)
and refuses a post built on metadata another process has since changed.
The cache is therefore never trusted on its own: a stale entry costs one
retry, never a wrong post.
"""

import collections
import threading

DEFAULT_SIZE = 10000


class MetadataCache:
    def __init__(self, size=DEFAULT_SIZE):
        self._size = size
        self._items = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, project, queue):
        with self._lock:
            metadata = self._items.get((project, queue))
            if metadata is not None:
                self._items.move_to_end((project, queue))
            return metadata

    def put(self, project, queue, metadata):
        with self._lock:
            self._items[(project, queue)] = metadata
            self._items.move_to_end((project, queue))
            if len(self._items) > self._size:
                self._items.popitem(last=False)

    def forget(self, project, queue):
        with self._lock:
            self._items.pop((project, queue), None)
