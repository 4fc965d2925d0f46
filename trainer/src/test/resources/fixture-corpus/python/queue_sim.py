"""A single-server queue, simulated one tick at a time."""

import random
from dataclasses import dataclass, field


@dataclass
class Queue:
    arrivals: float
    service: float
    waiting: list = field(default_factory=list)
    served: int = 0

    def tick(self, rng, now):
        if rng.random() < self.arrivals:
            self.waiting.append(now)
        if self.waiting and rng.random() < self.service:
            self.waiting.pop(0)
            self.served += 1

    def length(self):
        return len(self.waiting)


def simulate(ticks=1000, seed=7):
    rng = random.Random(seed)
    queue = Queue(arrivals=0.3, service=0.4)
    lengths = []
    for now in range(ticks):
        queue.tick(rng, now)
        lengths.append(queue.length())
    return sum(lengths) / len(lengths), queue.served


if __name__ == "__main__":
    mean, served = simulate()
    print(f"mean queue length {mean:.2f}, served {served}")
