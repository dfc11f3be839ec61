"""Adapters to the outside world (mail, later payments and storage). They may
do I/O; services stay pure and call them only through queues like the outbox."""
