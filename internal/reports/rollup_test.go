package reports_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/figures"
	"recours/internal/importer"
	"recours/internal/reports"
	"recours/internal/store"
	"recours/internal/testutil"
)

// file is a file as a workflow saves it, with the deadlines the
// projection reads.
func file(id string, kind domain.Kind, caf string, received time.Time) domain.Case {
	c := domain.Case{ID: id, Kind: kind, Caf: caf, Status: domain.StatusOpen, Channel: "phone",
		Benefit: "rsa", Reason: "other", ReceivedAt: received, SLAStatus: domain.SLAOnTime,
		CreatedAt: received, UpdatedAt: received,
		Deadlines: []domain.Deadline{
			{Name: domain.DeadlineAcknowledgment, DueAt: received.AddDate(0, 0, 5), Status: domain.SLAOnTime},
			{Name: domain.DeadlineLegal, DueAt: received.AddDate(0, 0, 15), Status: domain.SLAOnTime},
		}}
	if kind == domain.KindMediation {
		c.Channel, c.Origin, c.Status = "", string(domain.OriginDDD), domain.StatusReceived
	}
	return c
}

// saver saves successive states of files, each with the next seq.
type saver struct {
	t    *testing.T
	st   *store.Store
	seqs map[string]int64
}

func (s *saver) save(c domain.Case) {
	s.t.Helper()
	s.seqs[c.ID]++
	seq := s.seqs[c.ID]
	require.NoError(s.t, s.st.Save(context.Background(), store.Record{Case: c, Changes: []domain.Change{
		{Event: domain.Event{Seq: seq, At: c.ReceivedAt, Actor: "gca.demo", Action: fmt.Sprintf("step%d", seq)}}}}))
}

// stale saves c as an older state than the one there (a late retry): the
// projection, and so the rollup, must not move.
func (s *saver) stale(c domain.Case, seq int64) {
	s.t.Helper()
	require.NoError(s.t, s.st.Save(context.Background(), store.Record{Case: c, Changes: []domain.Change{
		{Event: domain.Event{Seq: seq, At: c.ReceivedAt, Actor: "gca.demo", Action: "late"}}}}))
}

func answer(c domain.Case, at time.Time, raw, paused int) domain.Case {
	c.Status, c.AnsweredAt = domain.StatusAnswered, &at
	c.ElapsedDaysRaw, c.ElapsedDaysAdjusted = n(raw), n(raw-paused)
	c.Deadlines = append([]domain.Deadline(nil), c.Deadlines...)
	c.Deadlines[0].Status = domain.SLAMet
	return c
}

func reopen(c domain.Case) domain.Case {
	c.Status, c.AnsweredAt, c.ElapsedDaysRaw, c.ElapsedDaysAdjusted = domain.StatusInProgress, nil, nil, nil
	return c
}

func closeAt(c domain.Case, status domain.Status, at time.Time) domain.Case {
	c.Status, c.ClosedAt = status, &at
	return c
}

// rollup is the rollup's counts that are not zero.
func rollup(t *testing.T, st *store.Store) figures.Changes {
	t.Helper()
	counts, err := st.Rollup(context.Background())
	require.NoError(t, err)
	return counts
}

// sameFigures checks that the rollup gives, for each period, the figures
// computed from the files themselves, and that it equals a rebuild from
// them.
func sameFigures(t *testing.T, st *store.Store, cafs []string, periods [][2]string) {
	t.Helper()
	ctx := context.Background()
	check := func(when string) {
		for _, p := range periods {
			from, to := date(t, p[0]), date(t, p[1])
			files, err := st.FigureFiles(ctx, cafs)
			require.NoError(t, err)
			want, err := reports.ComputeFromFiles(files, cafs, from, to)
			require.NoError(t, err)
			got, err := reports.Compute(ctx, st, cafs, from, to)
			require.NoError(t, err)
			assert.Equal(t, want, got, "%s: %s..%s", when, p[0], p[1])
		}
	}
	check("kept by the writes")
	kept := rollup(t, st)
	require.NoError(t, st.RebuildRollup(ctx))
	assert.Equal(t, kept, rollup(t, st), "the rollup kept by the writes equals a rebuild from cases")
	check("rebuilt")
}

var periods = [][2]string{{"2021-03-01", "2021-03-31"}, {"2021-02-01", "2021-02-28"}, {"2021-03-15", "2021-04-14"},
	{"2021-01-01", "2021-12-31"}, {"2021-03-28", "2021-03-28"}, {"2021-10-31", "2021-11-02"}, {"2022-01-01", "2022-12-31"}}

func TestRollup_SavesThatChangeAFile_MatchTheProjection(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		history(t, st) // written straight into the projection, with their figures
		s := &saver{t: t, st: st, seqs: map[string]int64{}}

		// Answered, reopened, answered again after the period, closed.
		a := file("01a20000-0000-7000-8000-00000000000a", domain.KindComplaint, "071", paris(2021, 3, 10, 9, 0))
		s.save(a)
		a = answer(a, paris(2021, 3, 15, 10, 0), 5, 0)
		s.save(a)
		a = reopen(a)
		s.save(a)
		a = answer(a, paris(2021, 4, 2, 10, 0), 23, 2)
		s.save(a)
		s.stale(reopen(a), 2)
		s.save(closeAt(a, domain.StatusClosed, paris(2021, 4, 3, 9, 0)))

		// Withdrawn at 23:30 Paris (21:30 or 22:30 UTC).
		b := file("01a20000-0000-7000-8000-00000000000b", domain.KindComplaint, "074", paris(2021, 3, 27, 23, 30))
		s.save(b)
		s.save(closeAt(b, domain.StatusWithdrawn, paris(2021, 3, 28, 23, 30)))

		// Silent for two months: the implicit rejection, then an answer.
		c := file("01a20000-0000-7000-8000-00000000000c", domain.KindComplaint, "071", paris(2021, 1, 20, 9, 0))
		s.save(c)
		c.ImplicitRejectionAt = at(paris(2021, 3, 20, 9, 0))
		s.save(c)
		s.save(answer(c, paris(2021, 3, 25, 9, 0), 64, 0))

		// A referral, decided late, then its decision corrected in time.
		m := file("01a20000-0000-7000-8000-00000000000d", domain.KindMediation, "071", paris(2021, 3, 3, 9, 0))
		s.save(m)
		m.Status, m.Outcome, m.DecidedAt = domain.StatusDecided, "maintained", at(paris(2021, 3, 30, 9, 0))
		s.save(m)
		m.Outcome, m.DecidedAt = "revised", at(paris(2021, 3, 12, 9, 0))
		s.save(m)

		// Imported history, and the same file again.
		csv := strings.Join(importer.Columns, ",") + "\n" +
			"H-1,complaint,071,phone,rsa,other,,2021-03-02,2021-03-09,2021-03-10,,2\n" +
			"H-2,complaint,071,email,ppa,documents,,2021-02-27,,2021-03-04,,\n" +
			"H-3,mediation,071,,housing_aid,other,defenseur_des_droits,2021-03-05,2021-04-20,,maintained,\n" +
			"H-4,complaint,071,desk,aah,other,,2021-03-31,2021-04-01,,,\n"
		for range 2 {
			_, err := importer.Import(context.Background(), st, "071", strings.NewReader(csv), importer.Options{})
			require.NoError(t, err)
		}

		sameFigures(t, st, []string{"071"}, periods)
		sameFigures(t, st, []string{"071", "074"}, periods)
	})
}

// TestRollup_RandomFiles_MatchTheProjection saves random files through
// random changes (received at any hour, around the changes of time too),
// and holds the rollup to the figures computed from cases.
func TestRollup_RandomFiles_MatchTheProjection(t *testing.T) {
	testutil.EachStore(t, func(t *testing.T, st *store.Store) {
		r := rand.New(rand.NewPCG(6, 2021))
		s := &saver{t: t, st: st, seqs: map[string]int64{}}
		start := paris(2021, 1, 1, 0, 0)
		cafs := []string{"071", "074"}
		for i := range 120 {
			kind := domain.KindComplaint
			if i%5 == 0 {
				kind = domain.KindMediation
			}
			received := start.Add(time.Duration(r.IntN(300*24)) * time.Hour).Add(time.Duration(r.IntN(60)) * time.Minute)
			c := file(fmt.Sprintf("01a20000-0000-7000-8000-%012d", i), kind, cafs[i%2], received)
			c.Channel = domain.Channel(pick(r, domain.Channels, kind))
			c.Benefit, c.Reason = domain.Benefits[r.IntN(len(domain.Benefits))], domain.Reasons[r.IntN(len(domain.Reasons))]
			if kind == domain.KindMediation {
				c.Origin = string(domain.Origins[r.IntN(len(domain.Origins))])
			}
			s.save(c)
			for range r.IntN(4) {
				later := received.Add(time.Duration(r.IntN(40*24)) * time.Hour)
				switch u := r.IntN(6); {
				case kind == domain.KindMediation && u < 3:
					c.Status, c.Outcome, c.DecidedAt = domain.StatusDecided, domain.Outcomes[r.IntN(3)], &later
				case kind == domain.KindMediation:
					c = closeAt(c, domain.StatusClosed, later)
				case u < 2:
					raw := int(later.Sub(received) / (24 * time.Hour))
					c = answer(c, later, raw, r.IntN(raw+1))
				case u == 2:
					c = reopen(c)
				case u == 3:
					c = closeAt(c, domain.StatusWithdrawn, later)
				case u == 4:
					c.ImplicitRejectionAt = at(received.AddDate(0, 2, 0))
				default:
					c.Deadlines = append([]domain.Deadline(nil), c.Deadlines...)
					c.Deadlines[0].Status = domain.SLAMissed
				}
				s.save(c)
			}
		}
		sameFigures(t, st, cafs, [][2]string{{"2021-01-01", "2021-12-31"}, {"2021-03-01", "2021-03-31"},
			{"2021-03-28", "2021-04-10"}, {"2021-10-25", "2021-11-05"}, {"2021-06-01", "2021-08-31"}})
	})
}

func pick(r *rand.Rand, channels []domain.Channel, kind domain.Kind) string {
	if kind == domain.KindMediation {
		return ""
	}
	return string(channels[r.IntN(len(channels))])
}
