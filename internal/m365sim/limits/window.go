package limits

// windowSlots is how many slots a sliding window keeps. Usage is tracked per
// slot, so a unit charged at time t leaves the window between window-w and
// window after t, where w = window/windowSlots (10 s for a 10-minute window).
// 60 keeps Retry-After within 2% of a true sliding window at 480 bytes per
// key.
const windowSlots = 60

// window is a sliding-window counter over windowSlots equal slots of a window
// span nanoseconds long. Time t (nanoseconds since the engine's epoch) falls in
// slot t*windowSlots/span; slot i begins at slotStart(i, span), so a unit
// charged at t leaves the window no later than t+span, and a window that is
// full at t is guaranteed free at t+span. It is not safe for concurrent use;
// the Engine's mutex guards it.
type window struct {
	counts  [windowSlots]int64
	head    int64 // absolute index of the newest slot
	sum     int64 // total of counts
	touched int64 // time of the last use, for sweeping
}

func newWindow(slot, t int64) *window {
	return &window{head: slot, touched: t}
}

// slotOf returns the slot of time t. int64 holds t*windowSlots for about
// five years of emulator uptime.
func slotOf(t, span int64) int64 {
	return t * windowSlots / span
}

// slotStart returns the first nanosecond of slot i (i >= 0): the ceiling of
// i*span/windowSlots, the inverse of slotOf.
func slotStart(i, span int64) int64 {
	return (i*span + windowSlots - 1) / windowSlots
}

func slotIndex(i int64) int64 {
	return ((i % windowSlots) + windowSlots) % windowSlots
}

// advance moves the window so that slot is its newest, dropping the slots
// that fall out. Time never runs backwards for the engine, but a slot older
// than head is ignored rather than trusted.
func (w *window) advance(slot int64) {
	if slot <= w.head {
		return
	}
	if slot-w.head >= windowSlots {
		w.counts = [windowSlots]int64{}
		w.sum = 0
	} else {
		for i := w.head + 1; i <= slot; i++ {
			j := slotIndex(i)
			w.sum -= w.counts[j]
			w.counts[j] = 0
		}
	}
	w.head = slot
}

func (w *window) add(n int64) {
	w.counts[slotIndex(w.head)] += n
	w.sum += n
}

// wait returns how many nanoseconds after t the window first has room for
// need more units under limit, given no further charges; 0 means now. The
// window must already be advanced to t's slot, and need must not exceed
// limit.
func (w *window) wait(need, limit, span, t int64) int64 {
	sum := w.sum
	if sum+need <= limit {
		return 0
	}
	for i := w.head - windowSlots + 1; i <= w.head; i++ {
		sum -= w.counts[slotIndex(i)]
		if sum+need <= limit {
			// Slot i leaves the window when head reaches i+windowSlots.
			return slotStart(i+windowSlots, span) - t
		}
	}
	// Unreachable while need <= limit: an empty window has room.
	return slotStart(w.head+windowSlots, span) - t
}

// idleAt returns the time from which every slot of the window is empty.
func (w *window) idleAt(span int64) int64 {
	return slotStart(w.head+windowSlots, span)
}
