package testutil

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/workflows"
)

// ClockCountedComplaint is a phone complaint of Caf 071 received at
// received as it was registered before domain.CountingCPC (ClockCounted).
func ClockCountedComplaint(number string, received time.Time) domain.Case {
	return ClockCounted(domain.NewComplaintCase(uuid.NewString(), domain.NewComplaint{
		Caf: "071", Claimant: domain.Claimant{Number: number, Name: "Jeanne Martin"}, Channel: "phone",
		Benefit: "housing_aid", Reason: "processing_delay", Subject: "Aide au logement non versée",
		Description: "Mon aide au logement n'a pas été versée ce mois-ci.", ReceivedAt: &received,
	}, received, domain.DefaultPolicy()))
}

// ClockCounted is c as a file registered before domain.CountingCPC: its
// deadlines fall at the hour of receipt (the target of a complaint ten
// days later to the second), as they still do for such files for their
// whole life, and the actions taken on it count by the clock too. A file
// registered now ends its deadlines with their day, so only such a file
// lets a test see a deadline fall within the minute.
func ClockCounted(c domain.Case) domain.Case {
	p := *c.Policy
	p.Counting = domain.CountingClock
	c.Policy = &p
	days := map[string]int{domain.DeadlineAcknowledgment: p.AcknowledgmentDays,
		domain.DeadlineTarget: p.TargetDays, domain.DeadlineLegal: p.LegalDays}
	if c.Kind == domain.KindMediation {
		days[domain.DeadlineTarget], days[domain.DeadlineLegal] = p.MediationTargetDays, p.MediationLegalDays
	}
	for i := range c.Deadlines {
		dl := &c.Deadlines[i]
		if n, ok := days[dl.Name]; ok {
			dl.DueAt = calendar.AddDays(c.ReceivedAt, n, p.DayMode)
		} else if dl.Name == domain.DeadlineImplicitRejection {
			dl.DueAt = calendar.AddMonths(c.ReceivedAt, p.ImplicitRejectionMonths)
		}
	}
	return c
}

// StartFile starts the workflow of c through tc as a registration does,
// and returns once the file is saved.
func StartFile(t testing.TB, tc client.Client, c domain.Case) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	wid := workflows.WorkflowID(c.Kind, c.ID)
	if _, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wid, TaskQueue: workflows.TaskQueue},
		workflows.ComplaintWorkflowName, workflows.NewFile(c, "csu.demo")); err != nil {
		t.Fatalf("start file %s: %v", c.ID, err)
	}
	h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wid, UpdateID: workflows.UpdateRegister,
		UpdateName: workflows.UpdateRegister, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err != nil {
		t.Fatalf("register file %s: %v", c.ID, err)
	}
}
