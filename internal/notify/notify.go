// Package notify tells waiters in this process that a file was saved. The
// API registering a complaint waits on it when a worker shares its process
// (the embedded default): the file is readable as soon as the worker's
// save commits, without a second workflow task. Where no worker shares the
// process nobody calls Saved, and the API falls back to the workflow's
// register update.
package notify

import "sync"

// Hub matches saves to waiters by file id.
type Hub struct {
	mu      sync.Mutex
	waiters map[string][]chan struct{}
}

// Subscribe returns a channel closed at the next save of id, and a
// function that forgets the subscription. Subscribe before acting.
func (h *Hub) Subscribe(id string) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	h.mu.Lock()
	if h.waiters == nil {
		h.waiters = map[string][]chan struct{}{}
	}
	h.waiters[id] = append(h.waiters[id], ch)
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		ws := h.waiters[id]
		for i, w := range ws {
			if w == ch {
				h.waiters[id] = append(ws[:i], ws[i+1:]...)
				break
			}
		}
		if len(h.waiters[id]) == 0 {
			delete(h.waiters, id)
		}
	}
}

// Saved wakes every waiter of id.
func (h *Hub) Saved(id string) {
	h.mu.Lock()
	ws := h.waiters[id]
	delete(h.waiters, id)
	h.mu.Unlock()
	for _, ch := range ws {
		close(ch)
	}
}
