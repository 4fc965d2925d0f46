#!/usr/bin/python3
"""Cost of ``watch_ffn`` in the example trainer's step (run by ``babelflow bench python``).

The example model of a config trains on a prepared corpus in blocks of steps, with the FFN hooks counting
(statistics drained and Avro-encoded every K steps) or paused, in ABBA order. Two figures: the ratio of
median step times, on minus off (noisy when the machine is shared), and the direct one: time spent inside
the hooks, the drain and the encoding, over the time of the steps they ran in.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch_trainer  # noqa: E402
from babelflow import config as run_config  # noqa: E402
from babelflow import default_schemas, watch_ffn  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(Path(__file__).resolve().parent / "tiny-feedback.yaml"))
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--every", type=int, default=10, help="K: steps per statistics window")
    parser.add_argument("--block", type=int, default=20, help="steps per block")
    parser.add_argument("--rounds", type=int, default=4, help="ABBA rounds (each: one block on, one off)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cfg = run_config.load(args.config)
    m, t = cfg.model, cfg.training
    window = m["contextLength"] + 1
    corpus = torch_trainer.Corpus(args.corpus, cfg.language_ids, window)
    torch.manual_seed(1)
    model = torch_trainer.ByteLM(m)
    watcher = watch_ffn(model, [f"blocks.{i}.ffn.1" for i in range(m["layers"])], cfg.language_ids)
    inside = [0.0, 0.0]  # wall, CPU of this thread (torch runs on it with one thread; robust to a loaded machine)
    watcher.remove()  # the same hooks again, timed
    for i, module in enumerate(watcher.modules):
        hook = watcher._hook(i)

        def timed(mod, inp, out, hook=hook):
            began, cpu = time.perf_counter(), time.thread_time()
            hook(mod, inp, out)
            inside[0] += time.perf_counter() - began
            inside[1] += time.thread_time() - cpu
        module.register_forward_hook(timed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=t["learningRate"])
    rng = np.random.default_rng(1)
    languages = cfg.language_ids
    schemas = default_schemas()
    cpu_used = {True: 0.0, False: 0.0}

    def step(on, n):
        langs = [languages[i % len(languages)] for i in range(t["batchSize"])]
        batch = corpus.batch(langs, window, rng)
        began, cpu = time.perf_counter(), time.thread_time()
        if on:
            watcher.batch(langs)
        else:
            watcher._one_hot = None  # paused: the hooks return at once
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.transpose(1, 2), batch[:, 1:])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        loss.item()
        if on and (n + 1) % args.every == 0:
            drained, drained_cpu = time.perf_counter(), time.thread_time()
            stats = watcher.drain(n + 1 - args.every, n)
            for layer in stats.layers_stats:
                schemas.encode("ActivationStats", {"runId": "bench", "rank": 0, "worldSize": 1, "sequence": n,
                                                   "source": "TRAIN", "windowStart": stats.start, "windowEnd": stats.end,
                                                   **layer})
            inside[0] += time.perf_counter() - drained
            inside[1] += time.thread_time() - drained_cpu
        cpu_used[on] += time.thread_time() - cpu
        return time.perf_counter() - began

    for n in range(10):  # warm-up
        step(True, n)
    watcher.drain(0, 0)
    times = {True: [], False: []}
    inside[0] = inside[1] = 0.0
    cpu_used[True] = cpu_used[False] = 0.0
    on_total = 0.0
    for r in range(args.rounds):
        for on in ((True, False) if r % 2 == 0 else (False, True)):
            for n in range(args.block):
                elapsed = step(on, n)
                times[on].append(elapsed)
                on_total += elapsed if on else 0.0
    median_on, median_off = statistics.median(times[True]), statistics.median(times[False])
    result = {"model": f"{m['layers']}x{m['dModel']} ffn {m['ffnWidth']} ctx {m['contextLength']} "
                       f"batch {t['batchSize']}", "every": args.every, "steps": len(times[True]) * 2,
              "threads": args.threads, "medianStepOnMs": round(median_on * 1000, 2),
              "medianStepOffMs": round(median_off * 1000, 2),
              "ratioOverhead": round(median_on / median_off - 1, 4),
              "directMsPerStep": round(inside[0] / len(times[True]) * 1000, 3),
              "directOverhead": round(inside[0] / on_total, 4),
              "cpuStepOnMs": round(cpu_used[True] / len(times[True]) * 1000, 2),
              "cpuStepOffMs": round(cpu_used[False] / len(times[False]) * 1000, 2),
              "directCpuOverhead": round(inside[1] / cpu_used[True], 4)}
    print(json.dumps(result))
    print(f"hooks at K={args.every}: direct {result['directMsPerStep']} ms of a {result['medianStepOnMs']} ms step = "
          f"{result['directOverhead'] * 100:.2f} %; median step on/off {result['medianStepOnMs']} / "
          f"{result['medianStepOffMs']} ms = {result['ratioOverhead'] * 100:+.2f} %; CPU per step on/off "
          f"{result['cpuStepOnMs']} / {result['cpuStepOffMs']} ms, hooks {result['directCpuOverhead'] * 100:.2f} % of it")


if __name__ == "__main__":
    main()
