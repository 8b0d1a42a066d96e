package domain_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"recours/internal/calendar"
	"recours/internal/domain"
)

// t0 is Monday 6 January 2025, 11:00 in Paris. No DST change happens
// between t0 and t0 + 2 months, so calendar days are exactly 24 hours.
var t0 = time.Date(2025, time.January, 6, 10, 0, 0, 0, time.UTC)

// day returns t0 + n calendar days.
func day(n int) time.Time { return t0.AddDate(0, 0, n) }

// due is the end of the nth calendar day after t0 in Paris, 23:59:59: when
// a deadline of n days from t0 ends.
func due(n int) time.Time { return calendar.EndOfDay(day(n)) }

// remind is the start of the nth day after t0 in Paris: when a reminder
// for a deadline ending n+2 days after t0 is sent.
func remind(n int) time.Time { return calendar.StartOfDay(day(n)) }

// parisAt is the instant hour:minute on the given date in Europe/Paris, in UTC.
func parisAt(y int, m time.Month, d, hour, minute int) time.Time {
	return time.Date(y, m, d, hour, minute, 0, 0, calendar.Paris).UTC()
}

var (
	boss  = domain.Actor{Login: "boss", Roles: []domain.Role{domain.RoleManager}}
	alice = domain.Actor{Login: "alice", Roles: []domain.Role{domain.RoleGCA}}
	carol = domain.Actor{Login: "carol", Roles: []domain.Role{domain.RoleGCA}}
)

func validComplaint(ch domain.Channel) domain.NewComplaint {
	rec := t0
	return domain.NewComplaint{
		Caf:         "751",
		Claimant:    domain.Claimant{Number: "1234567", Name: "Jeanne Martin", Email: "jeanne@example.fr", Phone: "01 23 45 67 89"},
		Channel:     ch,
		Benefit:     "housing_aid",
		Reason:      "processing_delay",
		Subject:     "Aide au logement non versée",
		Description: "Mon aide au logement n'a pas été versée ce mois-ci.",
		ReceivedAt:  &rec,
	}
}

// newCase registers a complaint received and registered at t0.
func newCase(ch domain.Channel) domain.Case {
	return domain.NewComplaintCase("c1", validComplaint(ch), t0, domain.DefaultPolicy())
}

// inProgress returns a complaint assigned to alice and started at t0.
func inProgress(t *testing.T, ch domain.Channel) domain.Case {
	t.Helper()
	c := newCase(ch)
	mustApply(t, &c, t0, boss, domain.ActionAssign, domain.ActionArgs{Assignee: "alice"})
	mustApply(t, &c, t0, alice, domain.ActionStart, domain.ActionArgs{})
	return c
}

func mustApply(t *testing.T, c *domain.Case, now time.Time, actor domain.Actor, a domain.Action, args domain.ActionArgs) domain.Change {
	t.Helper()
	ch, err := c.Apply(now, actor, a, args)
	require.NoError(t, err, "%s at %s", a, now)
	return ch
}

const goodAnswer = "Votre aide a été versée le 10 janvier, avec le rappel dû."

// snapshot renders every exported field of the case, to prove it unchanged.
func snapshot(t *testing.T, c domain.Case) string {
	t.Helper()
	b, err := json.Marshal(c)
	require.NoError(t, err)
	return string(b)
}

// fields returns the names of the invalid fields carried by err.
func fields(err error) []string {
	var e *domain.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func deadline(t *testing.T, c *domain.Case, name string) domain.Deadline {
	t.Helper()
	d, ok := c.Deadline(name)
	require.True(t, ok, "deadline %s missing", name)
	return *d
}

func kinds(chs []domain.Change) []string {
	var out []string
	for _, ch := range chs {
		out = append(out, ch.Event.Action)
	}
	return out
}

// pinned gives the file the counting of the files registered before dated
// requests of documents (CountingCPC), whose pauses move no implicit
// rejection: they keep that convention for their whole life.
func pinned(c *domain.Case) { c.Policy.Counting = domain.CountingCPC }
