package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
)

// caseIn walks a fresh online complaint to status s through real actions
// (escalated, which no complaint action reaches, is set directly).
func caseIn(t *testing.T, s domain.Status) domain.Case {
	t.Helper()
	c := newCase("online")
	step := func(a domain.Action, args domain.ActionArgs, n int) {
		mustApply(t, &c, day(n), boss, a, args)
	}
	switch s {
	case domain.StatusOpen:
	case domain.StatusAssigned:
		step(domain.ActionAssign, domain.ActionArgs{Assignee: "alice"}, 0)
	case domain.StatusInProgress, domain.StatusEscalated:
		step(domain.ActionAssign, domain.ActionArgs{Assignee: "alice"}, 0)
		step(domain.ActionStart, domain.ActionArgs{}, 0)
		if s == domain.StatusEscalated {
			c.Status = domain.StatusEscalated
		}
	case domain.StatusAwaitingClaimant:
		step(domain.ActionAssign, domain.ActionArgs{Assignee: "alice"}, 0)
		step(domain.ActionStart, domain.ActionArgs{}, 0)
		step(domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis d'imposition"}, 1)
	case domain.StatusAnswered, domain.StatusClosed:
		step(domain.ActionAssign, domain.ActionArgs{Assignee: "alice"}, 0)
		step(domain.ActionStart, domain.ActionArgs{}, 0)
		step(domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer}, 2)
		if s == domain.StatusClosed {
			step(domain.ActionClose, domain.ActionArgs{}, 3)
		}
	case domain.StatusWithdrawn:
		step(domain.ActionAssign, domain.ActionArgs{Assignee: "alice"}, 0)
		step(domain.ActionWithdraw, domain.ActionArgs{Reason: "Le demandeur renonce"}, 2)
	case domain.StatusMerged:
		step(domain.ActionMerge, domain.ActionArgs{Into: "c-first", Reason: "Doublon"}, 1)
	default:
		t.Fatalf("no path to %s", s)
	}
	require.Equal(t, s, c.Status)
	return c
}

// fullArgs satisfies every action's required arguments, assigning to a
// third agent so assign never targets the current assignee.
var fullArgs = domain.ActionArgs{
	Assignee: "bob",
	Note:     "Merci d'envoyer votre avis d'imposition",
	Answer:   goodAnswer,
	Reason:   "Le demandeur a changé d'avis",
	Field:    "subject", Value: "Objet corrigé", Caf: "074", Into: "c-other",
}

func TestApply_EveryActionFromEveryStatus(t *testing.T) {
	// allowed[action][from] = to; every pair not listed must be refused.
	allowed := map[domain.Action]map[domain.Status]domain.Status{
		domain.ActionAssign: {
			domain.StatusOpen:             domain.StatusAssigned,
			domain.StatusAssigned:         domain.StatusAssigned,
			domain.StatusInProgress:       domain.StatusInProgress,
			domain.StatusAwaitingClaimant: domain.StatusAwaitingClaimant,
		},
		domain.ActionStart:             {domain.StatusAssigned: domain.StatusInProgress},
		domain.ActionRequestDocuments:  {domain.StatusInProgress: domain.StatusAwaitingClaimant},
		domain.ActionDocumentsReceived: {domain.StatusAwaitingClaimant: domain.StatusInProgress},
		domain.ActionAnswer:            {domain.StatusInProgress: domain.StatusAnswered},
		domain.ActionClose:             {domain.StatusAnswered: domain.StatusClosed},
		domain.ActionReopen: {
			domain.StatusAnswered: domain.StatusInProgress, // assigned to alice
			domain.StatusClosed:   domain.StatusInProgress,
		},
		// Escalation after an answer; from an open file only past its
		// legal limit (tested on its own).
		domain.ActionEscalate: {
			domain.StatusAnswered: domain.StatusEscalated,
			domain.StatusClosed:   domain.StatusEscalated,
		},
		domain.ActionWithdraw: {
			domain.StatusOpen:             domain.StatusWithdrawn,
			domain.StatusAssigned:         domain.StatusWithdrawn,
			domain.StatusInProgress:       domain.StatusWithdrawn,
			domain.StatusAwaitingClaimant: domain.StatusWithdrawn,
		},
		// A correction in any status but merged, which it leaves.
		domain.ActionCorrect: {
			domain.StatusOpen: domain.StatusOpen, domain.StatusAssigned: domain.StatusAssigned,
			domain.StatusInProgress: domain.StatusInProgress, domain.StatusAwaitingClaimant: domain.StatusAwaitingClaimant,
			domain.StatusAnswered: domain.StatusAnswered, domain.StatusClosed: domain.StatusClosed,
			domain.StatusWithdrawn: domain.StatusWithdrawn, domain.StatusEscalated: domain.StatusEscalated,
		},
		// A transferred file waits for an officer of its new Caf.
		domain.ActionTransfer: {
			domain.StatusOpen: domain.StatusOpen, domain.StatusAssigned: domain.StatusOpen,
			domain.StatusInProgress: domain.StatusOpen, domain.StatusAwaitingClaimant: domain.StatusAwaitingClaimant,
		},
		domain.ActionMerge: {
			domain.StatusOpen: domain.StatusMerged, domain.StatusAssigned: domain.StatusMerged,
			domain.StatusInProgress: domain.StatusMerged, domain.StatusAwaitingClaimant: domain.StatusMerged,
		},
	}
	require.Len(t, domain.ComplaintActions, len(allowed))
	now := day(4)
	for _, a := range domain.ComplaintActions {
		for _, from := range domain.ComplaintStatuses {
			t.Run(string(a)+"/"+string(from), func(t *testing.T) {
				c := caseIn(t, from)
				before := snapshot(t, c)
				ch, err := c.Apply(now, boss, a, fullArgs)
				to, ok := allowed[a][from]
				if !ok {
					require.Error(t, err)
					assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(err), err.Error())
					assert.Equal(t, domain.Change{}, ch)
					assert.Equal(t, before, snapshot(t, c), "a refused action must leave the case unchanged")
					assert.Equal(t, domain.ECONFLICT, domain.ErrorCode(c.Check(c.UpdatedAt, boss, a, fullArgs)))
					return
				}
				require.NoError(t, err)
				assert.Equal(t, to, c.Status)
				ev := ch.Event
				assert.Equal(t, string(a), ev.Action)
				assert.Equal(t, from, ev.FromStatus)
				assert.Equal(t, to, ev.ToStatus)
				assert.Equal(t, "boss", ev.Actor)
				assert.Equal(t, now, ev.At)
				assert.Equal(t, now, c.UpdatedAt)
			})
		}
	}
}

func TestCheck_DoesNotModifyTheCase(t *testing.T) {
	for _, s := range domain.ComplaintStatuses {
		c := caseIn(t, s)
		before := snapshot(t, c)
		for _, a := range domain.ComplaintActions {
			_ = c.Check(c.UpdatedAt, boss, a, fullArgs)
			_ = c.Check(c.UpdatedAt, carol, a, domain.ActionArgs{})
		}
		assert.Equal(t, before, snapshot(t, c), s)
	}
}

func TestApply_MissingRequiredArgumentsAreInvalid(t *testing.T) {
	tests := []struct {
		action domain.Action
		from   domain.Status
		field  string
		args   domain.ActionArgs
	}{
		{domain.ActionAssign, domain.StatusOpen, "assignee", domain.ActionArgs{}},
		{domain.ActionAssign, domain.StatusOpen, "assignee", domain.ActionArgs{Assignee: "  "}},
		{domain.ActionRequestDocuments, domain.StatusInProgress, "documents", domain.ActionArgs{}},
		{domain.ActionRequestDocuments, domain.StatusInProgress, "documents", domain.ActionArgs{Note: "\n\t"}},
		{domain.ActionRequestDocuments, domain.StatusInProgress, "documents", domain.ActionArgs{Documents: strings.Repeat("é", domain.MaxNote+1)}},
		{domain.ActionRequestDocuments, domain.StatusInProgress, "due_in_days", domain.ActionArgs{Documents: "RIB", DueInDays: 61}},
		{domain.ActionAnswer, domain.StatusInProgress, "answer", domain.ActionArgs{}},
		{domain.ActionAnswer, domain.StatusInProgress, "answer", domain.ActionArgs{Answer: strings.Repeat("a", domain.MaxNote+1)}},
		{domain.ActionReopen, domain.StatusAnswered, "reason", domain.ActionArgs{}},
		{domain.ActionWithdraw, domain.StatusOpen, "reason", domain.ActionArgs{Reason: " "}},
		// Arguments are checked before the state: still EINVALID.
		{domain.ActionAnswer, domain.StatusClosed, "answer", domain.ActionArgs{}},
	}
	for _, tt := range tests {
		t.Run(string(tt.action)+"/"+tt.field, func(t *testing.T) {
			c := caseIn(t, tt.from)
			before := snapshot(t, c)
			_, err := c.Apply(day(4), boss, tt.action, tt.args)
			require.Error(t, err)
			assert.Equal(t, domain.EINVALID, domain.ErrorCode(err))
			assert.Contains(t, fields(err), tt.field)
			assert.Equal(t, before, snapshot(t, c))
		})
	}
}

func TestValidateArgs_ReadsOnlyTheActionsFields(t *testing.T) {
	assert.NoError(t, domain.ValidateArgs(domain.KindComplaint, domain.ActionStart, domain.ActionArgs{}, time.Time{}))
	assert.NoError(t, domain.ValidateArgs(domain.KindComplaint, domain.ActionClose, domain.ActionArgs{Note: strings.Repeat("x", domain.MaxNote+10)}, time.Time{}))
	assert.NoError(t, domain.ValidateArgs(domain.KindComplaint, domain.ActionDocumentsReceived, domain.ActionArgs{}, time.Time{}))
	assert.NoError(t, domain.ValidateArgs(domain.KindComplaint, domain.ActionRequestDocuments, domain.ActionArgs{Note: strings.Repeat("é", domain.MaxNote)}, time.Time{}))

	err := domain.ValidateArgs(domain.KindComplaint, "admit", domain.ActionArgs{}, time.Time{})
	assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(err), "a mediation action on a complaint")
	assert.False(t, domain.IsComplaintAction("admit"))
	assert.False(t, domain.KindMediation.Public(domain.ActionFollowUp), "follow-ups come through the liaison API")
	for _, a := range domain.ComplaintActions {
		assert.True(t, domain.IsComplaintAction(a), a)
	}

	assert.Equal(t, []string{"assignee"}, domain.ActionAssign.Fields())
	assert.Equal(t, []string{"documents", "due_in_days", "note"}, domain.ActionRequestDocuments.Fields())
	assert.Equal(t, []string{"answer"}, domain.ActionAnswer.Fields())
	assert.Equal(t, []string{"reason"}, domain.ActionReopen.Fields())
	assert.Equal(t, []string{"reason"}, domain.ActionWithdraw.Fields())
	assert.Empty(t, domain.ActionStart.Fields())
	assert.Empty(t, domain.ActionClose.Fields())
	assert.Empty(t, domain.ActionDocumentsReceived.Fields())
}

func TestApply_AnswerShorterThanMinAnswerIsRefused(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		ok     bool
	}{
		{"a word", "Refusé.", false},
		{"one rune short", strings.Repeat("é", domain.MinAnswer-1), false},
		{"short but padded with spaces", "   " + strings.Repeat("a", domain.MinAnswer-1) + "      ", false},
		{"exactly MinAnswer runes (multibyte)", strings.Repeat("é", domain.MinAnswer), true},
		{"a sentence", goodAnswer, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := caseIn(t, domain.StatusInProgress)
			before := snapshot(t, c)
			_, err := c.Apply(day(4), alice, domain.ActionAnswer, domain.ActionArgs{Answer: tt.answer})
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, domain.StatusAnswered, c.Status)
				assert.Equal(t, strings.TrimSpace(tt.answer), c.Answer)
				return
			}
			require.Error(t, err)
			assert.Equal(t, domain.EINVALID, domain.ErrorCode(err))
			assert.Contains(t, fields(err), "answer")
			assert.Equal(t, before, snapshot(t, c))
		})
	}
}

func TestApply_ObjectLevelRule(t *testing.T) {
	tests := []struct {
		name   string
		from   domain.Status
		actor  domain.Actor
		action domain.Action
		args   domain.ActionArgs
		code   string // "" when allowed
	}{
		{"gca on a file assigned to someone else", domain.StatusInProgress, carol, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer}, domain.EFORBIDDEN},
		{"gca reassigning someone else's file", domain.StatusAssigned, carol, domain.ActionAssign, domain.ActionArgs{Assignee: "carol"}, domain.EFORBIDDEN},
		{"gca withdrawing someone else's file", domain.StatusAwaitingClaimant, carol, domain.ActionWithdraw, domain.ActionArgs{Reason: "r"}, domain.EFORBIDDEN},
		{"gca reopening someone else's file", domain.StatusClosed, carol, domain.ActionReopen, domain.ActionArgs{Reason: "r"}, domain.EFORBIDDEN},
		{"actor without roles on someone else's file", domain.StatusAssigned, domain.Actor{Login: "zoe"}, domain.ActionStart, domain.ActionArgs{}, domain.EFORBIDDEN},
		{"gca on their own file", domain.StatusInProgress, alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer}, ""},
		{"gca taking an unassigned file", domain.StatusOpen, carol, domain.ActionAssign, domain.ActionArgs{Assignee: "carol"}, ""},
		{"manager on anyone's file", domain.StatusInProgress, boss, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer}, ""},
		{"manager reassigning", domain.StatusInProgress, boss, domain.ActionAssign, domain.ActionArgs{Assignee: "carol"}, ""},
		{"gca manager on someone else's file", domain.StatusAssigned, domain.Actor{Login: "carol", Roles: []domain.Role{domain.RoleGCA, domain.RoleManager}}, domain.ActionStart, domain.ActionArgs{}, ""},
		{"assigning to the current assignee", domain.StatusAssigned, boss, domain.ActionAssign, domain.ActionArgs{Assignee: "alice"}, domain.ECONFLICT},
		{"assigning to the current assignee, padded", domain.StatusInProgress, boss, domain.ActionAssign, domain.ActionArgs{Assignee: " alice "}, domain.ECONFLICT},
		{"assignee assigning to themself", domain.StatusAssigned, alice, domain.ActionAssign, domain.ActionArgs{Assignee: "alice"}, domain.ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := caseIn(t, tt.from)
			before := snapshot(t, c)
			assert.Equal(t, tt.code, codeOf(c.Check(c.UpdatedAt, tt.actor, tt.action, tt.args)), "Check")
			_, err := c.Apply(day(4), tt.actor, tt.action, tt.args)
			if tt.code == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.code, domain.ErrorCode(err))
			assert.Equal(t, before, snapshot(t, c))
		})
	}
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return domain.ErrorCode(err)
}

func TestApply_AssignRecordsAndNotifiesTheAssignee(t *testing.T) {
	c := newCase("online")
	ch := mustApply(t, &c, t0, boss, domain.ActionAssign, domain.ActionArgs{Assignee: "  alice "})
	assert.Equal(t, "alice", c.Assignee)
	assert.Equal(t, domain.StatusAssigned, c.Status)
	assert.Equal(t, map[string]any{"assignee": "alice"}, ch.Event.Details)
	require.Len(t, ch.Notifications, 1)
	assert.Equal(t, "alice", ch.Notifications[0].Recipient)
	assert.Equal(t, "assigned", ch.Notifications[0].Kind)
	assert.NotEmpty(t, ch.Notifications[0].Message)

	mustApply(t, &c, day(1), alice, domain.ActionStart, domain.ActionArgs{})
	ch = mustApply(t, &c, day(2), boss, domain.ActionAssign, domain.ActionArgs{Assignee: "bob"})
	assert.Equal(t, "bob", c.Assignee)
	assert.Equal(t, domain.StatusInProgress, c.Status, "reassigning keeps the work going")
	assert.Equal(t, map[string]any{"assignee": "bob", "previous_assignee": "alice"}, ch.Event.Details)
	require.Len(t, ch.Notifications, 1)
	assert.Equal(t, "bob", ch.Notifications[0].Recipient)
}

func TestApply_StartAndCloseDetails(t *testing.T) {
	c := caseIn(t, domain.StatusAssigned)
	ch := mustApply(t, &c, day(1), alice, domain.ActionStart, domain.ActionArgs{})
	assert.Nil(t, ch.Event.Details)
	assert.Empty(t, ch.Notifications)

	c = caseIn(t, domain.StatusAnswered)
	assert.Nil(t, c.ClosedAt)
	ch = mustApply(t, &c, day(5), alice, domain.ActionClose, domain.ActionArgs{})
	require.NotNil(t, c.ClosedAt)
	assert.Equal(t, day(5), *c.ClosedAt)
	assert.Nil(t, ch.Event.Details)
}

func TestApply_AnswerMeetsEveryPendingDeadline(t *testing.T) {
	c := inProgress(t, "online")
	ch := mustApply(t, &c, day(9), alice, domain.ActionAnswer, domain.ActionArgs{Answer: "  " + goodAnswer + "  "})
	assert.Equal(t, domain.StatusAnswered, c.Status)
	assert.Equal(t, goodAnswer, c.Answer)
	require.NotNil(t, c.AnsweredAt)
	assert.Equal(t, day(9), *c.AnsweredAt)
	assert.Equal(t, domain.SLAMet, c.SLAStatus)
	assert.Equal(t, map[string]any{"sla_status": domain.SLAMet}, ch.Event.Details)
	for _, d := range c.Deadlines {
		want := domain.SLAMet
		if d.Name == domain.DeadlineAcknowledgment {
			want = domain.SLAMissed // due at day 5: the day-9 answer met it late
		}
		assert.Equal(t, want, d.Status, d.Name)
		require.NotNil(t, d.MetAt, d.Name)
		assert.Equal(t, day(9), *d.MetAt, d.Name)
	}
	require.NotNil(t, c.ElapsedDaysRaw)
	require.NotNil(t, c.ElapsedDaysAdjusted)
	assert.Equal(t, 9, *c.ElapsedDaysRaw)
	assert.Equal(t, 9, *c.ElapsedDaysAdjusted)
	_, ok := c.NextTimer()
	assert.False(t, ok, "an answered file has no timer")
}

func TestApply_AnswerAfterTheLegalLimitIsMissed(t *testing.T) {
	// The legal limit runs to the end of day 15 (Tuesday 21 January).
	c := inProgress(t, "phone")
	c.Tick(due(15))
	require.Equal(t, domain.SLAOverdue, c.SLAStatus)
	ch := mustApply(t, &c, day(16), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
	assert.Equal(t, domain.SLAMissed, c.SLAStatus)
	assert.Equal(t, domain.SLAMissed, ch.Event.Details["sla_status"])
	assert.Equal(t, domain.SLAMissed, deadline(t, &c, domain.DeadlineLegal).Status)
	assert.Equal(t, domain.SLAMissed, deadline(t, &c, domain.DeadlineTarget).Status)
	assert.Equal(t, domain.SLAMet, deadline(t, &c, domain.DeadlineImplicitRejection).Status)
	assert.Equal(t, 16, *c.ElapsedDaysRaw)

	// At 15:00 on day 15, later in the day than the 11:00 receipt: met.
	c = inProgress(t, "phone")
	at := parisAt(2025, time.January, 21, 15, 0)
	c.Tick(at)
	require.Equal(t, domain.SLATargetMissed, c.SLAStatus)
	ch = mustApply(t, &c, at, alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
	assert.Equal(t, domain.SLAMet, c.SLAStatus)
	assert.Equal(t, domain.SLAMet, ch.Event.Details["sla_status"])
	assert.Equal(t, domain.SLAMet, deadline(t, &c, domain.DeadlineLegal).Status)
	assert.Equal(t, domain.SLAMissed, deadline(t, &c, domain.DeadlineTarget).Status)
	assert.Equal(t, 15, *c.ElapsedDaysRaw)

	// At its last second, the clock not yet fired: still met.
	c = inProgress(t, "phone")
	c.Tick(due(15).Add(-time.Second))
	mustApply(t, &c, due(15), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
	assert.Equal(t, domain.SLAMet, deadline(t, &c, domain.DeadlineLegal).Status)
	assert.Equal(t, domain.SLAMet, c.SLAStatus)
}

func TestApply_AnswerAfterTargetButBeforeLegalLimitIsMet(t *testing.T) {
	c := inProgress(t, "phone")
	c.Tick(day(12))
	require.Equal(t, domain.SLATargetMissed, c.SLAStatus)
	mustApply(t, &c, day(12), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
	assert.Equal(t, domain.SLAMet, c.SLAStatus)
	assert.Equal(t, domain.SLAMissed, deadline(t, &c, domain.DeadlineTarget).Status)
	assert.Equal(t, domain.SLAMet, deadline(t, &c, domain.DeadlineLegal).Status)
}

// The doc comment of meet says a pending deadline is marked "met at t (or
// missed if already past)". When an action lands after a due date the clock
// has not fired yet (timer and update in the same workflow task, or a
// backdated registration) the deadline should therefore be missed.
func TestApply_AnswerAfterAnUnfiredLegalLimitIsMissed(t *testing.T) {
	c := inProgress(t, "online")
	mustApply(t, &c, day(20), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
	assert.Equal(t, domain.SLAMissed, deadline(t, &c, domain.DeadlineLegal).Status)
	assert.Equal(t, domain.SLAMissed, c.SLAStatus)
}

func TestNewComplaintCase_BackdatedSpokenComplaintPastAcknowledgmentIsMissed(t *testing.T) {
	n := validComplaint("phone")
	c := domain.NewComplaintCase("c1", n, day(10), domain.DefaultPolicy())
	assert.Equal(t, domain.SLAMissed, deadline(t, &c, domain.DeadlineAcknowledgment).Status)
}

func TestApply_ReopenRestoresTheStudy(t *testing.T) {
	tests := []struct {
		name     string
		from     domain.Status
		assignee string
		overdue  bool
		status   domain.Status
		sla      domain.SLAStatus
	}{
		{"answered, assigned", domain.StatusAnswered, "alice", false, domain.StatusInProgress, domain.SLAOnTime},
		{"closed, assigned", domain.StatusClosed, "alice", false, domain.StatusInProgress, domain.SLAOnTime},
		{"answered, unassigned", domain.StatusAnswered, "", false, domain.StatusOpen, domain.SLAOnTime},
		{"answered after the legal limit", domain.StatusAnswered, "alice", true, domain.StatusInProgress, domain.SLAOverdue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := inProgress(t, "online")
			pinned(&c) // a file registered before reopenings had new deadlines
			if tt.overdue {
				c.Tick(due(15))
			}
			answerDay := 9
			if tt.overdue {
				answerDay = 16
			}
			mustApply(t, &c, day(answerDay), alice, domain.ActionAnswer, domain.ActionArgs{Answer: goodAnswer})
			if tt.from == domain.StatusClosed {
				mustApply(t, &c, day(17), alice, domain.ActionClose, domain.ActionArgs{})
			}
			c.Assignee = tt.assignee
			deadlinesBefore := append([]domain.Deadline(nil), c.Deadlines...)
			ch := mustApply(t, &c, day(18), boss, domain.ActionReopen, domain.ActionArgs{Reason: "  Nouvel élément  "})
			assert.Equal(t, tt.status, c.Status)
			assert.Equal(t, tt.from, ch.Event.FromStatus)
			assert.Equal(t, tt.status, ch.Event.ToStatus)
			assert.Equal(t, "Nouvel élément", ch.Event.Details["reason"])
			assert.Equal(t, tt.sla, c.SLAStatus)
			assert.Nil(t, c.AnsweredAt)
			assert.Nil(t, c.ClosedAt)
			assert.Nil(t, c.ElapsedDaysRaw)
			assert.Nil(t, c.ElapsedDaysAdjusted)
			assert.Empty(t, c.Answer)
			assert.Equal(t, deadlinesBefore, c.Deadlines, "deadlines met by the first answer stay met")
		})
	}
}

func TestApply_WithdrawWhilePausedStopsThePause(t *testing.T) {
	c := inProgress(t, "phone")
	mustApply(t, &c, day(3), alice, domain.ActionRequestDocuments, domain.ActionArgs{Note: "Avis"})
	ch := mustApply(t, &c, day(5), alice, domain.ActionWithdraw, domain.ActionArgs{Reason: " Renonce "})
	assert.Equal(t, domain.StatusWithdrawn, c.Status)
	assert.False(t, c.ClockPaused)
	assert.Nil(t, c.PausedSince)
	assert.Equal(t, int64(2*86400), c.PausedSeconds)
	require.NotNil(t, c.ClosedAt)
	assert.Equal(t, day(5), *c.ClosedAt)
	assert.Equal(t, map[string]any{"reason": "Renonce"}, ch.Event.Details)
	_, ok := c.NextTimer()
	assert.False(t, ok, "a withdrawn file has no timer")
	assert.Empty(t, c.Tick(day(90)))
}
