package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"recours/activities/contract"
	"recours/internal/domain"
)

// Complaint owns one complaint from registration to closing.
func Complaint(ctx workflow.Context, in ComplaintInput) (domain.Case, error) {
	return runFile(ctx, in)
}

// Mediation owns one mediation file (a Défenseur des droits referral
// included) from receipt to closing.
func Mediation(ctx workflow.Context, in ComplaintInput) (domain.Case, error) {
	return runFile(ctx, in)
}

// changeSavedBeforeApplied versions how a file takes a change. Files
// started before applied an action to the workflow's state and then saved
// it, several saves side by side, so a save that failed left the state
// ahead of the store. From version 1 a change enters the state only once
// the store has it: saves go one at a time, in seq order (domain.Record
// Ordered), each stamped with its workflow task; the update handlers wait
// until the file's creation is saved; and a file an action opens
// (escalate, reorient) is written by its own workflow only.
const changeSavedBeforeApplied = "saved-before-applied"

// changeFileVersions versions how a file records the changes above (files
// started now take them from their input's Rules instead). A file started
// from its version 1 takes every change versioned before it
// (changeClaimantMessages, changeSavedBeforeApplied,
// changeOneTimerPerDeadline) on this one marker: each workflow.GetVersion
// of a new workflow records a marker and upserts the
// TemporalChangeVersion search attribute, a command and a write of the
// visibility store each, so three of them cost a registration about a
// tenth of its CPU on the embedded server (BENCHMARKS.md, 2026-12-03). A
// later change gets its own id, as before. Files started before replay
// their markers one by one.
const changeFileVersions = "file-versions"

func runFile(ctx workflow.Context, in ComplaintInput) (domain.Case, error) {
	w := &file{c: in.Case, rules: in.Rules}
	if in.Rules >= 1 || workflow.GetVersion(ctx, changeFileVersions, workflow.DefaultVersion, 1) >= 1 {
		w.messages, w.ordered, w.current = true, true, true
	} else {
		w.messages = workflow.GetVersion(ctx, changeClaimantMessages, workflow.DefaultVersion, 1) >= 1
		w.ordered = workflow.GetVersion(ctx, changeSavedBeforeApplied, workflow.DefaultVersion, 1) >= 1
	}
	if err := w.setup(ctx); err != nil {
		return domain.Case{}, err
	}
	return w.run(ctx, in.Actor)
}

// file is the state of one file's workflow, whatever its kind.
type file struct {
	timer      deadlineTimer
	c          domain.Case
	seq        int64     // seq of the last event
	saved      int64     // seq of the last event written to the store
	delivering bool      // a decision is being pushed to a partner
	messages   bool      // the file writes to the claimant (changeClaimantMessages)
	sending    int       // messages to the claimant under way
	ordered    bool      // changes enter the state once saved (changeSavedBeforeApplied)
	current    bool      // started from changeFileVersions 1: the changes before it without their markers
	rules      Rules     // the rules the file was started under (0: before Rules)
	turn       writeTurn // ordered files save one change at a time
	unsaved    int       // saves under way of a file started before (they may overlap)
	// timeline holds every change recorded, so that a resync can write
	// again what the store lost. A replay rebuilds it.
	timeline []domain.Change
}

func (w *file) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (domain.Case, error) {
		return w.c, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QuerySnapshot, func() (Snapshot, error) {
		return Snapshot{Case: w.c, Seq: w.seq}, nil
	}); err != nil {
		return err
	}
	// register answers the API once the file is in the store, so a GET
	// right after the 201 finds it.
	if err := workflow.SetUpdateHandler(ctx, UpdateRegister, func(ctx workflow.Context) (domain.Case, error) {
		err := workflow.Await(ctx, func() bool { return w.saved >= 1 })
		return w.c.Clone(), err
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, UpdateResync, w.resync); err != nil {
		return err
	}
	for _, a := range domain.Actions(w.c.Kind) {
		err := workflow.SetUpdateHandlerWithOptions(ctx, string(a),
			func(ctx workflow.Context, req ActionRequest) (domain.Case, error) {
				if !w.ordered {
					return w.actUnordered(ctx, a, req)
				}
				return w.act(ctx, a, req)
			},
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req ActionRequest) error {
				if !sealed(ctx, string(a), req.Seal, req.Actor, req.Args) {
					return asApplicationError(domain.ErrUnsealed)
				}
				return asApplicationError(w.c.Check(workflow.Now(ctx).UTC(), req.Actor, a, req.Args))
			}})
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *file) run(ctx workflow.Context, actor string) (domain.Case, error) {
	if err := w.change(ctx, func(c *domain.Case) ([]domain.Change, error) {
		return []domain.Change{c.Created(actor)}, nil
	}); err != nil {
		return w.c, err
	}
	if w.messages {
		w.sendMessage(ctx, domain.MessageAcknowledgment, actor)
	}
	version := workflow.Version(1) // changeOneTimerPerDeadline
	if !w.current {
		version = workflow.GetVersion(ctx, changeOneTimerPerDeadline, workflow.DefaultVersion, 1)
	}
	for {
		if w.c.Status.Final() {
			w.timer.stop()
			// Wait for a reopening; past the window the workflow completes.
			reopened, err := workflow.AwaitWithTimeout(ctx, ReopenWindow, func() bool { return !w.c.Status.Final() })
			if err != nil {
				return w.c, err
			}
			if !reopened {
				break
			}
			continue
		}
		if err := w.waitForClock(ctx, version); err != nil {
			return w.c, err
		}
		var ticked []domain.Change
		if err := w.change(ctx, func(c *domain.Case) ([]domain.Change, error) {
			ticked = c.Tick(workflow.Now(ctx).UTC())
			return ticked, nil
		}); err != nil {
			return w.c, err
		}
		w.afterTick(ctx, ticked)
	}
	if err := workflow.Await(ctx, func() bool { return !w.delivering && w.sending == 0 && workflow.AllHandlersFinished(ctx) }); err != nil {
		return w.c, err
	}
	return w.c, nil
}

// change makes the changes f returns and saves them. For an ordered file,
// f edits a copy of the file, under the write turn, and the file takes the
// copy once the store has it: an error of f or of the save leaves the file
// as it was. Files started before take f's edits at once.
func (w *file) change(ctx workflow.Context, f func(*domain.Case) ([]domain.Change, error)) error {
	if !w.ordered {
		changes, err := f(&w.c)
		if err != nil || len(changes) == 0 {
			return err
		}
		return w.save(ctx, w.record(changes...))
	}
	release, err := w.turn.take(ctx, nil)
	if err != nil {
		return err
	}
	defer release()
	next := w.c.Clone()
	changes, err := f(&next)
	if err != nil || len(changes) == 0 {
		return err
	}
	seq := w.seq
	for i := range changes {
		seq++
		changes[i].Event.Seq = seq
	}
	if err := saveRecord(ctx, orderedRecord(ctx, next, seq, changes)); err != nil {
		return err
	}
	w.c, w.seq, w.saved = next, seq, seq
	w.timeline = append(w.timeline, changes...)
	return nil
}

// orderedRecord is the ordered record of the file c at seq, stamped with
// this workflow task.
func orderedRecord(ctx workflow.Context, c domain.Case, seq int64, changes []domain.Change) domain.Record {
	info := workflow.GetInfo(ctx)
	return domain.Record{Case: c.Clone(), Changes: changes, Seq: seq, Ordered: true,
		Run: info.WorkflowExecution.RunID, Task: int64(info.GetCurrentHistoryLength()), Since: workflow.Now(ctx).UTC()}
}

// record numbers the changes and snapshots the file after them.
func (w *file) record(changes ...domain.Change) domain.Record {
	for i := range changes {
		w.seq++
		changes[i].Event.Seq = w.seq
	}
	w.timeline = append(w.timeline, changes...)
	return domain.Record{Case: w.c.Clone(), Changes: changes}
}

// save writes the record through a local activity, retried until the store
// answers: an action is in the history, so it must reach the projection.
func (w *file) save(ctx workflow.Context, rec domain.Record) error {
	// A resync holds the write turn even on files started before it (no
	// history of theirs has one, so this never waits in a replay).
	if err := w.turn.wait(ctx); err != nil {
		return err
	}
	w.unsaved++
	defer func() { w.unsaved-- }()
	if err := saveRecord(ctx, rec); err != nil {
		return err
	}
	if last := rec.Changes[len(rec.Changes)-1].Event.Seq; last > w.saved {
		w.saved = last
	}
	return nil
}

func saveRecord(ctx workflow.Context, rec domain.Record) error {
	return workflow.ExecuteLocalActivity(saving(ctx), contract.Save, rec).Get(ctx, nil)
}

// saving sets the options of the local activities that write to the
// store: retried without end, with a backoff of at most SaveRetryInterval,
// since what they write must reach the store, however long the database
// is away (contract.Save raises the alarm after a minute).
func saving(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    SaveAttemptTimeout,
		ScheduleToCloseTimeout: saveForever,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: SaveRetryInterval,
		},
	})
}

// The retry of a save: each attempt is cut after SaveAttemptTimeout (a
// locked table, a database that does not answer), and the next comes at
// most SaveRetryInterval later, so a save resumes within that time of the
// database's return. The interval stays within the workflow task's
// timeout, so the retries run in the worker, not through timers in the
// history.
const (
	SaveAttemptTimeout = 10 * time.Second
	SaveRetryInterval  = 10 * time.Second
	saveForever        = 100 * 365 * 24 * time.Hour
)
