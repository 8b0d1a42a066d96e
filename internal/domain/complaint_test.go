package domain_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/domain"
)

func TestNewComplaintValidate_AcceptsAValidComplaint(t *testing.T) {
	for _, ch := range domain.Channels {
		t.Run(string(ch), func(t *testing.T) {
			require.NoError(t, validComplaint(ch).Validate(t0))
		})
	}
	t.Run("optional contact fields empty", func(t *testing.T) {
		n := validComplaint("letter")
		n.Claimant.Email, n.Claimant.Phone, n.Claimant.Name = "", "", ""
		require.NoError(t, n.Validate(t0))
	})
	t.Run("no received_at", func(t *testing.T) {
		n := validComplaint("letter")
		n.ReceivedAt = nil
		require.NoError(t, n.Validate(t0))
	})
}

func TestNewComplaintValidate_NamesEachInvalidField(t *testing.T) {
	at := func(tm time.Time) *time.Time { return &tm }
	tests := []struct {
		name   string
		mutate func(*domain.NewComplaint)
		field  string
	}{
		{"caf empty", func(n *domain.NewComplaint) { n.Caf = "" }, "caf"},
		{"caf two digits", func(n *domain.NewComplaint) { n.Caf = "75" }, "caf"},
		{"caf four digits", func(n *domain.NewComplaint) { n.Caf = "7510" }, "caf"},
		{"caf letters", func(n *domain.NewComplaint) { n.Caf = "2A1" }, "caf"},
		{"claimant number missing", func(n *domain.NewComplaint) { n.Claimant.Number = "" }, "claimant.number"},
		{"claimant number 6 digits", func(n *domain.NewComplaint) { n.Claimant.Number = "123456" }, "claimant.number"},
		{"claimant number 8 digits", func(n *domain.NewComplaint) { n.Claimant.Number = "12345678" }, "claimant.number"},
		{"claimant number letters", func(n *domain.NewComplaint) { n.Claimant.Number = "12345A7" }, "claimant.number"},
		{"claimant number spaced", func(n *domain.NewComplaint) { n.Claimant.Number = " 1234567" }, "claimant.number"},
		{"claimant name too long", func(n *domain.NewComplaint) { n.Claimant.Name = strings.Repeat("é", 201) }, "claimant.name"},
		{"email without at", func(n *domain.NewComplaint) { n.Claimant.Email = "jeanne.example.fr" }, "claimant.email"},
		{"email with display name", func(n *domain.NewComplaint) { n.Claimant.Email = "Jeanne <jeanne@example.fr>" }, "claimant.email"},
		{"phone letters", func(n *domain.NewComplaint) { n.Claimant.Phone = "zero un deux" }, "claimant.phone"},
		{"phone too short", func(n *domain.NewComplaint) { n.Claimant.Phone = "0123" }, "claimant.phone"},
		{"phone too long", func(n *domain.NewComplaint) { n.Claimant.Phone = strings.Repeat("0", 21) }, "claimant.phone"},
		{"unknown contact preference", func(n *domain.NewComplaint) { n.Claimant.ContactPreference = "pigeon" }, "claimant.contact_preference"},
		{"email preferred without address", func(n *domain.NewComplaint) {
			n.Claimant.Email, n.Claimant.ContactPreference = "", domain.PreferEmail
		}, "claimant.contact_preference"},
		{"unknown channel", func(n *domain.NewComplaint) { n.Channel = "fax" }, "channel"},
		{"empty channel", func(n *domain.NewComplaint) { n.Channel = "" }, "channel"},
		{"unknown benefit", func(n *domain.NewComplaint) { n.Benefit = "pension" }, "benefit"},
		{"unknown reason", func(n *domain.NewComplaint) { n.Reason = "boredom" }, "reason"},
		{"empty subject", func(n *domain.NewComplaint) { n.Subject = "" }, "subject"},
		{"blank subject", func(n *domain.NewComplaint) { n.Subject = "   \t" }, "subject"},
		{"too long subject", func(n *domain.NewComplaint) { n.Subject = strings.Repeat("a", domain.MaxSubject+1) }, "subject"},
		{"empty description", func(n *domain.NewComplaint) { n.Description = "" }, "description"},
		{"too long description", func(n *domain.NewComplaint) { n.Description = strings.Repeat("é", domain.MaxDescription+1) }, "description"},
		{"received_at in the future", func(n *domain.NewComplaint) { n.ReceivedAt = at(t0.Add(time.Hour)) }, "received_at"},
		{"received_at more than a year back", func(n *domain.NewComplaint) { n.ReceivedAt = at(t0.AddDate(-1, 0, -1)) }, "received_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := validComplaint("email")
			tt.mutate(&n)
			err := n.Validate(t0)
			require.Error(t, err)
			assert.Equal(t, domain.EINVALID, domain.ErrorCode(err))
			assert.Equal(t, []string{tt.field}, fields(err))
		})
	}
}

func TestNewComplaintValidate_BoundaryValues(t *testing.T) {
	at := func(tm time.Time) *time.Time { return &tm }
	tests := []struct {
		name   string
		mutate func(*domain.NewComplaint)
	}{
		{"subject at max length", func(n *domain.NewComplaint) { n.Subject = strings.Repeat("é", domain.MaxSubject) }},
		{"subject padded with spaces", func(n *domain.NewComplaint) { n.Subject = "  " + strings.Repeat("a", domain.MaxSubject) + "  " }},
		{"description at max length", func(n *domain.NewComplaint) { n.Description = strings.Repeat("é", domain.MaxDescription) }},
		{"name at 200 runes", func(n *domain.NewComplaint) { n.Claimant.Name = strings.Repeat("é", 200) }},
		{"received a few minutes ahead (clock skew)", func(n *domain.NewComplaint) { n.ReceivedAt = at(t0.Add(4 * time.Minute)) }},
		{"received just under a year back", func(n *domain.NewComplaint) { n.ReceivedAt = at(t0.AddDate(-1, 0, 1)) }},
		{"international phone", func(n *domain.NewComplaint) { n.Claimant.Phone = "+33 1 23 45 67 89" }},
		{"dotted phone", func(n *domain.NewComplaint) { n.Claimant.Phone = "01.23.45.67.89" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := validComplaint("online")
			tt.mutate(&n)
			require.NoError(t, n.Validate(t0))
		})
	}
}

func TestNewComplaintValidate_ReportsEveryInvalidField(t *testing.T) {
	err := domain.NewComplaint{Claimant: domain.Claimant{Email: "x", Phone: "y"}}.Validate(t0)
	require.Error(t, err)
	assert.Equal(t, domain.EINVALID, domain.ErrorCode(err))
	assert.ElementsMatch(t, []string{"caf", "claimant.number", "claimant.email", "claimant.phone",
		"channel", "benefit", "reason", "subject", "description"}, fields(err))
}

func TestNewComplaintCase_FixesDeadlinesFromReceipt(t *testing.T) {
	c := newCase("online")
	assert.Equal(t, "c1", c.ID)
	assert.Equal(t, domain.KindComplaint, c.Kind)
	assert.Equal(t, domain.StatusOpen, c.Status)
	assert.Equal(t, domain.SLAOnTime, c.SLAStatus)
	assert.Equal(t, t0, c.ReceivedAt)
	assert.Equal(t, t0, c.CreatedAt)
	assert.Equal(t, t0, c.UpdatedAt)
	assert.False(t, c.ClockPaused)
	require.NotNil(t, c.Policy)
	wantPolicy := domain.DefaultPolicy()
	wantPolicy.Counting = domain.CurrentCounting
	assert.Equal(t, wantPolicy, *c.Policy, "a new file counts as the code de procédure civile does")

	// Received Monday 6 January at 11:00: each deadline ends at 23:59:59
	// (Paris) on its last day, whatever the hour of receipt.
	want := []struct {
		name string
		due  time.Time
	}{
		{domain.DeadlineAcknowledgment, parisEnd(2025, time.January, 11)},
		{domain.DeadlineTarget, parisEnd(2025, time.January, 16)},
		{domain.DeadlineLegal, parisEnd(2025, time.January, 21)},
		{domain.DeadlineImplicitRejection, parisEnd(2025, time.March, 6)},
	}
	require.Len(t, c.Deadlines, len(want))
	for i, w := range want {
		d := c.Deadlines[i]
		assert.Equal(t, w.name, d.Name)
		assert.True(t, w.due.Equal(d.DueAt), "%s due %s, want %s", w.name, d.DueAt, w.due)
		assert.Equal(t, domain.SLAOnTime, d.Status, w.name)
		assert.Nil(t, d.MetAt, w.name)
	}

	// Received at another hour of the same day: the same deadlines.
	for _, at := range []time.Time{parisAt(2025, time.January, 6, 0, 5), parisAt(2025, time.January, 6, 23, 55)} {
		n := validComplaint("online")
		n.ReceivedAt = &at
		o := domain.NewComplaintCase("c1", n, at, domain.DefaultPolicy())
		require.Len(t, o.Deadlines, len(want))
		for i, w := range want {
			assert.True(t, w.due.Equal(o.Deadlines[i].DueAt), "received %s: %s due %s, want %s", at, w.name, o.Deadlines[i].DueAt, w.due)
		}
	}
}

func TestNewComplaintCase_AcknowledgedAtRegistrationOnlyForSpokenChannels(t *testing.T) {
	registered := t0.Add(2 * time.Hour)
	tests := []struct {
		channel domain.Channel
		met     bool
	}{
		{"phone", true}, {"desk", true}, {"appointment", true},
		{"online", false}, {"email", false}, {"letter", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.channel), func(t *testing.T) {
			c := domain.NewComplaintCase("c1", validComplaint(tt.channel), registered, domain.DefaultPolicy())
			ack := deadline(t, &c, domain.DeadlineAcknowledgment)
			if tt.met {
				assert.Equal(t, domain.SLAMet, ack.Status)
				require.NotNil(t, ack.MetAt)
				assert.Equal(t, registered, *ack.MetAt, "met when registered, not when received")
			} else {
				assert.Equal(t, domain.SLAOnTime, ack.Status)
				assert.True(t, ack.Pending())
				assert.Nil(t, ack.MetAt)
			}
			for _, other := range []string{domain.DeadlineTarget, domain.DeadlineLegal, domain.DeadlineImplicitRejection} {
				assert.True(t, deadline(t, &c, other).Pending(), other)
			}
		})
	}
}

func TestNewComplaintCase_WorkingDaysPolicySkipsTheWeekend(t *testing.T) {
	friday := parisAt(2025, time.January, 10, 11, 0)
	n := validComplaint("letter")
	n.ReceivedAt = &friday
	cal := domain.NewComplaintCase("c1", n, friday, domain.DefaultPolicy())
	wp := domain.DefaultPolicy()
	wp.DayMode = calendar.WorkingDays
	work := domain.NewComplaintCase("c1", n, friday, wp)

	tests := []struct {
		name          string
		calDue, wkDue time.Time
	}{
		{domain.DeadlineAcknowledgment, parisEnd(2025, time.January, 15), parisEnd(2025, time.January, 17)}, // Wed 15 vs Fri 17
		{domain.DeadlineTarget, parisEnd(2025, time.January, 20), parisEnd(2025, time.January, 24)},         // Mon 20 vs Fri 24
		{domain.DeadlineLegal, parisEnd(2025, time.January, 25), parisEnd(2025, time.January, 31)},          // Sat 25 vs Fri 31
		{domain.DeadlineImplicitRejection, parisEnd(2025, time.March, 10), parisEnd(2025, time.March, 10)},  // months are months (Mon 10)
	}
	for _, tt := range tests {
		assert.True(t, tt.calDue.Equal(deadline(t, &cal, tt.name).DueAt), "calendar %s: %s", tt.name, deadline(t, &cal, tt.name).DueAt)
		assert.True(t, tt.wkDue.Equal(deadline(t, &work, tt.name).DueAt), "working %s: %s", tt.name, deadline(t, &work, tt.name).DueAt)
	}
}

func TestNewComplaintCase_ImplicitRejectionClampsToMonthEnd(t *testing.T) {
	rec := time.Date(2024, time.December, 31, 10, 0, 0, 0, time.UTC)
	n := validComplaint("online")
	n.ReceivedAt = &rec
	c := domain.NewComplaintCase("c1", n, rec, domain.DefaultPolicy())
	want := parisEnd(2025, time.February, 28)
	got := deadline(t, &c, domain.DeadlineImplicitRejection).DueAt
	assert.True(t, want.Equal(got), "implicit rejection %s, want %s", got, want)
}

func TestNewComplaintCase_WorkingDaysImplicitRejectionRunsToTheNextWorkingDay(t *testing.T) {
	tests := []struct {
		name               string
		received           time.Time
		calDue, workingDue time.Time
	}{
		// 8 March 2025 is a Saturday: Monday 10 March.
		{"weekend", parisAt(2025, time.January, 8, 11, 0), parisEnd(2025, time.March, 8), parisEnd(2025, time.March, 10)},
		// 1 May 2025 (Thursday) is a public holiday: Friday 2 May.
		{"public holiday", parisAt(2025, time.March, 1, 11, 0), parisEnd(2025, time.May, 1), parisEnd(2025, time.May, 2)},
		// 6 March 2025 is a Thursday: unchanged.
		{"working day", t0, parisEnd(2025, time.March, 6), parisEnd(2025, time.March, 6)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := validComplaint("letter")
			n.ReceivedAt = &tt.received
			cal := domain.NewComplaintCase("c1", n, tt.received, domain.DefaultPolicy())
			wp := domain.DefaultPolicy()
			wp.DayMode = calendar.WorkingDays
			work := domain.NewComplaintCase("c1", n, tt.received, wp)
			got := deadline(t, &cal, domain.DeadlineImplicitRejection).DueAt
			assert.True(t, tt.calDue.Equal(got), "calendar: %s, want %s", got, tt.calDue)
			got = deadline(t, &work, domain.DeadlineImplicitRejection).DueAt
			assert.True(t, tt.workingDue.Equal(got), "working: %s, want %s", got, tt.workingDue)
		})
	}
}

func TestNewComplaintCase_DefaultsAndNormalisesReceipt(t *testing.T) {
	t.Run("received_at defaults to now", func(t *testing.T) {
		n := validComplaint("online")
		n.ReceivedAt = nil
		c := domain.NewComplaintCase("c1", n, day(1), domain.DefaultPolicy())
		assert.Equal(t, day(1), c.ReceivedAt)
		assert.True(t, due(6).Equal(deadline(t, &c, domain.DeadlineAcknowledgment).DueAt))
	})
	t.Run("received_at is stored in UTC", func(t *testing.T) {
		n := validComplaint("online")
		paris := t0.In(calendar.Paris)
		n.ReceivedAt = &paris
		c := domain.NewComplaintCase("c1", n, day(1), domain.DefaultPolicy())
		assert.Equal(t, time.UTC, c.ReceivedAt.Location())
		assert.True(t, t0.Equal(c.ReceivedAt))
	})
	t.Run("text is trimmed", func(t *testing.T) {
		n := validComplaint("online")
		n.Subject, n.Description = "  Objet \n", "\tDescription  "
		c := domain.NewComplaintCase("c1", n, t0, domain.DefaultPolicy())
		assert.Equal(t, "Objet", c.Subject)
		assert.Equal(t, "Description", c.Description)
	})
	t.Run("policy is copied", func(t *testing.T) {
		p := domain.DefaultPolicy()
		c := domain.NewComplaintCase("c1", validComplaint("online"), t0, p)
		p.TargetDays = 3
		assert.Equal(t, 10, c.Policy.TargetDays)
	})
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*domain.Policy)
		fields []string
	}{
		{"default is valid", func(*domain.Policy) {}, nil},
		{"working days is valid", func(p *domain.Policy) { p.DayMode = calendar.WorkingDays }, nil},
		{"no reminder is valid", func(p *domain.Policy) { p.ReminderDaysBefore = 0 }, nil},
		{"target equal to legal is valid", func(p *domain.Policy) { p.TargetDays = p.LegalDays }, nil},
		{"unknown day mode", func(p *domain.Policy) { p.DayMode = "ouvrés" }, []string{"day_mode"}},
		{"zero acknowledgment", func(p *domain.Policy) { p.AcknowledgmentDays = 0 }, []string{"days"}},
		{"zero legal", func(p *domain.Policy) { p.LegalDays = 0; p.TargetDays = 0; p.ReminderDaysBefore = -1 }, []string{"days", "reminder_days_before"}},
		{"target after legal", func(p *domain.Policy) { p.TargetDays = 16 }, []string{"target_days"}},
		{"negative reminder", func(p *domain.Policy) { p.ReminderDaysBefore = -1 }, []string{"reminder_days_before"}},
		{"reminder not before target", func(p *domain.Policy) { p.ReminderDaysBefore = 10 }, []string{"reminder_days_before"}},
		{"no implicit rejection", func(p *domain.Policy) { p.ImplicitRejectionMonths = 0 }, []string{"implicit_rejection_months"}},
		// A Caf may only tighten the national commitments, and the law's
		// two months are not a setting.
		{"a tighter limit is valid", func(p *domain.Policy) { p.LegalDays, p.AcknowledgmentDays = 12, 3 }, nil},
		{"a limit laxer than the national 15 days", func(p *domain.Policy) { p.LegalDays = 16 }, []string{"legal_days"}},
		{"an acknowledgment laxer than the national 5 days", func(p *domain.Policy) { p.AcknowledgmentDays = 6 }, []string{"acknowledgment_days"}},
		{"an implicit rejection of three months", func(p *domain.Policy) { p.ImplicitRejectionMonths = 3 }, []string{"implicit_rejection_months"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := domain.DefaultPolicy()
			tt.mutate(&p)
			err := p.Validate()
			if tt.fields == nil {
				require.NoError(t, err)
				return
			}
			assert.Equal(t, domain.EINVALID, domain.ErrorCode(err))
			assert.Equal(t, tt.fields, fields(err))
		})
	}
}

func TestDefaultPolicy_IsTheNationalOne(t *testing.T) {
	assert.Equal(t, domain.Policy{DayMode: calendar.CalendarDays, AcknowledgmentDays: 5, TargetDays: 10,
		LegalDays: 15, ReminderDaysBefore: 2, ImplicitRejectionMonths: 2,
		MediationTargetDays: 30, MediationLegalDays: 60, OpinionDays: 8}, domain.DefaultPolicy())
}

func TestErrorCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"nil", nil, domain.EINTERNAL},
		{"plain error", errors.New("boom"), domain.EINTERNAL},
		{"domain error", domain.Errorf(domain.ECONFLICT, "x"), domain.ECONFLICT},
		{"wrapped domain error", fmt.Errorf("ctx: %w", domain.Errorf(domain.EFORBIDDEN, "x")), domain.EFORBIDDEN},
		{"problems", func() error { var p domain.Problems; p.Add("f", "m"); return p.Err() }(), domain.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.code, domain.ErrorCode(tt.err)) })
	}
}

func TestErrorMessages(t *testing.T) {
	assert.Equal(t, "action 7 refusée", domain.Errorf(domain.ECONFLICT, "action %d refusée", 7).Error())
	var p domain.Problems
	assert.NoError(t, p.Err(), "no problem, no error")
	p.Add("caf", "trois chiffres")
	p.Add("subject", "obligatoire")
	assert.Equal(t, "la demande est invalide: caf: trois chiffres", p.Err().Error())
}

func TestVocabularies(t *testing.T) {
	assert.Len(t, domain.Channels, 6)
	for _, c := range domain.Channels {
		assert.True(t, c.Valid(), c)
	}
	for _, b := range domain.Benefits {
		assert.True(t, b.Valid(), b)
	}
	for _, r := range domain.Reasons {
		assert.True(t, r.Valid(), r)
	}
	for _, r := range domain.Roles {
		assert.True(t, r.Valid(), r)
	}
	for _, s := range domain.SLAStatuses {
		assert.True(t, s.Valid(), s)
	}
	assert.False(t, domain.Channel("PHONE").Valid())
	assert.False(t, domain.Benefit("").Valid())
	assert.False(t, domain.Reason("x").Valid())
	assert.False(t, domain.Role("root").Valid())
	assert.False(t, domain.SLAStatus("late").Valid())
	assert.True(t, domain.ValidClaimantNumber("0000000"))
	assert.False(t, domain.ValidClaimantNumber("123456\n"))
}

func TestStatusOpenAndFinal(t *testing.T) {
	tests := []struct {
		s           domain.Status
		open, final bool
	}{
		{domain.StatusOpen, true, false},
		{domain.StatusAssigned, true, false},
		{domain.StatusInProgress, true, false},
		{domain.StatusAwaitingClaimant, true, false},
		{domain.StatusAnswered, false, false},
		{domain.StatusClosed, false, true},
		{domain.StatusWithdrawn, false, true},
		{domain.StatusEscalated, false, true},
		{domain.StatusMerged, false, true},
	}
	require.Len(t, domain.ComplaintStatuses, len(tests))
	for _, tt := range tests {
		assert.Equal(t, tt.open, tt.s.Open(), "%s open", tt.s)
		assert.Equal(t, tt.final, tt.s.Final(), "%s final", tt.s)
	}
}

func TestActorHasAndRoleRecipient(t *testing.T) {
	a := domain.Actor{Login: "x", Roles: []domain.Role{domain.RoleGCA, domain.RoleAuditor}}
	assert.True(t, a.Has(domain.RoleGCA))
	assert.True(t, a.Has(domain.RoleAuditor))
	assert.False(t, a.Has(domain.RoleManager))
	assert.False(t, domain.Actor{}.Has(domain.RoleGCA))
	assert.Equal(t, "role:manager", domain.RoleRecipient(domain.RoleManager))
}

func TestCaseDeadlineLookup(t *testing.T) {
	c := newCase("online")
	d, ok := c.Deadline(domain.DeadlineTarget)
	require.True(t, ok)
	d.Status = domain.SLAMissed // the pointer aliases the case's deadline
	assert.Equal(t, domain.SLAMissed, c.Deadlines[1].Status)
	_, ok = c.Deadline("nope")
	assert.False(t, ok)
	assert.True(t, domain.Deadline{Status: domain.SLADueSoon}.Pending())
	assert.False(t, domain.Deadline{Status: domain.SLAMet}.Pending())
	assert.False(t, domain.Deadline{Status: domain.SLAMissed}.Pending())
}
