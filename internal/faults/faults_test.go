package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/testutil"
)

// report is one line of the faults' table (README, "Faults").
type report struct {
	fault, clients, longest, lost string
}

// TestFaults_ProductionTopology runs Recours as production runs it and
// breaks it in each way an operator meets, while files are driven through
// both APIs; after each fault nothing is lost: every 2xx is in the store,
// nothing answered 2xx that did not happen, every event is there once,
// `recours check consistency` is clean, and a deadline fires once.
func TestFaults_ProductionTopology(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault tests run the standalone Temporal server and two PostgreSQL")
	}
	top := startTopology(t)
	d := newDriver(top)
	var reports []report
	phase := func(name string, files int, spacing time.Duration, fault func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			reports = append(reports, d.phase(t, name, files, spacing, fault))
		})
	}

	// Agents take a second between actions: at the kill, files are in the
	// middle of their path on the killed worker.
	d.think = time.Second
	phase("a worker killed (SIGKILL) mid-action, back 10 s later", 40, 300*time.Millisecond, func(t *testing.T) {
		time.Sleep(5 * time.Second)
		top.workers[0].kill(t)
		time.Sleep(10 * time.Second)
		top.workers[0].start(t)
	})
	d.think = 0
	phase("Temporal stopped for 30 s", 40, 400*time.Millisecond, func(t *testing.T) {
		time.Sleep(3 * time.Second)
		top.temporal.Stop(t)
		time.Sleep(30 * time.Second)
		top.temporal.Start(t)
	})
	phase("the application database stopped for 30 s", 40, 400*time.Millisecond, func(t *testing.T) {
		time.Sleep(3 * time.Second)
		top.pg.Stop(t)
		time.Sleep(30 * time.Second)
		top.pg.Start(t)
	})
	phase("case_events locked for 45 s", 40, 400*time.Millisecond, func(t *testing.T) {
		time.Sleep(3 * time.Second)
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, top.dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, "LOCK TABLE case_events IN ACCESS EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(45 * time.Second)
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("every worker stopped while a deadline falls due", func(t *testing.T) {
		reports = append(reports, d.deadlinePhase(t))
	})
	t.Run("four processes migrating a new database at once", func(t *testing.T) {
		reports = append(reports, migrateAtOnce(t, top))
	})

	var b strings.Builder
	b.WriteString("| fault | what clients saw (statuses over every attempt) | longest wait | lost |\n|---|---|---|---|\n")
	for _, r := range reports {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.fault, r.clients, r.longest, r.lost)
	}
	t.Logf("faults:\n%s", b.String())
	if path := os.Getenv("RECOURS_FAULTS_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// phase drives files through their whole path, spacing their starts,
// while fault runs; then it checks that nothing was lost.
func (d *driver) phase(t *testing.T, name string, files int, spacing time.Duration, fault func(t *testing.T)) report {
	d.obs = &observed{}
	runs := make([]*fileRun, files)
	var wg sync.WaitGroup
	base := phaseBase(name)
	for i := range files {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * spacing)
			runs[i] = d.complaint(t, fmt.Sprint(base), base*1000+i, len(complaintPath), nil)
		})
	}
	fault(t)
	wg.Wait()
	d.top.waitReady(t, 2*time.Minute)
	lost := d.verify(t, runs)
	return d.summary(t, name, lost)
}

// phaseBase numbers a phase, so its claimants and keys are its own.
func phaseBase(name string) int {
	n := 0
	for _, r := range name {
		n = (n*31 + int(r)) % 900
	}
	return n + 100
}

// summary is the phase's line of the table; it fails the test on a 503
// without Retry-After or a 5xx telling internal details.
func (d *driver) summary(t *testing.T, name, lost string) report {
	o := d.obs
	if o.noRetryAfter > 0 {
		t.Errorf("%s: %d answers 503 without Retry-After", name, o.noRetryAfter)
	}
	if len(o.leaks) > 0 {
		t.Errorf("%s: 5xx bodies told internal details: %q", name, o.leaks[0])
	}
	// A dependency away is a 503; any other 5xx, or no answer, is a bug.
	for status, n := range o.statuses {
		if status >= 500 && status != 503 {
			t.Errorf("%s: %d answers %d", name, n, status)
		}
	}
	if o.transport > 0 {
		t.Errorf("%s: %d requests got no answer at all", name, o.transport)
	}
	retry := "every 503 with Retry-After"
	if o.statuses[503] == 0 {
		retry = "no 503"
	}
	return report{
		fault:   name,
		clients: o.statusLine() + "; " + retry,
		longest: fmt.Sprintf("%s per request, %s until the definitive answer",
			o.longestRequest.Round(100*time.Millisecond), o.longestOutcome.Round(100*time.Millisecond)),
		lost: lost,
	}
}

// verify checks every driven file in the store and against the workflows:
// each 2xx is on the timeline once, in order, nothing else is, and
// `recours check consistency` is clean. It says what was lost.
func (d *driver) verify(t *testing.T, runs []*fileRun) string {
	t.Helper()
	ctx := context.Background()
	lost := 0
	for _, run := range runs {
		if run == nil || run.id == "" {
			lost++
			continue
		}
		evs, err := d.top.st.Events(ctx, run.id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		sent := map[string]int{}
		for _, ev := range evs {
			switch ev.Action {
			case domain.EventMessageSent, domain.EventMessageFailed:
				sent[fmt.Sprint(ev.Details["kind"])]++
			default:
				got = append(got, ev.Action)
			}
		}
		if strings.Join(got, ",") != strings.Join(run.accepted, ",") {
			t.Errorf("file %s: the timeline holds %v, the clients were answered 2xx for %v", run.id, got, run.accepted)
			lost++
		}
		for kind, n := range sent {
			if n > 1 {
				t.Errorf("file %s: the %s was written %d times", run.id, kind, n)
			}
		}
		notes, err := d.top.st.CaseNotifications(context.Background(), run.id)
		if err != nil {
			t.Fatal(err)
		}
		var assigned int64
		for _, n := range notes {
			if n.Kind == "assigned" {
				assigned++
			}
		}
		if want := int64(countOf(run.accepted, "assign")); assigned != want {
			t.Errorf("file %s: %d assignment entries in the queues, want %d", run.id, assigned, want)
		}
	}
	out, err := d.top.command("check", "consistency").CombinedOutput()
	if err != nil {
		t.Errorf("recours check consistency: %v\n%s", err, out)
		return "check consistency not clean"
	}
	if lost > 0 {
		return fmt.Sprintf("%d files", lost)
	}
	return fmt.Sprintf("nothing (%d files, check consistency clean)", len(runs))
}

func countOf(xs []string, x string) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

// deadlinePhase registers complaints whose 10-day target falls due in a
// few seconds, stops every worker before it does, keeps writing while they
// are away, then starts them again: each target is marked missed once.
func (d *driver) deadlinePhase(t *testing.T) report {
	const name = "every worker stopped while a deadline falls due"
	d.obs = &observed{}
	top := d.top
	due := time.Now().Add(45 * time.Second).Truncate(time.Second)
	received := due.In(calendar.Paris).AddDate(0, 0, -10).UTC()
	// A file registered now has its deadlines at the end of their last day
	// (domain.CountingCPC), never within the minute; the files registered
	// before that counting keep theirs at the hour of receipt for their
	// whole life, and those can fall due now. These 20 are such files.
	deadlines := make([]*fileRun, 20)
	for i := range deadlines {
		deadlines[i] = d.clockCountedComplaint(t, 9000+i, received)
	}
	for _, run := range deadlines {
		c, err := top.st.Case(context.Background(), run.id)
		if err != nil {
			t.Fatal(err)
		}
		if dl, ok := c.Deadline(domain.DeadlineTarget); !ok || !dl.DueAt.Equal(due) {
			t.Fatalf("file %s: target due %v, want %s", run.id, dl, due)
		}
	}
	if time.Until(due) < 10*time.Second {
		t.Fatalf("the files took too long to register: the target is due in %s", time.Until(due))
	}
	var stopping sync.WaitGroup
	for _, w := range top.workers {
		stopping.Go(func() { w.stop(t) })
	}
	stopping.Wait()
	if time.Until(due) <= 0 {
		t.Fatalf("the workers took until after the deadline to stop: nothing would be tested")
	}
	// Files are registered and driven while no worker runs.
	runs := make([]*fileRun, 20)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 500 * time.Millisecond)
			runs[i] = d.complaint(t, "deadline-traffic", 9500+i, len(complaintPath), nil)
		})
	}
	time.Sleep(time.Until(due) + 20*time.Second)
	for _, w := range top.workers {
		w.start(t)
	}
	wg.Wait()
	top.waitReady(t, 2*time.Minute)
	deadline := time.Now().Add(time.Minute)
	for _, run := range deadlines {
		for {
			n := d.targetMissed(t, run.id)
			if n == 1 {
				break
			}
			if n > 1 || time.Now().After(deadline) {
				t.Errorf("file %s: the target was marked missed %d times", run.id, n)
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	// A few more seconds: a second firing would show now.
	time.Sleep(5 * time.Second)
	for _, run := range deadlines {
		if n := d.targetMissed(t, run.id); n != 1 {
			t.Errorf("file %s: the target was marked missed %d times", run.id, n)
		}
		// Received ten days ago: the reminder, two days before the
		// target, came at registration.
		run.accepted = []string{"created", "reminder", "assign", domain.ClockTargetMissed}
	}
	lost := d.verify(t, append(deadlines, runs...))
	r := d.summary(t, name, lost)
	r.lost += "; each of the 20 targets marked missed once"
	return r
}

// clockCountedComplaint starts the workflow of a phone complaint received
// at received and registered under domain.CountingClock (its target ten
// days later to the second), then assigns it through the API.
func (d *driver) clockCountedComplaint(t *testing.T, n int, received time.Time) *fileRun {
	t.Helper()
	run := &fileRun{number: fmt.Sprintf("%07d", 1_000_000+n), refused: map[string]string{}}
	c := testutil.ClockCountedComplaint(run.number, received)
	tc := d.top.temporalClient(t)
	defer tc.Close()
	testutil.StartFile(t, tc, c)
	run.id = c.ID
	run.accepted = append(run.accepted, "created")
	step := complaintPath[0]
	if status, out := d.send(t, "POST", "/api/v1/cases/"+c.ID+"/actions/"+step.action, step.login, step.args,
		fmt.Sprintf("deadline-%d-%s", n, step.action)); status != http.StatusOK {
		t.Fatalf("deadline: %s of file %d answered %d: %s", step.action, n, status, out)
	}
	run.accepted = append(run.accepted, step.action)
	return run
}

func (d *driver) targetMissed(t *testing.T, id string) int {
	evs, err := d.top.st.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Action == domain.ClockTargetMissed {
			n++
		}
	}
	return n
}

// migrateAtOnce starts four `recours migrate` on one new database at once:
// every one succeeds (one migrates, the others wait for it).
func migrateAtOnce(t *testing.T, top *topology) report {
	url := top.pg.URL(top.pg.CreateDatabase(t, "recours_fresh"))
	errs := make([]error, 4)
	outs := make([][]byte, 4)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			cmd := top.command("migrate")
			cmd.Env = append(cmd.Env, "DATABASE_URL="+url)
			outs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			t.Errorf("migrate %d: %v\n%s", i+1, err, outs[i])
		}
	}
	return report{fault: "four processes migrating a new database at once",
		clients: fmt.Sprintf("%d of 4 exited 0", 4-failed), longest: "-", lost: "nothing"}
}
