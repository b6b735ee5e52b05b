"""news-monitor: a streaming monitor of frontline news in Arabic and English."""
from monitor.config import Settings
from monitor.errors import BadMessage, BrokerError, ConfigError, MonitorError
from monitor.models import SCHEMA_VERSION, Article, article_id, canonical_url

__all__ = [
    "Article",
    "BadMessage",
    "BrokerError",
    "ConfigError",
    "MonitorError",
    "SCHEMA_VERSION",
    "Settings",
    "article_id",
    "canonical_url",
]
