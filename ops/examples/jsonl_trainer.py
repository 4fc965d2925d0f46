import json, subprocess, time

bridge = subprocess.Popen(["./babelflow", "publish", "--jsonl", "-",
                           "--bootstrap-servers", "127.0.0.1:9092"],
                          stdin=subprocess.PIPE, text=True)
run, seq = "my-pytorch-run", 0

def emit(event):
    global seq
    event.update(runId=run, sequence=seq)
    seq += 1
    bridge.stdin.write(json.dumps(event) + "\n")

emit({"type": "RunStarted", "startedAt": int(time.time() * 1000), "config": "lr: 3e-4",
      "languages": [{"id": "python", "role": "PRIMARY", "initialWeight": 0.8},
                    {"id": "go", "role": "NEW", "initialWeight": 0.2}],
      "model": {"layers": 12, "dModel": 768, "heads": 12, "ffnWidth": 3072,
                "contextLength": 1024, "vocabSize": 50257}})
for step in range(100):
    losses = {"python": 2.0 + 1 / (step + 1), "go": 3.0 + 2 / (step + 1)}  # from your training loop
    emit({"type": "TrainStep", "step": step, "timestamp": int(time.time() * 1000),
          "tokens": 8192, "learningRate": 3e-4, "loss": sum(losses.values()) / 2,
          "languageLoss": losses, "languageTokens": {"python": 6554, "go": 1638},
          "mixtureVersion": 0})
emit({"type": "RunEnded", "endedAt": int(time.time() * 1000), "lastStep": 99, "reason": "completed"})
bridge.stdin.close()
bridge.wait()
