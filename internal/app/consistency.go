package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"recours/internal/domain"
	"recours/internal/store"
	"recours/workflows"
)

// Difference is one way the store and a file's workflow disagree.
type Difference struct {
	CaseID string `json:"case_id"`
	What   string `json:"what"`
	// Repaired says the workflow wrote its state again and the store then
	// agreed with it.
	Repaired bool `json:"repaired"`
}

// ConsistencyReport is what `recours check consistency` found.
type ConsistencyReport struct {
	Checked     int          `json:"checked"`
	Differences []Difference `json:"differences"`
}

// Clean reports whether nothing differs that was not repaired.
func (r ConsistencyReport) Clean() bool {
	for _, d := range r.Differences {
		if !d.Repaired {
			return false
		}
	}
	return true
}

// CheckConsistency compares every open file's workflow (its state and
// last seq, by query) with what the store holds: the row, its version and
// the timeline's extent. It checks the files whose workflow runs, and the
// files the store holds as open, whose workflow must run. With repair, a
// file that differs is written again by its workflow (the resync update),
// and checked once more.
func CheckConsistency(ctx context.Context, st *store.Store, tc client.Client, namespace string, repair bool) (ConsistencyReport, error) {
	ids := map[string]bool{}
	var order []string
	add := func(id string) {
		if !ids[id] {
			ids[id] = true
			order = append(order, id)
		}
	}
	if err := runningFiles(ctx, tc, namespace, add); err != nil {
		return ConsistencyReport{}, err
	}
	for after := ""; ; {
		page, err := st.OpenFileIDs(ctx, after, 500)
		if err != nil {
			return ConsistencyReport{}, err
		}
		for _, id := range page {
			add(id)
		}
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1]
	}
	var rep ConsistencyReport
	for _, id := range order {
		rep.Checked++
		what, wid := compareSettled(ctx, st, tc, id)
		if what == "" {
			continue
		}
		d := Difference{CaseID: id, What: what}
		if repair && wid != "" {
			if err := resync(ctx, tc, wid); err != nil {
				d.What += " (repair failed: " + err.Error() + ")"
			} else if again, _, err := compareFile(ctx, st, tc, id); err == nil && again == "" {
				d.Repaired = true
			}
		}
		rep.Differences = append(rep.Differences, d)
	}
	return rep, ctx.Err()
}

// compareSettled is compareFile, asked again a moment later when the file
// differs: a save may have been under way between the two reads. A file
// that cannot be read is a difference too, and the check goes on.
func compareSettled(ctx context.Context, st *store.Store, tc client.Client, id string) (string, string) {
	var what, wid string
	var err error
	for try := range 3 {
		if try > 0 {
			select {
			case <-ctx.Done():
				return "check interrupted", wid
			case <-time.After(time.Duration(try) * 500 * time.Millisecond):
			}
		}
		what, wid, err = compareFile(ctx, st, tc, id)
		if err != nil {
			what = "could not be compared: " + err.Error()
		}
		if what == "" {
			return "", wid
		}
	}
	return what, wid
}

// runningFiles calls add with the id of each file whose workflow runs.
func runningFiles(ctx context.Context, tc client.Client, namespace string, add func(string)) error {
	query := fmt.Sprintf("TaskQueue = '%s' AND ExecutionStatus = 'Running'", workflows.TaskQueue)
	var token []byte
	for {
		resp, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: namespace, Query: query, NextPageToken: token, PageSize: 1000,
		})
		if err != nil {
			return fmt.Errorf("list the running workflows: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			if id, ok := workflows.CaseIDFromWorkflowID(e.GetExecution().GetWorkflowId()); ok {
				add(id)
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return nil
		}
	}
}

// compareFile says how the store and the workflow of file id differ (""
// when they agree), and the workflow's id ("" when none runs).
func compareFile(ctx context.Context, st *store.Store, tc client.Client, id string) (string, string, error) {
	p, found, err := st.Projection(ctx, id)
	if err != nil {
		return "", "", err
	}
	var snap workflows.Snapshot
	wid := ""
	for _, k := range []domain.Kind{domain.KindComplaint, domain.KindMediation} {
		if found && p.Case.Kind != k {
			continue
		}
		err := query(ctx, tc, workflows.WorkflowID(k, id), workflows.QuerySnapshot, &snap)
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			continue
		}
		if err != nil {
			return "", "", fmt.Errorf("query %s: %w", id, err)
		}
		wid = workflows.WorkflowID(k, id)
		break
	}
	// The workflow was asked after the store was read: a save that came
	// between shows the workflow ahead; compareSettled asks again.
	wf, seq := snap.Case, snap.Seq
	switch {
	case wid == "" && found:
		return "open in the store, but no workflow holds it", "", nil
	case wid == "":
		return "", "", nil // neither: closed meanwhile
	case !found:
		return fmt.Sprintf("the workflow holds it at event %d, the store not at all", seq), wid, nil
	}
	var diffs []string
	if p.Version != seq {
		diffs = append(diffs, fmt.Sprintf("the store's row is at event %d, the workflow at %d", p.Version, seq))
	}
	if p.Events != seq || p.MaxSeq != seq {
		diffs = append(diffs, fmt.Sprintf("the store's timeline holds %d events up to %d, the workflow %d", p.Events, p.MaxSeq, seq))
	}
	if a, b := canonical(p.Case), canonical(wf); !bytes.Equal(a, b) {
		diffs = append(diffs, fmt.Sprintf("the file differs (store: status %s, assignee %q; workflow: status %s, assignee %q)",
			p.Case.Status, p.Case.Assignee, wf.Status, wf.Assignee))
	}
	return strings.Join(diffs, "; "), wid, nil
}

func query(ctx context.Context, tc client.Client, wid, name string, into any) error {
	v, err := tc.QueryWorkflow(ctx, wid, "", name)
	if err != nil {
		return err
	}
	return v.Get(into)
}

// canonical is the JSON of a file with its times in one zone, so that two
// equal files compare equal byte for byte.
func canonical(c domain.Case) []byte {
	b, _ := json.Marshal(c)
	var v any
	_ = json.Unmarshal(b, &v)
	b, _ = json.Marshal(v)
	return b
}

// resync asks the workflow wid to write its state to the store again.
func resync(ctx context.Context, tc client.Client, wid string) error {
	h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: wid, UpdateName: workflows.UpdateResync, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, nil)
}
