package bench

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm/logger"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/reports"
	"recours/internal/store"
	"recours/internal/testutil"
)

// summaryYear is the year the synthetic files are spread over.
const summaryYear = 2025

// caseColumns are the projection's columns the synthetic files fill.
var caseColumns = []string{"id", "kind", "caf", "status", "sla_status", "channel", "benefit", "reason",
	"origin", "outcome", "received_at", "target_due", "legal_due", "answered_at", "decided_at", "closed_at",
	"ack_status", "elapsed_days", "elapsed_days_raw", "paused_seconds", "implicit_rejection_at",
	"clock_paused", "imported", "version", "data", "created_at", "updated_at"}

// pick draws a word with the given weights.
func pick[W ~string](r *rand.Rand, words []W, weights []int) string {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return string(words[i])
		}
		n -= w
	}
	return string(words[len(words)-1])
}

// syntheticFile is one file of Caf 071 received during summaryYear, in
// about the seed report's proportions: 95 % complaints (answered in 6 days
// on average, one in ten with its clock paused, 2 % still open, 1 %
// withdrawn), 5 % mediation files (a fifth from the Défenseur des droits).
func syntheticFile(r *rand.Rand, start time.Time) []any {
	received := start.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
	day := 24 * time.Hour
	at := func(t time.Time) *time.Time { return &t }
	var (
		kind, status, sla         = domain.KindComplaint, domain.StatusAnswered, domain.SLAMet
		channel, origin, outcome  string
		target, legal             = received.Add(10 * day), received.Add(15 * day)
		answered, decided, closed *time.Time
		implicit                  *time.Time
		ack                       = domain.SLAMet
		elapsed, raw              any
		paused                    int64
	)
	benefit := pick(r, domain.Benefits, []int{53, 17, 10, 8, 6, 4, 2})
	reason := pick(r, domain.Reasons, []int{34, 29, 10, 9, 6, 5, 4, 3})
	if r.IntN(100) < 5 {
		kind, status = domain.KindMediation, domain.StatusInStudy
		origin = pick(r, domain.Origins, []int{6, 21, 10, 30, 13, 15, 5})
		target, legal = received.Add(30*day), received.Add(60*day)
		if origin == string(domain.OriginDDD) {
			legal = received.Add(time.Duration(20+r.IntN(30)) * day)
		}
		if r.IntN(100) < 85 {
			status = domain.StatusDecided
			outcome = pick(r, domain.Outcomes, []int{51, 30, 19})
			decided = at(received.Add(time.Duration(5+r.IntN(50)) * day))
		}
	} else {
		channel = pick(r, domain.Channels, []int{25, 20, 15, 30, 7, 3})
		switch u := r.IntN(100); {
		case u < 2: // still open
			status, sla, ack = domain.StatusInProgress, domain.SLAOnTime, domain.SLAOnTime
			if end := time.Date(summaryYear+1, 1, 1, 0, 0, 0, 0, calendar.Paris); end.Sub(received) > 61*day {
				implicit = at(calendar.AddMonths(received, 2))
			}
		case u < 3: // withdrawn
			status, sla = domain.StatusWithdrawn, domain.SLAOnTime
			closed = at(received.Add(time.Duration(r.IntN(10*24)) * time.Hour))
		default:
			days := min(int(r.ExpFloat64()*6), 60)
			pausedDays := 0
			if r.IntN(10) == 0 {
				pausedDays = min(1+r.IntN(5), days)
			}
			paused = int64(pausedDays) * 86400
			raw, elapsed = int64(days), int64(days-pausedDays)
			answered = at(received.Add(time.Duration(days)*day + time.Duration(r.IntN(8*60))*time.Minute))
			if days-pausedDays > 15 {
				sla = domain.SLAMissed
			}
			if r.IntN(100) < 80 {
				closed = at(answered.Add(2 * day))
			}
			if r.IntN(100) < 4 {
				ack = domain.SLAMissed
			}
		}
	}
	return []any{uuid.NewString(), string(kind), "071", string(status), string(sla), channel, benefit, reason,
		origin, outcome, received, target, legal, answered, decided, closed,
		string(ack), elapsed, raw, paused, implicit,
		false, true, int64(1), "{}", received, received}
}

// loadSyntheticFiles copies n files into the cases table with COPY.
func loadSyntheticFiles(ctx context.Context, url string, n int) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	r := rand.New(rand.NewPCG(summaryYear, 71))
	start := time.Date(summaryYear, 1, 1, 0, 0, 0, 0, calendar.Paris).UTC()
	i := 0
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"cases"}, caseColumns, pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		i++
		return syntheticFile(r, start), nil
	}))
	if err != nil {
		return err
	}
	_, err = conn.Exec(ctx, "VACUUM ANALYZE cases")
	return err
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkSummary measures the figures of one Caf-year over
// RECOURS_BENCH_FILES (default 1,000,000) files in PostgreSQL against one
// plain aggregate over the same rows. RECOURS_BENCH_EXPLAIN=1 prints the
// plans.
func BenchmarkSummary(b *testing.B) {
	n := envInt("RECOURS_BENCH_FILES", 1_000_000)
	ctx := context.Background()
	url := testutil.PostgresURL(b)
	st := migratedStore(ctx, b, url)
	var err error
	t0 := time.Now()
	if err = loadSyntheticFiles(ctx, url, n); err != nil {
		b.Fatal(err)
	}
	loaded := time.Since(t0)
	// COPY goes around the store: the figures' rollup is built after.
	t0 = time.Now()
	if err := st.RebuildRollup(ctx); err != nil {
		b.Fatal(err)
	}
	raw := testutil.SQL(b, url)
	if _, err := raw.ExecContext(ctx, "VACUUM ANALYZE figures_rollup"); err != nil {
		b.Fatal(err)
	}
	rebuilt := time.Since(t0)
	var rollupRows int64
	if err := raw.QueryRowContext(ctx, "SELECT count(*) FROM figures_rollup").Scan(&rollupRows); err != nil {
		b.Fatal(err)
	}

	from, to := reports.Date{Year: summaryYear, Month: time.January, Day: 1}, reports.Date{Year: summaryYear, Month: time.December, Day: 31}
	start, end := from.Start(), to.AddDays(1).Start()
	const runs = 5
	var sum *reports.Summary
	summaryRuns := make([]time.Duration, runs)
	nextRuns := make([]time.Duration, runs)
	plainRuns := make([]time.Duration, runs)
	var count int64
	var avg float64
	b.ResetTimer()
	for range b.N {
		// One run of each first, so that both read a warm cache.
		if _, err := reports.Compute(ctx, st, []string{"071"}, from, to); err != nil {
			b.Fatal(err)
		}
		for i := range runs {
			t := time.Now()
			if sum, err = reports.Compute(ctx, st, []string{"071"}, from, to); err != nil {
				b.Fatal(err)
			}
			summaryRuns[i] = time.Since(t)
		}
		// The year after: nothing in it, the million in its previous year,
		// which the summary only counts.
		nextFrom, nextTo := to.AddDays(1), to.AddYears(1)
		for i := range runs {
			t := time.Now()
			if _, err := reports.Compute(ctx, st, []string{"071"}, nextFrom, nextTo); err != nil {
				b.Fatal(err)
			}
			nextRuns[i] = time.Since(t)
		}
		plain := func() error {
			return raw.QueryRowContext(ctx, `SELECT count(*), avg(elapsed_days) FROM cases
				WHERE caf = '071' AND answered_at >= $1 AND answered_at < $2`, start, end).Scan(&count, &avg)
		}
		if err := plain(); err != nil {
			b.Fatal(err)
		}
		for i := range runs {
			t := time.Now()
			if err := plain(); err != nil {
				b.Fatal(err)
			}
			plainRuns[i] = time.Since(t)
		}
	}
	b.StopTimer()
	if os.Getenv("RECOURS_BENCH_EXPLAIN") != "" {
		explainSummary(b, st, raw, start, end)
	}

	summaryMs, plainMs, nextMs := ms(median(summaryRuns)), ms(median(plainRuns)), ms(median(nextRuns))
	b.ReportMetric(summaryMs, "summary_ms")
	b.ReportMetric(plainMs, "aggregate_ms")
	b.ReportMetric(summaryMs/plainMs, "summary_ratio")
	b.ReportMetric(nextMs, "next_year_ms")
	b.ReportMetric(float64(n)/loaded.Seconds(), "load_files/s")
	c := sum.Complaints
	fmt.Printf(`
Figures of one Caf-year over %d files in PostgreSQL (loaded with COPY in %.1f s, then VACUUM ANALYZE)
  rollup rebuilt from cases in %.1f s: %d rows
  summary of %d: %d complaints received, %d handled (%.1f %% within 10 days), %d mediation files
  summary (reports.Compute), median of %d runs:        %7.1f ms   (target < 300 ms)
  plain aggregate (count, avg over answered_at):     %7.1f ms   (%d rows)
  ratio summary / plain aggregate:                   %7.2f
  summary of %d (the million in its previous year):  %7.1f ms
  load average of the machine (/proc/loadavg):       %s
`, n, loaded.Seconds(), rebuilt.Seconds(), rollupRows, summaryYear, c.Received, c.Handled, deref(c.Within10DaysPct), sum.Mediations.Count,
		runs, summaryMs, plainMs, count, summaryMs/plainMs, summaryYear+1, nextMs, loadAverage())
	if math.IsNaN(avg) {
		b.Fatal("no answered files")
	}
}

// loadAverage is the 1, 5 and 15-minute load averages, where Linux gives
// them: the figures above are only as steady as the machine is quiet.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func deref(f *float64) float64 {
	if f == nil {
		return math.NaN()
	}
	return *f
}

// sqlRecorder keeps the statements a session runs, their values inlined.
type sqlRecorder struct {
	logger.Interface
	statements []string
}

func (r *sqlRecorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	s, _ := fc()
	r.statements = append(r.statements, s)
}

// explainSummary prints the plan of each query of the summary.
func explainSummary(b *testing.B, st *store.Store, raw *sql.DB, start, end time.Time) {
	rec := &sqlRecorder{Interface: logger.Discard}
	// The same PostgreSQL store, its statements recorded.
	traced := st.WithLogger(rec)
	from, to := reports.DateOf(start), reports.DateOf(end).AddDays(-1)
	if _, err := reports.Compute(context.Background(), traced, []string{"071"}, from, to); err != nil {
		b.Fatal(err)
	}
	for _, q := range append(rec.statements, fmt.Sprintf(`SELECT count(*), avg(elapsed_days) FROM cases
		WHERE caf = '071' AND answered_at >= '%s' AND answered_at < '%s'`, start.Format(time.RFC3339), end.Format(time.RFC3339))) {
		plan, err := explain(raw, q)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Printf("\n%s\n", q)
		for _, l := range plan {
			fmt.Println("  " + l)
		}
	}
}

// explain is the plan of q, run, line by line.
func explain(raw *sql.DB, q string) ([]string, error) {
	rows, err := raw.Query("EXPLAIN (ANALYZE, BUFFERS) " + q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		plan = append(plan, line)
	}
	return plan, rows.Err()
}
