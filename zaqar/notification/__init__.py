"""Delivery of notifications to subscribers (api-v2.md section 13).

notifier.py   what the service layer calls: notify, confirmations, validation
delivery.py   worker threads and the retry scheduler
retry.py      retry policies and backoff curves
messages.py   the shapes subscribers receive
tasks/        one delivery task per subscriber scheme (webhook, mailto, trust)
"""
