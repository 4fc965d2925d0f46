"""BabelFlow client for PyTorch trainers: publish a run's telemetry to Kafka and follow its mixture updates.

    from babelflow import Run, MixtureFollower, MixtureSampler, watch_ffn
"""
from .errors import BabelFlowError, BrokerUnavailable, ConfigError, DecodingError, SchemaError
from .mixture import Mixture, MixtureSampler
from .run import Run
from .serde import Schemas, default_schemas

__all__ = ["Run", "MixtureFollower", "MixtureSampler", "Mixture", "watch_ffn", "FfnWatcher", "Schemas",
           "default_schemas", "BabelFlowError", "BrokerUnavailable", "ConfigError", "DecodingError", "SchemaError"]


def __getattr__(name):  # torch and the consumer load only when used
    if name in ("watch_ffn", "FfnWatcher"):
        from . import hooks
        return getattr(hooks, name)
    if name == "MixtureFollower":
        from .follower import MixtureFollower
        return MixtureFollower
    raise AttributeError(name)
