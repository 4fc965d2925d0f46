#!/usr/bin/python3
"""A small byte-level decoder in PyTorch, trained on a corpus from ``babelflow corpus prepare``, publishing
its run to BabelFlow and steered live by the reweighting app's mixture updates.

    PYTHONPATH=producers/python /usr/bin/python3 producers/python/examples/torch_trainer.py \\
        --config producers/python/examples/tiny-feedback.yaml --corpus corpus/code \\
        --bootstrap-servers 127.0.0.1:9092 --out runs/torch [--world-size 2]

With ``--world-size N`` it runs N data-parallel processes (torch.distributed, gloo), each publishing as its
own rank of one run. Bad input (config, corpus, arguments) prints one line and exits with code 2.
"""
import argparse
import json
import logging
import math
import os
import signal
import socket
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from babelflow import BabelFlowError, MixtureFollower, MixtureSampler, Run, watch_ffn  # noqa: E402
from babelflow import config as run_config  # noqa: E402

LOG = logging.getLogger("torch_trainer")


class Block(nn.Module):
    def __init__(self, d, heads, ffn, activation):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        act = nn.GELU() if activation.upper() == "GELU" else nn.ReLU()
        self.ffn = nn.Sequential(nn.Linear(d, ffn), act, nn.Linear(ffn, d))  # ffn[1]: the watched neurons

    def forward(self, x, mask):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.ffn(self.ln2(x))


class ByteLM(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.embed = nn.Embedding(256, m["dModel"])
        self.position = nn.Parameter(torch.zeros(m["contextLength"], m["dModel"]))
        self.blocks = nn.ModuleList(Block(m["dModel"], m["heads"], m["ffnWidth"], m["activation"])
                                    for _ in range(m["layers"]))
        self.norm = nn.LayerNorm(m["dModel"])
        self.head = nn.Linear(m["dModel"], 256, bias=False)

    def forward(self, tokens):
        t = tokens.shape[1]
        mask = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
        x = self.embed(tokens) + self.position[:t]
        for block in self.blocks:
            x = block(x, mask)
        return self.head(self.norm(x))


class Corpus:
    """DIR/corpus.json and DIR/<language>/{train,probe}.bin as ``babelflow corpus prepare`` writes them."""

    def __init__(self, directory, languages, window):
        directory = Path(directory)
        try:
            summary = json.loads((directory / "corpus.json").read_text())
        except (OSError, ValueError) as e:
            raise BabelFlowError(f"{directory} is not a prepared corpus (corpus.json: {e})") from None
        have = [l["id"] for l in summary["languages"]]
        self.train, self.probe = {}, {}
        for lang in languages:
            if lang not in have:
                raise BabelFlowError(f"corpus {directory} has no language '{lang}' (it has {have})")
            self.train[lang] = np.memmap(directory / lang / "train.bin", dtype=np.uint8, mode="r")
            if len(self.train[lang]) < window:
                raise BabelFlowError(f"corpus language '{lang}' has fewer training bytes than one window ({window})")
            probe = np.fromfile(directory / lang / "probe.bin", dtype=np.uint8)
            size = summary["probeWindow"]
            self.probe[lang] = [probe[i:i + size][:window] for i in range(0, len(probe) - size + 1, size)]

    def batch(self, languages, window, rng):
        rows = [self.train[l][o:o + window] for l in languages
                for o in [rng.integers(0, len(self.train[l]) - window + 1)]]
        return torch.from_numpy(np.stack(rows).astype(np.int64))


def learning_rate(t, step):
    if step < t["warmupSteps"]:
        return t["learningRate"] * (step + 1) / t["warmupSteps"]
    progress = min(1.0, (step - t["warmupSteps"]) / max(1, t["decaySteps"] - t["warmupSteps"]))
    return t["minLearningRate"] + 0.5 * (t["learningRate"] - t["minLearningRate"]) * (1 + math.cos(math.pi * progress))


def per_language(nll, languages):
    """Token-weighted mean loss and token count per language, from per-position losses [B, T]."""
    loss, tokens = {}, {}
    per_row = nll.detach().sum(1).tolist()
    for lang, total in zip(languages, per_row):
        loss[lang] = loss.get(lang, 0.0) + total
        tokens[lang] = tokens.get(lang, 0) + nll.shape[1]
    return {l: loss[l] / tokens[l] for l in loss}, tokens


def evaluate(model, corpus, watcher, cfg, step, run):
    """Held-out loss per language on the fixed probe windows, and HELDOUT activation statistics."""
    probes = cfg.probes
    loss, tokens = {}, {}
    model.eval()
    with torch.no_grad(), watcher.source("HELDOUT"):
        for lang, windows in corpus.probe.items():
            windows = windows[:probes["maxProbeWindows"]]
            for i in range(0, len(windows), probes["evalBatchSize"]):
                chunk = torch.from_numpy(np.stack(windows[i:i + probes["evalBatchSize"]]).astype(np.int64))
                watcher.batch([lang] * len(chunk))
                logits = model(chunk[:, :-1])
                nll = F.cross_entropy(logits.transpose(1, 2), chunk[:, 1:], reduction="sum")
                loss[lang] = loss.get(lang, 0.0) + nll.item()
                tokens[lang] = tokens.get(lang, 0) + chunk[:, 1:].numel()
    model.train()
    if tokens:
        run.eval_result(step, {l: loss[l] / tokens[l] for l in loss}, tokens)
        window = watcher.drain(step, step, "HELDOUT")
        if window:
            run.activation_stats(window)


def train(args, cfg, rank=0, world_size=1, run_id=None):
    torch.manual_seed(cfg.run["seed"])
    torch.set_num_threads(args.threads)
    languages, m, t = cfg.language_ids, cfg.model, cfg.training
    window = m["contextLength"] + 1
    corpus = Corpus(args.corpus, languages, window)
    model = ByteLM(m)
    watcher = watch_ffn(model, [f"blocks.{i}.ffn.1" for i in range(m["layers"])], languages)
    if world_size > 1:
        model = torch.nn.parallel.DistributedDataParallel(model)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": t["weightDecay"]},
                                   {"params": rest, "weight_decay": 0.0}],
                                  lr=t["learningRate"], betas=(t["beta1"], t["beta2"]), eps=t["epsilon"])
    sampler = MixtureSampler(languages, cfg.initial_weights, seed=cfg.run["seed"] * 1000 + rank, phases=cfg.phases)
    rng = np.random.default_rng(cfg.run["seed"] * 1000 + rank)
    out = Path(args.out)
    run = Run(args.bootstrap_servers, out / f"spool-rank{rank}", run_id=run_id, name=cfg.run["name"],
              rank=rank, world_size=world_size)
    if not run.wait_connected(timeout=5):
        print(f"broker {args.bootstrap_servers} does not answer; telemetry waits in {out}/spool-rank{rank} "
              "and is sent when it is back", file=sys.stderr, flush=True)
    published, latencies = {}, []

    def applied(update):  # on the follower's thread: from the TrainStep it was based on to in force next step
        sent = published.get(update["basedOnStep"])
        if sent is not None:
            latencies.append(time.time() - sent)
        print(f"rank {rank}: mixture version {update['version']} from {update['policy']} accepted: "
              f"{json.dumps(update['weights'], sort_keys=True)}", flush=True)

    follower = MixtureFollower(args.bootstrap_servers, run.run_id, sampler, on_applied=applied)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    run.run_started(cfg.language_specs(), cfg.model_shape(), cfg.text, (cfg.feedback or {}).get("policy"),
                    {k: str(v) for k, v in ((cfg.feedback or {}).get("params") or {}).items()})
    print(f"rank {rank}: run {run.run_id} started", flush=True)
    steps, stats_every, eval_every = cfg.run["steps"], cfg.probes["statsEvery"], cfg.probes["evalEvery"]
    window_start, last_step, reason, failed = 0, -1, "completed", False
    try:
        for step in range(steps):
            if stop:
                reason = "interrupted"
                break
            began = time.time()
            mixture = sampler.begin_step(step)
            batch_languages = sampler.draw(mixture, t["batchSize"])
            batch = corpus.batch(batch_languages, window, rng)
            lr = learning_rate(t, step)
            for group in optimizer.param_groups:
                group["lr"] = lr
            if stats_every > 0:
                watcher.batch(batch_languages)
            logits = model(batch[:, :-1])
            nll = F.cross_entropy(logits.transpose(1, 2), batch[:, 1:], reduction="none")
            loss = nll.mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), t["gradClipNorm"])
            optimizer.step()
            language_loss, language_tokens = per_language(nll, batch_languages)
            run.train_step(step, loss.item(), language_loss, language_tokens, nll.numel(), lr, mixture)
            published[step] = time.time()
            last_step = step
            last = step + 1 == steps
            if stats_every > 0 and ((step + 1) % stats_every == 0 or last):
                run.activation_stats(watcher.drain(window_start, step))
                window_start = step + 1
            if (eval_every > 0 and (step + 1) % eval_every == 0) or last:
                evaluate(model, corpus, watcher, cfg, step, run)
            if (step + 1) % args.log_every == 0 or last:
                print(f"rank {rank}: step {step} loss {loss.item():.4f} mixture v{mixture.version} "
                      f"{json.dumps({k: round(v, 3) for k, v in mixture.weights.items()}, sort_keys=True)}", flush=True)
            if args.step_millis:  # pace a tiny model like a real one (tests, latency measurement)
                time.sleep(max(0.0, args.step_millis / 1000 - (time.time() - began)))
    except Exception as e:
        failed = True
        run.run_ended(last_step, "failed", str(e))
        raise
    finally:
        follower.close()
        if not failed:
            run.run_ended(last_step, reason, None if reason == "completed" else "stopped at a step boundary")
        run.close(timeout=args.close_timeout)
    summary = {"rank": rank, "runId": run.run_id, "lastStep": last_step, "reason": reason,
               "applied": follower.applied, "rejected": follower.rejected, "spooled": run.spooled_records,
               "feedbackLatencyMs": sorted(round(x * 1000, 1) for x in latencies)}
    (out / f"summary-rank{rank}.json").write_text(json.dumps(summary))
    print(f"rank {rank}: run {run.run_id} {reason} after step {last_step}; {follower.applied} mixture updates "
          f"applied, {follower.rejected} rejected; {run.spooled_records} records wait in the spool", flush=True)


def distributed_worker(rank, args, cfg, port):
    torch.distributed.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                                         world_size=args.world_size)
    ids = [args.run_id or f"{cfg.run['name']}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{os.getpid() % 0x10000:04x}"]
    torch.distributed.broadcast_object_list(ids, src=0)  # one runId for every rank
    try:
        train(args, cfg, rank, args.world_size, ids[0])
    finally:
        torch.distributed.destroy_process_group()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="run config in the Java trainer's YAML format")
    parser.add_argument("--corpus", required=True, help="folder from babelflow corpus prepare")
    parser.add_argument("--bootstrap-servers", default="127.0.0.1:9092")
    parser.add_argument("--out", required=True, help="run folder: spools and the summary")
    parser.add_argument("--steps", type=int, help="override run.steps")
    parser.add_argument("--run-id", help="default: <run.name>-<time>-<random>")
    parser.add_argument("--world-size", type=int, default=1, help="data-parallel processes (gloo)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per process")
    parser.add_argument("--step-millis", type=float, default=0, help="pace steps to at least this long")
    parser.add_argument("--log-every", type=int, default=10)
    parser.add_argument("--close-timeout", type=float, default=10.0, help="seconds to deliver before spooling")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        cfg = run_config.load(args.config)
        if args.steps is not None:
            cfg = cfg.with_steps(args.steps)
        if args.world_size < 1:
            raise BabelFlowError(f"--world-size {args.world_size} must be at least 1")
        Corpus(args.corpus, cfg.language_ids, cfg.model["contextLength"] + 1)  # bad corpus: fail before training
        Path(args.out).mkdir(parents=True, exist_ok=True)
        if args.world_size == 1:
            train(args, cfg, run_id=args.run_id)
        else:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            torch.multiprocessing.spawn(distributed_worker, args=(args, cfg, port), nprocs=args.world_size)
    except BabelFlowError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
