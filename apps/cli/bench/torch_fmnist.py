#!/usr/bin/python3
"""PyTorch reference for side-by-side benchmarks of the FashionMNIST models.

Trains and evaluates the reference architectures described in
docs/reference-models.md with PyTorch on the CPU, and prints one JSON line
per model with its throughput and test accuracy. It is the peer that a user
would otherwise pick; run it in the same process tree as the project's own
benchmark so that the ratio of the two is measured on the same machine state.

Needs: Debian's python3-torch and dataset-fashion-mnist packages
(`apt-get install -y python3-torch dataset-fashion-mnist`), run with /usr/bin/python3.

`fmnist bench --against-pytorch` runs it after its own run, with the same model, data, epochs, `--limit` and
thread count.

Usage:
  /usr/bin/python3 apps/cli/bench/torch_fmnist.py --model cnn --epochs 1 --threads 2
  /usr/bin/python3 apps/cli/bench/torch_fmnist.py --model linear --epochs 3 --limit 20000
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_DIR = os.environ.get("FMNIST_DATA_DIR", "/usr/share/datasets/fashion-mnist")


def read_idx(path, offset):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def find(data_dir, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(data_dir, name)
        if os.path.exists(p):
            return p
    sys.exit(f"missing {stem}(.gz) in {data_dir}")


def load(data_dir):
    xtr = read_idx(find(data_dir, "train-images-idx3-ubyte"), 16).reshape(-1, 1, 28, 28)
    ytr = read_idx(find(data_dir, "train-labels-idx1-ubyte"), 8)
    xte = read_idx(find(data_dir, "t10k-images-idx3-ubyte"), 16).reshape(-1, 1, 28, 28)
    yte = read_idx(find(data_dir, "t10k-labels-idx1-ubyte"), 8)
    xtr = xtr.astype(np.float32) / 255.0
    xte = xte.astype(np.float32) / 255.0
    mean, std = xtr.mean(), xtr.std()
    xtr, xte = (xtr - mean) / std, (xte - mean) / std
    return (torch.from_numpy(xtr), torch.from_numpy(ytr.astype(np.int64)),
            torch.from_numpy(xte), torch.from_numpy(yte.astype(np.int64)))


def build(model):
    if model == "linear":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    if model == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    if model == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    sys.exit(f"unknown model {model}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="cnn", choices=["linear", "mlp", "cnn"])
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--limit", type=int, default=60000, help="train on the first N training images")
    ap.add_argument("--data-dir", default=DEFAULT_DIR)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    xtr, ytr, xte, yte = load(a.data_dir)
    xtr, ytr = xtr[: a.limit], ytr[: a.limit]
    net = build(a.model)
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    n = len(xtr)
    train_s = 0.0
    for _ in range(a.epochs):
        net.train()
        perm = torch.randperm(n)
        t0 = time.perf_counter()
        for i in range(0, n, a.batch):
            idx = perm[i:i + a.batch]
            opt.zero_grad()
            F.cross_entropy(net(xtr[idx]), ytr[idx]).backward()
            opt.step()
        train_s += time.perf_counter() - t0
    net.eval()
    with torch.no_grad():
        t0 = time.perf_counter()
        logits = torch.cat([net(xte[i:i + 256]) for i in range(0, len(xte), 256)])
        infer_s = time.perf_counter() - t0
    acc = (logits.argmax(1) == yte).float().mean().item()
    print(json.dumps({
        "engine": f"pytorch-{torch.__version__}", "model": a.model, "threads": a.threads,
        "epochs": a.epochs, "batch": a.batch, "train_images": n,
        "train_images_per_s": round(n * a.epochs / train_s, 1),
        "infer_images_per_s": round(len(xte) / infer_s, 1),
        "test_accuracy": round(acc, 4),
    }))


if __name__ == "__main__":
    main()
