"""Exceptions of the BabelFlow client; each message names the problem."""


class BabelFlowError(Exception):
    """Base class of every error the client raises."""


class SchemaError(BabelFlowError):
    """A schema is missing or an event does not match its schema."""


class DecodingError(BabelFlowError):
    """Bytes that are not a single-object-encoded event of a known schema."""


class ConfigError(BabelFlowError):
    """A malformed run configuration or client setting."""


class BrokerUnavailable(BabelFlowError):
    """The broker did not answer in time."""
