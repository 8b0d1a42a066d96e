package workflows_test

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"recours/workflows"
)

// TestReplay_RecordedHistories replays every recorded history against the
// current workflow code: a change that existing files could not replay
// fails here and must go behind workflow.GetVersion. Record new histories
// with RECOURS_RECORD_HISTORY=$PWD/workflows/testdata/NAME.json go test
// ./api -run TestComplaintFlow_EndToEnd/sqlite, or
// RECOURS_RECORD_HISTORY_DIR=$PWD/workflows/testdata go test ./api -run
// TestLadder (an escalated complaint and a mediation taken to the DDD),
// or TestOverpayments_EndToEnd (a large notice). The other paths are
// recorded by TestRecordHistories in this package, on the embedded
// Temporal server with the real activities:
//
//	RECOURS_RECORD_HISTORY_DIR=$(mktemp -d) go test ./workflows -run TestRecordHistories -v
//
// (about two minutes: the timers of the opinion, the reminders and the
// implicit rejection fire for real; -run TestRecordHistories/opinions
// records one). It writes complaint_v8 to v10 (a complaint a reorientation
// opened; paused and resumed, reopened, withdrawn while paused; a late
// letter past its implicit rejection, escalated), mediation_v4 to v9
// (several opinions, one expired; a court case filed; a reorientation;
// Défenseur des droits follow-ups; a callback that fails twice then
// succeeds; a callback failing for good) and overpayment_v3 to v5 (the
// reminder, the missed call deadline, a small notice sent at once).
// complaint_v11 and mediation_v10 are two of those paths recorded again
// once new files took their versioned changes on the one file-versions
// marker; complaint_v12, mediation_v11 and overpayment_v6 once they took
// them from their input's Rules, with no marker at all; mediation_v12 and
// v13 once files counted their days as the code de procédure civile does
// (policy.counting 1). The paths that wait for a deadline (opinions,
// pause_resume, late_complaint) record files counted by the clock, as
// those registered before are: only theirs fall within the minute.
// Every variant writes fixed names, so record into a temporary dir and
// copy each history under a new name when the workflows change
// (complaint_v6_saved_before_applied.json and so on): a history recorded
// before a change is what proves that files started before still replay.
func TestReplay_RecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded history in testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(workflows.Complaint, workflow.RegisterOptions{Name: workflows.ComplaintWorkflowName})
			r.RegisterWorkflowWithOptions(workflows.Mediation, workflow.RegisterOptions{Name: workflows.MediationWorkflowName})
			r.RegisterWorkflowWithOptions(workflows.Overpayment, workflow.RegisterOptions{Name: workflows.OverpaymentWorkflowName})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
