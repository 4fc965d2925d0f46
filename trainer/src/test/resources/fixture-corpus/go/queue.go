package sim

import (
	"fmt"
	"math/rand"
)

// Queue is a single-server queue simulated one tick at a time.
type Queue struct {
	Arrivals, Service float64
	waiting           []int
	Served            int
}

// Tick advances the queue by one step.
func (q *Queue) Tick(rng *rand.Rand, now int) {
	if rng.Float64() < q.Arrivals {
		q.waiting = append(q.waiting, now)
	}
	if len(q.waiting) > 0 && rng.Float64() < q.Service {
		q.waiting = q.waiting[1:]
		q.Served++
	}
}

// Simulate runs the queue and returns its mean length.
func Simulate(ticks int, seed int64) float64 {
	rng := rand.New(rand.NewSource(seed))
	q := &Queue{Arrivals: 0.3, Service: 0.4}
	total := 0
	for now := 0; now < ticks; now++ {
		q.Tick(rng, now)
		total += len(q.waiting)
	}
	mean := float64(total) / float64(ticks)
	fmt.Printf("mean queue length %.2f, served %d\n", mean, q.Served)
	return mean
}
