"""Where each event goes and with which key: the Python mirror of the Java ``Topics`` registry."""

RUNS = "babelflow.runs"
RUN_ENDS = "babelflow.run-ends"
TRAIN_STEPS = "babelflow.train-steps"
ACTIVATION_STATS = "babelflow.activation-stats"
WORKING_LANGUAGE = "babelflow.working-language"
EVAL_RESULTS = "babelflow.eval-results"
MIXTURE_CONTROL = "babelflow.mixture-control"

# telemetry event type -> topic; every key is the runId, activation statistics "runId/layer"
TOPIC_OF = {
    "RunStarted": RUNS,
    "TrainStep": TRAIN_STEPS,
    "ActivationStats": ACTIVATION_STATS,
    "WorkingLanguage": WORKING_LANGUAGE,
    "EvalResult": EVAL_RESULTS,
    "RunEnded": RUN_ENDS,
}

# a layer of a 7B-shaped model x 16 languages fits; the topic allows as much (Topics.ACTIVATION_MAX_MESSAGE_BYTES)
ACTIVATION_MAX_MESSAGE_BYTES = 8 * 1024 * 1024


def key_of(name, record):
    """The record key of an event, as ``Topics`` defines it."""
    if name == "ActivationStats":
        return f"{record['runId']}/{record['layer']}"
    return record["runId"]
