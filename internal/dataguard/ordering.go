package dataguard

import (
	"context"
	"sync"
)

// ordering keeps the changes of one id in the order a delta round reported
// them. Graph may report an id more than once in a round and the last
// report wins, while changes run in parallel; so a change of an id first
// waits for the previous change of the same id. The zero value is ready.
type ordering struct {
	mu   sync.Mutex
	busy map[string]chan struct{}
}

// claim registers a change of id. wait, when not nil, is closed once the
// previous change of id has finished; done must be called when this change
// has finished.
func (o *ordering) claim(id string) (wait <-chan struct{}, done func()) {
	ch := make(chan struct{})
	o.mu.Lock()
	if o.busy == nil {
		o.busy = map[string]chan struct{}{}
	}
	if prev, ok := o.busy[id]; ok {
		wait = prev
	}
	o.busy[id] = ch
	o.mu.Unlock()
	return wait, func() {
		o.mu.Lock()
		if o.busy[id] == ch {
			delete(o.busy, id)
		}
		o.mu.Unlock()
		close(ch)
	}
}

// run registers a change of id and returns the function that applies it
// with fn once the previous change of id has finished, for an errgroup.
func (o *ordering) run(ctx context.Context, id string, fn func(context.Context) error) func() error {
	wait, done := o.claim(id)
	return func() error {
		defer done()
		if wait != nil {
			select {
			case <-wait:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return fn(ctx)
	}
}
