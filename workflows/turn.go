package workflows

import "go.temporal.io/sdk/workflow"

// writeTurn lets one change of a workflow be saved at a time, so that its
// saves reach the store in seq order (store.Record.Ordered).
type writeTurn struct{ taken bool }

// take waits until the turn is free and also ready() holds (nil: no
// other condition), takes it and returns its release.
func (t *writeTurn) take(ctx workflow.Context, ready func() bool) (func(), error) {
	if err := workflow.Await(ctx, func() bool { return !t.taken && (ready == nil || ready()) }); err != nil {
		return nil, err
	}
	t.taken = true
	return func() { t.taken = false }, nil
}

// wait waits until the turn is free, without taking it.
func (t *writeTurn) wait(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return !t.taken })
}
