#include <cstdio>
#include <deque>
#include <random>

// A single-server queue simulated one tick at a time.
struct Queue {
    double arrivals = 0.3;
    double service = 0.4;
    std::deque<int> waiting;
    int served = 0;

    void tick(std::mt19937& rng, int now) {
        std::uniform_real_distribution<double> u(0.0, 1.0);
        if (u(rng) < arrivals) waiting.push_back(now);
        if (!waiting.empty() && u(rng) < service) {
            waiting.pop_front();
            ++served;
        }
    }
};

int main() {
    std::mt19937 rng(7);
    Queue q;
    long total = 0;
    const int ticks = 1000;
    for (int now = 0; now < ticks; ++now) {
        q.tick(rng, now);
        total += static_cast<long>(q.waiting.size());
    }
    std::printf("mean queue length %.2f, served %d\n", static_cast<double>(total) / ticks, q.served);
}
