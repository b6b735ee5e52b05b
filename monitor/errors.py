"""The exceptions the library raises, in one tree.

    MonitorError
    ├── ConfigError        a setting or a rule file is wrong
    ├── BrokerError        the local Kafka broker cannot be fetched, started or reached
    └── BadMessage         a message cannot be processed; ``reason`` is its dead-letter reason
"""


class MonitorError(Exception):
    """Base of every error the monitor raises on purpose."""


class ConfigError(MonitorError):
    pass


class BrokerError(MonitorError):
    pass


class BadMessage(MonitorError):
    """A message that goes to the dead-letter topic. ``reason`` is a short, bounded label."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
