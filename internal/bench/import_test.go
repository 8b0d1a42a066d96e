package bench

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"recours/internal/importer"
	"recours/internal/testutil"
)

// importHeader is the header row of a history file.
var importHeader = strings.Join(importer.Columns, ",") + "\n"

// writeHistory writes a history file of n valid rows of Caf 071 to w, the
// same n rows for the same n, and closes w: complaints (one in 50 rows a
// mediation file) received over 2025 in the order of their receipt, as an
// export of the previous system lists them (shuffled when shuffle is set),
// answered in 0 to 20 days, some with paused days. Nothing is kept in
// memory.
func writeHistory(w *io.PipeWriter, n int, shuffle bool) {
	channels := []string{"phone", "email", "desk", "online", "letter", "appointment"}
	benefits := []string{"housing_aid", "housing_aid", "rsa", "ppa", "paje", "family_allowance", "aah", "other"}
	reasons := []string{"overpayment_not_understood", "decision_not_understood", "payment_missing_or_late",
		"processing_delay", "calculation_error", "documents", "service_quality", "other"}
	origins := []string{"claimant", "defenseur_des_droits", "elected_official", "social_worker", "association", "internal"}
	outcomes := []string{"maintained", "revised", "partly_revised"}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	buf := make([]byte, 0, 256<<10)
	buf = append(buf, importHeader...)
	date := func(t time.Time) []byte { return t.AppendFormat(buf, time.DateOnly) }
	for i := range n {
		day := i * 365 / n
		if shuffle {
			day = (i * 7919) % 365
		}
		received := base.AddDate(0, 0, day)
		elapsed := (i * 31) % 21
		answered := received.AddDate(0, 0, elapsed)
		closed := answered.AddDate(0, 0, i%3)
		paused := 0
		if i%9 == 0 {
			paused = min(elapsed, i%5)
		}
		buf = append(buf, "H-"...)
		buf = strconv.AppendInt(buf, int64(i), 10)
		if i%50 == 0 {
			buf = append(buf, ",mediation,071,,"...)
			buf = append(buf, benefits[i%len(benefits)]...)
			buf = append(buf, ',')
			buf = append(buf, reasons[i%len(reasons)]...)
			buf = append(buf, ',')
			buf = append(buf, origins[i%len(origins)]...)
		} else {
			buf = append(buf, ",complaint,071,"...)
			buf = append(buf, channels[i%len(channels)]...)
			buf = append(buf, ',')
			buf = append(buf, benefits[i%len(benefits)]...)
			buf = append(buf, ',')
			buf = append(buf, reasons[i%len(reasons)]...)
			buf = append(buf, ',')
		}
		buf = append(buf, ',')
		buf = date(received)
		buf = append(buf, ',')
		buf = date(answered)
		buf = append(buf, ',')
		buf = date(closed)
		buf = append(buf, ',')
		if i%50 == 0 {
			buf = append(buf, outcomes[i%len(outcomes)]...)
		}
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, int64(paused), 10)
		buf = append(buf, '\n')
		if len(buf) > 240<<10 {
			if _, err := w.Write(buf); err != nil {
				return
			}
			buf = buf[:0]
		}
	}
	if _, err := w.Write(buf); err == nil {
		_ = w.Close()
	}
}

// memoryPeak samples the heap every 50 ms until stopped.
type memoryPeak struct {
	heapInuse, sys atomic.Uint64
	stop, done     chan struct{}
}

func watchMemory() *memoryPeak {
	runtime.GC()
	m := &memoryPeak{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > m.heapInuse.Load() {
				m.heapInuse.Store(ms.HeapInuse)
			}
			if ms.Sys > m.sys.Load() {
				m.sys.Store(ms.Sys)
			}
			select {
			case <-m.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

func (m *memoryPeak) end() (heapInuse, sys uint64) {
	close(m.stop)
	<-m.done
	return m.heapInuse.Load(), m.sys.Load()
}

// vmHWM is the process's peak resident set, from /proc/self/status.
func vmHWM() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

const mib = 1 << 20

// BenchmarkImport prints the figures of the history import in
// BENCHMARKS.md: RECOURS_BENCH_IMPORT_ROWS (default 1,000,000) rows
// generated on the fly (in the order received; shuffled with
// RECOURS_BENCH_IMPORT_SHUFFLED=1), imported into a fresh PostgreSQL database with
// validation, the peak memory while importing, then a plain COPY of the
// same rows (the file's 12 fields as text) into a plain table, and the
// ratio of the two rates.
func BenchmarkImport(b *testing.B) {
	n := envInt("RECOURS_BENCH_IMPORT_ROWS", 1_000_000)
	shuffled := os.Getenv("RECOURS_BENCH_IMPORT_SHUFFLED") != ""
	url := testutil.PostgresURL(b)
	ctx := context.Background()
	st := migratedStore(ctx, b, url)
	if err := st.SeedDemo(ctx); err != nil {
		b.Fatal(err)
	}

	b.ResetTimer()
	mem := watchMemory()
	pr, pw := io.Pipe()
	go writeHistory(pw, n, shuffled)
	start := time.Now()
	rep, err := importer.Import(ctx, st, "071", pr, importer.Options{})
	importElapsed := time.Since(start)
	heap, sys := mem.end()
	if err != nil {
		b.Fatalf("import: %v %v", err, rep.Errors)
	}
	if rep.Imported != n {
		b.Fatalf("imported %d of %d rows", rep.Imported, n)
	}
	importRate := float64(n) / importElapsed.Seconds()

	// The same file again: every row is already there.
	pr, pw = io.Pipe()
	go writeHistory(pw, n, shuffled)
	start = time.Now()
	rep, err = importer.Import(ctx, st, "071", pr, importer.Options{})
	rerunElapsed := time.Since(start)
	if err != nil || rep.Unchanged != n {
		b.Fatalf("re-run: %v, %d unchanged", err, rep.Unchanged)
	}

	copyElapsed, err := plainCopy(ctx, url, n, shuffled)
	if err != nil {
		b.Fatal(err)
	}
	floorElapsed, err := copyImportedRows(ctx, url, n)
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	copyRate := float64(n) / copyElapsed.Seconds()
	b.ReportMetric(importRate, "rows/s")
	b.ReportMetric(float64(heap)/mib, "peak-heap-MiB")
	order := "in the order received"
	if shuffled {
		order = "shuffled"
	}
	fmt.Printf("\nhistory import into PostgreSQL, %d rows %s (1 in 50 a mediation file), validated:\n", n, order)
	fmt.Printf("  import:         %8.2f s  %9.0f rows/s   (target > 100,000)\n", importElapsed.Seconds(), importRate)
	fmt.Printf("  peak memory:    heap in use %.1f MiB, Go runtime Sys %.1f MiB, process VmHWM %s\n",
		float64(heap)/mib, float64(sys)/mib, vmHWM())
	fmt.Printf("  re-run (all unchanged): %.2f s  %9.0f rows/s\n", rerunElapsed.Seconds(), float64(n)/rerunElapsed.Seconds())
	fmt.Printf("  plain COPY:     %8.2f s  %9.0f rows/s   (same rows, 12 text columns, table without index)\n",
		copyElapsed.Seconds(), copyRate)
	fmt.Printf("  ratio import / plain COPY: %.2f\n", importRate/copyRate)
	floorRate := float64(n) / floorElapsed.Seconds()
	fmt.Printf("  COPY of the imported rows into a copy of cases with its indexes: %.2f s  %9.0f rows/s (import / this: %.2f)\n",
		floorElapsed.Seconds(), floorRate, importRate/floorRate)
}

// plainCopy times a plain COPY (pgx CopyFrom) of the same n rows, read from
// the same generated file, into a table of 12 text columns without index.
func plainCopy(ctx context.Context, url string, n int, shuffled bool) (time.Duration, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	cols := make([]string, len(importer.Columns))
	for i, c := range importer.Columns {
		cols[i] = c + " text"
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE plain_history ("+strings.Join(cols, ", ")+")"); err != nil {
		return 0, err
	}
	pr, pw := io.Pipe()
	go writeHistory(pw, n, shuffled)
	start := time.Now()
	r := csv.NewReader(bufio.NewReaderSize(pr, 1<<20))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil { // the header
		return 0, err
	}
	src := &csvSource{r: r, vals: make([]any, len(importer.Columns))}
	copied, err := conn.CopyFrom(ctx, pgx.Identifier{"plain_history"}, importer.Columns, src)
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	if copied != int64(n) {
		return 0, fmt.Errorf("plain COPY: %d rows of %d", copied, n)
	}
	return elapsed, nil
}

// copyImportedRows times what writing the imported rows costs the
// database alone: a COPY of the n rows of cases, as the import wrote them,
// into a new table with the same columns and indexes.
func copyImportedRows(ctx context.Context, url string, n int) (time.Duration, error) {
	src, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, err
	}
	defer src.Close(ctx)
	dst, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, err
	}
	defer dst.Close(ctx)
	if _, err := dst.Exec(ctx, "CREATE TABLE cases_again (LIKE cases INCLUDING ALL)"); err != nil {
		return 0, err
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := src.PgConn().CopyTo(ctx, pw, "COPY (SELECT * FROM cases WHERE imported ORDER BY id) TO STDOUT (FORMAT binary)")
		pw.CloseWithError(err)
	}()
	start := time.Now()
	tag, err := dst.PgConn().CopyFrom(ctx, pr, "COPY cases_again FROM STDIN (FORMAT binary)")
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	if tag.RowsAffected() != int64(n) {
		return 0, fmt.Errorf("copy of the imported rows: %d of %d", tag.RowsAffected(), n)
	}
	return elapsed, nil
}

// csvSource feeds COPY with a CSV file's records, as text.
type csvSource struct {
	r    *csv.Reader
	vals []any
	err  error
}

func (s *csvSource) Next() bool {
	rec, err := s.r.Read()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			s.err = err
		}
		return false
	}
	for i, f := range rec {
		s.vals[i] = f
	}
	return true
}

func (s *csvSource) Values() ([]any, error) { return s.vals, nil }

func (s *csvSource) Err() error { return s.err }
