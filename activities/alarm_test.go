package activities

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A save failing for a minute counts as failing, until it succeeds; one
// failing for less does not.
func TestSaveAlarm_CountsWhatFailedForAMinute(t *testing.T) {
	var a SaveAlarm
	down := errors.New("database down")
	a.failed(context.Background(), "a", time.Now().Add(-2*time.Minute), down)
	a.failed(context.Background(), "b", time.Now().Add(-10*time.Second), down)
	if got := a.Failing(); got != 1 {
		t.Fatalf("failing = %d, want 1 (a only)", got)
	}
	a.saved("a")
	if got := a.Failing(); got != 0 {
		t.Fatalf("failing = %d after a's save, want 0", got)
	}
}
