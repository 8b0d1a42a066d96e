package notify

import (
	"testing"
	"time"
)

func TestHub_SavedWakesOnlyTheFilesWaiters(t *testing.T) {
	var h Hub
	a, forgetA := h.Subscribe("a")
	defer forgetA()
	b, forgetB := h.Subscribe("b")
	defer forgetB()
	h.Saved("a")
	select {
	case <-a:
	case <-time.After(time.Second):
		t.Fatal("the waiter of a was not woken")
	}
	select {
	case <-b:
		t.Fatal("the waiter of b was woken by a's save")
	default:
	}
}

func TestHub_ForgetRemovesTheWaiter(t *testing.T) {
	var h Hub
	_, forget := h.Subscribe("a")
	forget()
	if len(h.waiters) != 0 {
		t.Fatalf("waiters left: %v", h.waiters)
	}
	h.Saved("a") // nobody to wake: must not panic
}
