package limits

import (
	"errors"
	"fmt"
)

// FailNext makes the next n requests whose path starts with pathPrefix fail
// with status (400–599), ahead of any random fault; an empty prefix matches
// every path. Scripts apply in the order they were added, one per request.
// A 429, 503 or 504 carries Retry-After (FaultConfig.RetryAfter, always
// whole seconds so scripts draw nothing from the random sequence).
func (f *Faults) FailNext(pathPrefix string, status, n int) error {
	if status < 400 || status > 599 {
		return fmt.Errorf("fail next %q: status %d is not an error status (400-599)", pathPrefix, status)
	}
	if n < 1 {
		return fmt.Errorf("fail next %q: count %d must be at least 1", pathPrefix, n)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scripts = append(f.scripts, script{prefix: pathPrefix, status: status, left: n})
	f.updateActive()
	return nil
}

// ClearScripts drops all pending FailNext scripts and delta expiries.
func (f *Faults) ClearScripts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scripts = nil
	clear(f.expired)
	f.updateActive()
}

// takeScript consumes one use of the first script matching path and returns
// its Decision, or nil. The caller holds f.mu.
func (f *Faults) takeScript(path string) *Decision {
	for i := range f.scripts {
		s := &f.scripts[i]
		if len(path) < len(s.prefix) || path[:len(s.prefix)] != s.prefix {
			continue
		}
		status := s.status
		if s.left--; s.left == 0 {
			f.scripts = append(f.scripts[:i], f.scripts[i+1:]...)
			f.updateActive()
		}
		return statusDecision(status, f.retryAfter(), false)
	}
	return nil
}

// ExpireDelta marks a delta container (a mail folder id, a drive id, a
// directory collection…) so that the next delta request on it must answer
// 410 Gone. The handler asks with TakeDeltaExpiry; which 410 body to send
// depends on the workload and is the handler's business.
func (f *Faults) ExpireDelta(container string) error {
	if container == "" {
		return errors.New("expire delta: empty container id")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expired[container] = struct{}{}
	return nil
}

// TakeDeltaExpiry reports whether container was marked by ExpireDelta, and
// clears the mark: one ExpireDelta produces exactly one 410.
func (f *Faults) TakeDeltaExpiry(container string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.expired[container]; !ok {
		return false
	}
	delete(f.expired, container)
	return true
}
